// A fixed set of threads that run the intake's blocking work (database lookups, commits,
// hashing) for callback-API calls, so that a call costs a thread only while it has work to do,
// never while it waits for its peer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace gavah::server {

class WorkPool {
 public:
  // `threads` workers; at most `max_queued` jobs wait (Post refuses more).
  WorkPool(size_t threads, size_t max_queued);
  ~WorkPool();  // runs the jobs already queued, then joins
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // False when the queue is full: the caller answers "busy" instead of queueing without bound.
  // Under load, queued jobs run highest `priority` first (a submission's proven work per MiB),
  // in the order posted among equals.
  bool Post(std::function<void()> job, uint64_t priority = 0);
  // Runs `job` on a worker once `delay` has passed (delays are few: throttled uploads).
  void PostAfter(std::chrono::milliseconds delay, std::function<void()> job);
  size_t queued() const;

 private:
  void Run();
  void Push(std::function<void()> job, uint64_t priority);  // REQUIRES: mu_ held
  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  struct Job {
    uint64_t priority = 0, seq = 0;
    std::function<void()> run;
    bool operator<(const Job& o) const {  // for the heap: the top is the next to run
      return priority != o.priority ? priority < o.priority : seq > o.seq;
    }
  };
  std::vector<Job> jobs_;  // guarded by mu_: a heap
  uint64_t seq_ = 0;       // guarded by mu_
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>>
      later_;          // guarded by mu_
  bool stop_ = false;  // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace gavah::server
