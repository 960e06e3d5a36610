#include "gavah/crypto/review_auth.h"

#include <sodium.h>

#include <cstring>

namespace gavah {

std::vector<uint8_t> ReviewAuthMessage(const Digest32& server, std::string_view method,
                                       uint64_t unix_time, std::span<const uint8_t, 16> nonce,
                                       const Digest32& request_hash) {
  static constexpr char kDomain[] = "gavah-review-v1";  // with its NUL
  std::vector<uint8_t> m(sizeof kDomain + 32 + method.size() + 1 + 8 + 16 + 32);
  size_t at = 0;
  auto put = [&](const void* p, size_t n) {
    std::memcpy(m.data() + at, p, n);
    at += n;
  };
  put(kDomain, sizeof kDomain);
  put(server.data(), server.size());
  put(method.data(), method.size());
  m[at++] = 0;
  uint8_t t[8];
  for (int i = 0; i < 8; ++i) t[i] = static_cast<uint8_t>(unix_time >> (56 - 8 * i));
  put(t, 8);
  put(nonce.data(), 16);
  put(request_hash.data(), 32);
  return m;
}

std::array<uint8_t, kReviewAuthSize> SignReviewCall(const InvestigatorSecretKey& key,
                                                    const Digest32& server, std::string_view method,
                                                    std::span<const uint8_t> request,
                                                    uint64_t unix_time,
                                                    std::span<const uint8_t, 16> nonce) {
  const auto m = ReviewAuthMessage(server, method, unix_time, nonce, Sha256Of(request));
  SecretBuffer sk(crypto_sign_SECRETKEYBYTES);
  PublicKey32 pk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), key.signing_seed().data());
  std::array<uint8_t, kReviewAuthSize> token{};
  token[0] = kReviewAuthVersion;
  std::memcpy(token.data() + 1, pk.data(), 32);
  for (int i = 0; i < 8; ++i) token[33 + i] = static_cast<uint8_t>(unix_time >> (56 - 8 * i));
  std::memcpy(token.data() + 41, nonce.data(), 16);
  crypto_sign_detached(token.data() + 57, nullptr, m.data(), m.size(), sk.data());
  return token;
}

Result<ReviewAuth> ParseReviewAuth(std::span<const uint8_t> token) {
  if (token.size() != kReviewAuthSize)
    return Error(ErrorCode::kMalformed, "review authentication has the wrong size");
  if (token[0] != kReviewAuthVersion)
    return Error(ErrorCode::kUnsupported, "review authentication version is not supported");
  ReviewAuth a;
  std::memcpy(a.signer.data(), token.data() + 1, 32);
  for (int i = 0; i < 8; ++i) a.unix_time = (a.unix_time << 8) | token[33 + i];
  std::memcpy(a.nonce.data(), token.data() + 41, 16);
  std::memcpy(a.signature.data(), token.data() + 57, 64);
  return a;
}

Status VerifyReviewAuth(const ReviewAuth& auth, const Digest32& server, std::string_view method,
                        std::span<const uint8_t> request) {
  const auto m = ReviewAuthMessage(server, method, auth.unix_time, auth.nonce, Sha256Of(request));
  if (crypto_sign_verify_detached(auth.signature.data(), m.data(), m.size(), auth.signer.data()) !=
      0) {
    return Error(ErrorCode::kBadSignature, "review call signature does not verify");
  }
  return Status::Ok();
}

}  // namespace gavah
