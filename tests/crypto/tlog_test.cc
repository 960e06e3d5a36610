// The transparency log's formats against the vectors of the specs and of their reference
// implementations, byte for byte. Sources, each named where its vectors are used:
//   - transparency-dev/merkle: testonly/constants.go (the 8-leaf tree), rfc6962/rfc6962_test.go,
//     proof/verify_test.go (inclusion and consistency proofs; its leaf numbers are 1-based);
//   - C2SP/C2SP: signed-note.md, tlog-tiles.md;
//   - golang/mod: sumdb/note/note_test.go and example_test.go (PeterNeumann, EnochRoot);
//   - transparency-dev/formats: log/note_test.go (a sum.golang.org checkpoint);
//   - transparency-dev/trillian-tessera: api/layout/paths_test.go (tile paths).
#include "gavah/crypto/tlog.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <vector>

#include "gavah/crypto/hex.h"

namespace gavah::tlog {
namespace {

Digest32 H(std::string_view hex) {
  auto bytes = FromHex(hex);
  EXPECT_TRUE(bytes && bytes->size() == 32) << hex;
  Digest32 d{};
  if (bytes && bytes->size() == 32) std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// transparency-dev/merkle testonly/constants.go: the leaves and the roots of every prefix.
std::vector<Digest32> TestLeaves() {
  const char* hex[] = {"",
                       "00",
                       "10",
                       "2021",
                       "3031",
                       "40414243",
                       "5051525354555657",
                       "606162636465666768696a6b6c6d6e6f"};
  std::vector<Digest32> out;
  for (const char* h : hex) out.push_back(LeafHash(*FromHex(h)));
  return out;
}

const char* kRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

Digest32 RootAt(size_t n) { return H(kRoots[n]); }

// Who verified an opened note, as "name" for a signature and "name@time" for a cosignature.
std::vector<std::string> Signers(const OpenedNote& n) {
  std::vector<std::string> out;
  for (const auto& v : n.verified)
    out.push_back(v.type == kCosignatureType ? v.name + "@" + std::to_string(v.timestamp) : v.name);
  return out;
}

std::span<const Digest32> Prefix(const std::vector<Digest32>& leaves, size_t n) {
  return std::span(leaves).first(n);
}

TEST(MerkleTest, HashesAsRfc6962) {
  // rfc6962/rfc6962_test.go
  EXPECT_EQ(ToHex(LeafHash(Bytes(""))),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(ToHex(LeafHash(Bytes("L123456"))),
            "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
  // testdata/inclusion/single-entry
  EXPECT_EQ(ToBase64(LeafHash(Bytes("data"))), "DTrtAjFI/9KiWfvQzcf7PPl1ZYdg03dbgq9vkKrMLfw=");
  const auto leaves = TestLeaves();
  EXPECT_EQ(ToHex(leaves[1]), "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  EXPECT_EQ(ToHex(leaves[7]), "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1");
  for (size_t n = 0; n <= 8; ++n) EXPECT_EQ(ToHex(RootOf(Prefix(leaves, n))), kRoots[n]) << n;
}

TEST(MerkleTest, InclusionProofsAreTheReferenceOnesAndVerify) {
  const auto leaves = TestLeaves();
  struct Case {
    uint64_t index, size;
    std::vector<const char*> proof;
  };
  // proof/verify_test.go inclusionProofs (0-based here); (0, 3) and (6, 7) derived from PATH.
  const std::vector<Case> cases = {
      {0, 1, {}},
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {0,
       3,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"}},
      {6,
       7,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  for (const auto& c : cases) {
    auto proof = InclusionProof(Prefix(leaves, c.size), c.index);
    ASSERT_TRUE(proof.ok());
    std::vector<std::string> got;
    for (const auto& p : *proof) got.push_back(ToHex(p));
    EXPECT_EQ(got, std::vector<std::string>(c.proof.begin(), c.proof.end()))
        << c.index << "/" << c.size;
    EXPECT_TRUE(VerifyInclusion(c.index, c.size, leaves[c.index], *proof, RootAt(c.size)).ok());
  }
}

// Every entry of every tree up to 8, and each of the reference suite's mutations of its proof.
TEST(MerkleTest, EveryInclusionProofVerifiesAndNoMutationOfOneDoes) {
  const auto leaves = TestLeaves();
  const Digest32 other = H("abacaba000000000000000000000000000000000000000000060061e00123456");
  for (uint64_t n = 1; n <= 8; ++n) {
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = InclusionProof(Prefix(leaves, n), i).value();
      const Digest32 root = RootAt(n);
      ASSERT_TRUE(VerifyInclusion(i, n, leaves[i], proof, root).ok()) << i << "/" << n;
      EXPECT_FALSE(VerifyInclusion(i ^ 1, n, leaves[i], proof, root).ok());
      EXPECT_FALSE(VerifyInclusion(i + 1, n, leaves[i], proof, root).ok());
      EXPECT_FALSE(VerifyInclusion(i, 2 * n, leaves[i], proof, root).ok());
      if (n / 2 > i) {
        EXPECT_FALSE(VerifyInclusion(i, n / 2, leaves[i], proof, root).ok());
      }
      EXPECT_FALSE(VerifyInclusion(i, n, LeafHash(Bytes("WrongLeaf")), proof, root).ok());
      EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], proof, other).ok());
      for (size_t k = 0; k < proof.size(); ++k) {
        auto flipped = proof;
        flipped[k][0] ^= 8;
        EXPECT_EQ(VerifyInclusion(i, n, leaves[i], flipped, root).code(), ErrorCode::kTampered);
        auto removed = proof;
        removed.erase(removed.begin() + static_cast<ptrdiff_t>(k));
        EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], removed, root).ok());
      }
      auto longer = proof;
      longer.push_back(root);
      EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], longer, root).ok());
      auto inserted = proof;
      inserted.insert(inserted.begin(), other);
      EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], inserted, root).ok());
    }
  }
  EXPECT_EQ(VerifyInclusion(0, 0, leaves[0], {}, RootAt(0)).code(), ErrorCode::kMalformed);
  // Found by fuzz_tlog: an index and tree size that differ in the top bit (a shift by 64).
  EXPECT_FALSE(VerifyInclusion(0, uint64_t{1} << 63 | 1, leaves[0], {}, RootAt(1)).ok());
  EXPECT_FALSE(VerifyInclusion(UINT64_MAX - 1, UINT64_MAX, leaves[0], {}, RootAt(1)).ok());
}

