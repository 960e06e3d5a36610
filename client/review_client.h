// Calls to the server's review service, each signed with the investigator's key
// (docs/PROTOCOL.md, "Review authentication").
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "gavah/crypto/bundle.h"
#include "gavah/crypto/keys.h"
#include "gavah/v1/review.grpc.pb.h"
#include "intake_client.h"

namespace gavah::cli {

class ReviewClient {
 public:
  // Talks to the bundle's server endpoints, in order, over TLS pinned to each one's certificate.
  // `bundle` and `key` must outlive the client.
  ReviewClient(const RecipientBundle& bundle, const InvestigatorSecretKey& key,
               transport::SendOptions options);

  Result<gavah::v1::ListEnvelopesResponse> List(uint64_t after);
  // Stored envelopes not in the log yet, in id order after `after`.
  Result<gavah::v1::ListEnvelopesResponse> ListPending(const std::optional<Digest32>& after);
  // Streams the envelope's bytes from `offset` to `each`.
  Status Fetch(const Digest32& id, uint64_t offset,
               const std::function<Status(std::span<const uint8_t>)>& each);
  Result<uint64_t> PostReply(const Digest32& mailbox, std::span<const uint8_t> sealed);
  Status PostShare(const Fingerprint& to, std::span<const uint8_t> sealed);
  Result<gavah::v1::FetchSharesResponse> FetchShares(uint64_t after);
  Result<gavah::v1::MarkForDeletionResponse> MarkForDeletion(const Digest32& id);
  // Agrees to delete every envelope in `ids` (at most 1000) in one call, all or nothing.
  Result<gavah::v1::PurgeEnvelopesResponse> Purge(std::span<const Digest32> ids);
  // The SHA-256 of the pinned certificate of the server that answered the last call: what that
  // server's deletion statements must name.
  const Digest32& server() const { return server_; }

 private:
  // Signs `request` for `method` at the server `Each` is calling into `ctx`'s metadata.
  void Sign(grpc::ClientContext& ctx, std::string_view method,
            const google::protobuf::Message& request) const;
  // Runs `call` against each endpoint in turn until one answers.
  Status Each(const std::function<grpc::Status(gavah::v1::Review::Stub&)>& call);
  Digest32 server_{};  // SHA-256 of the pinned certificate of the endpoint being called

  const RecipientBundle& bundle_;
  const InvestigatorSecretKey& key_;
  transport::SendOptions options_;
  // One channel per endpoint for the client's life: a sync of 10,000 envelopes makes 10,000
  // calls, and a TLS handshake for each would cost more than the calls.
  std::vector<std::unique_ptr<gavah::v1::Review::Stub>> stubs_;
};

}  // namespace gavah::cli
