#include "intake_service.h"

#include <sodium.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <thread>

#include "gavah/crypto/envelope.h"
#include "gavah/crypto/io.h"
#include "sqlite_stmt.h"

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

// Appends are made 1 MiB at a time whatever the peer's message size, so small messages (which
// let the watchdog see a slow link's progress) cost no more transactions.
constexpr size_t kAppendBytes = 1 << 20;
// A cut-off upload holding less than this is dropped at once: resuming it would save its
// witness at most one message, and keeping it would let forged uploads pile up for a day.
constexpr uint64_t kKeepPartialBytes = 1 << 20;

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
  out->set_include_by(r.include_by);
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
  const uint64_t include_by =
      log_ != nullptr ? log_->IncludeBy(entry.received_hour) : entry.received_hour + 7200;
  ToProto(receipt_key_->Sign(entry.id, include_by, entry.received_hour), out);
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

grpc::Status IntakeService::Admit(grpc::ServerContextBase* context) {
  const std::string peer = context->peer();
  if (source_limiter_.limits_calls()) {
    const std::string source = SourceOf(peer);
    if (!source.empty() && !source_limiter_.AdmitCall(source)) {
      admission_.Pressure();
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "too many calls from this address; slow down");
    }
  }
  if (!limiter_.limits_calls() || limiter_.AdmitCall(peer)) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      "too many calls on this connection; slow down");
}

grpc::Status IntakeService::GetBundle(grpc::ServerContextBase* context,
                                      const gavah::v1::GetBundleRequest* request,
                                      gavah::v1::GetBundleResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  // A server serves its one bundle whatever is asked; a relay answers only for an organisation
  // it serves (or its only one, for an empty id), so it never hands out a bundle for another.
  const RecipientBundle* b =
      receipt_key_ != nullptr ? bundles_[0] : BundleFor(request->organisation_id());
  if (b == nullptr) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such organisation here");
  response->set_bundle(b->bytes().data(), b->bytes().size());
  return grpc::Status::OK;
}

grpc::Status IntakeService::Probe(grpc::ServerContextBase* context,
                                  const gavah::v1::ProbeRequest* request,
                                  gavah::v1::ProbeResponse*) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  if (request->padding().size() > (64u << 10)) return Bad("probe padding is at most 64 KiB");
  return grpc::Status::OK;
}

Status IntakeService::LoadWindow() { return window_.Load(store_, CurrentHour()); }

grpc::Status IntakeService::GetAdmission(grpc::ServerContextBase* context,
                                         const gavah::v1::AdmissionRequest*,
                                         gavah::v1::AdmissionResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  admission_.Describe(response);
  return grpc::Status::OK;
}

