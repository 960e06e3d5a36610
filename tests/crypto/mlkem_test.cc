// ML-KEM-768 and X-Wing against NIST's ACVP vectors and the X-Wing draft's, plus the inputs the
// standard says to refuse.
#include "gavah/crypto/mlkem.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gavah/crypto/hex.h"
#include "gavah/crypto/xwing.h"

namespace gavah {
namespace {

using Record = std::map<std::string, std::vector<uint8_t>>;

// "name = hex" lines, records separated by blank lines, "#" lines ignored.
std::vector<Record> ReadVectors(const std::string& name) {
  std::ifstream in(std::string(GAVAH_VECTORS_DIR) + "/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::vector<Record> out;
  Record cur;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') continue;
    if (line.empty()) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    const auto eq = line.find(" = ");
    EXPECT_NE(eq, std::string::npos) << line;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 3);
    if (key == "tcId" || key == "kind" || key == "valid") {
      cur[key] = std::vector<uint8_t>(value.begin(), value.end());
    } else {
      auto bytes = FromHex(value);
      EXPECT_TRUE(bytes.has_value()) << key;
      cur[key] = bytes.value_or(std::vector<uint8_t>{});
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string Id(const Record& r) {
  auto it = r.find("tcId");
  return it == r.end() ? "" : std::string(it->second.begin(), it->second.end());
}

template <size_t N>
std::span<const uint8_t, N> Fixed(const std::vector<uint8_t>& v) {
  EXPECT_EQ(v.size(), N);
  return std::span<const uint8_t, N>(v.data(), N);
}

TEST(MlKem768, CompressEqualsTheRoundedDivisionForEveryCoefficient) {
  // Compress is written without a division (KyberSlash); check it against the exact formula,
  // round(2^d x / q) mod 2^d with halves rounded up, for every x < q and every d ML-KEM-768 uses.
  constexpr uint32_t q = 3329;
  for (int d : {1, 4, 10}) {
    for (uint32_t x = 0; x < q; ++x) {
      const uint32_t exact = ((x << (d + 1)) + q) / (2 * q) % (1u << d);
      ASSERT_EQ(mlkem768::detail::Compress(static_cast<uint16_t>(x), d), exact)
          << "x=" << x << " d=" << d;
    }
  }
}

TEST(MlKem768, KeyGenMatchesNistAcvp) {
  const auto vectors = ReadVectors("mlkem768-keygen.txt");
  ASSERT_EQ(vectors.size(), 25u);
  for (const auto& v : vectors) {
    std::vector<uint8_t> ek(mlkem768::kEncapsulationKeySize), dk(mlkem768::kDecapsulationKeySize);
    mlkem768::KeyGenInternal(Fixed<32>(v.at("d")), Fixed<32>(v.at("z")),
                             std::span<uint8_t, mlkem768::kEncapsulationKeySize>(ek),
                             std::span<uint8_t, mlkem768::kDecapsulationKeySize>(dk));
    EXPECT_EQ(ToHex(ek), ToHex(v.at("ek"))) << "tcId " << Id(v);
    EXPECT_EQ(ToHex(dk), ToHex(v.at("dk"))) << "tcId " << Id(v);
    EXPECT_TRUE(mlkem768::CheckEncapsulationKey(ek));
    EXPECT_TRUE(mlkem768::CheckDecapsulationKey(dk));
  }
}

TEST(MlKem768, EncapsulationMatchesNistAcvp) {
  const auto vectors = ReadVectors("mlkem768-encap.txt");
  ASSERT_EQ(vectors.size(), 25u);
  for (const auto& v : vectors) {
    std::array<uint8_t, 32> k{};
    std::array<uint8_t, mlkem768::kCiphertextSize> c{};
    ASSERT_TRUE(mlkem768::EncapsInternal(v.at("ek"), Fixed<32>(v.at("m")), k, c).ok());
    EXPECT_EQ(ToHex(c), ToHex(v.at("c"))) << "tcId " << Id(v);
    EXPECT_EQ(ToHex(k), ToHex(v.at("k"))) << "tcId " << Id(v);
  }
}

TEST(MlKem768, DecapsulationMatchesNistAcvpIncludingImplicitRejection) {
  const auto vectors = ReadVectors("mlkem768-decap.txt");
  ASSERT_EQ(vectors.size(), 20u);
  // The ACVP cases whose ciphertext was modified: their key is the implicit-rejection J(z || c).
  const std::set<std::string> modified = {"97",  "100", "101", "103", "105",
                                          "107", "108", "110", "111", "114"};
  int rejections = 0;
  for (const auto& v : vectors) {
    std::array<uint8_t, 32> k{};
    ASSERT_TRUE(mlkem768::Decaps(v.at("dk"), v.at("c"), k).ok()) << "tcId " << Id(v);
    EXPECT_EQ(ToHex(k), ToHex(v.at("k"))) << "tcId " << Id(v);
    if (modified.count(Id(v)) && ToHex(k) == ToHex(v.at("k"))) ++rejections;
  }
  EXPECT_EQ(rejections, 10);
}

TEST(MlKem768, AChangedCiphertextGivesAnotherKeyNotAnError) {
  std::array<uint8_t, 32> d{}, z{}, m{};
  d.fill(1);
  z.fill(2);
  m.fill(3);
  std::vector<uint8_t> ek(mlkem768::kEncapsulationKeySize), dk(mlkem768::kDecapsulationKeySize);
  mlkem768::KeyGenInternal(d, z, std::span<uint8_t, mlkem768::kEncapsulationKeySize>(ek),
                           std::span<uint8_t, mlkem768::kDecapsulationKeySize>(dk));
  std::array<uint8_t, 32> sent{}, got{};
  std::array<uint8_t, mlkem768::kCiphertextSize> c{};
  ASSERT_TRUE(mlkem768::EncapsInternal(ek, m, sent, c).ok());
  ASSERT_TRUE(mlkem768::Decaps(dk, c, got).ok());
  EXPECT_EQ(ToHex(got), ToHex(sent));
  for (size_t at : {size_t{0}, size_t{959}, size_t{960}, mlkem768::kCiphertextSize - 1}) {
    auto bad = c;
    bad[at] ^= 0x01;
    ASSERT_TRUE(mlkem768::Decaps(dk, bad, got).ok());
    EXPECT_NE(ToHex(got), ToHex(sent)) << "byte " << at;
  }
  EXPECT_EQ(mlkem768::Decaps(dk, std::span(c).first(1087), got).code(), ErrorCode::kMalformed);
  auto bad_dk = dk;
  bad_dk[1152 + 1184] ^= 1;  // the stored H(ek)
  EXPECT_EQ(mlkem768::Decaps(bad_dk, c, got).code(), ErrorCode::kMalformed);
}

TEST(MlKem768, AnEncapsulationKeyWithACoefficientOfQOrMoreIsRefused) {
  // The ACVP key-check vectors refuse keys by length only; this is the modulus check itself.
  std::array<uint8_t, 32> d{}, z{}, m{}, k{};
  std::vector<uint8_t> ek(mlkem768::kEncapsulationKeySize), dk(mlkem768::kDecapsulationKeySize);
  mlkem768::KeyGenInternal(d, z, std::span<uint8_t, mlkem768::kEncapsulationKeySize>(ek),
                           std::span<uint8_t, mlkem768::kDecapsulationKeySize>(dk));
  std::array<uint8_t, mlkem768::kCiphertextSize> c{};
  for (uint16_t value : {uint16_t{3329}, uint16_t{4095}}) {
    auto bad = ek;
    bad[600] = static_cast<uint8_t>(value);  // coefficient 400 of t-hat: bytes 600 and 601
    bad[601] = static_cast<uint8_t>((bad[601] & 0xf0) | (value >> 8));
    EXPECT_FALSE(mlkem768::CheckEncapsulationKey(bad)) << value;
    EXPECT_EQ(mlkem768::EncapsInternal(bad, m, k, c).code(), ErrorCode::kMalformed);
  }
  auto edge = ek;  // 3328 is the largest coefficient allowed
  edge[600] = 0x00;
  edge[601] = static_cast<uint8_t>((edge[601] & 0xf0) | 0x0d);
  EXPECT_TRUE(mlkem768::CheckEncapsulationKey(edge));
  EXPECT_FALSE(mlkem768::CheckEncapsulationKey(std::span(ek).first(1183)));
}

TEST(MlKem768, KeyChecksMatchNistAcvp) {
  const auto vectors = ReadVectors("mlkem768-keycheck.txt");
  ASSERT_EQ(vectors.size(), 20u);
  for (const auto& v : vectors) {
    const std::string kind(v.at("kind").begin(), v.at("kind").end());
    const bool valid = v.at("valid") == std::vector<uint8_t>{'1'};
    const bool got = kind == "ek" ? mlkem768::CheckEncapsulationKey(v.at("key"))
                                  : mlkem768::CheckDecapsulationKey(v.at("key"));
    EXPECT_EQ(got, valid) << "tcId " << Id(v) << " (" << kind << ")";
  }
}

TEST(XWing, MatchesTheDraftsVectors) {
  const auto vectors = ReadVectors("xwing.txt");
  ASSERT_EQ(vectors.size(), 3u);
  for (const auto& v : vectors) {
    const auto key = xwing::DecapsulationKey::FromSeed(v.at("seed"));
    EXPECT_EQ(ToHex(key.public_key()), ToHex(v.at("pk")));
    std::array<uint8_t, xwing::kCiphertextSize> ct{};
    std::array<uint8_t, 32> ss{};
    ASSERT_TRUE(xwing::EncapsulateDerand(v.at("pk"), Fixed<64>(v.at("eseed")), ct, ss).ok());
    EXPECT_EQ(ToHex(ct), ToHex(v.at("ct")));
    EXPECT_EQ(ToHex(ss), ToHex(v.at("ss")));
    std::array<uint8_t, 32> opened{};
    ASSERT_TRUE(key.Decapsulate(v.at("ct"), opened).ok());
    EXPECT_EQ(ToHex(opened), ToHex(v.at("ss")));
  }
}

TEST(XWing, RefusesKeysAndCiphertextsTheDraftRulesOut) {
  const auto v = ReadVectors("xwing.txt").at(0);
  auto pk = v.at("pk");
  EXPECT_TRUE(xwing::IsValidPublicKey(pk));
  EXPECT_FALSE(xwing::IsValidPublicKey(std::span(pk).first(1215)));
  std::array<uint8_t, xwing::kCiphertextSize> ct{};
  std::array<uint8_t, 32> ss{};
  auto bad = pk;
  bad[0] = 0xff;  // first coefficient 0x?ff with the next nibble: make it 4095
  bad[1] |= 0x0f;
  EXPECT_FALSE(xwing::IsValidPublicKey(bad));
  EXPECT_EQ(xwing::Encapsulate(bad, ct, ss).code(), ErrorCode::kMalformed);
  auto small_order = pk;  // X25519 part: the point of order 1 (all zero) is refused
  std::fill(small_order.begin() + 1184, small_order.end(), 0);
  EXPECT_FALSE(xwing::IsValidPublicKey(small_order));
  EXPECT_EQ(xwing::Encapsulate(small_order, ct, ss).code(), ErrorCode::kMalformed);

  const auto key = xwing::DecapsulationKey::FromSeed(v.at("seed"));
  ASSERT_TRUE(xwing::Encapsulate(pk, ct, ss).ok());
  std::array<uint8_t, 32> got{};
  ASSERT_TRUE(key.Decapsulate(ct, got).ok());
  EXPECT_EQ(ToHex(got), ToHex(ss));
  for (size_t at : {size_t{0}, size_t{1087}, size_t{1088}, size_t{1119}}) {
    auto changed = ct;
    changed[at] ^= 0x40;
    const Status st = key.Decapsulate(changed, got);
    // ML-KEM's part changed: implicit rejection, another secret; X25519's: another point.
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_NE(ToHex(got), ToHex(ss)) << "byte " << at;
  }
  EXPECT_EQ(key.Decapsulate(std::span(ct).first(1119), got).code(), ErrorCode::kMalformed);
  auto zero_x = ct;
  std::fill(zero_x.begin() + 1088, zero_x.end(), 0);
  EXPECT_EQ(key.Decapsulate(zero_x, got).code(), ErrorCode::kMalformed);
}

}  // namespace
}  // namespace gavah
