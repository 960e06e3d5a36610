#include "gavah/crypto/bundle.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace gavah {
namespace {

BundleContents Contents(unsigned n, unsigned k) {
  BundleContents c;
  c.organisation_name = "Org";
  c.issued_at = 1'760'000'000;
  c.expires_at = c.issued_at + 86400;
  c.threshold = k;
  for (unsigned i = 0; i < n; ++i)
    c.investigators.push_back(
        InvestigatorSecretKey::Generate("i" + std::to_string(i)).public_key());
  return c;
}

TEST(BundleTest, CreatedBundleParsesWithAndWithoutPin) {
  ASSERT_TRUE(InitCrypto());
  auto org = OrganisationKey::Generate();
  auto c = Contents(3, 2);
  BundleEndpoint e;
  e.address = "intake.example.org:443";
  e.tls_certificate_pem = "-----BEGIN CERTIFICATE-----\n...\n";
  c.endpoints.push_back(e);
  auto bytes = RecipientBundle::Create(c, org);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto b = RecipientBundle::Parse(bytes.value(), org.fingerprint());
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->contents().threshold, 2u);
  EXPECT_EQ(b->contents().investigators.size(), 3u);
  EXPECT_EQ(b->contents().endpoints.at(0).address, "intake.example.org:443");
  EXPECT_EQ(b->organisation_key(), org.public_key());
}

TEST(BundleTest, EveryFlippedByteIsRefused) {
  auto org = OrganisationKey::Generate();
  auto bytes = RecipientBundle::Create(Contents(2, 1), org).value();
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto bad = bytes;
    bad[i] ^= 0x01;
    EXPECT_FALSE(RecipientBundle::Parse(bad).ok()) << "byte " << i;
  }
}

TEST(BundleTest, MissingSignatureIsABadSignature) {
  auto org = OrganisationKey::Generate();
  auto bytes = RecipientBundle::Create(Contents(2, 1), org).value();
  bytes.resize(bytes.size() - 64);
  EXPECT_EQ(RecipientBundle::Parse(bytes).status().code(), ErrorCode::kBadSignature);
}

TEST(BundleTest, TrailingBytesAreRefused) {
  auto org = OrganisationKey::Generate();
  auto bytes = RecipientBundle::Create(Contents(2, 1), org).value();
  bytes.push_back(0);
  EXPECT_EQ(RecipientBundle::Parse(bytes).status().code(), ErrorCode::kMalformed);
}

TEST(BundleTest, SignedByAnotherKeyThanThePinnedOneIsUntrusted) {
  auto org = OrganisationKey::Generate();
  auto other = OrganisationKey::Generate();
  auto bytes = RecipientBundle::Create(Contents(2, 1), other).value();
  EXPECT_EQ(RecipientBundle::Parse(bytes, org.fingerprint()).status().code(),
            ErrorCode::kUntrustedSigner);
}

TEST(BundleTest, ExpiredBundleIsReportedAsExpired) {
  auto org = OrganisationKey::Generate();
  auto c = Contents(2, 1);
  auto b = RecipientBundle::Parse(RecipientBundle::Create(c, org).value()).value();
  EXPECT_TRUE(b.CheckCurrent(c.expires_at - 1).ok());
  EXPECT_EQ(b.CheckCurrent(c.expires_at).code(), ErrorCode::kExpired);
}

TEST(BundleTest, ImpossibleThresholdsAndCountsAreRefused) {
  auto org = OrganisationKey::Generate();
  EXPECT_EQ(RecipientBundle::Create(Contents(2, 3), org).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(RecipientBundle::Create(Contents(2, 0), org).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(RecipientBundle::Create(Contents(0, 0), org).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(RecipientBundle::Create(Contents(256, 1), org).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(RecipientBundle::Create(Contents(255, 255), org).ok());
}

TEST(BundleTest, TheSameInvestigatorTwiceIsRefused) {
  auto org = OrganisationKey::Generate();
  auto c = Contents(2, 1);
  c.investigators.push_back(c.investigators[0]);
  EXPECT_EQ(RecipientBundle::Create(c, org).status().code(), ErrorCode::kInvalidArgument);
}

TEST(BundleTest, EndpointAddressesMustBeHostAndPort) {
  auto org = OrganisationKey::Generate();
  auto c = Contents(1, 1);
  BundleEndpoint e;
  e.tls_certificate_pem = "pem";
  for (const char* bad : {"", "nohost", ":443", "host:", "host:99999", "host:0", "ho st:1"}) {
    e.address = bad;
    c.endpoints = {e};
    EXPECT_FALSE(RecipientBundle::Create(c, org).ok()) << bad;
  }
  e.address = "abcdefghijklmnop.onion:443";
  c.endpoints = {e};
  EXPECT_TRUE(RecipientBundle::Create(c, org).ok());
}

TEST(BundleTest, NotABundleIsMalformed) {
  EXPECT_EQ(RecipientBundle::Parse(testing::Bytes("hello")).status().code(), ErrorCode::kMalformed);
  EXPECT_EQ(RecipientBundle::Parse({}).status().code(), ErrorCode::kMalformed);
  EXPECT_EQ(RecipientBundle::Parse(testing::Bytes("GVHBDL\x00\x01")).status().code(),
            ErrorCode::kTruncated);
}

}  // namespace
}  // namespace gavah

namespace gavah {
namespace {

TEST(BundleTest, InvestigatorWithASmallOrderKeyIsRefused) {
  auto org = OrganisationKey::Generate();
  auto c = Contents(2, 1);
  c.investigators[1].encryption_key.fill(0);
  EXPECT_EQ(RecipientBundle::Create(c, org).status().code(), ErrorCode::kMalformed);
}

TEST(BundleTest, PortsAreCanonical) {
  auto org = OrganisationKey::Generate();
  auto c = Contents(1, 1);
  BundleEndpoint e;
  e.tls_certificate_pem = "pem";
  e.address = "host:0443";
  c.endpoints = {e};
  EXPECT_FALSE(RecipientBundle::Create(c, org).ok());
}

}  // namespace
}  // namespace gavah
