#include "work_pool.h"

#include <algorithm>

namespace gavah::server {

WorkPool::WorkPool(size_t threads, size_t max_queued) : max_queued_(max_queued) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkPool::~WorkPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    // Delayed jobs run now: each finishes a call that would otherwise never be answered.
    for (auto& [when, job] : later_) Push(std::move(job), 0);
    later_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkPool::Push(std::function<void()> job, uint64_t priority) {
  jobs_.push_back(Job{priority, seq_++, std::move(job)});
  std::push_heap(jobs_.begin(), jobs_.end());
}

bool WorkPool::Post(std::function<void()> job, uint64_t priority) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ || jobs_.size() >= max_queued_) return false;
    Push(std::move(job), priority);
  }
  cv_.notify_one();
  return true;
}

void WorkPool::PostAfter(std::chrono::milliseconds delay, std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) {
      Push(std::move(job), 0);
    } else {
      later_.emplace(std::chrono::steady_clock::now() + delay, std::move(job));
    }
  }
  cv_.notify_all();
}

size_t WorkPool::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_.size();
}

void WorkPool::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    while (!later_.empty() && later_.begin()->first <= now) {
      // A delayed read resumes an upload already admitted: it goes ahead of new work.
      Push(std::move(later_.begin()->second), UINT64_MAX);
      later_.erase(later_.begin());
    }
    if (!jobs_.empty()) {
      std::pop_heap(jobs_.begin(), jobs_.end());
      std::function<void()> job = std::move(jobs_.back().run);
      jobs_.pop_back();
      lock.unlock();
      job();
      lock.lock();
      continue;
    }
    if (stop_) return;
    if (later_.empty()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, later_.begin()->first);
    }
  }
}

}  // namespace gavah::server
