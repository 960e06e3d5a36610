// A key share one investigator releases to another through the server: signed by the sender,
// sealed to the receiver, bound to one envelope. Format: docs/PROTOCOL.md, "Released shares".
#pragma once

#include "gavah/crypto/bundle.h"
#include "gavah/crypto/digest.h"
#include "gavah/crypto/keys.h"
#include "gavah/crypto/shamir.h"
#include "gavah/crypto/status.h"

namespace gavah {

// inner  = "gavah-share-v1\0" || envelope id (32) || from fp (16) || to fp (16) || x || y (32)
// signed = inner || Ed25519(sender, inner)
// sealed = crypto_box_seal(signed, receiver's X25519 key)
// Version 2, for a receiver with an X-Wing key: domain "gavah-share-v2\0",
// sealed = xwing::Seal(receiver's X-Wing key, "GvhShar2", signed).
inline constexpr size_t kReleasedShareSealedSize = 15 + 32 + 16 + 16 + 1 + 32 + 64 + 48;
inline constexpr size_t kReleasedShareSealedSizeV2 = 15 + 32 + 16 + 16 + 1 + 32 + 64 + 1136;
inline bool IsReleasedShareSize(size_t size) {
  return size == kReleasedShareSealedSize || size == kReleasedShareSealedSizeV2;
}

// The share of `envelope_id` that `from` opened from its stanza, sealed to `to`: version 2 when
// `to` has an X-Wing key.
Result<std::vector<uint8_t>> ReleaseShare(const Digest32& envelope_id, const Share& share,
                                          const InvestigatorSecretKey& from,
                                          const InvestigatorPublicKey& to);

struct ReceivedShare {
  Digest32 envelope_id{};
  Fingerprint from{};
  Share share;
};

// Opens a released share with `me`'s key and checks it: addressed to `me`, signed by an
// investigator the bundle lists. kNotRecipient when it is sealed to someone else (or damaged),
// kBadSignature when the signature or sender does not hold, kMalformed otherwise.
Result<ReceivedShare> OpenReleasedShare(std::span<const uint8_t> sealed,
                                        const InvestigatorSecretKey& me,
                                        const RecipientBundle& bundle);

}  // namespace gavah
