// The admission puzzle's costs (docs/PROTOCOL.md 7.4): checking one proof, and solving at a
// given effort, averaged over several solves (the number of tries is geometric).
//   build/bench/pow_bench [--effort 1048576] [--solves 20]
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "gavah/crypto/pow.h"

int main(int argc, char** argv) {
  uint64_t effort = 1 << 20;
  int solves = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--effort")) effort = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--solves")) solves = std::stoi(argv[i + 1]);
  }
  if (sodium_init() < 0) return 1;
  gavah::PowSeed seed{};
  gavah::Digest32 id{};
  randombytes_buf(seed.data(), seed.size());
  gavah::PowNonce nonce{};
  constexpr int kChecks = 2000000;
  int valid = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kChecks; ++i) {
    std::memcpy(nonce.data(), &i, sizeof i);
    valid += gavah::PowValid(seed, id, 1 << 20, 1000, nonce);
  }
  const double check_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
      kChecks;
  t0 = std::chrono::steady_clock::now();
  for (int s = 0; s < solves; ++s) {
    id[0] = static_cast<uint8_t>(s);
    if (!gavah::PowSolve(seed, id, 1 << 20, effort, nullptr)) return 1;
  }
  const double solve_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / solves;
  std::printf(
      "pow_bench: check_us=%.3f (%d of %d random nonces valid at effort 1000) "
      "solve_s=%.3f at effort %llu (mean of %d; expected %.3f from the check cost)\n",
      check_us, valid, kChecks, solve_s, static_cast<unsigned long long>(effort), solves,
      check_us * static_cast<double>(effort) / 1e6);
  return 0;
}