grpc::Status IntakeService::GetUploadState(grpc::ServerContextBase* context,
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

grpc::Status IntakeService::GetReceipt(grpc::ServerContextBase* context,
                                       const gavah::v1::ReceiptRequest* request,
                                       gavah::v1::ReceiptResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  const auto id = IdFrom(request->envelope_id());
  if (!id) return Bad("envelope id must be 32 bytes");
  auto r = store_->FindEntry(*id);
  if (!r.ok()) return FromStatus(r.status());
  if (!r->has_value()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such envelope");
  Answer(**r, response->mutable_receipt());
  if (log_ != nullptr) {
    auto proof = log_->ProofFor(*id);
    if (!proof.ok()) return FromStatus(proof.status());
    response->set_proof(*proof);
  }
  return grpc::Status::OK;
}

grpc::Status IntakeService::GetLog(grpc::ServerContextBase* context,
                                   const gavah::v1::GetLogRequest* request,
                                   gavah::v1::GetLogResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  if (log_ == nullptr) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no log here");
  if (request->path().size() > 64) return Bad("a log path is at most 64 bytes");
  auto data = log_->Read(request->path());
  if (!data.ok()) {
    if (data.status().code() == ErrorCode::kIo) return FromStatus(data.status());
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "the served log has no such path");
  }
  response->set_data(data->data(), data->size());
  return grpc::Status::OK;
}

grpc::Status IntakeService::GetLogConsistency(grpc::ServerContextBase* context,
                                              const gavah::v1::LogConsistencyRequest* request,
                                              gavah::v1::LogConsistencyResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  if (log_ == nullptr) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no log here");
  auto proof = log_->Consistency(request->old_size(), request->new_size());
  if (!proof.ok()) return Bad("no consistency proof between those sizes of the served log");
  for (const auto& h : *proof) response->add_proof(h.data(), h.size());
  return grpc::Status::OK;
}

grpc::Status IntakeService::FetchReplies(grpc::ServerContextBase* context,
                                         const gavah::v1::FetchRepliesRequest* request,
                                         gavah::v1::FetchRepliesResponse* response) {
  if (grpc::Status ok = Admit(context); !ok.ok()) return ok;
  const auto mailbox = IdFrom(request->mailbox_id());
  if (!mailbox) return Bad("mailbox id must be 32 bytes");
  if (request->after() > sql::kMaxSqlInteger) return Bad("after is out of range");
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

std::string SourceOf(const std::string& encoded) {
  // gRPC 1.51 writes the brackets of an IPv6 peer percent-encoded: "ipv6:%5B::1%5D:PORT".
  std::string peer = encoded;
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"%5B", "["},
                                 {"%5D", "]"},
                                 {"%5b", "["},
                                 {"%5d", "]"}}) {
    for (size_t at; (at = peer.find(from)) != std::string::npos;) peer.replace(at, 3, to);
  }
  const size_t colon = peer.rfind(':');
  std::string source = colon == std::string::npos ? peer : peer.substr(0, colon);
  if (source.rfind("ipv4:127.", 0) == 0 || source == "ipv6:[::1]" ||
      source.rfind("ipv6:[::ffff:127.", 0) == 0 || source.rfind("unix:", 0) == 0) {
    return "";
  }
  return source;
}

bool IntakeService::TakeSlot(const std::string& peer, grpc::ServerContextBase* context) {
  const std::string source = SourceOf(peer);
  std::unique_lock<std::mutex> lock(active_mu_);
  if (slots_per_peer_[peer] >= limits_.uploads_per_connection) return false;
  if (!source.empty() && slots_per_source_[source] >= limits_.uploads_per_source) return false;
  if (slots_ >= limits_.max_active_uploads) {
    const auto now = std::chrono::steady_clock::now();
    grpc::ServerContextBase* slowest = nullptr;
    double slowest_rate = 64.0 * 1024;
    for (const auto& [ctx, use] : slot_users_) {
      const double age = std::chrono::duration<double>(now - use.since).count();
      if (age < 5) continue;
      const double rate = static_cast<double>(use.bytes) / age;
      if (rate < slowest_rate) {
        slowest_rate = rate;
        slowest = ctx;
      }
    }
    if (slowest == nullptr) return false;
    slowest->TryCancel();        // what it stored stays for resuming
    slot_users_.erase(slowest);  // chosen once; its slot is given back when its stream ends
    if (!active_cv_.wait_for(lock, std::chrono::seconds(3),
                             [&] { return slots_ < limits_.max_active_uploads; })) {
      return false;
    }
  }
  ++slots_;
  ++slots_per_peer_[peer];
  if (!source.empty()) ++slots_per_source_[source];
  slot_users_[context] = SlotUse{std::chrono::steady_clock::now(), 0};
  return true;
}

void IntakeService::Moved(grpc::ServerContextBase* context, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(active_mu_);
  if (auto it = slot_users_.find(context); it != slot_users_.end()) it->second.bytes += bytes;
}

void IntakeService::GiveSlot(const std::string& peer, grpc::ServerContextBase* context) {
  const std::string source = SourceOf(peer);
  {
    std::lock_guard<std::mutex> lock(active_mu_);
    --slots_;
    slot_users_.erase(context);
    if (--slots_per_peer_[peer] == 0) slots_per_peer_.erase(peer);
    if (!source.empty() && --slots_per_source_[source] == 0) slots_per_source_.erase(source);
  }
  active_cv_.notify_all();
}

bool IntakeService::Claim(const Digest32& id, grpc::ServerContextBase* context) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
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

IntakeService::Upload::Upload(IntakeService* service, grpc::ServerContextBase* context)
    : svc_(service), ctx_(context), peer_(context->peer()) {}

