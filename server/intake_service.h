// The public intake gRPC service (proto/gavah/v1/intake.proto). Every failure maps to a gRPC
// status with a short message that names no envelope and no peer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "admission.h"
#include "envelope_store.h"
#include "gavah/crypto/bundle.h"
#include "gavah/crypto/digest.h"
#include "gavah/crypto/receipt.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "group_committer.h"
#include "storage_window.h"
#include "stream_watchdog.h"
#include "transparency_log.h"

namespace gavah::server {

struct IntakeLimits {
  uint64_t max_envelope_bytes = 8ull << 30;  // refused before anything is stored
  uint64_t quota_bytes = 0;                  // all stored ciphertext and held upload bytes
  uint64_t max_unfinished_uploads = 4096;    // uploads begun and not yet complete
  // Bytes all unfinished uploads may hold together, apart from stored testimony (0: no limit).
  uint64_t max_unfinished_bytes = 2ull << 30;
  // Uploads being received at once: in all, from one connection, and from one source address
  // other than loopback (Tor and a local relay deliver from loopback, so it is one source).
  uint64_t max_active_uploads = 64;
  uint64_t uploads_per_connection = 4;
  uint64_t uploads_per_source = 16;
  StreamPace pace;
  AdmissionOptions admission;
  WindowLimits window{.bytes = 0};  // the server turns it on (server.conf window_bytes)
  // Per connection (the peer's address and port, held in memory only, never logged): calls
  // per second and upload bytes per second; 0 = no limit. Calls over the rate are refused
  // with RESOURCE_EXHAUSTED; bytes over it are slowed down, not refused.
  uint64_t connection_calls_per_second = 0;
  uint64_t connection_bytes_per_second = 0;
  // The same for all connections from one source address other than loopback, so that opening
  // new connections does not escape the limit (0 = no limit).
  uint64_t source_calls_per_second = 0;
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
  // How long to wait before reading more, so that `n` more bytes fit this connection's rate
  // (at most 10 s).
  std::chrono::milliseconds ThrottleBytes(const std::string& peer, uint64_t n);

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
// found. The calls block (on the store); IntakeEndpoint runs them on its work pool.
class IntakeService {
 public:
  // None of the pointers is owned; all outlive the service. `bundles` are the organisations
  // whose envelopes are accepted (one for a server). `receipt_key` is null for a relay.
  IntakeService(EnvelopeStore* store, const ReceiptKey* receipt_key,
                std::vector<const RecipientBundle*> bundles, IntakeLimits limits)
      : store_(store),
        receipt_key_(receipt_key),
        bundles_(std::move(bundles)),
        limits_(limits),
        limiter_(limits.connection_calls_per_second, limits.connection_bytes_per_second),
        source_limiter_(limits.source_calls_per_second, 0) {}
  virtual ~IntakeService() = default;

  virtual grpc::Status GetBundle(grpc::ServerContextBase* context,
                                 const gavah::v1::GetBundleRequest* request,
                                 gavah::v1::GetBundleResponse* response);
  virtual grpc::Status GetUploadState(grpc::ServerContextBase* context,
                                      const gavah::v1::UploadStateRequest* request,
                                      gavah::v1::UploadStateResponse* response);
  virtual grpc::Status GetReceipt(grpc::ServerContextBase* context,
                                  const gavah::v1::ReceiptRequest* request,
                                  gavah::v1::ReceiptResponse* response);
  virtual grpc::Status Probe(grpc::ServerContextBase* context,
                             const gavah::v1::ProbeRequest* request, gavah::v1::ProbeResponse*);
  virtual grpc::Status FetchReplies(grpc::ServerContextBase* context,
                                    const gavah::v1::FetchRepliesRequest* request,
                                    gavah::v1::FetchRepliesResponse* response);
  virtual grpc::Status GetLog(grpc::ServerContextBase* context,
                              const gavah::v1::GetLogRequest* request,
                              gavah::v1::GetLogResponse* response);
  virtual grpc::Status GetLogConsistency(grpc::ServerContextBase* context,
                                         const gavah::v1::LogConsistencyRequest* request,
                                         gavah::v1::LogConsistencyResponse* response);
  virtual grpc::Status GetAdmission(grpc::ServerContextBase* context,
                                    const gavah::v1::AdmissionRequest* request,
                                    gavah::v1::AdmissionResponse* response);
  // A stored envelope was acknowledged by Submit (a relay wakes its forwarder).
  virtual void Accepted(const gavah::v1::SubmitResponse&) {}

  // One Submit stream, fed message by message in order, one call at a time.
  class Upload {
   public:
    Upload(IntakeService* service, grpc::ServerContextBase* context);
    ~Upload();  // lets go of the envelope; drops what a cut-off upload holds if too little
    Upload(const Upload&) = delete;
    Upload& operator=(const Upload&) = delete;
    // OK and *done false: send more; OK and *done: `response` is the answer; else the error
    // that ends the call.
    grpc::Status Take(gavah::v1::SubmitChunk& msg, gavah::v1::SubmitResponse* response, bool* done);
    // The peer finished sending.
    grpc::Status End(gavah::v1::SubmitResponse* response);
    // How long to wait before reading the next message (the connection's byte rate).
    std::chrono::milliseconds throttle() const { return throttle_; }

