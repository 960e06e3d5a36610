#include "gavah/crypto/io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

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

ThreadedStage::ThreadedStage(Consumer consume, std::function<Status()> finish)
    : consume_(std::move(consume)), finish_(std::move(finish)) {
  for (size_t i = 0; i < kDepth; ++i) {
    SecretBuffer b;
    b.Reserve(kBufferSize);
    free_.push_back(std::move(b));
  }
  current_.Reserve(kBufferSize);
  thread_ = std::thread([this] { Run(); });
}

ThreadedStage::~ThreadedStage() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ThreadedStage::Run() {
  for (;;) {
    SecretBuffer buf;
    bool failed;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;
      buf = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
      failed = !error_.ok();
    }
    Status st = failed ? Status::Ok() : consume_(buf.span());
    buf.Rewind();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!st.ok() && error_.ok()) error_ = st;
      free_.push_back(std::move(buf));
      --busy_;
    }
    cv_.notify_all();
  }
}

Status ThreadedStage::Hand(SecretBuffer buffer) {
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(std::move(buffer));
  cv_.notify_all();
  cv_.wait(lock, [this] { return !free_.empty() || !error_.ok(); });
  if (!error_.ok()) return error_;
  current_ = std::move(free_.front());
  free_.pop_front();
  return Status::Ok();
}

Status ThreadedStage::Write(std::span<const uint8_t> bytes) {
  if (finished_) return Error(ErrorCode::kIo, "write after finish");
  while (!bytes.empty()) {
    const size_t n = std::min(kBufferSize - current_.size(), bytes.size());
    current_.Append(bytes.first(n));
    bytes = bytes.subspan(n);
    if (current_.size() == kBufferSize) GAVAH_RETURN_IF_ERROR(Hand(std::move(current_)));
  }
  return Status::Ok();
}

Status ThreadedStage::Finish() {
  if (finished_) return Error(ErrorCode::kIo, "finished twice");
  finished_ = true;
  if (!current_.empty()) GAVAH_RETURN_IF_ERROR(Hand(std::move(current_)));
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return (queue_.empty() && busy_ == 0) || !error_.ok(); });
    if (!error_.ok()) return error_;
  }
  return finish_();
}

Status FdSink::Write(std::span<const uint8_t> bytes) {
  GAVAH_RETURN_IF_ERROR(WriteAll(fd_, bytes.data(), bytes.size(), what_));
  written_ += bytes.size();
  if (written_ - writeback_started_ >= (8u << 20)) {
    // Only a hint (fails harmlessly on pipes); errors surface at fsync.
    ::sync_file_range(fd_, static_cast<off64_t>(writeback_started_),
                      static_cast<off64_t>(written_ - writeback_started_), SYNC_FILE_RANGE_WRITE);
    writeback_started_ = written_;
  }
  return Status::Ok();
}

Status FdSink::Finish() {
  if (::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) {
    return Error(ErrorCode::kIo, "cannot flush " + what_ + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

ThreadedFdSink::ThreadedFdSink(int fd, std::string what)
    : ThreadedStage([sink = std::make_shared<FdSink>(fd, what)](
                        std::span<const uint8_t> b) { return sink->Write(b); },
                    [fd, what] { return FdSink(fd, what).Finish(); }) {}

ReadAheadSource::ReadAheadSource(int fd, std::string what, bool hash)
    : fd_(fd), what_(std::move(what)), hash_(hash) {}

ReadAheadSource::~ReadAheadSource() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReadAheadSource::Run() {
  for (;;) {
    SecretBuffer buf;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !free_.empty() || allocated_ < kDepth || stop_; });
      if (stop_) return;
      if (!free_.empty()) {
        buf = std::move(free_.front());
        free_.pop_front();
      } else {
        ++allocated_;
      }
    }
    buf.Reserve(1 << 20);
    buf.Rewind();
    Status st;
    while (buf.size() < buf.capacity()) {
      const ssize_t n = ::read(fd_, buf.data() + buf.size(), buf.capacity() - buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        st = Error(ErrorCode::kIo, "cannot read " + what_ + ": " + std::strerror(errno));
        break;
      }
      if (n == 0) break;
      buf.AdoptWritten(static_cast<size_t>(n));
    }
    const bool end = !st.ok() || buf.empty();
    if (hash_ && st.ok()) sha_.Update(buf.span());
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!st.ok()) {
        error_ = st;
      } else if (buf.empty()) {
        eof_ = true;
      } else {
        ready_.push_back(std::move(buf));
      }
    }
    cv_.notify_all();
    if (end) return;
  }
}

void ReadAheadSource::PreferDirectReads() {
  // Bytes already read were hashed here: the caller's own hash would miss them, so this source
  // goes on hashing.
  if (started_ || read_before_ > 0) return;
  direct_ = true;
  hash_ = false;
}

Sha256* ReadAheadSource::TakeOverSha256() {
  if (started_ || !hash_) return nullptr;
  direct_ = true;
  hash_inline_ = false;
  return &sha_;
}

Result<size_t> ReadAheadSource::ReadDirect(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd_, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(ErrorCode::kIo, "cannot read " + what_ + ": " + std::strerror(errno));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  if (hash_inline_) sha_.Update(out.first(done));
  if (!direct_) read_before_ += done;
  if (done < out.size()) drained_ = true;
  return done;
}

Result<size_t> ReadAheadSource::Read(std::span<uint8_t> out) {
  if (direct_) return ReadDirect(out);
  // Input already ended on a read in place: no thread may start to read what a writer appends.
  if (drained_) return size_t{0};
  if (!started_ && out.size() < kDirectBelow) {
    hash_inline_ = hash_;
    return ReadDirect(out);
  }
  hash_inline_ = false;
  if (!started_) {
    started_ = true;
    thread_ = std::thread([this] { Run(); });
  }
  size_t done = 0;
  while (done < out.size() && !drained_) {
    if (pos_ == current_.size()) {
      std::unique_lock<std::mutex> lock(mu_);
      if (current_.capacity() > 0) {
        current_.Rewind();
        free_.push_back(std::move(current_));
        cv_.notify_all();
      }
      current_ = SecretBuffer();
      pos_ = 0;
      cv_.wait(lock, [this] { return !ready_.empty() || eof_ || !error_.ok(); });
      if (!ready_.empty()) {
        current_ = std::move(ready_.front());
        ready_.pop_front();
      } else if (!error_.ok()) {
        return error_;
      } else {
        drained_ = true;
        free_.clear();  // nothing more will be read: give the memory back now
        break;
      }
    }
    const size_t n = std::min(out.size() - done, current_.size() - pos_);
    std::memcpy(out.data() + done, current_.data() + pos_, n);
    pos_ += n;
    done += n;
  }
  return done;
}

Result<Digest32> ReadAheadSource::Digest() {
  if (!drained_ || !hash_) return Error(ErrorCode::kInvalidArgument, "digest before end of input");
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  hash_ = false;  // Final() once
  return sha_.Final();
}

}  // namespace gavah
