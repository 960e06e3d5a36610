// The review service for investigators (proto/gavah/v1/review.proto). Every call is
// authenticated by an Ed25519 signature of an investigator the served bundle lists; stale times
// and replayed nonces are refused; each accepted call is written to the audit trail.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>

#include "envelope_store.h"
#include "gavah/crypto/bundle.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/review_auth.h"
#include "gavah/v1/review.grpc.pb.h"
#include "transparency_log.h"

namespace gavah::server {

class ReviewService final : public gavah::v1::Review::Service {
 public:
  // None of the pointers is owned; all outlive the service. `certificate` is the SHA-256 of this
  // server's TLS certificate, which every call's signature must name. Replies and shares count
  // against `quota_bytes` (0: none). `now` is Unix time (tests set it).
  ReviewService(EnvelopeStore* store, const ReceiptKey* receipt_key, const RecipientBundle* bundle,
                const Digest32& certificate, uint64_t quota_bytes = 0,
                std::function<uint64_t()> now = nullptr);

  // The log whose promises the listing repeats (not owned; outlives the service).
  void set_log(const TransparencyLog* log) { log_ = log; }

  grpc::Status ListEnvelopes(grpc::ServerContext* context,
                             const gavah::v1::ListEnvelopesRequest* request,
                             gavah::v1::ListEnvelopesResponse* response) override;
  grpc::Status FetchEnvelope(grpc::ServerContext* context,
                             const gavah::v1::FetchEnvelopeRequest* request,
                             grpc::ServerWriter<gavah::v1::EnvelopeChunk>* writer) override;
  grpc::Status PostReply(grpc::ServerContext* context, const gavah::v1::PostReplyRequest* request,
                         gavah::v1::PostReplyResponse* response) override;
  grpc::Status PostShare(grpc::ServerContext* context, const gavah::v1::PostShareRequest* request,
                         gavah::v1::PostShareResponse* response) override;
  grpc::Status FetchShares(grpc::ServerContext* context,
                           const gavah::v1::FetchSharesRequest* request,
                           gavah::v1::FetchSharesResponse* response) override;
  grpc::Status MarkForDeletion(grpc::ServerContext* context,
                               const gavah::v1::MarkForDeletionRequest* request,
                               gavah::v1::MarkForDeletionResponse* response) override;
  grpc::Status PurgeEnvelopes(grpc::ServerContext* context,
                              const gavah::v1::PurgeEnvelopesRequest* request,
                              gavah::v1::PurgeEnvelopesResponse* response) override;

  // At most this many nonces are remembered (each for twice the time window); beyond it calls
  // are refused until old ones expire, rather than forgetting one that could be replayed.
  static constexpr size_t kMaxNonces = 200000;
  // No one investigator may hold more than this many of them, so one stolen key cannot lock the
  // others out.
  static constexpr size_t kMaxNoncesPerSigner = 20000;

 private:
  // Checks the call's authentication; on success sets *who to the caller's fingerprint and
  // records the call in the audit trail.
  grpc::Status Authenticate(grpc::ServerContext* context, std::string_view method,
                            const google::protobuf::Message& request, Fingerprint* who);
  // Checks one mark: the caller's own valid deletion statement for its envelope on this server.
  grpc::Status CheckMark(const Fingerprint& who, const gavah::v1::MarkForDeletionRequest& mark,
                         Digest32* id) const;
  // Checks every mark, then records them all in one transaction; nothing is recorded when one
  // fails.
  grpc::Status Mark(const Fingerprint& who,
                    std::span<const gavah::v1::MarkForDeletionRequest* const> marks,
                    std::vector<EnvelopeStore::DeletionState>* states);

  EnvelopeStore* store_;
  const ReceiptKey* receipt_key_;
  const TransparencyLog* log_ = nullptr;
  const RecipientBundle* bundle_;
  const Digest32 certificate_;
  uint64_t started_at_ = 0;  // calls signed before this were not seen by the nonce cache
  uint64_t quota_bytes_;
  std::function<uint64_t()> now_;
  std::mutex nonce_mu_;
  struct Seen {
    uint64_t expiry;
    PublicKey32 signer;
  };
  std::map<std::array<uint8_t, 16>, Seen> nonces_;   // guarded by nonce_mu_
  std::map<PublicKey32, size_t> nonces_per_signer_;  // guarded by nonce_mu_
};

}  // namespace gavah::server
