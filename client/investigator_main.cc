// gavah-investigator: organisation set-up (keys, signed bundle) and opening envelopes.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>

#include "case_store.h"
#include "cli_support.h"
#include "gavah/crypto/codename.h"
#include "gavah/crypto/deletion.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/evidence.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/process.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/released_share.h"
#include "gavah/crypto/reply.h"
#include "gavah/crypto/utf8.h"
#include "intake_client.h"
#include "investigator.h"
#include "review_client.h"
#include "testimony_dir.h"

namespace gavah::cli {
namespace {

void Print(bool json, const JsonObject& obj, const std::string& human) {
  std::cout << (json ? obj.str() + "\n" : human);
}

int OrgInit(const std::string& out, const PassphraseSource& pass, bool json) {
  const auto paths = Must(investigator::FreeKeyPaths(out), "");
  SecretBuffer passphrase = ReadPassphrase(pass, "New passphrase for " + out + ": ", true);
  const auto made = Must(investigator::CreateOrganisationKey(paths, passphrase.span()), "");
  Print(json,
        JsonObject()
            .Add("fingerprint", made.fingerprint)
            .Add("key_file", out)
            .Add("public_key_file", paths.public_file),
        "organisation key written to " + out + " (public part: " + paths.public_file + ")\n" +
            "fingerprint: " + made.fingerprint + "\n" +
            "Give this fingerprint to witnesses through a channel you trust; they pin it with "
            "--org-fingerprint.\n");
  return 0;
}

int Keygen(const std::string& name, const std::string& out, const PassphraseSource& pass,
           bool json) {
  const auto paths = Must(investigator::FreeKeyPaths(out), "");
  if (!IsValidInvestigatorName(name)) Fail("--name must be 1-64 bytes of printable UTF-8");
  SecretBuffer passphrase = ReadPassphrase(pass, "New passphrase for " + out + ": ", true);
  const auto made = Must(investigator::CreateInvestigatorKey(name, paths, passphrase.span()), "");
  Print(json,
        JsonObject()
            .Add("name", name)
            .Add("fingerprint", made.fingerprint)
            .Add("key_file", out)
            .Add("public_key_file", paths.public_file),
        "investigator key for " + name + " written to " + out + " (public part: " +
            paths.public_file + ")\n" + "fingerprint: " + made.fingerprint + "\n");
  return 0;
}

int Bundle(const investigator::BundleRequest& request, const std::string& org_key,
           const std::string& out, const PassphraseSource& pass, bool json) {
  FailIfExists(out);
  investigator::BundleRequest r = request;
  r.now = NowUnix();
  // Every rule (k, n, duplicates, pins) is checked before the passphrase is asked for.
  const BundleContents c = Must(investigator::PrepareBundle(r), "");
  const OrganisationKey org = LoadOrganisationKey(org_key, pass);
  Must(investigator::WriteBundle(c, org, out), "");
  const std::string fp = FingerprintToText(org.fingerprint());
  std::string human = "bundle written to " + out + ": any " + std::to_string(c.threshold) + " of " +
                      std::to_string(c.investigators.size()) +
                      " investigators can open testimony\n";
  for (const auto& inv : c.investigators) {
    human += "  " + inv.name + "  " + FingerprintToText(inv.fingerprint()) + "\n";
  }
  human += "signed by organisation key " + fp + "; expires " + Iso8601Date(c.expires_at) + "\n";
  Print(json,
        JsonObject()
            .Add("fingerprint", fp)
            .Add("bundle_file", out)
            .Add("threshold", c.threshold)
            .Add("investigators", c.investigators.size())
            .Add("expires_at", c.expires_at),
        human);
  return 0;
}

// An envelope's bytes read from the case store, chunk by chunk, hashed as they pass.
class StoreSource : public ByteSource {
 public:
  StoreSource(CaseStore& store, const Digest32& id) : store_(store), id_(id) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    size_t n = 0;
    while (n < out.size()) {
      if (pos_ == chunk_.size()) {
        GAVAH_ASSIGN_OR_RETURN(bool more, store_.ReadChunk(id_, seq_, &chunk_));
        if (!more) break;
        ++seq_;
        pos_ = 0;
        sha_.Update(chunk_);
        continue;
      }
      const size_t take = std::min(out.size() - n, chunk_.size() - pos_);
      std::memcpy(out.data() + n, chunk_.data() + pos_, take);
      pos_ += take;
      n += take;
    }
    return n;
  }
  bool ComputesSha256() const override { return true; }
  Result<Digest32> Digest() override { return sha_.Final(); }

