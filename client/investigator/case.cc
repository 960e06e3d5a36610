// Work on one testimony in the case store: release a share, annotate, reply, show; and the
// agreements to delete (PROTOCOL.md section 9.4).
#include <algorithm>
#include <cstring>

#include "clock.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/released_share.h"
#include "gavah/crypto/reply.h"
#include "gavah/crypto/utf8.h"
#include "internal.h"
#include "review_client.h"

namespace gavah::investigator {

using namespace internal;

Result<ShareToRelease> PrepareRelease(CaseStore& store, const Digest32& id,
                                      const InvestigatorSecretKey& key,
                                      const std::string& key_label, const RecipientBundle& bundle,
                                      const InvestigatorPublicKey& to, const std::string& to_label,
                                      const std::string& store_label) {
  const InvestigatorPublicKey* listed = nullptr;
  for (const auto& inv : bundle.contents().investigators)
    if (inv.fingerprint() == to.fingerprint()) listed = &inv;
  if (listed == nullptr) return Refused(to_label + " is not an investigator of this bundle");
  GAVAH_ASSIGN_OR_RETURN(CaseEnvelope e, UsableEnvelope(store, id, store_label));
  StoreSource in(store, e.id);
  auto header = ReadEnvelopeHeader(in);
  if (!header.ok()) return Prefixed("envelope " + ToHex(id), header.status());
  auto share = OpenShare(*header, key);
  if (!share.ok()) return Prefixed(key_label, share.status());
  return ShareToRelease{std::move(e), *listed, std::move(share).value()};
}

Status Release(const ShareToRelease& release, const InvestigatorSecretKey& key,
               const RecipientBundle& bundle, CaseStore& store, const std::string& store_label) {
  auto sealed = ReleaseShare(release.envelope.id, release.share, key, release.to);
  if (!sealed.ok()) return Prefixed("release", sealed.status());
  cli::ReviewClient client(bundle, key, transport::SendOptions{});
  GAVAH_RETURN_IF_ERROR(Prefixed("release", client.PostShare(release.to.fingerprint(), *sealed)));
  return Prefixed(
      store_label,
      store.Record(release.envelope.id, FingerprintToText(key.public_key().fingerprint()),
                   "released a share to " + FingerprintToText(release.to.fingerprint()), "",
                   NowUnix()));
}

Status CheckAnnotation(const std::string& kind, const SecretBuffer& text) {
  if (text.size() == 0 || text.size() > 64 * 1024)
    return Refused("a " + kind + " is 1 byte to 64 KiB");
  if (!IsValidUtf8(text.view())) return Refused("a " + kind + " must be UTF-8 text");
  return Status::Ok();
}

Status Annotate(CaseStore& store, const Digest32& id, const std::string& kind,
                const SecretBuffer& text, const std::string& store_label) {
  GAVAH_RETURN_IF_ERROR(CheckAnnotation(kind, text));
  GAVAH_ASSIGN_OR_RETURN(const CaseEnvelope e, UsableEnvelope(store, id, store_label));
  GAVAH_ASSIGN_OR_RETURN(const std::string owner, Owner(store, store_label));
  return Prefixed(store_label, store.Annotate(e.id, kind, text.span(), owner, NowUnix()));
}

Result<SealedReply> PrepareReply(CaseStore& store, const Digest32& id, const SecretBuffer& text,
                                 const std::string& store_label) {
  GAVAH_ASSIGN_OR_RETURN(CaseEnvelope e, UsableEnvelope(store, id, store_label));
  auto reply_key = store.Blob("reply:" + ToHex(e.id));
  if (!reply_key.ok()) return Prefixed(store_label, reply_key.status());
  if (reply_key->size() != 32 && reply_key->size() != 32 + xwing::kPublicKeySize) {
    return Refused("no reply key is known for " + ToHex(id) +
                   ": open it from this store first, or the witness gave no codename");
  }
  SealedReply r;
  r.envelope = std::move(e);
  std::memcpy(r.reply_key.data(), reply_key->data(), 32);
  std::optional<xwing::PublicKey> pq;
  if (reply_key->size() > 32) {
    pq.emplace();
    std::memcpy(pq->data(), reply_key->data() + 32, xwing::kPublicKeySize);
  }
  auto sealed = SealReply(text.span(), r.reply_key, pq ? &*pq : nullptr);
  if (!sealed.ok()) return Prefixed("reply", sealed.status());
  r.sealed = std::move(sealed).value();
  return r;
}

Result<uint64_t> SendReply(const SealedReply& reply, const InvestigatorSecretKey& key,
                           const RecipientBundle& bundle, CaseStore& store,
                           const std::string& store_label) {
  cli::ReviewClient client(bundle, key, transport::SendOptions{});
  // The server sees only the mailbox id, which no envelope carries in the clear.
  auto seq = client.PostReply(MailboxId(reply.reply_key), reply.sealed);
  if (!seq.ok()) return Prefixed("reply", seq.status());
  GAVAH_RETURN_IF_ERROR(
      Prefixed(store_label,
               store.Record(reply.envelope.id, FingerprintToText(key.public_key().fingerprint()),
                            "replied to the witness", "replied", NowUnix())));
  return *seq;
}

Result<EnvelopeDetails> Details(CaseStore& store, const Digest32& id,
                                const std::string& store_label) {
  auto found = store.Find(id);
  if (!found.ok()) return Prefixed(store_label, found.status());
  if (!*found) return Refused("no envelope " + ToHex(id) + " in " + store_label);
  EnvelopeDetails d;
  d.envelope = **found;
  auto custody = store.Custody(id);
  if (!custody.ok()) return Prefixed(store_label, custody.status());
  d.custody = std::move(custody).value();
  auto files = store.SecretBlob("files:" + ToHex(id));
  if (!files.ok()) return Prefixed(store_label, files.status());
  d.attachments = std::move(files).value();
  auto notes = store.Annotations(id);
  if (!notes.ok()) return Prefixed(store_label, notes.status());
  d.annotations = std::move(notes).value();
  return d;
}

Result<MarkResult> MarkDelete(const RecipientBundle& bundle, const InvestigatorSecretKey& key,
                              const Digest32& id) {
  cli::ReviewClient client(bundle, key, transport::SendOptions{});
  auto r = client.MarkForDeletion(id);
  if (!r.ok()) return Prefixed("mark-delete", r.status());
  return MarkResult{r->marks(), r->threshold(), r->deleted()};
}

Result<PurgePlan> PlanPurge(CaseStore& store, const PurgeRange& range,
                            const std::string& store_label) {
  if (range.from_entry > range.to_entry)
    return Refused("--from-entry must not be after --to-entry");
  if (range.min_size > range.max_size) return Refused("--min-size must not be above --max-size");
  PurgePlan plan;
  auto listed = store.List();
  if (!listed.ok()) return Prefixed(store_label, listed.status());
  for (const auto& e : *listed) {
    if (e.log_index < range.from_entry || e.log_index > range.to_entry) continue;
    if (e.size < range.min_size || e.size > range.max_size) continue;
    // Only testimony no one has worked on here: what this investigator has opened, annotated,
    // answered or exported they know not to be junk, and a purge never takes it.
    if (e.state != "new") {
      plan.kept += e.state == "opened" || e.state == "annotated" || e.state == "replied" ||
                   e.state == "exported";
      continue;
    }
    // Nor one whose key share this investigator released to a colleague, or received: someone
    // is working on it.
    auto custody = store.Custody(e.id);
    if (!custody.ok()) return Prefixed(store_label, custody.status());
    bool shared = false;
    for (const auto& c : *custody)
      shared |=
          c.event.rfind("released a share", 0) == 0 || c.event.rfind("received a share", 0) == 0;
    if (shared) {
      ++plan.kept;
      continue;
    }
    plan.chosen.push_back(e);
    plan.bytes += e.size;
    plan.first_hour = std::min(plan.first_hour, e.received_hour);
    plan.last_hour = std::max(plan.last_hour, e.received_hour);
  }
  return plan;
}

Result<PurgeResult> Purge(const PurgePlan& plan, const RecipientBundle& bundle,
                          const InvestigatorSecretKey& key, CaseStore& store,
                          const std::string& store_label, const Hooks& hooks) {
  const std::string me = FingerprintToText(key.public_key().fingerprint());
  cli::ReviewClient client(bundle, key, transport::SendOptions{});
  // The server's limits per call: 1,000 marks, and 1 GiB of envelopes unless there is one.
  constexpr size_t kBatch = 1000;
  constexpr uint64_t kBatchBytes = uint64_t{1} << 30;
  const auto& chosen = plan.chosen;
  PurgeResult result;
  for (size_t at = 0, n = 0; at < chosen.size(); at += n) {
    // A batch is all or nothing at the server, so a stop between batches leaves no doubt.
    GAVAH_RETURN_IF_ERROR(CheckCancelled(hooks));
    uint64_t batch_bytes = chosen[at].size;
    for (n = 1;
         n < kBatch && at + n < chosen.size() && batch_bytes + chosen[at + n].size <= kBatchBytes;
         ++n)
      batch_bytes += chosen[at + n].size;
    std::vector<Digest32> ids;
    for (size_t i = 0; i < n; ++i) ids.push_back(chosen[at + i].id);
    auto r = client.Purge(ids);
    if (!r.ok()) return Prefixed("purge", r.status());
    for (size_t i = 0; i < n; ++i) {
      result.deleted += r->results(static_cast<int>(i)).deleted();
      result.threshold = r->results(static_cast<int>(i)).threshold();
      // The store's custody says who agreed to destroy what, and when: part of the record a
      // court may ask for.
      GAVAH_RETURN_IF_ERROR(Prefixed(
          store_label, store.Record(ids[i], me, "agreed to delete (purge)", "", NowUnix())));
    }
    if (hooks.progress) hooks.progress(at + n, chosen.size());
  }
  return result;
}

}  // namespace gavah::investigator
