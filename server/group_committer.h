// Group commit for envelopes that arrive whole in one message (most testimonies without large
// attachments): concurrent submissions wait on one transaction and share its fsync, so durable
// throughput scales with concurrency instead of being one fsync per envelope.
#pragma once

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "envelope_store.h"

namespace gavah::server {

class GroupCommitter {
 public:
  static constexpr size_t kMaxBatch = 256;
  // Not owned; outlives the committer.
  // Envelopes that would take the store past `quota_bytes` (0: none) are refused with kTooLarge.
  GroupCommitter(EnvelopeStore* store, uint64_t quota_bytes);
  ~GroupCommitter();

  // Blocks until the envelope is durably stored (or found stored) and returns its log entry.
  // `bytes` must stay valid until it returns. Thread-safe.
  Result<LogEntry> Store(const Digest32& id, std::span<const uint8_t> bytes, uint64_t hour);
  // Blocks until the next commit is durable, as Store() would (with none pending, a commit of
  // its own): a cover submission takes as long as a real one. Answers the log index the next
  // envelope would get.
  // A cover of `size` bytes gets the answer a real envelope of that size would: the batch's
  // storage error, or "quota full" when it would not fit.
  Result<uint64_t> WaitForCommit(uint64_t size);

 private:
  struct Pending {
    EnvelopeStore::WholeEnvelope envelope;
    uint64_t hour;
    std::promise<Result<LogEntry>> done;
    bool cover = false;  // waits for the commit; stores nothing
    uint64_t cover_size = 0;
  };
  void Run();

  EnvelopeStore* store_;
  const uint64_t quota_bytes_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending*> queue_;  // guarded by mu_
  bool stop_ = false;           // guarded by mu_
  std::thread thread_;
};

}  // namespace gavah::server
