// What the investigator library's operations share; not part of its interface.
#pragma once

#include <string>

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

// Opens the envelope `in` yields (`what` names it in messages) into the new folder `out`, with
// `keys` and any `released` shares (sealed to one of those keys by colleagues) for envelope
// `expected` (zero: any, with no released shares). A released share that does not fit is
// passed to `set_aside`; `total` is the envelope's size for progress (0: not known).
Result<OpenedTestimony> OpenInto(ByteSource& in, const std::string& what,
                                 const std::vector<KeyRef>& keys,
                                 const std::vector<std::vector<uint8_t>>& released,
                                 const Digest32& expected, const RecipientBundle* bundle,
                                 const std::string& out, uint64_t total, const Hooks& hooks,
                                 const std::function<Status(std::span<const uint8_t>)>& set_aside);

// The bundle the store last synced with (none before the first sync).
Result<std::optional<RecipientBundle>> StoreBundle(CaseStore& store,
                                                   const std::string& store_label);
// The fingerprint of the investigator who syncs the store.
Result<std::string> Owner(CaseStore& store, const std::string& store_label);

}  // namespace gavah::investigator::internal
