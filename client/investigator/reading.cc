// Reading testimony in memory, opening a whole case store at once, and the case list: what the
// desk works from (PROTOCOL.md 10b).
#include <algorithm>
#include <map>

#include "clock.h"
#include "gavah/crypto/codename.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/released_share.h"
#include "internal.h"

namespace gavah::investigator {

using namespace internal;

namespace {

// Keeps an opening in memory. What arrives stays here, unseen, until the whole envelope has
// verified (Commit); attachments within the limits are held for preview, the rest only named.
class MemoryTarget : public OpenTarget {
 public:
  explicit MemoryTarget(const ReadLimits& limits) : limits_(limits) {}

  Status OnTestimony(const TestimonyView& t) override {
    read_.text = SecretBuffer::CopyOf(t.text);
    read_.language = SecretBuffer::CopyOf(AsBytes(t.language));
    read_.event_time = SecretBuffer::CopyOf(AsBytes(t.event_time));
    read_.event_place = SecretBuffer::CopyOf(AsBytes(t.event_place));
    uint64_t held = 0;
    for (const auto& a : t.attachments) {
      ReadAttachment r;
      r.name = SecretBuffer::CopyOf(AsBytes(a.name));
      r.media_type = SecretBuffer::CopyOf(AsBytes(a.media_type));
      r.size = a.size;
      // The sizes are the sealed record's; the payload's rules hold every attachment to its own.
      r.held = a.size <= limits_.per_attachment && a.size <= limits_.total - held;
      if (r.held) {
        held += a.size;
        r.bytes.Reserve(a.size);
      }
      read_.attachments.push_back(std::move(r));
    }
    reply_key_ = t.reply_public_key;
    reply_xwing_key_ = t.reply_xwing_public_key;
    if (t.consent) {
      std::string joined;
      for (const auto token : *t.consent)
        joined += (joined.empty() ? "" : ", ") + std::string(token);
      consent_ = joined;
    }
    return Status::Ok();
  }
  Status OnAttachmentData(size_t index, std::span<const uint8_t> bytes) override {
    if (index >= read_.attachments.size())
      return Error(ErrorCode::kMalformed, "attachment data for an attachment the record lacks");
    ReadAttachment& a = read_.attachments[index];
    if (a.held) a.bytes.Append(bytes);
    return Status::Ok();
  }
  Status OnAttachmentEnd(size_t, const Digest32&) override { return Status::Ok(); }
  Status Commit(const EnvelopeId&, const Fingerprint&) override {
    committed_ = true;
    return Status::Ok();
  }
  size_t file_count() const override { return 1 + read_.attachments.size(); }
  std::optional<std::string> consent() const override { return consent_; }
  std::optional<PublicKey32> reply_key() const override { return reply_key_; }
  std::optional<xwing::PublicKey> reply_xwing_key() const override { return reply_xwing_key_; }
  SecretBuffer AttachmentList() const override {
    SecretBuffer out;
    for (const auto& a : read_.attachments) {
      out.Append(std::to_string(a.size) + " ");
      out.Append(a.name.span());
      out.Append("\n");
    }
    return out;
  }

  // The reading, once committed.
  ReadTestimony Take() { return std::move(read_); }
  bool committed() const { return committed_; }

 private:
  static std::span<const uint8_t> AsBytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
  }
  const ReadLimits limits_;
  ReadTestimony read_;
  std::optional<PublicKey32> reply_key_;
  std::optional<xwing::PublicKey> reply_xwing_key_;
  std::optional<std::string> consent_;
  bool committed_ = false;
};

// What the store keeps of a reading: its words for search, and what the case list shows.
CaseStore::Reading ToReading(const Digest32& id, const ReadTestimony& r) {
  CaseStore::Reading out;
  out.id = id;
  out.language = std::string(r.language.view());
  out.consent = r.opened.consent;
  out.text_size = r.text.size();
  out.attachments = r.attachments.size();
  // The place, the time and the file names are found as the text is.
  SecretBuffer all;
  all.Reserve(r.text.size() + r.event_place.size() + r.event_time.size() + 64);
  all.Append(r.text.span());
  all.Append("\n");
  all.Append(r.event_place.span());
  all.Append("\n");
  all.Append(r.event_time.span());
  for (const auto& a : r.attachments) {
    all.Append("\n");
    all.Append(a.name.span());
  }
  out.folded = FoldForSearch(all.span());
  out.files = r.opened.attachments.size() ? SecretBuffer::CopyOf(r.opened.attachments.span())
                                          : SecretBuffer();
  if (r.opened.reply_key) {
    out.reply_keys.assign(r.opened.reply_key->begin(), r.opened.reply_key->end());
    if (r.opened.reply_xwing_key)
      out.reply_keys.insert(out.reply_keys.end(), r.opened.reply_xwing_key->begin(),
                            r.opened.reply_xwing_key->end());
  }
  return out;
}

std::string Who(const OpenedTestimony& o) {
  std::string names;
  for (const auto& w : o.who) names += (names.empty() ? "" : ", ") + w;
  return names;
}

// The released shares sealed to `key`, opened once for every envelope (a store of 10,000
// testimonies must not open every share once per testimony).
std::map<Digest32, ReleasedTo> ReleasedByEnvelope(const InvestigatorSecretKey& key,
                                                  const std::vector<std::vector<uint8_t>>& released,
                                                  const RecipientBundle& bundle) {
  std::map<Digest32, ReleasedTo> out;
  for (const auto& sealed : released) {
    if (sealed.empty()) continue;  // set aside before
    auto got = OpenReleasedShare(sealed, key, bundle);
    if (!got.ok()) continue;
    AddReleased(out[got->envelope_id], std::move(got).value(), &sealed);
  }
  return out;
}

}  // namespace

