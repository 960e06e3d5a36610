// The witness codename: a phrase from which the witness's reply key is derived, so the witness
// device keeps no state. Format: docs/PROTOCOL.md, "Codename".
#pragma once

#include <span>

#include "gavah/crypto/digest.h"
#include "gavah/crypto/keys.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah {

inline constexpr size_t kMinCodenameWords = 7;

struct ReplyKeyPair {
  PublicKey32 public_key{};
  SecretBuffer secret_key;  // X25519, 32 bytes
};

// Trims, collapses runs of ASCII white space to one space, lower-cases ASCII letters.
// kInvalidArgument when fewer than kMinCodenameWords words remain.
Result<SecretBuffer> NormaliseCodename(std::span<const uint8_t> raw);

// Argon2id over the normalised codename with a salt bound to the organisation.
Result<ReplyKeyPair> DeriveReplyKey(std::span<const uint8_t> raw_codename,
                                    const Fingerprint& organisation);

// Where replies to this reply key wait on the server: BLAKE2b-256("gavah-mailbox-v1\0" || key).
// The witness derives it from the codename, an investigator from the testimony; the server sees
// only this hash, which no envelope carries in the clear.
Digest32 MailboxId(const PublicKey32& reply_public_key);

}  // namespace gavah
