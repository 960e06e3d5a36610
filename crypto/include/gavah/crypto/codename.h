// The witness codename: a phrase from which the witness's reply key is derived, so the witness
// device keeps no state. Format: docs/PROTOCOL.md, "Codename".
#pragma once

#include <span>

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

}  // namespace gavah
