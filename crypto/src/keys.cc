#include "gavah/crypto/keys.h"

#include <sodium.h>

#include <cstring>

#include "bytes.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/utf8.h"

namespace gavah {
namespace {

using internal::GetBE;
using internal::Put;
using internal::PutU16;
using internal::PutU32;
using internal::PutU64;

constexpr uint8_t kKeyMagic[6] = {'G', 'V', 'H', 'K', 'E', 'Y'};
constexpr uint16_t kKeyVersion = 1;
constexpr uint16_t kKeyVersionXWing = 2;  // investigator keys with an X-Wing seed
constexpr uint8_t kKdfArgon2id13 = 1;
constexpr size_t kSaltSize = crypto_pwhash_SALTBYTES;                        // 16
constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
// magic 6, version 2, kind 1, kdf 1, opslimit 4, memlimit 8, salt 16, nonce 24
constexpr size_t kKeyHeaderSize = 6 + 2 + 1 + 1 + 4 + 8 + kSaltSize + kNonceSize;
constexpr std::string_view kInvestigatorPubPrefix = "gavah-investigator-v1 ";
constexpr std::string_view kInvestigatorPubPrefixV2 = "gavah-investigator-v2 ";
constexpr std::string_view kOrganisationPubPrefix = "gavah-organisation-v1 ";

// Organisation: Ed25519 seed. Investigator: X25519 secret || Ed25519 seed || (version 2: X-Wing
// seed ||) name_len || name.
bool SecretSizeOk(KeyKind kind, uint16_t version, size_t size) {
  if (kind == KeyKind::kOrganisation) return version == kKeyVersion && size == 32;
  const size_t fixed = version == kKeyVersionXWing ? 96 : 64;
  return size >= fixed + 2 && size <= fixed + 1 + 64;
}

// Every public part in the order of the .pub text: X25519 || Ed25519 || X-Wing (version 2).
std::vector<uint8_t> PublicParts(const InvestigatorPublicKey& k) {
  std::vector<uint8_t> out;
  Put(out, k.encryption_key);
  Put(out, k.signing_key);
  if (k.xwing_key) Put(out, *k.xwing_key);
  return out;
}

Fingerprint FingerprintOf(std::string_view label, std::span<const uint8_t> key) {
  static constexpr char kDomain[] = "gavah-fingerprint-v1";  // hashed with its NUL
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 16);
  crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(kDomain), sizeof kDomain);
  crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(label.data()), label.size());
  crypto_generichash_update(&st, key.data(), key.size());
  Fingerprint fp{};
  crypto_generichash_final(&st, fp.data(), fp.size());
  return fp;
}

// Strips one trailing "\n" or "\r\n"; public key files are single lines.
std::string_view TrimLine(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

}  // namespace

KdfParams KdfParams::Default() {
#ifdef GAVAH_CHEAP_KDF
  // The sanitizer build of the test suite only (CMake option GAVAH_CHEAP_KDF), where Argon2id,
  // which the sanitizers do not instrument, would otherwise be most of the run. Key files record
  // their cost, so every reader still works; no build that people use sets it.
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
#else
  return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
#endif
}

// ---- investigator keys ----

Fingerprint InvestigatorPublicKey::fingerprint() const {
  return FingerprintOf("investigator", PublicParts(*this));
}

bool InvestigatorPublicKey::IsUsable() const {
  // crypto_scalarmult refuses (returns -1) when the product is the identity, which is exactly
  // the small-order case; any fixed non-zero scalar will do.
  uint8_t scalar[32];
  std::memset(scalar, 0x5a, sizeof scalar);
  uint8_t product[32];
  const bool enc_ok = crypto_scalarmult(product, scalar, encryption_key.data()) == 0;
  sodium_memzero(product, sizeof product);
  return enc_ok && crypto_core_ed25519_is_valid_point(signing_key.data()) == 1 &&
         (!xwing_key || xwing::IsValidPublicKey(*xwing_key));
}

std::string InvestigatorPublicKey::ToText() const {
  return std::string(xwing_key ? kInvestigatorPubPrefixV2 : kInvestigatorPubPrefix) +
         ToBase64(PublicParts(*this)) + " " + name + "\n";
}

