#include "intake_endpoint.h"

#include <deque>
#include <mutex>

#include "gavah/crypto/pow.h"
#include "intake_status.h"

namespace gavah::server {

grpc::Status Busy() { return grpc::Status(grpc::StatusCode::UNAVAILABLE, kBusyText); }

template <typename Call>
grpc::ServerUnaryReactor* IntakeEndpoint::Offload(grpc::CallbackServerContext* context, Call call) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!pool_->Post([reactor, call] { reactor->Finish(call()); })) {
    service_->admission().Pressure();
    reactor->Finish(Busy());
  }
  return reactor;
}

grpc::ServerUnaryReactor* IntakeEndpoint::GetAdmission(grpc::CallbackServerContext* context,
                                                       const gavah::v1::AdmissionRequest* request,
                                                       gavah::v1::AdmissionResponse* response) {
  // Answered at once, never queued: under load it is the call that lets witnesses in.
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(service_->GetAdmission(context, request, response));
  return reactor;
}

grpc::ServerUnaryReactor* IntakeEndpoint::GetBundle(grpc::CallbackServerContext* context,
                                                    const gavah::v1::GetBundleRequest* request,
                                                    gavah::v1::GetBundleResponse* response) {
  return Offload(context, [=, this] { return service_->GetBundle(context, request, response); });
}

grpc::ServerUnaryReactor* IntakeEndpoint::GetUploadState(
    grpc::CallbackServerContext* context, const gavah::v1::UploadStateRequest* request,
    gavah::v1::UploadStateResponse* response) {
  return Offload(context,
                 [=, this] { return service_->GetUploadState(context, request, response); });
}

grpc::ServerUnaryReactor* IntakeEndpoint::GetReceipt(grpc::CallbackServerContext* context,
                                                     const gavah::v1::ReceiptRequest* request,
                                                     gavah::v1::ReceiptResponse* response) {
  return Offload(context, [=, this] { return service_->GetReceipt(context, request, response); });
}

grpc::ServerUnaryReactor* IntakeEndpoint::GetLog(grpc::CallbackServerContext* context,
                                                 const gavah::v1::GetLogRequest* request,
                                                 gavah::v1::GetLogResponse* response) {
  return Offload(context, [=, this] { return service_->GetLog(context, request, response); });
}

grpc::ServerUnaryReactor* IntakeEndpoint::GetLogConsistency(
    grpc::CallbackServerContext* context, const gavah::v1::LogConsistencyRequest* request,
    gavah::v1::LogConsistencyResponse* response) {
  return Offload(context,
                 [=, this] { return service_->GetLogConsistency(context, request, response); });
}

grpc::ServerUnaryReactor* IntakeEndpoint::Probe(grpc::CallbackServerContext* context,
                                                const gavah::v1::ProbeRequest* request,
                                                gavah::v1::ProbeResponse* response) {
  return Offload(context, [=, this] { return service_->Probe(context, request, response); });
}

grpc::ServerUnaryReactor* IntakeEndpoint::FetchReplies(
    grpc::CallbackServerContext* context, const gavah::v1::FetchRepliesRequest* request,
    gavah::v1::FetchRepliesResponse* response) {
  return Offload(context, [=, this] { return service_->FetchReplies(context, request, response); });
}

namespace {

// One Submit stream. gRPC calls the On* reactions; the upload's work runs on the pool, one job
// at a time per stream, in message order. While a job works on one message the next is read,
// so receiving overlaps storing; no more than two messages are held. The reactor deletes
// itself once gRPC is done with it and no job or delayed read refers to it.
class SubmitReactor final : public grpc::ServerReadReactor<gavah::v1::SubmitChunk> {
 public:
  static constexpr size_t kReadAhead = 1 << 20;

  SubmitReactor(IntakeEndpoint* endpoint, grpc::CallbackServerContext* context,
                gavah::v1::SubmitResponse* response)
      : pool_(endpoint->pool()),
        admission_(&endpoint->service()->admission()),
        response_(response),
        upload_(endpoint->service(), context),
        watch_(&endpoint->service()->watchdog(), context) {
    std::lock_guard<std::mutex> lock(mu_);
    Pump();
  }

