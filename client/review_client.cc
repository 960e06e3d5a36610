#include "review_client.h"

#include <sodium.h>

#include "cli_support.h"
#include "gavah/crypto/deletion.h"
#include "gavah/crypto/review_auth.h"

namespace gavah::cli {

ReviewClient::ReviewClient(const RecipientBundle& bundle, const InvestigatorSecretKey& key,
                           transport::SendOptions options)
    : bundle_(bundle), key_(key), options_(std::move(options)) {}

void ReviewClient::Sign(grpc::ClientContext& ctx, std::string_view method,
                        const google::protobuf::Message& request) const {
  const std::string body = request.SerializeAsString();
  std::array<uint8_t, 16> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  const auto token = SignReviewCall(key_, server_, method,
                                    {reinterpret_cast<const uint8_t*>(body.data()), body.size()},
                                    NowUnix(), nonce);
  ctx.AddMetadata("gavah-auth-bin",
                  std::string(reinterpret_cast<const char*>(token.data()), token.size()));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
}

Status ReviewClient::Each(const std::function<grpc::Status(gavah::v1::Review::Stub&)>& call) {
  std::string errors;
  bool any = false;
  const auto& endpoints = bundle_.contents().endpoints;
  if (stubs_.size() != endpoints.size()) stubs_.resize(endpoints.size());
  for (size_t i = 0; i < endpoints.size(); ++i) {
    const auto& e = endpoints[i];
    if (e.role != BundleEndpoint::Role::kServer) continue;
    any = true;
    if (!stubs_[i]) stubs_[i] = gavah::v1::Review::NewStub(transport::MakeChannel(e, options_));
    auto& stub = stubs_[i];
    server_ = Sha256Of({reinterpret_cast<const uint8_t*>(e.tls_certificate_pem.data()),
                        e.tls_certificate_pem.size()});
    const grpc::Status st = call(*stub);
    if (st.ok()) return Status::Ok();
    if (st.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
        st.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
      return Error(ErrorCode::kBadSignature,
                   e.address + " refused this key: " + transport::Describe(st));
    }
    if (st.error_code() == grpc::StatusCode::NOT_FOUND ||
        st.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      return Error(ErrorCode::kInvalidArgument, e.address + ": " + transport::Describe(st));
    }
    errors += (errors.empty() ? "" : "; ") + e.address + ": " + transport::Describe(st);
  }
  if (!any) return Error(ErrorCode::kInvalidArgument, "the bundle lists no server");
  return Error(ErrorCode::kIo, errors);
}

Result<gavah::v1::ListEnvelopesResponse> ReviewClient::List(uint64_t after) {
  gavah::v1::ListEnvelopesRequest req;
  req.set_after(after);
  gavah::v1::ListEnvelopesResponse resp;
  GAVAH_RETURN_IF_ERROR(Each([&](gavah::v1::Review::Stub& stub) {
    resp.Clear();
    grpc::ClientContext ctx;
    Sign(ctx, "/gavah.v1.Review/ListEnvelopes", req);
    return stub.ListEnvelopes(&ctx, req, &resp);
  }));
  return resp;
}

Result<gavah::v1::ListEnvelopesResponse> ReviewClient::ListPending(
    const std::optional<Digest32>& after) {
  gavah::v1::ListEnvelopesRequest req;
  req.set_pending(true);
  if (after) req.set_pending_after(after->data(), after->size());
  gavah::v1::ListEnvelopesResponse resp;
  GAVAH_RETURN_IF_ERROR(Each([&](gavah::v1::Review::Stub& stub) {
    resp.Clear();
    grpc::ClientContext ctx;
    Sign(ctx, "/gavah.v1.Review/ListEnvelopes", req);
    return stub.ListEnvelopes(&ctx, req, &resp);
  }));
  return resp;
}

Status ReviewClient::Fetch(const Digest32& id, uint64_t offset,
                           const std::function<Status(std::span<const uint8_t>)>& each) {
  gavah::v1::FetchEnvelopeRequest req;
  req.set_envelope_id(id.data(), id.size());
  Status inner;
  uint64_t got = 0;
  GAVAH_RETURN_IF_ERROR(Each([&](gavah::v1::Review::Stub& stub) {
    req.set_offset(offset + got);  // a second endpoint goes on from what the first gave
    grpc::ClientContext ctx;
    Sign(ctx, "/gavah.v1.Review/FetchEnvelope", req);
    auto reader = stub.FetchEnvelope(&ctx, req);
    gavah::v1::EnvelopeChunk chunk;
    while (reader->Read(&chunk)) {
      inner = each({reinterpret_cast<const uint8_t*>(chunk.data().data()), chunk.data().size()});
      if (!inner.ok()) {
        ctx.TryCancel();
        break;
      }
      got += chunk.data().size();
    }
    const grpc::Status st = reader->Finish();
    return inner.ok() ? st : grpc::Status::OK;
  }));
  return inner;
}

Result<uint64_t> ReviewClient::PostReply(const Digest32& mailbox, std::span<const uint8_t> sealed) {
  gavah::v1::PostReplyRequest req;
  req.set_mailbox_id(mailbox.data(), mailbox.size());
  req.set_sealed(sealed.data(), sealed.size());
  gavah::v1::PostReplyResponse resp;
  GAVAH_RETURN_IF_ERROR(Each([&](gavah::v1::Review::Stub& stub) {
    grpc::ClientContext ctx;
    Sign(ctx, "/gavah.v1.Review/PostReply", req);
    return stub.PostReply(&ctx, req, &resp);
  }));
  return resp.seq();
}

Status ReviewClient::PostShare(const Fingerprint& to, std::span<const uint8_t> sealed) {
  gavah::v1::PostShareRequest req;
  req.set_to(to.data(), to.size());
  req.set_sealed(sealed.data(), sealed.size());
  gavah::v1::PostShareResponse resp;
  return Each([&](gavah::v1::Review::Stub& stub) {
    grpc::ClientContext ctx;
    Sign(ctx, "/gavah.v1.Review/PostShare", req);
    return stub.PostShare(&ctx, req, &resp);
  });
}

Result<gavah::v1::FetchSharesResponse> ReviewClient::FetchShares(uint64_t after) {
  gavah::v1::FetchSharesRequest req;
  req.set_after(after);
  gavah::v1::FetchSharesResponse resp;
  GAVAH_RETURN_IF_ERROR(Each([&](gavah::v1::Review::Stub& stub) {
    resp.Clear();
    grpc::ClientContext ctx;
    Sign(ctx, "/gavah.v1.Review/FetchShares", req);
    return stub.FetchShares(&ctx, req, &resp);
  }));
  return resp;
}

Result<gavah::v1::MarkForDeletionResponse> ReviewClient::MarkForDeletion(const Digest32& id) {
  gavah::v1::MarkForDeletionRequest req;
  req.set_envelope_id(id.data(), id.size());
  gavah::v1::MarkForDeletionResponse resp;
  GAVAH_RETURN_IF_ERROR(Each([&](gavah::v1::Review::Stub& stub) {
    // Signed for the server being called: a statement cannot be carried to another server.
    const auto statement = SignDeletion(key_, bundle_.organisation_fingerprint(), server_, id);
    req.set_statement(statement.data(), statement.size());
    grpc::ClientContext ctx;
    Sign(ctx, "/gavah.v1.Review/MarkForDeletion", req);
    return stub.MarkForDeletion(&ctx, req, &resp);
  }));
  return resp;
}

Result<gavah::v1::PurgeEnvelopesResponse> ReviewClient::Purge(std::span<const Digest32> ids) {
  gavah::v1::PurgeEnvelopesRequest req;
  gavah::v1::PurgeEnvelopesResponse resp;
  GAVAH_RETURN_IF_ERROR(Each([&](gavah::v1::Review::Stub& stub) {
    req.Clear();
    for (const auto& id : ids) {
      auto* m = req.add_marks();
      m->set_envelope_id(id.data(), id.size());
      const auto statement = SignDeletion(key_, bundle_.organisation_fingerprint(), server_, id);
      m->set_statement(statement.data(), statement.size());
    }
    resp.Clear();
    grpc::ClientContext ctx;
    Sign(ctx, "/gavah.v1.Review/PurgeEnvelopes", req);
    return stub.PurgeEnvelopes(&ctx, req, &resp);
  }));
  if (static_cast<size_t>(resp.results_size()) != ids.size())
    return Error(ErrorCode::kMalformed, "the server answered a purge with the wrong count");
  return resp;
}

}  // namespace gavah::cli