TEST(MerkleTest, ConsistencyProofsAreTheReferenceOnesAndVerify) {
  const auto leaves = TestLeaves();
  struct Case {
    uint64_t m, n;
    std::vector<const char*> proof;
  };
  // proof/verify_test.go consistencyProofs; 3 -> 7 is the RFC's [c, d, g, l], derived.
  const std::vector<Case> cases = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {6,
       7,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {3,
       7,
       {"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}},
  };
  for (const auto& c : cases) {
    auto proof = ConsistencyProof(Prefix(leaves, c.n), c.m);
    ASSERT_TRUE(proof.ok());
    std::vector<std::string> got;
    for (const auto& p : *proof) got.push_back(ToHex(p));
    EXPECT_EQ(got, std::vector<std::string>(c.proof.begin(), c.proof.end())) << c.m << "->" << c.n;
    EXPECT_TRUE(VerifyConsistency(c.m, c.n, RootAt(c.m), RootAt(c.n), *proof).ok());
  }
}

TEST(MerkleTest, EveryConsistencyProofVerifiesAndNoMutationOfOneDoes) {
  const auto leaves = TestLeaves();
  for (uint64_t n = 2; n <= 8; ++n) {
    for (uint64_t m = 1; m < n; ++m) {
      auto proof = ConsistencyProof(Prefix(leaves, n), m).value();
      const Digest32 r1 = RootAt(m), r2 = RootAt(n);
      ASSERT_TRUE(VerifyConsistency(m, n, r1, r2, proof).ok()) << m << "->" << n;
      EXPECT_FALSE(VerifyConsistency(m, n, r2, r1, proof).ok());
      EXPECT_FALSE(VerifyConsistency(m, n, LeafHash(Bytes("WrongRoot")), r2, proof).ok());
      EXPECT_FALSE(VerifyConsistency(m, n, r1, LeafHash(Bytes("WrongRoot")), proof).ok());
      EXPECT_FALSE(VerifyConsistency(m, n, r1, r2, {}).ok());
      for (size_t k = 0; k < proof.size(); ++k) {
        auto flipped = proof;
        flipped[k][0] ^= 8;
        EXPECT_FALSE(VerifyConsistency(m, n, r1, r2, flipped).ok()) << m << "->" << n << " " << k;
      }
      auto truncated = proof;
      truncated.pop_back();
      EXPECT_FALSE(VerifyConsistency(m, n, r1, r2, truncated).ok());
      auto longer = proof;
      longer.push_back(r2);
      EXPECT_FALSE(VerifyConsistency(m, n, r1, r2, longer).ok());
      // A tree that is not an extension: one entry of the older part changed.
      auto changed = leaves;
      changed[m - 1] = LeafHash(Bytes("rewritten"));
      const Digest32 forged = RootOf(Prefix(changed, n));
      EXPECT_FALSE(VerifyConsistency(m, n, r1, forged, proof).ok());
      EXPECT_FALSE(
          VerifyConsistency(m, n, r1, forged, ConsistencyProof(Prefix(changed, n), m).value())
              .ok());
    }
  }
  // testdata/consistency/additional: 0 is never a starting point, sizes never shrink, equal
  // sizes need equal roots and no proof.
  EXPECT_FALSE(VerifyConsistency(0, 0, RootAt(0), RootAt(0), {}).ok());
  EXPECT_FALSE(VerifyConsistency(0, 1, RootAt(0), RootAt(1), {}).ok());
  EXPECT_FALSE(VerifyConsistency(2, 1, RootAt(2), RootAt(1), {}).ok());
  EXPECT_FALSE(VerifyConsistency(1, 2, RootAt(1), RootAt(2), {}).ok());
  EXPECT_TRUE(VerifyConsistency(1, 1, RootAt(1), RootAt(1), {}).ok());
  EXPECT_EQ(VerifyConsistency(3, 3, RootAt(3), RootAt(4), {}).code(), ErrorCode::kTampered);
  const Digest32 extra = RootAt(0);
  EXPECT_FALSE(VerifyConsistency(3, 3, RootAt(3), RootAt(3), std::span(&extra, 1)).ok());
}

// ---- signed notes ----

NoteSigner SignerFromGoKey(std::string_view skey) {
  // golang/mod's "PRIVATE+KEY+<name>+<id>+base64(0x01 || seed)"; the base64 may hold '+'.
  const size_t name = std::string_view("PRIVATE+KEY+").size();
  const size_t id = skey.find('+', name);
  const size_t key = skey.find('+', id + 1);
  auto seed = FromBase64(skey.substr(key + 1));
  EXPECT_TRUE(seed && seed->size() == 33 && (*seed)[0] == 1);
  NoteSigner s;
  s.name = std::string(skey.substr(name, id - name));
  s.secret_key = SecretBuffer(crypto_sign_SECRETKEYBYTES);
  uint8_t pk[32];
  crypto_sign_seed_keypair(pk, s.secret_key.data(), seed->data() + 1);
  return s;
}

const std::string kPeterText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
const std::string kPeterSig =
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const std::string kEnochSig =
    "\xe2\x80\x94 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

VerifierKey Peter() {
  return ParseVerifierKey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
      .value();
}
VerifierKey Enoch() {
  return ParseVerifierKey("EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop")
      .value();
}

TEST(SignedNoteTest, SignsAsGoDoesByteForByte) {
  const NoteSigner peter = SignerFromGoKey(
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
  EXPECT_EQ(FormatVerifierKey(peter.verifier()),
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  const NoteSigner* signers[] = {&peter};
  auto note = SignNote(kPeterText, signers);
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(*note, kPeterText + "\n" + kPeterSig);
}

TEST(SignedNoteTest, TheSpecsExampleVerifies) {
  // C2SP signed-note.md, "Verifier keys" example.
  auto key =
      ParseVerifierKey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->id, 0x530d903au);
  const std::string note =
      "This is an example message.\n\n\xe2\x80\x94 example.com/foo "
      "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
      "\n";
  const VerifierKey known[] = {*key};
  auto opened = OpenNote(note, known);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(opened->text, "This is an example message.\n");
  EXPECT_EQ(Signers(*opened), std::vector<std::string>{"example.com/foo"});
}

TEST(SignedNoteTest, OpensAsGoDoes) {
  const std::string both = kPeterText + "\n" + kPeterSig + kEnochSig;
  const VerifierKey peter[] = {Peter()};
  const VerifierKey two[] = {Peter(), Enoch()};
  auto one = OpenNote(both, peter);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->text, kPeterText);
  EXPECT_EQ(Signers(*one), std::vector<std::string>{"PeterNeumann"});
  auto all = OpenNote(both, two);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Signers(*all), (std::vector<std::string>{"PeterNeumann", "EnochRoot"}));
  EXPECT_EQ(OpenNote(both, {}).status().code(), ErrorCode::kUntrustedSigner);

  std::string many = kPeterText + "\n";
  for (int i = 0; i < 101; ++i) many += kPeterSig;
  EXPECT_EQ(OpenNote(many, peter).status().code(), ErrorCode::kMalformed);
  EXPECT_EQ(OpenNote(many, {}).status().code(), ErrorCode::kMalformed);

  std::string bad_sig = kPeterSig;
  bad_sig.insert(60, "ABCD");
  EXPECT_EQ(OpenNote(kPeterText + "\n" + bad_sig, peter).status().code(), ErrorCode::kBadSignature);
  // Repeated lines of a known key count once; a broken signature by an unknown key is ignored.
  std::string bad_enoch = kEnochSig;
  bad_enoch.insert(60, "ABCD");
  auto repeated = OpenNote(
      kPeterText + "\n" + kPeterSig + kPeterSig + kEnochSig + kEnochSig + bad_enoch, peter);
  ASSERT_TRUE(repeated.ok()) << repeated.status().message();
  EXPECT_EQ(Signers(*repeated), std::vector<std::string>{"PeterNeumann"});

  // note_test.go's malformed notes.
  const std::string peter_no_newline = kPeterSig.substr(0, kPeterSig.size() - 1);
  for (const std::string& bad :
       {kPeterText, kPeterText + "\n", kPeterText + "\n" + peter_no_newline,
        "\x01" + kPeterText + "\n" + kPeterSig, "\xff" + kPeterText + "\n" + kPeterSig,
        kPeterText + "\n" + "\xe2\x80\x94 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZIn",
        kPeterText + "\n" + kPeterSig + "Unexpected line.\n"}) {
    EXPECT_EQ(OpenNote(bad, peter).status().code(), ErrorCode::kMalformed) << bad;
  }
  EXPECT_FALSE(SignNote("abc", {}).ok());
}

TEST(SignedNoteTest, VerifierKeysAreParsedStrictly) {
  const std::string good = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  ASSERT_TRUE(ParseVerifierKey(good).ok());
  EXPECT_EQ(FormatVerifierKey(ParseVerifierKey(good).value()), good);
  // note_test.go TestNewVerifier: a key of the wrong length, an unknown algorithm.
  EXPECT_FALSE(
      ParseVerifierKey("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
          .ok());
  EXPECT_FALSE(
      ParseVerifierKey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok());
  // Every proper prefix and suffix, and every character changed by one.
  for (size_t i = 0; i < good.size(); ++i) {
    EXPECT_FALSE(ParseVerifierKey(good.substr(0, i)).ok()) << i;
    EXPECT_FALSE(ParseVerifierKey(good.substr(i + 1)).ok()) << i;
    std::string changed = good;
    ++changed[i];
    EXPECT_FALSE(ParseVerifierKey(changed).ok()) << changed;
  }
  EXPECT_FALSE(IsValidKeyName(""));
  EXPECT_FALSE(IsValidKeyName("a+b"));
  EXPECT_FALSE(IsValidKeyName("a b"));
  EXPECT_FALSE(
      IsValidKeyName("a\xc2\xa0"
                     "b"));  // U+00A0
  EXPECT_FALSE(
      IsValidKeyName("a\xe3\x80\x80"
                     "b"));  // U+3000
  EXPECT_TRUE(IsValidKeyName("example.com/log42"));
}

// A real checkpoint of Go's checksum database (transparency-dev/formats log/note_test.go), whose
// key's base64 holds a '+'.
TEST(CheckpointTest, ARealSumDbCheckpointOpensAndParses) {
  auto key =
      ParseVerifierKey("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8");
  ASSERT_TRUE(key.ok()) << key.status().message();
  const std::string note =
      "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n"
      "\xe2\x80\x94 sum.golang.org "
      "Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw="
      "\n";
  const VerifierKey known[] = {*key};
  auto opened = OpenNote(note, known);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  auto c = ParseCheckpoint(opened->text);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->origin, "go.sum database tree");
  EXPECT_EQ(c->size, 6476701u);
  EXPECT_EQ(ToBase64(c->root), "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=");
  EXPECT_EQ(FormatCheckpoint(*c), opened->text);
  std::string tampered = note;
  tampered[25] = '8';  // 6476801 entries
  EXPECT_EQ(OpenNote(tampered, known).status().code(), ErrorCode::kBadSignature);
}

TEST(CheckpointTest, OnlyTheCanonicalFormParses) {
  const std::string root = "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=";
  auto ok = ParseCheckpoint("example.com/log\n1\n" + root + "\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->root, H(kRoots[1]));
  auto ext = ParseCheckpoint("Moon Log\n4027504\n" + root + "\n6086d1a9\nWaxing gibbous\n");
  ASSERT_TRUE(ext.ok());
  EXPECT_EQ(ext->extensions, (std::vector<std::string>{"6086d1a9", "Waxing gibbous"}));
  for (const std::string& bad :
       {std::string("Head\n9944\n"), "\n9944\n" + root + "\n", "Log\n123\n" + root,
        "Log\nbananas\n" + root + "\n", "Log\n-34\n" + root + "\n",
        "Log\n3438945738945739845734895735\n" + root + "\n", "Log\n0123\n" + root + "\n",
        "Log\n+1\n" + root + "\n", std::string("Log\n1\nThisIsn'tBase64\n"),
        std::string("Log\n1\nYmFuYW5hcw==\n"), "Log\n1\n" + root + "\n\nx\n"}) {
    EXPECT_EQ(ParseCheckpoint(bad).status().code(), ErrorCode::kMalformed) << bad;
  }
  EXPECT_TRUE(ParseCheckpoint("Log\n18446744073709551615\n" + root + "\n").ok());
  EXPECT_FALSE(ParseCheckpoint("Log\n18446744073709551616\n" + root + "\n").ok());
}

// ---- cosignatures (c2sp.org/tlog-cosignature v1) ----

// A real witness cosignature from FiloSottile/sunlight (cmd/skylight/testdata/witness): the
// log's own line is of a type Gavah does not know (0x05) and is ignored.
TEST(CosignatureTest, ARealWitnessCosignatureVerifies) {
  auto witness =
      ParseVerifierKey("witness.example.org+b8a2cf20+BFLN3yikSfFkVAJtrnh/CiY3Zozkoy7clp+P7XB28qUN");
  ASSERT_TRUE(witness.ok()) << witness.status().message();
  EXPECT_EQ(witness->type, kCosignatureType);
  const std::string text =
      "rome2026h1.example.org\n300\nlCkHUpkmVBEms2r2T1K6Og69+wUuuN3MIEW1/ezu2v0=\n";
  const std::string note = text +
                           "\n\xe2\x80\x94 rome2026h1.example.org "
                           "kVB1JgAAAZtxtEwABAMARzBFAiEAi+mTa2xjL1IdWpH82OeciGsGvwRAP+"
                           "f1WkfKaSZCfFECIHoNPZ/Q3y6UNzvKOO9cuLr6V16vPNfhwhle9f6r5H/Z\n"
                           "\xe2\x80\x94 witness.example.org "
                           "uKLPIAAAAABpVGeAhm2bOvKc3LaB9PFN1ruG19Y5yqslmcAAbhftnn1Zznmo0LXFZq4LGvq"
                           "KqLX8jWlwLKasxEGTLIqAVusneCBmBw==\n";
  const VerifierKey known[] = {*witness};
  auto opened = OpenNote(note, known);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(opened->text, text);
  EXPECT_EQ(Signers(*opened), std::vector<std::string>{"witness.example.org@1767139200"});
  // The same key taken as a plain note key (type 0x01) has another id: the line is not its.
  VerifierKey plain = *witness;
  plain.type = kEd25519Type;
  plain.id = KeyId(plain.name, kEd25519Type, plain.public_key);
  const VerifierKey as_plain[] = {plain};
  EXPECT_EQ(OpenNote(note, as_plain).status().code(), ErrorCode::kUntrustedSigner);
  // Another tree size under the same cosignature.
  std::string moved = note;
  moved.replace(moved.find("\n300\n"), 5, "\n301\n");
  EXPECT_EQ(OpenNote(moved, known).status().code(), ErrorCode::kBadSignature);
}

TEST(CosignatureTest, SignsTheSpecsMessageAndRoundTrips) {
  // tlog-cosignature.md's example message.
  EXPECT_EQ(CosignatureMessage(1679315147,
                               "example.com/behind-the-sofa\n20852163\n"
                               "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
            "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
  NoteSigner log =
      SignerFromGoKey("PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ");
  NoteSigner w =
      SignerFromGoKey("PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci");
  w.name = "witness.example/w1";
  const std::string text = FormatCheckpoint({"Log", 8, H(kRoots[8]), {}});
  const NoteSigner* signers[] = {&log};
  std::string note = SignNote(text, signers).value();
  auto line = CosignatureLine(w, 1700000000, text);
  ASSERT_TRUE(line.ok());
  auto decoded =
      FromBase64(line->substr(line->rfind(' ') + 1, line->size() - line->rfind(' ') - 2));
  ASSERT_TRUE(decoded && decoded->size() == 76);
  note += *line;
  const VerifierKey known[] = {log.verifier(), w.verifier(kCosignatureType)};
  auto opened = OpenNote(note, known);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(Signers(*opened), (std::vector<std::string>{"Log", "witness.example/w1@1700000000"}));
  EXPECT_FALSE(CosignatureLine(w, uint64_t{1} << 63, text).ok());
  EXPECT_FALSE(CosignatureLine(w, 1, "not a checkpoint\n").ok());
}

TEST(CosignatureTest, WitnessKeysParseAsTransparencyDevFormatsSays) {
  auto remora =
      ParseVerifierKey("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2");
  ASSERT_TRUE(remora.ok());
  EXPECT_EQ(remora->type, kCosignatureType);
  EXPECT_EQ(FormatVerifierKey(*remora),
            "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2");
  for (const char* bad :
       {"bananas.sigstore.dev+12344556", "rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!",
        "rekor.sigstore.dev+12345678+AwEB",
        "remora.n621.de+NOT_A_NUMBER+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
        "remora.n621.de+00000000+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"}) {
    EXPECT_FALSE(ParseVerifierKey(bad).ok()) << bad;
  }
}

// ---- witnessing ----

struct WitnessFixture {
  NoteSigner log =
      SignerFromGoKey("PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ");
  NoteSigner other =
      SignerFromGoKey("PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU");
  NoteSigner witness =
      SignerFromGoKey("PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci");
  std::vector<WitnessedLog> logs;
  std::vector<Digest32> leaves = TestLeaves();
  WitnessFixture() {
    witness.name = "witness.example/w1";
    logs.push_back({"Log", {log.verifier()}});
  }
  std::string Note(uint64_t size, const Digest32& root, const NoteSigner& by) {
    const NoteSigner* s[] = {&by};
    return SignNote(FormatCheckpoint({"Log", size, root, {}}), s).value();
  }
  AddCheckpoint Request(uint64_t old, uint64_t size) {
    AddCheckpoint r;
    r.old_size = old;
    if (old > 0 && old < size) r.proof = ConsistencyProof(Prefix(leaves, size), old).value();
    r.note = Note(size, RootAt(size), log);
    return r;
  }
};

TEST(WitnessTest, RequestsRoundTripAndBadOnesAreRefused) {
  WitnessFixture f;
  const AddCheckpoint r = f.Request(3, 8);
  const std::string body = FormatAddCheckpoint(r);
  EXPECT_EQ(body.substr(0, 6), "old 3\n");
  auto parsed = ParseAddCheckpoint(body);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->old_size, 3u);
  EXPECT_EQ(parsed->proof, r.proof);
  EXPECT_EQ(parsed->note, r.note);
  std::string many = "old 1\n";
  for (int i = 0; i < 64; ++i) many += ToBase64(RootAt(1)) + "\n";
  for (const std::string& bad : {std::string("old 3\n"), std::string("new 3\n\n") + r.note,
                                 "old 03\n\n" + r.note, "old 3\nnot base64\n\n" + r.note,
                                 "old 3\nYmFuYW5hcw==\n\n" + r.note, many + "\n" + r.note}) {
    EXPECT_EQ(ParseAddCheckpoint(bad).status().code(), ErrorCode::kMalformed) << bad;
  }
}

// A witness cosigns only consistent extensions of what it cosigned, with the spec's answers.
TEST(WitnessTest, CosignsOnlyConsistentExtensions) {
  WitnessFixture f;
  const VerifierKey w = f.witness.verifier(kCosignatureType);
  // First contact: old 0 with no proof.
  auto first = DecideAddCheckpoint(f.Request(0, 3), f.logs, std::nullopt, f.witness, 1000);
  ASSERT_EQ(first.http_status, 200) << first.body;
  ASSERT_TRUE(first.cosigned);
  EXPECT_EQ(first.cosigned->size, 3u);
  const VerifierKey both[] = {f.log.verifier(), w};
  auto cosigned = OpenNote(f.Request(0, 3).note + first.body, both);
  ASSERT_TRUE(cosigned.ok()) << cosigned.status().message();
  EXPECT_EQ(Signers(*cosigned), (std::vector<std::string>{"Log", "witness.example/w1@1000"}));
  EXPECT_EQ(first.cosigned->note, f.Request(0, 3).note + first.body);

  const auto last = first.cosigned;
  auto grown = DecideAddCheckpoint(f.Request(3, 8), f.logs, last, f.witness, 1001);
  EXPECT_EQ(grown.http_status, 200) << grown.body;
  // The same tree again is consistent.
  EXPECT_EQ(DecideAddCheckpoint(f.Request(3, 3), f.logs, last, f.witness, 1002).http_status, 200);

  // A log the witness does not know; a checkpoint not signed by the log's key; a bad signature.
  AddCheckpoint unknown = f.Request(3, 8);
  unknown.note = f.Note(8, RootAt(8), f.other);
  unknown.note.replace(0, 3, "Lag");
  EXPECT_EQ(DecideAddCheckpoint(unknown, f.logs, last, f.witness, 1).http_status, 404);
  AddCheckpoint unsigned_ = f.Request(3, 8);
  unsigned_.note = f.Note(8, RootAt(8), f.other);
  EXPECT_EQ(DecideAddCheckpoint(unsigned_, f.logs, last, f.witness, 1).http_status, 403);
  AddCheckpoint forged = f.Request(3, 8);
  forged.note[forged.note.size() - 10] ^= 1;
  EXPECT_EQ(DecideAddCheckpoint(forged, f.logs, last, f.witness, 1).http_status, 403);

  // Sizes: an old size above the new; an old size that is not what the witness holds.
  EXPECT_EQ(DecideAddCheckpoint(f.Request(8, 5), f.logs, last, f.witness, 1).http_status, 400);
  auto conflict = DecideAddCheckpoint(f.Request(2, 8), f.logs, last, f.witness, 1);
  EXPECT_EQ(conflict.http_status, 409);
  EXPECT_EQ(conflict.body, "3\n");
  EXPECT_FALSE(conflict.cosigned);

  // A split view: the log's own key signs a tree of 8 in which entry 1 was rewritten.
  auto changed = f.leaves;
  changed[1] = LeafHash(Bytes("rewritten"));
  AddCheckpoint split;
  split.old_size = 3;
  split.proof = ConsistencyProof(Prefix(changed, 8), 3).value();
  split.note = f.Note(8, RootOf(Prefix(changed, 8)), f.log);
  auto refused = DecideAddCheckpoint(split, f.logs, last, f.witness, 1);
  EXPECT_EQ(refused.http_status, 422) << refused.body;
  EXPECT_FALSE(refused.cosigned);
  // The same size with another root; old 0 with a proof; an empty tree that is not empty.
  AddCheckpoint same = f.Request(3, 3);
  same.note = f.Note(3, RootOf(Prefix(changed, 3)), f.log);
  EXPECT_EQ(DecideAddCheckpoint(same, f.logs, last, f.witness, 1).http_status, 422);
  AddCheckpoint zero_proof = f.Request(0, 3);
  zero_proof.proof.push_back(RootAt(1));
  EXPECT_EQ(DecideAddCheckpoint(zero_proof, f.logs, std::nullopt, f.witness, 1).http_status, 422);
  AddCheckpoint empty;
  empty.note = f.Note(0, RootAt(1), f.log);
  EXPECT_EQ(DecideAddCheckpoint(empty, f.logs, std::nullopt, f.witness, 1).http_status, 422);
  empty.note = f.Note(0, RootAt(0), f.log);
  EXPECT_EQ(DecideAddCheckpoint(empty, f.logs, std::nullopt, f.witness, 1).http_status, 200);
}

// A witness key put among a log's keys by mistake: a checkpoint that carries only that key's
// cosignature, and no signature by the log, is still not the log's.
TEST(WitnessTest, ACosignatureNeverStandsInForTheLogsSignature) {
  WitnessFixture f;
  NoteSigner rogue =
      SignerFromGoKey("PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU");
  rogue.name = "Log";
  f.logs[0].keys.push_back(rogue.verifier(kCosignatureType));
  const std::string text = FormatCheckpoint({"Log", 3, RootAt(3), {}});
  AddCheckpoint r;
  r.note = text + "\n" + CosignatureLine(rogue, 7, text).value();
  auto answer = DecideAddCheckpoint(r, f.logs, std::nullopt, f.witness, 1);
  EXPECT_EQ(answer.http_status, 403) << answer.body;
  EXPECT_FALSE(answer.cosigned);
}

// A hostile note: a known key's first line forged and a good one after it. The first line a
// known key signs is the one that counts, so the note is refused rather than accepted on the
// second.
TEST(SignedNoteTest, AForgedFirstLineIsNotRescuedByAGoodSecond) {
  std::string bad_sig = kPeterSig;
  bad_sig.insert(60, "ABCD");
  const VerifierKey peter[] = {Peter()};
  EXPECT_EQ(OpenNote(kPeterText + "\n" + bad_sig + kPeterSig, peter).status().code(),
            ErrorCode::kBadSignature);
}

// Builds a cosignature line by hand, for texts and times CosignatureLine refuses to sign.
std::string HandMadeCosignature(const NoteSigner& w, uint64_t timestamp, const std::string& text) {
  const VerifierKey v = w.verifier(kCosignatureType);
  const std::string message = CosignatureMessage(timestamp, text);
  std::vector<uint8_t> sig(76);
  for (int i = 0; i < 4; ++i) sig[i] = static_cast<uint8_t>(v.id >> (24 - 8 * i));
  for (int i = 0; i < 8; ++i) sig[4 + i] = static_cast<uint8_t>(timestamp >> (56 - 8 * i));
  crypto_sign_detached(sig.data() + 12, nullptr, reinterpret_cast<const uint8_t*>(message.data()),
                       message.size(), w.secret_key.data());
  return "\xe2\x80\x94 " + w.name + " " + ToBase64(sig) + "\n";
}

// A witness's key signing what the spec does not let it: a time past 2^63 - 1, or a text that
// is not a checkpoint. Both are validly signed, and both are refused.
TEST(CosignatureTest, ValidlySignedButOutOfSpecCosignaturesAreRefused) {
  NoteSigner w =
      SignerFromGoKey("PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci");
  const VerifierKey known[] = {w.verifier(kCosignatureType)};
  const std::string text = FormatCheckpoint({"Log", 8, H(kRoots[8]), {}});
  ASSERT_TRUE(OpenNote(text + "\n" + HandMadeCosignature(w, 5, text), known).ok());
  EXPECT_EQ(OpenNote(text + "\n" + HandMadeCosignature(w, uint64_t{1} << 63, text), known)
                .status()
                .code(),
            ErrorCode::kBadSignature);
  const std::string prose = "pay the bearer\n";
  EXPECT_EQ(OpenNote(prose + "\n" + HandMadeCosignature(w, 5, prose), known).status().code(),
            ErrorCode::kBadSignature);
}

// ---- tiles ----

TEST(TileTest, PathsAsTheSpecAndTesseraWriteThem) {
  EXPECT_EQ(TilePath(0, 1234067), "tile/0/x001/x234/067");  // tlog-tiles.md
  EXPECT_EQ(TilePath(0, 0), "tile/0/000");
  EXPECT_EQ(TilePath(0, 0, 255), "tile/0/000.p/255");
  EXPECT_EQ(TilePath(1, 0, 1), "tile/1/000.p/1");
  EXPECT_EQ(TilePath(1, 0, 4), "tile/1/000.p/4");
  EXPECT_EQ(TilePath(15, 455667), "tile/15/x455/667");
  EXPECT_EQ(TilePath(3, 1234567), "tile/3/x001/x234/567");
  EXPECT_EQ(TilePath(15, 123456789), "tile/15/x123/x456/789");
  EXPECT_EQ(EntriesPath(0), "tile/entries/000");
  EXPECT_EQ(EntriesPath(0, 8), "tile/entries/000.p/8");
  EXPECT_EQ(EntriesPath(1, 1), "tile/entries/001.p/1");
  EXPECT_EQ(EntriesPath(255, 253), "tile/entries/255.p/253");
  EXPECT_EQ(EntriesPath(256), "tile/entries/256");
  EXPECT_EQ(EntriesPath(1000), "tile/entries/x001/000");
  EXPECT_EQ(EntriesPath(123456789), "tile/entries/x123/x456/789");
  EXPECT_EQ(EntriesPath(123456789000), "tile/entries/x123/x456/x789/000");
}

TEST(TileTest, OnlyCanonicalPathsParse) {
  auto a = ParseTilePath("tile/0/x001/x234/067");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->index, 1234067u);
  EXPECT_EQ(a->width, 256u);
  auto b = ParseTilePath("tile/0/x001/x234/067.p/89");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->width, 89u);
  auto c = ParseTilePath("tile/63/x999/x999/x999/x999/x999/999.p/255");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->level, 63u);
  EXPECT_EQ(c->index, 999999999999999999u);
  auto d = ParseTilePath("tile/entries/x123/x456/x789/000");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->entries);
  EXPECT_EQ(d->index, 123456789000u);
  for (const char* bad : {"tile/0/x001/x234/067.p/",
                          "tile/0/x001/x234/067.p",
                          "tile/0/x001/x234/",
                          "tile/0/x001/x234",
                          "tile/0/x001/",
                          "tile/0/x001",
                          "tile/0/x001/.p/abc",
                          "tile/64/000",
                          "tile/-1/000",
                          "tile/abc/000",
                          "tile/0/001/002",
                          "tile/0/x001/0002",
                          "tile/0/x001/-002",
                          "tile/0/x001/002.p/256",
                          "tile/0/000.p/0",
                          "tile/0/000.p/01",
                          "tile/00/000",
                          "tile/0/x000/001",
                          "tile/entries/000.p/256",
                          "tile/0/1",
                          "tiles/0/000",
                          "tile/0/000/"}) {
    EXPECT_FALSE(ParseTilePath(bad).ok()) << bad;
  }
}

