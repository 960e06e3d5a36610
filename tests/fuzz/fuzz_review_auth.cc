// Review-call authentication as the review service sees it: the gavah-auth-bin token, the
// method and the request body all come from the caller. Input: u8 token length || token ||
// method || "\0" || request (seed: tests/vectors/review-auth.bin for ListEnvelopes{after: 7},
// which verifies for the fixed server digest).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_fixtures.h"
#include "gavah/crypto/review_auth.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)gavah::fuzz::Fixed();
  if (gavah::fuzz::WantSeeds()) {
    auto seed = gavah::fuzz::ReadVector("review-auth.bin");
    const std::string_view method = "/gavah.v1.Review/ListEnvelopes";
    seed.insert(seed.end(), method.begin(), method.end());
    seed.insert(seed.end(), {0x00, 0x08, 0x07});
    gavah::fuzz::WriteSeed("list-envelopes", static_cast<uint8_t>(gavah::kReviewAuthSize), seed);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& f = gavah::fuzz::Fixed();
  if (size == 0) return 0;
  const size_t token_size = std::min<size_t>(data[0], size - 1);
  const std::span<const uint8_t> token(data + 1, token_size);
  const std::span<const uint8_t> tail(data + 1 + token_size, size - 1 - token_size);
  const auto nul = std::find(tail.begin(), tail.end(), uint8_t{0});
  const std::string_view method(reinterpret_cast<const char*>(tail.data()),
                                static_cast<size_t>(nul - tail.begin()));
  const std::span<const uint8_t> request =
      nul == tail.end() ? std::span<const uint8_t>() : tail.subspan(method.size() + 1);

  auto auth = gavah::ParseReviewAuth(token);
  if (!auth.ok()) return 0;
  // The parsed fields are the token's bytes, in order.
  uint8_t again[gavah::kReviewAuthSize];
  again[0] = gavah::kReviewAuthVersion;
  std::memcpy(again + 1, auth->signer.data(), 32);
  for (int i = 0; i < 8; ++i) again[33 + i] = static_cast<uint8_t>(auth->unix_time >> (56 - 8 * i));
  std::memcpy(again + 41, auth->nonce.data(), 16);
  std::memcpy(again + 57, auth->signature.data(), 64);
  if (token.size() != sizeof again || std::memcmp(again, token.data(), sizeof again) != 0)
    gavah::fuzz::Fail();
  (void)gavah::VerifyReviewAuth(auth.value(), f.review_server, method, request);

  // A call the fixed investigator signs verifies, and not for another method or server.
  const auto& key = f.investigators[0];
  const auto signed_token =
      gavah::SignReviewCall(key, f.review_server, method, request, auth->unix_time, auth->nonce);
  auto mine = gavah::ParseReviewAuth(signed_token);
  if (!mine.ok() || !gavah::VerifyReviewAuth(*mine, f.review_server, method, request).ok())
    gavah::fuzz::Fail();
  gavah::Digest32 other = f.review_server;
  other[0] ^= 1;
  if (gavah::VerifyReviewAuth(*mine, other, method, request).ok()) gavah::fuzz::Fail();
  if (gavah::VerifyReviewAuth(*mine, f.review_server, std::string(method) + "/", request).ok())
    gavah::fuzz::Fail();
  return 0;
}
