// The public intake gRPC service (proto/gavah/v1/intake.proto). Every failure maps to a gRPC
// status with a short message that names no envelope and no peer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "envelope_store.h"
#include "gavah/crypto/bundle.h"
#include "gavah/crypto/receipt.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "group_committer.h"
#include "stream_watchdog.h"

namespace gavah::server {

struct IntakeLimits {
  uint64_t max_envelope_bytes = 8ull << 30;  // refused before anything is stored
  uint64_t quota_bytes = 0;                  // all stored and in-flight ciphertext; 0 = no quota
  uint64_t max_unfinished_uploads = 4096;    // uploads begun and not yet complete
  uint64_t stream_idle_seconds = 300;  // an upload stream moving no data this long is cancelled
  // Per connection (the peer's address and port, held in memory only, never logged): calls
  // per second and upload bytes per second; 0 = no limit. Calls over the rate are refused
  // with RESOURCE_EXHAUSTED; bytes over it are slowed down, not refused.
  uint64_t connection_calls_per_second = 0;
  uint64_t connection_bytes_per_second = 0;
};

// Token buckets per connection. Bounded: at most kMaxConnections are tracked; when that many
// were active within a minute, calls from new connections are refused (and their bytes slowed
// the most) until idle ones are forgotten.
class ConnectionLimiter {
 public:
  static constexpr size_t kMaxConnections = 65536;
  ConnectionLimiter(uint64_t calls_per_second, uint64_t bytes_per_second)
      : calls_(calls_per_second), bytes_(bytes_per_second) {}
  bool limits_calls() const { return calls_ != 0; }
  bool limits_bytes() const { return bytes_ != 0; }
  bool AdmitCall(const std::string& peer);
  // Sleeps until `n` more bytes fit this connection's rate (at most 10 s per call).
  void ThrottleBytes(const std::string& peer, uint64_t n);

 private:
  struct Bucket {
    double calls = 0, bytes = 0;
    std::chrono::steady_clock::time_point last;
  };
  Bucket& Refill(const std::string& peer);              // REQUIRES: mu_ held
  bool Track(const std::string& peer);                  // REQUIRES: mu_ held; false when full
  std::chrono::steady_clock::time_point last_sweep_{};  // guarded by mu_
  const uint64_t calls_, bytes_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;  // guarded by mu_
};

// Serves the intake API from an envelope store. The server signs receipts with its key; a relay
// (no receipt key) answers `queued` instead and overrides how receipts, replies and bundles are
// found.
class IntakeService : public gavah::v1::Intake::Service {
 public:
  // None of the pointers is owned; all outlive the service. `bundles` are the organisations
  // whose envelopes are accepted (one for a server). `receipt_key` is null for a relay.
  IntakeService(EnvelopeStore* store, const ReceiptKey* receipt_key,
                std::vector<const RecipientBundle*> bundles, IntakeLimits limits)
      : store_(store),
        receipt_key_(receipt_key),
        bundles_(std::move(bundles)),
        limits_(limits),
        limiter_(limits.connection_calls_per_second, limits.connection_bytes_per_second) {}

  grpc::Status GetBundle(grpc::ServerContext*, const gavah::v1::GetBundleRequest*,
                         gavah::v1::GetBundleResponse* response) override;
  grpc::Status Submit(grpc::ServerContext* context,
                      grpc::ServerReader<gavah::v1::SubmitChunk>* reader,
                      gavah::v1::SubmitResponse* response) override;
  grpc::Status GetUploadState(grpc::ServerContext*, const gavah::v1::UploadStateRequest* request,
                              gavah::v1::UploadStateResponse* response) override;
  grpc::Status GetReceipt(grpc::ServerContext*, const gavah::v1::ReceiptRequest* request,
                          gavah::v1::ReceiptResponse* response) override;

  grpc::Status Probe(grpc::ServerContext*, const gavah::v1::ProbeRequest* request,
                     gavah::v1::ProbeResponse*) override;

  grpc::Status FetchReplies(grpc::ServerContext*, const gavah::v1::FetchRepliesRequest* request,
                            gavah::v1::FetchRepliesResponse* response) override;

  uint64_t stored_count() const { return stored_count_; }

 protected:
  // RESOURCE_EXHAUSTED when this connection is over its call rate; OK otherwise.
  grpc::Status Admit(grpc::ServerContext* context);
  // The served bundle for a 16-byte organisation id, or the only one for an empty id.
  const RecipientBundle* BundleFor(const std::string& organisation_id) const;
  EnvelopeStore* store() const { return store_; }
  // A relay answers an envelope it already forwarded with the server's receipt instead of
  // taking it again; the server has no such envelopes.
  virtual bool AnswerKnown(const Digest32& id, gavah::v1::SubmitResponse* response) {
    return false;
  }

 private:
  // A relay's cover submission: read to the end, store nothing, answer like a receipt.
  grpc::Status DropCover(const gavah::v1::SubmitChunk& first,
                         grpc::ServerReader<gavah::v1::SubmitChunk>* reader,
                         gavah::v1::SubmitResponse* response);
  // Answers a stored envelope: the signed receipt from a server, `queued` from a relay.
  void Acknowledge(const LogEntry& entry, gavah::v1::SubmitResponse* response) const;
  // Checks an envelope's header against this server: known version, this organisation, and the
  // size it announces equal to `total`. With `complete`, `start` may be only the beginning of
  // the envelope: a header not yet whole is OK and leaves *complete false.
  grpc::Status CheckHeader(std::span<const uint8_t> start, uint64_t total, bool* complete) const;
  // Signs the receipt for `entry` into `out`, on the calling thread.
  void Answer(const LogEntry& entry, gavah::v1::Receipt* out) const;
  grpc::Status ReceiveUpload(const Digest32& id, uint64_t total, uint64_t offset,
                             const std::string& first_data,
                             grpc::ServerReader<gavah::v1::SubmitChunk>* reader,
                             gavah::v1::SubmitResponse* response, StreamWatchdog::Watch& watch,
                             const std::string& peer);

  EnvelopeStore* store_;
  const ReceiptKey* receipt_key_;
  const std::vector<const RecipientBundle*> bundles_;
  IntakeLimits limits_;
  ConnectionLimiter limiter_;
  // Makes this stream the only one for `id`, cancelling any other first: a witness whose
  // connection died retries before the server notices, and the newer stream must win. False
  // when the other did not let go in time.
  bool Claim(const Digest32& id, grpc::ServerContext* context);
  void Release(const Digest32& id);

  std::mutex active_mu_;
  std::condition_variable active_cv_;
  // Guarded by active_mu_: envelopes being uploaded right now, and by which stream.
  std::map<Digest32, grpc::ServerContext*> active_;
  std::atomic<uint64_t> stored_count_{0};
  GroupCommitter committer_{store_, limits_.quota_bytes};
  StreamWatchdog watchdog_{std::chrono::seconds(limits_.stream_idle_seconds)};
};

// Unix time rounded down to the hour: all the server keeps of when anything happened.
uint64_t CurrentHour();

// A 32-byte id from a request field; nullopt for any other length.
std::optional<Digest32> IdFrom(const std::string& bytes);
void ToProto(const Receipt& r, gavah::v1::Receipt* out);

}  // namespace gavah::server
