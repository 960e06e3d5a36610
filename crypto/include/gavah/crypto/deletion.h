// A deletion statement: one investigator's signed agreement that one envelope be deleted from
// one server. The server keeps the statements and shows them with every deletion, so that no
// server (or whoever seized it) can make testimony disappear by calling it deleted: a deletion
// counts only with `threshold` valid statements from distinct investigators of the bundle.
// Format: docs/PROTOCOL.md, "Deletion statements".
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "gavah/crypto/bundle.h"
#include "gavah/crypto/digest.h"
#include "gavah/crypto/keys.h"
#include "gavah/crypto/status.h"

namespace gavah {

inline constexpr uint8_t kDeletionStatementVersion = 1;
// version (1) || signer Ed25519 key (32) || signature (64)
inline constexpr size_t kDeletionStatementSize = 1 + 32 + 64;

struct DeletionStatement {
  PublicKey32 signer{};
  std::array<uint8_t, 64> signature{};
};

// "gavah-delete-v1\0" || organisation fingerprint (16) || server (32) || envelope id (32), where
// `server` is the SHA-256 of the server's TLS certificate (PEM), as in review authentication.
std::vector<uint8_t> DeletionMessage(const Fingerprint& organisation, const Digest32& server,
                                     const Digest32& envelope_id);

std::array<uint8_t, kDeletionStatementSize> SignDeletion(const InvestigatorSecretKey& key,
                                                         const Fingerprint& organisation,
                                                         const Digest32& server,
                                                         const Digest32& envelope_id);

// kMalformed for a wrong size, kUnsupported for another version.
Result<DeletionStatement> ParseDeletionStatement(std::span<const uint8_t> bytes);

// kBadSignature unless the signature holds for this organisation, server and envelope.
Status VerifyDeletion(const DeletionStatement& s, const Fingerprint& organisation,
                      const Digest32& server, const Digest32& envelope_id);

// How many distinct investigators of `bundle` agreed, by valid statements, that `envelope_id` be
// deleted from a server whose certificate hash is one of `servers`. Statements that do not
// parse, verify or name a listed investigator, and repeats, count for nothing.
size_t CountDeletionAgreements(std::span<const std::vector<uint8_t>> statements,
                               const RecipientBundle& bundle, std::span<const Digest32> servers,
                               const Digest32& envelope_id);

}  // namespace gavah
