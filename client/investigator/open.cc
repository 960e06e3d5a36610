// Opening testimony: from an envelope file, or from the case store with colleagues' shares.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "cli_support.h"
#include "clock.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/process.h"
#include "gavah/crypto/released_share.h"
#include "internal.h"
#include "testimony_dir.h"

namespace gavah::investigator {
namespace internal {

Result<size_t> StoreSource::Read(std::span<uint8_t> out) {
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

namespace {

// Passes an envelope's bytes through, reporting them and stopping when the front end asks.
class Watched : public ByteSource {
 public:
  Watched(ByteSource& in, uint64_t total, const Hooks& hooks)
      : in_(in), total_(total), hooks_(hooks) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (hooks_.cancelled && hooks_.cancelled())
      return Error(ErrorCode::kCancelled, "interrupted; nothing was written");
    GAVAH_ASSIGN_OR_RETURN(size_t n, in_.Read(out));
    done_ += n;
    if (hooks_.progress) hooks_.progress(done_, total_);
    return n;
  }
  bool ComputesSha256() const override { return in_.ComputesSha256(); }
  Result<Digest32> Digest() override { return in_.Digest(); }
  Sha256* TakeOverSha256() override { return in_.TakeOverSha256(); }

 private:
  ByteSource& in_;
  const uint64_t total_;
  const Hooks& hooks_;
  uint64_t done_ = 0;
};

}  // namespace

void AddReleased(ReleasedTo& to, ReceivedShare got, const std::vector<uint8_t>* sealed) {
  // One share per colleague, the latest they released: a server replaying a share, or a
  // colleague releasing thousands, then adds one share to try, not thousands.
  // The earlier ones are only checked, once a key is found, and set aside if they do not fit.
  const std::string from = FingerprintToText(got.from);
  for (auto& r : to.latest) {
    if (r.from != from) continue;
    to.superseded.push_back(std::move(r));
    r = Released{from, std::move(got.share), sealed};
    return;
  }
  to.latest.push_back(Released{from, std::move(got.share), sealed});
}

ReleasedTo FindReleased(const InvestigatorSecretKey& key,
                        const std::vector<std::vector<uint8_t>>& released,
                        const RecipientBundle& bundle, const Digest32& expected) {
  ReleasedTo out;
  for (const auto& sealed : released) {
    if (sealed.empty()) continue;  // set aside before
    auto got = OpenReleasedShare(sealed, key, bundle);
    if (!got.ok()) continue;  // for another of the given keys, or not usable
    if (got->envelope_id != expected) continue;
    AddReleased(out, std::move(got).value(), &sealed);
  }
  return out;
}

namespace {

// An opening into a folder: TestimonyDirectory.
class FolderTarget : public OpenTarget {
 public:
  FolderTarget(std::unique_ptr<cli::TestimonyDirectory> dir, std::string out)
      : dir_(std::move(dir)), out_(std::move(out)) {}
  Status OnTestimony(const TestimonyView& t) override { return dir_->OnTestimony(t); }
  Status OnAttachmentData(size_t i, std::span<const uint8_t> b) override {
    return dir_->OnAttachmentData(i, b);
  }
  Status OnAttachmentEnd(size_t i, const Digest32& sha) override {
    return dir_->OnAttachmentEnd(i, sha);
  }
  Status Commit(const EnvelopeId& id, const Fingerprint& org) override {
    return Prefixed(out_, dir_->Commit(id, org));
  }
  size_t file_count() const override { return dir_->file_count(); }
  std::optional<std::string> consent() const override {
    if (!dir_->has_consent()) return std::nullopt;
    return dir_->ConsentText();
  }
  std::optional<PublicKey32> reply_key() const override { return dir_->reply_key(); }
  std::optional<xwing::PublicKey> reply_xwing_key() const override {
    return dir_->reply_xwing_key();
  }
  SecretBuffer AttachmentList() const override { return dir_->AttachmentList(); }

