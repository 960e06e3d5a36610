// Sync: the server's log of envelopes into the case store, every entry checked (PROTOCOL.md
// sections 8 and 9).
#include <cstring>
#include <map>
#include <set>

#include "clock.h"
#include "gavah/crypto/deletion.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/intake_log.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/released_share.h"
#include "gavah/crypto/tlog.h"
#include "intake_client.h"
#include "internal.h"
#include "review_client.h"

namespace gavah::investigator {

using namespace internal;

Status CanSyncWith(const RecipientBundle& bundle) {
  if (!bundle.contents().receipt_key)
    return Refused("the bundle names no receipt key, the key of the server's log");
  return Status::Ok();
}

Status IsInvestigatorOf(const RecipientBundle& bundle, const InvestigatorSecretKey& key,
                        const std::string& key_label) {
  for (const auto& inv : bundle.contents().investigators)
    if (inv.signing_key == key.public_key().signing_key) return Status::Ok();
  return Refused(key_label + " is not an investigator of this bundle");
}

namespace {

// One sync's state: the server, the store and the counts.
class Syncer {
 public:
  Syncer(const RecipientBundle& bundle, const InvestigatorSecretKey& key, CaseStore& store,
         const std::string& store_label, const Hooks& hooks)
      : bundle_(bundle),
        store_(store),
        label_(store_label),
        hooks_(hooks),
        client_(bundle, key, transport::SendOptions{}),
        me_(FingerprintToText(key.public_key().fingerprint())),
        key_(key),
        k_(bundle.contents().threshold) {}

  // The steps, then whatever arrived whole and waits in memory is committed, whether the steps
  // succeeded, failed or were stopped: every envelope in the batch was checked on its own.
  Result<SyncReport> Run() {
    auto r = Steps();
    const Status flushed = FlushBatch();
    if (!r.ok()) return r;
    if (!flushed.ok()) return flushed;
    return r;
  }

 private:
  Result<SyncReport> Steps();
  // Fetches the served checkpoint and the entries this store does not hold yet, and checks that
  // together with those it holds they lead to the checkpoint's root (so the log extends the one
  // this store checked before), under the bundle's quorum of witnesses.
  Status CheckLog();
  Status InStore(const Status& st) { return Prefixed(label_, st); }
  // A deletion counts only with k signed statements for the server that answered (9.4).
  size_t Agreements(const gavah::v1::ListedEnvelope& e, const Digest32& id) {
    std::vector<std::vector<uint8_t>> statements;
    for (const auto& st : e.deletion_statements()) statements.emplace_back(st.begin(), st.end());
    const std::array<Digest32, 1> answering{client_.server()};
    return CountDeletionAgreements(statements, bundle_, answering, id);
  }
  void WarnWithheld(const Digest32& id, uint64_t index, size_t agreed) {
    ++report_.withheld;
    Tell(hooks_, Note::Kind::kWarning,
         "THE SERVER WITHHOLDS TESTIMONY: it says envelope " + ToHex(id) + " (log entry " +
             std::to_string(index) + ") was deleted, but shows " + std::to_string(agreed) +
             " valid signed agreement(s) of the " + std::to_string(k_) + " the bundle requires");
  }
  Result<gavah::v1::ListedEnvelope> ListedAgain(uint64_t index, const Digest32& id);
  Result<bool> FetchAgain(const CaseEnvelope& e);
  // True when the bytes the store holds for `e` are exactly the envelope its id names.
  Result<bool> HeldWhole(const CaseEnvelope& e) {
    Sha256 sha;
    uint64_t total = 0;
    GAVAH_RETURN_IF_ERROR(InStore(store_.ReadBytes(e.id, [&](std::span<const uint8_t> b) {
      sha.Update(b);
      total += b.size();
      return Status::Ok();
    })));
    return total == e.size && sha.Final() == e.id;
  }
  Status Entry(const gavah::v1::ListedEnvelope& e, uint64_t& after);
  // Keeps a listed envelope (fetching its bytes) unless the store holds it.
  Status Take(const gavah::v1::ListedEnvelope& e, CaseEnvelope& c);
  // Envelopes the server stored and has not logged yet: kept now, checked against the log in
  // the sync after its next batch.
  Status Pending();
  // Warns of envelopes held a day past their hour that the log still does not hold.
  Status WarnNotLogged();
  Status Again();
  Status Shares();
  // Commits the envelopes fetched whole into memory. Called before anything else that moves the
  // store's cursor, so that the cursor never passes an envelope not committed.
  Status FlushBatch() {
    const Status st = InStore(store_.FinishWhole(batch_, me_, NowUnix()));
    batch_.clear();
    batched_.clear();
    batch_bytes_ = 0;
    return st;
  }

