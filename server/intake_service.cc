#include "intake_service.h"

#include <sodium.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <thread>

#include "gavah/crypto/envelope.h"
#include "gavah/crypto/io.h"

namespace gavah::server {
namespace {

constexpr size_t kMaxChunk = 1 << 20;
// Cover submissions imitate small envelopes only.
constexpr uint64_t kMaxCover = 1 << 20;
// The smallest possible envelope: a 1-of-1 header and one padded chunk.
constexpr uint64_t kMinEnvelope = kFixedHeaderSize + kStanzaSize + 32 + 4096 + 17;

grpc::Status Bad(const std::string& m) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, m);
}

// Stores an upload's messages on a thread of its own, so that receiving and hashing the next
// message overlaps storing this one. Holds at most one message besides the one being stored.
class ChunkWriter {
 public:
  ChunkWriter(EnvelopeStore* store, const Digest32& id)
      : store_(store), id_(id), thread_([this] { Run(); }) {}
  ~ChunkWriter() { (void)Close(); }
  ChunkWriter(const ChunkWriter&) = delete;
  ChunkWriter& operator=(const ChunkWriter&) = delete;

  // Queues `data` to be appended; answers the first storing error so far.
  Status Put(std::string data) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !full_ || !error_.ok(); });
    if (!error_.ok()) return error_;
    slot_ = std::move(data);
    full_ = true;
    cv_.notify_all();
    return Status::Ok();
  }
  // Waits until everything queued is stored (or storing failed); answers the first error.
  Status Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    return error_;
  }

 private:
  void Run() {
    for (;;) {
      std::string data;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return full_ || closing_; });
        if (!full_) return;
        data = std::move(slot_);
        full_ = false;
      }
      cv_.notify_all();
      const Status st = store_->AppendChunk(
          id_, {reinterpret_cast<const uint8_t*>(data.data()), data.size()}, CurrentHour());
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        error_ = st;
        cv_.notify_all();
        return;
      }
    }
  }

  EnvelopeStore* store_;
  const Digest32 id_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string slot_;      // guarded by mu_
  bool full_ = false;     // guarded by mu_
  bool closing_ = false;  // guarded by mu_
  Status error_;          // guarded by mu_; read by Close() after the join
  std::thread thread_;    // last: starts once the rest is built
};

grpc::Status FromStatus(const Status& st) {
  switch (st.code()) {
    case ErrorCode::kTooLarge:  // the store's own words: full disk, quota, too many uploads
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, st.message());
    case ErrorCode::kIo:
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "server storage failed; try again later");
    case ErrorCode::kInvalidArgument:  // the upload changed under this stream (reclaimed, raced)
    case ErrorCode::kTruncated:
    case ErrorCode::kAlreadyExists:
      return grpc::Status(grpc::StatusCode::ABORTED,
                          "upload state changed; ask its state and retry");
    default:
      return grpc::Status(grpc::StatusCode::INTERNAL, "server error");
  }
}

}  // namespace

std::optional<Digest32> IdFrom(const std::string& bytes) {
  if (bytes.size() != 32) return std::nullopt;
  Digest32 id{};
  std::memcpy(id.data(), bytes.data(), 32);
  return id;
}

void ToProto(const Receipt& r, gavah::v1::Receipt* out) {
  out->set_envelope_id(r.envelope_id.data(), r.envelope_id.size());
  out->set_log_index(r.log_index);
  out->set_received_hour(r.received_hour);
  out->set_signature(r.signature.data(), r.signature.size());
}

uint64_t CurrentHour() {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return static_cast<uint64_t>(now.count()) / 3600 * 3600;
}

grpc::Status IntakeService::CheckHeader(std::span<const uint8_t> start, uint64_t total,
                                        bool* complete) const {
  MemorySource src(start);
  auto h = ReadEnvelopeHeader(src);
  if (!h.ok()) {
    // Without `complete` the caller holds the whole envelope, so a short header is a bad one.
    if (complete != nullptr && h.status().code() == ErrorCode::kTruncated) return grpc::Status::OK;
    return Bad("not a Gavah envelope of a version this server knows");
  }
  if (complete != nullptr) *complete = true;
  const RecipientBundle* bundle = nullptr;
  for (const RecipientBundle* b : bundles_) {
    if (h->organisation_id == b->organisation_fingerprint()) bundle = b;
  }
  if (bundle == nullptr) return Bad("envelope is not for an organisation served here");
  if (h->envelope_size() != total) return Bad("envelope size does not match its header");
  const uint64_t org_max = bundle->contents().max_envelope_bytes;
  if (org_max != 0 && total > org_max) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "envelope is larger than its organisation accepts");
  }
  return grpc::Status::OK;
}

