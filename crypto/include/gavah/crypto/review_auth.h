// Authentication of calls to the review service: each call is signed by an investigator's
// Ed25519 key over the method, a time, a random nonce and the request. Format and checks:
// docs/PROTOCOL.md, "Review authentication".
#pragma once

#include <array>
#include <span>
#include <string_view>
#include <vector>

#include "gavah/crypto/digest.h"
#include "gavah/crypto/keys.h"
#include "gavah/crypto/status.h"

namespace gavah {

inline constexpr uint8_t kReviewAuthVersion = 1;
// version (1) || signer Ed25519 key (32) || u64 unix time || nonce (16) || signature (64)
inline constexpr size_t kReviewAuthSize = 1 + 32 + 8 + 16 + 64;
// How far a call's time may be from the server's clock, either way.
inline constexpr uint64_t kReviewAuthWindowSeconds = 300;

struct ReviewAuth {
  PublicKey32 signer{};
  uint64_t unix_time = 0;
  std::array<uint8_t, 16> nonce{};
  std::array<uint8_t, 64> signature{};
};

// "gavah-review-v1\0" || server || method || "\0" || u64 unix_time || nonce || SHA-256(request)
// where `server` is the SHA-256 of the server's TLS certificate (PEM), so a call made to one
// server cannot be replayed to another.
std::vector<uint8_t> ReviewAuthMessage(const Digest32& server, std::string_view method,
                                       uint64_t unix_time, std::span<const uint8_t, 16> nonce,
                                       const Digest32& request_hash);

// The token a client sends with a call of `method` carrying `request` (its serialized bytes).
std::array<uint8_t, kReviewAuthSize> SignReviewCall(const InvestigatorSecretKey& key,
                                                    const Digest32& server, std::string_view method,
                                                    std::span<const uint8_t> request,
                                                    uint64_t unix_time,
                                                    std::span<const uint8_t, 16> nonce);

// Parses a token; kMalformed for a wrong size or version.
Result<ReviewAuth> ParseReviewAuth(std::span<const uint8_t> token);

// Checks the signature only; the caller checks who signed, the time and the nonce.
Status VerifyReviewAuth(const ReviewAuth& auth, const Digest32& server, std::string_view method,
                        std::span<const uint8_t> request);

}  // namespace gavah