  void OnReadDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    reading_ = false;
    if (ok) {
      watch_.Arrived(next_.data().size());
      if (!seen_first_) {
        // Under load the pool serves streams in order of the work they proved per MiB. A claim
        // is checked here (one hash), so a forged one cannot jump the queue.
        seen_first_ = true;
        const auto id = IdFrom(next_.envelope_id());
        if (id)
          priority_ =
              admission_->Proven(next_, *id, next_.total_size()) / PowUnits(next_.total_size());
      }
      queued_bytes_ += next_.data().size();
      queue_.push_back(std::move(next_));
      next_.Clear();
    } else {
      ended_ = true;  // the peer half-closed, or the call was cancelled
    }
    Pump();
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    Pump();
  }

  void OnDone() override {
    bool last = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      last = refs_ == 0;
    }
    if (last) delete this;
  }

 private:
  // Starts whatever can start now: a job for queued messages or the end, and the next read.
  // Called with mu_ held; StartRead and Finish are called with it held too, so that no read is
  // ever started after Finish (gRPC runs reactions on its own threads, never inside them).
  void Pump() {
    if (finished_) return;
    if (!working_ && (!queue_.empty() || ended_ || cancelled_)) {
      if (pool_->Post([this] { Work(); }, priority_)) {
        working_ = true;
        ++refs_;
      } else {
        admission_->Pressure();
        FinishLocked(Busy());
        return;
      }
    }
    // Read ahead up to 1 MiB (or two messages), so that receiving goes on while the job
    // commits the last 1 MiB.
    if (!reading_ && !ended_ && !cancelled_ && !paused_ &&
        (queue_.size() + (working_ ? 1 : 0) < 2 || queued_bytes_ < kReadAhead)) {
      reading_ = true;
      watch_.Reading();
      StartRead(&next_);
    }
  }

  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!finished_) {
      if (cancelled_) {
        FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
        break;
      }
      if (queue_.empty()) {
        if (!ended_) break;
        lock.unlock();
        const grpc::Status st = upload_.End(response_);
        lock.lock();
        FinishLocked(st);
        break;
      }
      gavah::v1::SubmitChunk msg = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= msg.data().size();
      Pump();  // one message is out of the queue: the next may be read meanwhile
      lock.unlock();
      bool done = false;
      const grpc::Status st = upload_.Take(msg, response_, &done);
      lock.lock();
      if (!st.ok() || done) {
        FinishLocked(st);
        break;
      }
      if (upload_.throttle().count() > 0 && !paused_) {
        paused_ = true;
        ++refs_;
        pool_->PostAfter(upload_.throttle(), [this] {
          std::unique_lock<std::mutex> lock(mu_);
          paused_ = false;
          Pump();
          Release(lock);
        });
      }
    }
    working_ = false;
    Pump();
    Release(lock);
  }

  void FinishLocked(const grpc::Status& st) {
    if (finished_) return;
    finished_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    Finish(st);
  }

  // Drops the reference of a job or a delayed read, as the last thing it does; the reactor is
  // deleted once gRPC is done with it and nothing else refers to it.
  void Release(std::unique_lock<std::mutex>& lock) {
    --refs_;
    const bool last = done_ && refs_ == 0;
    lock.unlock();
    if (last) delete this;
  }

  WorkPool* const pool_;
  Admission* const admission_;
  gavah::v1::SubmitResponse* const response_;
  IntakeService::Upload upload_;
  StreamWatchdog::Watch watch_;
  std::mutex mu_;
  gavah::v1::SubmitChunk next_;               // the buffer the pending read fills
  std::deque<gavah::v1::SubmitChunk> queue_;  // guarded by mu_: read, not yet taken
  bool reading_ = false, working_ = false;    // guarded by mu_
  bool ended_ = false, cancelled_ = false;    // guarded by mu_
  bool paused_ = false, finished_ = false;    // guarded by mu_
  bool done_ = false;                         // guarded by mu_
  bool seen_first_ = false;                   // guarded by mu_
  uint64_t priority_ = 0;
  size_t queued_bytes_ =
      0;          // guarded by mu_: data bytes in queue_                     // guarded by mu_
  int refs_ = 0;  // guarded by mu_: jobs and delayed reads
};

}  // namespace

grpc::ServerReadReactor<gavah::v1::SubmitChunk>* IntakeEndpoint::Submit(
    grpc::CallbackServerContext* context, gavah::v1::SubmitResponse* response) {
  return new SubmitReactor(this, context, response);
}

}  // namespace gavah::server
