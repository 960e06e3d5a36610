// The building blocks the integrity attacks are beaten with: robust share combination, deletion
// statements, codename check words, the evidence manifest and file key, and the one reader of
// files from outside.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gavah/crypto/codename.h"
#include "gavah/crypto/deletion.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/evidence.h"
#include "gavah/crypto/io.h"
#include "gavah/crypto/process.h"
#include "support/test_support.h"

namespace gavah {
namespace {

namespace fs = std::filesystem;

// The header and the shares each investigator's stanza gives, for a k-of-n envelope.
struct Opened {
  EnvelopeHeader header;
  std::vector<Share> shares;
};
Opened SharesOf(const testing::Org& org, const std::vector<uint8_t>& envelope) {
  MemorySource src(envelope);
  Opened o{ReadEnvelopeHeader(src).value(), {}};
  for (const auto& inv : org.investigators) o.shares.push_back(OpenShare(o.header, inv).value());
  return o;
}
Share Copy(const Share& s) { return Share{s.x, SecretBuffer::CopyOf(s.y.span())}; }
Share Bogus(uint8_t x) {
  Share s{x, SecretBuffer(32)};
  randombytes_buf(s.y.data(), 32);
  return s;
}

TEST(RobustCombine, GoodSharesFirstOpenAtOnceAndABadLaterOneIsNamed) {
  auto org = testing::MakeOrg(4, 2);
  auto sealed = testing::SealForTest(org.bundle, "t");
  Opened o = SharesOf(org, sealed.envelope);
  std::vector<Share> at_hand;
  at_hand.push_back(Copy(o.shares[0]));
  at_hand.push_back(Copy(o.shares[1]));
  at_hand.push_back(Bogus(o.shares[2].x));
  auto r = CombineSharesRobust(o.header, at_hand);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->subsets_tried, 1u);
  EXPECT_EQ(r->used, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(r->misfits, (std::vector<size_t>{2}));
  // The same as CombineShares with the good ones.
  std::vector<Share> good;
  good.push_back(Copy(o.shares[0]));
  good.push_back(Copy(o.shares[1]));
  EXPECT_TRUE(r->file_key.Equals(CombineShares(o.header, good).value().span()));
}

TEST(RobustCombine, ABadShareAmongTheFirstKIsWorkedAroundNotCalledTampered) {
  auto org = testing::MakeOrg(5, 3);
  auto sealed = testing::SealForTest(org.bundle, "t");
  Opened o = SharesOf(org, sealed.envelope);
  std::vector<Share> at_hand;
  at_hand.push_back(Copy(o.shares[0]));
  at_hand.push_back(Bogus(o.shares[3].x));  // a colleague's bad share, second in line
  at_hand.push_back(Copy(o.shares[1]));
  at_hand.push_back(Bogus(o.shares[4].x));
  at_hand.push_back(Copy(o.shares[2]));
  // Every share interpolated together would fail: the old behaviour.
  EXPECT_EQ(CombineShares(o.header, at_hand).status().code(), ErrorCode::kTampered);
  auto r = CombineSharesRobust(o.header, at_hand);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_GT(r->subsets_tried, 1u);
  EXPECT_EQ(r->used, (std::vector<size_t>{0, 2, 4}));
  EXPECT_EQ(r->misfits, (std::vector<size_t>{1, 3}));
}

TEST(RobustCombine, ARepeatedGoodShareIsNoMisfitAndAWrongOneWithTheSameXIs) {
  auto org = testing::MakeOrg(3, 2);
  auto sealed = testing::SealForTest(org.bundle, "t");
  Opened o = SharesOf(org, sealed.envelope);
  std::vector<Share> at_hand;
  at_hand.push_back(Copy(o.shares[0]));
  at_hand.push_back(Copy(o.shares[1]));
  at_hand.push_back(Copy(o.shares[1]));
  at_hand.push_back(Bogus(o.shares[0].x));
  auto r = CombineSharesRobust(o.header, at_hand);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->misfits, (std::vector<size_t>{3}));
}

TEST(RobustCombine, OnlyWhenNoKSubsetOpensIsTheHeaderCalledDamaged) {
  auto org = testing::MakeOrg(3, 2);
  auto sealed = testing::SealForTest(org.bundle, "t");
  Opened o = SharesOf(org, sealed.envelope);
  std::vector<Share> at_hand;
  at_hand.push_back(Copy(o.shares[0]));
  at_hand.push_back(Bogus(o.shares[1].x));
  at_hand.push_back(Bogus(o.shares[2].x));
  auto r = CombineSharesRobust(o.header, at_hand);
  EXPECT_EQ(r.status().code(), ErrorCode::kTampered);
  EXPECT_NE(r.status().message().find("no 2 of the 3 key shares at hand open it"),
            std::string::npos)
      << r.status().message();
  std::vector<Share> one;
  one.push_back(Copy(o.shares[0]));
  EXPECT_EQ(CombineSharesRobust(o.header, one).status().code(), ErrorCode::kNotEnoughKeys);
}

TEST(RobustCombine, TheSearchIsBoundedAndSaysSo) {
  auto org = testing::MakeOrg(30, 5);
  auto sealed = testing::SealForTest(org.bundle, "t");
  Opened o = SharesOf(org, sealed.envelope);
  std::vector<Share> at_hand;
  // 26 bad shares before 4 good ones: C(30, 5) = 142,506 subsets, more than the bound.
  for (unsigned i = 0; i < 26; ++i) at_hand.push_back(Bogus(o.shares[i].x));
  for (unsigned i = 26; i < 30; ++i) at_hand.push_back(Copy(o.shares[i]));
  auto r = CombineSharesRobust(o.header, at_hand);
  EXPECT_EQ(r.status().code(), ErrorCode::kTampered);
  EXPECT_NE(r.status().message().find("the search stopped there"), std::string::npos)
      << r.status().message();
}

TEST(DeletionStatement, BoundToOrganisationServerAndEnvelope) {
  auto org = testing::MakeOrg(3, 2);
  const Fingerprint fp = org.bundle.organisation_fingerprint();
  Digest32 server{}, id{}, other{};
  server.fill(1);
  id.fill(2);
  other.fill(3);
  const auto st = SignDeletion(org.investigators[0], fp, server, id);
  auto parsed = ParseDeletionStatement(st);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(VerifyDeletion(*parsed, fp, server, id).ok());
  EXPECT_FALSE(VerifyDeletion(*parsed, fp, server, other).ok());
  EXPECT_FALSE(VerifyDeletion(*parsed, fp, other, id).ok());
  Fingerprint fp2 = fp;
  fp2[0] ^= 1;
  EXPECT_FALSE(VerifyDeletion(*parsed, fp2, server, id).ok());
  std::vector<uint8_t> bad(st.begin(), st.end());
  bad[0] = 2;
  EXPECT_EQ(ParseDeletionStatement(bad).status().code(), ErrorCode::kUnsupported);
  bad.pop_back();
  EXPECT_EQ(ParseDeletionStatement(bad).status().code(), ErrorCode::kMalformed);

  // Counted once per distinct listed investigator; outsiders, repeats and junk count nothing.
  const auto outsider = InvestigatorSecretKey::Generate("outsider");
  const std::array<Digest32, 1> servers{server};
  std::vector<std::vector<uint8_t>> all;
  auto add = [&](const std::array<uint8_t, kDeletionStatementSize>& s) {
    all.emplace_back(s.begin(), s.end());
  };
  add(st);
  add(st);
  add(SignDeletion(outsider, fp, server, id));
  add(SignDeletion(org.investigators[1], fp, server, other));
  all.push_back({1, 2, 3});
  EXPECT_EQ(CountDeletionAgreements(all, org.bundle, servers, id), 1u);
  add(SignDeletion(org.investigators[2], fp, server, id));
  EXPECT_EQ(CountDeletionAgreements(all, org.bundle, servers, id), 2u);
  const std::array<Digest32, 1> elsewhere{other};
  EXPECT_EQ(CountDeletionAgreements(all, org.bundle, elsewhere, id), 0u);
}

// A small sorted list stands in for the shipped one.
std::vector<const char*> SmallList() {
  static const char* const kWords[] = {"acorn",  "amber",  "anchor", "apple",  "birch",
                                       "cable",  "candle", "cedar",  "copper", "delta",
                                       "falcon", "harbor", "meadow", "river",  "willow"};
  return {std::begin(kWords), std::end(kWords)};
}

Result<CheckedCodename> Check(const std::string& text) {
  const auto list = SmallList();
  return CheckCodename({reinterpret_cast<const uint8_t*>(text.data()), text.size()}, list);
}

TEST(CodenameCheck, MadeCodenamesCheckOutAndEveryOneWordChangeIsCaught) {
  const auto list = SmallList();
  const SecretBuffer made = MakeCodename(list);
  const std::string text(made.view());
  auto ok = Check(text);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_FALSE(ok->legacy);
  EXPECT_EQ(ok->normalised.view(), text);
  std::vector<std::string> words;
  for (size_t at = 0; at <= text.size();) {
    const size_t sp = std::min(text.find(' ', at), text.size());
    words.push_back(text.substr(at, sp - at));
    at = sp + 1;
  }
  ASSERT_EQ(words.size(), kCheckedCodenameWords);
  auto join = [](const std::vector<std::string>& w) {
    std::string out;
    for (const auto& x : w) out += (out.empty() ? "" : " ") + x;
    return out;
  };
  // With 15 words a substitution passes the check with probability 1/225: count, do not demand.
  size_t caught = 0, tried = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    for (const char* w : list) {
      if (words[i] == w) continue;
      auto changed = words;
      changed[i] = w;
      ++tried;
      caught += Check(join(changed)).ok() ? 0 : 1;
    }
  }
  EXPECT_GT(caught, tried * 9 / 10);
  auto unknown = words;
  unknown[6] = "zebra";
  EXPECT_NE(Check(join(unknown)).status().message().find("word 7 of the codename is not in"),
            std::string::npos);
  EXPECT_NE(Check("a a a a a a a").status().message().find("word 1"), std::string::npos);
  EXPECT_NE(Check("copper meadow").status().message().find("at least 7 words"), std::string::npos);
}

