#include "gavah/crypto/bundle.h"

#include <google/protobuf/unknown_field_set.h>
#include <gtest/gtest.h>

#include "gavah/v1/bundle.pb.h"
#include "support/test_support.h"

namespace gavah {
namespace {

// Version 1 keys unless `version` is 2: the canonical-encoding tests below build version 1 bodies.
BundleContents Contents(unsigned n, unsigned k, unsigned version = 1) {
  BundleContents c;
  c.organisation_name = "Org";
  c.issued_at = 1'760'000'000;
  c.expires_at = c.issued_at + 86400;
  c.threshold = k;
  for (unsigned i = 0; i < n; ++i)
    c.investigators.push_back(
        (version == 2 ? InvestigatorSecretKey::Generate("i" + std::to_string(i))
                      : InvestigatorSecretKey::GenerateVersion1("i" + std::to_string(i)))
            .public_key());
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

namespace gavah {
namespace {

// A bundle around `body` exactly as given, validly signed by `org`: for bodies that Create()
// never writes.
std::vector<uint8_t> SignedAround(const OrganisationKey& org, const std::string& body,
                                  uint8_t version = 1) {
  std::vector<uint8_t> b = {'G', 'V', 'H', 'B', 'D', 'L', 0, version};
  b.insert(b.end(), org.public_key().begin(), org.public_key().end());
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(body.size() >> s));
  b.insert(b.end(), body.begin(), body.end());
  static constexpr char kContext[] = "gavah-bundle-v1";  // signed with its NUL
  std::vector<uint8_t> m(kContext, kContext + sizeof kContext);
  m.insert(m.end(), b.begin(), b.end());
  const auto sig = org.Sign(m);
  b.insert(b.end(), sig.begin(), sig.end());
  return b;
}

// The canonical body, one field at a time (protobuf concatenation is merging), so that tests can
// reorder, repeat or re-encode single fields.
struct BodyParts {
  std::string name, issued, expires, threshold, investigators;
  std::string Canonical() const { return name + issued + expires + threshold + investigators; }
};

BodyParts PartsOf(const BundleContents& c) {
  BodyParts p;
  gavah::v1::BundleBody b;
  b.set_organisation_name(c.organisation_name);
  p.name = b.SerializeAsString();
  b.Clear();
  b.set_issued_at(c.issued_at);
  p.issued = b.SerializeAsString();
  b.Clear();
  b.set_expires_at(c.expires_at);
  p.expires = b.SerializeAsString();
  b.Clear();
  b.set_threshold(c.threshold);
  p.threshold = b.SerializeAsString();
  b.Clear();
  for (const auto& inv : c.investigators) {
    auto* i = b.add_investigators();
    i->set_name(inv.name);
    i->set_encryption_public_key(inv.encryption_key.data(), 32);
    i->set_signing_public_key(inv.signing_key.data(), 32);
  }
  p.investigators = b.SerializeAsString();
  return p;
}

TEST(BundleTest, CanonicalBodyBuiltFieldByFieldIsWhatCreateSigns) {
  auto org = OrganisationKey::Generate();
  const auto c = Contents(2, 2);
  const auto bytes = SignedAround(org, PartsOf(c).Canonical());
  EXPECT_EQ(bytes, RecipientBundle::Create(c, org).value());
  EXPECT_TRUE(RecipientBundle::Parse(bytes).ok());
}

// Each of these bodies is validly signed and libprotobuf parses it to a valid bundle; only the
// canonical-encoding rule of PROTOCOL.md section 2 refuses them.
TEST(BundleTest, NonCanonicalBodiesAreRefused) {
  auto org = OrganisationKey::Generate();
  const auto c = Contents(2, 2);
  const BodyParts p = PartsOf(c);
  auto code = [&](const std::string& body) {
    return RecipientBundle::Parse(SignedAround(org, body)).status().code();
  };
  EXPECT_EQ(code(p.Canonical() + std::string("\x48\x01", 2)), ErrorCode::kMalformed)
      << "unknown field 9";
  EXPECT_EQ(code(p.issued + p.name + p.expires + p.threshold + p.investigators),
            ErrorCode::kMalformed)
      << "fields out of order";
  EXPECT_EQ(code(p.name + p.name + p.issued + p.expires + p.threshold + p.investigators),
            ErrorCode::kMalformed)
      << "organisation_name twice";
  EXPECT_EQ(code(p.Canonical() + std::string("\x40\x00", 2)), ErrorCode::kMalformed)
      << "max_envelope_bytes = 0 written out";
  EXPECT_EQ(code(p.name + p.issued + p.expires + std::string("\x20\x82\x00", 3) + p.investigators),
            ErrorCode::kMalformed)
      << "threshold as a non-minimal varint";
  EXPECT_EQ(code(p.name + std::string("\x12\x00", 2) + p.expires + p.threshold + p.investigators),
            ErrorCode::kMalformed)
      << "issued_at with the wrong wire type";

  gavah::v1::BundleBody with_unknown;
  ASSERT_TRUE(with_unknown.ParseFromString(p.investigators));
  auto* inv = with_unknown.mutable_investigators(0);
  inv->GetReflection()->MutableUnknownFields(inv)->AddVarint(4, 1);
  EXPECT_EQ(code(p.name + p.issued + p.expires + p.threshold + with_unknown.SerializeAsString()),
            ErrorCode::kMalformed)
      << "unknown field 4 in an investigator";
}

TEST(BundleTest, NamesWithC1ControlsAreRefused) {
  auto org = OrganisationKey::Generate();
  auto c = Contents(1, 1);
  c.organisation_name = "Org\xc2\x85";  // U+0085 NEXT LINE
  EXPECT_EQ(RecipientBundle::Create(c, org).status().code(), ErrorCode::kMalformed);
  c.organisation_name = "Org\xc2\xa0";  // U+00A0 NO-BREAK SPACE is printable
  EXPECT_TRUE(RecipientBundle::Create(c, org).ok());
  // A signed body that carries one is refused too.
  BodyParts p = PartsOf(Contents(1, 1));
  gavah::v1::BundleBody name;
  name.set_organisation_name("Org\xc2\x9b");  // U+009B CONTROL SEQUENCE INTRODUCER
  EXPECT_EQ(RecipientBundle::Parse(SignedAround(org, name.SerializeAsString() + p.issued +
                                                         p.expires + p.threshold + p.investigators))
                .status()
                .code(),
            ErrorCode::kMalformed);
}

TEST(BundleTest, Version2CarriesEveryInvestigatorsXWingKey) {
  auto org = OrganisationKey::Generate();
  const auto c = Contents(3, 2, 2);
  auto bytes = RecipientBundle::Create(c, org);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  EXPECT_EQ((*bytes)[7], 2);
  auto b = RecipientBundle::Parse(*bytes);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->contents().version(), 2);
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(b->contents().investigators[i].xwing_key.has_value());
    EXPECT_EQ(*b->contents().investigators[i].xwing_key, *c.investigators[i].xwing_key);
  }
  EXPECT_EQ(RecipientBundle::Create(Contents(2, 1, 1), org).value()[7], 1);
}

TEST(BundleTest, AMixOfKeyVersionsIsRefused) {
  auto org = OrganisationKey::Generate();
  auto c = Contents(2, 1, 2);
  c.investigators.push_back(InvestigatorSecretKey::GenerateVersion1("old").public_key());
  auto r = RecipientBundle::Create(c, org);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("old"), std::string::npos) << r.status().message();
}

TEST(BundleTest, XWingKeysMustMatchTheVersion) {
  auto org = OrganisationKey::Generate();
  const auto v2 = Contents(2, 1, 2);
  gavah::v1::BundleBody body;
  body.set_organisation_name(v2.organisation_name);
  body.set_issued_at(v2.issued_at);
  body.set_expires_at(v2.expires_at);
  body.set_threshold(v2.threshold);
  for (const auto& inv : v2.investigators) {
    auto* i = body.add_investigators();
    i->set_name(inv.name);
    i->set_encryption_public_key(inv.encryption_key.data(), 32);
    i->set_signing_public_key(inv.signing_key.data(), 32);
    i->set_xwing_public_key(inv.xwing_key->data(), inv.xwing_key->size());
  }
  EXPECT_TRUE(RecipientBundle::Parse(SignedAround(org, body.SerializeAsString(), 2)).ok());
  // Version 1 has no field 4: a body with it, signed as version 1, is refused.
  EXPECT_EQ(RecipientBundle::Parse(SignedAround(org, body.SerializeAsString(), 1)).status().code(),
            ErrorCode::kMalformed);
  // Version 2 without one investigator's X-Wing key, or with one of the wrong size.
  auto missing = body;
  missing.mutable_investigators(1)->clear_xwing_public_key();
  EXPECT_EQ(
      RecipientBundle::Parse(SignedAround(org, missing.SerializeAsString(), 2)).status().code(),
      ErrorCode::kMalformed);
  auto short_key = body;
  short_key.mutable_investigators(0)->mutable_xwing_public_key()->pop_back();
  EXPECT_EQ(
      RecipientBundle::Parse(SignedAround(org, short_key.SerializeAsString(), 2)).status().code(),
      ErrorCode::kMalformed);
  // An X-Wing key whose ML-KEM part fails the modulus check.
  auto bad = body;
  (*bad.mutable_investigators(0)->mutable_xwing_public_key())[0] = '\xff';
  (*bad.mutable_investigators(0)->mutable_xwing_public_key())[1] |= 0x0f;
  EXPECT_EQ(RecipientBundle::Parse(SignedAround(org, bad.SerializeAsString(), 2)).status().code(),
            ErrorCode::kMalformed);
  // Version 3 is not known.
  EXPECT_EQ(RecipientBundle::Parse(SignedAround(org, body.SerializeAsString(), 3)).status().code(),
            ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace gavah
