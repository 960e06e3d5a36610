#include "review_service.h"

#include <sodium.h>

#include <ctime>
#include <set>

#include "gavah/crypto/deletion.h"
#include "gavah/crypto/released_share.h"
#include "intake_service.h"  // CurrentHour, IdFrom
#include "sqlite_stmt.h"

namespace gavah::server {
namespace {

constexpr char kAuthHeader[] = "gavah-auth-bin";
constexpr size_t kMaxList = 1000;
constexpr size_t kMaxPurge = 1000;
constexpr size_t kSharesPerAnswer = 64;
constexpr size_t kChunk = 1 << 20;

grpc::Status Denied(const std::string& m) {
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, m);
}
grpc::Status Bad(const std::string& m) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, m);
}
grpc::Status FromStore(const Status& st) {
  if (st.code() == ErrorCode::kTooLarge)
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, st.message());
  if (st.code() == ErrorCode::kInvalidArgument) return Bad(st.message());
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "server storage failed; try again later");
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

ReviewService::ReviewService(EnvelopeStore* store, const ReceiptKey* receipt_key,
                             const RecipientBundle* bundle, const Digest32& certificate,
                             uint64_t quota_bytes, std::function<uint64_t()> now)
    : store_(store),
      receipt_key_(receipt_key),
      bundle_(bundle),
      certificate_(certificate),
      quota_bytes_(quota_bytes),
      now_(std::move(now)) {
  if (!now_) now_ = [] { return static_cast<uint64_t>(std::time(nullptr)); };
  started_at_ = now_();
}

grpc::Status ReviewService::Authenticate(grpc::ServerContext* context, std::string_view method,
                                         const google::protobuf::Message& request,
                                         Fingerprint* who) {
  const auto& md = context->client_metadata();
  const auto it = md.find(kAuthHeader);
  if (it == md.end() || md.count(kAuthHeader) != 1)
    return Denied("review calls must carry one gavah-auth-bin");
  auto auth =
      ParseReviewAuth({reinterpret_cast<const uint8_t*>(it->second.data()), it->second.size()});
  if (!auth.ok()) return Denied(auth.status().message());
  // Every listed key is compared, in constant time, so timing does not tell which matched.
  const InvestigatorPublicKey* caller = nullptr;
  for (const auto& inv : bundle_->contents().investigators) {
    if (sodium_memcmp(inv.signing_key.data(), auth->signer.data(), 32) == 0) caller = &inv;
  }
  if (caller == nullptr) return Denied("this key is not an investigator of the served bundle");
  const uint64_t now = now_();
  const uint64_t skew = auth->unix_time > now ? auth->unix_time - now : now - auth->unix_time;
  if (skew > kReviewAuthWindowSeconds)
    return Denied("the call's time is more than 5 minutes from the server's clock");
  // Nonces are remembered in memory only: a call signed before this process started could be
  // a replay the cache never saw.
  if (auth->unix_time < started_at_)
    return Denied("the call was signed before the server started; sign it again");
  const std::string body = request.SerializeAsString();
  if (!VerifyReviewAuth(*auth, certificate_, method, Bytes(body)).ok())
    return Denied("the call's signature does not verify");
  {
    // Remembered for twice the window, so that a nonce cannot come back while its time is good.
    std::lock_guard<std::mutex> lock(nonce_mu_);
    size_t& mine = nonces_per_signer_[auth->signer];
    if (nonces_.size() >= kMaxNonces / 2 || mine >= kMaxNoncesPerSigner) {
      // Expired ones are swept only once they add up.
      std::erase_if(nonces_, [&](const auto& n) {
        if (n.second.expiry >= now) return false;
        --nonces_per_signer_[n.second.signer];
        return true;
      });
    }
    if (nonces_.count(auth->nonce)) return Denied("this call was replayed");
    if (nonces_.size() >= kMaxNonces || mine >= kMaxNoncesPerSigner)
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "too many calls; try again later");
    nonces_.emplace(auth->nonce, Seen{now + 2 * kReviewAuthWindowSeconds, auth->signer});
    ++mine;
  }
  *who = caller->fingerprint();
  const Status audited = store_->Audit(*who, method, CurrentHour());
  if (!audited.ok()) return FromStore(audited);
  return grpc::Status::OK;
}