   private:
    enum class Phase { kFirst, kWhole, kCover, kData, kComplete, kOver };
    grpc::Status First(gavah::v1::SubmitChunk& first, gavah::v1::SubmitResponse* response,
                       bool* done);
    grpc::Status Absorb(std::span<const uint8_t> bytes);
    grpc::Status Data(std::string data);
    Status Flush();
    grpc::Status Fail(grpc::Status st);  // drops the upload on a bad byte
    // Stores the envelope with `store` within the storage window and answers its receipt.
    grpc::Status Store(const std::function<Result<LogEntry>(uint64_t hour)>& store,
                       gavah::v1::SubmitResponse* response);

    IntakeService* const svc_;
    grpc::ServerContextBase* const ctx_;
    const std::string peer_;
    Phase phase_ = Phase::kFirst;
    gavah::v1::SubmitChunk first_;  // the whole envelope or cover, until the stream ends
    Digest32 id_{};
    uint64_t total_ = 0, received_ = 0;
    bool claimed_ = false, slot_ = false, began_ = false, header_checked_ = false;
    Sha256 sha_;
    std::vector<uint8_t> head_;     // the envelope header, checked as soon as it is whole
    std::vector<uint8_t> pending_;  // accepted bytes not yet appended (appends are 1 MiB)
    std::chrono::milliseconds throttle_{0};
  };

  // The server's transparency log (not owned; outlives the service). Without one (a relay),
  // receipts promise nothing and the log calls answer UNIMPLEMENTED.
  void set_log(TransparencyLog* log) { log_ = log; }

  // Counts what the store took within the storage window before this process started.
  Status LoadWindow();
  uint64_t stored_count() const { return stored_count_; }
  const IntakeLimits& limits() const { return limits_; }
  StreamWatchdog& watchdog() { return watchdog_; }
  Admission& admission() { return admission_; }

 protected:
  // RESOURCE_EXHAUSTED when this connection is over its call rate; OK otherwise.
  grpc::Status Admit(grpc::ServerContextBase* context);
  // The served bundle for a 16-byte organisation id, or the only one for an empty id.
  const RecipientBundle* BundleFor(const std::string& organisation_id) const;
  EnvelopeStore* store() const { return store_; }
  // A relay answers an envelope it already forwarded with the server's receipt instead of
  // taking it again; the server has no such envelopes.
  virtual bool AnswerKnown(const Digest32& id, gavah::v1::SubmitResponse* response) {
    return false;
  }

 private:
  // Answers a stored envelope: the signed receipt from a server, `queued` from a relay.
  void Acknowledge(const LogEntry& entry, gavah::v1::SubmitResponse* response) const;
  // Checks an envelope's header against this server: known version, this organisation, and the
  // size it announces equal to `total`. With `complete`, `start` may be only the beginning of
  // the envelope: a header not yet whole is OK and leaves *complete false.
  grpc::Status CheckHeader(std::span<const uint8_t> start, uint64_t total, bool* complete) const;
  // Signs the receipt (the promise of inclusion) for `entry` into `out`, on the calling thread.
  void Answer(const LogEntry& entry, gavah::v1::Receipt* out) const;

  EnvelopeStore* store_;
  const ReceiptKey* receipt_key_;
  TransparencyLog* log_ = nullptr;
  const std::vector<const RecipientBundle*> bundles_;
  IntakeLimits limits_;
  ConnectionLimiter limiter_;
  ConnectionLimiter source_limiter_;  // keyed by SourceOf(peer); loopback is not limited
  // Makes this stream the only one for `id`, cancelling any other first: a witness whose
  // connection died retries before the server notices, and the newer stream must win. False
  // when the other did not let go in time.
  bool Claim(const Digest32& id, grpc::ServerContextBase* context);
  void Release(const Digest32& id);
  // An upload slot for `peer`: false when the server, the connection or its source address
  // already has as many uploads going as the limits allow.
  // When every slot is taken, the slowest upload (under 64 KiB/s on average after 5 s) is
  // cancelled to make room, so that tricklers cannot hold the slots a witness needs.
  bool TakeSlot(const std::string& peer, grpc::ServerContextBase* context);
  void GiveSlot(const std::string& peer, grpc::ServerContextBase* context);
  void Moved(grpc::ServerContextBase* context, uint64_t bytes);  // an upload's progress

  std::mutex active_mu_;
  std::condition_variable active_cv_;
  // Guarded by active_mu_: envelopes being uploaded right now, and by which stream; upload
  // slots in use, in all, per connection and per source address.
  std::map<Digest32, grpc::ServerContextBase*> active_;
  uint64_t slots_ = 0;
  struct SlotUse {
    std::chrono::steady_clock::time_point since;
    uint64_t bytes = 0;
  };
  std::map<grpc::ServerContextBase*, SlotUse> slot_users_;
  std::map<std::string, uint64_t> slots_per_peer_, slots_per_source_;
  std::atomic<uint64_t> stored_count_{0};
  GroupCommitter committer_{store_, limits_.quota_bytes};
  StreamWatchdog watchdog_{limits_.pace};
  Admission admission_{limits_.admission};
  StorageWindow window_{limits_.window};
};

// The source address of a gRPC peer string ("ipv4:1.2.3.4:5" -> "ipv4:1.2.3.4"); empty for a
// loopback address, which stands for every Tor user and local relay at once.
std::string SourceOf(const std::string& peer);

// Unix time rounded down to the hour: all the server keeps of when anything happened.
uint64_t CurrentHour();

// What a full storage window answers (RESOURCE_EXHAUSTED): the witness's outbox tries later.
inline constexpr char kWindowFullText[] =
    "the server has taken all the testimony it can for now; it will take this later";

// A 32-byte id from a request field; nullopt for any other length.
std::optional<Digest32> IdFrom(const std::string& bytes);
void ToProto(const Receipt& r, gavah::v1::Receipt* out);

}  // namespace gavah::server
