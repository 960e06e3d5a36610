// Every k-of-n with n <= 5 at the envelope level: each k-1 subset fails, each k subset opens.
#include <gtest/gtest.h>

#include "gavah/crypto/envelope.h"
#include "support/test_support.h"

namespace gavah {
namespace {

class ThresholdTest : public ::testing::TestWithParam<std::pair<unsigned, unsigned>> {};

TEST_P(ThresholdTest, EveryKSubsetOpensAndEveryKMinusOneSubsetIsRefused) {
  const auto [n, k] = GetParam();
  auto org = testing::MakeOrg(n, k);
  auto sealed = testing::SealForTest(org.bundle, "testimony", {{"a", testing::Pattern(70000, 1)}});
  for (unsigned mask = 1; mask < (1u << n); ++mask) {
    const unsigned count = __builtin_popcount(mask);
    if (count != k && count != k - 1) continue;
    std::vector<const InvestigatorSecretKey*> keys;
    for (unsigned i = 0; i < n; ++i) {
      if (mask & (1u << i)) keys.push_back(&org.investigators[i]);
    }
    testing::CollectingSink sink;
    Status st = testing::OpenWith(sealed.envelope, keys, sink);
    if (count == k) {
      EXPECT_TRUE(st.ok()) << "mask " << mask << ": " << st.message();
      EXPECT_EQ(sink.text, "testimony");
      EXPECT_EQ(sink.data.at(0), testing::Pattern(70000, 1));
    } else {
      EXPECT_EQ(st.code(), ErrorCode::kNotEnoughKeys) << "mask " << mask;
      EXPECT_TRUE(sink.text.empty());
    }
  }
}

std::vector<std::pair<unsigned, unsigned>> AllThresholds() {
  std::vector<std::pair<unsigned, unsigned>> v;
  for (unsigned n = 1; n <= 5; ++n) {
    for (unsigned k = 1; k <= n; ++k) v.emplace_back(n, k);
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(AllUpToFive, ThresholdTest, ::testing::ValuesIn(AllThresholds()),
                         [](const auto& info) {
                           return "k" + std::to_string(info.param.second) + "of" +
                                  std::to_string(info.param.first);
                         });

}  // namespace
}  // namespace gavah
