// The organisation bundle: who may read testimony, where to send it, signed by the organisation.
// Format: docs/PROTOCOL.md, "Organisation bundle".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gavah/crypto/keys.h"
#include "gavah/crypto/status.h"

namespace gavah {

struct BundleEndpoint {
  enum class Role : uint8_t { kServer = 1, kRelay = 2 };
  Role role = Role::kServer;
  std::string address;              // host:port
  std::string tls_certificate_pem;  // pinned certificate
};

// A witness of the server's transparency log: where the server submits checkpoints, and the key
// whose cosignatures clients count.
struct BundleWitness {
  std::string address;       // host:port
  std::string verifier_key;  // c2sp.org/signed-note verifier key of type 0x04
};
inline constexpr size_t kMaxWitnesses = 16;

inline constexpr size_t kMaxInvestigators = 255;
inline constexpr size_t kMaxBundleBody = 256 * 1024;
// Version 2 lists each investigator's 1216-byte X-Wing key: 255 of them need more room.
inline constexpr size_t kMaxBundleBodyV2 = 512 * 1024;

struct BundleContents {
  std::string organisation_name;
  uint64_t issued_at = 0;
  uint64_t expires_at = 0;
  unsigned threshold = 1;
  std::vector<InvestigatorPublicKey> investigators;
  std::vector<BundleEndpoint> endpoints;
  std::optional<PublicKey32> receipt_key;
  uint64_t max_envelope_bytes = 0;
  std::vector<BundleWitness> witnesses;
  unsigned witness_quorum = 0;  // cosignatures a checkpoint needs (0 exactly when no witness)

  // Every rule of the spec except signature and expiry: sizes, counts, 1 <= k <= n <= 255,
  // distinct keys, every investigator with an X-Wing key or none. Returns the first rule broken.
  Status Validate() const;
  // 2 when the investigators have X-Wing keys (envelopes for them are version 2), else 1.
  uint16_t version() const { return !investigators.empty() && investigators[0].xwing_key ? 2 : 1; }
};

// A bundle whose signature has been verified; holds the exact signed bytes.
class RecipientBundle {
 public:
  // Validates, signs, and verifies its own signature before returning the bytes.
  static Result<std::vector<uint8_t>> Create(const BundleContents& contents,
                                             const OrganisationKey& org_key);

  // Verifies framing and signature before parsing the body, then the body's rules. The body must
  // be in its one canonical encoding (no unknown, repeated or out-of-order fields, no default
  // written out, minimal varints), else kMalformed. With `pinned`, the signer must have that
  // fingerprint. Expiry is checked separately by
  // CheckCurrent(), so investigators can still inspect an expired bundle.
  static Result<RecipientBundle> Parse(std::span<const uint8_t> bytes,
                                       const std::optional<Fingerprint>& pinned = std::nullopt);

  // kExpired when now >= expires_at.
  Status CheckCurrent(uint64_t now_unix) const;

  const BundleContents& contents() const { return contents_; }
  const PublicKey32& organisation_key() const { return org_key_; }
  Fingerprint organisation_fingerprint() const { return OrganisationFingerprint(org_key_); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  RecipientBundle() = default;
  BundleContents contents_;
  PublicKey32 org_key_{};
  std::vector<uint8_t> bytes_;
};

}  // namespace gavah