 private:
  CaseStore& store_;
  const Digest32 id_;
  std::vector<uint8_t> chunk_;  // ciphertext
  size_t pos_ = 0;
  uint64_t seq_ = 0;
  Sha256 sha_;
};

// What OpenFrom hands its caller once the envelope is open.
struct Opened {
  std::vector<std::string> who;  // fingerprints of the keys given
  std::optional<PublicKey32> reply_key;
  SecretBuffer files;     // TestimonyDirectory::AttachmentList()
  SecretBuffer file_key;  // opens this envelope only (an evidence package carries it)
};

// Opens the envelope `in` yields into `out`, with the keys at `key_paths` and any `released`
// shares (sealed to one of those keys by colleagues) for envelope `expected` (zero: any,
// with no released shares). A released share that does not fit is passed to `set_aside`.
int OpenFrom(ByteSource& in, const std::string& envelope, const std::vector<std::string>& key_paths,
             const std::vector<std::vector<uint8_t>>& released, const Digest32& expected,
             const RecipientBundle* bundle, const std::string& out, const PassphraseSource& pass,
             bool json, const std::function<void(Opened&)>& opened_by = nullptr, bool quiet = false,
             const std::function<void(std::span<const uint8_t>)>& set_aside = nullptr) {
  // The header is checked before any passphrase is asked for: junk fails fast.
  const EnvelopeHeader header = Must(ReadEnvelopeHeader(in), envelope);
  // The investigator's own shares come first, then colleagues': a bad released share can then
  // only cost a retry, never push out a share opened from our own stanza.
  struct Held {
    std::string from;                    // whose share: a key file, or a colleague's fingerprint
    const std::vector<uint8_t>* sealed;  // the released share it came from, if any
  };
  std::vector<Share> shares;
  std::vector<Held> held;
  std::vector<Share> theirs, superseded;
  std::vector<Held> theirs_held, superseded_held;
  std::vector<std::string> who;
  for (const auto& path : key_paths) {
    const InvestigatorSecretKey key = LoadInvestigatorKey(path, pass);
    who.push_back(FingerprintToText(key.public_key().fingerprint()));
    for (const auto& sealed : released) {
      if (bundle == nullptr) break;
      if (sealed.empty()) continue;  // set aside before
      auto got = OpenReleasedShare(sealed, key, *bundle);
      if (!got.ok()) continue;  // for another of the given keys, or not usable
      if (got->envelope_id != expected) continue;
      // One share per colleague, the latest they released: a server replaying a share, or a
      // colleague releasing thousands, then adds one share to try, not thousands.
      // The earlier ones are only checked, once a key is found, and set aside if they do not fit.
      const std::string from = FingerprintToText(got->from);
      bool replaced = false;
      for (size_t i = 0; i < theirs.size() && !replaced; ++i) {
        if (theirs_held[i].from != from) continue;
        superseded.push_back(std::move(theirs[i]));
        superseded_held.push_back(theirs_held[i]);
        theirs[i] = std::move(got->share);
        theirs_held[i].sealed = &sealed;
        replaced = true;
      }
      if (!replaced) {
        theirs.push_back(std::move(got->share));
        theirs_held.push_back(Held{from, &sealed});
      }
    }
    auto share = OpenShare(header, key);
    if (!share.ok()) {
      if (share.status().code() != ErrorCode::kNotRecipient) Fail(envelope, share.status());
      std::fprintf(stderr, "note: %s is not a recipient of this envelope\n", path.c_str());
      continue;
    }
    bool dup = false;
    for (const auto& s : shares) dup |= s.x == share->x;
    if (!dup) {
      shares.push_back(std::move(share).value());
      held.push_back(Held{path, nullptr});
    }
  }
  const size_t own = shares.size();
  // A share we hold ourselves wins. Colleagues' shares are all kept, even two for one x: the
  // first might be the bad one, and the combination sorts them out.
  auto add_colleagues = [&](std::vector<Share>& from, const std::vector<Held>& whose) {
    for (size_t i = 0; i < from.size(); ++i) {
      bool dup = false;
      for (size_t j = 0; j < own; ++j) dup |= shares[j].x == from[i].x;
      if (dup) continue;
      shares.push_back(std::move(from[i]));
      held.push_back(whose[i]);
    }
  };
  add_colleagues(theirs, theirs_held);
  if (shares.empty()) {
    Fail(envelope +
         ": not a recipient: none of the given keys can open this envelope (it is for "
         "organisation " +
         FingerprintToText(header.organisation_id) + ")");
  }
  const size_t searched = shares.size();
  add_colleagues(superseded, superseded_held);
  CombinedKey combined = Must(CombineSharesRobust(header, shares, searched), envelope);
  for (size_t i : combined.used) {
    if (held[i].sealed != nullptr)
      std::fprintf(stderr, "note: using the key share that %s released\n", held[i].from.c_str());
  }
  if (combined.subsets_tried > 1) {
    std::fprintf(stderr,
                 "note: %llu combinations of %u key shares were tried before one opened it\n",
                 static_cast<unsigned long long>(combined.subsets_tried), header.threshold);
  }
  std::vector<std::pair<std::string, size_t>> misfits_by;  // colleague, shares not fitting
  for (size_t i : combined.misfits) {
    if (held[i].sealed != nullptr) {
      auto it = std::find_if(misfits_by.begin(), misfits_by.end(),
                             [&](const auto& m) { return m.first == held[i].from; });
      if (it == misfits_by.end()) {
        misfits_by.emplace_back(held[i].from, 1);
      } else {
        ++it->second;
      }
      if (set_aside) set_aside(*held[i].sealed);
    } else {
      std::fprintf(stderr,
                   "gavah-investigator: the key share sealed to %s does not fit the others: the "
                   "envelope was sealed inconsistently\n",
                   held[i].from.c_str());
    }
  }
  for (const auto& [from, count] : misfits_by) {
    std::fprintf(stderr,
                 "gavah-investigator: the key share that %s released for this envelope does not "
                 "fit it%s; it is set aside for good (ask them to release it again)\n",
                 from.c_str(),
                 count > 1 ? (" (" + std::to_string(count) + " shares)").c_str() : "");
  }
  const SecretBuffer& file_key = combined.file_key;
  auto dir = TestimonyDirectory::Create(out);
  const Status opened = OpenPayload(header, file_key, in, *dir);
  if (!opened.ok()) Fail(envelope, opened);
  const EnvelopeId id = Must(in.Digest(), envelope);
  if (expected != Digest32{} && id != expected)
    Fail(envelope + " does not match its id: the case store is damaged; nothing was opened");
  const Status st = dir->Commit(id, header.organisation_id);
  if (!st.ok()) Fail(out, st);
  const std::string hex = ToHex(id);
  if (!quiet) {
    JsonObject o;
    o.Add("envelope_id", hex).Add("out_dir", out).Add("files", dir->file_count());
    if (dir->has_consent()) o.Add("consent", dir->ConsentText());
    // The witness's consent is said every time a testimony is opened, so that no use of it can
    // start without it in view.
    Print(json, o,
          "envelope " + hex + " verified and opened into " + out + " (" +
              std::to_string(dir->file_count()) + " files, see manifest.json)\n" +
              (dir->has_consent()
                   ? "the witness allows: " + dir->ConsentText() + "\n"
                   : "the witness was not asked for consent: use it for the organisation's own "
                     "review only\n"));
  }
  if (opened_by) {
    Opened o{who, dir->reply_key(), dir->AttachmentList(), SecretBuffer::CopyOf(file_key.span())};
    opened_by(o);
  }
  return 0;
}

int Open(const std::string& envelope, const std::vector<std::string>& key_paths,
         const std::string& out, const PassphraseSource& pass, bool json) {
  const int fd = Must(OpenRegularFile(envelope, UINT64_MAX, nullptr), "");
  CatchInterrupts();
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  ReadAheadSource in(fd, envelope, /*hash=*/true);
  const int rc = OpenFrom(in, envelope, key_paths, {}, Digest32{}, nullptr, out, pass, json);
  ::close(fd);
  return rc;
}

// The case store at `path`, asking for its passphrase (twice when it is new).
std::unique_ptr<CaseStore> OpenCaseStore(const std::string& path, const PassphraseSource& pass,
                                         bool may_create) {
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists && !may_create) Fail(path + " does not exist; `sync` creates it");
  SecretBuffer passphrase = ReadPassphrase(
      pass,
      (exists ? "Passphrase for the case store " : "New passphrase for the case store ") + path +
          ": ",
      !exists);
  return Must(CaseStore::Open(path, passphrase.span()), path);
}

// A bundle given for work on a case store must be of the store's organisation (a bundle from
// another is refused, not adopted) and not older than the one the store last synced with: an
// older one may still list an investigator or a server the organisation has since removed.
void CheckAgainstStore(const RecipientBundle& bundle, CaseStore& store,
                       const std::string& bundle_path, const std::string& store_path) {
  const auto held = Must(store.Bundle(), store_path);
  if (held.empty()) return;
  const auto previous = Must(RecipientBundle::Parse(held), store_path);
  if (previous.organisation_fingerprint() != bundle.organisation_fingerprint()) {
    Fail(bundle_path + " is signed by organisation " +
         FingerprintToText(bundle.organisation_fingerprint()) + ", but " + store_path +
         " holds testimony of organisation " +
         FingerprintToText(previous.organisation_fingerprint()));
  }
  CheckNotOlder(bundle, previous.contents().issued_at, bundle_path);
}

Digest32 IdArg(const std::string& hex) {
  auto bytes = FromHex(hex);
  if (!bytes || bytes->size() != 32) Fail("an envelope id is 64 hexadecimal digits");
  Digest32 id{};
  std::memcpy(id.data(), bytes->data(), 32);
  return id;
}

