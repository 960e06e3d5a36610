// Known-answer vectors for the bundle and envelope formats (docs/PROTOCOL.md, "Test vectors").
//
// randombytes is replaced by a deterministic generator (randombytes_buf_deterministic keyed by a
// fixed seed and a call counter) so that sealing is reproducible; this binary therefore runs
// apart from every other test. It checks that
//   1. sealing the fixed inputs reproduces tests/vectors/*.bin byte for byte,
//   2. the stored envelope opens with the stored keys to the stored plaintext, and
//   3. each stored bad envelope fails with the error the list names,
//   4. the key file, the codename derivation and the reply can be opened from what the spec
//      states (passphrase, codename), and
//   5. randombytes is drawn in exactly the order the spec lists, so another implementation can
//      regenerate every file byte for byte.
// `vectors_test --regenerate` rewrites the files (only when the format changes on purpose).
#include <sodium.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "gavah/crypto/codename.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/released_share.h"
#include "gavah/crypto/reply.h"
#include "gavah/crypto/review_auth.h"
#include "support/test_support.h"

namespace gavah {
namespace {

uint8_t g_seed[randombytes_SEEDBYTES];
uint64_t g_counter = 0;
std::vector<size_t> g_draws;  // the size of every call, in call order

void DeterministicBuf(void* buf, size_t size) {
  uint8_t seed[randombytes_SEEDBYTES];
  std::memcpy(seed, g_seed, sizeof seed);
  for (int i = 0; i < 8; ++i) seed[24 + i] ^= static_cast<uint8_t>(g_counter >> (8 * i));
  ++g_counter;
  g_draws.push_back(size);
  randombytes_buf_deterministic(buf, size, seed);
}

// The sizes of the calls made since `mark`, and moves `mark` to now.
std::vector<size_t> DrawsSince(size_t& mark) {
  std::vector<size_t> d(g_draws.begin() + static_cast<std::ptrdiff_t>(mark), g_draws.end());
  mark = g_draws.size();
  return d;
}
uint32_t DeterministicRandom() {
  uint32_t r;
  DeterministicBuf(&r, sizeof r);
  return r;
}
const char* DeterministicName() { return "gavah-vectors"; }

randombytes_implementation g_rng = {DeterministicName, DeterministicRandom, nullptr,
                                    nullptr,           DeterministicBuf,    nullptr};

std::vector<uint8_t> Fill(size_t n, uint8_t start) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(start + i);
  return v;
}

std::string Dir() { return GAVAH_VECTORS_DIR; }

// The key-file vector's passphrase and the codename vector's codename (a 7-word codename from
// client/codename_words.txt, already normalised).
constexpr std::string_view kKeyFilePassphrase = "Gavah test vector passphrase";
constexpr std::string_view kCodename = "copper meadow harbor falcon river willow candle";

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// The fixed inputs. Changing any of them changes every vector.
struct Inputs {
  OrganisationKey org = OrganisationKey::FromSeed(SecretBuffer::CopyOf(Fill(32, 0x10))).value();
  std::vector<InvestigatorSecretKey> investigators;
  std::vector<uint8_t> attachment = Fill(70000, 0x00);  // crosses a chunk boundary
  Inputs() {
    const char* names[] = {"Azadeh", "Bahram", "Chista"};
    for (int i = 0; i < 3; ++i) {
      investigators.push_back(
          InvestigatorSecretKey::FromSecret(
              names[i], SecretBuffer::CopyOf(Fill(64, static_cast<uint8_t>(0x40 * (i + 1)))))
              .value());
    }
  }
};

std::vector<uint8_t> MakeBundle(const Inputs& in) {
  BundleContents c;
  c.organisation_name = "Gavah test vectors";
  c.issued_at = 1'750'000'000;
  c.expires_at = 4'102'444'800;  // 2100-01-01
  c.threshold = 2;
  for (const auto& k : in.investigators) c.investigators.push_back(k.public_key());
  return RecipientBundle::Create(c, in.org).value();
}

std::vector<uint8_t> MakeEnvelope(const Inputs& in, const RecipientBundle& bundle, EnvelopeId* id) {
  TestimonyInput t;
  t.text = SecretBuffer::CopyOf(gavah::testing::Bytes("I saw the trucks at Khavaran at night.\n"));
  t.language = SecretBuffer::CopyOf(gavah::testing::Bytes("en"));
  t.event_time = SecretBuffer::CopyOf(gavah::testing::Bytes("August 1988"));
  t.event_place = SecretBuffer::CopyOf(gavah::testing::Bytes("Khavaran, Tehran"));
  t.reply_public_key = PublicKey32{};
  std::memcpy(t.reply_public_key->data(), Fill(32, 0x80).data(), 32);
  MemorySource src(in.attachment);
  AttachmentInput a;
  a.name = SecretBuffer::CopyOf(gavah::testing::Bytes("photo.jpg"));
  a.media_type = SecretBuffer::CopyOf(gavah::testing::Bytes("image/jpeg"));
  a.size = in.attachment.size();
  a.source = &src;
  t.attachments.push_back(std::move(a));
  MemorySink out;
  auto sealed = SealEnvelope(bundle, t, out);
  if (!sealed.ok()) {
    std::cerr << sealed.status().message() << "\n";
    std::abort();
  }
  *id = sealed->id;
  return out.data;
}

// Bad envelopes derived from the good one, with the error each must produce.
std::vector<std::pair<std::string, std::vector<uint8_t>>> MakeBadEnvelopes(
    const std::vector<uint8_t>& good) {
  const size_t header = kFixedHeaderSize + 3 * kStanzaSize + 32;
  std::vector<std::pair<std::string, std::vector<uint8_t>>> out;
  auto flip = [&](const std::string& name, size_t at) {
    auto b = good;
    b[at] ^= 0x01;
    out.emplace_back(name, b);
  };
  flip("tampered-org-id", 8);
  flip("tampered-threshold", 24);
  flip("tampered-payload-length", 33);
  flip("tampered-stream-header", 40);
  flip("tampered-stanza", 70);
  flip("tampered-mac", header - 1);
  flip("tampered-first-chunk", header + 5);
  flip("tampered-last-chunk", good.size() - 1);
  out.emplace_back("truncated-header",
                   std::vector<uint8_t>(good.begin(), good.begin() + header - 1));
  out.emplace_back("truncated-at-chunk-boundary",
                   std::vector<uint8_t>(good.begin(), good.begin() + header + kChunkSize + 17));
  out.emplace_back("truncated-mid-chunk", std::vector<uint8_t>(good.begin(), good.end() - 100));
  auto extra = good;
  extra.push_back(0);
  out.emplace_back("trailing-byte", extra);
  auto version = good;
  version[7] = 2;
  out.emplace_back("unknown-version", version);
  return out;
}

const std::map<std::string, ErrorCode> kExpected = {
    {"tampered-org-id", ErrorCode::kTampered},
    {"tampered-threshold", ErrorCode::kTampered},
    {"tampered-stream-header", ErrorCode::kTampered},
    {"tampered-payload-length", ErrorCode::kMalformed},
    {"tampered-stanza", ErrorCode::kNotEnoughKeys},
    {"tampered-mac", ErrorCode::kTampered},
    {"tampered-first-chunk", ErrorCode::kTampered},
    {"tampered-last-chunk", ErrorCode::kTampered},
    {"truncated-header", ErrorCode::kTruncated},
    {"truncated-at-chunk-boundary", ErrorCode::kTruncated},
    {"truncated-mid-chunk", ErrorCode::kTruncated},
    {"trailing-byte", ErrorCode::kMalformed},
    {"unknown-version", ErrorCode::kUnsupported},
};

int failures = 0;
#define CHECK(cond, what)                             \
  do {                                                \
    if (!(cond)) {                                    \
      std::cout << "FAILED: " << (what) << std::endl; \
      ++failures;                                     \
    } else {                                          \
      std::cout << "ok: " << (what) << std::endl;     \
    }                                                 \
  } while (0)

}  // namespace
}  // namespace gavah