 private:
  std::unique_ptr<cli::TestimonyDirectory> dir_;
  const std::string out_;
};

}  // namespace

Result<OpenedTestimony> OpenIntoFolder(
    ByteSource& in, const std::string& what, const std::vector<KeyRef>& keys,
    const ReleasedFinder& released, const Digest32& expected, const std::string& out,
    uint64_t total, const Hooks& hooks,
    const std::function<Status(std::span<const uint8_t>)>& set_aside) {
  std::unique_ptr<FolderTarget> target;
  const TargetMaker make = [&]() -> Result<OpenTarget*> {
    GAVAH_ASSIGN_OR_RETURN(auto dir, cli::TestimonyDirectory::TryCreate(out));
    dir->OnLeftover([&hooks](const std::string& w) { Tell(hooks, Note::Kind::kWarning, w); });
    target = std::make_unique<FolderTarget>(std::move(dir), out);
    return target.get();
  };
  return OpenInto(in, what, keys, released, expected, make, total, hooks, set_aside);
}

Result<OpenedTestimony> OpenInto(ByteSource& source, const std::string& what,
                                 const std::vector<KeyRef>& keys, const ReleasedFinder& released,
                                 const Digest32& expected, const TargetMaker& make, uint64_t total,
                                 const Hooks& hooks,
                                 const std::function<Status(std::span<const uint8_t>)>& set_aside,
                                 ShareCount* count) {
  Watched in(source, total, hooks);
  // The header is checked before any key is unlocked: junk fails fast.
  auto read_header = ReadEnvelopeHeader(in);
  if (!read_header.ok()) return Prefixed(what, read_header.status());
  const EnvelopeHeader header = std::move(read_header).value();
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
  for (const auto& ref : keys) {
    std::optional<InvestigatorSecretKey> owned;
    GAVAH_ASSIGN_OR_RETURN(const InvestigatorSecretKey* const key, Unlock(ref, owned));
    who.push_back(FingerprintToText(key->public_key().fingerprint()));
    if (released) {
      ReleasedTo found = released(*key);
      for (auto* list : {&found.latest, &found.superseded}) {
        auto& shares_to = list == &found.latest ? theirs : superseded;
        auto& held_to = list == &found.latest ? theirs_held : superseded_held;
        for (auto& r : *list) {
          shares_to.push_back(std::move(r.share));
          held_to.push_back(Held{r.from, r.sealed});
        }
      }
    }
    auto share = OpenShare(header, *key);
    if (!share.ok()) {
      if (share.status().code() != ErrorCode::kNotRecipient) return Prefixed(what, share.status());
      Tell(hooks, Note::Kind::kNote, ref.label + " is not a recipient of this envelope");
      continue;
    }
    bool dup = false;
    for (const auto& s : shares) dup |= s.x == share->x;
    if (!dup) {
      shares.push_back(std::move(share).value());
      held.push_back(Held{ref.label, nullptr});
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
  if (count != nullptr) {
    count->threshold = header.threshold;
    count->held = shares.size();
    count->released_by.clear();
    for (const auto& h : held)
      if (h.sealed != nullptr) count->released_by.push_back(h.from);
  }
  if (shares.empty()) {
    return Error(ErrorCode::kNotRecipient,
                 what +
                     ": not a recipient: none of the given keys can open this envelope (it is "
                     "for organisation " +
                     FingerprintToText(header.organisation_id) + ")");
  }
  const size_t searched = shares.size();
  add_colleagues(superseded, superseded_held);
  auto combine = CombineSharesRobust(header, shares, searched);
  if (!combine.ok()) return Prefixed(what, combine.status());
  const CombinedKey combined = std::move(combine).value();
  for (size_t i : combined.used) {
    if (held[i].sealed != nullptr)
      Tell(hooks, Note::Kind::kNote, "using the key share that " + held[i].from + " released");
  }
  if (combined.subsets_tried > 1) {
    Tell(hooks, Note::Kind::kNote,
         std::to_string(combined.subsets_tried) + " combinations of " +
             std::to_string(header.threshold) + " key shares were tried before one opened it");
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
      if (set_aside) GAVAH_RETURN_IF_ERROR(set_aside(*held[i].sealed));
    } else {
      Tell(hooks, Note::Kind::kWarning,
           "the key share sealed to " + held[i].from +
               " does not fit the others: the envelope was sealed inconsistently");
    }
  }
  for (const auto& [from, n] : misfits_by) {
    Tell(hooks, Note::Kind::kWarning,
         "the key share that " + from + " released for this envelope does not fit it" +
             (n > 1 ? " (" + std::to_string(n) + " shares)" : "") +
             "; it is set aside for good (ask them to release it again)");
  }
  const SecretBuffer& file_key = combined.file_key;
  GAVAH_ASSIGN_OR_RETURN(OpenTarget* const target, make());
  const Status opened = OpenPayload(header, file_key, in, *target);
  if (!opened.ok()) return Prefixed(what, opened);
  auto digest = in.Digest();
  if (!digest.ok()) return Prefixed(what, digest.status());
  const EnvelopeId id = digest.value();
  if (expected != Digest32{} && id != expected)
    return Error(ErrorCode::kMalformed,
                 what + " does not match its id: the case store is damaged; nothing was opened");
  GAVAH_RETURN_IF_ERROR(target->Commit(id, header.organisation_id));
  OpenedTestimony o;
  o.id = id;
  o.files = target->file_count();
  o.consent = target->consent();
  o.who = std::move(who);
  o.reply_key = target->reply_key();
  o.reply_xwing_key = target->reply_xwing_key();
  o.attachments = target->AttachmentList();
  o.file_key = SecretBuffer::CopyOf(file_key.span());
  return o;
}

Status RememberOpened(CaseStore& store, const CaseEnvelope& e, const OpenedTestimony& o,
                      const std::string& event, const std::string& store_label) {
  std::string names;
  for (const auto& w : o.who) names += (names.empty() ? "" : ", ") + w;
  const std::string hex = ToHex(e.id);
  Status st = store.Record(e.id, names, event, e.state == "new" ? "opened" : "", NowUnix());
  // Kept so that a reply works without opening the testimony again: the X25519 key (32 bytes),
  // followed by the X-Wing key when the testimony carried one (1216 more).
  if (st.ok() && o.reply_key) {
    std::vector<uint8_t> keys(o.reply_key->begin(), o.reply_key->end());
    if (o.reply_xwing_key)
      keys.insert(keys.end(), o.reply_xwing_key->begin(), o.reply_xwing_key->end());
    st = store.SetBlob("reply:" + hex, keys);
  }
  // What Details lists once the testimony is open: attachment names and sizes.
  if (st.ok()) st = store.SetBlob("files:" + hex, o.attachments.span());
  return Prefixed(store_label, st);
}

Result<std::unique_ptr<FromStore>> OpeningFromStore(CaseStore& store, const Digest32& id,
                                                    const std::string& store_label) {
  auto from = std::make_unique<FromStore>();
  GAVAH_ASSIGN_OR_RETURN(from->bundle, StoreBundle(store, store_label));
  auto released = store.Shares();
  if (!released.ok()) return Prefixed(store_label, released.status());
  from->released = std::move(released).value();
  FromStore* f = from.get();
  // A released share shown not to fit is set aside, so it is never combined again.
  from->set_aside = [&store, store_label](std::span<const uint8_t> sealed) {
    return Prefixed(store_label, store.SetAsideShare(sealed));
  };
  if (from->bundle)
    from->finder = [f, id](const InvestigatorSecretKey& key) {
      return FindReleased(key, f->released, *f->bundle, id);
    };
  return from;
}

Result<std::optional<RecipientBundle>> StoreBundle(CaseStore& store,
                                                   const std::string& store_label) {
  auto bytes = store.Bundle();
  if (!bytes.ok()) return Prefixed(store_label, bytes.status());
  if (bytes->empty()) return std::optional<RecipientBundle>();
  auto parsed = RecipientBundle::Parse(*bytes);
  if (!parsed.ok()) return Prefixed(store_label, parsed.status());
  return std::optional<RecipientBundle>(std::move(parsed).value());
}

Result<std::string> Owner(CaseStore& store, const std::string& store_label) {
  auto owner = store.Blob("owner");
  if (!owner.ok()) return Prefixed(store_label, owner.status());
  return std::string(owner->begin(), owner->end());
}

}  // namespace internal

using namespace internal;

Result<Digest32> ParseEnvelopeId(const std::string& hex) {
  auto bytes = FromHex(hex);
  if (!bytes || bytes->size() != 32)
    return Error(ErrorCode::kInvalidArgument, "an envelope id is 64 hexadecimal digits");
  Digest32 id{};
  std::memcpy(id.data(), bytes->data(), 32);
  return id;
}

Result<OpenedTestimony> OpenFile(const std::string& envelope, const std::vector<KeyRef>& keys,
                                 const std::string& out, const Hooks& hooks) {
  uint64_t size = 0;
  GAVAH_ASSIGN_OR_RETURN(const int fd, OpenRegularFile(envelope, UINT64_MAX, &size));
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  auto opened = [&] {
    ReadAheadSource in(fd, envelope, /*hash=*/true);
    return OpenIntoFolder(in, envelope, keys, nullptr, Digest32{}, out, size, hooks, nullptr);
  }();
  ::close(fd);
  return opened;
}

Status CheckAgainstStore(const RecipientBundle& bundle, CaseStore& store,
                         const std::string& bundle_label, const std::string& store_label) {
  GAVAH_ASSIGN_OR_RETURN(const auto previous, StoreBundle(store, store_label));
  if (!previous) return Status::Ok();
  if (previous->organisation_fingerprint() != bundle.organisation_fingerprint()) {
    return Refused(bundle_label + " is signed by organisation " +
                   FingerprintToText(bundle.organisation_fingerprint()) + ", but " + store_label +
                   " holds testimony of organisation " +
                   FingerprintToText(previous->organisation_fingerprint()));
  }
  return cli::TryCheckNotOlder(bundle, previous->contents().issued_at, bundle_label);
}

Result<CaseEnvelope> UsableEnvelope(CaseStore& store, const Digest32& id,
                                    const std::string& store_label) {
  auto found = store.Find(id);
  if (!found.ok()) return Prefixed(store_label, found.status());
  const std::string hex = ToHex(id);
  if (!*found)
    return Error(ErrorCode::kInvalidArgument,
                 "no envelope " + hex + " in " + store_label + "; run sync first");
  const CaseEnvelope& e = **found;
  if (e.state == "withheld" || e.state == "deleted") {
    return Refused("envelope " + hex +
                   (e.state == "deleted"
                        ? " was deleted on the server before this store synced it"
                        : " is withheld by the server, which claims it was deleted") +
                   "; this store holds none of its bytes");
  }
  if (e.state == "tampered") {
    return Refused("envelope " + hex +
                   " did not match its id when it was synced (tampered); it is not used");
  }
  return e;
}

Result<OpenedTestimony> OpenStored(CaseStore& store, const Digest32& id,
                                   const std::vector<KeyRef>& keys, const std::string& out,
                                   const std::string& store_label, const Hooks& hooks) {
  GAVAH_ASSIGN_OR_RETURN(const CaseEnvelope e, UsableEnvelope(store, id, store_label));
  GAVAH_ASSIGN_OR_RETURN(const auto from, OpeningFromStore(store, e.id, store_label));
  StoreSource in(store, e.id);
  GAVAH_ASSIGN_OR_RETURN(OpenedTestimony o,
                         OpenIntoFolder(in, "envelope " + ToHex(e.id), keys, from->finder, e.id,
                                        out, e.size, hooks, from->set_aside));
  GAVAH_RETURN_IF_ERROR(RememberOpened(store, e, o, "opened into " + out, store_label));
  return o;
}

}  // namespace gavah::investigator