int Sync(const std::string& key_path, const std::string& bundle_path, const std::string& store_path,
         const PassphraseSource& pass, bool json) {
  // An expired bundle still says which server holds the organisation's testimony.
  const RecipientBundle bundle = LoadBundle(bundle_path, "", /*require_current=*/false);
  if (!bundle.contents().receipt_key) Fail("the bundle names no receipt key to check receipts");
  const InvestigatorSecretKey key = LoadInvestigatorKey(key_path, pass);
  bool listed = false;
  for (const auto& inv : bundle.contents().investigators)
    listed |= inv.signing_key == key.public_key().signing_key;
  if (!listed) Fail(key_path + " is not an investigator of this bundle");
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/true);
  CatchInterrupts();
  const std::string me = FingerprintToText(key.public_key().fingerprint());
  // A case store belongs to one organisation, and never goes back to an older bundle of it.
  CheckAgainstStore(bundle, *store, bundle_path, store_path);
  if (const Status st = store->SetBundle(bundle.bytes()); !st.ok()) Fail(store_path, st);
  if (const Status st = store->SetBlob(
          "owner", std::span(reinterpret_cast<const uint8_t*>(me.data()), me.size()));
      !st.ok())
    Fail(store_path, st);
  ReviewClient client(bundle, key, transport::SendOptions{});
  uint64_t after = Must(store->SyncCursor(), store_path);
  uint64_t added = 0, tampered = 0, withheld = 0;
  // A deletion counts only with k signed statements for the server that answered (9.4).
  auto agreements = [&](const gavah::v1::ListedEnvelope& e, const Digest32& id) {
    std::vector<std::vector<uint8_t>> statements;
    for (const auto& st : e.deletion_statements()) statements.emplace_back(st.begin(), st.end());
    const std::array<Digest32, 1> answering{client.server()};
    return CountDeletionAgreements(statements, bundle, answering, id);
  };
  const size_t k = bundle.contents().threshold;
  auto warn_withheld = [&](const Digest32& id, uint64_t index, size_t agreed) {
    ++withheld;
    std::fprintf(stderr,
                 "gavah-investigator: THE SERVER WITHHOLDS TESTIMONY: it says envelope %s (log "
                 "entry %llu) was deleted, but shows %zu valid signed agreement(s) of the %zu the "
                 "bundle requires\n",
                 ToHex(id).c_str(), static_cast<unsigned long long>(index), agreed, k);
  };
  std::set<Digest32> recorded_now;  // withheld entries warned about in the listing below
  // The entry the server lists at `index` now; it must still be `id`, or the log was rewritten.
  auto listed_again = [&](uint64_t index, const Digest32& id) {
    const auto page = Must(client.List(index), "sync");
    if (page.envelopes_size() == 0 || page.envelopes(0).log_index() != index ||
        page.envelopes(0).envelope_id() !=
            std::string(reinterpret_cast<const char*>(id.data()), 32))
      Fail("sync: the server no longer lists envelope " + ToHex(id) + " as log entry " +
           std::to_string(index) +
           ", which it listed before: its log was cut or renumbered; not trusting this answer");
    return page.envelopes(0);
  };
  // Fetches a held entry's bytes again from the start; true when they match its id (and are
  // kept), false when they do not (and are dropped).
  auto fetch_again = [&](const CaseEnvelope& e) {
    uint64_t got = 0;
    Sha256 sha;
    const Status fetched = client.Fetch(e.id, 0, [&](std::span<const uint8_t> b) {
      if (b.size() > e.size - got) return Error(ErrorCode::kMalformed, "more bytes than listed");
      got += b.size();
      sha.Update(b);
      return store->AppendPartial(e.id, b);
    });
    const bool whole = fetched.ok() && got == e.size && sha.Final() == e.id;
    if (!whole) {
      if (const Status st = store->DropBytes(e.id); !st.ok()) Fail(store_path, st);
    }
    return whole;
  };
  // The last entry this store saw must still be there, unchanged: a server that cut the end of
  // its log, or numbered it anew, would otherwise go unnoticed by a store that lists onwards.
  if (after > 0) {
    for (const auto& e : Must(store->List(), store_path))
      if (e.log_index == after - 1) listed_again(e.log_index, e.id);
  }
  for (bool more = true; more;) {
    const auto page = Must(client.List(after), "sync");
    more = page.more();
    for (const auto& e : page.envelopes()) {
      if (e.envelope_id().size() != 32 || e.receipt_signature().size() != 64)
        Fail("sync: the server sent a malformed entry");
      // The log has no gaps: a server that skips an entry is holding testimony back.
      if (e.log_index() != after) {
        Fail("sync: the server's log jumps from entry " + std::to_string(after) + " to " +
             std::to_string(e.log_index()) + "; not trusting this answer");
      }
      if (after >= (uint64_t{1} << 62)) Fail("sync: the server's log index is implausible");
      after = e.log_index() + 1;
      CaseEnvelope c;
      std::memcpy(c.id.data(), e.envelope_id().data(), 32);
      c.log_index = e.log_index();
      c.received_hour = e.received_hour();
      c.size = e.size();
      // The listed size bounds what is fetched: it must itself be a size an envelope can have.
      const uint64_t limit = bundle.contents().max_envelope_bytes != 0
                                 ? bundle.contents().max_envelope_bytes
                                 : uint64_t{8} << 30;
      if (c.size < kFixedHeaderSize || c.size > limit)
        Fail("sync: the server lists envelope " + ToHex(c.id) + " with an impossible size");
      c.receipt_signature.assign(e.receipt_signature().begin(), e.receipt_signature().end());
      Receipt r;
      r.envelope_id = c.id;
      r.log_index = c.log_index;
      r.received_hour = c.received_hour;
      std::memcpy(r.signature.data(), c.receipt_signature.data(), 64);
      const Status receipt_ok = VerifyReceipt(r, *bundle.contents().receipt_key, c.id);
      if (!receipt_ok.ok())
        Fail("sync: the server's receipt for " + ToHex(c.id) + ": ", receipt_ok);
      if (e.deleted()) {
        // The server's word is not enough: k investigators of the bundle must have signed.
        if (e.deletion_statements_size() > 255) Fail("sync: the server sent a malformed entry");
        if (Must(store->Find(c.id), store_path)) continue;  // held, or checked below
        const size_t agreed = agreements(e, c.id);
        Status st;
        if (agreed < k) {
          warn_withheld(c.id, c.log_index, agreed);
          recorded_now.insert(c.id);
          // Kept, so that `list` shows it and every later sync asks again.
          st = store->FinishWithoutBytes(c, "withheld",
                                         "the server claims it was deleted, with " +
                                             std::to_string(agreed) + " of " + std::to_string(k) +
                                             " signed agreements",
                                         me, NowUnix());
        } else {
          std::fprintf(stderr,
                       "note: envelope %s was deleted on the server under the retention rule, "
                       "signed by %zu investigators\n",
                       ToHex(c.id).c_str(), agreed);
          st = store->FinishWithoutBytes(c, "deleted",
                                         "deleted on the server before this store synced it, "
                                         "signed by " +
                                             std::to_string(agreed) + " investigators",
                                         me, NowUnix());
        }
        if (!st.ok()) Fail(store_path, st);
        continue;
      }
      if (Must(store->Find(c.id), store_path)) {  // synced before (a cut sync): keep going
        continue;
      }
      // Resumes a fetch cut short: the store holds what arrived, committed chunk by chunk.
      const uint64_t held = Must(store->PartialBytes(c.id), store_path);
      if (held < c.size) {
        uint64_t got = held;
        const Status fetched = client.Fetch(c.id, held, [&](std::span<const uint8_t> b) {
          if (b.size() > c.size - got)
            return Error(ErrorCode::kMalformed, "more bytes than listed");
          got += b.size();
          return store->AppendPartial(c.id, b);
        });
        if (!fetched.ok() && fetched.code() != ErrorCode::kMalformed)
          Fail("sync: envelope " + ToHex(c.id) + " (log entry " + std::to_string(c.log_index) + ")",
               fetched);
      }
      Sha256 sha;
      uint64_t total = 0;
      const Status read = store->ReadBytes(c.id, [&](std::span<const uint8_t> b) {
        sha.Update(b);
        total += b.size();
        return Status::Ok();
      });
      if (!read.ok()) Fail(store_path, read);
      const bool bad = total != c.size || sha.Final() != c.id;
      if (bad) {
        ++tampered;
        std::fprintf(stderr,
                     "gavah-investigator: envelope %s from the server does not match its id; "
                     "recorded as tampered, its bytes dropped\n",
                     ToHex(c.id).c_str());
      } else {
        ++added;
      }
      if (const Status done = store->Finish(c, bad, me, NowUnix()); !done.ok())
        Fail(store_path, done);
    }
    if (page.envelopes_size() == 0) break;
  }
  // An envelope that arrived damaged is fetched again: the damage may have been one bad
  // endpoint or one bad transfer, and the testimony must not be lost for it.
  for (const auto& e : Must(store->List(), store_path)) {
    if (e.state != "tampered") continue;
    const bool whole = fetch_again(e);
    if (whole) {
      const Status st =
          store->Record(e.id, me, "synced again: now matches its id", "new", NowUnix());
      if (!st.ok()) Fail(store_path, st);
      ++added;
    } else {
      ++tampered;
    }
    std::fprintf(stderr, "gavah-investigator: envelope %s %s\n", ToHex(e.id).c_str(),
                 whole ? "fetched again and now matches its id"
                       : "still does not match its id on the server");
  }
  // Envelopes the server claimed deleted without showing k agreements are asked about again
  // on every sync, until the bytes come back or the agreements do: the alarm never goes quiet.
  for (const auto& e : Must(store->List(), store_path)) {
    if (e.state != "withheld" || recorded_now.count(e.id)) continue;
    const auto listed = listed_again(e.log_index, e.id);
    if (listed.deleted()) {
      const size_t agreed = agreements(listed, e.id);
      if (agreed < k) {
        warn_withheld(e.id, e.log_index, agreed);
        continue;
      }
      const Status st = store->Record(
          e.id, me, "deletion now signed by " + std::to_string(agreed) + " investigators",
          "deleted", NowUnix());
      if (!st.ok()) Fail(store_path, st);
      continue;
    }
    // No longer called deleted: its bytes must come back whole, or it stays withheld.
    if (fetch_again(e)) {
      const Status st = store->Record(e.id, me, "the server serves it again; it matches its id",
                                      "new", NowUnix());
      if (!st.ok()) Fail(store_path, st);
      ++added;
      continue;
    }
    ++withheld;
    std::fprintf(stderr,
                 "gavah-investigator: THE SERVER WITHHOLDS TESTIMONY: envelope %s (log entry "
                 "%llu), once claimed deleted, is served with bytes that do not match its id\n",
                 ToHex(e.id).c_str(), static_cast<unsigned long long>(e.log_index));
  }
  // Shares colleagues released to this investigator, kept sealed until `open` uses them.
  uint64_t shares = 0;
  for (bool more = true; more;) {
    const uint64_t from = Must(store->SharesCursor(), store_path);
    const auto page = Must(client.FetchShares(from), "sync");
    more = page.more() && page.shares_size() > 0;
    uint64_t next = from;
    for (const auto& s : page.shares()) {
      if (s.seq() < next || s.seq() >= (uint64_t{1} << 62))
        Fail("sync: the server's shares are out of order");
      next = s.seq() + 1;
      std::span<const uint8_t> sealed(reinterpret_cast<const uint8_t*>(s.sealed().data()),
                                      s.sealed().size());
      auto checked = OpenReleasedShare(sealed, key, bundle);
      if (!checked.ok()) {
        std::fprintf(stderr, "gavah-investigator: a share from the server is refused: %s\n",
                     checked.status().message().c_str());
      } else if (!Must(store->Find(checked->envelope_id), store_path)) {
        std::fprintf(stderr,
                     "gavah-investigator: a share for envelope %s, which this store does not "
                     "hold, is refused\n",
                     ToHex(checked->envelope_id).c_str());
      } else {
        ++shares;
        const Status st = store->Record(checked->envelope_id, me,
                                        "received a share from " + FingerprintToText(checked->from),
                                        "", NowUnix());
        if (!st.ok()) Fail(store_path, st);
      }
      // A refused share leaves only its place, so the cursor moves past it.
      if (!checked.ok()) sealed = {};
      if (const Status st = store->AddShare(s.seq(), sealed); !st.ok()) Fail(store_path, st);
    }
  }
  Print(json,
        JsonObject()
            .Add("added", added)
            .Add("tampered", tampered)
            .Add("shares", shares)
            .Add("store", store_path),
        "synced " + std::to_string(added) + " new envelope(s) into " + store_path +
            (tampered ? " (" + std::to_string(tampered) + " tampered, not kept)" : "") +
            (shares ? "; " + std::to_string(shares) + " share(s) from colleagues" : "") + "\n");
  if (withheld) {
    Fail("sync: the server withholds " + std::to_string(withheld) +
         " testimony(ies) it claims deleted without the investigators' signed agreement (named "
         "above); tell your colleagues and keep every copy you hold");
  }
  return tampered ? 1 : 0;
}

