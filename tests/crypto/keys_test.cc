#include "gavah/crypto/keys.h"

#include <gtest/gtest.h>

#include "gavah/crypto/hex.h"
#include "support/test_support.h"

namespace gavah {
namespace {

using testing::Bytes;

// Cheap Argon2id cost for tests; the file records it, so reading needs no special case.
const KdfParams kFast{1, 8 * 1024 * 1024};

TEST(KeyFileTest, InvestigatorKeyRoundTripsThroughItsFile) {
  ASSERT_TRUE(InitCrypto());
  auto key = InvestigatorSecretKey::Generate("Shirin");
  ASSERT_EQ(key.version(), 2);
  auto file = EncryptKeyFile(KeyKind::kInvestigator, SerializeInvestigatorSecret(key).span(),
                             Bytes("pass phrase"), kFast, key.version());
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(PeekKeyFileVersion(file.value()).value(), 2);
  auto secret = DecryptKeyFile(file.value(), KeyKind::kInvestigator, Bytes("pass phrase"));
  ASSERT_TRUE(secret.ok()) << secret.status().message();
  auto back = ParseInvestigatorSecret(secret.value(), 2);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->public_key().name, "Shirin");
  EXPECT_EQ(back->public_key().encryption_key, key.public_key().encryption_key);
  EXPECT_EQ(back->public_key().signing_key, key.public_key().signing_key);
  EXPECT_EQ(back->public_key().xwing_key, key.public_key().xwing_key);
  EXPECT_EQ(back->public_key().fingerprint(), key.public_key().fingerprint());
  // Read as version 1, version 2 material is damage, never a key.
  EXPECT_FALSE(ParseInvestigatorSecret(secret.value(), 1).ok());
}

TEST(KeyFileTest, Version1InvestigatorKeysStillRoundTrip) {
  ASSERT_TRUE(InitCrypto());
  auto key = InvestigatorSecretKey::GenerateVersion1("Shirin");
  ASSERT_EQ(key.version(), 1);
  EXPECT_FALSE(key.public_key().xwing_key.has_value());
  auto file = EncryptKeyFile(KeyKind::kInvestigator, SerializeInvestigatorSecret(key).span(),
                             Bytes("p"), kFast, 1);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(PeekKeyFileVersion(file.value()).value(), 1);
  auto secret = DecryptKeyFile(file.value(), KeyKind::kInvestigator, Bytes("p"));
  ASSERT_TRUE(secret.ok());
  auto back = ParseInvestigatorSecret(secret.value(), 1);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->public_key().fingerprint(), key.public_key().fingerprint());
  // Version 2 is for investigator keys: an organisation key file claiming it is refused.
  auto org = OrganisationKey::Generate();
  auto org_file =
      EncryptKeyFile(KeyKind::kOrganisation, org.secret_seed().span(), Bytes("p"), kFast, 1)
          .value();
  org_file[7] = 2;
  EXPECT_EQ(PeekKeyFileKind(org_file).status().code(), ErrorCode::kUnsupported);
  EXPECT_FALSE(
      EncryptKeyFile(KeyKind::kOrganisation, org.secret_seed().span(), Bytes("p"), kFast, 2).ok());
}

TEST(PublicKeyTest, Version2TextCarriesTheXWingKey) {
  ASSERT_TRUE(InitCrypto());
  const auto key = InvestigatorSecretKey::Generate("Bahram").public_key();
  const std::string text = key.ToText();
  EXPECT_EQ(text.rfind("gavah-investigator-v2 ", 0), 0u);
  EXPECT_GT(text.size(), 1500u);
  auto back = InvestigatorPublicKey::FromText(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->xwing_key, key.xwing_key);
  EXPECT_EQ(back->fingerprint(), key.fingerprint());
  // The fingerprint covers the X-Wing key: another one, same classical keys, another fingerprint.
  auto swapped = key;
  swapped.xwing_key = InvestigatorSecretKey::Generate("x").public_key().xwing_key;
  EXPECT_NE(swapped.fingerprint(), key.fingerprint());
  // A v2 line whose key is cut to v1's length, and a v1 line carrying v2's length.
  const auto v1 = InvestigatorSecretKey::GenerateVersion1("Bahram").public_key().ToText();
  EXPECT_EQ(
      InvestigatorPublicKey::FromText("gavah-investigator-v2 " + v1.substr(22)).status().code(),
      ErrorCode::kMalformed);
  EXPECT_EQ(
      InvestigatorPublicKey::FromText("gavah-investigator-v1 " + text.substr(22)).status().code(),
      ErrorCode::kMalformed);
}