void IntakeService::Answer(const LogEntry& entry, gavah::v1::Receipt* out) const {
  ToProto(receipt_key_->Sign(entry.id, entry.log_index, entry.received_hour), out);
}

void IntakeService::Acknowledge(const LogEntry& entry, gavah::v1::SubmitResponse* response) const {
  if (receipt_key_ == nullptr) {
    response->set_queued(true);
  } else {
    Answer(entry, response->mutable_receipt());
  }
}

const RecipientBundle* IntakeService::BundleFor(const std::string& organisation_id) const {
  if (organisation_id.empty()) return bundles_.size() == 1 ? bundles_[0] : nullptr;
  for (const RecipientBundle* b : bundles_) {
    const auto& fp = b->organisation_fingerprint();
    if (organisation_id.size() == fp.size() &&
        std::memcmp(organisation_id.data(), fp.data(), fp.size()) == 0) {
      return b;
    }
  }
  return nullptr;
}

grpc::Status IntakeService::Admit(grpc::ServerContext* context) {
  if (!limiter_.limits_calls() || limiter_.AdmitCall(context->peer())) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      "too many calls on this connection; slow down");
}

grpc::Status IntakeService::GetBundle(grpc::ServerContext* context,
                                      const gavah::v1::GetBundleRequest* request,
                                      gavah::v1::GetBundleResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  // A server serves its one bundle whatever is asked; a relay picks by organisation.
  const RecipientBundle* b =
      bundles_.size() == 1 ? bundles_[0] : BundleFor(request->organisation_id());
  if (b == nullptr) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such organisation here");
  response->set_bundle(b->bytes().data(), b->bytes().size());
  return grpc::Status::OK;
}

grpc::Status IntakeService::Probe(grpc::ServerContext* context,
                                  const gavah::v1::ProbeRequest* request,
                                  gavah::v1::ProbeResponse*) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  if (request->padding().size() > (64u << 10)) return Bad("probe padding is at most 64 KiB");
  return grpc::Status::OK;
}

grpc::Status IntakeService::GetUploadState(grpc::ServerContext* context,
                                           const gavah::v1::UploadStateRequest* request,
                                           gavah::v1::UploadStateResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  const auto id = IdFrom(request->envelope_id());
  if (!id) return Bad("envelope id must be 32 bytes");
  auto st = store_->State(*id);
  if (!st.ok()) return FromStatus(st.status());
  response->set_stored(st->stored);
  response->set_received(st->stored ? st->total_size : st->received);
  return grpc::Status::OK;
}

