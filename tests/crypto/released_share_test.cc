// Shares released between investigators: only the addressee opens one, only a listed sender's
// signature is accepted, and the share is bound to its envelope.
#include "gavah/crypto/released_share.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>

#include "gavah/crypto/codename.h"
#include "gavah/crypto/reply.h"
#include "gavah/crypto/review_auth.h"
#include "support/test_support.h"

namespace gavah {
namespace {

class ReleasedShareTest : public ::testing::TestWithParam<unsigned> {};

// Version 2 keys seal shares with X-Wing (1,312 bytes), version 1 keys with box_seal (224).
TEST_P(ReleasedShareTest, OnlyTheAddresseeOpensItAndTheSenderMustBeListed) {
  auto org = testing::MakeOrg(3, 2, GetParam());
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
  EXPECT_EQ(sealed->size(),
            GetParam() == 2 ? kReleasedShareSealedSizeV2 : kReleasedShareSealedSize);

  auto got = OpenReleasedShare(*sealed, a, org.bundle);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->envelope_id, id);
  EXPECT_EQ(got->from, b.public_key().fingerprint());
  EXPECT_EQ(got->share.x, 2);
  EXPECT_TRUE(got->share.y.Equals(share.y.span()));

  EXPECT_EQ(OpenReleasedShare(*sealed, c, org.bundle).status().code(), ErrorCode::kNotRecipient)
      << "sealed to a, not c";
  // A sender the bundle does not list (a key from another organisation).
  auto stranger = GetParam() == 2 ? InvestigatorSecretKey::Generate("stranger")
                                  : InvestigatorSecretKey::GenerateVersion1("stranger");
  auto foreign = ReleaseShare(id, share, stranger, a.public_key());
  ASSERT_TRUE(foreign.ok());
  EXPECT_EQ(OpenReleasedShare(*foreign, a, org.bundle).status().code(), ErrorCode::kBadSignature);
  // Any altered byte: the seal no longer opens.
  for (size_t i :
       {size_t{0}, size_t{40}, sealed->size() / 2, sealed->size() - 17, sealed->size() - 1}) {
    auto bad = *sealed;
    bad[i] ^= 1;
    EXPECT_FALSE(OpenReleasedShare(bad, a, org.bundle).ok()) << i;
  }
  auto shorter = *sealed;
  shorter.pop_back();
  EXPECT_EQ(OpenReleasedShare(shorter, a, org.bundle).status().code(), ErrorCode::kMalformed);
  // A version 2 share given to a version 1 key names the mismatch; a share of the other
  // version's size that is not one is not opened.
  if (GetParam() == 2) {
    const auto old = InvestigatorSecretKey::GenerateVersion1("old");
    EXPECT_EQ(OpenReleasedShare(*sealed, old, org.bundle).status().code(),
              ErrorCode::kNotRecipient);
    const std::vector<uint8_t> v1_sized(kReleasedShareSealedSize, 7);
    EXPECT_EQ(OpenReleasedShare(v1_sized, a, org.bundle).status().code(), ErrorCode::kNotRecipient);
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, ReleasedShareTest, ::testing::Values(1u, 2u),
                         [](const auto& info) { return "V" + std::to_string(info.param); });

TEST(ReviewAuthTest, TheSignatureCoversMethodTimeNonceAndRequest) {
  auto key = InvestigatorSecretKey::Generate("a");
  std::array<uint8_t, 16> nonce{};
  nonce.fill(9);
  const auto body = testing::Bytes("request bytes");
  Digest32 server{}, other_server{};
  server.fill(0x31);
  other_server.fill(0x32);
  const auto token =
      SignReviewCall(key, server, "/gavah.v1.Review/ListEnvelopes", body, 1750000000, nonce);
  auto auth = ParseReviewAuth(token);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->signer, key.public_key().signing_key);
  EXPECT_EQ(auth->unix_time, 1750000000u);
  EXPECT_TRUE(VerifyReviewAuth(*auth, server, "/gavah.v1.Review/ListEnvelopes", body).ok());
  EXPECT_FALSE(VerifyReviewAuth(*auth, server, "/gavah.v1.Review/PostReply", body).ok());
  EXPECT_FALSE(VerifyReviewAuth(*auth, server, "/gavah.v1.Review/ListEnvelopes",
                                testing::Bytes("request bytez"))
                   .ok());
  EXPECT_FALSE(VerifyReviewAuth(*auth, other_server, "/gavah.v1.Review/ListEnvelopes", body).ok())
      << "a call to one server does not verify at another";
  auto later = *auth;
  later.unix_time += 1;
  EXPECT_FALSE(VerifyReviewAuth(later, server, "/gavah.v1.Review/ListEnvelopes", body).ok());
  auto other_nonce = *auth;
  other_nonce.nonce[0] ^= 1;
  EXPECT_FALSE(VerifyReviewAuth(other_nonce, server, "/gavah.v1.Review/ListEnvelopes", body).ok());
  EXPECT_EQ(ParseReviewAuth(std::span(token).first(token.size() - 1)).status().code(),
            ErrorCode::kMalformed);
  auto v2 = token;
  v2[0] = 2;
  EXPECT_EQ(ParseReviewAuth(v2).status().code(), ErrorCode::kUnsupported);
}

ReplyKeyPair NewReplyKey() {
  ReplyKeyPair kp;
  kp.secret_key = SecretBuffer(32);
  crypto_box_keypair(kp.public_key.data(), kp.secret_key.data());
  return kp;
}

TEST(ReplyTest, AVersion2ReplyIsSealedToTheCodenamesXWingKey) {
  ASSERT_TRUE(InitCrypto());
  const Fingerprint org{};
  auto witness = DeriveReplyKey(testing::Bytes("one two three four five six seven"), org);
  ASSERT_TRUE(witness.ok());
  ASSERT_NE(witness->xwing, nullptr);
  const auto pq = witness->xwing->public_key();
  const std::string text = "We received it.";
  auto sealed = SealReply(testing::Bytes(text), witness->public_key, &pq);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), 1024u + 1136);  // the X-Wing box: 1120 + 16
  auto opened = OpenReply(*sealed, *witness);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_TRUE(opened->Equals(testing::Bytes(text)));
  // The longest reply still fits the mailbox's 64 KiB.
  auto longest = SealReply(std::vector<uint8_t>(kMaxReplyText, 'x'), witness->public_key, &pq);
  ASSERT_TRUE(longest.ok());
  EXPECT_LE(longest->size(), 64u * 1024);
  // Another codename, and a key pair without its X-Wing part, read nothing.
  auto other = DeriveReplyKey(testing::Bytes("seven six five four three two one"), org);
  EXPECT_EQ(OpenReply(*sealed, *other).status().code(), ErrorCode::kNotRecipient);
  ReplyKeyPair classical;
  classical.public_key = witness->public_key;
  classical.secret_key = SecretBuffer::CopyOf(witness->secret_key.span());
  EXPECT_EQ(OpenReply(*sealed, classical).status().code(), ErrorCode::kNotRecipient);
  // Any altered byte, in the X-Wing ciphertext or the AEAD, and sizes of neither version.
  for (size_t i : {size_t{0}, size_t{1100}, size_t{1130}, sealed->size() - 1}) {
    auto bad = *sealed;
    bad[i] ^= 1;
    EXPECT_EQ(OpenReply(bad, *witness).status().code(), ErrorCode::kNotRecipient) << i;
  }
  auto cut = *sealed;
  cut.pop_back();
  EXPECT_EQ(OpenReply(cut, *witness).status().code(), ErrorCode::kMalformed);
  // The version 1 reply of the same codename still opens with it.
  auto old = SealReply(testing::Bytes(text), witness->public_key);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->size(), 1024u + 48);
  EXPECT_TRUE(OpenReply(*old, *witness).ok());
}

