// The intake API as a relay serves it: the same calls and checks as the server (a witness needs
// no special mode), acknowledging with `queued` once an envelope is durable in the queue, and
// answering receipts and replies from what the forwarder brought back.
#pragma once

#include "forwarder.h"
#include "intake_service.h"
#include "relay_book.h"

namespace gavah::relay {

class RelayIntakeService final : public server::IntakeService {
 public:
  // Pointers are not owned and outlive the service.
  RelayIntakeService(server::EnvelopeStore* queue, RelayBook* book, Forwarder* forwarder,
                     std::vector<const RecipientBundle*> organisations, server::IntakeLimits limits)
      : IntakeService(queue, nullptr, std::move(organisations), limits),
        book_(book),
        forwarder_(forwarder) {}

  void Accepted(const gavah::v1::SubmitResponse& response) override;
  grpc::Status GetUploadState(grpc::ServerContextBase* context,
                              const gavah::v1::UploadStateRequest* request,
                              gavah::v1::UploadStateResponse* response) override;
  grpc::Status GetReceipt(grpc::ServerContextBase* context,
                          const gavah::v1::ReceiptRequest* request,
                          gavah::v1::ReceiptResponse* response) override;
  grpc::Status GetLog(grpc::ServerContextBase* context, const gavah::v1::GetLogRequest* request,
                      gavah::v1::GetLogResponse* response) override;
  grpc::Status GetLogConsistency(grpc::ServerContextBase* context,
                                 const gavah::v1::LogConsistencyRequest* request,
                                 gavah::v1::LogConsistencyResponse* response) override;
  grpc::Status FetchReplies(grpc::ServerContextBase* context,
                            const gavah::v1::FetchRepliesRequest* request,
                            gavah::v1::FetchRepliesResponse* response) override;

 protected:
  bool AnswerKnown(const Digest32& id, gavah::v1::SubmitResponse* response) override;

 private:
  RelayBook* book_;
  Forwarder* forwarder_;
};

}  // namespace gavah::relay
