// Byte streams over file descriptors for the streaming envelope code.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "gavah/crypto/digest.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to out.size() bytes; returns 0 only at end of input. Retries short reads, so a
  // result shorter than requested means end of input.
  virtual Result<size_t> Read(std::span<uint8_t> out) = 0;
  // True if this source computes the SHA-256 of everything it yields by itself (on a thread of
  // its own), so that a consumer need not; Digest() then returns it once input has ended.
  virtual bool ComputesSha256() const { return false; }
  virtual Result<Digest32> Digest() {
    return Error(ErrorCode::kInvalidArgument, "this source computes no digest");
  }
  // Said before the first Read() by a consumer that hashes what it reads itself, on a thread of
  // its own, and reads into the buffers it works in: a source that reads ahead and hashes may
  // then read in place instead (and ComputesSha256() turns false), which saves a copy.
  virtual void PreferDirectReads() {}
  // Said by a consumer that will hash the rest of the input itself, beside other hashing of its
  // own: returns the SHA-256 of everything read so far, which the consumer continues with every
  // byte it reads from now on, in order; later Read()s neither hash nor copy through buffers of
  // the source's own, and Digest() still finalises it. nullptr when the source cannot hand its
  // hash over (it computes none, or it has already read ahead of its consumer).
  virtual Sha256* TakeOverSha256() { return nullptr; }
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

// Hands what is written to `consume` on a background thread, so that crypto, hashing and the
// kernel's copy run on both cores. Holds at most kDepth buffers of kBufferSize bytes, in
// SecretBuffers (what it carries may be plaintext). Write() and Finish() from one thread only;
// `consume` and `finish` run on the stage's thread and must not touch the caller's state
// without their own synchronisation. After the first error every call returns it.
class ThreadedStage : public ByteSink {
 public:
  static constexpr size_t kBufferSize = 1 << 20;
  static constexpr size_t kDepth = 8;
  using Consumer = std::function<Status(std::span<const uint8_t>)>;
  ThreadedStage(Consumer consume, std::function<Status()> finish);
  ~ThreadedStage() override;
  Status Write(std::span<const uint8_t> bytes) override;
  // Waits until every buffer is consumed, then runs `finish` (on the caller's thread).
  Status Finish() override;

 private:
  void Run();
  Status Hand(SecretBuffer buffer);

  Consumer consume_;
  std::function<Status()> finish_;
  SecretBuffer current_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<SecretBuffer> queue_;  // guarded by mu_
  std::deque<SecretBuffer> free_;   // guarded by mu_
  size_t busy_ = 0;                 // guarded by mu_: buffers being consumed
  bool closing_ = false;            // guarded by mu_
  Status error_;                    // guarded by mu_
  bool finished_ = false;
  std::thread thread_;
};

// Writes to an fd on the caller's thread, starting writeback every 8 MiB so that Finish()'s
// fsync has little left to wait for. Does not own fd, which must be at offset 0 of a file (or
// a pipe). Finish() fsyncs where the fd supports it.
class FdSink : public ByteSink {
 public:
  FdSink(int fd, std::string what) : fd_(fd), what_(std::move(what)) {}
  Status Write(std::span<const uint8_t> bytes) override;
  Status Finish() override;

 private:
  int fd_;
  std::string what_;
  uint64_t written_ = 0;
  uint64_t writeback_started_ = 0;
};

// An FdSink on a background thread.
class ThreadedFdSink : public ThreadedStage {
 public:
  ThreadedFdSink(int fd, std::string what);
};

// Reads an fd ahead on a background thread, optionally computing SHA-256 of every byte
// (an envelope's id, an attachment's digest) off the caller's thread. The thread starts at the
// first Read() of kDirectBelow bytes or more (smaller ones, an envelope's header, are read and
// hashed in place, so that the consumer can still take the hash over), so many sources can be
// set up at once while only the one being read holds buffers: at most kDepth SecretBuffers of
// 1 MiB (what it reads may be plaintext), released at end of input. Does not own fd. Read() and
// Digest() from one thread only.
class ReadAheadSource : public ByteSource {
 public:
  static constexpr size_t kDepth = 8;
  static constexpr size_t kDirectBelow = 64 * 1024;
  ReadAheadSource(int fd, std::string what, bool hash);
  ~ReadAheadSource() override;
  Result<size_t> Read(std::span<uint8_t> out) override;
  bool ComputesSha256() const override { return hash_; }
  // SHA-256 of everything in the fd; only once Read() has returned end of input, and once.
  Result<Digest32> Digest() override;
  // No thread, no hash: Read() reads the fd straight into the caller's buffer.
  void PreferDirectReads() override;
  // Before the thread has started: no thread, and the caller hashes.
  Sha256* TakeOverSha256() override;

 private:
  void Run();
  int fd_;
  std::string what_;
  bool hash_;
  Sha256 sha_;  // touched only by the reader thread until it ends
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<SecretBuffer> ready_;  // guarded by mu_
  std::deque<SecretBuffer> free_;   // guarded by mu_
  size_t allocated_ = 0;            // guarded by mu_
  bool eof_ = false;                // guarded by mu_
  bool stop_ = false;               // guarded by mu_
  Status error_;                    // guarded by mu_
  SecretBuffer current_;
  size_t pos_ = 0;
  bool started_ = false;
  bool drained_ = false;
  bool direct_ = false;       // no thread from now on
  bool hash_inline_ = false;  // direct reads hash here (before the thread starts)
  uint64_t read_before_ = 0;  // bytes read in place before any choice of mode
  std::thread thread_;
  Result<size_t> ReadDirect(std::span<uint8_t> out);
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
