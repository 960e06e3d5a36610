// The proof-of-work puzzle against vectors computed apart from Gavah's code (Python's hashlib),
// and the properties admission relies on: a solution is bound to its seed, envelope, size and
// effort, and the solver finds one.
#include "gavah/crypto/pow.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gavah/crypto/hex.h"
#include "support/test_support.h"

namespace gavah {
namespace {

template <typename A>
A Arr(const std::string& hex) {
  auto bytes = FromHex(hex);
  EXPECT_TRUE(bytes.has_value() && bytes->size() == A().size()) << hex;
  A a{};
  if (bytes && bytes->size() == a.size()) std::copy(bytes->begin(), bytes->end(), a.begin());
  return a;
}

TEST(PowTest, MatchesTheIndependentVectors) {
  std::ifstream in(std::string(GAVAH_VECTORS_DIR) + "/pow.txt");
  ASSERT_TRUE(in) << "tests/vectors/pow.txt";
  std::string line;
  int checked = 0, valid = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    std::string seed, id, nonce, value;
    uint64_t total = 0, effort = 0;
    int ok = -1;
    f >> seed >> id >> total >> effort >> nonce >> value >> ok;
    ASSERT_FALSE(f.fail()) << line;
    const auto s = Arr<PowSeed>(seed);
    const auto e = Arr<Digest32>(id);
    const auto n = Arr<PowNonce>(nonce);
    EXPECT_EQ(PowValue(s, e, total, effort, n), std::stoull(value, nullptr, 16)) << line;
    EXPECT_EQ(PowValid(s, e, total, effort, n), ok == 1) << line;
    if (ok == 1 && effort > 1) {
      // Bound to everything it covers: another id, size, effort or seed does not carry it.
      Digest32 other = e;
      other[0] ^= 1;
      PowSeed other_seed = s;
      other_seed[31] ^= 1;
      int carried = PowValid(s, other, total, effort, n) + PowValid(s, e, total + 1, effort, n) +
                    PowValid(s, e, total, effort + 1, n) +
                    PowValid(other_seed, e, total, effort, n);
      EXPECT_LE(carried, 1) << "a solution must not carry over (by chance at most once): " << line;
    }
    ++checked;
    valid += ok;
  }
  EXPECT_EQ(checked, 7);
  EXPECT_EQ(valid, 4);
}

TEST(PowTest, SolverFindsASolutionAndCanBeStopped) {
  PowSeed seed{};
  seed[0] = 1;
  Digest32 id{};
  id[5] = 9;
  const auto n = PowSolve(seed, id, 3 << 20, 3000, nullptr);
  ASSERT_TRUE(n.has_value());
  EXPECT_TRUE(PowValid(seed, id, 3 << 20, 3000, *n));
  // An effort no one can meet in a test's time, stopped by its progress callback.
  int calls = 0;
  EXPECT_FALSE(PowSolve(seed, id, 1, kPowMaxEffort, [&](uint64_t) { return ++calls < 3; }));
  EXPECT_EQ(calls, 3);
  EXPECT_FALSE(PowValid(seed, id, 1, kPowMaxEffort + 1, *n)) << "effort past the maximum";
  EXPECT_TRUE(PowValid(seed, id, 1, 0, PowNonce{})) << "no effort asked, none needed";
}

TEST(PowTest, UnitsAreStartedMebibytes) {
  EXPECT_EQ(PowUnits(0), 1u);
  EXPECT_EQ(PowUnits(4096), 1u);
  EXPECT_EQ(PowUnits(1 << 20), 1u);
  EXPECT_EQ(PowUnits((1 << 20) + 1), 2u);
  EXPECT_EQ(PowUnits(uint64_t{8} << 30), 8192u);
}

}  // namespace
}  // namespace gavah