CaseEnvelope StoredEnvelope(CaseStore& store, const std::string& id_hex,
                            const std::string& store_path) {
  const auto found = Must(store.Find(IdArg(id_hex)), store_path);
  if (!found) Fail("no envelope " + id_hex + " in " + store_path + "; run sync first");
  if (found->state == "withheld" || found->state == "deleted") {
    Fail("envelope " + id_hex +
         (found->state == "deleted" ? " was deleted on the server before this store synced it"
                                    : " is withheld by the server, which claims it was deleted") +
         "; this store holds none of its bytes");
  }
  if (found->state == "tampered") {
    Fail("envelope " + id_hex +
         " did not match its id when it was synced (tampered); it is not used");
  }
  return *found;
}

// Sets a misfitting released share aside in the case store, so it is never combined again.
std::function<void(std::span<const uint8_t>)> SetAsideIn(CaseStore& store,
                                                         const std::string& store_path) {
  return [&store, store_path](std::span<const uint8_t> sealed) {
    if (const Status st = store.SetAsideShare(sealed); !st.ok()) Fail(store_path, st);
  };
}

int OpenStored(const std::string& id_hex, const std::string& store_path,
               const std::vector<std::string>& key_paths, const std::string& out,
               const PassphraseSource& pass, bool json) {
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  const CaseEnvelope e = StoredEnvelope(*store, id_hex, store_path);
  const auto bundle_bytes = Must(store->Bundle(), store_path);
  std::optional<RecipientBundle> bundle;
  if (!bundle_bytes.empty()) bundle = Must(RecipientBundle::Parse(bundle_bytes), store_path);
  const auto released = Must(store->Shares(), store_path);
  CatchInterrupts();
  StoreSource in(*store, e.id);
  return OpenFrom(
      in, "envelope " + id_hex, key_paths, released, e.id, bundle ? &*bundle : nullptr, out, pass,
      json,
      [&](Opened& o) {
        const auto& who = o.who;
        const auto& reply_key = o.reply_key;
        const auto& files = o.files;
        std::string names;
        for (const auto& w : who) names += (names.empty() ? "" : ", ") + w;
        Status st = store->Record(e.id, names, "opened into " + out,
                                  e.state == "new" ? "opened" : "", NowUnix());
        // Kept so that `reply` works without opening the testimony again.
        if (st.ok() && reply_key) st = store->SetBlob("reply:" + ToHex(e.id), *reply_key);
        // What `show` lists once the testimony is open: attachment names and sizes.
        if (st.ok()) st = store->SetBlob("files:" + ToHex(e.id), files.span());
        if (!st.ok()) Fail(store_path, st);
      },
      /*quiet=*/false, SetAsideIn(*store, store_path));
}

int ReleaseShareCmd(const std::string& id_hex, const std::string& key_path,
                    const std::string& to_path, const std::string& bundle_path,
                    const std::string& store_path, bool yes, const PassphraseSource& pass,
                    bool json) {
  const RecipientBundle bundle = LoadBundle(bundle_path, "", /*require_current=*/false);
  const auto to = Must(InvestigatorPublicKey::FromText([&] {
                         const auto b = ReadSmallFile(to_path, 4096);
                         return std::string(b.begin(), b.end());
                       }()),
                       to_path);
  const InvestigatorPublicKey* listed = nullptr;
  for (const auto& inv : bundle.contents().investigators)
    if (inv.fingerprint() == to.fingerprint()) listed = &inv;
  if (listed == nullptr) Fail(to_path + " is not an investigator of this bundle");
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  CheckAgainstStore(bundle, *store, bundle_path, store_path);
  const CaseEnvelope e = StoredEnvelope(*store, id_hex, store_path);
  const InvestigatorSecretKey key = LoadInvestigatorKey(key_path, pass);
  StoreSource in(*store, e.id);
  const EnvelopeHeader header = Must(ReadEnvelopeHeader(in), "envelope " + id_hex);
  const Share share = Must(OpenShare(header, key), key_path);
  // Whoever releases sees which testimony it is for, and to whom, before anything is sent.
  std::fprintf(stderr,
               "Releasing your key share of envelope %s (log entry %llu, received %s, %llu "
               "bytes) to %s (%s).\n",
               id_hex.c_str(), static_cast<unsigned long long>(e.log_index),
               Iso8601Date(e.received_hour).c_str(), static_cast<unsigned long long>(e.size),
               listed->name.c_str(), FingerprintToText(listed->fingerprint()).c_str());
  // At a terminal the investigator confirms; a script has the line above in its log.
  if (!yes && ::isatty(STDIN_FILENO)) {
    std::fprintf(stderr, "Type yes to release it: ");
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "yes") Fail("not released");
  }
  const auto sealed = Must(ReleaseShare(e.id, share, key, *listed), "release");
  ReviewClient client(bundle, key, transport::SendOptions{});
  if (const Status st = client.PostShare(listed->fingerprint(), sealed); !st.ok())
    Fail("release", st);
  const Status st = store->Record(e.id, FingerprintToText(key.public_key().fingerprint()),
                                  "released a share to " + FingerprintToText(listed->fingerprint()),
                                  "", NowUnix());
  if (!st.ok()) Fail(store_path, st);
  Print(json, JsonObject().Add("envelope_id", id_hex).Add("to", listed->name),
        "share released to " + listed->name + "; they receive it with their next sync\n");
  return 0;
}

std::string Owner(CaseStore& store, const std::string& store_path) {
  const auto owner = Must(store.Blob("owner"), store_path);
  return std::string(owner.begin(), owner.end());
}

// The annotation comes from TEXT or, kept off the command line, from --text-file.
int Annotate(const std::string& kind, const std::string& id_hex, const std::string& arg_text,
             const std::string& text_file, const std::string& store_path,
             const PassphraseSource& pass, bool json) {
  if (arg_text.empty() == text_file.empty())
    Fail("give the " + kind + " as an argument or with --text-file, not both");
  SecretBuffer text = text_file.empty()
                          ? SecretBuffer::CopyOf(std::span(
                                reinterpret_cast<const uint8_t*>(arg_text.data()), arg_text.size()))
                          : ReadSecretFile(text_file, 64 * 1024);
  if (text.size() == 0 || text.size() > 64 * 1024) Fail("a " + kind + " is 1 byte to 64 KiB");
  if (!IsValidUtf8(text.view())) Fail("a " + kind + " must be UTF-8 text");
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  const CaseEnvelope e = StoredEnvelope(*store, id_hex, store_path);
  const Status st = store->Annotate(e.id, kind, text.span(), Owner(*store, store_path), NowUnix());
  if (!st.ok()) Fail(store_path, st);
  Print(json, JsonObject().Add("envelope_id", id_hex).Add(kind, "added"),
        kind + " added to " + id_hex + "\n");
  return 0;
}

