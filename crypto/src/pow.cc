#include "gavah/crypto/pow.h"

#include <sodium.h>

#include <cstring>

namespace gavah {
namespace {

constexpr char kDomain[] = "gavah-pow-v1";  // with its terminating zero byte: 13 bytes

void PutU64(uint8_t* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
}

}  // namespace

uint64_t PowUnits(uint64_t total_size) {
  const uint64_t mib = (total_size >> 20) + ((total_size & ((1u << 20) - 1)) != 0 ? 1 : 0);
  return mib == 0 ? 1 : mib;
}

uint64_t PowValue(const PowSeed& seed, const Digest32& envelope_id, uint64_t total_size,
                  uint64_t effort, const PowNonce& nonce) {
  uint8_t msg[sizeof kDomain + kPowSeedSize + 32 + 8 + 8 + kPowNonceSize];
  uint8_t* p = msg;
  std::memcpy(p, kDomain, sizeof kDomain);
  p += sizeof kDomain;
  std::memcpy(p, seed.data(), seed.size());
  p += seed.size();
  std::memcpy(p, envelope_id.data(), envelope_id.size());
  p += envelope_id.size();
  PutU64(p, total_size);
  p += 8;
  PutU64(p, effort);
  p += 8;
  std::memcpy(p, nonce.data(), nonce.size());
  uint8_t h[32];
  crypto_generichash(h, sizeof h, msg, sizeof msg, nullptr, 0);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | h[i];
  return v;
}

bool PowValid(const PowSeed& seed, const Digest32& envelope_id, uint64_t total_size,
              uint64_t effort, const PowNonce& nonce) {
  if (effort == 0) return true;
  if (effort > kPowMaxEffort) return false;
  return PowValue(seed, envelope_id, total_size, effort, nonce) <= UINT64_MAX / effort;
}

std::optional<PowNonce> PowSolve(const PowSeed& seed, const Digest32& envelope_id,
                                 uint64_t total_size, uint64_t effort,
                                 const std::function<bool(uint64_t tries)>& progress) {
  PowNonce nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  if (effort == 0) return nonce;
  if (effort > kPowMaxEffort) return std::nullopt;
  const uint64_t threshold = UINT64_MAX / effort;
  for (uint64_t tries = 1;; ++tries) {
    if (PowValue(seed, envelope_id, total_size, effort, nonce) <= threshold) return nonce;
    sodium_increment(nonce.data(), nonce.size());
    if ((tries & 0xffff) == 0 && progress && !progress(tries)) return std::nullopt;
  }
}

}  // namespace gavah
