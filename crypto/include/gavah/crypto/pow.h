// Proof-of-work admission (docs/PROTOCOL.md, "Admission"): under load an intake asks each
// submission for work bound to a fresh seed of its own and to the envelope, in proportion to the
// envelope's size. Checking a solution is one BLAKE2b call; finding one takes `effort` of them on
// average.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "gavah/crypto/digest.h"

namespace gavah {

inline constexpr size_t kPowSeedSize = 32;
inline constexpr size_t kPowNonceSize = 16;
inline constexpr uint64_t kPowMaxEffort = uint64_t{1} << 40;
using PowSeed = std::array<uint8_t, kPowSeedSize>;
using PowNonce = std::array<uint8_t, kPowNonceSize>;

// What an envelope of `total_size` bytes counts as: one per started MiB.
uint64_t PowUnits(uint64_t total_size);

// The 8-byte value of a solution attempt: BLAKE2b-256 of the message of PROTOCOL "Admission",
// its first 8 bytes big-endian.
uint64_t PowValue(const PowSeed& seed, const Digest32& envelope_id, uint64_t total_size,
                  uint64_t effort, const PowNonce& nonce);

// Whether `nonce` proves `effort` (0 always does; more than kPowMaxEffort never does).
bool PowValid(const PowSeed& seed, const Digest32& envelope_id, uint64_t total_size,
              uint64_t effort, const PowNonce& nonce);

// Finds a nonce proving `effort`, starting from a random one. `progress(tries)` is called every
// 65,536 tries; returning false stops the search (nullopt).
std::optional<PowNonce> PowSolve(const PowSeed& seed, const Digest32& envelope_id,
                                 uint64_t total_size, uint64_t effort,
                                 const std::function<bool(uint64_t tries)>& progress);

}  // namespace gavah