int ReplyCmd(const std::string& id_hex, const std::string& text_file, const std::string& key_path,
             const std::string& bundle_path, const std::string& store_path,
             const PassphraseSource& pass, bool json) {
  const RecipientBundle bundle = LoadBundle(bundle_path, "", /*require_current=*/false);
  const SecretBuffer text = ReadSecretFile(text_file, kMaxReplyText);
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  CheckAgainstStore(bundle, *store, bundle_path, store_path);
  const CaseEnvelope e = StoredEnvelope(*store, id_hex, store_path);
  const auto reply_key = Must(store->Blob("reply:" + ToHex(e.id)), store_path);
  if (reply_key.size() != 32) {
    Fail("no reply key is known for " + id_hex +
         ": open it from this store first, or the witness gave no codename");
  }
  PublicKey32 pk{};
  std::memcpy(pk.data(), reply_key.data(), 32);
  const auto sealed = Must(SealReply(text.span(), pk), "reply");
  const InvestigatorSecretKey key = LoadInvestigatorKey(key_path, pass);
  ReviewClient client(bundle, key, transport::SendOptions{});
  // The server sees only the mailbox id, which no envelope carries in the clear.
  const uint64_t seq = Must(client.PostReply(MailboxId(pk), sealed), "reply");
  const Status st = store->Record(e.id, FingerprintToText(key.public_key().fingerprint()),
                                  "replied to the witness", "replied", NowUnix());
  if (!st.ok()) Fail(store_path, st);
  Print(json, JsonObject().Add("envelope_id", id_hex).Add("reply", seq),
        "reply left in the witness's mailbox; they read it with gavah-witness replies\n");
  return 0;
}

// Every regular file under `root`, as paths relative to it, sorted.
// Every regular file under `root`, as paths relative to it, sorted. Links and special files are
// not followed; they are listed in *odd (when given) so a package cannot point outside itself.
std::vector<std::string> FilesUnder(const std::string& root,
                                    std::vector<std::string>* odd = nullptr) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const auto status = it->symlink_status(ec);
    // Lexical: relative() would resolve a link and name its target.
    const std::string rel = it->path().lexically_relative(root).generic_string();
    if (std::filesystem::is_regular_file(status)) {
      out.push_back(rel);
    } else if (!std::filesystem::is_directory(status) && odd != nullptr) {
      odd->push_back(rel);
    }
  }
  if (ec) Fail("cannot read the folder " + root + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

Digest32 HashFile(const std::string& path) {
  // No links, and nothing that could block (a FIFO put in a package's place). The path may hold
  // an attachment's name, which is testimony: the message names no file.
  auto opened = OpenRegularFile(path, UINT64_MAX, nullptr);
  if (!opened.ok()) Fail("cannot read a file of the package: it is not a regular file");
  const int fd = opened.value();
  FdSource src(fd, path);
  Sha256 sha;
  SecretBuffer buf(1 << 20);  // the opened testimony's plaintext passes through it
  for (;;) {
    const size_t n = Must(src.Read(buf.span()), "a file of the package");
    if (n == 0) break;
    sha.Update({buf.data(), n});
  }
  ::close(fd);
  return sha.Final();
}

int ExportCmd(const std::string& id_hex, const std::vector<std::string>& key_paths,
              const std::string& out, const std::string& store_path, const PassphraseSource& pass,
              bool json) {
  FailIfExists(out);
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  const CaseEnvelope e = StoredEnvelope(*store, id_hex, store_path);
  const auto bundle_bytes = Must(store->Bundle(), store_path);
  if (bundle_bytes.empty()) Fail(store_path + " holds no bundle; run sync first");
  const RecipientBundle bundle = Must(RecipientBundle::Parse(bundle_bytes), store_path);
  if (!bundle.contents().receipt_key) Fail("the bundle names no receipt key");
  const InvestigatorSecretKey signer = LoadInvestigatorKey(key_paths.front(), pass);
  // Built beside OUT and renamed into place when whole and signed.
  StagingDir dir(out);
  const std::string& staging = dir.path();
  CatchInterrupts();
  {  // the original envelope, byte for byte
    const std::string path = staging + "/envelope.gvh";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) Fail("cannot write " + path);
    FdSink sink(fd, path);
    Status st = store->ReadBytes(e.id, [&](std::span<const uint8_t> b) { return sink.Write(b); });
    if (st.ok()) st = sink.Finish();
    ::close(fd);
    if (!st.ok()) Fail(path, st);
  }
  const auto released = Must(store->Shares(), store_path);
  StoreSource in(*store, e.id);
  SecretBuffer file_key;
  OpenFrom(
      in, "envelope " + id_hex, key_paths, released, e.id, &bundle, staging + "/testimony", pass,
      json,
      [&](Opened& o) {
        file_key = std::move(o.file_key);
        const Status st = store->SetBlob("files:" + ToHex(e.id), o.files.span());
        if (!st.ok()) Fail(store_path, st);
      },
      /*quiet=*/true, SetAsideIn(*store, store_path));
  // The file key opens this envelope only, whose plaintext the package holds anyway; with it
  // anyone can check that testimony/ is what the witness sealed (PROTOCOL.md section 10a).
  WriteNewFile(staging + "/file-key.txt", FileKeyText(file_key).span(), 0600);
  Receipt r;
  r.envelope_id = e.id;
  r.log_index = e.log_index;
  r.received_hour = e.received_hour;
  if (e.receipt_signature.size() != r.signature.size())
    Fail(store_path + ": the stored receipt of this envelope is damaged");
  std::memcpy(r.signature.data(), e.receipt_signature.data(), r.signature.size());
  WriteNewFile(staging + "/receipt.txt",
               transport::ReceiptToText(r, *bundle.contents().receipt_key), 0600);
  WriteNewFile(staging + "/bundle.gvb", bundle_bytes, 0600);
  WriteNewFile(staging + "/investigator.pub", signer.public_key().ToText(), 0600);
  const std::string me = FingerprintToText(signer.public_key().fingerprint());
  const uint64_t now = NowUnix();
  std::string custody;
  for (const auto& c : Must(store->Custody(e.id), store_path))
    custody +=
        std::to_string(c.at) + " " + UtcTime(c.at) + " " + c.investigator + " " + c.event + "\n";
  custody += std::to_string(now) + " " + UtcTime(now) + " " + me + " exported\n";
  WriteNewFile(staging + "/custody.txt", custody, 0600);
  // The manifest names the testimony's attachments: secret memory, like the testimony.
  SecretBuffer manifest;
  manifest.Append(std::string(kEvidenceManifestMagic) + "\nenvelope " + id_hex + "\nexported_at " +
                  std::to_string(now) + "\nexported_by " + me + "\n");
  for (const auto& f : FilesUnder(staging)) {
    if (f.find('\n') != std::string::npos) Fail("an attachment's file name holds a line break");
    manifest.Append(ToHex(HashFile(staging + "/" + f)));
    manifest.Append("  ");
    manifest.Append(f);
    manifest.Append("\n");
  }
  WriteNewFile(staging + "/manifest.txt", manifest.span(), 0600);
  SecretBuffer sk(crypto_sign_SECRETKEYBYTES);
  PublicKey32 pk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), signer.signing_seed().data());
  std::array<uint8_t, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, manifest.data(), manifest.size(), sk.data());
  WriteNewFile(staging + "/manifest.sig", ToBase64(sig) + "\n", 0600);
  dir.Commit();
  const Status st = store->Record(e.id, me, "exported to " + out, "exported", now);
  if (!st.ok()) Fail(store_path, st);
  Print(json, JsonObject().Add("envelope_id", id_hex).Add("out_dir", out),
        "evidence package for " + id_hex + " written to " + out +
            " (manifest signed by you; check it with verify-export)\n");
  return 0;
}

// Opens envelope.gvh with the package's file key and compares what it holds with testimony/.
// Returns what differs; empty when testimony/ is exactly what was sealed.
std::vector<std::string> CheckTestimonyAgainstEnvelope(const std::string& dir,
                                                       const Fingerprint& organisation,
                                                       const EnvelopeId& id) {
  std::vector<std::string> problems;
  auto key_text = ReadRegularSecretFile(dir + "/file-key.txt", 256);
  if (!key_text.ok()) return {"file-key.txt: " + key_text.status().message()};
  auto parsed_key = ParseFileKeyText(key_text->view());
  if (!parsed_key.ok()) return {"file-key.txt: " + parsed_key.status().message()};
  const SecretBuffer& file_key = parsed_key.value();
  uint64_t size = 0;
  auto fd = OpenRegularFile(dir + "/envelope.gvh", UINT64_MAX, &size);
  if (!fd.ok()) return {"envelope.gvh: " + fd.status().message()};
  ReadAheadSource in(*fd, "envelope.gvh", /*hash=*/true);
  auto header = ReadEnvelopeHeader(in);
  if (!header.ok()) {
    ::close(*fd);
    return {"envelope.gvh: " + header.status().message()};
  }
  if (header->organisation_id != organisation)
    problems.push_back("envelope.gvh: sealed for another organisation than the bundle's");
  if (!VerifyHeaderMac(*header, file_key).ok()) {
    ::close(*fd);
    problems.push_back(
        "file-key.txt: does not open envelope.gvh (the header's MAC does not verify under it): "
        "testimony/ cannot be what was sealed in it");
    return problems;
  }
  auto compare = TestimonyDirectory::ForComparison(dir + "/testimony");
  const Status opened = OpenPayload(*header, file_key, in, *compare);
  auto digest = in.Digest();
  ::close(*fd);
  if (!opened.ok()) {
    problems.push_back("envelope.gvh: does not decrypt under its file key: " + opened.message());
    return problems;
  }
  if (!digest.ok() || digest.value() != id)
    problems.push_back("envelope.gvh: changed while it was read");
  if (const Status st = compare->Commit(id, header->organisation_id); !st.ok())
    problems.push_back("testimony/: " + st.message());
  for (const auto& d : compare->differences()) problems.push_back("testimony/" + d);
  return problems;
}

