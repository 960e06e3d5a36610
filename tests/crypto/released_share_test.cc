// Shares released between investigators: only the addressee opens one, only a listed sender's
// signature is accepted, and the share is bound to its envelope.
#include "gavah/crypto/released_share.h"

#include <gtest/gtest.h>

#include "gavah/crypto/review_auth.h"
#include "support/test_support.h"

namespace gavah {
namespace {

TEST(ReleasedShareTest, OnlyTheAddresseeOpensItAndTheSenderMustBeListed) {
  auto org = testing::MakeOrg(3, 2);
  Digest32 id{};
  id.fill(0x42);
  Share share;
  share.x = 2;
  share.y = SecretBuffer::CopyOf(testing::Pattern(32, 7));
  const auto& a = org.investigators[0];
  const auto& b = org.investigators[1];
  const auto& c = org.investigators[2];
  auto sealed = ReleaseShare(id, share, b, a.public_key());
  ASSERT_TRUE(sealed.ok()) << sealed.status().message();
  EXPECT_EQ(sealed->size(), kReleasedShareSealedSize);

  auto got = OpenReleasedShare(*sealed, a, org.bundle);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->envelope_id, id);
  EXPECT_EQ(got->from, b.public_key().fingerprint());
  EXPECT_EQ(got->share.x, 2);
  EXPECT_TRUE(got->share.y.Equals(share.y.span()));

  EXPECT_EQ(OpenReleasedShare(*sealed, c, org.bundle).status().code(), ErrorCode::kNotRecipient)
      << "sealed to a, not c";
  // A sender the bundle does not list (a key from another organisation).
  auto stranger = InvestigatorSecretKey::Generate("stranger");
  auto foreign = ReleaseShare(id, share, stranger, a.public_key());
  ASSERT_TRUE(foreign.ok());
  EXPECT_EQ(OpenReleasedShare(*foreign, a, org.bundle).status().code(), ErrorCode::kBadSignature);
  // Any altered byte: the seal no longer opens.
  for (size_t i : {size_t{0}, size_t{40}, sealed->size() - 1}) {
    auto bad = *sealed;
    bad[i] ^= 1;
    EXPECT_FALSE(OpenReleasedShare(bad, a, org.bundle).ok()) << i;
  }
  auto shorter = *sealed;
  shorter.pop_back();
  EXPECT_EQ(OpenReleasedShare(shorter, a, org.bundle).status().code(), ErrorCode::kMalformed);
}

TEST(ReviewAuthTest, TheSignatureCoversMethodTimeNonceAndRequest) {
  auto key = InvestigatorSecretKey::Generate("a");
  std::array<uint8_t, 16> nonce{};
  nonce.fill(9);
  const auto body = testing::Bytes("request bytes");
  const auto token = SignReviewCall(key, "/gavah.v1.Review/ListEnvelopes", body, 1750000000, nonce);
  auto auth = ParseReviewAuth(token);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->signer, key.public_key().signing_key);
  EXPECT_EQ(auth->unix_time, 1750000000u);
  EXPECT_TRUE(VerifyReviewAuth(*auth, "/gavah.v1.Review/ListEnvelopes", body).ok());
  EXPECT_FALSE(VerifyReviewAuth(*auth, "/gavah.v1.Review/PostReply", body).ok());
  EXPECT_FALSE(
      VerifyReviewAuth(*auth, "/gavah.v1.Review/ListEnvelopes", testing::Bytes("request bytez"))
          .ok());
  auto later = *auth;
  later.unix_time += 1;
  EXPECT_FALSE(VerifyReviewAuth(later, "/gavah.v1.Review/ListEnvelopes", body).ok());
  auto other_nonce = *auth;
  other_nonce.nonce[0] ^= 1;
  EXPECT_FALSE(VerifyReviewAuth(other_nonce, "/gavah.v1.Review/ListEnvelopes", body).ok());
  EXPECT_EQ(ParseReviewAuth(std::span(token).first(token.size() - 1)).status().code(),
            ErrorCode::kMalformed);
  auto v2 = token;
  v2[0] = 2;
  EXPECT_EQ(ParseReviewAuth(v2).status().code(), ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace gavah
