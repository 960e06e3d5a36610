// Byte streams over file descriptors for the streaming envelope code.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to out.size() bytes; returns 0 only at end of input. Retries short reads, so a
  // result shorter than requested means end of input.
  virtual Result<size_t> Read(std::span<uint8_t> out) = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(std::span<const uint8_t> bytes) = 0;
  // Flushes everything written; after it, no more writes.
  virtual Status Finish() = 0;
};

class FdSource : public ByteSource {
 public:
  // Does not own fd. `what` names the input in error messages.
  FdSource(int fd, std::string what) : fd_(fd), what_(std::move(what)) {}
  Result<size_t> Read(std::span<uint8_t> out) override;

 private:
  int fd_;
  std::string what_;
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  Result<size_t> Read(std::span<uint8_t> out) override;

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

// Writes to an fd on a background thread so that crypto and the kernel's copy run on both
// cores. Holds at most kDepth buffers of kBufferSize bytes in SecretBuffers (what it carries may
// be plaintext). Write() and Finish() from one thread only. Does not own fd; Finish() fsyncs it.
class ThreadedFdSink : public ByteSink {
 public:
  static constexpr size_t kBufferSize = 1 << 20;
  static constexpr size_t kDepth = 4;
  ThreadedFdSink(int fd, std::string what);
  ~ThreadedFdSink() override;
  Status Write(std::span<const uint8_t> bytes) override;
  Status Finish() override;

 private:
  void Run();
  Status Hand(SecretBuffer buffer);

  int fd_;
  std::string what_;
  SecretBuffer current_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<SecretBuffer> queue_;  // guarded by mu_
  std::deque<SecretBuffer> free_;   // guarded by mu_
  bool closing_ = false;            // guarded by mu_
  Status error_;                    // guarded by mu_
  bool finished_ = false;
  std::thread thread_;
};

// Collects bytes in memory (for tests and vectors).
class MemorySink : public ByteSink {
 public:
  Status Write(std::span<const uint8_t> bytes) override {
    data.insert(data.end(), bytes.begin(), bytes.end());
    return Status::Ok();
  }
  Status Finish() override { return Status::Ok(); }
  std::vector<uint8_t> data;
};

}  // namespace gavah
