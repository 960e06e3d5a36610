// SHA-256 names envelopes (the id is the SHA-256 of the whole file, so `sha256sum` checks it)
// and attachment plaintext (evidence manifests speak it).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

namespace gavah {

using Digest32 = std::array<uint8_t, 32>;

// Incremental SHA-256 (FIPS 180-4). On a processor with the SHA extensions the compression
// runs on them here, so that two messages can share the hash unit (UpdateBoth); elsewhere it is
// libcrypto's (AVX2 where there is AVX2). tests/crypto/digest_test.cc checks both against the
// FIPS 180-4 examples and against libsodium's independent implementation.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::span<const uint8_t> bytes);
  Digest32 Final();

  // a.Update(x) and b.Update(y), interleaved. A SHA-256 round instruction waits for the one
  // before it, so one message leaves the unit idle most of the time: two independent messages
  // hashed together run about 1.7 times as fast as one after the other. `a` and `b` must differ.
  static void UpdateBoth(Sha256& a, std::span<const uint8_t> x, Sha256& b,
                         std::span<const uint8_t> y);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Digest32 Sha256Of(std::span<const uint8_t> bytes);

namespace internal {
// Whether Sha256 runs on the SHA extensions on this machine (else on libcrypto). For tests.
bool Sha256UsesShaExtensions();
// Forces libcrypto's implementation for Sha256 objects created afterwards. For tests, so that
// both paths run on any machine.
void Sha256ForceLibcrypto(bool force);
}  // namespace internal

}  // namespace gavah
