// Shamir secret sharing over GF(2^8) (the AES field, x^8+x^4+x^3+x+1), constant time in the
// secret. Format of a share: docs/PROTOCOL.md, "Key shares".
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah {

struct Share {
  uint8_t x = 0;  // 1..255, public
  SecretBuffer y;
};

// Splits `secret` into n shares at x = 1..n, any k of which recover it.
// Requires 1 <= k <= n <= 255.
Result<std::vector<Share>> ShamirSplit(std::span<const uint8_t> secret, unsigned k, unsigned n);

// Interpolates at x = 0. All shares must have equal length and distinct non-zero x. Exactly the
// shares given are used: with fewer than k the result is simply wrong, which the caller detects
// with the envelope's header MAC.
Result<SecretBuffer> ShamirCombine(std::span<const Share> shares);
// The same over the shares at the positions `pick` only, without copying them.
Result<SecretBuffer> ShamirCombine(std::span<const Share> shares, std::span<const size_t> pick);

namespace gf256 {
uint8_t Mul(uint8_t a, uint8_t b);
uint8_t Inv(uint8_t a);  // Inv(0) == 0
}  // namespace gf256

}  // namespace gavah