int VerifyExport(const std::string& dir, const std::string& pinned_bundle, bool json) {
  std::vector<std::string> problems;
  auto read_text = [&](const std::string& name) {
    const auto b = ReadSmallFile(dir + "/" + name, 16 << 20);
    return std::string(b.begin(), b.end());
  };
  // The manifest names the attachments, which are testimony: secret memory.
  const SecretBuffer manifest = ReadSecretFile(dir + "/manifest.txt", 16 << 20);
  const auto sig = FromBase64([&] {
    std::string t = read_text("manifest.sig");
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
    return t;
  }());
  const auto signer = Must(InvestigatorPublicKey::FromText(read_text("investigator.pub")),
                           dir + "/investigator.pub");
  const auto bundle_bytes = ReadSmallFile(dir + "/bundle.gvb", 1 << 20);
  const RecipientBundle bundle = Must(RecipientBundle::Parse(bundle_bytes), dir + "/bundle.gvb");
  // Trust comes from outside the package: the organisation's bundle given with --bundle, whose
  // investigators and receipt key then count, not the package's copy.
  std::optional<RecipientBundle> pinned;
  if (!pinned_bundle.empty()) {
    pinned = LoadBundle(pinned_bundle, "", /*require_current=*/false);
    if (pinned->organisation_fingerprint() != bundle.organisation_fingerprint())
      problems.push_back("bundle.gvb is not signed by the organisation of " + pinned_bundle);
  }
  const RecipientBundle& trusted = pinned ? *pinned : bundle;
  bool listed = false;
  for (const auto& inv : trusted.contents().investigators)
    listed |= inv.signing_key == signer.signing_key && inv.encryption_key == signer.encryption_key;
  if (!listed) {
    problems.push_back(std::string("investigator.pub is not an investigator of ") +
                       (pinned ? pinned_bundle : "bundle.gvb"));
  }
  if (pinned && pinned->contents().receipt_key != bundle.contents().receipt_key)
    problems.push_back("bundle.gvb names another receipt key than " + pinned_bundle);
  if (!sig || sig->size() != crypto_sign_BYTES ||
      crypto_sign_verify_detached(sig->data(), manifest.data(), manifest.size(),
                                  signer.signing_key.data()) != 0) {
    problems.push_back("manifest.sig: the manifest's signature does not verify");
  }
  const EvidenceManifest m = Must(ParseEvidenceManifest(manifest.view()), dir + "/manifest.txt");
  if (m.exported_by != FingerprintToText(signer.fingerprint()))
    problems.push_back(
        "manifest.txt: exported_by names another investigator than investigator.pub");
  std::set<std::string> named;
  for (const auto& [digest, path_view] : m.files) {
    const std::string path(path_view);
    named.insert(path);
    const std::string full = dir + "/" + path;
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      problems.push_back(path + ": missing");
    } else if (ToHex(HashFile(full)) != digest) {
      problems.push_back(path + ": altered (its SHA-256 differs from the manifest)");
    }
  }
  for (const char* required : {"envelope.gvh", "receipt.txt", "bundle.gvb", "investigator.pub",
                               "custody.txt", "file-key.txt"}) {
    if (!named.count(required)) problems.push_back(std::string(required) + ": not in the manifest");
  }
  std::vector<std::string> odd;
  for (const auto& f : FilesUnder(dir, &odd)) {
    if (f != "manifest.txt" && f != "manifest.sig" && !named.count(f))
      problems.push_back(f + ": not in the manifest");
  }
  for (const auto& f : odd) problems.push_back(f + ": a link or special file, not allowed");
  // The envelope is the one the id and the server's receipt name.
  const std::string id_hex(m.id_hex);
  const auto id_bytes = FromHex(id_hex);
  if (!id_bytes || id_bytes->size() != 32) Fail(dir + "/manifest.txt names no envelope id");
  Digest32 id{};
  std::memcpy(id.data(), id_bytes->data(), 32);
  const bool envelope_ok = HashFile(dir + "/envelope.gvh") == id;
  if (!envelope_ok) problems.push_back("envelope.gvh: does not match the envelope id " + id_hex);
  auto receipt = transport::ReceiptFromText(read_text("receipt.txt"));
  const auto& receipt_key = trusted.contents().receipt_key;
  if (!receipt.ok() || !receipt_key || receipt->second != *receipt_key ||
      !VerifyReceipt(receipt->first, *receipt_key, id).ok()) {
    problems.push_back("receipt.txt: not a valid server receipt for this envelope");
  }
  // The testimony itself: decrypted from the envelope and compared, byte for byte.
  size_t testimony_files = 0;
  if (envelope_ok) {
    const auto differ = CheckTestimonyAgainstEnvelope(dir, trusted.organisation_fingerprint(), id);
    problems.insert(problems.end(), differ.begin(), differ.end());
    for (const auto& f : named) testimony_files += f.starts_with("testimony/") ? 1 : 0;
  }
  if (!problems.empty()) {
    for (const auto& p : problems) std::fprintf(stderr, "gavah-investigator: %s\n", p.c_str());
    std::fprintf(stderr, "gavah-investigator: the evidence package is NOT verified\n");
    return 1;
  }
  const std::string org = FingerprintToText(trusted.organisation_fingerprint());
  const Receipt& r = receipt->first;
  Print(json,
        JsonObject()
            .Add("envelope_id", id_hex)
            .Add("files", named.size())
            .Add("testimony_files", testimony_files)
            .Add("log_index", r.log_index)
            .Add("received_hour", r.received_hour)
            .Add("organisation", org)
            .Add("signer", FingerprintToText(signer.fingerprint()))
            .Add("exported_at", m.exported_at)
            .Add("pinned", pinned ? "yes" : "no"),
        "evidence package verified: envelope " + id_hex + "\n" +
            "  the testimony is exactly what was sealed in envelope.gvh: it opens under the "
            "package's file key to exactly its testimony/ (" +
            std::to_string(testimony_files) +
            " files, every byte and every field compared)\n"
            "  received by the server as log entry " +
            std::to_string(r.log_index) + " in the hour starting " + UtcTime(r.received_hour) +
            "; its signed receipt is valid\n"
            "  exported by " +
            signer.name + " (" + FingerprintToText(signer.fingerprint()) + ") on " +
            UtcTime(m.exported_at) + ", an investigator of the bundle; " +
            std::to_string(named.size()) + " files intact under the signed manifest\n" +
            "  organisation " + org +
            (pinned ? " (pinned by " + pinned_bundle + ")\n"
                    : ": NOT pinned; compare this fingerprint with the one the organisation "
                      "published, or pass --bundle\n"));
  return 0;
}

int MarkDelete(const std::string& id_hex, const std::string& key_path,
               const std::string& bundle_path, const PassphraseSource& pass, bool json) {
  const RecipientBundle bundle = LoadBundle(bundle_path, "", /*require_current=*/false);
  const Digest32 id = IdArg(id_hex);
  const InvestigatorSecretKey key = LoadInvestigatorKey(key_path, pass);
  ReviewClient client(bundle, key, transport::SendOptions{});
  const auto r = Must(client.MarkForDeletion(id), "mark-delete");
  Print(json,
        JsonObject()
            .Add("envelope_id", id_hex)
            .Add("marks", r.marks())
            .Add("threshold", r.threshold())
            .Add("deleted", r.deleted() ? "yes" : "no"),
        r.deleted()
            ? "envelope " + id_hex +
                  " is deleted from the server (its log entry and receipt remain)\n"
            : std::to_string(r.marks()) + " of " + std::to_string(r.threshold()) +
                  " investigators agree to delete envelope " + id_hex +
                  "; nothing is deleted until " + std::to_string(r.threshold()) + " agree\n");
  return 0;
}

struct PurgeArgs {
  std::string key, bundle, store;
  uint64_t from_entry = 0, to_entry = 0, min_size = 0, max_size = UINT64_MAX;
  bool yes = false;
};