bool ConsentAllows(const std::optional<std::string>& consent, const std::string& use) {
  if (use.empty()) return false;
  if (!consent) return use == "investigators";
  size_t at = 0;
  const std::string& c = *consent;
  while (at <= c.size()) {
    size_t end = c.find(',', at);
    if (end == std::string::npos) end = c.size();
    std::string token = c.substr(at, end - at);
    token.erase(0, std::min(token.size(), token.find_first_not_of(' ')));
    if (!token.empty() && token == use) return true;
    at = end + 1;
  }
  return false;
}

namespace internal {

// Opens `e` in memory, recording nothing but shares that do not fit.
Result<ReadTestimony> ReadQuietly(CaseStore& store, const CaseEnvelope& e,
                                  const std::vector<KeyRef>& keys, const ReadLimits& limits,
                                  const std::string& store_label, const Hooks& hooks) {
  GAVAH_ASSIGN_OR_RETURN(const auto from, OpeningFromStore(store, e.id, store_label));
  StoreSource in(store, e.id);
  MemoryTarget target(limits);
  const TargetMaker make = [&]() -> Result<OpenTarget*> { return &target; };
  GAVAH_ASSIGN_OR_RETURN(OpenedTestimony o,
                         OpenInto(in, "envelope " + ToHex(e.id), keys, from->finder, e.id, make,
                                  e.size, hooks, from->set_aside));
  ReadTestimony r = target.Take();
  r.opened = std::move(o);
  return r;
}

Result<std::optional<std::string>> ConsentOf(CaseStore& store, const CaseEnvelope& e,
                                             const std::vector<KeyRef>& keys,
                                             const std::string& store_label, const Hooks& hooks) {
  GAVAH_ASSIGN_OR_RETURN(const ReadTestimony r,
                         ReadQuietly(store, e, keys, ReadLimits{0, 0}, store_label, hooks));
  return r.opened.consent;
}

}  // namespace internal

Result<ReadTestimony> Read(CaseStore& store, const Digest32& id, const std::vector<KeyRef>& keys,
                           const ReadLimits& limits, const std::string& store_label,
                           const Hooks& hooks) {
  GAVAH_ASSIGN_OR_RETURN(const CaseEnvelope e, UsableEnvelope(store, id, store_label));
  GAVAH_ASSIGN_OR_RETURN(ReadTestimony r, ReadQuietly(store, e, keys, limits, store_label, hooks));
  auto indexed = store.Indexed(e.id);
  if (!indexed.ok()) return Prefixed(store_label, indexed.status());
  const uint64_t now = NowUnix();
  if (!*indexed) {
    const CaseStore::Reading reading = ToReading(e.id, r);
    GAVAH_RETURN_IF_ERROR(Prefixed(
        store_label, store.Index(std::span(&reading, 1), Who(r.opened), "read in memory", now)));
  } else {
    GAVAH_RETURN_IF_ERROR(
        Prefixed(store_label, store.Record(e.id, Who(r.opened), "read in memory", "", now)));
  }
  return r;
}

