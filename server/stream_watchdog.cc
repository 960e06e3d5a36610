#include "stream_watchdog.h"

namespace gavah::server {

StreamWatchdog::StreamWatchdog(std::chrono::seconds idle) : idle_(idle) {
  thread_ = std::thread([this] { Run(); });
}

StreamWatchdog::~StreamWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void StreamWatchdog::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const auto now = std::chrono::steady_clock::now();
    for (auto& [ctx, last] : last_) {
      if (now - last > idle_) {
        ctx->TryCancel();  // the handler's next Read() returns false and it ends the stream
        last = now;        // once per idle period
      }
    }
    cv_.wait_for(lock, std::chrono::seconds(1));
  }
}

StreamWatchdog::Watch::Watch(StreamWatchdog* dog, grpc::ServerContext* ctx,
                             std::chrono::seconds grace)
    : dog_(dog), ctx_(ctx) {
  std::lock_guard<std::mutex> lock(dog_->mu_);
  dog_->last_[ctx_] = std::chrono::steady_clock::now() + grace;
}

StreamWatchdog::Watch::~Watch() {
  std::lock_guard<std::mutex> lock(dog_->mu_);
  dog_->last_.erase(ctx_);
}

void StreamWatchdog::Watch::Touch() {
  std::lock_guard<std::mutex> lock(dog_->mu_);
  dog_->last_[ctx_] = std::chrono::steady_clock::now();
}

}  // namespace gavah::server