grpc::Status IntakeService::GetReceipt(grpc::ServerContext* context,
                                       const gavah::v1::ReceiptRequest* request,
                                       gavah::v1::ReceiptResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  const auto id = IdFrom(request->envelope_id());
  if (!id) return Bad("envelope id must be 32 bytes");
  auto r = store_->FindEntry(*id);
  if (!r.ok()) return FromStatus(r.status());
  if (!r->has_value()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such envelope");
  Answer(**r, response->mutable_receipt());
  return grpc::Status::OK;
}

grpc::Status IntakeService::FetchReplies(grpc::ServerContext* context,
                                         const gavah::v1::FetchRepliesRequest* request,
                                         gavah::v1::FetchRepliesResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  const auto mailbox = IdFrom(request->mailbox_id());
  if (!mailbox) return Bad("mailbox id must be 32 bytes");
  constexpr size_t kRepliesPerAnswer = 16;  // 16 x 64 KiB stays well under a gRPC message
  bool more = false;
  auto replies = store_->FetchReplies(*mailbox, request->after(), kRepliesPerAnswer, &more);
  if (!replies.ok()) return FromStatus(replies.status());
  for (const auto& r : *replies) {
    auto* out = response->add_replies();
    out->set_seq(r.seq);
    out->set_sealed(r.sealed.data(), r.sealed.size());
  }
  response->set_more(more);
  return grpc::Status::OK;
}

grpc::Status IntakeService::Submit(grpc::ServerContext* context,
                                   grpc::ServerReader<gavah::v1::SubmitChunk>* reader,
                                   gavah::v1::SubmitResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  // Watched from the first read on: a peer that opens streams and sends nothing must not hold
  // the threads that serve everyone else.
  // The first message may carry a whole envelope of up to 1 MiB: four idle periods for it
  // (4 KiB/s with the relay's 60 s, far slower with the server's 300 s).
  StreamWatchdog::Watch watch(&watchdog_, context,
                              std::chrono::seconds(3 * limits_.stream_idle_seconds));
  gavah::v1::SubmitChunk first;
  if (!reader->Read(&first)) return Bad("empty upload");
  watch.Touch();
  if (limiter_.limits_bytes()) limiter_.ThrottleBytes(context->peer(), first.data().size());
  if (first.kind() == gavah::v1::SubmitChunk::COVER) return DropCover(first, reader, response);
  const auto id = IdFrom(first.envelope_id());
  if (!id) return Bad("envelope id must be 32 bytes");
  const uint64_t total = first.total_size();
  const uint64_t offset = first.offset();
  if (total < kMinEnvelope) return Bad("envelope is too small to be one");
  if (limits_.max_envelope_bytes != 0 && total > limits_.max_envelope_bytes) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "envelope is larger than this server accepts");
  }
  if (offset > total) return Bad("offset is past the end");
  if (first.data().size() > kMaxChunk) return Bad("a message carries at most 1 MiB");

  if (AnswerKnown(*id, response)) return grpc::Status::OK;
  auto existing = store_->FindEntry(*id);
  if (!existing.ok()) return FromStatus(existing.status());
  if (existing->has_value()) {  // idempotent: the same bytes get the same receipt
    Acknowledge(**existing, response);
    return grpc::Status::OK;
  }
  if (offset == 0 && first.data().size() == total) {
    // The whole envelope in one message: check it in memory and let it share a commit.
    gavah::v1::SubmitChunk extra;
    if (reader->Read(&extra)) return Bad("more data than the size announced");
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(first.data().data()),
                                         total);
    if (grpc::Status header = CheckHeader(bytes, total, nullptr); !header.ok()) return header;
    if (Sha256Of(bytes) != *id) return Bad("envelope id does not match its bytes");
    if (!Claim(*id, context)) {
      return grpc::Status(grpc::StatusCode::ABORTED,
                          "this envelope is being uploaded already; retry later");
    }
    watch.Touch();  // waiting for another stream or for the throttle is not idleness
    auto entry = committer_.Store(*id, bytes, CurrentHour());
    Release(*id);
    if (!entry.ok()) return FromStatus(entry.status());
    ++stored_count_;
    Acknowledge(entry.value(), response);
    return grpc::Status::OK;
  }
  if (!Claim(*id, context)) {
    return grpc::Status(grpc::StatusCode::ABORTED,
                        "this envelope is being uploaded already; retry later");
  }
  watch.Touch();
  grpc::Status result;
  result =
      ReceiveUpload(*id, total, offset, first.data(), reader, response, watch, context->peer());
  Release(*id);
  return result;
}

bool IntakeService::Claim(const Digest32& id, grpc::ServerContext* context) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::unique_lock<std::mutex> lock(active_mu_);
  for (;;) {
    const auto it = active_.find(id);
    if (it == active_.end()) break;
    it->second->TryCancel();  // its stream ends; what it stored stays for resuming
    if (active_cv_.wait_until(lock, deadline) == std::cv_status::timeout) return false;
  }
  active_.emplace(id, context);
  return true;
}

void IntakeService::Release(const Digest32& id) {
  {
    std::lock_guard<std::mutex> lock(active_mu_);
    active_.erase(id);
  }
  active_cv_.notify_all();
}

