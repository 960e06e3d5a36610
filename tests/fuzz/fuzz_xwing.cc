// ML-KEM-768 and X-Wing on untrusted bytes. The first byte picks what the input is:
//   0: an X-Wing ciphertext for a fixed key (Azadeh's version 2 key of the vectors): any 1120
//      bytes decapsulate (implicit rejection) unless the X25519 part is of small order;
//   1: an X-Wing public key: encapsulation takes it exactly when IsValidPublicKey does;
//   2: an ML-KEM decapsulation key (2400 bytes) then a ciphertext (1088): refused only by size or
//      the hash check, never a crash;
//   3: an X-Wing sealed box (PROTOCOL 1.5) for the fixed key, context "GvhStnz2".
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_fixtures.h"
#include "gavah/crypto/mlkem.h"
#include "gavah/crypto/xwing.h"

namespace {

const gavah::xwing::DecapsulationKey& Key() {
  static const std::vector<uint8_t> material = gavah::fuzz::Fill(96, 0x40);
  static const auto* key = new gavah::xwing::DecapsulationKey(
      gavah::xwing::DecapsulationKey::FromSeed(std::span(material).subspan(64, 32)));
  return *key;
}

void WriteSeeds() {
  std::vector<uint8_t> ct(gavah::xwing::kCiphertextSize), ss(32);
  if (!gavah::xwing::Encapsulate(Key().public_key(),
                                 std::span<uint8_t, gavah::xwing::kCiphertextSize>(ct),
                                 std::span<uint8_t, 32>(ss))
           .ok())
    gavah::fuzz::Fail();
  gavah::fuzz::WriteSeed("ciphertext", 0, ct);
  gavah::fuzz::WriteSeed("public-key", 1, Key().public_key());
  const std::vector<uint8_t> plain(33, 7);
  auto sealed = gavah::xwing::Seal(Key().public_key(), "GvhStnz2", plain);
  if (!sealed.ok()) gavah::fuzz::Fail();
  gavah::fuzz::WriteSeed("sealed", 3, sealed.value());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)gavah::fuzz::Fixed();
  if (gavah::fuzz::WantSeeds()) WriteSeeds();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)gavah::fuzz::Fixed();
  if (size == 0) return 0;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  std::array<uint8_t, 32> ss{};
  switch (data[0] % 4) {
    case 0: {
      const gavah::Status st = Key().Decapsulate(rest, ss);
      // Only the size and a small-order X25519 part may refuse a ciphertext.
      if (!st.ok() && rest.size() == gavah::xwing::kCiphertextSize) {
        uint8_t q[32];
        static const uint8_t one[32] = {1};
        if (crypto_scalarmult(q, one, rest.data() + 1088) == 0) gavah::fuzz::Fail();
      }
      break;
    }
    case 1: {
      std::array<uint8_t, gavah::xwing::kCiphertextSize> ct{};
      const bool valid = gavah::xwing::IsValidPublicKey(rest);
      const bool took = gavah::xwing::Encapsulate(rest, ct, ss).ok();
      if (valid != took) gavah::fuzz::Fail();
      break;
    }
    case 2: {
      const size_t dk = std::min(rest.size(), gavah::mlkem768::kDecapsulationKeySize);
      const gavah::Status st = gavah::mlkem768::Decaps(rest.first(dk), rest.subspan(dk), ss);
      if (st.ok() != (dk == gavah::mlkem768::kDecapsulationKeySize &&
                      rest.size() - dk == gavah::mlkem768::kCiphertextSize &&
                      gavah::mlkem768::CheckDecapsulationKey(rest.first(dk))))
        gavah::fuzz::Fail();
      break;
    }
    default: {
      if (rest.size() < gavah::xwing::kSealOverhead) return 0;
      std::vector<uint8_t> out(rest.size() - gavah::xwing::kSealOverhead);
      (void)gavah::xwing::Open(Key(), "GvhStnz2", rest, out);
      break;
    }
  }
  return 0;
}