Result<OpenAllReport> OpenAll(CaseStore& store, const std::vector<KeyRef>& keys,
                              const std::string& store_label, const Hooks& hooks) {
  GAVAH_ASSIGN_OR_RETURN(const auto bundle, StoreBundle(store, store_label));
  if (!bundle) return Refused(store_label + " holds no testimony yet; run sync first");
  auto released = store.Shares();
  if (!released.ok()) return Prefixed(store_label, released.status());
  // Every key unlocked once, here, not once per envelope.
  std::vector<std::optional<InvestigatorSecretKey>> owned(keys.size());
  std::vector<KeyRef> unlocked = keys;
  std::vector<std::map<Digest32, ReleasedTo>> by_key;
  for (size_t i = 0; i < keys.size(); ++i) {
    GAVAH_ASSIGN_OR_RETURN(unlocked[i].unlocked, Unlock(keys[i], owned[i]));
    by_key.push_back(ReleasedByEnvelope(*unlocked[i].unlocked, *released, *bundle));
  }
  auto listed = store.List();
  if (!listed.ok()) return Prefixed(store_label, listed.status());
  OpenAllReport report;
  std::vector<const CaseEnvelope*> todo;
  for (const auto& e : *listed) {
    if (e.state == "tampered" || e.state == "withheld" || e.state == "deleted") {
      ++report.unusable;
      continue;
    }
    auto indexed = store.Indexed(e.id);
    if (!indexed.ok()) return Prefixed(store_label, indexed.status());
    if (*indexed) {
      ++report.already;
      continue;
    }
    todo.push_back(&e);
  }
  // Warnings only: a note per envelope ("using the share that ... released") would bury them.
  Hooks quiet;
  quiet.cancelled = hooks.cancelled;
  quiet.note = [&hooks](const Note& n) {
    if (n.kind == Note::Kind::kWarning) Tell(hooks, n.kind, n.text);
  };
  std::vector<CaseStore::Reading> batch;
  std::string who;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    const Status st = store.Index(batch, who, "opened in memory and indexed for search", NowUnix());
    batch.clear();
    return Prefixed(store_label, st);
  };
  uint64_t done = 0;
  for (const CaseEnvelope* e : todo) {
    if (hooks.cancelled && hooks.cancelled()) {
      GAVAH_RETURN_IF_ERROR(flush());
      return CheckCancelled(hooks);
    }
    StoreSource in(store, e->id);
    const std::string what = "envelope " + ToHex(e->id);
    auto set_aside = [&](std::span<const uint8_t> sealed) {
      return Prefixed(store_label, store.SetAsideShare(sealed));
    };
    const ReleasedFinder finder = [&](const InvestigatorSecretKey& key) {
      for (size_t i = 0; i < unlocked.size(); ++i) {
        if (unlocked[i].unlocked != &key) continue;
        auto it = by_key[i].find(e->id);
        if (it != by_key[i].end()) return std::move(it->second);
      }
      return ReleasedTo{};
    };
    // Only the text is held: search needs it; attachments are read when someone reads them.
    MemoryTarget target(ReadLimits{0, 0});
    const TargetMaker make = [&]() -> Result<OpenTarget*> { return &target; };
    ShareCount count;
    auto opened = OpenInto(in, what, unlocked, finder, e->id, make, 0, quiet, set_aside, &count);

    if (opened.ok()) {
      ReadTestimony r = target.Take();
      r.opened = std::move(opened).value();
      if (who.empty()) who = Who(r.opened);
      batch.push_back(ToReading(e->id, r));
      ++report.opened;
      if (batch.size() >= 256) GAVAH_RETURN_IF_ERROR(flush());

    } else if (opened.status().code() == ErrorCode::kNotEnoughKeys) {
      ++report.waiting;
      std::string by;
      for (const auto& f : count.released_by) by += (by.empty() ? "" : ",") + f;
      GAVAH_RETURN_IF_ERROR(
          Prefixed(store_label, store.SetWaiting(e->id, count.threshold, count.held, by)));
    } else if (opened.status().code() == ErrorCode::kNotRecipient) {
      ++report.not_for_us;
    } else if (opened.status().code() == ErrorCode::kCancelled) {
      GAVAH_RETURN_IF_ERROR(flush());
      return opened.status();
    } else if (opened.status().code() == ErrorCode::kIo) {
      return opened.status();  // the store itself: nothing later would fare better
    } else {
      ++report.failed;
      Tell(hooks, Note::Kind::kWarning, opened.status().message());
    }
    if (hooks.progress) hooks.progress(++done, todo.size());
  }
  GAVAH_RETURN_IF_ERROR(flush());
  return report;
}

Result<std::vector<CaseStore::Row>> ListCases(CaseStore& store, const CaseFilter& filter,
                                              const std::string& store_label) {
  CaseStore::RowFilter f;
  f.state = filter.state;
  f.tag = SecretBuffer::CopyOf(filter.tag.span());
  f.from_hour = filter.from_hour;
  f.to_hour = filter.to_hour;
  f.text = SecretBuffer::CopyOf(filter.text.span());
  auto rows = store.Rows(f);
  if (!rows.ok()) return Prefixed(store_label, rows.status());
  return rows;
}

std::vector<std::string> WhoToAsk(const RecipientBundle& bundle, const std::string& me,
                                  const CaseStore::Row& row) {
  std::vector<std::string> out;
  for (const auto& inv : bundle.contents().investigators) {
    const std::string f = FingerprintToText(inv.fingerprint());
    if (f == me) continue;
    if (("," + row.released_by + ",").find("," + f + ",") != std::string::npos) continue;
    out.push_back(inv.name);
  }
  return out;
}

}  // namespace gavah::investigator