grpc::Status ReviewService::ListEnvelopes(grpc::ServerContext* context,
                                          const gavah::v1::ListEnvelopesRequest* request,
                                          gavah::v1::ListEnvelopesResponse* response) {
  Fingerprint who{};
  if (auto st = Authenticate(context, "/gavah.v1.Review/ListEnvelopes", *request, &who); !st.ok())
    return st;
  const size_t limit = request->limit() == 0 ? kMaxList : request->limit();
  if (limit > kMaxList) return Bad("limit is at most 1000");
  if (request->after() > sql::kMaxSqlInteger) return Bad("after is out of range");
  bool more = false;
  // What the log holds, in its order; or what waits for its next batch, which sync takes at once
  // and checks against the log in a later sync.
  std::optional<Digest32> pending_after;
  if (!request->pending_after().empty()) {
    pending_after = IdFrom(request->pending_after());
    if (!pending_after) return Bad("pending_after must be an envelope id");
  }
  auto listed = request->pending() ? store_->ListUnlogged(pending_after, limit, &more)
                                   : store_->ListLogged(request->after(), limit, &more);
  if (!listed.ok()) return FromStore(listed.status());
  for (const auto& l : *listed) {
    auto* e = response->add_envelopes();
    e->set_envelope_id(l.entry.id.data(), l.entry.id.size());
    e->set_log_index(l.entry.log_index);
    e->set_received_hour(l.entry.received_hour);
    e->set_size(l.size);
    e->set_deleted(l.deleted);
    e->set_pending(request->pending());
    const uint64_t include_by =
        log_ != nullptr ? log_->IncludeBy(l.entry.received_hour) : l.entry.received_hour + 7200;
    const Receipt r = receipt_key_->Sign(l.entry.id, include_by, l.entry.received_hour);
    e->set_include_by(include_by);
    e->set_receipt_signature(r.signature.data(), r.signature.size());
    for (const auto& st : l.statements) e->add_deletion_statements(st.data(), st.size());
  }
  response->set_more(more);
  return grpc::Status::OK;
}

grpc::Status ReviewService::FetchEnvelope(grpc::ServerContext* context,
                                          const gavah::v1::FetchEnvelopeRequest* request,
                                          grpc::ServerWriter<gavah::v1::EnvelopeChunk>* writer) {
  Fingerprint who{};
  if (auto st = Authenticate(context, "/gavah.v1.Review/FetchEnvelope", *request, &who); !st.ok())
    return st;
  const auto id = IdFrom(request->envelope_id());
  if (!id) return Bad("envelope id must be 32 bytes");
  auto entry = store_->FindEntry(*id);
  if (!entry.ok()) return FromStore(entry.status());
  if (!entry->has_value()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such envelope");
  auto deleted = store_->IsDeleted(*id);
  if (!deleted.ok()) return FromStore(deleted.status());
  if (*deleted) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "this envelope was deleted under the retention rule");
  }
  auto size = store_->State(*id);
  if (!size.ok()) return FromStore(size.status());
  if (request->offset() > size->total_size) {
    return grpc::Status(grpc::StatusCode::OUT_OF_RANGE, "offset is past the envelope's end");
  }
  uint64_t skip = request->offset();
  bool cancelled = false;
  const Status read = store_->ReadEnvelope(*id, [&](std::span<const uint8_t> b) {
    if (skip >= b.size()) {
      skip -= b.size();
      return Status::Ok();
    }
    b = b.subspan(skip);
    skip = 0;
    while (!b.empty()) {
      const size_t n = std::min(b.size(), kChunk);
      gavah::v1::EnvelopeChunk chunk;
      chunk.set_data(b.data(), n);
      if (!writer->Write(chunk)) {
        cancelled = true;
        return Error(ErrorCode::kIo, "client went away");
      }
      b = b.subspan(n);
    }
    return Status::Ok();
  });
  if (cancelled) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  if (!read.ok()) return FromStore(read);
  return grpc::Status::OK;
}