// Agrees to delete, in batches, every envelope of a recognised flood: those this store synced
// in a range of log entries and sizes, except any this investigator has looked at. Each is
// deleted once k investigators have agreed to it, as with mark-delete (PROTOCOL 9.4).
int Purge(const PurgeArgs& a, const PassphraseSource& pass, bool json) {
  if (a.from_entry > a.to_entry) Fail("--from-entry must not be after --to-entry", 2);
  if (a.min_size > a.max_size) Fail("--min-size must not be above --max-size", 2);
  const RecipientBundle bundle = LoadBundle(a.bundle, "", /*require_current=*/false);
  auto store = OpenCaseStore(a.store, pass, /*may_create=*/false);
  CheckAgainstStore(bundle, *store, a.bundle, a.store);
  std::vector<CaseEnvelope> chosen;
  uint64_t bytes = 0, kept = 0, first_hour = UINT64_MAX, last_hour = 0;
  for (const auto& e : Must(store->List(), a.store)) {
    if (e.log_index < a.from_entry || e.log_index > a.to_entry) continue;
    if (e.size < a.min_size || e.size > a.max_size) continue;
    // Only testimony no one has worked on here: what this investigator has opened, annotated,
    // answered or exported they know not to be junk, and a purge never takes it.
    if (e.state != "new") {
      kept += e.state == "opened" || e.state == "annotated" || e.state == "replied" ||
              e.state == "exported";
      continue;
    }
    // Nor one whose key share this investigator released to a colleague, or received: someone
    // is working on it.
    bool shared = false;
    for (const auto& c : Must(store->Custody(e.id), a.store))
      shared |=
          c.event.rfind("released a share", 0) == 0 || c.event.rfind("received a share", 0) == 0;
    if (shared) {
      ++kept;
      continue;
    }
    chosen.push_back(e);
    bytes += e.size;
    first_hour = std::min(first_hour, e.received_hour);
    last_hour = std::max(last_hour, e.received_hour);
  }
  const std::string what = std::to_string(chosen.size()) + " envelopes (" + std::to_string(bytes) +
                           " bytes) of log entries " + std::to_string(a.from_entry) + " to " +
                           std::to_string(a.to_entry) +
                           (chosen.empty() ? std::string()
                                           : ", received from " + UtcTime(first_hour) + " to " +
                                                 UtcTime(last_hour + 3599));
  const std::string kept_line =
      kept == 0
          ? std::string()
          : std::to_string(kept) + " in that range are kept: you have opened or shared them\n";
  if (!a.yes || chosen.empty()) {
    Print(json,
          JsonObject()
              .Add("envelopes", chosen.size())
              .Add("bytes", bytes)
              .Add("kept", kept)
              .Add("sent", "no"),
          "a purge would agree to delete " + what + "\n" + kept_line +
              (chosen.empty() ? "nothing to purge\n"
                              : "nothing was sent: check `list`, then run again with --yes\n"));
    return 0;
  }
  const InvestigatorSecretKey key = LoadInvestigatorKey(a.key, pass);
  const std::string me = FingerprintToText(key.public_key().fingerprint());
  ReviewClient client(bundle, key, transport::SendOptions{});
  // The server's limits per call: 1,000 marks, and 1 GiB of envelopes unless there is one.
  constexpr size_t kBatch = 1000;
  constexpr uint64_t kBatchBytes = uint64_t{1} << 30;
  uint64_t deleted = 0, threshold = 0;
  for (size_t at = 0, n = 0; at < chosen.size(); at += n) {
    uint64_t batch_bytes = chosen[at].size;
    for (n = 1;
         n < kBatch && at + n < chosen.size() && batch_bytes + chosen[at + n].size <= kBatchBytes;
         ++n)
      batch_bytes += chosen[at + n].size;
    std::vector<Digest32> ids;
    for (size_t i = 0; i < n; ++i) ids.push_back(chosen[at + i].id);
    const auto r = Must(client.Purge(ids), "purge");
    for (size_t i = 0; i < n; ++i) {
      deleted += r.results(static_cast<int>(i)).deleted();
      threshold = r.results(static_cast<int>(i)).threshold();
      // The store's custody says who agreed to destroy what, and when: part of the record a
      // court may ask for.
      if (const Status st = store->Record(ids[i], me, "agreed to delete (purge)", "", NowUnix());
          !st.ok())
        Fail(a.store, st);
    }
    if (!json)
      std::fprintf(stderr, "gavah-investigator: purge: agreed for %zu of %zu envelopes\n", at + n,
                   chosen.size());
  }
  Print(json,
        JsonObject()
            .Add("envelopes", chosen.size())
            .Add("bytes", bytes)
            .Add("kept", kept)
            .Add("deleted", deleted)
            .Add("threshold", threshold)
            .Add("sent", "yes"),
        "you agreed to delete " + what + "\n" + kept_line + std::to_string(deleted) +
            " of them are deleted from the server (their log entries and receipts remain); " +
            std::to_string(chosen.size() - deleted) + " wait until " + std::to_string(threshold) +
            " investigators agree\n");
  return 0;
}

int List(const std::string& store_path, const PassphraseSource& pass, bool json) {
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  const auto all = Must(store->List(), store_path);
  if (json) {
    std::string out = "[";
    for (const auto& e : all) {
      out += (out.size() > 1 ? "," : "") + JsonObject()
                                               .Add("envelope_id", ToHex(e.id))
                                               .Add("log_index", e.log_index)
                                               .Add("received_hour", e.received_hour)
                                               .Add("size", e.size)
                                               .Add("state", e.state)
                                               .str();
    }
    std::cout << out << "]\n";
    return 0;
  }
  for (const auto& e : all) {
    std::cout << e.log_index << "  " << ToHex(e.id) << "  " << e.state << "  " << e.size
              << " bytes  received " << Iso8601Date(e.received_hour) << "\n";
  }
  if (all.empty()) std::cout << "the case store holds no envelopes yet; run sync\n";
  return 0;
}