grpc::Status IntakeService::ReceiveUpload(const Digest32& id, uint64_t total, uint64_t offset,
                                          const std::string& first_data,
                                          grpc::ServerReader<gavah::v1::SubmitChunk>* reader,
                                          gavah::v1::SubmitResponse* response,
                                          StreamWatchdog::Watch& watch, const std::string& peer) {
  if (offset == 0) {
    // Nothing is reserved for an upload until its whole header is in hand and fits its size,
    // so empty streams with made-up sizes cannot fill the quota.
    bool complete = false;
    grpc::Status header = CheckHeader(
        {reinterpret_cast<const uint8_t*>(first_data.data()), first_data.size()}, total, &complete);
    if (!header.ok()) return header;
    if (!complete) return Bad("the first message must carry the whole envelope header");
  }
  const Status begun = store_->BeginUpload(id, total, offset, CurrentHour(), limits_.quota_bytes,
                                           limits_.max_unfinished_uploads);
  if (begun.code() == ErrorCode::kTooLarge) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, begun.message());
  }
  if (begun.code() == ErrorCode::kAlreadyExists) {  // completed by another stream meanwhile
    auto r = store_->FindEntry(id);
    if (!r.ok() || !r->has_value())
      return FromStatus(r.ok() ? Error(ErrorCode::kIo, "race") : r.status());
    Acknowledge(**r, response);
    return grpc::Status::OK;
  }
  if (!begun.ok()) {
    if (begun.code() == ErrorCode::kInvalidArgument) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, begun.message());
    }
    return FromStatus(begun);
  }
  // The id is the SHA-256 of every byte; bytes held from an earlier attempt are hashed again.
  Sha256 sha;
  std::vector<uint8_t> head;  // the envelope header, checked as soon as it is whole
  bool header_checked = false;
  const size_t max_header = kFixedHeaderSize + 255 * kStanzaSize + 32;
  auto absorb = [&](std::span<const uint8_t> bytes) -> grpc::Status {
    sha.Update(bytes);
    if (!header_checked) {
      const size_t take = std::min(bytes.size(), max_header - head.size());
      head.insert(head.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
      return CheckHeader(head, total, &header_checked);
    }
    return grpc::Status::OK;
  };
  if (offset > 0) {
    grpc::Status replay;
    const Status read = store_->ReadUpload(id, [&](std::span<const uint8_t> b) {
      replay = absorb(b);
      return replay.ok() ? Status::Ok() : Error(ErrorCode::kMalformed, "bad");
    });
    if (!replay.ok()) {
      (void)store_->DropUpload(id);
      return replay;
    }
    if (!read.ok()) return FromStatus(read);
  }
  uint64_t received = offset;  // accepted: checked, hashed and handed to the writer
  ChunkWriter writer(store_, id);
  auto take = [&](std::string data) -> grpc::Status {
    if (data.empty()) return grpc::Status::OK;
    if (data.size() > kMaxChunk) return Bad("a message carries at most 1 MiB");
    if (data.size() > total - received) return Bad("more data than the size announced");
    grpc::Status checked = absorb({reinterpret_cast<const uint8_t*>(data.data()), data.size()});
    if (!checked.ok()) {
      (void)writer.Close();
      (void)store_->DropUpload(id);
      return checked;
    }
    received += data.size();
    const Status st = writer.Put(std::move(data));
    if (!st.ok()) return FromStatus(st);
    return grpc::Status::OK;
  };
  {
    grpc::Status st = take(first_data);
    if (!st.ok()) return st;
    gavah::v1::SubmitChunk msg;
    while (received < total && reader->Read(&msg)) {
      if (!msg.envelope_id().empty() || msg.total_size() != 0 || msg.offset() != 0) {
        return Bad("only the first message names the envelope");
      }
      const bool moved = !msg.data().empty();
      if (limiter_.limits_bytes()) limiter_.ThrottleBytes(peer, msg.data().size());
      st = take(std::move(*msg.mutable_data()));
      if (!st.ok()) return st;
      if (moved) watch.Touch();
    }
  }
  // Every accepted byte is committed before the stream is answered or the envelope completed.
  if (const Status stored = writer.Close(); !stored.ok()) return FromStatus(stored);
  if (received < total) {
    return grpc::Status(grpc::StatusCode::ABORTED,
                        "upload incomplete; resume from " + std::to_string(received));
  }
  gavah::v1::SubmitChunk extra;
  if (reader->Read(&extra)) return Bad("more data than the size announced");
  if (!header_checked) {  // a header announcing more than the envelope holds never completes
    (void)store_->DropUpload(id);
    return Bad("envelope header is incomplete or inconsistent with its size");
  }
  if (sha.Final() != id) {
    (void)store_->DropUpload(id);
    return Bad("envelope id does not match its bytes");
  }
  auto entry = store_->Complete(id, CurrentHour());
  if (!entry.ok()) return FromStatus(entry.status());
  ++stored_count_;
  Acknowledge(entry.value(), response);
  return grpc::Status::OK;
}