grpc::Status ReviewService::PostReply(grpc::ServerContext* context,
                                      const gavah::v1::PostReplyRequest* request,
                                      gavah::v1::PostReplyResponse* response) {
  Fingerprint who{};
  if (auto st = Authenticate(context, "/gavah.v1.Review/PostReply", *request, &who); !st.ok())
    return st;
  const auto mailbox = IdFrom(request->mailbox_id());
  if (!mailbox) return Bad("mailbox id must be 32 bytes");
  auto seq = store_->PostReply(*mailbox, Bytes(request->sealed()), CurrentHour(), quota_bytes_);
  if (!seq.ok()) return FromStore(seq.status());
  response->set_seq(*seq);
  return grpc::Status::OK;
}

grpc::Status ReviewService::PostShare(grpc::ServerContext* context,
                                      const gavah::v1::PostShareRequest* request,
                                      gavah::v1::PostShareResponse*) {
  Fingerprint who{};
  if (auto st = Authenticate(context, "/gavah.v1.Review/PostShare", *request, &who); !st.ok())
    return st;
  bool listed = false;
  for (const auto& inv : bundle_->contents().investigators) {
    const Fingerprint fp = inv.fingerprint();
    if (request->to().size() == fp.size() &&
        sodium_memcmp(fp.data(), request->to().data(), fp.size()) == 0)
      listed = true;
  }
  if (!listed) return Bad("the receiving investigator is not in the served bundle");
  if (!IsReleasedShareSize(request->sealed().size()))
    return Bad("a released share has the wrong size");
  const Status st = store_->PostShare(who, Bytes(request->to()), Bytes(request->sealed()),
                                      CurrentHour(), quota_bytes_);
  if (!st.ok()) return FromStore(st);
  return grpc::Status::OK;
}

grpc::Status ReviewService::FetchShares(grpc::ServerContext* context,
                                        const gavah::v1::FetchSharesRequest* request,
                                        gavah::v1::FetchSharesResponse* response) {
  Fingerprint who{};
  if (auto st = Authenticate(context, "/gavah.v1.Review/FetchShares", *request, &who); !st.ok())
    return st;
  if (request->after() > sql::kMaxSqlInteger) return Bad("after is out of range");
  bool more = false;
  auto shares = store_->FetchShares(who, request->after(), kSharesPerAnswer, &more);
  if (!shares.ok()) return FromStore(shares.status());
  for (const auto& s : *shares) {
    auto* out = response->add_shares();
    out->set_seq(s.seq);
    out->set_from(s.from.data(), s.from.size());
    out->set_sealed(s.sealed.data(), s.sealed.size());
  }
  response->set_more(more);
  return grpc::Status::OK;
}

grpc::Status ReviewService::CheckMark(const Fingerprint& who,
                                      const gavah::v1::MarkForDeletionRequest& mark,
                                      Digest32* id) const {
  const auto parsed = IdFrom(mark.envelope_id());
  if (!parsed) return Bad("envelope id must be 32 bytes");
  *id = *parsed;
  // The agreement is kept only as the caller's own signed statement for this envelope on this
  // server, which every investigator can later check for themselves.
  auto statement = ParseDeletionStatement(Bytes(mark.statement()));
  if (!statement.ok())
    return Bad("a mark needs the caller's deletion statement: " + statement.status().message());
  const InvestigatorPublicKey* signer = nullptr;
  for (const auto& inv : bundle_->contents().investigators)
    if (inv.fingerprint() == who) signer = &inv;
  if (signer == nullptr ||
      sodium_memcmp(signer->signing_key.data(), statement->signer.data(), 32) != 0)
    return Bad("the deletion statement is not the caller's");
  if (!VerifyDeletion(*statement, bundle_->organisation_fingerprint(), certificate_, *id).ok())
    return Bad("the deletion statement does not verify for this envelope on this server");
  return grpc::Status::OK;
}

