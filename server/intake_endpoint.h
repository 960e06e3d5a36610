// The intake service on gRPC's callback API. A call holds no thread while it waits for its peer:
// a silent or slow stream costs only its buffered messages, at most two of them. The blocking
// work of each call (the store, commits, hashing) runs on a work pool of its own, so intake
// floods cannot take the threads that serve investigators (the review service keeps gRPC's
// synchronous pool).
#pragma once

#include <grpcpp/grpcpp.h>

#include "gavah/v1/intake.grpc.pb.h"
#include "intake_service.h"
#include "work_pool.h"

namespace gavah::server {

class IntakeEndpoint final : public gavah::v1::Intake::CallbackService {
 public:
  // Neither pointer is owned; both outlive the endpoint (and the gRPC server it is in).
  IntakeEndpoint(IntakeService* service, WorkPool* pool) : service_(service), pool_(pool) {}

  grpc::ServerUnaryReactor* GetBundle(grpc::CallbackServerContext* context,
                                      const gavah::v1::GetBundleRequest* request,
                                      gavah::v1::GetBundleResponse* response) override;
  grpc::ServerUnaryReactor* GetUploadState(grpc::CallbackServerContext* context,
                                           const gavah::v1::UploadStateRequest* request,
                                           gavah::v1::UploadStateResponse* response) override;
  grpc::ServerUnaryReactor* GetReceipt(grpc::CallbackServerContext* context,
                                       const gavah::v1::ReceiptRequest* request,
                                       gavah::v1::ReceiptResponse* response) override;
  grpc::ServerUnaryReactor* Probe(grpc::CallbackServerContext* context,
                                  const gavah::v1::ProbeRequest* request,
                                  gavah::v1::ProbeResponse* response) override;
  grpc::ServerUnaryReactor* FetchReplies(grpc::CallbackServerContext* context,
                                         const gavah::v1::FetchRepliesRequest* request,
                                         gavah::v1::FetchRepliesResponse* response) override;
  grpc::ServerUnaryReactor* GetLog(grpc::CallbackServerContext* context,
                                   const gavah::v1::GetLogRequest* request,
                                   gavah::v1::GetLogResponse* response) override;
  grpc::ServerUnaryReactor* GetLogConsistency(grpc::CallbackServerContext* context,
                                              const gavah::v1::LogConsistencyRequest* request,
                                              gavah::v1::LogConsistencyResponse* response) override;
  grpc::ServerUnaryReactor* GetAdmission(grpc::CallbackServerContext* context,
                                         const gavah::v1::AdmissionRequest* request,
                                         gavah::v1::AdmissionResponse* response) override;
  grpc::ServerReadReactor<gavah::v1::SubmitChunk>* Submit(
      grpc::CallbackServerContext* context, gavah::v1::SubmitResponse* response) override;

  IntakeService* service() const { return service_; }
  WorkPool* pool() const { return pool_; }

 private:
  template <typename Call>
  grpc::ServerUnaryReactor* Offload(grpc::CallbackServerContext* context, Call call);

  IntakeService* service_;
  WorkPool* pool_;
};

// What a busy intake answers: the witness tool waits and tries again.
grpc::Status Busy();

}  // namespace gavah::server