// A codename of the witness's own words, made before section 6.2, keeps its key under the rules
// of then: ZWNJ and Arabic letters stay as they were typed; under the current rules they fold.
TEST(CodenameCheck, OwnWordsCodenamesFromBeforeKeepTheRulesOfThen) {
  const std::string typed =
      "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xb1\xd9\x88\xd9\x85 one two three four five six";
  auto old_rules = NormaliseCodename(testing::Bytes(typed), CodenameRules::kAsciiOnly);
  auto current = NormaliseCodename(testing::Bytes(typed));
  ASSERT_TRUE(old_rules.ok() && current.ok());
  EXPECT_EQ(old_rules->view(), typed) << "every byte outside ASCII kept";
  EXPECT_EQ(current->view(), "\xd9\x85\xdb\x8c\xd8\xb1\xd9\x88\xd9\x85 one two three four five six")
      << "ZWNJ dropped";
  auto upper = NormaliseCodename(testing::Bytes("  A\tB\nC D E F G  "), CodenameRules::kAsciiOnly);
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->view(), "a b c d e f g");
  const Fingerprint org{};
  EXPECT_FALSE(DeriveReplyKey(testing::Bytes(typed), org, CodenameRules::kAsciiOnly)->public_key ==
               DeriveReplyKey(testing::Bytes(typed), org)->public_key);
}

