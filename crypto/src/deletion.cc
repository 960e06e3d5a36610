#include "gavah/crypto/deletion.h"

#include <sodium.h>

#include <cstring>
#include <set>

#include "gavah/crypto/secret_buffer.h"

namespace gavah {

std::vector<uint8_t> DeletionMessage(const Fingerprint& organisation, const Digest32& server,
                                     const Digest32& envelope_id) {
  static constexpr char kDomain[] = "gavah-delete-v1";  // with its NUL
  std::vector<uint8_t> m;
  m.reserve(sizeof kDomain + 16 + 32 + 32);
  m.insert(m.end(), kDomain, kDomain + sizeof kDomain);
  m.insert(m.end(), organisation.begin(), organisation.end());
  m.insert(m.end(), server.begin(), server.end());
  m.insert(m.end(), envelope_id.begin(), envelope_id.end());
  return m;
}

std::array<uint8_t, kDeletionStatementSize> SignDeletion(const InvestigatorSecretKey& key,
                                                         const Fingerprint& organisation,
                                                         const Digest32& server,
                                                         const Digest32& envelope_id) {
  const auto m = DeletionMessage(organisation, server, envelope_id);
  SecretBuffer sk(crypto_sign_SECRETKEYBYTES);
  PublicKey32 pk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), key.signing_seed().data());
  std::array<uint8_t, kDeletionStatementSize> out{};
  out[0] = kDeletionStatementVersion;
  std::memcpy(out.data() + 1, pk.data(), 32);
  crypto_sign_detached(out.data() + 33, nullptr, m.data(), m.size(), sk.data());
  return out;
}

Result<DeletionStatement> ParseDeletionStatement(std::span<const uint8_t> bytes) {
  if (bytes.size() != kDeletionStatementSize)
    return Error(ErrorCode::kMalformed, "a deletion statement has the wrong size");
  if (bytes[0] != kDeletionStatementVersion)
    return Error(ErrorCode::kUnsupported, "deletion statement version is not supported");
  DeletionStatement s;
  std::memcpy(s.signer.data(), bytes.data() + 1, 32);
  std::memcpy(s.signature.data(), bytes.data() + 33, 64);
  return s;
}

Status VerifyDeletion(const DeletionStatement& s, const Fingerprint& organisation,
                      const Digest32& server, const Digest32& envelope_id) {
  const auto m = DeletionMessage(organisation, server, envelope_id);
  if (crypto_sign_verify_detached(s.signature.data(), m.data(), m.size(), s.signer.data()) != 0)
    return Error(ErrorCode::kBadSignature, "the deletion statement's signature does not verify");
  return Status::Ok();
}

size_t CountDeletionAgreements(std::span<const std::vector<uint8_t>> statements,
                               const RecipientBundle& bundle, std::span<const Digest32> servers,
                               const Digest32& envelope_id) {
  std::set<PublicKey32> agreed;
  for (const auto& bytes : statements) {
    auto s = ParseDeletionStatement(bytes);
    if (!s.ok()) continue;
    bool listed = false;
    for (const auto& inv : bundle.contents().investigators)
      listed |= sodium_memcmp(inv.signing_key.data(), s->signer.data(), 32) == 0;
    if (!listed) continue;
    bool valid = false;
    for (const auto& server : servers)
      valid |= VerifyDeletion(*s, bundle.organisation_fingerprint(), server, envelope_id).ok();
    if (valid) agreed.insert(s->signer);
  }
  return agreed.size();
}

}  // namespace gavah
