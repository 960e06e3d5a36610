#include "gavah/crypto/digest.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <random>
#include <string>
#include <vector>

#include "gavah/crypto/hex.h"

namespace gavah {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Digest32 Sodium(std::span<const uint8_t> m) {
  Digest32 d{};
  crypto_hash_sha256(d.data(), m.data(), m.size());
  return d;
}

std::vector<uint8_t> Random(std::mt19937_64& rng, size_t n) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

// Both implementations: the SHA extensions' (where the machine has them) and libcrypto's.
class Sha256Test : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    internal::Sha256ForceLibcrypto(GetParam());
    if (!GetParam() && !internal::Sha256UsesShaExtensions())
      GTEST_SKIP() << "this processor has no SHA extensions";
  }
  void TearDown() override { internal::Sha256ForceLibcrypto(false); }
};

// FIPS 180-4's examples (NIST's "Example Algorithms", SHA256.pdf and SHA2_Additional.pdf).
TEST_P(Sha256Test, FipsExamples) {
  EXPECT_EQ(ToHex(Sha256Of(Bytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256Of(Bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha256Of(Bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 million;
  const std::string a(1000, 'a');
  for (int i = 0; i < 1000; ++i) million.Update(Bytes(a));
  EXPECT_EQ(ToHex(million.Final()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Every length around the padding's edges, and lengths of many blocks, split at random points.
TEST_P(Sha256Test, AgreesWithLibsodiumWhateverTheSplit) {
  std::mt19937_64 rng(1);
  for (size_t n = 0; n < 300; ++n) {
    const auto m = Random(rng, n);
    EXPECT_EQ(Sha256Of(m), Sodium(m)) << n;
  }
  for (int round = 0; round < 200; ++round) {
    const auto m = Random(rng, rng() % 20000);
    Sha256 h;
    for (size_t at = 0; at < m.size();) {
      const size_t n = std::min<size_t>(m.size() - at, rng() % 300);
      h.Update(std::span(m).subspan(at, n));
      at += n;
    }
    EXPECT_EQ(h.Final(), Sodium(m)) << m.size();
  }
}

// Two messages through UpdateBoth in pieces of unrelated sizes, each partial block of one meeting
// whole blocks of the other, give each message's own digest.
TEST_P(Sha256Test, UpdateBothGivesEachMessageItsOwnDigest) {
  std::mt19937_64 rng(2);
  for (int round = 0; round < 300; ++round) {
    const auto x = Random(rng, rng() % 50000);
    const auto y = Random(rng, rng() % 50000);
    Sha256 a, b;
    size_t i = 0, j = 0;
    while (i < x.size() || j < y.size()) {
      const size_t n = std::min<size_t>(x.size() - i, rng() % 5000);
      const size_t m = std::min<size_t>(y.size() - j, rng() % 5000);
      Sha256::UpdateBoth(a, std::span(x).subspan(i, n), b, std::span(y).subspan(j, m));
      i += n;
      j += m;
    }
    EXPECT_EQ(a.Final(), Sodium(x));
    EXPECT_EQ(b.Final(), Sodium(y));
  }
}

INSTANTIATE_TEST_SUITE_P(Implementations, Sha256Test, ::testing::Values(false, true),
                         [](const auto& info) {
                           return info.param ? "Libcrypto" : "ShaExtensions";
                         });

}  // namespace
}  // namespace gavah
