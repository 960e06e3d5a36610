// ML-KEM-768 (FIPS 203, August 2024), written from the standard over libcrypto's SHA-3 and SHAKE.
// Format and rules: docs/PROTOCOL.md, "X-Wing". Every function runs in time independent of the
// secret inputs (no secret-dependent branch, table index or division); tests/crypto checks this
// under Valgrind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "gavah/crypto/status.h"

namespace gavah::mlkem768 {

inline constexpr size_t kEncapsulationKeySize = 1184;
inline constexpr size_t kDecapsulationKeySize = 2400;
inline constexpr size_t kCiphertextSize = 1088;
inline constexpr size_t kSharedSecretSize = 32;
inline constexpr size_t kSeedSize = 32;  // d, z and m are 32 bytes each

// ML-KEM.KeyGen_internal (Algorithm 16): ek and dk from the seeds d and z.
void KeyGenInternal(std::span<const uint8_t, kSeedSize> d, std::span<const uint8_t, kSeedSize> z,
                    std::span<uint8_t, kEncapsulationKeySize> ek,
                    std::span<uint8_t, kDecapsulationKeySize> dk);

// Section 7.2's encapsulation key check: the right length, and every coefficient below q (the
// modulus check).
bool CheckEncapsulationKey(std::span<const uint8_t> ek);
// Section 7.3's decapsulation key check: the right length, and the hash of the embedded
// encapsulation key as stored.
bool CheckDecapsulationKey(std::span<const uint8_t> dk);

// ML-KEM.Encaps_internal (Algorithm 17) with the randomness m given; kMalformed when ek fails
// CheckEncapsulationKey.
Status EncapsInternal(std::span<const uint8_t> ek, std::span<const uint8_t, kSeedSize> m,
                      std::span<uint8_t, kSharedSecretSize> shared_secret,
                      std::span<uint8_t, kCiphertextSize> ciphertext);

// ML-KEM.Decaps (Algorithm 18 after the checks of 7.3). A ciphertext that does not re-encrypt to
// itself yields the implicit-rejection secret J(z || c), never an error: only the sizes and the
// key's hash are checked (kMalformed).
Status Decaps(std::span<const uint8_t> dk, std::span<const uint8_t> ciphertext,
              std::span<uint8_t, kSharedSecretSize> shared_secret);

}  // namespace gavah::mlkem768

namespace gavah::mlkem768::detail {
// Compress_d of FIPS 203 (4.7), exposed so that tests can check it on every input.
uint16_t Compress(uint16_t x, int d);
}  // namespace gavah::mlkem768::detail
