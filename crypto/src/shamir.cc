#include "gavah/crypto/shamir.h"

#include <sodium.h>

#include <string>

namespace gavah {
namespace gf256 {

// Carry-less multiply modulo x^8+x^4+x^3+x+1 with no branches or table lookups on the operands.
uint8_t Mul(uint8_t a, uint8_t b) {
  uint8_t r = 0;
  for (int i = 0; i < 8; ++i) {
    r ^= static_cast<uint8_t>(-(b & 1) & a);
    const uint8_t hi = static_cast<uint8_t>(-(a >> 7));
    a = static_cast<uint8_t>((a << 1) ^ (hi & 0x1b));
    b >>= 1;
  }
  return r;
}

// a^254 = a^-1 in GF(2^8), by a fixed square-and-multiply chain.
uint8_t Inv(uint8_t a) {
  uint8_t result = 1;
  uint8_t base = a;
  for (int i = 0; i < 8; ++i) {
    // 254 = 0b11111110: multiply in every bit but the lowest.
    if (i > 0) result = Mul(result, base);
    base = Mul(base, base);
  }
  return result;
}

}  // namespace gf256

Result<std::vector<Share>> ShamirSplit(std::span<const uint8_t> secret, unsigned k, unsigned n) {
  if (k < 1 || n < k || n > 255) {
    return Error(ErrorCode::kInvalidArgument, "threshold must satisfy 1 <= k <= n <= 255");
  }
  std::vector<Share> shares(n);
  for (unsigned i = 0; i < n; ++i) {
    shares[i].x = static_cast<uint8_t>(i + 1);
    shares[i].y = SecretBuffer(secret.size());
  }
  // coefficients[j] for j = 1..k-1, fresh for every byte of the secret.
  SecretBuffer coefficients(k);
  for (size_t b = 0; b < secret.size(); ++b) {
    coefficients.data()[0] = secret[b];
    if (k > 1) randombytes_buf(coefficients.data() + 1, k - 1);
    for (unsigned i = 0; i < n; ++i) {
      // Horner's rule from the highest coefficient down.
      uint8_t y = 0;
      for (unsigned j = k; j-- > 0;)
        y = static_cast<uint8_t>(gf256::Mul(y, shares[i].x) ^ coefficients.data()[j]);
      shares[i].y.data()[b] = y;
    }
  }
  return shares;
}

Result<SecretBuffer> ShamirCombine(std::span<const Share> shares) {
  std::vector<size_t> all(shares.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  return ShamirCombine(shares, all);
}

Result<SecretBuffer> ShamirCombine(std::span<const Share> shares, std::span<const size_t> pick) {
  if (pick.empty()) return Error(ErrorCode::kInvalidArgument, "no shares to combine");
  for (size_t i : pick) {
    if (i >= shares.size()) return Error(ErrorCode::kInvalidArgument, "no such share");
  }
  auto at = [&](size_t i) -> const Share& { return shares[pick[i]]; };
  const size_t n = pick.size();
  const size_t len = at(0).y.size();
  for (size_t i = 0; i < n; ++i) {
    if (at(i).x == 0 || at(i).y.size() != len) {
      return Error(ErrorCode::kMalformed, "share is malformed");
    }
    for (size_t j = 0; j < i; ++j) {
      if (at(i).x == at(j).x) return Error(ErrorCode::kMalformed, "duplicate share");
    }
  }
  // Lagrange basis at 0: l_i = prod_{j != i} x_j / (x_i + x_j). The x are public.
  std::vector<uint8_t> basis(n);
  for (size_t i = 0; i < n; ++i) {
    uint8_t num = 1, den = 1;
    for (size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      num = gf256::Mul(num, at(j).x);
      den = gf256::Mul(den, static_cast<uint8_t>(at(i).x ^ at(j).x));
    }
    basis[i] = gf256::Mul(num, gf256::Inv(den));
  }
  SecretBuffer secret(len);
  for (size_t b = 0; b < len; ++b) {
    uint8_t acc = 0;
    for (size_t i = 0; i < n; ++i) acc ^= gf256::Mul(basis[i], at(i).y.data()[b]);
    secret.data()[b] = acc;
  }
  return secret;
}

}  // namespace gavah