Result<InvestigatorPublicKey> InvestigatorPublicKey::FromText(std::string_view text) {
  text = TrimLine(text);
  const bool v2 = text.substr(0, kInvestigatorPubPrefixV2.size()) == kInvestigatorPubPrefixV2;
  if (!v2 && text.substr(0, kInvestigatorPubPrefix.size()) != kInvestigatorPubPrefix) {
    if (text.substr(0, kOrganisationPubPrefix.size()) == kOrganisationPubPrefix) {
      return Error(ErrorCode::kWrongKeyKind,
                   "is an organisation public key, not an investigator's");
    }
    return Error(ErrorCode::kMalformed, "is not a Gavah investigator public key");
  }
  text.remove_prefix(kInvestigatorPubPrefix.size());
  const size_t space = text.find(' ');
  if (space == std::string_view::npos) {
    return Error(ErrorCode::kMalformed, "investigator public key has no name");
  }
  auto raw = FromBase64(text.substr(0, space));
  if (!raw || raw->size() != (v2 ? 64 + xwing::kPublicKeySize : 64)) {
    return Error(ErrorCode::kMalformed,
                 "investigator public key is damaged (bad base64 or length)");
  }
  InvestigatorPublicKey key;
  key.name = std::string(text.substr(space + 1));
  if (!IsValidInvestigatorName(key.name)) {
    return Error(ErrorCode::kMalformed, "investigator name must be 1-64 bytes of printable UTF-8");
  }
  std::memcpy(key.encryption_key.data(), raw->data(), 32);
  std::memcpy(key.signing_key.data(), raw->data() + 32, 32);
  if (v2) {
    key.xwing_key.emplace();
    std::memcpy(key.xwing_key->data(), raw->data() + 64, xwing::kPublicKeySize);
  }
  if (!key.IsUsable())
    return Error(ErrorCode::kMalformed, "investigator public key is not a usable key");
  return key;
}

InvestigatorSecretKey InvestigatorSecretKey::Generate(std::string name) {
  SecretBuffer secret(96);
  randombytes_buf(secret.data(), secret.size());
  auto key = FromSecret(std::move(name), std::move(secret));
  if (!key.ok()) std::abort();  // only an invalid name can fail, and callers check it first
  return std::move(key).value();
}

InvestigatorSecretKey InvestigatorSecretKey::GenerateVersion1(std::string name) {
  SecretBuffer secret(64);
  randombytes_buf(secret.data(), secret.size());
  auto key = FromSecret(std::move(name), std::move(secret));
  if (!key.ok()) std::abort();
  return std::move(key).value();
}

