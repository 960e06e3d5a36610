#include "gavah/crypto/shamir.h"

#include <gtest/gtest.h>
#include <sodium.h>

namespace gavah {
namespace {

TEST(Gf256Test, MultiplicationMatchesKnownAesFieldProducts) {
  EXPECT_EQ(gf256::Mul(0x57, 0x83), 0xc1);  // FIPS-197 section 4.2
  EXPECT_EQ(gf256::Mul(0x57, 0x13), 0xfe);
  EXPECT_EQ(gf256::Mul(0, 0x13), 0);
}

TEST(Gf256Test, EveryNonZeroElementHasItsInverse) {
  for (int a = 1; a < 256; ++a)
    EXPECT_EQ(gf256::Mul(static_cast<uint8_t>(a), gf256::Inv(static_cast<uint8_t>(a))), 1) << a;
}

std::vector<Share> Pick(const std::vector<Share>& all, unsigned mask) {
  std::vector<Share> out;
  for (size_t i = 0; i < all.size(); ++i) {
    if (mask & (1u << i)) out.push_back(Share{all[i].x, SecretBuffer::CopyOf(all[i].y.span())});
  }
  return out;
}

TEST(ShamirTest, EveryKSubsetRecoversAndNoSmallerSubsetDoes) {
  ASSERT_TRUE(InitCrypto());
  uint8_t secret[32];
  randombytes_buf(secret, sizeof secret);
  for (unsigned n = 1; n <= 5; ++n) {
    for (unsigned k = 1; k <= n; ++k) {
      auto shares = ShamirSplit(secret, k, n);
      ASSERT_TRUE(shares.ok());
      for (unsigned mask = 1; mask < (1u << n); ++mask) {
        const unsigned count = __builtin_popcount(mask);
        auto got = ShamirCombine(Pick(shares.value(), mask));
        ASSERT_TRUE(got.ok());
        if (count >= k) {
          EXPECT_TRUE(got->Equals(secret)) << "k=" << k << " n=" << n << " mask=" << mask;
        } else {
          EXPECT_FALSE(got->Equals(secret)) << "k=" << k << " n=" << n << " mask=" << mask;
        }
      }
    }
  }
}

TEST(ShamirTest, RejectsImpossibleThresholds) {
  uint8_t secret[32] = {};
  EXPECT_FALSE(ShamirSplit(secret, 0, 3).ok());
  EXPECT_FALSE(ShamirSplit(secret, 4, 3).ok());
  EXPECT_FALSE(ShamirSplit(secret, 2, 256).ok());
  EXPECT_TRUE(ShamirSplit(secret, 255, 255).ok());
}

TEST(ShamirTest, RejectsDuplicateOrZeroCoordinates) {
  uint8_t secret[32] = {1};
  auto shares = ShamirSplit(secret, 2, 3);
  ASSERT_TRUE(shares.ok());
  std::vector<Share> dup;
  dup.push_back(Share{1, SecretBuffer::CopyOf(shares.value()[0].y.span())});
  dup.push_back(Share{1, SecretBuffer::CopyOf(shares.value()[1].y.span())});
  EXPECT_FALSE(ShamirCombine(dup).ok());
  std::vector<Share> zero;
  zero.push_back(Share{0, SecretBuffer::CopyOf(shares.value()[0].y.span())});
  EXPECT_FALSE(ShamirCombine(zero).ok());
}

}  // namespace
}  // namespace gavah
