#include "stream_watchdog.h"

namespace gavah::server {

StreamWatchdog::StreamWatchdog(StreamPace pace) : pace_(pace) {
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
  using std::chrono::duration;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const auto now = std::chrono::steady_clock::now();
    for (auto& [ctx, e] : streams_) {
      if (!e.reading) continue;
      const auto waiting = now - e.since;
      bool slow = false;
      if (e.first) {
        slow = waiting > pace_.first_message;
      } else {
        const double waited = duration<double>(e.waited + waiting).count();
        slow =
            waiting > pace_.idle || (waited > static_cast<double>(pace_.idle.count()) &&
                                     static_cast<double>(e.bytes) <
                                         waited * static_cast<double>(pace_.min_bytes_per_second));
      }
      if (slow) {
        ctx->TryCancel();  // the pending read fails and the call ends
        e.reading = false;
      }
    }
    cv_.wait_for(lock, std::chrono::seconds(1));
  }
}

StreamWatchdog::Watch::Watch(StreamWatchdog* dog, grpc::ServerContextBase* ctx)
    : dog_(dog), ctx_(ctx) {
  std::lock_guard<std::mutex> lock(dog_->mu_);
  dog_->streams_[ctx_] = Entry{};
}

StreamWatchdog::Watch::~Watch() {
  std::lock_guard<std::mutex> lock(dog_->mu_);
  dog_->streams_.erase(ctx_);
}

void StreamWatchdog::Watch::Reading() {
  std::lock_guard<std::mutex> lock(dog_->mu_);
  Entry& e = dog_->streams_[ctx_];
  e.reading = true;
  e.since = std::chrono::steady_clock::now();
}

void StreamWatchdog::Watch::Arrived(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(dog_->mu_);
  Entry& e = dog_->streams_[ctx_];
  if (!e.first && e.reading) {
    e.waited += std::chrono::steady_clock::now() - e.since;
    e.bytes += bytes;
  }
  e.first = false;
  e.reading = false;
}

}  // namespace gavah::server