Result<InvestigatorSecretKey> InvestigatorSecretKey::FromSecret(std::string name,
                                                                SecretBuffer secret) {
  if (secret.size() != 64 && secret.size() != 96)
    return Error(ErrorCode::kMalformed, "investigator secret has wrong size");
  if (!IsValidInvestigatorName(name)) {
    return Error(ErrorCode::kInvalidArgument,
                 "investigator name must be 1-64 bytes of printable UTF-8");
  }
  InvestigatorPublicKey pub;
  pub.name = std::move(name);
  crypto_scalarmult_curve25519_base(pub.encryption_key.data(), secret.data());
  SecretBuffer sign_sk(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(pub.signing_key.data(), sign_sk.data(), secret.data() + 32);
  std::shared_ptr<const xwing::DecapsulationKey> xw;
  if (secret.size() == 96) {
    xw = std::make_shared<const xwing::DecapsulationKey>(
        xwing::DecapsulationKey::FromSeed(secret.span().subspan(64, 32)));
    pub.xwing_key = xw->public_key();
  }
  return InvestigatorSecretKey(std::move(pub), std::move(secret), std::move(xw));
}

SecretBuffer SerializeInvestigatorSecret(const InvestigatorSecretKey& key) {
  SecretBuffer out = SecretBuffer::CopyOf(key.secret_material().span());
  const std::string& name = key.public_key().name;
  out.PushBack(static_cast<uint8_t>(name.size()));
  out.Append(name);
  return out;
}

Result<InvestigatorSecretKey> ParseInvestigatorSecret(const SecretBuffer& serialized,
                                                      uint16_t version) {
  if (version != kKeyVersion && version != kKeyVersionXWing)
    return Error(ErrorCode::kUnsupported, "key file version is not supported by this build");
  const size_t fixed = version == kKeyVersionXWing ? 96 : 64;
  if (serialized.size() < fixed + 2 || serialized.data()[fixed] != serialized.size() - fixed - 1) {
    return Error(ErrorCode::kMalformed, "investigator key material is damaged");
  }
  std::string name(serialized.view().substr(fixed + 1));
  return InvestigatorSecretKey::FromSecret(std::move(name),
                                           SecretBuffer::CopyOf(serialized.span().first(fixed)));
}

// ---- organisation key ----

OrganisationKey OrganisationKey::Generate() {
  SecretBuffer seed(32);
  randombytes_buf(seed.data(), seed.size());
  return std::move(FromSeed(std::move(seed))).value();
}

Result<OrganisationKey> OrganisationKey::FromSeed(SecretBuffer seed) {
  if (seed.size() != 32) return Error(ErrorCode::kMalformed, "organisation seed has wrong size");
  PublicKey32 pub{};
  SecretBuffer sk(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(pub.data(), sk.data(), seed.data());
  return OrganisationKey(pub, std::move(seed));
}

Fingerprint OrganisationKey::fingerprint() const { return OrganisationFingerprint(public_); }

std::array<uint8_t, 64> OrganisationKey::Sign(std::span<const uint8_t> message) const {
  SecretBuffer sk(crypto_sign_SECRETKEYBYTES);
  PublicKey32 pub{};
  crypto_sign_seed_keypair(pub.data(), sk.data(), seed_.data());
  std::array<uint8_t, 64> sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk.data());
  return sig;
}

std::string OrganisationKey::PublicText() const {
  return std::string(kOrganisationPubPrefix) + ToBase64(public_) + "\n";
}

bool IsValidInvestigatorName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && IsPrintableUtf8(name);
}

Fingerprint OrganisationFingerprint(const PublicKey32& org_public_key) {
  return FingerprintOf("organisation", org_public_key);
}

std::string FingerprintToText(const Fingerprint& fp) { return ToHex(fp); }

Result<Fingerprint> FingerprintFromText(std::string_view text) {
  std::string clean;
  for (char c : text) {
    if (c == ' ' || c == ':' || c == '-') continue;  // people paste grouped forms
    clean.push_back(static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c));
  }
  auto raw = FromHex(clean);
  if (!raw || raw->size() != 16) {
    return Error(ErrorCode::kInvalidArgument, "fingerprint must be 32 hexadecimal digits");
  }
  Fingerprint fp{};
  std::memcpy(fp.data(), raw->data(), 16);
  return fp;
}

// ---- key files ----

Result<std::vector<uint8_t>> EncryptKeyFile(KeyKind kind, std::span<const uint8_t> secret,
                                            std::span<const uint8_t> passphrase,
                                            const KdfParams& params, uint16_t version) {
  if (passphrase.empty()) return Error(ErrorCode::kInvalidArgument, "the passphrase is empty");
  if (!SecretSizeOk(kind, version, secret.size())) {
    return Error(ErrorCode::kInvalidArgument, "secret has the wrong size for its kind");
  }
  if (params.opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      params.opslimit > KdfParams::kMaxOpslimit ||
      params.memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      params.memlimit > KdfParams::kMaxMemlimit) {
    return Error(ErrorCode::kInvalidArgument, "key derivation cost out of range");
  }
  std::vector<uint8_t> out;
  out.reserve(kKeyHeaderSize + secret.size() + kTagSize);
  Put(out, kKeyMagic);
  PutU16(out, version);
  out.push_back(static_cast<uint8_t>(kind));
  out.push_back(kKdfArgon2id13);
  PutU32(out, static_cast<uint32_t>(params.opslimit));
  PutU64(out, params.memlimit);
  uint8_t salt[kSaltSize];
  uint8_t nonce[kNonceSize];
  randombytes_buf(salt, sizeof salt);
  randombytes_buf(nonce, sizeof nonce);
  Put(out, salt);
  Put(out, nonce);
  SecretBuffer kek(32);
  if (crypto_pwhash(kek.data(), kek.size(), reinterpret_cast<const char*>(passphrase.data()),
                    passphrase.size(), salt, params.opslimit, params.memlimit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error(ErrorCode::kInvalidArgument, "not enough memory for key derivation");
  }
  const size_t header = out.size();
  out.resize(header + secret.size() + kTagSize);
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + header, nullptr, secret.data(),
                                             secret.size(), out.data(), header, nullptr, nonce,
                                             kek.data());
  return out;
}

