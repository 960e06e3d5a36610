// A fixed set of threads that run the intake's blocking work (database lookups, commits,
// hashing) for callback-API calls, so that a call costs a thread only while it has work to do,
// never while it waits for its peer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
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
  bool Post(std::function<void()> job);
  // Runs `job` on a worker once `delay` has passed (delays are few: throttled uploads).
  void PostAfter(std::chrono::milliseconds delay, std::function<void()> job);
  size_t queued() const;

 private:
  void Run();
  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>>
      later_;          // guarded by mu_
  bool stop_ = false;  // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace gavah::server