grpc::Status ReviewService::Mark(const Fingerprint& who,
                                 std::span<const gavah::v1::MarkForDeletionRequest* const> marks,
                                 std::vector<EnvelopeStore::DeletionState>* states) {
  std::vector<EnvelopeStore::DeletionMark> checked(marks.size());
  for (size_t i = 0; i < marks.size(); ++i) {
    if (auto st = CheckMark(who, *marks[i], &checked[i].id); !st.ok())
      return marks.size() == 1 ? st
                               : grpc::Status(st.error_code(), "mark " + std::to_string(i + 1) +
                                                                   ": " + st.error_message());
    checked[i].statement = Bytes(marks[i]->statement());
  }
  // As many investigators as it takes to open a testimony must agree to destroy one: a single
  // stolen key must not be able to erase evidence.
  const uint64_t threshold = bundle_->contents().threshold;
  std::vector<Fingerprint> current;
  for (const auto& inv : bundle_->contents().investigators) current.push_back(inv.fingerprint());
  auto st = store_->MarkManyForDeletion(checked, who, current, threshold, CurrentHour());
  if (!st.ok()) {
    if (st.status().code() == ErrorCode::kInvalidArgument)
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          marks.size() == 1 ? "no such envelope" : st.status().message());
    return FromStore(st.status());
  }
  *states = std::move(*st);
  return grpc::Status::OK;
}

grpc::Status ReviewService::MarkForDeletion(grpc::ServerContext* context,
                                            const gavah::v1::MarkForDeletionRequest* request,
                                            gavah::v1::MarkForDeletionResponse* response) {
  Fingerprint who{};
  if (auto st = Authenticate(context, "/gavah.v1.Review/MarkForDeletion", *request, &who); !st.ok())
    return st;
  std::vector<EnvelopeStore::DeletionState> states;
  const gavah::v1::MarkForDeletionRequest* one[] = {request};
  if (auto st = Mark(who, one, &states); !st.ok()) return st;
  response->set_marks(static_cast<uint32_t>(states[0].marks));
  response->set_threshold(static_cast<uint32_t>(bundle_->contents().threshold));
  response->set_deleted(states[0].deleted);
  return grpc::Status::OK;
}

grpc::Status ReviewService::PurgeEnvelopes(grpc::ServerContext* context,
                                           const gavah::v1::PurgeEnvelopesRequest* request,
                                           gavah::v1::PurgeEnvelopesResponse* response) {
  Fingerprint who{};
  if (auto st = Authenticate(context, "/gavah.v1.Review/PurgeEnvelopes", *request, &who); !st.ok())
    return st;
  const size_t n = static_cast<size_t>(request->marks_size());
  if (n == 0 || n > kMaxPurge)
    return Bad("a purge carries 1 to " + std::to_string(kMaxPurge) + " marks");
  std::vector<const gavah::v1::MarkForDeletionRequest*> marks;
  std::set<std::string> seen;
  for (const auto& m : request->marks()) {
    if (!seen.insert(m.envelope_id()).second)
      return Bad("mark " + std::to_string(marks.size() + 1) + ": the envelope is named twice");
    marks.push_back(&m);
  }
  std::vector<EnvelopeStore::DeletionState> states;
  if (auto st = Mark(who, marks, &states); !st.ok()) return st;
  for (const auto& s : states) {
    auto* r = response->add_results();
    r->set_marks(static_cast<uint32_t>(s.marks));
    r->set_threshold(static_cast<uint32_t>(bundle_->contents().threshold));
    r->set_deleted(s.deleted);
  }
  return grpc::Status::OK;
}

}  // namespace gavah::server
