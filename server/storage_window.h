// How much new testimony the intake takes per window of hours, so that a flood of valid
// envelopes (anyone can seal to the organisation's public keys) fills the disk in days, not
// minutes, and a reserve inside each window that only small testimonies can draw on once the
// rest is taken. Counted from the store at start, so a restart does not open a new window.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>

#include "envelope_store.h"

namespace gavah::server {

struct WindowLimits {
  uint64_t hours = 24;
  uint64_t bytes = 16ull << 30;   // 0: no window
  uint64_t reserve = 1ull << 30;  // on top of `bytes`, for envelopes up to `small`
  uint64_t small = 16ull << 20;
};

class StorageWindow {
 public:
  explicit StorageWindow(WindowLimits limits) : limits_(limits) {}
  // Counts what the store took within the window before this process started.
  Status Load(EnvelopeStore* store, uint64_t now_hour);
  // Whether an envelope of `size` bytes would be taken now (nothing is held by asking).
  bool Fits(uint64_t size, uint64_t now_hour);
  // Takes `size` bytes of this window's budget; false (and nothing taken) when it has no room.
  // *heavy says whether more than half of the window's budget is now used: the intake is then
  // under load even while it still takes everything, and asks for work.
  bool Take(uint64_t size, uint64_t now_hour, bool* heavy);
  // Gives back what Take took for an envelope that was not stored after all.
  void GiveBack(uint64_t size, uint64_t hour);

 private:
  bool FitsLocked(uint64_t size, uint64_t now_hour);  // REQUIRES: mu_ held
  const WindowLimits limits_;
  std::mutex mu_;
  std::map<uint64_t, uint64_t> per_hour_;  // guarded by mu_: bytes taken in each hour
};

}  // namespace gavah::server
