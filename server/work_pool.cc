#include "work_pool.h"

namespace gavah::server {

WorkPool::WorkPool(size_t threads, size_t max_queued) : max_queued_(max_queued) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkPool::~WorkPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    // Delayed jobs run now: each finishes a call that would otherwise never be answered.
    for (auto& [when, job] : later_) jobs_.push_back(std::move(job));
    later_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

bool WorkPool::Post(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ || jobs_.size() >= max_queued_) return false;
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void WorkPool::PostAfter(std::chrono::milliseconds delay, std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) {
      jobs_.push_back(std::move(job));
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
      jobs_.push_back(std::move(later_.begin()->second));
      later_.erase(later_.begin());
    }
    if (!jobs_.empty()) {
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
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