IntakeService::Upload::~Upload() {
  if (began_ && phase_ != Phase::kOver) {
    // Cut off: what was accepted is kept for resuming, unless it is too little to be worth it.
    (void)Flush();
    auto held = svc_->store_->State(id_);
    if (held.ok() && !held->stored && held->received < kKeepPartialBytes) {
      (void)svc_->store_->DropUpload(id_);
    }
  }
  if (claimed_) svc_->Release(id_);
  if (slot_) svc_->GiveSlot(peer_, ctx_);
}

grpc::Status IntakeService::Upload::Fail(grpc::Status st) {
  pending_.clear();
  if (began_) (void)svc_->store_->DropUpload(id_);
  phase_ = Phase::kOver;
  return st;
}

grpc::Status IntakeService::Upload::Take(gavah::v1::SubmitChunk& msg,
                                         gavah::v1::SubmitResponse* response, bool* done) {
  *done = false;
  if (svc_->limiter_.limits_bytes())
    throttle_ = svc_->limiter_.ThrottleBytes(peer_, msg.data().size());
  switch (phase_) {
    case Phase::kFirst:
      return First(msg, response, done);
    case Phase::kData:
      if (!msg.envelope_id().empty() || msg.total_size() != 0 || msg.offset() != 0) {
        return Fail(Bad("only the first message names the envelope"));
      }
      return Data(std::move(*msg.mutable_data()));
    default:
      return Fail(Bad("more data than the size announced"));
  }
}

