#include "gavah/crypto/io.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gavah {

Result<size_t> FdSource::Read(std::span<uint8_t> out) {
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd_, out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error(ErrorCode::kIo, "cannot read " + what_ + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

Result<size_t> MemorySource::Read(std::span<uint8_t> out) {
  const size_t n = std::min(out.size(), bytes_.size() - pos_);
  if (n > 0) std::memcpy(out.data(), bytes_.data() + pos_, n);
  pos_ += n;
  return n;
}

namespace {

Status WriteAll(int fd, const uint8_t* p, size_t n, const std::string& what) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Error(ErrorCode::kIo, "cannot write " + what + ": " + std::strerror(errno));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

}  // namespace

ThreadedFdSink::ThreadedFdSink(int fd, std::string what) : fd_(fd), what_(std::move(what)) {
  for (size_t i = 0; i < kDepth; ++i) {
    SecretBuffer b;
    b.Reserve(kBufferSize);
    free_.push_back(std::move(b));
  }
  current_.Reserve(kBufferSize);
  thread_ = std::thread([this] { Run(); });
}

ThreadedFdSink::~ThreadedFdSink() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ThreadedFdSink::Run() {
  for (;;) {
    SecretBuffer buf;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;
      buf = std::move(queue_.front());
      queue_.pop_front();
    }
    Status st;
    {
      bool failed;
      {
        std::lock_guard<std::mutex> lock(mu_);
        failed = !error_.ok();
      }
      if (!failed) st = WriteAll(fd_, buf.data(), buf.size(), what_);
    }
    buf.Clear();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!st.ok() && error_.ok()) error_ = st;
      free_.push_back(std::move(buf));
    }
    cv_.notify_all();
  }
}

Status ThreadedFdSink::Hand(SecretBuffer buffer) {
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(std::move(buffer));
  cv_.notify_all();
  cv_.wait(lock, [this] { return !free_.empty() || !error_.ok(); });
  if (!error_.ok()) return error_;
  current_ = std::move(free_.front());
  free_.pop_front();
  return Status::Ok();
}

Status ThreadedFdSink::Write(std::span<const uint8_t> bytes) {
  if (finished_) return Error(ErrorCode::kIo, "write after finish");
  while (!bytes.empty()) {
    const size_t room = kBufferSize - current_.size();
    const size_t n = std::min(room, bytes.size());
    current_.Append(bytes.first(n));
    bytes = bytes.subspan(n);
    if (current_.size() == kBufferSize) GAVAH_RETURN_IF_ERROR(Hand(std::move(current_)));
  }
  return Status::Ok();
}

Status ThreadedFdSink::Finish() {
  if (finished_) return Status::Ok();
  finished_ = true;
  if (!current_.empty()) GAVAH_RETURN_IF_ERROR(Hand(std::move(current_)));
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return free_.size() + 1 >= kDepth + 1 || !error_.ok(); });
    if (!error_.ok()) return error_;
  }
  if (::fsync(fd_) != 0 && errno != EINVAL) {
    return Error(ErrorCode::kIo, "cannot flush " + what_ + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace gavah
