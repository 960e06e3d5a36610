#include "relay_service.h"

#include <cstring>

#include "sqlite_stmt.h"

namespace gavah::relay {
namespace {

using server::IdFrom;
using server::ToProto;

grpc::Status Unavailable() {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "relay storage failed; try again later");
}

}  // namespace

void RelayIntakeService::Accepted(const gavah::v1::SubmitResponse& response) {
  if (response.queued()) forwarder_->Nudge();
}

bool RelayIntakeService::AnswerKnown(const Digest32& id, gavah::v1::SubmitResponse* response) {
  // Forwarded already: the witness gets the server's receipt instead of sending it again.
  auto r = book_->FindForwarded(id);
  if (!r.ok() || !r->has_value()) return false;
  ToProto(**r, response->mutable_receipt());
  return true;
}

grpc::Status RelayIntakeService::GetUploadState(grpc::ServerContextBase* context,
                                                const gavah::v1::UploadStateRequest* request,
                                                gavah::v1::UploadStateResponse* response) {
  grpc::Status st = IntakeService::GetUploadState(context, request, response);
  if (!st.ok() || response->stored()) return st;
  const auto id = IdFrom(request->envelope_id());
  auto r = book_->FindForwarded(*id);
  if (!r.ok()) return Unavailable();
  if (r->has_value()) {
    response->set_stored(true);
    response->set_received(0);
  }
  return grpc::Status::OK;
}

grpc::Status RelayIntakeService::GetReceipt(grpc::ServerContextBase* context,
                                            const gavah::v1::ReceiptRequest* request,
                                            gavah::v1::ReceiptResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  const auto id = IdFrom(request->envelope_id());
  if (!id) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "envelope id must be 32 bytes");
  // The queue first: an envelope leaves it in the transaction that records its receipt, so
  // asking in this order never misses one that moves in between.
  auto queued = store()->FindEntry(*id);
  if (!queued.ok()) return Unavailable();
  if (queued->has_value()) {
    response->set_queued(true);
    return grpc::Status::OK;
  }
  auto forwarded = book_->FindForwarded(*id);
  if (!forwarded.ok()) return Unavailable();
  if (forwarded->has_value()) {
    ToProto(**forwarded, response->mutable_receipt());
    auto proof = book_->ForwardedProof(*id);
    if (!proof.ok()) return Unavailable();
    response->set_proof(*proof);
    return grpc::Status::OK;
  }
  return grpc::Status(grpc::StatusCode::NOT_FOUND, "this relay holds no such envelope");
}

grpc::Status RelayIntakeService::GetLog(grpc::ServerContextBase* context,
                                        const gavah::v1::GetLogRequest* request,
                                        gavah::v1::GetLogResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  const RecipientBundle* org = BundleFor(request->organisation_id());
  if (org == nullptr)
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "name an organisation this relay serves (organisation_id)");
  if (request->path().size() > 64)
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "a log path is at most 64 bytes");
  auto data = forwarder_->ReadLog(org->organisation_fingerprint(), request->path());
  if (!data.ok()) {
    if (data.status().code() == ErrorCode::kInvalidArgument)
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "the served log has no such path");
    return Unavailable();
  }
  response->set_data(data->data(), data->size());
  return grpc::Status::OK;
}

grpc::Status RelayIntakeService::GetLogConsistency(grpc::ServerContextBase* context,
                                                   const gavah::v1::LogConsistencyRequest* request,
                                                   gavah::v1::LogConsistencyResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  const RecipientBundle* org = BundleFor(request->organisation_id());
  if (org == nullptr)
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "name an organisation this relay serves (organisation_id)");
  auto proof = forwarder_->LogConsistency(org->organisation_fingerprint(), request->old_size(),
                                          request->new_size());
  if (!proof.ok()) {
    if (proof.status().code() == ErrorCode::kInvalidArgument)
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "no consistency proof between those sizes of the served log");
    return Unavailable();
  }
  for (const auto& h : *proof) response->add_proof(h.data(), h.size());
  return grpc::Status::OK;
}

grpc::Status RelayIntakeService::FetchReplies(grpc::ServerContextBase* context,
                                              const gavah::v1::FetchRepliesRequest* request,
                                              gavah::v1::FetchRepliesResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  const auto mailbox = IdFrom(request->mailbox_id());
  if (!mailbox)
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "mailbox id must be 32 bytes");
  const RecipientBundle* org = BundleFor(request->organisation_id());
  if (org == nullptr) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "name an organisation this relay serves (organisation_id)");
  }
  if (request->after() > sql::kMaxSqlInteger) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "after is out of range");
  }
  if (!forwarder_->Replies(org->organisation_fingerprint(), *mailbox, request->after(),
                           context->peer(), response))
    response->set_pending(true);
  return grpc::Status::OK;
}

}  // namespace gavah::relay