grpc::Status IntakeService::Upload::First(gavah::v1::SubmitChunk& first,
                                          gavah::v1::SubmitResponse* response, bool* done) {
  // A relay faces witnesses and rate-limits their submissions per connection and source. The
  // server does not: one relay forwards everything over one connection; upload slots, proof of
  // work and the storage window bound a flood there.
  if (svc_->receipt_key_ == nullptr) {
    if (grpc::Status ok = svc_->Admit(ctx_); !ok.ok()) return ok;
  }
  if (first.kind() == gavah::v1::SubmitChunk::COVER) {
    // Cover looks like a small envelope on the wire: one message of a padded size.
    if (first.total_size() > kMaxCover || first.data().size() != first.total_size() ||
        first.envelope_id().size() != 32 || first.offset() != 0) {
      return Bad("malformed cover submission");
    }
    // Cover pays for admission like the envelope it imitates.
    if (grpc::Status paid =
            svc_->admission_.Check(first, *IdFrom(first.envelope_id()), first.total_size());
        !paid.ok()) {
      return paid;
    }
    first_ = std::move(first);
    phase_ = Phase::kCover;
    return grpc::Status::OK;
  }
  const auto id = IdFrom(first.envelope_id());
  if (!id) return Bad("envelope id must be 32 bytes");
  id_ = *id;
  total_ = first.total_size();
  const uint64_t offset = first.offset();
  const IntakeLimits& limits = svc_->limits_;
  if (total_ < kMinEnvelope) return Bad("envelope is too small to be one");
  if (total_ > sql::kMaxSqlInteger) return Bad("envelope size is out of range");
  if (limits.max_envelope_bytes != 0 && total_ > limits.max_envelope_bytes) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "envelope is larger than this server accepts");
  }
  if (offset > total_) return Bad("offset is past the end");
  if (first.data().size() > kMaxChunk) return Bad("a message carries at most 1 MiB");
  // Checked before anything touches the store: a flood without the work costs one hash each.
  if (grpc::Status paid = svc_->admission_.Check(first, id_, total_); !paid.ok()) return paid;

  if (svc_->AnswerKnown(id_, response)) {
    *done = true;
    return grpc::Status::OK;
  }
  auto existing = svc_->store_->FindEntry(id_);
  if (!existing.ok()) return FromStatus(existing.status());
  if (existing->has_value()) {  // idempotent: the same bytes get the same receipt
    svc_->Acknowledge(**existing, response);
    *done = true;
    return grpc::Status::OK;
  }
  if (offset == 0 && !svc_->window_.Fits(total_, CurrentHour())) {
    svc_->admission_.Pressure();
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, kWindowFullText);
  }
  if (offset == 0 && first.data().size() == total_) {
    // The whole envelope in one message: checked in memory, stored once the stream ends, in a
    // commit shared with others.
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(first.data().data()),
                                         total_);
    if (grpc::Status header = svc_->CheckHeader(bytes, total_, nullptr); !header.ok()) {
      return header;
    }
    if (Sha256Of(bytes) != id_) return Bad("envelope id does not match its bytes");
    first_ = std::move(first);
    phase_ = Phase::kWhole;
    return grpc::Status::OK;
  }
  if (offset == 0) {
    // Nothing is kept of an upload until its whole header is in hand and fits its size.
    bool complete = false;
    grpc::Status header = svc_->CheckHeader(
        {reinterpret_cast<const uint8_t*>(first.data().data()), first.data().size()}, total_,
        &complete);
    if (!header.ok()) return header;
    if (!complete) return Bad("the first message must carry the whole envelope header");
  }
  if (!svc_->TakeSlot(peer_, ctx_)) {
    svc_->admission_.Pressure();
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "the server is receiving as many uploads as it can; try again shortly");
  }
  slot_ = true;
  if (!svc_->Claim(id_, ctx_)) {
    return grpc::Status(grpc::StatusCode::ABORTED,
                        "this envelope is being uploaded already; retry later");
  }
  claimed_ = true;
  const Status begun = svc_->store_->BeginUpload(id_, total_, offset, CurrentHour(),
                                                 limits.quota_bytes, limits.max_unfinished_uploads);
  if (begun.code() == ErrorCode::kTooLarge) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, begun.message());
  }
  if (begun.code() == ErrorCode::kAlreadyExists) {  // completed by another stream meanwhile
    auto r = svc_->store_->FindEntry(id_);
    if (!r.ok() || !r->has_value())
      return FromStatus(r.ok() ? Error(ErrorCode::kIo, "race") : r.status());
    svc_->Acknowledge(**r, response);
    *done = true;
    return grpc::Status::OK;
  }
  if (!begun.ok()) {
    if (begun.code() == ErrorCode::kInvalidArgument) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, begun.message());
    }
    return FromStatus(begun);
  }
  began_ = true;
  received_ = offset;
  if (offset > 0) {
    // The id is the SHA-256 of every byte; bytes held from an earlier attempt are hashed again.
    grpc::Status replay;
    const Status read = svc_->store_->ReadUpload(id_, [&](std::span<const uint8_t> b) {
      replay = Absorb(b);
      return replay.ok() ? Status::Ok() : Error(ErrorCode::kMalformed, "bad");
    });
    if (!replay.ok()) return Fail(replay);
    if (!read.ok()) return FromStatus(read);
  }
  phase_ = Phase::kData;
  return Data(std::move(*first.mutable_data()));
}

grpc::Status IntakeService::Upload::Absorb(std::span<const uint8_t> bytes) {
  sha_.Update(bytes);
  if (!header_checked_) {
    const size_t take = std::min(bytes.size(), kMaxHeaderSize - head_.size());
    head_.insert(head_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    return svc_->CheckHeader(head_, total_, &header_checked_);
  }
  return grpc::Status::OK;
}

Status IntakeService::Upload::Flush() {
  if (pending_.empty()) return Status::Ok();
  const Status st = svc_->store_->AppendChunk(
      id_, pending_, CurrentHour(), svc_->limits_.quota_bytes, svc_->limits_.max_unfinished_bytes);
  pending_.clear();
  if (st.code() == ErrorCode::kTooLarge) svc_->admission_.Pressure();
  return st;
}

grpc::Status IntakeService::Upload::Data(std::string data) {
  if (data.size() > kMaxChunk) return Fail(Bad("a message carries at most 1 MiB"));
  if (data.size() > total_ - received_) return Fail(Bad("more data than the size announced"));
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  if (grpc::Status checked = Absorb(bytes); !checked.ok()) return Fail(checked);
  received_ += data.size();
  if (slot_) svc_->Moved(ctx_, data.size());
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  if (pending_.size() >= kAppendBytes || received_ == total_) {
    if (const Status st = Flush(); !st.ok()) {
      phase_ = Phase::kOver;  // what was appended before stays for resuming
      return FromStatus(st);
    }
  }
  if (received_ == total_) phase_ = Phase::kComplete;
  return grpc::Status::OK;
}

grpc::Status IntakeService::Upload::Store(const std::function<Result<LogEntry>(uint64_t)>& store,
                                          gavah::v1::SubmitResponse* response) {
  const uint64_t hour = CurrentHour();
  bool heavy = false;
  if (!svc_->window_.Take(total_, hour, &heavy)) {
    svc_->admission_.Pressure();
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, kWindowFullText);
  }
  if (heavy) svc_->admission_.Pressure();
  auto entry = store(hour);
  if (!entry.ok()) {
    svc_->window_.GiveBack(total_, hour);
    return FromStatus(entry.status());
  }
  ++svc_->stored_count_;
  svc_->Acknowledge(entry.value(), response);
  svc_->Accepted(*response);
  return grpc::Status::OK;
}

