// The public intake gRPC service (proto/gavah/v1/intake.proto). Every failure maps to a gRPC
// status with a short message that names no envelope and no peer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>

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
};

class IntakeService final : public gavah::v1::Intake::Service {
 public:
  // None of the pointers is owned; all outlive the service.
  IntakeService(EnvelopeStore* store, const ReceiptKey* receipt_key, const RecipientBundle* bundle,
                IntakeLimits limits)
      : store_(store), receipt_key_(receipt_key), bundle_(bundle), limits_(limits) {}

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

 private:
  // Checks an envelope's header against this server: known version, this organisation, and the
  // size it announces equal to `total`. With `complete`, `start` may be only the beginning of
  // the envelope: a header not yet whole is OK and leaves *complete false.
  grpc::Status CheckHeader(std::span<const uint8_t> start, uint64_t total, bool* complete) const;
  // Signs the receipt for `entry` into `out`, on the calling thread.
  void Answer(const LogEntry& entry, gavah::v1::Receipt* out) const;
  grpc::Status ReceiveUpload(const Digest32& id, uint64_t total, uint64_t offset,
                             const std::string& first_data,
                             grpc::ServerReader<gavah::v1::SubmitChunk>* reader,
                             gavah::v1::SubmitResponse* response, StreamWatchdog::Watch& watch);

  EnvelopeStore* store_;
  const ReceiptKey* receipt_key_;
  const RecipientBundle* bundle_;
  IntakeLimits limits_;
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

}  // namespace gavah::server
