// What the investigator library's operations share; not part of its interface.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gavah/crypto/released_share.h"
#include "investigator.h"

namespace gavah::investigator::internal {

inline Status Prefixed(const std::string& what, const Status& st) {
  return what.empty() ? st : Error(st.code(), what + ": " + st.message());
}
inline Status Refused(const std::string& message) {
  return Error(ErrorCode::kInvalidArgument, message);
}
inline void Tell(const Hooks& hooks, Note::Kind kind, std::string text) {
  if (hooks.note) hooks.note(Note{kind, std::move(text)});
}
// A stop between steps: everything committed before it is kept.
inline Status CheckCancelled(const Hooks& hooks) {
  if (hooks.cancelled && hooks.cancelled())
    return Error(ErrorCode::kCancelled,
                 "interrupted; what was done before is kept, and running it again goes on from "
                 "there");
  return Status::Ok();
}

// An envelope's bytes read from the case store, chunk by chunk, hashed as they pass.
class StoreSource : public ByteSource {
 public:
  StoreSource(CaseStore& store, const Digest32& id) : store_(store), id_(id) {}
  Result<size_t> Read(std::span<uint8_t> out) override;
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

// The key `ref` names: its unlocked one, or one unlocked now into `owned`.
inline Result<const InvestigatorSecretKey*> Unlock(const KeyRef& ref,
                                                   std::optional<InvestigatorSecretKey>& owned) {
  if (ref.unlocked != nullptr) return ref.unlocked;
  auto unlocked = ref.unlock();
  if (!unlocked.ok()) return unlocked.status();
  owned.emplace(std::move(unlocked).value());
  return &*owned;
}

// A share a colleague released for the envelope being opened, opened with one of our keys.
struct Released {
  std::string from;  // the colleague's fingerprint
  Share share;
  const std::vector<uint8_t>* sealed;  // as the store keeps it, to set it aside
};
// The shares in `released` sealed to `key` for envelope `expected`, one per colleague (the last
// they released) in `latest`, the earlier ones in `superseded`.
struct ReleasedTo {
  std::vector<Released> latest, superseded;
};
// Adds a share opened from `sealed` to `to`, replacing an earlier one of the same colleague.
void AddReleased(ReleasedTo& to, ReceivedShare got, const std::vector<uint8_t>* sealed);
ReleasedTo FindReleased(const InvestigatorSecretKey& key,
                        const std::vector<std::vector<uint8_t>>& released,
                        const RecipientBundle& bundle, const Digest32& expected);
// Empty: no released shares count (an envelope file).
using ReleasedFinder = std::function<ReleasedTo(const InvestigatorSecretKey& key)>;

// Where an opening goes: a folder (TestimonyDirectory), or memory.
class OpenTarget : public TestimonySink {
 public:
  // The whole envelope verified: make what was received final.
  virtual Status Commit(const EnvelopeId& id, const Fingerprint& organisation) = 0;
  virtual size_t file_count() const = 0;
  virtual std::optional<std::string> consent() const = 0;
  virtual std::optional<PublicKey32> reply_key() const = 0;
  virtual std::optional<xwing::PublicKey> reply_xwing_key() const = 0;
  virtual SecretBuffer AttachmentList() const = 0;
};
// Makes the target once the keys have opened the envelope's header (a folder is created only
// then). The caller owns it.
using TargetMaker = std::function<Result<OpenTarget*>()>;

// How many shares an opening had for the envelope, kept when there were too few to open it.
struct ShareCount {
  uint64_t threshold = 0, held = 0;
  std::vector<std::string> released_by;  // colleagues' fingerprints
};

// Opens the envelope `in` yields (`what` names it in messages) into the target `make` makes,
// with `keys` and the shares `released` finds for envelope `expected` (zero: any). A released
// share that does not fit is passed to `set_aside`; `total` is the envelope's size for progress
// (0: not known); `count`, when given, is filled before the shares are combined.
Result<OpenedTestimony> OpenInto(ByteSource& in, const std::string& what,
                                 const std::vector<KeyRef>& keys, const ReleasedFinder& released,
                                 const Digest32& expected, const TargetMaker& make, uint64_t total,
                                 const Hooks& hooks,
                                 const std::function<Status(std::span<const uint8_t>)>& set_aside,
                                 ShareCount* count = nullptr);
// The same into the new folder `out`.
Result<OpenedTestimony> OpenIntoFolder(
    ByteSource& in, const std::string& what, const std::vector<KeyRef>& keys,
    const ReleasedFinder& released, const Digest32& expected, const std::string& out,
    uint64_t total, const Hooks& hooks,
    const std::function<Status(std::span<const uint8_t>)>& set_aside);

// The witness's consent in envelope `e` (none: not asked), read in memory with `keys` and the
// released shares, recording nothing.
Result<std::optional<std::string>> ConsentOf(CaseStore& store, const CaseEnvelope& e,
                                             const std::vector<KeyRef>& keys,
                                             const std::string& store_label, const Hooks& hooks);

// What opening envelope `id` of the store takes besides keys: the bundle the store synced,
// colleagues' released shares found for it, and where a share that does not fit goes. Kept
// whole (the finder points into it) for as long as the opening runs.
struct FromStore {
  std::optional<RecipientBundle> bundle;
  std::vector<std::vector<uint8_t>> released;
  ReleasedFinder finder;  // empty without a bundle
  std::function<Status(std::span<const uint8_t>)> set_aside;
};
Result<std::unique_ptr<FromStore>> OpeningFromStore(CaseStore& store, const Digest32& id,
                                                    const std::string& store_label);

// Records what opening `e` learnt that later work needs (the reply key, the attachment list).
Status RememberOpened(CaseStore& store, const CaseEnvelope& e, const OpenedTestimony& o,
                      const std::string& event, const std::string& store_label);

// The bundle the store last synced with (none before the first sync).
Result<std::optional<RecipientBundle>> StoreBundle(CaseStore& store,
                                                   const std::string& store_label);
// The fingerprint of the investigator who syncs the store.
Result<std::string> Owner(CaseStore& store, const std::string& store_label);

}  // namespace gavah::investigator::internal
