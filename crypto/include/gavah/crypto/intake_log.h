// What Gavah writes into its transparency log and how clients check what the log shows them
// (docs/PROTOCOL.md 12.7-12.9): typed entries for stored envelopes and deletion statements, the
// log's origin and key (the server's receipt key), and a checkpoint's acceptance under the
// bundle's witness policy.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gavah/crypto/deletion.h"
#include "gavah/crypto/digest.h"
#include "gavah/crypto/keys.h"
#include "gavah/crypto/status.h"
#include "gavah/crypto/tlog.h"

namespace gavah::tlog {

enum class EntryType : uint8_t { kEnvelope = 1, kDeletion = 2 };

// 0x01 || envelope id (32) || u64 received hour: an envelope the intake stored.
inline constexpr size_t kEnvelopeEntrySize = 1 + 32 + 8;
// 0x02 || envelope id (32) || u64 hour || deletion statement (97): one investigator's signed
// agreement that the envelope be deleted.
inline constexpr size_t kDeletionEntrySize = 1 + 32 + 8 + kDeletionStatementSize;

struct IntakeEntry {
  EntryType type = EntryType::kEnvelope;
  Digest32 envelope_id{};
  uint64_t hour = 0;
  std::array<uint8_t, kDeletionStatementSize> statement{};  // kDeletion only
};
std::vector<uint8_t> EncodeEntry(const IntakeEntry& e);
// Strict: a known type, its exact size, a whole hour; a statement of the known version.
Result<IntakeEntry> ParseEntry(std::span<const uint8_t> bytes);

// "gavah.intake/<64 lower-case hex digits of the log key>": one origin per log key (a server
// that changes its key starts a new log rather than rewriting the old one), and the origin
// names its own key, so a witness can witness any Gavah log without being told its key first.
std::string LogOrigin(const PublicKey32& log_key);
// The key an origin of that form names; nullopt for any other origin.
std::optional<PublicKey32> LogKeyFromOrigin(std::string_view origin);
// The log's verifier key: the receipt key under the origin's name, type 0x01.
VerifierKey LogVerifierKey(const PublicKey32& log_key);

// What a client accepts of a checkpoint note: signed by the log and cosigned by at least
// `quorum` of `witnesses` (each counted once).
struct AcceptedCheckpoint {
  Checkpoint checkpoint;
  std::string note;
  std::vector<std::string> cosigners;  // the witnesses whose cosignature verified, in note order
};
// kBadSignature or kUntrustedSigner when the log's signature is missing or wrong, or a known
// witness's cosignature fails; kUntrustedSigner when fewer than `quorum` witnesses cosigned;
// kMalformed for a note that is not a checkpoint of this log's origin.
Result<AcceptedCheckpoint> AcceptCheckpoint(std::string_view note, const PublicKey32& log_key,
                                            std::span<const VerifierKey> witnesses, size_t quorum);

// Checks that `newer` extends `older` (both accepted checkpoints of one log) with `proof`
// (PROOF(older.size, newer.size); empty when the sizes are equal or the older is empty).
// kTampered, naming both checkpoints, when it does not: a split view or a rewritten log.
Status CheckExtends(const Checkpoint& older, const Checkpoint& newer,
                    std::span<const Digest32> proof);

}  // namespace gavah::tlog