int Show(const std::string& id_hex, const std::string& store_path, const PassphraseSource& pass,
         bool json) {
  const Digest32 id = IdArg(id_hex);
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  const auto found = Must(store->Find(id), store_path);
  if (!found) Fail("no envelope " + id_hex + " in " + store_path);
  const auto custody = Must(store->Custody(id), store_path);
  if (json) {
    std::cout << JsonObject()
                     .Add("envelope_id", id_hex)
                     .Add("log_index", found->log_index)
                     .Add("received_hour", found->received_hour)
                     .Add("size", found->size)
                     .Add("state", found->state)
                     .Add("custody_events", custody.size())
                     .str()
              << "\n";
    return 0;
  }
  std::cout << "envelope " << id_hex << "\n  log entry " << found->log_index << ", received "
            << Iso8601Date(found->received_hour) << ", " << found->size << " bytes, "
            << found->state << "\n  custody:\n";
  for (const auto& c : custody)
    std::cout << "    " << UtcTime(c.at) << "  " << c.investigator << "  " << c.event << "\n";
  const SecretBuffer files = Must(store->SecretBlob("files:" + ToHex(id)), store_path);
  if (files.size() > 0) {
    std::cout << "  attachments (size in bytes, name):\n    ";
    for (size_t i = 0; i < files.size(); ++i) {
      const char ch = static_cast<char>(files.data()[i]);
      std::cout << ch;
      if (ch == '\n' && i + 1 < files.size()) std::cout << "    ";
    }
  } else if (found->state != "new" && found->state != "tampered") {
    std::cout << "  attachments: none\n";
  }
  const auto notes = Must(store->Annotations(id), store_path);
  if (!notes.empty()) std::cout << "  annotations:\n";
  for (const auto& n : notes) {
    std::cout << "    " << n.kind << ": ";
    std::cout.write(reinterpret_cast<const char*>(n.text.data()),
                    static_cast<std::streamsize>(n.text.size()));
    std::cout << "\n";
  }
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{"gavah-investigator: set up an organisation and open sealed testimony"};
  app.require_subcommand(1);
  PassphraseSource pass;
  bool json = false;
  auto common = [&](CLI::App* sub) {
    sub->add_option("--passphrase-file", pass.file,
                    "read the passphrase from FILE (else GAVAH_PASSPHRASE, else prompt)");
    sub->add_flag("--json", json, "print the result as one JSON object");
  };

  std::string out;
  auto* org_init = app.add_subcommand("org-init", "create the organisation's signing key");
  org_init
      ->add_option("--out", out, "secret key file to write (ORG.key); ORG.pub is written beside it")
      ->required();
  common(org_init);

  std::string name;
  auto* keygen = app.add_subcommand("keygen", "create an investigator's key pair");
  keygen->add_option("--name", name, "the investigator's name as colleagues know it")->required();
  keygen
      ->add_option("--out", out,
                   "secret key file to write (NAME.key); NAME.pub is written beside it")
      ->required();
  common(keygen);

  investigator::BundleRequest b;
  std::string bundle_org_key, bundle_out;
  auto* bundle =
      app.add_subcommand("bundle", "sign the bundle that tells witnesses whom to seal for");
  bundle->add_option("--org-key", bundle_org_key, "the organisation key file")->required();
  bundle
      ->add_option("--investigator", b.investigators,
                   "an investigator's .pub file (repeat for each)")
      ->required();
  bundle
      ->add_option("--threshold", b.threshold,
                   "how many investigators must join to open a testimony")
      ->required();
  bundle->add_option("--expires", b.expires_days, "days until the bundle expires (default 365)");
  bundle->add_option("--name", b.name, "the organisation's name, shown to witnesses");
  bundle->add_option("--server", b.servers,
                     "an intake server's HOST:PORT or ONION:PORT (repeat for more)");
  bundle->add_option("--server-cert", b.server_cert,
                     "the servers' TLS certificate (tls.crt), pinned");
  bundle->add_option("--relay", b.relays,
                     "a relay's HOST:PORT or ONION:PORT (repeat for more; tried before servers)");
  bundle->add_option(
      "--relay-cert", b.relay_certs,
      "that relay's TLS certificate (its tls.crt), pinned; one per --relay, in order");
  bundle->add_option("--receipt-key", b.receipt_key,
                     "the server's receipt public key (receipt.pub)");
  bundle->add_option("--out", bundle_out, "bundle file to write")->required();
  common(bundle);

  std::string envelope;
  std::vector<std::string> keys;
  auto* open = app.add_subcommand("open", "verify and decrypt an envelope into a new folder");
  open->add_option("envelope", envelope, "the envelope file, or its id with --store")->required();
  open->add_option("--key", keys, "an investigator key file (repeat up to the threshold)")
      ->required();
  open->add_option("--out", out, "folder to create for the testimony")->required();
  common(open);

  std::string sync_key, bundle_path, store_path, show_id;
  auto* sync = app.add_subcommand(
      "sync", "pull new envelopes from the server into the encrypted case store");
  sync->add_option("--key", sync_key, "your investigator key file")->required();
  sync->add_option("--bundle", bundle_path, "the organisation bundle")->required();
  sync->add_option("--store", store_path, "the case store (created on first sync)")->required();
  common(sync);
  open->add_option("--store", store_path,
                   "open envelope ID from this case store, with shares colleagues released");
  std::string release_to;
  bool release_yes = false;
  auto* release = app.add_subcommand(
      "release-share", "send your key share of a testimony to a colleague, sealed to them");
  release->add_option("id", show_id, "the envelope id")->required();
  release->add_option("--key", sync_key, "your investigator key file")->required();
  release->add_option("--to", release_to, "the colleague's .pub file")->required();
  release->add_option("--bundle", bundle_path, "the organisation bundle")->required();
  release->add_option("--store", store_path, "your case store")->required();
  release->add_flag("--yes", release_yes,
                    "release without asking at a terminal (the envelope is still shown)");
  common(release);
  auto* export_cmd = app.add_subcommand(
      "export", "write a signed evidence package: envelope, receipt, files, manifest, custody");
  export_cmd->add_option("id", show_id, "the envelope id")->required();
  export_cmd
      ->add_option("--key", keys,
                   "your key file (signs the manifest); repeat with colleagues' up to k")
      ->required();
  export_cmd->add_option("--out", out, "the package folder to create")->required();
  export_cmd->add_option("--store", store_path, "your case store")->required();
  common(export_cmd);
  std::string verify_dir;
  auto* verify = app.add_subcommand(
      "verify-export", "check an evidence package with nothing but the package (and --bundle)");
  verify->add_option("dir", verify_dir, "the package folder")->required();
  verify->add_option("--bundle", bundle_path, "require the organisation of this bundle");
  verify->add_flag("--json", json, "print the result as one JSON object");
  auto* mark_delete = app.add_subcommand(
      "mark-delete", "agree that the server delete a testimony (k investigators must agree)");
  mark_delete->add_option("id", show_id, "the envelope id")->required();
  mark_delete->add_option("--key", sync_key, "your investigator key file")->required();
  mark_delete->add_option("--bundle", bundle_path, "the organisation bundle")->required();
  common(mark_delete);
  PurgeArgs purge_args;
  auto* purge = app.add_subcommand(
      "purge", "agree to delete a flood you recognise: new envelopes in a range of log entries");
  purge->add_option("--key", purge_args.key, "your investigator key file")->required();
  purge->add_option("--bundle", purge_args.bundle, "the organisation bundle")->required();
  purge->add_option("--store", purge_args.store, "your case store, synced")->required();
  purge->add_option("--from-entry", purge_args.from_entry, "the flood's first log entry")
      ->required();
  purge->add_option("--to-entry", purge_args.to_entry, "its last log entry")->required();
  purge->add_option("--min-size", purge_args.min_size, "only envelopes of at least these bytes");
  purge->add_option("--max-size", purge_args.max_size, "only envelopes of at most these bytes");
  purge->add_flag("--yes", purge_args.yes,
                  "send the agreement (without it, only say what would be agreed to)");
  common(purge);
  std::string note_text, reply_text_file;
  auto* note = app.add_subcommand("note", "add a note to a testimony, kept encrypted in the store");
  note->add_option("id", show_id, "the envelope id")->required();
  note->add_option("text", note_text, "the note (or --text-file)");
  note->add_option("--text-file", reply_text_file, "read the note from this file instead");
  note->add_option("--store", store_path, "the case store")->required();
  common(note);
  auto* tag = app.add_subcommand("tag", "tag a testimony, kept encrypted in the store");
  tag->add_option("id", show_id, "the envelope id")->required();
  tag->add_option("tag", note_text, "the tag")->required();
  tag->add_option("--store", store_path, "the case store")->required();
  common(tag);
  auto* reply = app.add_subcommand("reply", "answer the witness, sealed to their reply key");
  reply->add_option("id", show_id, "the envelope id")->required();
  reply->add_option("--text-file", reply_text_file, "the reply's text")->required();
  reply->add_option("--key", sync_key, "your investigator key file")->required();
  reply->add_option("--bundle", bundle_path, "the organisation bundle")->required();
  reply->add_option("--store", store_path, "your case store")->required();
  common(reply);
  auto* list = app.add_subcommand("list", "what the case store holds, and its review state");
  list->add_option("--store", store_path, "the case store")->required();
  common(list);
  auto* show = app.add_subcommand("show", "one envelope in the case store and its custody");
  show->add_option("id", show_id, "the envelope id")->required();
  show->add_option("--store", store_path, "the case store")->required();
  common(show);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (*org_init) return OrgInit(out, pass, json);
  if (*keygen) return Keygen(name, out, pass, json);
  if (*bundle) return Bundle(b, bundle_org_key, bundle_out, pass, json);
  if (*export_cmd) return ExportCmd(show_id, keys, out, store_path, pass, json);
  if (*verify) return VerifyExport(verify_dir, bundle_path, json);
  if (*purge) return Purge(purge_args, pass, json);
  if (*mark_delete) return MarkDelete(show_id, sync_key, bundle_path, pass, json);
  if (*note) return Annotate("note", show_id, note_text, reply_text_file, store_path, pass, json);
  if (*tag) return Annotate("tag", show_id, note_text, "", store_path, pass, json);
  if (*reply) {
    return ReplyCmd(show_id, reply_text_file, sync_key, bundle_path, store_path, pass, json);
  }
  if (*open && !store_path.empty()) return OpenStored(envelope, store_path, keys, out, pass, json);
  if (*open) return Open(envelope, keys, out, pass, json);
  if (*release) {
    return ReleaseShareCmd(show_id, sync_key, release_to, bundle_path, store_path, release_yes,
                           pass, json);
  }
  if (*sync) return Sync(sync_key, bundle_path, store_path, pass, json);
  if (*list) return List(store_path, pass, json);
  if (*show) return Show(show_id, store_path, pass, json);
  return 2;
}

}  // namespace
}  // namespace gavah::cli

int main(int argc, char** argv) {
  // Before anything can touch SQLite: the case store's decrypted pages are wiped when freed.
  if (!gavah::cli::CaseStore::InstallWipingAllocator()) {
    std::fprintf(stderr, "gavah-investigator: cannot make SQLite wipe the memory it frees\n");
    return 1;
  }
  return gavah::cli::RunMain("gavah-investigator", gavah::cli::Main, argc, argv);
}