  const RecipientBundle& bundle_;
  CaseStore& store_;
  const std::string& label_;
  const Hooks& hooks_;
  cli::ReviewClient client_;
  const std::string me_;
  const InvestigatorSecretKey& key_;
  const size_t k_;
  SyncReport report_;
  std::set<Digest32> recorded_now_;  // withheld entries warned about in the listing
  // The checked log: its size and its envelope entries by index.
  uint64_t log_size_ = 0;
  std::map<uint64_t, tlog::IntakeEntry> logged_envelopes_;
  uint64_t handled_ = 0;
  // Envelopes of at most this size are fetched into memory and committed in batches.
  static constexpr uint64_t kWholeInMemory = uint64_t{4} << 20;
  static constexpr uint64_t kBatchBytes = uint64_t{16} << 20;
  static constexpr size_t kBatchEnvelopes = 256;
  std::vector<CaseStore::WholeEnvelope> batch_;
  std::set<Digest32> batched_;
  uint64_t batch_bytes_ = 0;
};

// The entry the server lists at `index` now; it must still be `id`, or the log was rewritten.
Result<gavah::v1::ListedEnvelope> Syncer::ListedAgain(uint64_t index, const Digest32& id) {
  auto page = client_.List(index);
  if (!page.ok()) return Prefixed("sync", page.status());
  if (page->envelopes_size() == 0 || page->envelopes(0).log_index() != index ||
      page->envelopes(0).envelope_id() != std::string(reinterpret_cast<const char*>(id.data()), 32))
    return Error(ErrorCode::kTampered,
                 "sync: the server no longer lists envelope " + ToHex(id) + " as log entry " +
                     std::to_string(index) +
                     ", which it listed before: its log was cut or renumbered; not trusting this "
                     "answer");
  return page->envelopes(0);
}

// Fetches a held entry's bytes again from the start; true when they match its id (and are
// kept), false when they do not (and are dropped).
Result<bool> Syncer::FetchAgain(const CaseEnvelope& e) {
  // From nothing: bytes left by a fetch that was stopped or killed would otherwise come first.
  GAVAH_RETURN_IF_ERROR(InStore(store_.DropBytes(e.id)));
  uint64_t got = 0;
  Sha256 sha;
  const Status fetched = client_.Fetch(e.id, 0, [&](std::span<const uint8_t> b) {
    GAVAH_RETURN_IF_ERROR(CheckCancelled(hooks_));
    if (b.size() > e.size - got) return Error(ErrorCode::kMalformed, "more bytes than listed");
    got += b.size();
    sha.Update(b);
    return store_.AppendPartial(e.id, b);
  });
  bool whole = fetched.ok() && got == e.size && sha.Final() == e.id;
  if (whole) {
    // What the store now holds is what is kept: checked as the first fetch checks it.
    GAVAH_ASSIGN_OR_RETURN(whole, HeldWhole(e));
  }
  if (!whole) GAVAH_RETURN_IF_ERROR(InStore(store_.DropBytes(e.id)));
  if (fetched.code() == ErrorCode::kCancelled) return fetched;
  return whole;
}

Status Syncer::Entry(const gavah::v1::ListedEnvelope& e, uint64_t& after) {
  if (e.envelope_id().size() != 32)
    return Error(ErrorCode::kMalformed, "sync: the server sent a malformed entry");
  if (e.log_index() < after)
    return Error(ErrorCode::kMalformed, "sync: the server's listing is out of order");
  // Every envelope entry of the checked log is listed, in order: a server that skips one is
  // holding testimony back.
  const auto next = logged_envelopes_.lower_bound(after);
  if (next != logged_envelopes_.end() && next->first < e.log_index()) {
    return Error(ErrorCode::kTampered,
                 "sync: the server's log holds envelope " + ToHex(next->second.envelope_id) +
                     " at entry " + std::to_string(next->first) +
                     ", but the server does not list it: it hides that testimony; not trusting "
                     "this answer");
  }
  after = e.log_index() + 1;
  CaseEnvelope c;
  std::memcpy(c.id.data(), e.envelope_id().data(), 32);
  c.log_index = e.log_index();
  c.received_hour = e.received_hour();
  c.size = e.size();
  // The listing must say what the log says at that index.
  const auto logged = logged_envelopes_.find(c.log_index);
  if (logged == logged_envelopes_.end() || logged->second.envelope_id != c.id ||
      logged->second.hour != c.received_hour) {
    return Error(ErrorCode::kTampered,
                 "sync: the server lists envelope " + ToHex(c.id) + " as log entry " +
                     std::to_string(c.log_index) +
                     ", which the checked log does not say: its listing and its log disagree; "
                     "not trusting this answer");
  }
  // The listed size bounds what is fetched: it must itself be a size an envelope can have.
  const uint64_t limit = bundle_.contents().max_envelope_bytes != 0
                             ? bundle_.contents().max_envelope_bytes
                             : uint64_t{8} << 30;
  if (c.size < kFixedHeaderSize || c.size > limit)
    return Error(ErrorCode::kMalformed,
                 "sync: the server lists envelope " + ToHex(c.id) + " with an impossible size");
  return Take(e, c);
}

Status Syncer::Take(const gavah::v1::ListedEnvelope& e, CaseEnvelope& c) {
  // The witness's receipt, the server's signed promise: kept, so that an envelope exported
  // before the log holds it still carries the server's word for it.
  if (e.receipt_signature().size() != 64)
    return Error(ErrorCode::kMalformed, "sync: the server sent a malformed entry");
  Receipt r;
  r.envelope_id = c.id;
  r.include_by = e.include_by();
  r.received_hour = c.received_hour;
  std::memcpy(r.signature.data(), e.receipt_signature().data(), 64);
  if (const Status ok = VerifyReceipt(r, *bundle_.contents().receipt_key, c.id); !ok.ok())
    return Error(ok.code(), "sync: the server's receipt for " + ToHex(c.id) + ": " + ok.message());
  c.receipt_signature = cli::PackReceipt(r);
  // Listed twice: the first must be in the store before the second is compared with it.
  if (batched_.count(c.id)) GAVAH_RETURN_IF_ERROR(FlushBatch());
  auto found = store_.Find(c.id);
  if (!found.ok()) return InStore(found.status());
  if (*found && c.log_index != cli::kNotLogged && (*found)->log_index != c.log_index) {
    // Synced before the log held it: now it does, here.
    if ((*found)->log_index != cli::kNotLogged) {
      return Error(ErrorCode::kTampered,
                   "sync: the server lists envelope " + ToHex(c.id) + " as log entry " +
                       std::to_string(c.log_index) + ", which this store holds as entry " +
                       std::to_string((*found)->log_index) + ": its log was renumbered");
    }
    GAVAH_RETURN_IF_ERROR(FlushBatch());
    GAVAH_RETURN_IF_ERROR(InStore(store_.SetLogIndex(c.id, c.log_index)));
    return Status::Ok();
  }
  if (e.deleted()) {
    // The server's word is not enough: k investigators of the bundle must have signed.
    if (e.deletion_statements_size() > 255)
      return Error(ErrorCode::kMalformed, "sync: the server sent a malformed entry");
    if (*found) return Status::Ok();  // held, or checked below
    GAVAH_RETURN_IF_ERROR(FlushBatch());
    const size_t agreed = Agreements(e, c.id);
    if (agreed < k_) {
      WarnWithheld(c.id, c.log_index, agreed);
      recorded_now_.insert(c.id);
      // Kept, so that the store lists it and every later sync asks again.
      return InStore(store_.FinishWithoutBytes(c, "withheld",
                                               "the server claims it was deleted, with " +
                                                   std::to_string(agreed) + " of " +
                                                   std::to_string(k_) + " signed agreements",
                                               me_, NowUnix()));
    }
    Tell(hooks_, Note::Kind::kNote,
         "envelope " + ToHex(c.id) +
             " was deleted on the server under the retention rule, signed by " +
             std::to_string(agreed) + " investigators");
    return InStore(
        store_.FinishWithoutBytes(c, "deleted",
                                  "deleted on the server before this store synced it, signed by " +
                                      std::to_string(agreed) + " investigators",
                                  me_, NowUnix()));
  }
  if (*found) return Status::Ok();  // synced before (a cut sync): keep going
  // Resumes a fetch cut short: the store holds what arrived, committed chunk by chunk.
  auto partial = store_.PartialBytes(c.id);
  if (!partial.ok()) return InStore(partial.status());
  if (*partial == 0 && c.size <= kWholeInMemory) {
    // A testimony of ordinary size: fetched into memory (ciphertext) and committed with others.
    std::vector<uint8_t> bytes;
    bytes.reserve(c.size);
    const Status fetched = client_.Fetch(c.id, 0, [&](std::span<const uint8_t> b) {
      GAVAH_RETURN_IF_ERROR(CheckCancelled(hooks_));
      if (b.size() > c.size - bytes.size())
        return Error(ErrorCode::kMalformed, "more bytes than listed");
      bytes.insert(bytes.end(), b.begin(), b.end());
      return Status::Ok();
    });
    if (!fetched.ok() && fetched.code() != ErrorCode::kMalformed)
      return Prefixed(
          "sync: envelope " + ToHex(c.id) + " (log entry " + std::to_string(c.log_index) + ")",
          fetched);
    if (fetched.ok() && bytes.size() == c.size && Sha256Of(bytes) == c.id) {
      ++report_.added;
      batch_bytes_ += bytes.size();
      batched_.insert(c.id);
      batch_.push_back({c, std::move(bytes)});
      if (batch_.size() >= kBatchEnvelopes || batch_bytes_ >= kBatchBytes) return FlushBatch();
      return Status::Ok();
    }
    GAVAH_RETURN_IF_ERROR(FlushBatch());
    ++report_.tampered;
    Tell(hooks_, Note::Kind::kWarning,
         "envelope " + ToHex(c.id) +
             " from the server does not match its id; recorded as tampered, its bytes dropped");
    return InStore(store_.Finish(c, /*tampered=*/true, me_, NowUnix()));
  }
  GAVAH_RETURN_IF_ERROR(FlushBatch());
  if (*partial < c.size) {
    uint64_t got = *partial;
    const Status fetched = client_.Fetch(c.id, *partial, [&](std::span<const uint8_t> b) {
      GAVAH_RETURN_IF_ERROR(CheckCancelled(hooks_));
      if (b.size() > c.size - got) return Error(ErrorCode::kMalformed, "more bytes than listed");
      got += b.size();
      return store_.AppendPartial(c.id, b);
    });
    if (!fetched.ok() && fetched.code() != ErrorCode::kMalformed)
      return Prefixed(
          "sync: envelope " + ToHex(c.id) + " (log entry " + std::to_string(c.log_index) + ")",
          fetched);
  }
  GAVAH_ASSIGN_OR_RETURN(const bool whole, HeldWhole(c));
  const bool bad = !whole;
  if (bad) {
    ++report_.tampered;
    Tell(hooks_, Note::Kind::kWarning,
         "envelope " + ToHex(c.id) +
             " from the server does not match its id; recorded as tampered, its bytes dropped");
  } else {
    ++report_.added;
  }
  return InStore(store_.Finish(c, bad, me_, NowUnix()));
}

Status Syncer::Pending() {
  std::optional<Digest32> after;
  for (bool more = true; more;) {
    GAVAH_RETURN_IF_ERROR(CheckCancelled(hooks_));
    auto page = client_.ListPending(after);
    if (!page.ok()) return Prefixed("sync", page.status());
    more = page->more() && page->envelopes_size() > 0;
    for (const auto& e : page->envelopes()) {
      if (e.envelope_id().size() != 32 || !e.pending())
        return Error(ErrorCode::kMalformed, "sync: the server sent a malformed entry");
      CaseEnvelope c;
      std::memcpy(c.id.data(), e.envelope_id().data(), 32);
      if (after && c.id <= *after)
        return Error(ErrorCode::kMalformed, "sync: the server's listing is out of order");
      after = c.id;
      c.log_index = cli::kNotLogged;
      c.received_hour = e.received_hour();
      c.size = e.size();
      const uint64_t limit = bundle_.contents().max_envelope_bytes != 0
                                 ? bundle_.contents().max_envelope_bytes
                                 : uint64_t{8} << 30;
      if (c.size < kFixedHeaderSize || c.size > limit || c.received_hour % 3600 != 0)
        return Error(ErrorCode::kMalformed, "sync: the server lists envelope " + ToHex(c.id) +
                                                " with an impossible size or time");
      auto found = store_.Find(c.id);
      if (!found.ok()) return InStore(found.status());
      if (*found) continue;
      ++report_.pending;
      GAVAH_RETURN_IF_ERROR(Take(e, c));
      if (hooks_.progress) hooks_.progress(++handled_, 0);
    }
  }
  return FlushBatch();
}

Status Syncer::WarnNotLogged() {
  // What was kept before the log held it must be in it once its hour is well past: the server
  // promised the witness so (PROTOCOL.md 12.9), and a day is beyond any batch.
  auto listed = store_.List();
  if (!listed.ok()) return InStore(listed.status());
  const uint64_t now = NowUnix();
  for (const auto& e : *listed) {
    if (e.log_index != cli::kNotLogged) continue;
    ++report_.not_logged;
    if (now > e.received_hour + 86400) {
      Tell(hooks_, Note::Kind::kWarning,
           "THE SERVER HAS NOT LOGGED envelope " + ToHex(e.id) + ", received in the hour from " +
               UtcTime(e.received_hour) +
               ", though this store holds it: it may be hiding it from its public log");
    }
  }
  return Status::Ok();
}

// Damaged and withheld entries, asked about again.
Status Syncer::Again() {
  // An envelope that arrived damaged is fetched again: the damage may have been one bad
  // endpoint or one bad transfer, and the testimony must not be lost for it.
  auto listed = store_.List();
  if (!listed.ok()) return InStore(listed.status());
  for (const auto& e : *listed) {
    if (e.state != "tampered") continue;
    GAVAH_RETURN_IF_ERROR(CheckCancelled(hooks_));
    GAVAH_ASSIGN_OR_RETURN(const bool whole, FetchAgain(e));
    if (whole) {
      GAVAH_RETURN_IF_ERROR(
          InStore(store_.Record(e.id, me_, "synced again: now matches its id", "new", NowUnix())));
      ++report_.added;
    } else {
      ++report_.tampered;
    }
    Tell(hooks_, Note::Kind::kWarning,
         "envelope " + ToHex(e.id) +
             (whole ? " fetched again and now matches its id"
                    : " still does not match its id on the server"));
  }
  // Envelopes the server claimed deleted without showing k agreements are asked about again
  // on every sync, until the bytes come back or the agreements do: the alarm never goes quiet.
  listed = store_.List();
  if (!listed.ok()) return InStore(listed.status());
  for (const auto& e : *listed) {
    if (e.state != "withheld" || recorded_now_.count(e.id)) continue;
    GAVAH_RETURN_IF_ERROR(CheckCancelled(hooks_));
    GAVAH_ASSIGN_OR_RETURN(const auto now, ListedAgain(e.log_index, e.id));
    if (now.deleted()) {
      const size_t agreed = Agreements(now, e.id);
      if (agreed < k_) {
        WarnWithheld(e.id, e.log_index, agreed);
        continue;
      }
      GAVAH_RETURN_IF_ERROR(InStore(store_.Record(
          e.id, me_, "deletion now signed by " + std::to_string(agreed) + " investigators",
          "deleted", NowUnix())));
      continue;
    }
    // No longer called deleted: its bytes must come back whole, or it stays withheld.
    GAVAH_ASSIGN_OR_RETURN(const bool whole, FetchAgain(e));
    if (whole) {
      GAVAH_RETURN_IF_ERROR(InStore(store_.Record(
          e.id, me_, "the server serves it again; it matches its id", "new", NowUnix())));
      ++report_.added;
      continue;
    }
    ++report_.withheld;
    Tell(hooks_, Note::Kind::kWarning,
         "THE SERVER WITHHOLDS TESTIMONY: envelope " + ToHex(e.id) + " (log entry " +
             std::to_string(e.log_index) +
             "), once claimed deleted, is served with bytes that do not match its id");
  }
  return Status::Ok();
}

// Shares colleagues released to this investigator, kept sealed until opening uses them.
Status Syncer::Shares() {
  for (bool more = true; more;) {
    GAVAH_RETURN_IF_ERROR(CheckCancelled(hooks_));
    auto cursor = store_.SharesCursor();
    if (!cursor.ok()) return InStore(cursor.status());
    const uint64_t from = *cursor;
    auto page = client_.FetchShares(from);
    if (!page.ok()) return Prefixed("sync", page.status());
    more = page->more() && page->shares_size() > 0;
    uint64_t next = from;
    for (const auto& s : page->shares()) {
      if (s.seq() < next || s.seq() >= (uint64_t{1} << 62))
        return Error(ErrorCode::kMalformed, "sync: the server's shares are out of order");
      next = s.seq() + 1;
      std::span<const uint8_t> sealed(reinterpret_cast<const uint8_t*>(s.sealed().data()),
                                      s.sealed().size());
      auto checked = OpenReleasedShare(sealed, key_, bundle_);
      if (!checked.ok()) {
        Tell(hooks_, Note::Kind::kWarning,
             "a share from the server is refused: " + checked.status().message());
      } else {
        auto held = store_.Find(checked->envelope_id);
        if (!held.ok()) return InStore(held.status());
        if (!*held) {
          Tell(hooks_, Note::Kind::kWarning,
               "a share for envelope " + ToHex(checked->envelope_id) +
                   ", which this store does not hold, is refused");
        } else {
          ++report_.shares;
          GAVAH_RETURN_IF_ERROR(InStore(store_.Record(
              checked->envelope_id, me_,
              "received a share from " + FingerprintToText(checked->from), "", NowUnix())));
        }
      }
      // A refused share leaves only its place, so the cursor moves past it.
      if (!checked.ok()) sealed = {};
      GAVAH_RETURN_IF_ERROR(InStore(store_.AddShare(s.seq(), sealed)));
    }
  }
  return Status::Ok();
}

Status Syncer::CheckLog() {
  const auto& log_key = *bundle_.contents().receipt_key;
  std::vector<tlog::VerifierKey> witnesses;
  for (const auto& w : bundle_.contents().witnesses) {
    auto k = tlog::ParseVerifierKey(w.verifier_key);
    if (k.ok()) witnesses.push_back(*k);
  }
  transport::SendOptions o;
  o.servers_only = true;
  auto fetched = transport::FetchLog(bundle_, "", "checkpoint", o);
  if (!fetched.ok()) return Prefixed("sync: the server's log", fetched.status());
  const std::string note(fetched->begin(), fetched->end());
  auto accepted =
      tlog::AcceptCheckpoint(note, log_key, witnesses, bundle_.contents().witness_quorum);
  if (!accepted.ok())
    return Error(accepted.status().code(),
                 "sync: the server's checkpoint is refused: " + accepted.status().message());
  const tlog::Checkpoint& cp = accepted->checkpoint;
  if (cp.size > tlog::kMaxListedTree)
    return Error(ErrorCode::kMalformed,
                 "sync: the server's checkpoint claims an implausible size; not trusting it");
  // What this store checked before: its entries, and the checkpoint they led to.
  tlog::MerkleTree tree;
  std::vector<tlog::IntakeEntry> entries;
  auto keep = [&](uint64_t index, std::span<const uint8_t> bytes) -> Status {
    auto e = tlog::ParseEntry(bytes);
    if (!e.ok())
      return Error(ErrorCode::kTampered, "log entry " + std::to_string(index) +
                                             " is not an entry: " + e.status().message());
    tree.Append(tlog::LeafHash(bytes));
    entries.push_back(*e);
    return Status::Ok();
  };
  GAVAH_RETURN_IF_ERROR(InStore(store_.ReadLog(keep)));
  const uint64_t held = tree.size();
  auto kept = store_.Blob("log_checkpoint");
  if (!kept.ok()) return InStore(kept.status());
  std::string older = "the checkpoint of size " + std::to_string(held) + " this store checked";
  if (cp.size < held) {
    return Error(ErrorCode::kTampered,
                 "sync: the server's checkpoint of size " + std::to_string(cp.size) +
                     " is smaller than " + older +
                     ": the log was cut or rewritten; not trusting this answer");
  }
  std::vector<std::vector<uint8_t>> fresh;
  for (uint64_t n = held / tlog::kTileWidth; n * tlog::kTileWidth < cp.size; ++n) {
    GAVAH_RETURN_IF_ERROR(CheckCancelled(hooks_));
    const uint64_t first = n * tlog::kTileWidth;
    const unsigned width =
        static_cast<unsigned>(std::min<uint64_t>(tlog::kTileWidth, cp.size - first));
    auto bundle = transport::FetchLog(bundle_, "", tlog::EntriesPath(n, width), o);
    if (!bundle.ok()) return Prefixed("sync: the server's log", bundle.status());
    auto parsed = tlog::ParseEntryBundle(*bundle);
    if (!parsed.ok() || parsed->size() != width)
      return Error(ErrorCode::kTampered,
                   "sync: the server's entry bundle " + std::to_string(n) + " is damaged");
    for (uint64_t i = std::max(first, held) - first; i < width; ++i) {
      GAVAH_RETURN_IF_ERROR(Prefixed("sync: the server's log", keep(first + i, (*parsed)[i])));
      fresh.push_back(std::move((*parsed)[i]));
    }
  }
  const Digest32 root = tree.Root(cp.size).value();
  if (root != cp.root) {
    return Error(ErrorCode::kTampered,
                 "sync: the server's checkpoint of size " + std::to_string(cp.size) + " (root " +
                     ToBase64(cp.root) + ") does not follow from its entries" +
                     (held > 0 ? " and " + older : std::string()) +
                     ": the server rewrote its log or shows investigators another one than it "
                     "showed its witnesses; not trusting this answer");
  }
  if (!fresh.empty() || kept->empty() || cp.size == held)
    GAVAH_RETURN_IF_ERROR(InStore(store_.ExtendLog(held, fresh, note)));
  log_size_ = cp.size;
  for (uint64_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (e.type == tlog::EntryType::kEnvelope) logged_envelopes_.emplace(i, e);
  }
  report_.log_size = cp.size;
  report_.cosigners = accepted->cosigners;
  return Status::Ok();
}

Result<SyncReport> Syncer::Steps() {
  // A case store belongs to one organisation, and never goes back to an older bundle of it.
  GAVAH_RETURN_IF_ERROR(CheckAgainstStore(bundle_, store_, "the bundle", label_));
  GAVAH_RETURN_IF_ERROR(InStore(store_.SetBundle(bundle_.bytes())));
  GAVAH_RETURN_IF_ERROR(InStore(store_.SetBlob(
      "owner", std::span(reinterpret_cast<const uint8_t*>(me_.data()), me_.size()))));
  // What waits for the log first, then the log: an envelope the log takes in between is then
  // taken either as waiting or as logged, never missed between the two listings.
  GAVAH_RETURN_IF_ERROR(Pending());
  GAVAH_RETURN_IF_ERROR(CheckLog());
  auto cursor = store_.SyncCursor();
  if (!cursor.ok()) return InStore(cursor.status());
  uint64_t after = *cursor;
  // The last entry this store saw must still be there, unchanged: a server that cut the end of
  // its log, or numbered it anew, would otherwise go unnoticed by a store that lists onwards.
  if (after > 0) {
    auto listed = store_.List();
    if (!listed.ok()) return InStore(listed.status());
    for (const auto& e : *listed)
      if (e.log_index == after - 1) GAVAH_RETURN_IF_ERROR(ListedAgain(e.log_index, e.id).status());
  }
  for (bool more = true; more && after < log_size_;) {
    GAVAH_RETURN_IF_ERROR(CheckCancelled(hooks_));
    auto page = client_.List(after);
    if (!page.ok()) return Prefixed("sync", page.status());
    more = page->more();
    for (const auto& e : page->envelopes()) {
      // Entries past the checked checkpoint wait for the next sync, when a checkpoint holds them.
      if (e.log_index() >= log_size_) {
        more = false;
        break;
      }
      GAVAH_RETURN_IF_ERROR(CheckCancelled(hooks_));
      GAVAH_RETURN_IF_ERROR(Entry(e, after));
      if (hooks_.progress) hooks_.progress(++handled_, 0);
    }
    GAVAH_RETURN_IF_ERROR(FlushBatch());
    if (page->envelopes_size() == 0) break;
  }
  // Envelope entries after the last one listed must not be missing either.
  if (const auto next = logged_envelopes_.lower_bound(after); next != logged_envelopes_.end()) {
    return Error(ErrorCode::kTampered,
                 "sync: the server's log holds envelope " + ToHex(next->second.envelope_id) +
                     " at entry " + std::to_string(next->first) +
                     ", but the server does not list it: it hides that testimony; not trusting "
                     "this answer");
  }
  GAVAH_RETURN_IF_ERROR(WarnNotLogged());
  GAVAH_RETURN_IF_ERROR(Again());
  GAVAH_RETURN_IF_ERROR(Shares());
  return report_;
}

}  // namespace

Result<std::string> HeldCheckpoint(CaseStore& store) {
  GAVAH_ASSIGN_OR_RETURN(const auto note, store.Blob("log_checkpoint"));
  return std::string(note.begin(), note.end());
}

Result<SyncReport> Sync(const RecipientBundle& bundle, const InvestigatorSecretKey& key,
                        CaseStore& store, const std::string& store_label, const Hooks& hooks) {
  GAVAH_RETURN_IF_ERROR(CanSyncWith(bundle));
  GAVAH_RETURN_IF_ERROR(IsInvestigatorOf(bundle, key, "the key"));
  Syncer s(bundle, key, store, store_label, hooks);
  return s.Run();
}

}  // namespace gavah::investigator
