#include "group_committer.h"

namespace gavah::server {

GroupCommitter::GroupCommitter(EnvelopeStore* store, uint64_t quota_bytes)
    : store_(store), quota_bytes_(quota_bytes) {
  thread_ = std::thread([this] { Run(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Result<LogEntry> GroupCommitter::Store(const Digest32& id, std::span<const uint8_t> bytes,
                                       uint64_t hour) {
  Pending p{{id, bytes}, hour, {}};
  auto done = p.done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return Error(ErrorCode::kIo, "server is stopping");
    queue_.push_back(&p);
  }
  cv_.notify_one();
  return done.get();
}

Result<uint64_t> GroupCommitter::WaitForCommit(uint64_t size) {
  Pending p{{}, 0, {}, true, size};
  auto done = p.done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return Error(ErrorCode::kIo, "server is stopping");
    queue_.push_back(&p);
  }
  cv_.notify_one();
  GAVAH_ASSIGN_OR_RETURN(const LogEntry next, done.get());
  return next.log_index;
}

void GroupCommitter::Run() {
  for (;;) {
    std::vector<Pending*> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || stop_; });
      if (queue_.empty()) return;  // stopping, and nothing left to commit
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    // One hour for the batch: the latest asked for (they differ only across an hour boundary).
    uint64_t hour = 0;
    std::vector<EnvelopeStore::WholeEnvelope> envelopes;
    std::vector<Pending*> real, covers;
    for (Pending* p : batch) {
      hour = std::max(hour, p->hour);
      if (p->cover) {
        covers.push_back(p);
      } else {
        real.push_back(p);
        envelopes.push_back(p->envelope);
      }
    }
    Result<std::vector<std::optional<LogEntry>>> entries = std::vector<std::optional<LogEntry>>();
    if (!real.empty()) entries = store_->StoreWhole(envelopes, hour, quota_bytes_);
    for (size_t i = 0; i < real.size(); ++i) {
      if (!entries.ok()) {
        real[i]->done.set_value(entries.status());
      } else if (!entries.value()[i]) {
        real[i]->done.set_value(Error(ErrorCode::kTooLarge, "server storage quota is full"));
      } else {
        real[i]->done.set_value(*entries.value()[i]);
      }
    }
    if (!covers.empty()) {
      // Alone, cover pays for a durable commit of its own, as a real envelope would; with real
      // envelopes it shares their outcome.
      Result<uint64_t> next = uint64_t{0};
      if (!entries.ok()) {
        next = entries.status();
      } else {
        next = real.empty() ? store_->Touch() : store_->NextLogIndex();
      }
      const auto used = store_->BytesUsed();
      for (Pending* p : covers) {
        if (!next.ok()) {
          p->done.set_value(next.status());
        } else if (quota_bytes_ != 0 && used.ok() && used.value() + p->cover_size > quota_bytes_) {
          p->done.set_value(Error(ErrorCode::kTooLarge, "server storage quota is full"));
        } else {
          p->done.set_value(LogEntry{{}, next.value(), hour});
        }
      }
    }
  }
}

}  // namespace gavah::server
