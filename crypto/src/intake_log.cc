#include "gavah/crypto/intake_log.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "bytes.h"
#include "gavah/crypto/hex.h"

namespace gavah::tlog {

std::vector<uint8_t> EncodeEntry(const IntakeEntry& e) {
  std::vector<uint8_t> out;
  out.reserve(kDeletionEntrySize);
  out.push_back(static_cast<uint8_t>(e.type));
  internal::Put(out, e.envelope_id);
  internal::PutU64(out, e.hour);
  if (e.type == EntryType::kDeletion) internal::Put(out, e.statement);
  return out;
}

Result<IntakeEntry> ParseEntry(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return Error(ErrorCode::kMalformed, "an empty log entry");
  IntakeEntry e;
  if (bytes[0] == static_cast<uint8_t>(EntryType::kEnvelope)) {
    if (bytes.size() != kEnvelopeEntrySize)
      return Error(ErrorCode::kMalformed, "an envelope entry of the wrong size");
  } else if (bytes[0] == static_cast<uint8_t>(EntryType::kDeletion)) {
    if (bytes.size() != kDeletionEntrySize)
      return Error(ErrorCode::kMalformed, "a deletion entry of the wrong size");
    e.type = EntryType::kDeletion;
    std::memcpy(e.statement.data(), bytes.data() + 41, kDeletionStatementSize);
    GAVAH_RETURN_IF_ERROR(ParseDeletionStatement(e.statement).status());
  } else {
    return Error(ErrorCode::kUnsupported, "a log entry of an unknown type");
  }
  std::memcpy(e.envelope_id.data(), bytes.data() + 1, 32);
  e.hour = internal::GetBE(bytes.subspan(33, 8));
  if (e.hour % 3600 != 0) return Error(ErrorCode::kMalformed, "a log entry's time is not an hour");
  return e;
}

namespace {
constexpr std::string_view kOriginPrefix = "gavah.intake/";
}  // namespace

std::string LogOrigin(const PublicKey32& log_key) {
  return std::string(kOriginPrefix) + ToHex(log_key);
}

std::optional<PublicKey32> LogKeyFromOrigin(std::string_view origin) {
  if (origin.substr(0, kOriginPrefix.size()) != kOriginPrefix) return std::nullopt;
  const std::string_view hex = origin.substr(kOriginPrefix.size());
  auto raw = FromHex(hex);
  if (!raw || raw->size() != 32 || ToHex(*raw) != hex) return std::nullopt;
  PublicKey32 k{};
  std::copy(raw->begin(), raw->end(), k.begin());
  return k;
}

VerifierKey LogVerifierKey(const PublicKey32& log_key) {
  return MakeVerifierKey(LogOrigin(log_key), std::span<const uint8_t, 32>(log_key), kEd25519Type);
}

Result<AcceptedCheckpoint> AcceptCheckpoint(std::string_view note, const PublicKey32& log_key,
                                            std::span<const VerifierKey> witnesses, size_t quorum) {
  const VerifierKey log = LogVerifierKey(log_key);
  std::vector<VerifierKey> known(witnesses.begin(), witnesses.end());
  known.push_back(log);
  GAVAH_ASSIGN_OR_RETURN(OpenedNote opened, OpenNote(note, known));
  const bool signed_by_log =
      std::any_of(opened.verified.begin(), opened.verified.end(),
                  [&](auto& v) { return v.type == kEd25519Type && v.name == log.name; });
  if (!signed_by_log)
    return Error(ErrorCode::kUntrustedSigner, "the checkpoint is not signed by the log's key");
  GAVAH_ASSIGN_OR_RETURN(Checkpoint c, ParseCheckpoint(opened.text));
  if (c.origin != log.name)
    return Error(ErrorCode::kMalformed, "the checkpoint is for another log than this server's");
  AcceptedCheckpoint out;
  std::set<std::string> seen;
  for (const auto& v : opened.verified) {
    if (v.type != kCosignatureType) continue;
    const bool listed = std::any_of(witnesses.begin(), witnesses.end(), [&](auto& w) {
      return w.type == kCosignatureType && w.name == v.name;
    });
    if (listed && seen.insert(v.name).second) out.cosigners.push_back(v.name);
  }
  if (out.cosigners.size() < quorum) {
    return Error(ErrorCode::kUntrustedSigner, "the checkpoint of size " + std::to_string(c.size) +
                                                  " has " + std::to_string(out.cosigners.size()) +
                                                  " of the " + std::to_string(quorum) +
                                                  " witness cosignatures the bundle asks for");
  }
  out.checkpoint = std::move(c);
  out.note = std::string(note);
  return out;
}

Status CheckExtends(const Checkpoint& older, const Checkpoint& newer,
                    std::span<const Digest32> proof) {
  const std::string names = "the checkpoint of size " + std::to_string(newer.size) + " (root " +
                            ToBase64(newer.root) + ") and the one of size " +
                            std::to_string(older.size) + " (root " + ToBase64(older.root) + ")";
  if (older.origin != newer.origin)
    return Error(ErrorCode::kTampered, names + " are of different logs");
  if (newer.size < older.size)
    return Error(ErrorCode::kTampered, names + ": the log shrank, so it was rewritten");
  if (older.size == 0) {
    if (older.root != Sha256Of({}))
      return Error(ErrorCode::kTampered, names + ": an empty tree with another root");
    return Status::Ok();
  }
  const Status st = VerifyConsistency(older.size, newer.size, older.root, newer.root, proof);
  if (!st.ok()) {
    return Error(ErrorCode::kTampered,
                 names + " are not consistent (" + st.message() +
                     "): the server shows different logs to different people, or rewrote it");
  }
  return Status::Ok();
}

}  // namespace gavah::tlog