// tlog-tiles.md's two examples of which tiles a tree has.
TEST(TileTest, TheTilesOfATreeAreTheSpecs) {
  auto listed = TilesOfTree(70000);
  ASSERT_TRUE(listed.ok());
  const std::vector<TileRef>& tiles = listed.value();
  size_t full0 = 0;
  std::vector<std::string> rest;
  for (const auto& t : tiles) {
    if (t.level == 0 && t.width == kTileWidth) {
      ++full0;
    } else {
      rest.push_back(TilePath(t.level, t.index, t.width));
    }
  }
  EXPECT_EQ(full0, 273u);
  EXPECT_EQ(rest, (std::vector<std::string>{"tile/0/273.p/112", "tile/1/000", "tile/1/001.p/17",
                                            "tile/2/000.p/1"}));
  std::vector<std::string> small;
  auto listed256 = TilesOfTree(256);
  ASSERT_TRUE(listed256.ok());
  for (const auto& t : listed256.value()) small.push_back(TilePath(t.level, t.index, t.width));
  EXPECT_EQ(small, (std::vector<std::string>{"tile/0/000", "tile/1/000.p/1"}));
  auto none = TilesOfTree(0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none.value().empty());
  EXPECT_FALSE(TilesOfTree(uint64_t{1} << 63).ok());  // a hostile size lists nothing
}

