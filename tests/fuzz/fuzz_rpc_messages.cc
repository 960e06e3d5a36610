// Every message of proto/gavah/v1/intake.proto and review.proto, as the servers and relays parse
// requests and the clients parse answers (a hostile server or relay chooses those). The first
// byte picks the message type (in file order, intake first; messages added later are covered
// without a change here), the rest is parsed with ParseFromArray. Then:
//   - every parsed message re-serializes to bytes that parse back and serialize the same: the
//     review service checks each call's signature over its own serialization of the request,
//     so a call an honest client signed must survive the trip;
//   - a review request signed by a listed investigator verifies (ReviewAuth over those bytes);
//   - the validation behind each message that needs no server runs on its fields: the envelope
//     header in a first SubmitChunk, replies and released shares opened with the fixed keys,
//     a served bundle parsed, receipts checked against the fixed receipt key.
// With GAVAH_FUZZ_SEEDS=<dir> it first writes a few seeds there (from the fixed keys and the
// committed envelope vector), since a seed must start with the index of its message type.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_fixtures.h"
#include "gavah/crypto/deletion.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/intake_log.h"
#include "gavah/crypto/released_share.h"
#include "gavah/crypto/reply.h"
#include "gavah/crypto/review_auth.h"
#include "gavah/v1/intake.pb.h"
#include "gavah/v1/review.pb.h"