Result<uint16_t> PeekKeyFileVersion(std::span<const uint8_t> file) {
  if (file.size() < kKeyHeaderSize || std::memcmp(file.data(), kKeyMagic, 6) != 0) {
    return Error(ErrorCode::kMalformed, "is not a Gavah secret key file");
  }
  const uint64_t version = GetBE(file.subspan(6, 2));
  // Version 2 exists for investigator keys only.
  if (version != kKeyVersion &&
      !(version == kKeyVersionXWing && file[8] == static_cast<uint8_t>(KeyKind::kInvestigator))) {
    return Error(ErrorCode::kUnsupported, "key file version is not supported by this build");
  }
  return static_cast<uint16_t>(version);
}

Result<KeyKind> PeekKeyFileKind(std::span<const uint8_t> file) {
  GAVAH_RETURN_IF_ERROR(PeekKeyFileVersion(file).status());
  const uint8_t kind = file[8];
  if (kind != static_cast<uint8_t>(KeyKind::kOrganisation) &&
      kind != static_cast<uint8_t>(KeyKind::kInvestigator)) {
    return Error(ErrorCode::kUnsupported, "key file holds an unknown kind of key");
  }
  return static_cast<KeyKind>(kind);
}

Result<SecretBuffer> DecryptKeyFile(std::span<const uint8_t> file, KeyKind expected_kind,
                                    std::span<const uint8_t> passphrase) {
  GAVAH_ASSIGN_OR_RETURN(KeyKind kind, PeekKeyFileKind(file));
  if (kind != expected_kind) {
    return Error(ErrorCode::kWrongKeyKind,
                 kind == KeyKind::kOrganisation
                     ? "is the organisation key, not an investigator key"
                     : "is an investigator key, not the organisation key");
  }
  if (file[9] != kKdfArgon2id13) {
    return Error(ErrorCode::kUnsupported, "key file uses an unknown key derivation");
  }
  const uint16_t version = static_cast<uint16_t>(GetBE(file.subspan(6, 2)));
  if (file.size() < kKeyHeaderSize + kTagSize ||
      !SecretSizeOk(kind, version, file.size() - kKeyHeaderSize - kTagSize)) {
    return Error(ErrorCode::kMalformed, "key file has the wrong length (damaged or truncated)");
  }
  const uint64_t ops = GetBE(file.subspan(10, 4));
  const uint64_t mem = GetBE(file.subspan(14, 8));
  if (ops < crypto_pwhash_argon2id_OPSLIMIT_MIN || ops > KdfParams::kMaxOpslimit ||
      mem < crypto_pwhash_argon2id_MEMLIMIT_MIN || mem > KdfParams::kMaxMemlimit) {
    return Error(ErrorCode::kMalformed, "key file asks for a key derivation cost out of range");
  }
  const uint8_t* salt = file.data() + 22;
  const uint8_t* nonce = salt + kSaltSize;
  SecretBuffer kek(32);
  if (crypto_pwhash(kek.data(), kek.size(), reinterpret_cast<const char*>(passphrase.data()),
                    passphrase.size(), salt, ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error(ErrorCode::kIo, "not enough memory to derive the key file's key");
  }
  const size_t secret_size = file.size() - kKeyHeaderSize - kTagSize;
  SecretBuffer secret(secret_size);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          secret.data(), nullptr, nullptr, file.data() + kKeyHeaderSize, secret_size + kTagSize,
          file.data(), kKeyHeaderSize, nonce, kek.data()) != 0) {
    return Error(ErrorCode::kWrongPassphrase, "wrong passphrase (or the key file is damaged)");
  }
  return secret;
}

}  // namespace gavah