int main(int argc, char** argv) {
  using namespace gavah;
  std::memset(g_seed, 0x5a, sizeof g_seed);
  randombytes_set_implementation(&g_rng);
  if (!InitCrypto()) return 1;
  const bool regenerate = argc > 1 && std::strcmp(argv[1], "--regenerate") == 0;
  // Each vector's randombytes calls, in the order PROTOCOL.md section 11 lists them.
  size_t mark = 0;
  const auto init_draws = DrawsSince(mark);

  Inputs in;
  const auto bundle_bytes = MakeBundle(in);
  const auto bundle = RecipientBundle::Parse(bundle_bytes).value();
  const auto bundle_draws = DrawsSince(mark);
  EnvelopeId id{};
  const auto envelope = MakeEnvelope(in, bundle, &id);
  const auto envelope_draws = DrawsSince(mark);
  const auto bad = MakeBadEnvelopes(envelope);

  // Receipt: fixed seed, id, index and hour; Ed25519 is deterministic.
  const auto receipt_key = ReceiptKey::FromSeed(SecretBuffer::CopyOf(Fill(32, 0x20))).value();
  const Digest32 receipt_id = Sha256Of(gavah::testing::Bytes("gavah receipt vector"));
  const Receipt receipt = receipt_key.Sign(receipt_id, 7, 1'749'996'000);
  const std::string receipt_line = ToHex(receipt_key.public_key()) + " " + ToHex(receipt_id) +
                                   " 7 1749996000 " + ToHex(receipt.signature) + "\n";

  // Reply mailbox: the id a witness with this reply key fetches from.
  PublicKey32 reply_key{};
  std::memcpy(reply_key.data(), Fill(32, 0x80).data(), 32);
  const std::string mailbox_line = ToHex(reply_key) + " " + ToHex(MailboxId(reply_key)) + "\n";

  // Review authentication: Azadeh lists envelopes after index 7 (protobuf 08 07).
  std::array<uint8_t, 16> auth_nonce{};
  for (size_t i = 0; i < 16; ++i) auth_nonce[i] = static_cast<uint8_t>(i);
  Digest32 auth_server{};  // the SHA-256 of a server certificate: here bytes 0x60..0x7f
  std::memcpy(auth_server.data(), Fill(32, 0x60).data(), 32);
  const auto auth_token =
      SignReviewCall(in.investigators[0], auth_server, "/gavah.v1.Review/ListEnvelopes",
                     std::vector<uint8_t>{0x08, 0x07}, 1750000000, auth_nonce);
  const auto deterministic_draws = DrawsSince(mark);  // receipt, mailbox, review auth: none
  // Bahram releases his share of the vector envelope to Azadeh (the seal's ephemeral key comes
  // from the deterministic randombytes, so the file is reproducible).
  std::vector<uint8_t> released;
  {
    gavah::MemorySource src(envelope);
    const auto header = ReadEnvelopeHeader(src).value();
    const auto share = OpenShare(header, in.investigators[1]).value();
    released =
        ReleaseShare(id, share, in.investigators[1], in.investigators[0].public_key()).value();
  }
  const auto released_draws = DrawsSince(mark);

  // Codename (section 6) for the vector organisation. The steps are also computed one by one from
  // the spec's formulas, so that the file names the step another implementation gets wrong.
  const Fingerprint org_id = in.org.fingerprint();
  const auto codename_key = DeriveReplyKey(gavah::testing::Bytes(kCodename), org_id).value();
  uint8_t codename_salt[crypto_pwhash_SALTBYTES];
  {
    static constexpr char kDomain[] = "gavah-codename-v1";  // with its NUL
    std::vector<uint8_t> m(kDomain, kDomain + sizeof kDomain);
    m.insert(m.end(), org_id.begin(), org_id.end());
    crypto_generichash(codename_salt, sizeof codename_salt, m.data(), m.size(), nullptr, 0);
  }
  SecretBuffer codename_master(32), codename_secret(32);
  if (crypto_pwhash(codename_master.data(), 32, kCodename.data(), kCodename.size(), codename_salt,
                    3, 256 << 20, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return 1;
  }
  crypto_kdf_derive_from_key(codename_secret.data(), 32, 1, "GvhReply", codename_master.data());
  const std::string codename_lines =
      "codename " + std::string(kCodename) + "\norganisation_id " + ToHex(org_id) + "\nsalt " +
      ToHex(codename_salt) + "\nmaster " + ToHex(codename_master.span()) + "\nreply_secret_key " +
      ToHex(codename_secret.span()) + "\nreply_public_key " + ToHex(codename_key.public_key) +
      "\nmailbox_id " + ToHex(MailboxId(codename_key.public_key)) + "\n";
  const auto codename_draws = DrawsSince(mark);

  // A reply sealed to the codename's reply key, which the codename vector opens.
  const std::string reply_text = "We received your testimony.";
  const auto sealed_reply =
      SealReply(std::vector<uint8_t>(reply_text.begin(), reply_text.end()), codename_key.public_key)
          .value();
  const auto reply_draws = DrawsSince(mark);

  // Azadeh's key file, with the writers' KDF cost (3 passes, 256 MiB).
  const auto key_file =
      EncryptKeyFile(KeyKind::kInvestigator,
                     SerializeInvestigatorSecret(in.investigators[0]).span(),
                     gavah::testing::Bytes(kKeyFilePassphrase), KdfParams::Default())
          .value();
  const auto key_file_draws = DrawsSince(mark);

  if (regenerate) {
    WriteFile(Dir() + "/azadeh.key", key_file);
    std::ofstream(Dir() + "/codename.txt") << codename_lines;
    WriteFile(Dir() + "/reply.bin", sealed_reply);
    WriteFile(Dir() + "/review-auth.bin",
              std::vector<uint8_t>(auth_token.begin(), auth_token.end()));
    WriteFile(Dir() + "/released-share.bin", released);
    std::ofstream(Dir() + "/receipt.txt") << receipt_line;
    std::ofstream(Dir() + "/mailbox.txt") << mailbox_line;
    WriteFile(Dir() + "/bundle-2of3.bin", bundle_bytes);
    WriteFile(Dir() + "/envelope-2of3.bin", envelope);
    for (const auto& [name, bytes] : bad) {
      WriteFile(Dir() + "/bad/" + name + ".bin", bytes);
    }
    std::ofstream ids(Dir() + "/envelope-2of3.id");
    ids << ToHex(id) << "\n";
    std::cout << "regenerated vectors in " << Dir() << "\n";
    return 0;
  }

  // 1. Reproduction.
  CHECK(ReadFile(Dir() + "/bundle-2of3.bin") == bundle_bytes,
        "bundle-2of3.bin reproduced byte for byte");
  const auto stored = ReadFile(Dir() + "/envelope-2of3.bin");
  CHECK(stored == envelope, "envelope-2of3.bin reproduced byte for byte");
  std::string stored_id;
  std::ifstream(Dir() + "/envelope-2of3.id") >> stored_id;
  CHECK(stored_id == ToHex(id) && stored_id == ToHex(Sha256Of(stored)),
        "envelope id is the SHA-256 of the file");

  // 2. The stored envelope opens with the stored keys, with any two and not with one.
  const auto stored_bundle = RecipientBundle::Parse(ReadFile(Dir() + "/bundle-2of3.bin"));
  CHECK(stored_bundle.ok(), "stored bundle verifies");
  for (int a = 0; a < 3; ++a) {
    for (int b = a + 1; b < 3; ++b) {
      gavah::testing::CollectingSink sink;
      Status st =
          gavah::testing::OpenWith(stored, {&in.investigators[a], &in.investigators[b]}, sink);
      CHECK(st.ok() && sink.text == "I saw the trucks at Khavaran at night.\n" &&
                sink.event_place == "Khavaran, Tehran" && sink.data.size() == 1 &&
                sink.data[0] == in.attachment && sink.names[0] == "photo.jpg",
            "stored envelope opens with investigators " + std::to_string(a) + "+" +
                std::to_string(b));
    }
    gavah::testing::CollectingSink sink;
    CHECK(gavah::testing::OpenWith(stored, {&in.investigators[a]}, sink).code() ==
              ErrorCode::kNotEnoughKeys,
          "one key alone is not enough (" + std::to_string(a) + ")");
  }

  {
    std::ifstream f(Dir() + "/receipt.txt");
    std::string stored((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    CHECK(stored == receipt_line,
          "receipt.txt reproduced (public key, id, index, hour, signature)");
    CHECK(VerifyReceipt(receipt, receipt_key.public_key(), receipt_id).ok(),
          "receipt vector verifies");
    Receipt altered = receipt;
    altered.log_index = 8;
    CHECK(!VerifyReceipt(altered, receipt_key.public_key(), receipt_id).ok(),
          "altered receipt refused");
  }

  {
    std::ifstream f(Dir() + "/mailbox.txt");
    std::string stored((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    CHECK(stored == mailbox_line, "mailbox.txt reproduced (reply public key, mailbox id)");
  }

  {
    const auto token = ReadFile(Dir() + "/review-auth.bin");
    CHECK(token == std::vector<uint8_t>(auth_token.begin(), auth_token.end()),
          "review-auth.bin reproduced");
    auto auth = ParseReviewAuth(token);
    CHECK(auth.ok() && VerifyReviewAuth(*auth, auth_server, "/gavah.v1.Review/ListEnvelopes",
                                        std::vector<uint8_t>{0x08, 0x07})
                           .ok(),
          "review-auth.bin verifies for ListEnvelopes{after: 7}");
    const auto sealed = ReadFile(Dir() + "/released-share.bin");
    CHECK(sealed == released, "released-share.bin reproduced");
    auto got = OpenReleasedShare(sealed, in.investigators[0], bundle);
    CHECK(got.ok() && got->envelope_id == id &&
              got->from == in.investigators[1].public_key().fingerprint(),
          "released-share.bin opens for Azadeh, from Bahram, for the vector envelope");
    if (got.ok()) {
      gavah::MemorySource src(stored);
      const auto header = ReadEnvelopeHeader(src).value();
      std::vector<Share> both;
      both.push_back(OpenShare(header, in.investigators[0]).value());
      both.push_back(std::move(got->share));
      CHECK(CombineShares(header, both).ok(),
            "Azadeh's own share and Bahram's released one open the vector envelope");
    }
  }

  // 3. Bad envelopes.
  for (const auto& [name, expected] : kExpected) {
    const auto bytes = ReadFile(Dir() + "/bad/" + name + ".bin");
    gavah::testing::CollectingSink sink;
    Status st = gavah::testing::OpenWith(bytes, {&in.investigators[0], &in.investigators[1]}, sink);
    CHECK(!bytes.empty() && st.code() == expected,
          "bad/" + name + ".bin refused as expected (" + st.message() + ")");
  }

  // 4. The codename, reply and key-file vectors open from what the spec states.
  {
    std::ifstream f(Dir() + "/codename.txt");
    std::string stored((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    CHECK(stored == codename_lines,
          "codename.txt reproduced (salt, master, reply key pair, mailbox id)");
    CHECK(codename_secret.Equals(codename_key.secret_key.span()),
          "DeriveReplyKey follows section 6 step by step");
    const auto stored_reply = ReadFile(Dir() + "/reply.bin");
    CHECK(stored_reply == sealed_reply && stored_reply.size() == 1024 + 48,
          "reply.bin reproduced (1 KiB padded, sealed: 1072 bytes)");
    auto opened = OpenReply(stored_reply, codename_key);
    CHECK(opened.ok() && opened->view() == reply_text,
          "reply.bin opens with the codename's reply key to its text");
  }

  {
    const auto stored_key = ReadFile(Dir() + "/azadeh.key");
    CHECK(stored_key == key_file && stored_key.size() == 62 + 65 + 6 + 16,
          "azadeh.key reproduced (149 bytes)");
    auto secret = DecryptKeyFile(stored_key, KeyKind::kInvestigator,
                                 gavah::testing::Bytes(kKeyFilePassphrase));
    auto key = secret.ok() ? ParseInvestigatorSecret(*secret)
                           : Result<InvestigatorSecretKey>(secret.status());
    CHECK(key.ok() && key->public_key().name == "Azadeh" &&
              key->public_key().fingerprint() == in.investigators[0].public_key().fingerprint() &&
              key->secret_material().Equals(in.investigators[0].secret_material().span()),
          "azadeh.key opens with its passphrase to Azadeh's secret material and name");
    CHECK(DecryptKeyFile(stored_key, KeyKind::kInvestigator, gavah::testing::Bytes("wrong"))
                  .status()
                  .code() == ErrorCode::kWrongPassphrase,
          "azadeh.key refuses another passphrase");
  }

  // 5. The order of randombytes calls (each entry is one call's length in bytes).
  {
    using Sizes = std::vector<size_t>;
    Sizes envelope_expected = {32};                            // file key K
    envelope_expected.insert(envelope_expected.end(), 32, 1);  // a_1 for each byte of K (k = 2)
    envelope_expected.push_back(24);                           // secretstream header
    envelope_expected.insert(envelope_expected.end(), 3, 32);  // each stanza's ephemeral key
    CHECK(init_draws == Sizes{16}, "sodium_init draws 16 bytes (its canary) as call 0");
    CHECK(bundle_draws.empty() && deterministic_draws.empty() && codename_draws.empty(),
          "the bundle, receipt, mailbox, review-auth and codename vectors draw nothing");
    CHECK(envelope_draws == envelope_expected,
          "the envelope draws K, 32 one-byte coefficients, the stream header, 3 ephemeral keys");
    CHECK(released_draws == Sizes{32}, "the released share draws one ephemeral key");
    CHECK(reply_draws == Sizes{32}, "the reply draws one ephemeral key");
    CHECK(key_file_draws == (Sizes{16, 24}), "the key file draws its salt, then its nonce");
  }

  std::cout << (failures == 0 ? "vectors: all passed" : "vectors: FAILED") << std::endl;
  return failures == 0 ? 0 : 1;
}
