// SHA-256 names envelopes (the id is the SHA-256 of the whole file, so `sha256sum` checks it)
// and attachment plaintext (evidence manifests speak it).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

namespace gavah {

using Digest32 = std::array<uint8_t, 32>;

// Incremental SHA-256 (FIPS 180-4). Computed with libcrypto, whose SHA-NI code is about five
// times faster here than libsodium's portable one; the tests check both agree.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::span<const uint8_t> bytes);
  Digest32 Final();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Digest32 Sha256Of(std::span<const uint8_t> bytes);

}  // namespace gavah
