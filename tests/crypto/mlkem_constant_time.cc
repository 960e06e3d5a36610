// Constant-time check of ML-KEM-768 and X-Wing, run under Valgrind's memcheck (the ctgrind
// technique): the secret inputs are marked undefined, so any branch, table index or division
// whose outcome depends on them is reported, and `valgrind --error-exitcode` fails the test.
// Outputs that are public by design (keys, ciphertexts) are marked defined before use.
// With --branch-on-secret the program branches on a secret on purpose: the test that runs it so
// must fail, which shows the check can.
#include <sodium.h>
#include <valgrind/memcheck.h>

#include <array>
#include <cstdio>
#include <cstring>

#include "gavah/crypto/mlkem.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/xwing.h"

namespace {

template <typename T>
void Secret(T& bytes) {
  VALGRIND_MAKE_MEM_UNDEFINED(bytes.data(), bytes.size());
}
template <typename T>
void Public(T& bytes) {
  VALGRIND_MAKE_MEM_DEFINED(bytes.data(), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gavah;
  if (!InitCrypto()) return 2;
  const bool branch_on_secret = argc > 1 && std::strcmp(argv[1], "--branch-on-secret") == 0;
  std::array<uint8_t, 32> d{}, z{}, m{}, k{}, k2{};
  randombytes_buf(d.data(), d.size());
  randombytes_buf(z.data(), z.size());
  randombytes_buf(m.data(), m.size());
  std::array<uint8_t, mlkem768::kEncapsulationKeySize> ek{};
  std::array<uint8_t, mlkem768::kDecapsulationKeySize> dk{};
  std::array<uint8_t, mlkem768::kCiphertextSize> c{};

  Secret(d);
  Secret(z);
  mlkem768::KeyGenInternal(d, z, ek, dk);
  Public(ek);
  Secret(m);
  if (!mlkem768::EncapsInternal(ek, m, k, c).ok()) return 3;
  Public(c);
  // dk's secret parts: dk_PKE and z (the embedded ek and its hash are public).
  Public(dk);
  VALGRIND_MAKE_MEM_UNDEFINED(dk.data(), 1152);
  VALGRIND_MAKE_MEM_UNDEFINED(dk.data() + 2368, 32);
  if (!mlkem768::Decaps(dk, c, k2).ok()) return 4;
  c[5] ^= 1;  // the implicit-rejection path takes the same time
  if (!mlkem768::Decaps(dk, c, k2).ok()) return 5;

  std::array<uint8_t, 32> seed{}, ss{}, ss2{};
  std::array<uint8_t, 64> eseed{};
  randombytes_buf(seed.data(), seed.size());
  randombytes_buf(eseed.data(), eseed.size());
  Secret(seed);
  const auto key = xwing::DecapsulationKey::FromSeed(seed);
  auto pk = key.public_key();
  Public(pk);
  std::array<uint8_t, xwing::kCiphertextSize> ct{};
  Secret(eseed);
  if (!xwing::EncapsulateDerand(pk, eseed, ct, ss).ok()) return 6;
  Public(ct);
  if (!key.Decapsulate(ct, ss2).ok()) return 7;

  Public(ss);
  Public(ss2);
  if (std::memcmp(ss.data(), ss2.data(), 32) != 0) return 8;
  if (branch_on_secret && (k2[0] & 1)) std::puts("a branch on a secret bit");
  std::puts("ML-KEM-768 and X-Wing ran with secrets undefined");
  return 0;
}
