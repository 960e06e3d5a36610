#include "gavah/crypto/padding.h"

#include <gtest/gtest.h>

namespace gavah {
namespace {

TEST(PaddingTest, ShortTestimoniesAllPadToTheMinimum) {
  EXPECT_EQ(PaddedLength(0), kMinPaddedLength);
  EXPECT_EQ(PaddedLength(1), kMinPaddedLength);
  EXPECT_EQ(PaddedLength(4096), kMinPaddedLength);
}

TEST(PaddingTest, MatchesPadmeKnownValues) {
  // From the Padmé definition: L=9999 -> E=13, S=4, 9 low bits cleared, rounded up.
  EXPECT_EQ(PaddedLength(9999), 10240u);
  EXPECT_EQ(PaddedLength(10240), 10240u);
  EXPECT_EQ(PaddedLength(10241), 10752u);
  EXPECT_EQ(PaddedLength(uint64_t{1} << 30), uint64_t{1} << 30);
  EXPECT_EQ(PaddedLength((uint64_t{1} << 30) + 1), (uint64_t{1} << 30) + (uint64_t{1} << 25));
}

TEST(PaddingTest, NeverShrinksIsMonotoneAndCostsAtMostTwelvePercent) {
  uint64_t prev = 0;
  for (uint64_t l = 1; l < 3'000'000; l = l * 1.01 + 1) {
    const uint64_t p = PaddedLength(l);
    EXPECT_GE(p, l);
    EXPECT_GE(p, prev);
    if (l > kMinPaddedLength) {
      EXPECT_LE(p - l, l * 12 / 100 + 1) << l;
    }
    prev = p;
  }
}

}  // namespace
}  // namespace gavah