TEST(KeyFileTest, WrongPassphraseIsItsOwnError) {
  auto org = OrganisationKey::Generate();
  auto file =
      EncryptKeyFile(KeyKind::kOrganisation, org.secret_seed().span(), Bytes("right"), kFast, 1);
  ASSERT_TRUE(file.ok());
  auto r = DecryptKeyFile(file.value(), KeyKind::kOrganisation, Bytes("wrong"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kWrongPassphrase);
}

TEST(KeyFileTest, KeyOfTheOtherKindIsRefusedBeforeThePassphrase) {
  auto org = OrganisationKey::Generate();
  auto file =
      EncryptKeyFile(KeyKind::kOrganisation, org.secret_seed().span(), Bytes("p"), kFast, 1);
  ASSERT_TRUE(file.ok());
  auto r = DecryptKeyFile(file.value(), KeyKind::kInvestigator, Bytes("p"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kWrongKeyKind);
}

TEST(KeyFileTest, AlteredHeaderFailsAuthentication) {
  auto org = OrganisationKey::Generate();
  auto file =
      EncryptKeyFile(KeyKind::kOrganisation, org.secret_seed().span(), Bytes("p"), kFast, 1);
  ASSERT_TRUE(file.ok());
  auto bad = file.value();
  bad[30] ^= 1;  // inside the salt: the derived key changes, and the header is associated data
  EXPECT_EQ(DecryptKeyFile(bad, KeyKind::kOrganisation, Bytes("p")).status().code(),
            ErrorCode::kWrongPassphrase);
}

TEST(KeyFileTest, TruncatedOrForeignFilesAreMalformed) {
  auto org = OrganisationKey::Generate();
  auto file =
      EncryptKeyFile(KeyKind::kOrganisation, org.secret_seed().span(), Bytes("p"), kFast, 1);
  ASSERT_TRUE(file.ok());
  auto cut = file.value();
  cut.pop_back();
  EXPECT_EQ(DecryptKeyFile(cut, KeyKind::kOrganisation, Bytes("p")).status().code(),
            ErrorCode::kMalformed);
  EXPECT_EQ(
      DecryptKeyFile(Bytes("gavah-investigator-v1 AAAA x\n"), KeyKind::kInvestigator, Bytes("p"))
          .status()
          .code(),
      ErrorCode::kMalformed);
}

TEST(KeyFileTest, HostileCostParametersAreRefused) {
  auto org = OrganisationKey::Generate();
  auto file =
      EncryptKeyFile(KeyKind::kOrganisation, org.secret_seed().span(), Bytes("p"), kFast, 1);
  ASSERT_TRUE(file.ok());
  auto bad = file.value();
  bad[14] = 0xff;  // memlimit's top byte: petabytes
  EXPECT_EQ(DecryptKeyFile(bad, KeyKind::kOrganisation, Bytes("p")).status().code(),
            ErrorCode::kMalformed);
}

TEST(KeyFileTest, EmptyPassphraseIsRefused) {
  auto org = OrganisationKey::Generate();
  EXPECT_FALSE(EncryptKeyFile(KeyKind::kOrganisation, org.secret_seed().span(), {}, kFast, 1).ok());
}

TEST(PublicKeyTest, TextFormRoundTripsAndRejectsDamage) {
  auto key = InvestigatorSecretKey::Generate("Parvaneh M.");
  const std::string text = key.public_key().ToText();
  auto back = InvestigatorPublicKey::FromText(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->name, "Parvaneh M.");
  EXPECT_EQ(back->encryption_key, key.public_key().encryption_key);
  std::string cut = text.substr(0, 40);
  EXPECT_FALSE(InvestigatorPublicKey::FromText(cut).ok());
  std::string bad = text;
  bad[25] = '!';
  EXPECT_FALSE(InvestigatorPublicKey::FromText(bad).ok());
  EXPECT_EQ(
      InvestigatorPublicKey::FromText(OrganisationKey::Generate().PublicText()).status().code(),
      ErrorCode::kWrongKeyKind);
}

TEST(PublicKeyTest, NamesWithC1ControlsAreRefused) {
  auto key = InvestigatorSecretKey::Generate("Parvaneh");
  std::string text = key.public_key().ToText();
  text.insert(text.size() - 1, "\xc2\x9b");  // U+009B CONTROL SEQUENCE INTRODUCER
  EXPECT_EQ(InvestigatorPublicKey::FromText(text).status().code(), ErrorCode::kMalformed);
  EXPECT_EQ(InvestigatorSecretKey::FromSecret("Parvaneh\xc2\x85",
                                              SecretBuffer::CopyOf(testing::Pattern(64, 1)))
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(IsValidInvestigatorName("\xc2\x80"));
  EXPECT_TRUE(IsValidInvestigatorName("Parvaneh\xc2\xa0M."));  // U+00A0 is printable
}

TEST(FingerprintTest, ParsesWhatItPrintsAndGroupedForms) {
  auto org = OrganisationKey::Generate();
  const std::string text = FingerprintToText(org.fingerprint());
  ASSERT_EQ(text.size(), 32u);
  EXPECT_EQ(FingerprintFromText(text).value(), org.fingerprint());
  std::string grouped;
  for (size_t i = 0; i < text.size(); ++i)
    grouped += (i && i % 4 == 0 ? "-" : "") + std::string(1, std::toupper(text[i]));
  EXPECT_EQ(FingerprintFromText(grouped).value(), org.fingerprint());
  EXPECT_FALSE(FingerprintFromText("abc").ok());
}

}  // namespace
}  // namespace gavah

namespace gavah {
namespace {

TEST(PublicKeyTest, SmallOrderAndInvalidKeysAreRefused) {
  InvestigatorPublicKey zero;
  zero.name = "zero";
  EXPECT_FALSE(zero.IsUsable());
  const std::string text =
      "gavah-investigator-v1 " + ToBase64(std::vector<uint8_t>(64)) + " zero\n";
  EXPECT_EQ(InvestigatorPublicKey::FromText(text).status().code(), ErrorCode::kMalformed);
  auto good = InvestigatorSecretKey::Generate("good").public_key();
  EXPECT_TRUE(good.IsUsable());
  auto bad_sign = good;
  bad_sign.signing_key.fill(0);
  EXPECT_FALSE(bad_sign.IsUsable());
}

}  // namespace
}  // namespace gavah