// A tile's hashes: level 0 the leaf hashes, level 1 the roots of whole level-0 tiles; the tree's
// root follows from them, as a client computes it from tiles alone.
TEST(TileTest, TileContentsAreTheSubtreesRoots) {
  std::vector<Digest32> leaves;
  for (uint32_t i = 0; i < 600; ++i) {
    const uint8_t e[4] = {static_cast<uint8_t>(i >> 24), static_cast<uint8_t>(i >> 16),
                          static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    leaves.push_back(LeafHash(e));
  }
  auto t0 = TileContents(leaves, 0, 1, 256).value();
  ASSERT_EQ(t0.size(), 8192u);
  EXPECT_TRUE(std::equal(t0.begin(), t0.begin() + 32, leaves[256].begin()));
  auto partial = TileContents(leaves, 0, 2, 88).value();
  EXPECT_EQ(partial.size(), 88u * 32);
  auto t1 = TileContents(leaves, 1, 0, 2).value();
  ASSERT_EQ(t1.size(), 64u);
  Digest32 a{}, b{};
  std::copy(t1.begin(), t1.begin() + 32, a.begin());
  std::copy(t1.begin() + 32, t1.end(), b.begin());
  EXPECT_EQ(a, RootOf(std::span(leaves).first(256)));
  // The root of the first 512 entries from the level-1 tile alone.
  EXPECT_EQ(NodeHash(a, b), RootOf(std::span(leaves).first(512)));
  EXPECT_FALSE(TileContents(leaves, 1, 0, 3).ok());  // 768 entries: more than the tree has
  EXPECT_FALSE(TileContents(leaves, 0, 0, 0).ok());
}

TEST(TileTest, EntryBundlesRoundTripAndRefuseTruncation) {
  const std::vector<std::vector<uint8_t>> entries = {{}, {1, 2, 3}, std::vector<uint8_t>(300, 9)};
  auto bundle = EncodeEntryBundle(entries);
  ASSERT_TRUE(bundle.ok());
  EXPECT_EQ(bundle->size(), 2 + 5 + 302u);
  EXPECT_EQ((*bundle)[2], 0);
  EXPECT_EQ((*bundle)[3], 3);
  EXPECT_EQ(ParseEntryBundle(*bundle).value(), entries);
  for (size_t cut = 1; cut < bundle->size(); ++cut) {
    auto parsed = ParseEntryBundle(std::span(*bundle).first(cut));
    // A cut at an entry's end is a shorter bundle; anywhere else it is malformed.
    if (cut == 2 || cut == 7) {
      EXPECT_TRUE(parsed.ok()) << cut;
    } else {
      EXPECT_EQ(parsed.status().code(), ErrorCode::kMalformed) << cut;
    }
  }
  const std::vector<std::vector<uint8_t>> too_big = {std::vector<uint8_t>(65536)};
  EXPECT_FALSE(EncodeEntryBundle(too_big).ok());
}

// The growing tree against the reference (the RFC's recursion over every leaf), at sizes
// around the tile boundaries where its shortcuts start.
TEST(MerkleTreeTest, RootsProofsAndTilesMatchTheReferenceAtEverySize) {
  std::vector<Digest32> leaves;
  MerkleTree tree;
  EXPECT_EQ(tree.Root(0).value(), Sha256Of({}));
  const uint64_t n = 70000;
  for (uint64_t i = 0; i < n; ++i) {
    uint8_t b[8];
    for (int k = 0; k < 8; ++k) b[k] = static_cast<uint8_t>(i >> (8 * k));
    leaves.push_back(LeafHash(b));
    tree.Append(leaves.back());
  }
  ASSERT_EQ(tree.size(), n);
  for (uint64_t size : {1ull, 2ull, 3ull, 255ull, 256ull, 257ull, 511ull, 512ull, 1000ull, 65535ull,
                        65536ull, 65537ull, 70000ull}) {
    const auto prefix = std::span(leaves).first(size);
    EXPECT_EQ(tree.Root(size).value(), RootOf(prefix)) << size;
    for (uint64_t index : {uint64_t{0}, size / 2, size - 1}) {
      EXPECT_EQ(tree.InclusionProof(index, size).value(), InclusionProof(prefix, index).value())
          << index << " of " << size;
    }
    for (uint64_t m : {uint64_t{1}, size / 3 + 1, size}) {
      if (m > size) continue;
      EXPECT_EQ(tree.ConsistencyProof(m, size).value(), ConsistencyProof(prefix, m).value())
          << m << " to " << size;
    }
  }
  // Tiles as tlog-tiles defines them, the level-1 tile of 70,000 entries included.
  EXPECT_EQ(tree.Tile(0, 3, 256).value(), TileContents(leaves, 0, 3, 256).value());
  EXPECT_EQ(tree.Tile(0, 273, 112).value(), TileContents(leaves, 0, 273, 112).value());
  EXPECT_EQ(tree.Tile(1, 0, 256).value(), TileContents(leaves, 1, 0, 256).value());
  EXPECT_EQ(tree.Tile(1, 1, 17).value(), TileContents(leaves, 1, 1, 17).value());
  EXPECT_EQ(tree.Tile(2, 0, 1).value(), TileContents(leaves, 2, 0, 1).value());
  // What the tree does not hold yet is refused, not guessed.
  EXPECT_FALSE(tree.Tile(0, 273, 113).ok());
  EXPECT_FALSE(tree.Tile(1, 1, 18).ok());
  EXPECT_FALSE(tree.Tile(3, 0, 1).ok());
  EXPECT_FALSE(tree.Tile(0, 0, 0).ok());
  EXPECT_FALSE(tree.Tile(0, uint64_t{1} << 60, 1).ok());
  EXPECT_FALSE(tree.Root(n + 1).ok());
  EXPECT_FALSE(tree.InclusionProof(n, n).ok());
  EXPECT_FALSE(tree.ConsistencyProof(0, n).ok());
  EXPECT_FALSE(tree.ConsistencyProof(2, n + 1).ok());
}

TEST(TlogProofTest, TheSpecsExampleParsesAndRoundTrips) {
  // c2sp.org/tlog-proof's example (signatures shortened there; the format does not look inside).
  const std::string text =
      "c2sp.org/tlog-proof@v1\n"
      "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6\n"
      "index 73894\n"
      "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
      "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
      "\n"
      "example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\n"
      "\xe2\x80\x94 example.com/fancylog hI2DJw==\n";
  auto p = ParseTlogProof(text);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->index, 73894u);
  EXPECT_EQ(p->path.size(), 2u);
  ASSERT_TRUE(p->extra.has_value());
  EXPECT_EQ(std::string(p->extra->begin(), p->extra->end()), "age-v1.2.1-darwin-arm64.tar.gz");
  EXPECT_EQ(FormatTlogProof(*p), text);
  // Every departure from the one form is refused.
  for (const std::string& bad : {std::string("c2sp.org/tlog-proof@v2\nindex 1\n\nx\n"),
                                 std::string("c2sp.org/tlog-proof@v1\nindex 01\n\nx\n"),
                                 std::string("c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\nx\n"),
                                 std::string("c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\nx\n"),
                                 std::string("c2sp.org/tlog-proof@v1\nindex 1\n\nno newline"),
                                 std::string("c2sp.org/tlog-proof@v1\nindex 1\n")}) {
    EXPECT_FALSE(ParseTlogProof(bad).ok()) << bad;
  }
  std::string long_path = "c2sp.org/tlog-proof@v1\nindex 1\n";
  for (int i = 0; i < 64; ++i) long_path += ToBase64(Digest32{}) + "\n";
  EXPECT_FALSE(ParseTlogProof(long_path + "\nx\n").ok()) << "64 hashes";
}

}  // namespace
}  // namespace gavah::tlog