grpc::Status IntakeService::Upload::End(gavah::v1::SubmitResponse* response) {
  switch (phase_) {
    case Phase::kFirst:
      phase_ = Phase::kOver;
      return Bad("empty upload");
    case Phase::kCover: {
      phase_ = Phase::kOver;
      // Answered after a durable commit with a promise like any other, so neither the answer's
      // timing nor its length sets cover apart from a real envelope, and no answer holds a count
      // of what the server stores.
      auto next = svc_->committer_.WaitForCommit(first_.total_size());
      if (!next.ok()) return FromStatus(next.status());
      uint8_t filler[64];
      randombytes_buf(filler, sizeof filler);
      const uint64_t hour = CurrentHour();
      auto* r = response->mutable_receipt();
      r->set_envelope_id(first_.envelope_id());
      r->set_include_by(svc_->log_ != nullptr ? svc_->log_->IncludeBy(hour) : hour + 7200);
      r->set_received_hour(hour);
      r->set_signature(filler, sizeof filler);
      return grpc::Status::OK;
    }
    case Phase::kWhole: {
      phase_ = Phase::kOver;
      if (!svc_->Claim(id_, ctx_)) {
        return grpc::Status(grpc::StatusCode::ABORTED,
                            "this envelope is being uploaded already; retry later");
      }
      claimed_ = true;
      const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(first_.data().data()),
                                           first_.data().size());
      return Store([&](uint64_t hour) { return svc_->committer_.Store(id_, bytes, hour); },
                   response);
    }
    case Phase::kData: {
      const Status flushed = Flush();
      // Left to the destructor: it drops an upload too small to keep.
      if (!flushed.ok()) return FromStatus(flushed);
      return grpc::Status(grpc::StatusCode::ABORTED,
                          "upload incomplete; resume from " + std::to_string(received_));
    }
    case Phase::kComplete: {
      if (!header_checked_) {  // a header announcing more than the envelope holds never completes
        return Fail(Bad("envelope header is incomplete or inconsistent with its size"));
      }
      if (sha_.Final() != id_) return Fail(Bad("envelope id does not match its bytes"));
      phase_ = Phase::kOver;
      // Complete and kept if the window is full: the witness resumes at the end later.
      return Store([&](uint64_t hour) { return svc_->store_->Complete(id_, hour); }, response);
    }
    case Phase::kOver:
      break;
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, "server error");
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

std::chrono::milliseconds ConnectionLimiter::ThrottleBytes(const std::string& peer, uint64_t n) {
  if (bytes_ == 0 || n == 0) return std::chrono::milliseconds(0);
  double wait_seconds = 0;
  std::lock_guard<std::mutex> lock(mu_);
  if (!Track(peer)) {
    wait_seconds = 10;  // untracked in a flood: as slow as the slowest tracked one
  } else {
    Bucket& b = Refill(peer);
    // May go negative: the debt is paid by waiting, at most 10 s of it at a time.
    b.bytes = std::max(b.bytes - static_cast<double>(n), -10.0 * static_cast<double>(bytes_));
    if (b.bytes < 0) wait_seconds = std::min(10.0, -b.bytes / static_cast<double>(bytes_));
  }
  return std::chrono::milliseconds(static_cast<int64_t>(wait_seconds * 1000));
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
