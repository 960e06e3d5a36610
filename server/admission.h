// Proof-of-work admission in the spirit of Tor's onion-service defence (proposal 327): the
// intake publishes a seed and the effort per MiB it needs now. The effort is zero while the
// intake keeps up, doubles every period in which it turned a submission away for load, and
// halves back every period in which it did not. docs/THREAT_MODEL.md says why this puzzle.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gavah/crypto/pow.h"
#include "gavah/v1/intake.pb.h"

namespace gavah::server {

struct AdmissionOptions {
  std::chrono::seconds period{10};        // how often the effort is reconsidered
  std::chrono::seconds seed_life{3600};   // a solution stays good this long, at least
  uint64_t min_effort_per_mib = 0;        // an operator's floor (`pow_min_effort`)
  uint64_t max_effort_per_mib = 1 << 22;  // about 4 M BLAKE2b calls per MiB: seconds per MiB
};

class Admission {
 public:
  explicit Admission(AdmissionOptions options);
  ~Admission();
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

  void Describe(gavah::v1::AdmissionResponse* out) const;
  // OK when `first` proves the effort an envelope of `total` bytes needs now (or the one it
  // needed last period, so that a raise does not void work in flight); else the status that
  // tells the client to solve (RESOURCE_EXHAUSTED, kPowNeededText).
  grpc::Status Check(const gavah::v1::SubmitChunk& first, const Digest32& id, uint64_t total) const;
  // The effort `first` validly proves for this envelope (0 for none or a bad proof), whatever
  // is needed now: what orders streams under load.
  uint64_t Proven(const gavah::v1::SubmitChunk& first, const Digest32& id, uint64_t total) const;
  // A submission was turned away for load: the effort rises at the end of this period.
  void Pressure() { pressure_.fetch_add(1); }
  uint64_t effort_per_mib() const;

 private:
  void Run();
  const AdmissionOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  PowSeed seed_{}, previous_seed_{};                 // guarded by mu_
  std::chrono::steady_clock::time_point seed_born_;  // guarded by mu_
  uint64_t effort_ = 0, previous_effort_ = 0;        // guarded by mu_
  bool stop_ = false;                                // guarded by mu_
  std::atomic<uint64_t> pressure_{0};
  std::thread thread_;
};

}  // namespace gavah::server
