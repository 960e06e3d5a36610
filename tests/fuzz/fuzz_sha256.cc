// SHA-256 (crypto/src/digest.cc: the SHA extensions where the machine has them) against
// libsodium's independent implementation. The input is two messages and the pieces they are fed
// in: byte 0 says where the first message ends (as a fraction of the rest), and each piece's
// length comes from the message bytes themselves, so every split, partial block and pairing of
// unequal pieces through Sha256::UpdateBoth is reachable.
#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <span>

#include "fuzz_fixtures.h"
#include "gavah/crypto/digest.h"

namespace {

gavah::Digest32 Sodium(std::span<const uint8_t> m) {
  gavah::Digest32 d{};
  crypto_hash_sha256(d.data(), m.data(), m.size());
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (sodium_init() < 0) gavah::fuzz::Fail("sodium_init");
  if (gavah::fuzz::WantSeeds()) {
    gavah::fuzz::WriteSeed("two-messages", 128, gavah::fuzz::Fill(5000, 1));
    gavah::fuzz::WriteSeed("one-message", 255, gavah::fuzz::Fill(200, 9));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  const size_t cut = rest.size() * data[0] / 255;
  const auto x = rest.first(cut), y = rest.subspan(cut);
  gavah::Sha256 a, b, whole;
  size_t i = 0, j = 0;
  while (i < x.size() || j < y.size()) {
    // Piece lengths up to four blocks and a bit, from the bytes at hand; x's may be empty.
    const size_t n = i < x.size() ? std::min<size_t>(x.size() - i, x[i] % 300) : 0;
    const size_t m = j < y.size() ? std::min<size_t>(y.size() - j, y[j] % 300 + 1) : 0;
    gavah::Sha256::UpdateBoth(a, x.subspan(i, n), b, y.subspan(j, m));
    whole.Update(x.subspan(i, n));
    i += n;
    j += m;
    if (n == 0 && m == 0) {  // only x is left, and its piece was empty: one byte alone
      a.Update(x.subspan(i, 1));
      whole.Update(x.subspan(i, 1));
      ++i;
    }
  }
  const auto sx = Sodium(x);
  if (a.Final() != sx || whole.Final() != sx || b.Final() != Sodium(y))
    gavah::fuzz::Fail("SHA-256 differs from libsodium's");
  return 0;
}