grpc::Status IntakeService::DropCover(const gavah::v1::SubmitChunk& first,
                                      grpc::ServerReader<gavah::v1::SubmitChunk>* reader,
                                      gavah::v1::SubmitResponse* response) {
  // Cover looks like a small envelope on the wire: one message of a padded size. Nothing of it
  // is stored or decrypted; the answer has a receipt's shape and length.
  if (first.total_size() > kMaxCover || first.data().size() != first.total_size() ||
      first.envelope_id().size() != 32 || first.offset() != 0) {
    return Bad("malformed cover submission");
  }
  gavah::v1::SubmitChunk extra;
  if (reader->Read(&extra)) return Bad("more data than the size announced");
  // Answered after a durable commit, with the index the next envelope gets, so neither the
  // answer's timing nor its length sets cover apart from a real envelope.
  auto next = committer_.WaitForCommit(first.total_size());
  if (!next.ok()) return FromStatus(next.status());
  uint8_t filler[64];
  randombytes_buf(filler, sizeof filler);
  auto* r = response->mutable_receipt();
  r->set_envelope_id(first.envelope_id());
  r->set_log_index(next.value());
  r->set_received_hour(CurrentHour());
  r->set_signature(filler, sizeof filler);
  return grpc::Status::OK;
}

bool ConnectionLimiter::AdmitCall(const std::string& peer) {
  if (calls_ == 0) return true;
  std::lock_guard<std::mutex> lock(mu_);
  // Full of connections active within the minute: a flood; new ones wait their turn.
  if (!Track(peer)) return false;
  Bucket& b = Refill(peer);
  if (b.calls < 1) return false;
  b.calls -= 1;
  return true;
}

void ConnectionLimiter::ThrottleBytes(const std::string& peer, uint64_t n) {
  if (bytes_ == 0 || n == 0) return;
  double wait_seconds = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!Track(peer)) {
      wait_seconds = 10;  // untracked in a flood: as slow as the slowest tracked one
    } else {
      Bucket& b = Refill(peer);
      // May go negative: the debt is paid by waiting, at most 10 s of it at a time.
      b.bytes = std::max(b.bytes - static_cast<double>(n), -10.0 * static_cast<double>(bytes_));
      if (b.bytes < 0) wait_seconds = std::min(10.0, -b.bytes / static_cast<double>(bytes_));
    }
  }
  if (wait_seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(wait_seconds));
}

bool ConnectionLimiter::Track(const std::string& peer) {
  if (buckets_.size() < kMaxConnections || buckets_.count(peer)) return true;
  // Forget connections idle for a minute, at most once a second: sweeping on every call would
  // let a flood of connections spend the CPU under this lock.
  const auto now = std::chrono::steady_clock::now();
  if (now - last_sweep_ < std::chrono::seconds(1)) return false;
  last_sweep_ = now;
  std::erase_if(buckets_,
                [&](const auto& kv) { return now - kv.second.last > std::chrono::seconds(60); });
  return buckets_.size() < kMaxConnections;
}

ConnectionLimiter::Bucket& ConnectionLimiter::Refill(const std::string& peer) {
  const auto now = std::chrono::steady_clock::now();
  auto [it, fresh] = buckets_.try_emplace(peer);
  Bucket& b = it->second;
  // Bursts of two seconds' worth are allowed, so a witness's few calls never wait.
  const double calls_cap = 2.0 * static_cast<double>(calls_);
  const double bytes_cap = 2.0 * static_cast<double>(bytes_);
  if (fresh) {
    b.calls = calls_cap;
    b.bytes = bytes_cap;
  } else {
    const double dt = std::chrono::duration<double>(now - b.last).count();
    b.calls = std::min(calls_cap, b.calls + dt * static_cast<double>(calls_));
    b.bytes = std::min(bytes_cap, b.bytes + dt * static_cast<double>(bytes_));
  }
  b.last = now;
  return b;
}

}  // namespace gavah::server
