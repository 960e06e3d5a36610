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
    for (Pending* p : batch) {
      hour = std::max(hour, p->hour);
      envelopes.push_back(p->envelope);
    }
    auto entries = store_->StoreWhole(envelopes, hour, quota_bytes_);
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!entries.ok()) {
        batch[i]->done.set_value(entries.status());
      } else if (!entries.value()[i]) {
        batch[i]->done.set_value(Error(ErrorCode::kTooLarge, "server storage quota is full"));
      } else {
        batch[i]->done.set_value(*entries.value()[i]);
      }
    }
  }
}

}  // namespace gavah::server