namespace {

namespace pb = google::protobuf;
namespace v1 = gavah::v1;

struct Kind {
  const pb::Message* prototype;
  std::string review_method;  // "/gavah.v1.Review/<Method>" when it is a review request
};

const std::vector<Kind>& Kinds() {
  static const std::vector<Kind>* kinds = [] {
    auto* out = new std::vector<Kind>();
    for (const pb::FileDescriptor* file :
         {v1::SubmitChunk::descriptor()->file(), v1::ListEnvelopesRequest::descriptor()->file()}) {
      for (int i = 0; i < file->message_type_count(); ++i) {
        const pb::Descriptor* d = file->message_type(i);
        Kind k{pb::MessageFactory::generated_factory()->GetPrototype(d), ""};
        const pb::ServiceDescriptor* review = file->FindServiceByName("Review");
        for (int m = 0; review != nullptr && m < review->method_count(); ++m) {
          if (review->method(m)->input_type() == d)
            k.review_method = "/" + review->full_name() + "/" + review->method(m)->name();
        }
        out->push_back(std::move(k));
      }
    }
    return out;
  }();
  return *kinds;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void CheckReceipt(const v1::Receipt& p, const gavah::fuzz::Fixtures& f) {
  // As the witness reads a receipt answer (intake_client.cc, FromProto): sizes, then signature.
  if (p.envelope_id().size() != 32 || p.signature().size() != 64) return;
  gavah::Receipt r;
  std::memcpy(r.envelope_id.data(), p.envelope_id().data(), 32);
  std::memcpy(r.signature.data(), p.signature().data(), 64);
  r.include_by = p.include_by();
  r.received_hour = p.received_hour();
  (void)gavah::VerifyReceipt(r, f.receipt_key.public_key(), r.envelope_id);
}

// As a witness checks a proof (witness.cc, CheckReceipt): the format, the checkpoint's
// signatures, then the path. A checkpoint the fixed receipt key never signed must not pass.
void CheckProof(const std::string& text, const gavah::fuzz::Fixtures& f) {
  auto proof = gavah::tlog::ParseTlogProof(text);
  if (!proof.ok()) return;
  auto cp = gavah::tlog::AcceptCheckpoint(proof->checkpoint, f.receipt_key.public_key(), {}, 0);
  if (cp.ok()) gavah::fuzz::Fail();
  if (proof->path.size() > 63) gavah::fuzz::Fail();
}

void OpenShare(const std::string& sealed, const gavah::fuzz::Fixtures& f) {
  (void)gavah::OpenReleasedShare(Bytes(sealed), f.investigators[0], f.bundle);
}

void OpenReply(const std::string& sealed, const gavah::fuzz::Fixtures& f) {
  (void)gavah::OpenReply(Bytes(sealed), f.reply_key);
}

// The checks behind each message that need no server.
void Validate(const pb::Message& m, const gavah::fuzz::Fixtures& f) {
  if (const auto* c = dynamic_cast<const v1::SubmitChunk*>(&m)) {
    (void)v1::SubmitChunk_Kind_IsValid(c->kind());
    gavah::MemorySource src(Bytes(c->data()));
    auto header = gavah::ReadEnvelopeHeader(src);
    if (header.ok()) {
      if (header->raw.size() > c->data().size()) gavah::fuzz::Fail();
      (void)header->envelope_size();
      (void)gavah::OpenShare(header.value(), f.investigators[0]);
    }
  } else if (const auto* g = dynamic_cast<const v1::GetBundleResponse*>(&m)) {
    auto bundle = gavah::RecipientBundle::Parse(Bytes(g->bundle()), f.org.fingerprint());
    if (bundle.ok()) (void)bundle->CheckCurrent(1'750'000'000);
  } else if (const auto* s = dynamic_cast<const v1::SubmitResponse*>(&m)) {
    CheckReceipt(s->receipt(), f);
  } else if (const auto* rr = dynamic_cast<const v1::ReceiptResponse*>(&m)) {
    CheckReceipt(rr->receipt(), f);
    CheckProof(rr->proof(), f);
  } else if (const auto* gl = dynamic_cast<const v1::GetLogResponse*>(&m)) {
    // As sync reads the log: an entry bundle, or a checkpoint note.
    auto entries = gavah::tlog::ParseEntryBundle(Bytes(gl->data()));
    if (entries.ok())
      for (const auto& e : *entries) (void)gavah::tlog::ParseEntry(e);
    (void)gavah::tlog::AcceptCheckpoint(gl->data(), f.receipt_key.public_key(), {}, 0);
  } else if (const auto* r = dynamic_cast<const v1::Receipt*>(&m)) {
    CheckReceipt(*r, f);
  } else if (const auto* fr = dynamic_cast<const v1::FetchRepliesResponse*>(&m)) {
    for (const auto& reply : fr->replies()) OpenReply(reply.sealed(), f);
  } else if (const auto* sr = dynamic_cast<const v1::SealedReply*>(&m)) {
    OpenReply(sr->sealed(), f);
  } else if (const auto* pr = dynamic_cast<const v1::PostReplyRequest*>(&m)) {
    OpenReply(pr->sealed(), f);
  } else if (const auto* ps = dynamic_cast<const v1::PostShareRequest*>(&m)) {
    OpenShare(ps->sealed(), f);
  } else if (const auto* fs = dynamic_cast<const v1::FetchSharesResponse*>(&m)) {
    for (const auto& share : fs->shares()) OpenShare(share.sealed(), f);
  } else if (const auto* le = dynamic_cast<const v1::ListEnvelopesResponse*>(&m)) {
    for (const auto& e : le->envelopes())
      for (const auto& st : e.deletion_statements()) (void)gavah::ParseDeletionStatement(Bytes(st));
  }
}

void WriteSeed(const std::string& name, size_t kind, const pb::Message& m) {
  gavah::fuzz::WriteSeed(name, static_cast<uint8_t>(kind), Bytes(m.SerializeAsString()));
}

size_t IndexOf(const pb::Descriptor* d) {
  for (size_t i = 0; i < Kinds().size(); ++i)
    if (Kinds()[i].prototype->GetDescriptor() == d) return i;
  gavah::fuzz::Fail();
}

void WriteSeeds(const gavah::fuzz::Fixtures& f) {
  v1::GetBundleResponse bundle;
  bundle.set_bundle(f.bundle_bytes.data(), f.bundle_bytes.size());
  WriteSeed("bundle", IndexOf(bundle.GetDescriptor()), bundle);

  const gavah::Receipt r = f.receipt_key.Sign(f.receipt_id, 1'750'003'200, 1'749'996'000);
  v1::ReceiptResponse receipt;
  receipt.mutable_receipt()->set_envelope_id(r.envelope_id.data(), 32);
  receipt.mutable_receipt()->set_include_by(r.include_by);
  receipt.mutable_receipt()->set_received_hour(r.received_hour);
  receipt.mutable_receipt()->set_signature(r.signature.data(), 64);
  WriteSeed("receipt", IndexOf(receipt.GetDescriptor()), receipt);

  gavah::Share share;
  share.x = 2;
  share.y = gavah::SecretBuffer::CopyOf(gavah::fuzz::Fill(32, 0x33));
  auto released =
      gavah::ReleaseShare(f.receipt_id, share, f.investigators[1], f.investigators[0].public_key());
  if (!released.ok()) gavah::fuzz::Fail();
  v1::PostShareRequest post_share;
  const auto to = f.investigators[0].public_key().fingerprint();
  post_share.set_to(to.data(), to.size());
  post_share.set_sealed(released->data(), released->size());
  WriteSeed("post-share", IndexOf(post_share.GetDescriptor()), post_share);

  auto sealed =
      gavah::SealReply(gavah::fuzz::Bytes("We received your testimony."), f.reply_key.public_key);
  if (!sealed.ok()) gavah::fuzz::Fail();
  v1::FetchRepliesResponse replies;
  auto* reply = replies.add_replies();
  reply->set_seq(0);
  reply->set_sealed(sealed->data(), sealed->size());
  WriteSeed("replies", IndexOf(replies.GetDescriptor()), replies);

  // The first message of an upload of the committed envelope vector: id, size, its first bytes.
  const auto envelope = gavah::fuzz::ReadVector("envelope-2of3.bin");
  v1::SubmitChunk chunk;
  const gavah::Digest32 id = gavah::Sha256Of(envelope);
  chunk.set_envelope_id(id.data(), id.size());
  chunk.set_total_size(envelope.size());
  chunk.set_data(envelope.data(), 4096);
  chunk.set_kind(v1::SubmitChunk::RELAYED);
  WriteSeed("submit", IndexOf(chunk.GetDescriptor()), chunk);

  v1::ListEnvelopesRequest list;
  list.set_after(7);
  WriteSeed("list", IndexOf(list.GetDescriptor()), list);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const auto& f = gavah::fuzz::Fixed();
  if (Kinds().empty() || Kinds().size() > 256) gavah::fuzz::Fail();
  if (gavah::fuzz::WantSeeds()) WriteSeeds(f);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& f = gavah::fuzz::Fixed();
  if (size == 0) return 0;
  const Kind& kind = Kinds()[data[0] % Kinds().size()];
  std::unique_ptr<pb::Message> m(kind.prototype->New());
  if (!m->ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;

  std::string once;
  if (!m->SerializeToString(&once) || once.size() != m->ByteSizeLong()) gavah::fuzz::Fail();
  std::unique_ptr<pb::Message> again(kind.prototype->New());
  if (!again->ParseFromString(once) || again->SerializeAsString() != once) gavah::fuzz::Fail();

  if (!kind.review_method.empty()) {
    const std::array<uint8_t, 16> nonce{};
    const auto token = gavah::SignReviewCall(f.investigators[0], f.review_server,
                                             kind.review_method, Bytes(once), 1'750'000'000, nonce);
    auto auth = gavah::ParseReviewAuth(token);
    if (!auth.ok() || !gavah::VerifyReviewAuth(*auth, f.review_server, kind.review_method,
                                               Bytes(again->SerializeAsString()))
                           .ok())
      gavah::fuzz::Fail();
  }
  Validate(*m, f);
  return 0;
}
