#include "admission.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "intake_status.h"

namespace gavah::server {
namespace {

constexpr uint64_t kFirstRaise = 16;  // from zero, the first effort asked: microseconds of work

}  // namespace

Admission::Admission(AdmissionOptions options) : options_(options) {
  randombytes_buf(seed_.data(), seed_.size());
  randombytes_buf(previous_seed_.data(), previous_seed_.size());
  seed_born_ = std::chrono::steady_clock::now();
  effort_ = previous_effort_ = options_.min_effort_per_mib;
  thread_ = std::thread([this] { Run(); });
}

Admission::~Admission() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t Admission::effort_per_mib() const {
  std::lock_guard<std::mutex> lock(mu_);
  return effort_;
}

void Admission::Describe(gavah::v1::AdmissionResponse* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  out->set_seed(seed_.data(), seed_.size());
  out->set_effort_per_mib(effort_);
}

grpc::Status Admission::Check(const gavah::v1::SubmitChunk& first, const Digest32& id,
                              uint64_t total) const {
  PowSeed seed{};
  uint64_t needed = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    needed = std::min(effort_, previous_effort_);
    if (needed == 0) return grpc::Status::OK;
    const std::string& head = first.pow_seed_head();
    if (head.size() == 4 && std::memcmp(head.data(), seed_.data(), 4) == 0) {
      seed = seed_;
    } else if (head.size() == 4 && std::memcmp(head.data(), previous_seed_.data(), 4) == 0) {
      seed = previous_seed_;
    } else {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, kPowNeededText);
    }
  }
  const uint64_t units = PowUnits(total);
  const uint64_t required = needed > kPowMaxEffort / units ? kPowMaxEffort : needed * units;
  PowNonce nonce{};
  if (first.pow_nonce().size() != nonce.size() || first.pow_effort() < required) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, kPowNeededText);
  }
  std::memcpy(nonce.data(), first.pow_nonce().data(), nonce.size());
  if (!PowValid(seed, id, total, first.pow_effort(), nonce)) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, kPowNeededText);
  }
  return grpc::Status::OK;
}

uint64_t Admission::Proven(const gavah::v1::SubmitChunk& first, const Digest32& id,
                           uint64_t total) const {
  if (first.pow_effort() == 0 || first.pow_seed_head().size() != 4 ||
      first.pow_nonce().size() != kPowNonceSize) {
    return 0;
  }
  PowSeed seed{};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (std::memcmp(first.pow_seed_head().data(), seed_.data(), 4) == 0) {
      seed = seed_;
    } else if (std::memcmp(first.pow_seed_head().data(), previous_seed_.data(), 4) == 0) {
      seed = previous_seed_;
    } else {
      return 0;
    }
  }
  PowNonce nonce{};
  std::memcpy(nonce.data(), first.pow_nonce().data(), nonce.size());
  return PowValid(seed, id, total, first.pow_effort(), nonce) ? first.pow_effort() : 0;
}

void Admission::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, options_.period, [this] { return stop_; });
    if (stop_) return;
    const bool loaded = pressure_.exchange(0) > 0;
    previous_effort_ = effort_;
    if (loaded) {
      effort_ = std::min(options_.max_effort_per_mib, std::max(kFirstRaise, effort_ * 2));
    } else {
      effort_ = effort_ / 2 < kFirstRaise ? 0 : effort_ / 2;
    }
    effort_ = std::max(effort_, options_.min_effort_per_mib);
    const auto now = std::chrono::steady_clock::now();
    if (now - seed_born_ >= options_.seed_life) {
      previous_seed_ = seed_;
      randombytes_buf(seed_.data(), seed_.size());
      seed_born_ = now;
    }
  }
}

}  // namespace gavah::server