TEST(CodenameCheck, SevenListWordsAreALegacyCodenameUsedAsWritten) {
  auto r = Check("Copper  meadow harbor falcon river willow candle\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->legacy);
  EXPECT_EQ(r->normalised.view(), "copper meadow harbor falcon river willow candle");
}

// Persian codenames were made with check words from the start: seven Persian words are a
// codename with two missing, not a legacy one.
TEST(CodenameCheck, SevenPersianWordsAreTwoMissingNotALegacyCodename) {
  // Sorted by bytes, as the shipped lists are.
  static const char* const kWords[] = {"\xd8\xa7\xd8\xa8",          // اب (as normalised)
                                       "\xd8\xa8\xd8\xa7\xd8\xba",  // باغ
                                       "\xd8\xaf\xd8\xb1",          // در
                                       "\xd8\xb3\xd8\xb1\xd9\x88",  // سرو
                                       "\xda\xaf\xd9\x84"};         // گل
  const std::vector<const char*> list(std::begin(kWords), std::end(kWords));
  std::string seven;
  for (int i = 0; i < 7; ++i) seven += std::string(i ? " " : "") + kWords[i % 5];
  auto r = CheckCodename(testing::Bytes(seven), list);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("it has 7 words, not 9"), std::string::npos)
      << r.status().message();
}

