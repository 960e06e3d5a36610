// What the intake writes into its log and how clients accept a checkpoint (PROTOCOL.md 12.7,
// 12.9): typed entries of exact sizes, the origin that names its key, the witness quorum.
#include "gavah/crypto/intake_log.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "gavah/crypto/hex.h"
#include "gavah/crypto/receipt.h"

namespace gavah::tlog {
namespace {

Digest32 Id(uint8_t b) {
  Digest32 d{};
  d.fill(b);
  return d;
}

struct Signer {
  explicit Signer(const std::string& name, uint8_t seed_byte) : s{name, SecretBuffer(64)} {
    uint8_t seed[32];
    std::fill(std::begin(seed), std::end(seed), seed_byte);
    crypto_sign_seed_keypair(pk.data(), s.secret_key.data(), seed);
  }
  PublicKey32 pk{};
  NoteSigner s;
};

TEST(IntakeLogTest, EntriesAreTypedOfExactSizeAndWholeHours) {
  const IntakeEntry env{EntryType::kEnvelope, Id(7), 1'749'996'000, {}};
  const auto bytes = EncodeEntry(env);
  ASSERT_EQ(bytes.size(), kEnvelopeEntrySize);
  EXPECT_EQ(bytes[0], 0x01);
  EXPECT_EQ(ToHex(std::span(bytes).subspan(33)), "00000000684ed1e0");
  auto back = ParseEntry(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->envelope_id, Id(7));
  EXPECT_EQ(back->hour, 1'749'996'000u);
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(ParseEntry(longer).status().code(), ErrorCode::kMalformed);
  EXPECT_EQ(ParseEntry(std::span(bytes).first(40)).status().code(), ErrorCode::kMalformed);
  auto odd = bytes;
  odd[40] = 1;  // not a whole hour
  EXPECT_EQ(ParseEntry(odd).status().code(), ErrorCode::kMalformed);
  auto unknown = bytes;
  unknown[0] = 3;
  EXPECT_EQ(ParseEntry(unknown).status().code(), ErrorCode::kUnsupported);
  EXPECT_FALSE(ParseEntry({}).ok());

  IntakeEntry del{EntryType::kDeletion, Id(7), 1'749'996'000, {}};
  del.statement[0] = kDeletionStatementVersion;
  const auto d = EncodeEntry(del);
  ASSERT_EQ(d.size(), kDeletionEntrySize);
  EXPECT_TRUE(ParseEntry(d).ok());
  auto bad_version = d;
  bad_version[41] = 9;  // the statement's version
  EXPECT_FALSE(ParseEntry(bad_version).ok());
}

TEST(IntakeLogTest, TheOriginNamesItsKeyAndNothingElse) {
  const Signer log("", 0x20);
  const std::string origin = LogOrigin(log.pk);
  EXPECT_EQ(origin, "gavah.intake/" + ToHex(log.pk));
  EXPECT_EQ(LogKeyFromOrigin(origin), std::optional<PublicKey32>(log.pk));
  EXPECT_FALSE(LogKeyFromOrigin("gavah.intake/" + ToHex(log.pk).substr(2)));
  std::string upper = origin;
  upper.back() = static_cast<char>(std::toupper(upper.back()));
  if (upper != origin) {
    EXPECT_FALSE(LogKeyFromOrigin(upper)) << "one spelling only";
  }
  EXPECT_FALSE(LogKeyFromOrigin("example.com/log"));
  EXPECT_EQ(LogVerifierKey(log.pk).name, origin);
  EXPECT_EQ(LogVerifierKey(log.pk).type, kEd25519Type);
}

TEST(IntakeLogTest, ACheckpointNeedsTheLogsSignatureAndTheQuorumOfDistinctWitnesses) {
  Signer log("", 0x20);
  log.s.name = LogOrigin(log.pk);
  Signer w1("witness.example/w1", 0x61), w2("witness.example/w2", 0x62),
      stranger("witness.example/x", 0x63);
  const std::string text = FormatCheckpoint({log.s.name, 5, Id(1), {}});
  const NoteSigner* by_log[] = {&log.s};
  const std::string note = SignNote(text, by_log).value();
  const std::vector<VerifierKey> witnesses = {w1.s.verifier(kCosignatureType),
                                              w2.s.verifier(kCosignatureType)};
  auto cosign = [&](const Signer& w) { return CosignatureLine(w.s, 1'750'000'000, text).value(); };

  EXPECT_TRUE(AcceptCheckpoint(note, log.pk, witnesses, 0).ok());
  auto none = AcceptCheckpoint(note, log.pk, witnesses, 1);
  EXPECT_EQ(none.status().code(), ErrorCode::kUntrustedSigner);
  EXPECT_NE(none.status().message().find("has 0 of the 1 witness cosignatures"), std::string::npos);
  const std::string one = note + cosign(w1);
  auto a = AcceptCheckpoint(one, log.pk, witnesses, 1);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->cosigners, std::vector<std::string>{"witness.example/w1"});
  EXPECT_EQ(a->checkpoint.size, 5u);
  // The same witness twice counts once; a witness the bundle does not list counts not at all.
  EXPECT_FALSE(AcceptCheckpoint(one + cosign(w1), log.pk, witnesses, 2).ok());
  EXPECT_FALSE(AcceptCheckpoint(one + cosign(stranger), log.pk, witnesses, 2).ok());
  EXPECT_TRUE(AcceptCheckpoint(one + cosign(w2), log.pk, witnesses, 2).ok());
  // Only the log's own key signs its checkpoints, and only of its own origin.
  const Signer other("", 0x30);
  EXPECT_FALSE(AcceptCheckpoint(one, other.pk, witnesses, 0).ok());
  Signer impostor("", 0x30);
  impostor.s.name = log.s.name;
  const NoteSigner* by_impostor[] = {&impostor.s};
  EXPECT_FALSE(AcceptCheckpoint(SignNote(text, by_impostor).value(), log.pk, {}, 0).ok());
  const std::string foreign = FormatCheckpoint({"example.com/log", 5, Id(1), {}});
  Signer named_foreign("example.com/log", 0x20);
  const NoteSigner* by_foreign[] = {&named_foreign.s};
  EXPECT_FALSE(AcceptCheckpoint(SignNote(foreign, by_foreign).value(), log.pk, {}, 0).ok());
}

TEST(IntakeLogTest, ExtendingIsCheckedAndASplitNamesBothCheckpoints) {
  MerkleTree tree;
  std::vector<Digest32> leaves;
  for (uint8_t i = 0; i < 9; ++i) {
    leaves.push_back(LeafHash(EncodeEntry({EntryType::kEnvelope, Id(i), 3600, {}})));
    tree.Append(leaves.back());
  }
  const Checkpoint c4{"o", 4, tree.Root(4).value(), {}}, c9{"o", 9, tree.Root(9).value(), {}};
  EXPECT_TRUE(CheckExtends(c4, c9, tree.ConsistencyProof(4, 9).value()).ok());
  EXPECT_TRUE(CheckExtends(c9, c9, {}).ok());
  EXPECT_TRUE(CheckExtends({"o", 0, Sha256Of({}), {}}, c9, {}).ok());
  const Checkpoint split{"o", 9, Id(5), {}};
  auto st = CheckExtends(c9, split, {});
  EXPECT_EQ(st.code(), ErrorCode::kTampered);
  EXPECT_NE(st.message().find("two different trees of the same size"), std::string::npos);
  EXPECT_EQ(CheckExtends(c9, c4, {}).code(), ErrorCode::kTampered) << "a log that shrank";
  EXPECT_EQ(CheckExtends(c4, split, tree.ConsistencyProof(4, 9).value()).code(),
            ErrorCode::kTampered);
  EXPECT_EQ(CheckExtends(c4, {"p", 9, c9.root, {}}, tree.ConsistencyProof(4, 9).value()).code(),
            ErrorCode::kTampered)
      << "another log";
}

}  // namespace
}  // namespace gavah::tlog

namespace gavah {
namespace {

// A receipt is a promise of inclusion by a later whole hour, and not one so far off that the
// server could put its log off for ever.
TEST(ReceiptTest, APromiseIsForALaterHourWithinADayAndAnHour) {
  SecretBuffer seed(32);
  std::fill(seed.data(), seed.data() + 32, 0x20);
  const ReceiptKey key = ReceiptKey::FromSeed(std::move(seed)).value();
  Digest32 id{};
  id.fill(3);
  const uint64_t hour = 1'749'996'000;
  EXPECT_TRUE(VerifyReceipt(key.Sign(id, hour + 7200, hour), key.public_key(), id).ok());
  EXPECT_TRUE(
      VerifyReceipt(key.Sign(id, hour + kMaxPromiseSeconds, hour), key.public_key(), id).ok());
  for (const uint64_t by :
       {hour, hour - 3600, hour + kMaxPromiseSeconds + 3600, hour + 7201, uint64_t{1} << 62}) {
    EXPECT_EQ(VerifyReceipt(key.Sign(id, by, hour), key.public_key(), id).code(),
              ErrorCode::kBadSignature)
        << by;
  }
  Receipt forged = key.Sign(id, hour + 7200, hour);
  forged.include_by += 3600;
  EXPECT_FALSE(VerifyReceipt(forged, key.public_key(), id).ok());
}

}  // namespace
}  // namespace gavah
