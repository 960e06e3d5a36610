// Key files and public key text, as the tools read them from disk. The first byte picks:
//   0: a secret key file: PeekKeyFileKind, then DecryptKeyFile with the passphrase "fuzz" as
//      either kind. A cost in range but above the cheapest is lowered to it first (the header
//      is authenticated, so such a file then fails at the tag, as a damaged one should); out of
//      range costs are left for the reader to refuse;
//   1: key material (u8 kind || secret) written with EncryptKeyFile at the cheapest cost and
//      read back, so the path behind a good tag is reached;
//   2: an investigator key file's plaintext, for ParseInvestigatorSecret;
//   3: text, for InvestigatorPublicKey::FromText and FingerprintFromText.
#include <sodium.h>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "fuzz_fixtures.h"
#include "gavah/crypto/keys.h"

namespace {

constexpr std::string_view kPassphrase = "fuzz";
const gavah::KdfParams kCheapest{crypto_pwhash_argon2id_OPSLIMIT_MIN,
                                 crypto_pwhash_argon2id_MEMLIMIT_MIN};

uint64_t GetBE(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}
void PutBE(uint8_t* p, int n, uint64_t v) {
  for (int i = n - 1; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}

// What reading a decrypted key does next in the tools.
void UseSecret(gavah::KeyKind kind, uint16_t version, const gavah::SecretBuffer& secret) {
  if (kind == gavah::KeyKind::kInvestigator) {
    (void)gavah::ParseInvestigatorSecret(secret, version);
  } else {
    (void)gavah::OrganisationKey::FromSeed(gavah::SecretBuffer::CopyOf(secret.span()));
  }
}

void ReadKeyFile(std::span<const uint8_t> in) {
  (void)gavah::PeekKeyFileKind(in);
  std::vector<uint8_t> file(in.begin(), in.end());
  // magic 6, version 2, kind 1, kdf 1, u32 opslimit at 10, u64 memlimit at 14
  if (file.size() >= 22) {
    const uint64_t ops = GetBE(file.data() + 10, 4), mem = GetBE(file.data() + 14, 8);
    if (ops >= kCheapest.opslimit && ops <= gavah::KdfParams::kMaxOpslimit &&
        mem >= kCheapest.memlimit && mem <= gavah::KdfParams::kMaxMemlimit) {
      PutBE(file.data() + 10, 4, kCheapest.opslimit);
      PutBE(file.data() + 14, 8, kCheapest.memlimit);
    }
  }
  for (auto kind : {gavah::KeyKind::kInvestigator, gavah::KeyKind::kOrganisation}) {
    auto secret = gavah::DecryptKeyFile(file, kind, gavah::fuzz::Bytes(kPassphrase));
    if (secret.ok()) UseSecret(kind, gavah::PeekKeyFileVersion(file).value(), secret.value());
  }
}

void RoundTrip(std::span<const uint8_t> in) {
  if (in.empty()) return;
  const auto kind = (in[0] & 1) ? gavah::KeyKind::kOrganisation : gavah::KeyKind::kInvestigator;
  const auto secret = in.subspan(1);
  const uint16_t version = (in[0] & 2) ? 2 : 1;
  auto file =
      gavah::EncryptKeyFile(kind, secret, gavah::fuzz::Bytes(kPassphrase), kCheapest, version);
  if (!file.ok()) return;
  auto peeked = gavah::PeekKeyFileKind(file.value());
  if (!peeked.ok() || peeked.value() != kind) gavah::fuzz::Fail();
  auto back = gavah::DecryptKeyFile(file.value(), kind, gavah::fuzz::Bytes(kPassphrase));
  if (!back.ok() || !back->Equals(secret)) gavah::fuzz::Fail();
  auto wrong = gavah::DecryptKeyFile(file.value(), kind, gavah::fuzz::Bytes("fuzz!"));
  if (wrong.ok() || wrong.status().code() != gavah::ErrorCode::kWrongPassphrase)
    gavah::fuzz::Fail();
  UseSecret(kind, version, back.value());
}

void ParseSecret(std::span<const uint8_t> in) {
  const gavah::SecretBuffer serialized = gavah::SecretBuffer::CopyOf(in);
  for (uint16_t version : {1, 2}) {
    auto key = gavah::ParseInvestigatorSecret(serialized, version);
    if (!key.ok()) continue;
    // What parses is what SerializeInvestigatorSecret would have written, at that version.
    if (key->version() != version || !gavah::SerializeInvestigatorSecret(key.value()).Equals(in))
      gavah::fuzz::Fail();
  }
}

void ParseText(std::string_view text) {
  (void)gavah::FingerprintFromText(text);
  auto key = gavah::InvestigatorPublicKey::FromText(text);
  if (!key.ok()) return;
  if (!key->IsUsable() || !gavah::IsValidInvestigatorName(key->name)) gavah::fuzz::Fail();
  auto again = gavah::InvestigatorPublicKey::FromText(key->ToText());
  if (!again.ok() || again->name != key->name || again->encryption_key != key->encryption_key ||
      again->signing_key != key->signing_key)
    gavah::fuzz::Fail();
  auto fp = gavah::FingerprintFromText(gavah::FingerprintToText(key->fingerprint()));
  if (!fp.ok() || fp.value() != key->fingerprint()) gavah::fuzz::Fail();
}

// Azadeh's key (the vectors' first investigator) in each form.
void WriteSeeds(const gavah::fuzz::Fixtures& f) {
  const auto& key = f.investigators[0];
  const gavah::SecretBuffer secret = gavah::SerializeInvestigatorSecret(key);
  auto file = gavah::EncryptKeyFile(gavah::KeyKind::kInvestigator, secret.span(),
                                    gavah::fuzz::Bytes(kPassphrase), kCheapest, key.version());
  if (!file.ok()) gavah::fuzz::Fail();
  gavah::fuzz::WriteSeed("file", 0, file.value());
  std::vector<uint8_t> material = {static_cast<uint8_t>(0)};
  material.insert(material.end(), secret.span().begin(), secret.span().end());
  gavah::fuzz::WriteSeed("material", 1, material);
  gavah::fuzz::WriteSeed("secret", 2, secret.span());
  gavah::fuzz::WriteSeed("public", 3, gavah::fuzz::Bytes(key.public_key().ToText()));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const auto& f = gavah::fuzz::Fixed();
  if (gavah::fuzz::WantSeeds()) WriteSeeds(f);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)gavah::fuzz::Fixed();
  if (size == 0) return 0;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      ReadKeyFile(rest);
      break;
    case 1:
      RoundTrip(rest);
      break;
    case 2:
      ParseSecret(rest);
      break;
    default:
      ParseText({reinterpret_cast<const char*>(rest.data()), rest.size()});
      break;
  }
  return 0;
}