TEST(CodenameCheck, CheckWordsFollowTheSpecifiedHash) {
  const std::vector<std::string_view> data = {"copper", "meadow", "harbor", "falcon",
                                              "river",  "willow", "candle"};
  const std::string joined = "copper meadow harbor falcon river willow candle";
  static constexpr char kDomain[] = "gavah-codename-check-v1";
  uint8_t h[32];
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(kDomain), sizeof kDomain);
  crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(joined.data()), joined.size());
  crypto_generichash_final(&st, h, 32);
  const uint32_t v0 =
      (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
  const uint32_t v1 =
      (uint32_t{h[4]} << 24) | (uint32_t{h[5]} << 16) | (uint32_t{h[6]} << 8) | h[7];
  const auto idx = CodenameCheckIndexes(data, 10940);
  EXPECT_EQ(idx[0], v0 % 10940);
  EXPECT_EQ(idx[1], v1 % 10940);
}

TEST(EvidenceManifest, OnlyTheExactFormIsRead) {
  const std::string id(64, 'a'), fp(32, 'b'), h(64, 'c');
  const std::string head =
      "gavah-export-v2\nenvelope " + id + "\nexported_at 1796108400\n" + "exported_by " + fp + "\n";
  // The parsed fields are views into the text, which must outlive them.
  const std::string text = head + h + "  bundle.gvb\n" + h + "  testimony/testimony.txt\n";
  auto ok = ParseEvidenceManifest(text);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->id_hex, id);
  EXPECT_EQ(ok->exported_at, 1796108400u);
  ASSERT_EQ(ok->files.size(), 2u);
  EXPECT_EQ(ok->files[1].second, "testimony/testimony.txt");
  const std::vector<std::string> bad = {
      "gavah-export-v1\n",                                      // the earlier format
      head + h + "  b\n" + h + "  a\n",                         // unsorted
      head + h + "  a\n" + h + "  a\n",                         // twice
      head + h + "  ../etc/passwd\n",                           // outside
      head + h + "  a//b\n",                                    // empty component
      head + h + "  /abs\n",                                    // absolute
      head + std::string(64, 'C') + "  a\n",                    // upper-case digest
      head + h + " a\n",                                        // one space
      head + h + "  a",                                         // no final line break
      "gavah-export-v2\nexported_at 1\nenvelope " + id + "\n",  // header out of order
      "gavah-export-v2\nenvelope " + id + "\nexported_at 01\nexported_by " + fp + "\n",
      "gavah-export-v2\nenvelope " + id.substr(1) + "\nexported_at 1\nexported_by " + fp + "\n",
  };
  for (const auto& b : bad) EXPECT_FALSE(ParseEvidenceManifest(b).ok()) << b;
  EXPECT_EQ(ParseEvidenceManifest("gavah-export-v1\n").status().code(), ErrorCode::kUnsupported);
}

TEST(EvidenceFileKey, RoundTripsAndRefusesEverythingElse) {
  SecretBuffer key(32);
  randombytes_buf(key.data(), 32);
  const SecretBuffer text = FileKeyText(key);
  EXPECT_TRUE(text.view().starts_with("gavah-file-key-v1 "));
  auto back = ParseFileKeyText(text.view());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->Equals(key.span()));
  std::string t(text.view());
  EXPECT_FALSE(ParseFileKeyText(t.substr(0, t.size() - 1)).ok());  // no line break
  std::string upper = t;
  upper.replace(18, 1, "A");  // one upper-case hex digit
  EXPECT_FALSE(ParseFileKeyText(upper).ok());
  EXPECT_FALSE(ParseFileKeyText("gavah-file-key-v2" + t.substr(17)).ok());
  EXPECT_FALSE(ParseFileKeyText(t + "x").ok());
}

TEST(ReadRegularFile, RefusesLinksFifosAndOversizeWithoutBlocking) {
  char tmpl[] = "/tmp/gavah-read-test-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  { std::ofstream(dir / "f") << "hello"; }
  fs::create_symlink(dir / "f", dir / "link");
  ASSERT_EQ(mkfifo((dir / "fifo").c_str(), 0600), 0);
  auto ok = ReadRegularFile((dir / "f").string(), 5);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(std::string(ok->begin(), ok->end()), "hello");
  EXPECT_EQ(ReadRegularFile((dir / "f").string(), 4).status().code(), ErrorCode::kTooLarge);
  EXPECT_NE(ReadRegularFile((dir / "link").string(), 100).status().message().find("symbolic link"),
            std::string::npos);
  EXPECT_NE(
      ReadRegularFile((dir / "fifo").string(), 100).status().message().find("not a regular file"),
      std::string::npos);
  EXPECT_NE(ReadRegularSecretFile(dir.string(), 100).status().message().find("not a regular file"),
            std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gavah
