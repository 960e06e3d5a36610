// Replies from investigators to a witness, sealed to the witness's reply key and left in its
// mailbox. Format: docs/PROTOCOL.md, "Replies".
#pragma once

#include <span>
#include <vector>

#include "gavah/crypto/codename.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"
#include "gavah/crypto/xwing.h"

namespace gavah {

// At most this much text, so that a sealed reply stays within the mailbox's 64 KiB.
inline constexpr size_t kMaxReplyText = 60 * 1024;

// plaintext = "gavah-reply-v1\0" || u32 text length || text || zeros up to a multiple of 1 KiB
// sealed    = crypto_box_seal(plaintext, reply public key)
// Version 2, when the testimony carried the witness's X-Wing reply key: domain "gavah-reply-v2\0",
// sealed = xwing::Seal(X-Wing reply key, "GvhRply2", plaintext).
Result<std::vector<uint8_t>> SealReply(std::span<const uint8_t> text, const PublicKey32& reply_key,
                                       const xwing::PublicKey* xwing_reply_key = nullptr);

// The reply's text (either version, told apart by size); kNotRecipient when it is not for this
// key, kMalformed when its framing is wrong.
Result<SecretBuffer> OpenReply(std::span<const uint8_t> sealed, const ReplyKeyPair& key);

}  // namespace gavah
