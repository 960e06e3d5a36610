// Released shares as the receiving investigator (Azadeh) opens them with the fixed bundle. The
// first byte picks what the input is:
//   0: the sealed bytes as fetched from the server (seed: tests/vectors/released-share.bin);
//   1: the signed plaintext, sealed here to Azadeh, so the framing behind the seal is reached;
//   2: the inner message (domain, envelope id, from, to, x, y), signed here by the investigator
//      the second byte names (3: one the bundle does not list) and sealed to Azadeh, so the
//      checks behind a good signature are reached. With the second byte's top bit set, domain
//      and fingerprints are written correctly, leaving envelope id, x and y to the input.
#include <sodium.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_fixtures.h"
#include "gavah/crypto/released_share.h"

namespace {

constexpr char kDomain[] = "gavah-share-v1";
constexpr size_t kInner = sizeof kDomain + 32 + 16 + 16 + 1 + 32;
constexpr size_t kSigned = kInner + crypto_sign_BYTES;
static_assert(gavah::kReleasedShareSealedSize == kSigned + crypto_box_SEALBYTES);

void Open(std::span<const uint8_t> sealed, const gavah::fuzz::Fixtures& f) {
  const auto& me = f.investigators[0];
  auto got = gavah::OpenReleasedShare(sealed, me, f.bundle);
  if (!got.ok()) return;
  // Whatever opens came from a listed investigator, is a usable share, and can be released
  // again by its receiver.
  if (got->share.x == 0 || got->share.y.size() != 32) gavah::fuzz::Fail();
  bool listed = false;
  for (const auto& inv : f.bundle.contents().investigators)
    listed |= inv.fingerprint() == got->from;
  if (!listed) gavah::fuzz::Fail();
  if (!gavah::ReleaseShare(got->envelope_id, got->share, me, f.investigators[1].public_key()).ok())
    gavah::fuzz::Fail();
}

// Signs the inner message at the front of `plain` (kSigned bytes) with `signer`'s key.
void Sign(std::vector<uint8_t>& plain, const gavah::InvestigatorSecretKey& signer) {
  gavah::SecretBuffer sk(crypto_sign_SECRETKEYBYTES);
  gavah::PublicKey32 pk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), signer.signing_seed().data());
  crypto_sign_detached(plain.data() + kInner, nullptr, plain.data(), kInner, sk.data());
}

std::vector<uint8_t> Seal(std::span<const uint8_t> plain, const gavah::fuzz::Fixtures& f) {
  std::vector<uint8_t> sealed(plain.size() + crypto_box_SEALBYTES);
  crypto_box_seal(sealed.data(), plain.data(), plain.size(),
                  f.investigators[0].public_key().encryption_key.data());
  return sealed;
}

// Bahram's share x = 2 of the receipt vector's id, to Azadeh, in each of the three forms.
void WriteSeeds(const gavah::fuzz::Fixtures& f) {
  gavah::fuzz::WriteSeed("sealed", 0, gavah::fuzz::ReadVector("released-share.bin"));
  const auto& from = f.investigators[1];
  std::vector<uint8_t> plain(kSigned);
  std::memcpy(plain.data(), kDomain, sizeof kDomain);
  std::memcpy(plain.data() + sizeof kDomain, f.receipt_id.data(), 32);
  const auto from_fp = from.public_key().fingerprint();
  const auto to_fp = f.investigators[0].public_key().fingerprint();
  std::memcpy(plain.data() + sizeof kDomain + 32, from_fp.data(), 16);
  std::memcpy(plain.data() + sizeof kDomain + 48, to_fp.data(), 16);
  plain[sizeof kDomain + 64] = 2;
  const auto y = gavah::fuzz::Fill(32, 0x33);
  std::memcpy(plain.data() + sizeof kDomain + 65, y.data(), 32);
  std::vector<uint8_t> inner(plain.begin(), plain.begin() + kInner);
  inner.insert(inner.begin(), uint8_t{0x81});  // signed by Bahram, fields written here
  gavah::fuzz::WriteSeed("inner", 2, inner);
  Sign(plain, from);
  gavah::fuzz::WriteSeed("signed", 1, plain);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const auto& f = gavah::fuzz::Fixed();
  if (gavah::fuzz::WantSeeds()) WriteSeeds(f);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& f = gavah::fuzz::Fixed();
  if (size == 0) return 0;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      Open(rest, f);
      break;
    case 1: {
      std::vector<uint8_t> plain(rest.begin(), rest.end());
      plain.resize(kSigned);
      Open(Seal(plain, f), f);
      break;
    }
    default: {
      if (rest.empty()) return 0;
      const uint8_t how = rest[0];
      const auto& signer = f.investigators[how % 4];
      std::vector<uint8_t> plain(rest.begin() + 1, rest.end());
      plain.resize(kSigned);
      if (how & 0x80) {
        std::memcpy(plain.data(), kDomain, sizeof kDomain);
        const auto from = signer.public_key().fingerprint();
        const auto to = f.investigators[0].public_key().fingerprint();
        std::memcpy(plain.data() + sizeof kDomain + 32, from.data(), 16);
        std::memcpy(plain.data() + sizeof kDomain + 48, to.data(), 16);
      }
      Sign(plain, signer);
      Open(Seal(plain, f), f);
      break;
    }
  }
  return 0;
}