TEST(ReplyTest, OnlyTheCodenamesKeyReadsAReplyAndItsLengthIsPadded) {
  const ReplyKeyPair witness = NewReplyKey(), other = NewReplyKey();
  const std::string text = "We received it.";
  auto sealed = SealReply(testing::Bytes(text), witness.public_key);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), 1024u + 48);
  auto opened = OpenReply(*sealed, witness);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_TRUE(opened->Equals(testing::Bytes(text)));
  EXPECT_EQ(OpenReply(*sealed, other).status().code(), ErrorCode::kNotRecipient);
  EXPECT_EQ(SealReply(testing::Bytes(std::string(2000, 'x')), witness.public_key)->size(),
            2048u + 48);
  EXPECT_FALSE(SealReply({}, witness.public_key).ok());
  EXPECT_FALSE(SealReply(std::vector<uint8_t>(kMaxReplyText + 1, 'x'), witness.public_key).ok());
  auto cut = *sealed;
  cut.pop_back();
  EXPECT_EQ(OpenReply(cut, witness).status().code(), ErrorCode::kMalformed);
  // Framing inside a valid seal: non-zero padding and a length past the end are refused.
  SecretBuffer plain(1024);
  std::memset(plain.data(), 0, 1024);
  std::memcpy(plain.data(), "gavah-reply-v1", 15);
  plain.data()[18] = 5;
  plain.data()[1000] = 1;
  std::vector<uint8_t> forged(1024 + 48);
  crypto_box_seal(forged.data(), plain.data(), 1024, witness.public_key.data());
  EXPECT_EQ(OpenReply(forged, witness).status().code(), ErrorCode::kMalformed);
  plain.data()[1000] = 0;
  plain.data()[17] = 0x10;  // 4096 + 5 bytes in a 1 KiB reply
  crypto_box_seal(forged.data(), plain.data(), 1024, witness.public_key.data());
  EXPECT_EQ(OpenReply(forged, witness).status().code(), ErrorCode::kMalformed);
}

}  // namespace
}  // namespace gavah
