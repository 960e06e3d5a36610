// Organisation and investigator keys, their passphrase-protected files and public text forms.
// Formats: docs/PROTOCOL.md, "Key files" and "Public keys".
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"
#include "gavah/crypto/xwing.h"

namespace gavah {

using PublicKey32 = std::array<uint8_t, 32>;
using Fingerprint = std::array<uint8_t, 16>;

// Argon2id cost written into each key file, so files made later can cost more.
struct KdfParams {
  uint64_t opslimit;
  uint64_t memlimit;           // bytes
  static KdfParams Default();  // 3 passes, 256 MiB
  // Limits a reader accepts, so a hostile file cannot demand unbounded memory or time.
  static constexpr uint64_t kMaxOpslimit = 64;
  static constexpr uint64_t kMaxMemlimit = 4ull << 30;
};

enum class KeyKind : uint8_t { kOrganisation = 1, kInvestigator = 2 };

// A public investigator identity as it appears in .pub files and bundles.
struct InvestigatorPublicKey {
  std::string name;
  PublicKey32 encryption_key{};  // X25519
  PublicKey32 signing_key{};     // Ed25519
  // X-Wing (ML-KEM-768 + X25519): version 2 keys, which version 2 bundles and envelopes need.
  std::optional<xwing::PublicKey> xwing_key;

  // Covers every public part, the X-Wing key included.
  Fingerprint fingerprint() const;
  // False for keys no honest key generation produces: an X25519 key of small order (sealing to
  // it fails, or yields a share nobody can open), an Ed25519 key that is not a valid point of
  // prime order, or an X-Wing key that fails ML-KEM's modulus check or has a small-order X25519
  // part.
  bool IsUsable() const;
  // One line: "gavah-investigator-v1 <base64(enc||sign)> <name>\n", or for a version 2 key
  // "gavah-investigator-v2 <base64(enc||sign||xwing)> <name>\n".
  std::string ToText() const;
  static Result<InvestigatorPublicKey> FromText(std::string_view text);
};

// Investigator secret key: X25519 secret for opening shares, Ed25519 seed for signing requests.
// Constructed only through Generate() or a verified key file, so it is always well formed.
class InvestigatorSecretKey {
 public:
  // A version 2 key: X25519, Ed25519 and X-Wing.
  static InvestigatorSecretKey Generate(std::string name);
  // A version 1 key (X25519 and Ed25519 only), as releases before X-Wing made; for tests of
  // compatibility.
  static InvestigatorSecretKey GenerateVersion1(std::string name);
  // From raw secret material: X25519 secret || Ed25519 seed (64 bytes, version 1) || X-Wing seed
  // (96 bytes, version 2); for key files and vectors.
  static Result<InvestigatorSecretKey> FromSecret(std::string name, SecretBuffer secret);

  const InvestigatorPublicKey& public_key() const { return public_; }
  // 2 when the key has an X-Wing part, else 1; also the version of its key file.
  uint16_t version() const { return xwing_ ? 2 : 1; }
  // The X-Wing decapsulation key; only for version() == 2.
  const xwing::DecapsulationKey& xwing() const { return *xwing_; }
  // X25519 secret scalar; the only accessor for it.
  std::span<const uint8_t> encryption_secret() const { return secret_.span().first(32); }
  std::span<const uint8_t> signing_seed() const { return secret_.span().subspan(32, 32); }
  const SecretBuffer& secret_material() const { return secret_; }

 private:
  InvestigatorSecretKey(InvestigatorPublicKey pub, SecretBuffer secret,
                        std::shared_ptr<const xwing::DecapsulationKey> xwing)
      : public_(std::move(pub)), secret_(std::move(secret)), xwing_(std::move(xwing)) {}
  InvestigatorPublicKey public_;
  SecretBuffer secret_;
  std::shared_ptr<const xwing::DecapsulationKey> xwing_;
};

// The organisation's Ed25519 key that signs bundles.
class OrganisationKey {
 public:
  static OrganisationKey Generate();
  static Result<OrganisationKey> FromSeed(SecretBuffer seed);

  const PublicKey32& public_key() const { return public_; }
  Fingerprint fingerprint() const;
  // Detached Ed25519 signature over `message`.
  std::array<uint8_t, 64> Sign(std::span<const uint8_t> message) const;
  // "gavah-organisation-v1 <base64(pk)>\n"
  std::string PublicText() const;
  // Ed25519 seed; the only accessor for it (key files need it).
  const SecretBuffer& secret_seed() const { return seed_; }

 private:
  OrganisationKey(PublicKey32 pub, SecretBuffer seed) : public_(pub), seed_(std::move(seed)) {}
  PublicKey32 public_{};
  SecretBuffer seed_;
};

// 1-64 bytes of printable UTF-8 (no C0, DEL or C1 control; see IsPrintableUtf8).
bool IsValidInvestigatorName(std::string_view name);

Fingerprint OrganisationFingerprint(const PublicKey32& org_public_key);
std::string FingerprintToText(const Fingerprint& fp);  // 32 lower-case hex digits
Result<Fingerprint> FingerprintFromText(std::string_view text);

// Key files: Argon2id-derived key, XChaCha20-Poly1305 over the secret, header as associated data.
// `version` 2 is for investigator keys with an X-Wing part (InvestigatorSecretKey::version()).
Result<std::vector<uint8_t>> EncryptKeyFile(KeyKind kind, std::span<const uint8_t> secret,
                                            std::span<const uint8_t> passphrase,
                                            const KdfParams& params, uint16_t version);
// The version a key file's header states (1 or 2); kMalformed or kUnsupported as DecryptKeyFile.
Result<uint16_t> PeekKeyFileVersion(std::span<const uint8_t> file);
// Checks the header first (kWrongKeyKind, kUnsupported, kMalformed), then the passphrase.
Result<SecretBuffer> DecryptKeyFile(std::span<const uint8_t> file, KeyKind expected_kind,
                                    std::span<const uint8_t> passphrase);
// The kind a key file claims, for messages; kMalformed when it is not a key file at all.
Result<KeyKind> PeekKeyFileKind(std::span<const uint8_t> file);

// The plaintext inside an investigator key file: X25519 secret || Ed25519 seed || (version 2:
// X-Wing seed ||) u8 len || name.
SecretBuffer SerializeInvestigatorSecret(const InvestigatorSecretKey& key);
Result<InvestigatorSecretKey> ParseInvestigatorSecret(const SecretBuffer& serialized,
                                                      uint16_t version = 1);

}  // namespace gavah
