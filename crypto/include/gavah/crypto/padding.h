// Size hiding: the plaintext stream is padded inside the encryption (docs/PROTOCOL.md, "Padding").
#pragma once

#include <cstdint>

namespace gavah {

// Every envelope's plaintext is at least this long, so short testimonies all look alike.
inline constexpr uint64_t kMinPaddedLength = 4096;

// Padmé (Nikitin et al., PETS 2019) length of `length`, raised to kMinPaddedLength. Leaks
// O(log log length) bits of the length, costs at most 12% overhead.
uint64_t PaddedLength(uint64_t length);

}  // namespace gavah
