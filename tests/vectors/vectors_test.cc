// Known-answer vectors for the bundle and envelope formats (docs/PROTOCOL.md, "Test vectors").
//
// randombytes is replaced by a deterministic generator (randombytes_buf_deterministic keyed by a
// fixed seed and a call counter) so that sealing is reproducible; this binary therefore runs
// apart from every other test. It checks that
//   1. sealing the fixed inputs reproduces tests/vectors/*.bin byte for byte,
//   2. the stored envelope opens with the stored keys to the stored plaintext, and
//   3. each stored bad envelope fails with the error the list names,
//   4. the key file, the codename derivation and the reply can be opened from what the spec
//      states (passphrase, codename),
//   6. the deletion statement, the codename check words and the evidence package's file key and
//      testimony/ verify, and fail to once altered, as the spec states, and
//   7. randombytes is drawn in exactly the order the spec lists, so another implementation can
//      regenerate every file byte for byte.
// `vectors_test --regenerate` rewrites the files (only when the format changes on purpose).
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "gavah/crypto/codename.h"
#include "gavah/crypto/deletion.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/evidence.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/intake_log.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/released_share.h"
#include "gavah/crypto/reply.h"
#include "gavah/crypto/review_auth.h"
#include "gavah/crypto/tlog.h"
#include "support/test_support.h"
#include "testimony_dir.h"

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

std::string ReadText(const std::string& path) {
  const auto b = ReadFile(path);
  return {b.begin(), b.end()};
}

// The words of a normalised codename (or any text whose words are separated by single spaces).
std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> out;
  for (size_t at = 0; at < text.size();) {
    const size_t sp = std::min(text.find(' ', at), text.size());
    out.emplace_back(text.substr(at, sp - at));
    at = sp + 1;
  }
  return out;
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// The server certificate hash of the deletion statement vector (section 11).
constexpr std::string_view kDeletionServerText = "gavah deletion vector server";
// An evidence package's file-key.txt is this, K in lower-case hex, and a line break (section 10a).
constexpr std::string_view kFileKeyPrefix = "gavah-file-key-v1 ";

void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// The fixed inputs. Changing any of them changes every vector.
struct Inputs {
  OrganisationKey org = OrganisationKey::FromSeed(SecretBuffer::CopyOf(Fill(32, 0x10))).value();
  std::vector<InvestigatorSecretKey> investigators;
  std::vector<uint8_t> attachment = Fill(70000, 0x00);  // crosses a chunk boundary
  // Secret material of 64 bytes (version 1 keys) or 96 (version 2, with the X-Wing seed).
  explicit Inputs(size_t secret_size = 64) {
    const char* names[] = {"Azadeh", "Bahram", "Chista"};
    for (int i = 0; i < 3; ++i) {
      investigators.push_back(InvestigatorSecretKey::FromSecret(
                                  names[i], SecretBuffer::CopyOf(Fill(
                                                secret_size, static_cast<uint8_t>(0x40 * (i + 1)))))
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
  version[7] = 3;  // versions 1 and 2 exist
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

// Version 2's own bad envelopes: a changed stanza, chunks swapped, a chunk dropped, a chunk
// added, and the last chunk cut short; each must be refused before any plaintext is released.
std::vector<std::pair<std::string, std::vector<uint8_t>>> MakeBadEnvelopesV2(
    const std::vector<uint8_t>& good) {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> out;
  const size_t header = 66 + 3 * 1169;
  const size_t chunk = 65536 + 16;
  auto stanza = good;
  stanza[34 + 100] ^= 0x01;  // Azadeh's X-Wing ciphertext: implicit rejection, no share
  out.emplace_back("v2-tampered-stanza", stanza);
  auto swapped = good;
  const size_t last = good.size() - header - chunk;  // the final chunk's length
  if (last > 0 && last <= chunk) {
    std::vector<uint8_t> s2(good.begin(), good.begin() + header);
    s2.insert(s2.end(), good.begin() + header + chunk, good.end());
    s2.insert(s2.end(), good.begin() + header, good.begin() + header + chunk);
    swapped = s2;  // the same chunks, reordered
  }
  out.emplace_back("v2-reordered-chunks", swapped);
  std::vector<uint8_t> dropped(good.begin(), good.begin() + header + chunk);
  out.emplace_back("v2-truncated-to-first-chunk", dropped);
  auto extended = good;
  extended.insert(extended.end(), good.begin() + header, good.begin() + header + chunk);
  out.emplace_back("v2-extended-by-a-chunk", extended);
  std::vector<uint8_t> cut(good.begin(), good.end() - 1);
  out.emplace_back("v2-last-chunk-cut-short", cut);
  return out;
}

const std::map<std::string, ErrorCode> kExpectedV2 = {
    {"v2-tampered-stanza", ErrorCode::kNotEnoughKeys},
    {"v2-reordered-chunks", ErrorCode::kTampered},
    {"v2-truncated-to-first-chunk", ErrorCode::kTruncated},
    {"v2-extended-by-a-chunk", ErrorCode::kMalformed},
    {"v2-last-chunk-cut-short", ErrorCode::kTruncated},
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
  const Receipt receipt = receipt_key.Sign(receipt_id, 1'750'003'200, 1'749'996'000);
  const std::string receipt_line = ToHex(receipt_key.public_key()) + " " + ToHex(receipt_id) +
                                   " 1750003200 1749996000 " + ToHex(receipt.signature) + "\n";

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
  const auto key_file = EncryptKeyFile(KeyKind::kInvestigator,
                                       SerializeInvestigatorSecret(in.investigators[0]).span(),
                                       gavah::testing::Bytes(kKeyFilePassphrase),
                                       KdfParams{crypto_pwhash_argon2id_OPSLIMIT_MODERATE,
                                                 crypto_pwhash_argon2id_MEMLIMIT_MODERATE},
                                       1)
                            .value();
  const auto key_file_draws = DrawsSince(mark);

  // Deletion statement (section 9.4): Azadeh agrees that the vector envelope be deleted from a
  // server whose certificate hashes to SHA-256(kDeletionServerText). Ed25519 is deterministic.
  const Digest32 deletion_server = Sha256Of(gavah::testing::Bytes(kDeletionServerText));
  const auto deletion = SignDeletion(in.investigators[0], org_id, deletion_server, id);
  const std::vector<uint8_t> deletion_bytes(deletion.begin(), deletion.end());
  const auto deletion_draws = DrawsSince(mark);

  // Codename check words (section 6.1) of the codename vector's seven words, over the word list
  // in the source tree (the witness compiles it in; this binary reads it). H is also computed
  // from the spec's formula, apart from CodenameCheckIndexes.
  const std::string word_list_path = std::string(GAVAH_SOURCE_DIR) + "/client/codename_words.txt";
  const auto word_list_bytes = ReadFile(word_list_path);
  const std::vector<std::string> word_storage = [&] {
    std::vector<std::string> w;
    std::istringstream f(std::string(word_list_bytes.begin(), word_list_bytes.end()));
    for (std::string line; std::getline(f, line);) w.push_back(line);
    return w;
  }();
  std::vector<const char*> words;
  for (const auto& w : word_storage) words.push_back(w.c_str());
  if (words.empty()) {
    std::cerr << "cannot read " << word_list_path << "\n";
    return 1;
  }
  uint8_t check_hash[32];
  {
    static constexpr char kDomain[] = "gavah-codename-check-v1";  // with its NUL
    std::vector<uint8_t> m(kDomain, kDomain + sizeof kDomain);
    m.insert(m.end(), kCodename.begin(), kCodename.end());
    crypto_generichash(check_hash, sizeof check_hash, m.data(), m.size(), nullptr, 0);
  }
  std::array<size_t, kCodenameCheckWords> check_by_hand{};
  for (size_t j = 0; j < kCodenameCheckWords; ++j) {
    const uint8_t* b = check_hash + 4 * j;
    const uint32_t v =
        (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
    check_by_hand[j] = v % words.size();
  }
  const std::vector<std::string> data_words = SplitWords(kCodename);
  const std::vector<std::string_view> data_views(data_words.begin(), data_words.end());
  const auto check_indexes = CodenameCheckIndexes(data_views, words.size());
  std::vector<std::string> nine_words = data_words;
  for (size_t c : check_indexes) nine_words.emplace_back(words[c]);
  const std::string checked_codename = JoinWords(nine_words);
  const auto checked_key = DeriveReplyKey(gavah::testing::Bytes(checked_codename), org_id).value();
  const std::string codename_check_lines =
      "data_words " + std::string(kCodename) + "\nlist_size " + std::to_string(words.size()) +
      "\nlist_sha256 " + ToHex(Sha256Of(word_list_bytes)) + "\nhash " + ToHex(check_hash) +
      "\ncheck_indexes " + std::to_string(check_indexes[0]) + " " +
      std::to_string(check_indexes[1]) + "\ncheck_words " + nine_words[7] + " " + nine_words[8] +
      "\ncodename " + checked_codename + "\norganisation_id " + ToHex(org_id) +
      "\nreply_public_key " + ToHex(checked_key.public_key) + "\nmailbox_id " +
      ToHex(MailboxId(checked_key.public_key)) + "\n";
  const auto codename_check_draws = DrawsSince(mark);

  // Evidence package (section 10a): the vector envelope's file key K, recovered from Azadeh's and
  // Bahram's shares, and its testimony/ as `gavah-investigator open` writes it.
  SecretBuffer file_key;
  {
    gavah::MemorySource src(envelope);
    const auto header = ReadEnvelopeHeader(src).value();
    std::vector<Share> two;
    two.push_back(OpenShare(header, in.investigators[0]).value());
    two.push_back(OpenShare(header, in.investigators[1]).value());
    file_key = CombineShares(header, two).value();
  }
  // K is public here: it is a vector's.
  const std::string file_key_text = std::string(kFileKeyPrefix) + ToHex(file_key.span()) + "\n";
  const std::string package_dir = Dir() + "/evidence-2of3";
  const auto file_key_draws = DrawsSince(mark);

  // Testimony record with consent (section 3.7): no randomness, no envelope around it.
  std::vector<uint8_t> consent_record;
  {
    TestimonyInput t;
    t.text =
        SecretBuffer::CopyOf(gavah::testing::Bytes("I saw the trucks at Khavaran at night.\n"));
    t.language = SecretBuffer::CopyOf(gavah::testing::Bytes("en"));
    t.consent = std::vector<std::string_view>{"investigators", "quote-anonymously", "un-mechanism"};
    const SecretBuffer r = EncodeTestimonyRecord(t);
    consent_record.assign(r.data(), r.data() + r.size());
  }

  // Version 2 (X-Wing, section 3): the same people with version 2 keys (secret material of 96
  // bytes counting up from 0x40, 0x80, 0xc0: X25519 scalar || Ed25519 seed || X-Wing seed), a
  // bundle and an envelope of the same testimony, Bahram's share released to Azadeh, and
  // Azadeh's version 2 key file.
  const Inputs in2(96);
  const auto bundle_v2_bytes = MakeBundle(in2);
  const auto bundle_v2 = RecipientBundle::Parse(bundle_v2_bytes).value();
  const auto bundle_v2_draws = DrawsSince(mark);
  EnvelopeId id_v2{};
  const auto envelope_v2 = MakeEnvelope(in2, bundle_v2, &id_v2);
  const auto envelope_v2_draws = DrawsSince(mark);
  std::vector<uint8_t> released_v2;
  {
    gavah::MemorySource src(envelope_v2);
    const auto header = ReadEnvelopeHeader(src).value();
    const auto share = OpenShare(header, in2.investigators[1]).value();
    released_v2 =
        ReleaseShare(id_v2, share, in2.investigators[1], in2.investigators[0].public_key()).value();
  }
  const auto released_v2_draws = DrawsSince(mark);
  const auto key_file_v2 = EncryptKeyFile(KeyKind::kInvestigator,
                                          SerializeInvestigatorSecret(in2.investigators[0]).span(),
                                          gavah::testing::Bytes(kKeyFilePassphrase),
                                          KdfParams{crypto_pwhash_argon2id_OPSLIMIT_MODERATE,
                                                    crypto_pwhash_argon2id_MEMLIMIT_MODERATE},
                                          2)
                               .value();
  const auto key_file_v2_draws = DrawsSince(mark);
  const auto bad_v2 = MakeBadEnvelopesV2(envelope_v2);
  // The codename vector's X-Wing reply key (subkey 2 of its master key) and a version 2 reply to
  // it.
  SecretBuffer codename_xwing_seed(32);
  crypto_kdf_derive_from_key(codename_xwing_seed.data(), 32, 2, "GvhReply", codename_master.data());
  const xwing::PublicKey codename_xwing_pk = codename_key.xwing->public_key();
  const std::string codename_xwing_lines = "xwing_seed " + ToHex(codename_xwing_seed.span()) +
                                           "\nreply_xwing_public_key " + ToHex(codename_xwing_pk) +
                                           "\n";
  const auto sealed_reply_v2 = SealReply(std::vector<uint8_t>(reply_text.begin(), reply_text.end()),
                                         codename_key.public_key, &codename_xwing_pk)
                                   .value();
  const auto reply_v2_draws = DrawsSince(mark);

  // Transparency log (section 12): the receipt key's log of two envelope entries and one deletion
  // entry (the deletion statement above), in that order, hour 1,749,996,000; its checkpoint
  // signed by the log and cosigned at time 1,750,000,000 by the witness whose Ed25519 seed is 32
  // bytes of 0x61, named witness.example/w1; entry 1's tlog-proof with the entry in `extra`; the
  // witness's add-checkpoint request from old size 0; the tiles and entry bundle.
  std::map<std::string, std::string> log_files;
  {
    std::vector<std::vector<uint8_t>> entries;
    for (const char* name : {"gavah log vector 0", "gavah log vector 1"})
      entries.push_back(tlog::EncodeEntry(
          {tlog::EntryType::kEnvelope, Sha256Of(gavah::testing::Bytes(name)), 1'749'996'000, {}}));
    tlog::IntakeEntry del{tlog::EntryType::kDeletion, id, 1'749'996'000, {}};
    std::copy(deletion_bytes.begin(), deletion_bytes.end(), del.statement.begin());
    entries.push_back(tlog::EncodeEntry(del));
    tlog::MerkleTree tree;
    for (const auto& e : entries) tree.Append(tlog::LeafHash(e));
    tlog::NoteSigner log{tlog::LogOrigin(receipt_key.public_key()),
                               SecretBuffer(crypto_sign_SECRETKEYBYTES)};
    PublicKey32 pk{};
    crypto_sign_seed_keypair(pk.data(), log.secret_key.data(), receipt_key.secret_seed().data());
    const std::string text = tlog::FormatCheckpoint({log.name, 3, tree.Root(3).value(), {}});
    const tlog::NoteSigner* signers[] = {&log};
    const std::string signed_note = tlog::SignNote(text, signers).value();
    tlog::NoteSigner witness{"witness.example/w1", SecretBuffer(crypto_sign_SECRETKEYBYTES)};
    const auto wseed = Fill(32, 0x61);
    PublicKey32 wpk{};
    crypto_sign_seed_keypair(wpk.data(), witness.secret_key.data(), wseed.data());
    const std::string note =
        signed_note + tlog::CosignatureLine(witness, 1'750'000'000, text).value();
    log_files["checkpoint"] = note;
    log_files["witness.pub"] =
        tlog::FormatVerifierKey(witness.verifier(tlog::kCosignatureType)) + "\n";
    log_files["add-checkpoint.txt"] = tlog::FormatAddCheckpoint({0, {}, signed_note});
    log_files["proof-1.tlog-proof"] =
        tlog::FormatTlogProof({entries[1], 1, tree.InclusionProof(1, 3).value(), note});
    const auto tile = tree.Tile(0, 0, 3).value();
    log_files["tile/0/000.p/3"] = std::string(tile.begin(), tile.end());
    const auto bundle3 = tlog::EncodeEntryBundle(entries).value();
    log_files["tile/entries/000.p/3"] = std::string(bundle3.begin(), bundle3.end());
  }

  if (regenerate) {
    WriteFile(Dir() + "/bundle-v2-2of3.bin", bundle_v2_bytes);
    WriteFile(Dir() + "/envelope-v2-2of3.bin", envelope_v2);
    std::ofstream(Dir() + "/envelope-v2-2of3.id") << ToHex(id_v2) << "\n";
    WriteFile(Dir() + "/released-share-v2.bin", released_v2);
    WriteFile(Dir() + "/azadeh-v2.key", key_file_v2);
    std::ofstream(Dir() + "/codename-xwing.txt") << codename_xwing_lines;
    WriteFile(Dir() + "/reply-v2.bin", sealed_reply_v2);
    for (const auto& [name, bytes] : bad_v2) WriteFile(Dir() + "/bad/" + name + ".bin", bytes);
    WriteFile(Dir() + "/testimony-consent.bin", consent_record);
    WriteFile(Dir() + "/azadeh.key", key_file);
    std::ofstream(Dir() + "/codename.txt") << codename_lines;
    WriteFile(Dir() + "/reply.bin", sealed_reply);
    WriteFile(Dir() + "/review-auth.bin",
              std::vector<uint8_t>(auth_token.begin(), auth_token.end()));
    WriteFile(Dir() + "/released-share.bin", released);
    std::ofstream(Dir() + "/receipt.txt") << receipt_line;
    for (const auto& [name, bytes] : log_files) {
      std::filesystem::create_directories(
          std::filesystem::path(Dir() + "/log/" + name).parent_path());
      std::ofstream(Dir() + "/log/" + name, std::ios::binary | std::ios::trunc) << bytes;
    }
    std::ofstream(Dir() + "/mailbox.txt") << mailbox_line;
    WriteFile(Dir() + "/bundle-2of3.bin", bundle_bytes);
    WriteFile(Dir() + "/envelope-2of3.bin", envelope);
    for (const auto& [name, bytes] : bad) {
      WriteFile(Dir() + "/bad/" + name + ".bin", bytes);
    }
    std::ofstream ids(Dir() + "/envelope-2of3.id");
    ids << ToHex(id) << "\n";
    WriteFile(Dir() + "/deletion-statement.bin", deletion_bytes);
    std::ofstream(Dir() + "/codename-check.txt") << codename_check_lines;
    std::filesystem::remove_all(package_dir);
    std::filesystem::create_directory(package_dir);
    std::ofstream(package_dir + "/file-key.txt") << file_key_text;
    {
      gavah::MemorySource src(envelope);
      const auto header = ReadEnvelopeHeader(src).value();
      auto dir = cli::TestimonyDirectory::Create(package_dir + "/testimony");
      Status st = OpenPayload(header, file_key, src, *dir);
      if (st.ok()) st = dir->Commit(id, header.organisation_id);
      if (!st.ok()) {
        std::cerr << "evidence-2of3/testimony: " << st.message() << "\n";
        return 1;
      }
    }
    // TestimonyDirectory writes 0700 folders and 0600 files; the vectors are public.
    namespace fs = std::filesystem;
    for (const auto& e : fs::recursive_directory_iterator(package_dir)) {
      fs::permissions(e.path(), e.is_directory()
                                    ? fs::perms::owner_all | fs::perms::group_read |
                                          fs::perms::group_exec | fs::perms::others_read |
                                          fs::perms::others_exec
                                    : fs::perms::owner_read | fs::perms::owner_write |
                                          fs::perms::group_read | fs::perms::others_read);
    }
    std::cout << "regenerated vectors in " << Dir() << "\n";
    return 0;
  }

  // 1. Reproduction.
  CHECK(ReadFile(Dir() + "/bundle-2of3.bin") == bundle_bytes,
        "bundle-2of3.bin reproduced byte for byte");
  {
    const auto stored = ReadFile(Dir() + "/testimony-consent.bin");
    CHECK(stored == consent_record, "testimony-consent.bin reproduced byte for byte");
    const SecretBuffer rec = SecretBuffer::CopyOf(stored);
    auto v = DecodeTestimonyRecord(rec);
    CHECK(v.ok() && v->consent && v->consent->size() == 3 && (*v->consent)[0] == "investigators" &&
              (*v->consent)[1] == "quote-anonymously" && (*v->consent)[2] == "un-mechanism" &&
              v->language == "en",
          "testimony-consent.bin decodes to its three permissions");
    TestimonyInput t;
    t.text = SecretBuffer::CopyOf(gavah::testing::Bytes("x"));
    t.consent = std::vector<std::string_view>{"un-mechanism", "investigators"};
    const SecretBuffer unordered = EncodeTestimonyRecord(t);
    CHECK(DecodeTestimonyRecord(unordered).status().code() == ErrorCode::kMalformed,
          "a record with consent tokens out of order is malformed");
  }
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
    altered.include_by += 3600;
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

  // 6. Deletion statement, codename check words, evidence package.
  {
    const auto stored = ReadFile(Dir() + "/deletion-statement.bin");
    CHECK(
        stored == deletion_bytes && stored.size() == kDeletionStatementSize && stored.size() == 97,
        "deletion-statement.bin reproduced (97 bytes)");
    auto s = ParseDeletionStatement(stored);
    CHECK(s.ok() && s->signer == in.investigators[0].public_key().signing_key &&
              VerifyDeletion(*s, org_id, deletion_server, id).ok(),
          "deletion-statement.bin verifies: Azadeh, vector organisation, server, envelope-2of3");
    if (s.ok()) {
      auto changed = [](auto v, size_t at) {
        v[at] ^= 0x01;
        return v;
      };
      CHECK(VerifyDeletion(*s, org_id, deletion_server, changed(id, 31)).code() ==
                ErrorCode::kBadSignature,
            "deletion statement refused for an envelope id with one byte changed");
      CHECK(VerifyDeletion(*s, org_id, changed(deletion_server, 0), id).code() ==
                ErrorCode::kBadSignature,
            "deletion statement refused for a server hash with one byte changed");
      CHECK(VerifyDeletion(*s, changed(org_id, 15), deletion_server, id).code() ==
                ErrorCode::kBadSignature,
            "deletion statement refused for an organisation with one byte changed");
      auto forged = ParseDeletionStatement(changed(stored, 40));
      CHECK(forged.ok() && !VerifyDeletion(*forged, org_id, deletion_server, id).ok(),
            "deletion statement with one signature byte changed refused");
    }
    auto version = stored;
    version[0] = 2;
    CHECK(ParseDeletionStatement(version).status().code() == ErrorCode::kUnsupported &&
              ParseDeletionStatement(std::span(stored).first(96)).status().code() ==
                  ErrorCode::kMalformed,
          "deletion statement of version 2 unsupported, of 96 bytes malformed");
    const auto signed_by = [&](int who, const Digest32& server) {
      const auto b = SignDeletion(in.investigators[who], org_id, server, id);
      return std::vector<uint8_t>(b.begin(), b.end());
    };
    const std::vector<Digest32> servers = {deletion_server};
    const std::vector<std::vector<uint8_t>> twice = {stored, stored};
    const std::vector<std::vector<uint8_t>> two = {stored, signed_by(1, deletion_server), stored};
    const std::vector<std::vector<uint8_t>> elsewhere = {
        stored, signed_by(1, Sha256Of(gavah::testing::Bytes("another server")))};
    CHECK(CountDeletionAgreements(twice, bundle, servers, id) == 1 &&
              CountDeletionAgreements(two, bundle, servers, id) == 2 &&
              CountDeletionAgreements(elsewhere, bundle, servers, id) == 1,
          "CountDeletionAgreements: Azadeh twice counts 1; Azadeh, Bahram, Azadeh counts 2; a "
          "statement for another server counts nothing");
  }

  // Persian codenames (section 6.2): each input normalises to its second column, and the nine-word
  // ones check out against client/codename_words_fa.txt.
  {
    const auto fa_bytes = ReadFile(std::string(GAVAH_SOURCE_DIR) + "/client/codename_words_fa.txt");
    std::vector<std::string> fa_storage;
    std::istringstream f(std::string(fa_bytes.begin(), fa_bytes.end()));
    for (std::string line; std::getline(f, line);) fa_storage.push_back(line);
    std::vector<const char*> fa_words;
    for (const auto& w : fa_storage) fa_words.push_back(w.c_str());
    CHECK(fa_words.size() == 2048 && std::is_sorted(fa_storage.begin(), fa_storage.end()),
          "codename_words_fa.txt: 2048 words in byte order");
    const std::string lines = ReadText(Dir() + "/codename-fa.txt");
    std::istringstream in_lines(lines);
    size_t n = 0, normalised_ok = 0, checked_ok = 0, nine = 0;
    for (std::string line; std::getline(in_lines, line); ++n) {
      const size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      const std::string input = line.substr(0, tab), want = line.substr(tab + 1);
      auto got = NormaliseCodename(gavah::testing::Bytes(input));
      if (got.ok() && got->view() == want) ++normalised_ok;
      if (SplitWords(want).size() == kCheckedCodenameWords) {
        ++nine;
        auto checked = CheckCodename(gavah::testing::Bytes(input), fa_words);
        if (checked.ok() && !checked->legacy && checked->normalised.view() == want) ++checked_ok;
      }
    }
    CHECK(n == 8 && normalised_ok == n,
          "codename-fa.txt: all 8 inputs normalise as listed (yeh, kaf, ZWNJ, marks, tatweel, "
          "digits, spaces)");
    CHECK(nine == 7 && checked_ok == nine,
          "codename-fa.txt: the 7 nine-word codenames check out against the Persian list");
    // The same codename typed with Arabic letters derives the same key as with Persian ones.
    const std::string persian = "کتاب کلید اسمان پاییز دایی کوچه یخچال روزنه النگو";
    const std::string arabic = "كتاب كليد آسمان پاييز دايى كوچه يخچال روزنه النگو";
    CHECK(DeriveReplyKey(gavah::testing::Bytes(persian), org_id)->public_key ==
              DeriveReplyKey(gavah::testing::Bytes(arabic), org_id)->public_key,
          "a Persian codename typed with Arabic yeh, kaf and madda derives the same reply key");
  }

  {
    CHECK(ReadText(Dir() + "/codename-check.txt") == codename_check_lines,
          "codename-check.txt reproduced (hash, check words, reply key, mailbox id)");
    CHECK(words.size() == 10940 && std::is_sorted(word_storage.begin(), word_storage.end()) &&
              std::adjacent_find(word_storage.begin(), word_storage.end()) == word_storage.end(),
          "client/codename_words.txt has 10,940 distinct words, sorted");
    CHECK(check_indexes == check_by_hand,
          "CodenameCheckIndexes follows section 6.1 step by step (BLAKE2b-256, big-endian, mod)");
    auto nine = CheckCodename(gavah::testing::Bytes(checked_codename), words);
    CHECK(nine.ok() && !nine->legacy && nine->normalised.view() == checked_codename,
          "CheckCodename accepts the nine words");
    auto typed = CheckCodename(
        gavah::testing::Bytes("  " + JoinWords(nine_words).replace(0, 6, "COPPER\t") + "\n"),
        words);
    CHECK(typed.ok() && typed->normalised.view() == checked_codename,
          "CheckCodename accepts the nine words typed with other case and white space");
    auto seven = CheckCodename(gavah::testing::Bytes(kCodename), words);
    CHECK(seven.ok() && seven->legacy && seven->normalised.view() == kCodename,
          "CheckCodename accepts the seven data words alone as legacy");
    // Refused, with the position named (and no word of the codename repeated).
    auto refused = [&](const std::vector<std::string>& w, std::string_view where) {
      auto r = CheckCodename(gavah::testing::Bytes(JoinWords(w)), words);
      if (r.ok() || r.status().code() != ErrorCode::kInvalidArgument) return false;
      const std::string& m = r.status().message();
      for (const auto& word : nine_words) {
        if (m.find(word) != std::string::npos) return false;
      }
      return m.find(where) != std::string::npos;
    };
    auto one_changed = nine_words;
    one_changed[2] = one_changed[2] == words[0] ? words[1] : words[0];
    auto swapped = nine_words;
    std::swap(swapped[1], swapped[2]);
    auto missing = nine_words;
    missing.erase(missing.begin() + 4);
    auto check_changed = nine_words;
    check_changed[8] = check_changed[8] == words[0] ? words[1] : words[0];
    CHECK(refused(one_changed, "word 3 is wrong"), "nine words with word 3 changed refused");
    CHECK(refused(check_changed, "word 9 is wrong"),
          "nine words with check word 9 changed refused");
    CHECK(refused(swapped, "words 2 and 3 are swapped"), "nine words with 2 and 3 swapped refused");
    CHECK(refused(missing, "word 5 is missing"), "nine words with word 5 missing refused");
    const std::string stored = ReadText(Dir() + "/codename-check.txt");
    const auto derived = nine.ok() ? DeriveReplyKey(nine->normalised.span(), org_id)
                                   : Result<ReplyKeyPair>(nine.status());
    CHECK(derived.ok() &&
              stored.find("\nreply_public_key " + ToHex(derived->public_key) + "\n") !=
                  std::string::npos &&
              stored.find("\nmailbox_id " + ToHex(MailboxId(derived->public_key)) + "\n") !=
                  std::string::npos &&
              derived->public_key != codename_key.public_key,
          "DeriveReplyKey of the nine words gives the reply key and mailbox id stated (not the "
          "seven words' key)");
  }

  size_t evidence_mark = g_draws.size();
  {
    const std::string stored_key = ReadText(package_dir + "/file-key.txt");
    CHECK(stored_key == file_key_text && stored_key.size() == kFileKeyPrefix.size() + 64 + 1,
          "evidence-2of3/file-key.txt reproduced (83 bytes)");
    // Read K back as a verifier does: magic, one space, 64 lower-case hex digits, a line break.
    std::optional<std::vector<uint8_t>> k;
    if (stored_key.size() == 83 && stored_key.starts_with(kFileKeyPrefix) &&
        stored_key.back() == '\n') {
      k = FromHex(std::string_view(stored_key).substr(18, 64));
    }
    const SecretBuffer key = SecretBuffer::CopyOf(k ? *k : std::vector<uint8_t>(32));
    {  // K is the first 32 bytes the envelope drew (call 1, section 11's table)
      uint8_t seed[randombytes_SEEDBYTES], first[32];
      std::memcpy(seed, g_seed, sizeof seed);
      seed[24] ^= 1;
      randombytes_buf_deterministic(first, sizeof first, seed);
      CHECK(k.has_value() && key.Equals(first), "file-key.txt holds K, randombytes call 1");
    }
    auto parsed = ParseFileKeyText(stored_key);
    CHECK(FileKeyText(file_key).view() == stored_key && parsed.ok() && parsed->Equals(key.span()),
          "FileKeyText writes file-key.txt and ParseFileKeyText reads K back from it");
    auto compare_with = [&](const std::vector<uint8_t>& env, const std::string& dir,
                            std::vector<std::string>* differences) -> Status {
      gavah::MemorySource src(env);
      auto header = ReadEnvelopeHeader(src);
      if (!header.ok()) return header.status();
      GAVAH_RETURN_IF_ERROR(VerifyHeaderMac(*header, key));
      auto cmp = cli::TestimonyDirectory::ForComparison(dir);
      GAVAH_RETURN_IF_ERROR(OpenPayload(*header, key, src, *cmp));
      GAVAH_RETURN_IF_ERROR(cmp->Commit(Sha256Of(env), header->organisation_id));
      *differences = cmp->differences();
      return Status::Ok();
    };
    std::vector<std::string> differences = {"not compared"};
    Status st = compare_with(stored, package_dir + "/testimony", &differences);
    CHECK(st.ok() && differences.empty(),
          "file-key.txt verifies envelope-2of3.bin's MAC, opens it, and testimony/ is exactly what "
          "it holds" +
              (st.ok() ? std::string() : " (" + st.message() + ")"));
    // A copy with one byte of testimony.txt changed.
    namespace fs = std::filesystem;
    std::string tmp = (fs::temp_directory_path() / "gavah-vectors-XXXXXX").string();
    if (::mkdtemp(tmp.data()) == nullptr) return 1;
    fs::copy(package_dir + "/testimony", tmp + "/testimony", fs::copy_options::recursive);
    {
      auto text = ReadFile(tmp + "/testimony/testimony.txt");
      text[0] ^= 0x01;
      WriteFile(tmp + "/testimony/testimony.txt", text);
    }
    differences.clear();
    st = compare_with(stored, tmp + "/testimony", &differences);
    CHECK(st.ok() && differences.size() == 1 && differences[0].starts_with("testimony.txt: "),
          "testimony/ with one byte of testimony.txt changed is found to differ");
    fs::remove_all(tmp);
    for (const char* other : {"tampered-mac", "tampered-org-id"}) {
      const auto bytes = ReadFile(Dir() + "/bad/" + other + ".bin");
      gavah::MemorySource src(bytes);
      auto header = ReadEnvelopeHeader(src);
      CHECK(header.ok() && VerifyHeaderMac(*header, key).code() == ErrorCode::kTampered,
            std::string("file-key.txt does not verify the MAC of bad/") + other + ".bin");
    }
  }
  const auto evidence_draws = DrawsSince(evidence_mark);

  // 7. The order of randombytes calls (each entry is one call's length in bytes).
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
    CHECK(deletion_draws.empty() && codename_check_draws.empty() && file_key_draws.empty() &&
              evidence_draws.empty(),
          "the deletion statement, codename check words and evidence package draw nothing");
  }

  // 8. Version 2: reproduction, opening with any two keys and not one, the bad envelopes, the
  // released share, the key file, and the randomness each drew.
  {
    using Sizes = std::vector<size_t>;
    CHECK(ReadFile(Dir() + "/bundle-v2-2of3.bin") == bundle_v2_bytes,
          "bundle-v2-2of3.bin reproduced byte for byte");
    const auto stored = ReadFile(Dir() + "/envelope-v2-2of3.bin");
    CHECK(stored == envelope_v2, "envelope-v2-2of3.bin reproduced byte for byte");
    {
      gavah::MemorySource src(stored);
      const auto h = ReadEnvelopeHeader(src);
      CHECK(h.ok() && h->version == 2 && h->raw.size() == 66 + 3 * 1169 &&
                h->envelope_size() == stored.size(),
            "envelope-v2-2of3.bin: a 3,573-byte header (66 + 1169 n) and the size of 3.6");
    }
    CHECK(ReadText(Dir() + "/envelope-v2-2of3.id") == ToHex(Sha256Of(stored)) + "\n",
          "envelope-v2-2of3.id is the SHA-256 of the file");
    for (auto [a, b] : {std::pair{0, 1}, std::pair{0, 2}, std::pair{1, 2}}) {
      gavah::testing::CollectingSink sink;
      const Status st =
          gavah::testing::OpenWith(stored, {&in2.investigators[a], &in2.investigators[b]}, sink);
      CHECK(st.ok() && sink.text == "I saw the trucks at Khavaran at night.\n" &&
                sink.data.size() == 1 && sink.data[0] == in2.attachment,
            "envelope-v2-2of3.bin opens with investigators " + std::to_string(a) + " and " +
                std::to_string(b));
    }
    gavah::testing::CollectingSink one;
    CHECK(gavah::testing::OpenWith(stored, {&in2.investigators[0]}, one).code() ==
              ErrorCode::kNotEnoughKeys,
          "envelope-v2-2of3.bin does not open with one key");
    gavah::testing::CollectingSink v1_keys;
    CHECK(gavah::testing::OpenWith(stored, {&in.investigators[0], &in.investigators[1]}, v1_keys)
                  .code() == ErrorCode::kNotRecipient,
          "version 1 keys are not recipients of envelope-v2-2of3.bin");
    for (const auto& [name, expected] : kExpectedV2) {
      const auto bytes = ReadFile(Dir() + "/bad/" + name + ".bin");
      gavah::testing::CollectingSink sink;
      Status st =
          gavah::testing::OpenWith(bytes, {&in2.investigators[0], &in2.investigators[1]}, sink);
      CHECK(!bytes.empty() && st.code() == expected,
            "bad/" + name + ".bin refused as expected (" + st.message() + ")");
    }
    // The payload from the spec's formulas alone, with libsodium's ChaCha20-Poly1305 (the
    // implementation seals with libcrypto's): K from two shares, payload_key = KDF(K, 2,
    // "GvhEnv02"), chunk i under nonce u88 i || final flag.
    {
      gavah::MemorySource src(stored);
      const auto header = ReadEnvelopeHeader(src).value();
      std::vector<Share> two;
      two.push_back(OpenShare(header, in2.investigators[0]).value());
      two.push_back(OpenShare(header, in2.investigators[1]).value());
      const SecretBuffer k = CombineShares(header, two).value();
      uint8_t payload_key[32];
      crypto_kdf_derive_from_key(payload_key, 32, 2, "GvhEnv02", k.data());
      const size_t chunks = (header.payload_length + 65535) / 65536;
      size_t at = header.raw.size();
      std::vector<uint8_t> plain;
      bool all = true;
      for (size_t i = 0; i < chunks; ++i) {
        const size_t n = i + 1 == chunks ? header.payload_length - 65536 * i : 65536;
        uint8_t nonce[12] = {};
        for (int b = 0; b < 8; ++b) nonce[10 - b] = static_cast<uint8_t>(i >> (8 * b));
        nonce[11] = i + 1 == chunks ? 1 : 0;
        std::vector<uint8_t> m(n);
        all = all && crypto_aead_chacha20poly1305_ietf_decrypt(m.data(), nullptr, nullptr,
                                                               stored.data() + at, n + 16, nullptr,
                                                               0, nonce, payload_key) == 0;
        plain.insert(plain.end(), m.begin(), m.end());
        at += n + 16;
      }
      CHECK(all && at == stored.size() && chunks == 2 && header.payload_length == 71680,
            "envelope-v2-2of3.bin's two chunks (P = 71680) open with libsodium from the spec");
      const std::string text = "I saw the trucks at Khavaran at night.\n";
      CHECK(plain.size() > 4 &&
                std::search(plain.begin(), plain.end(), text.begin(), text.end()) != plain.end(),
            "the chunks' plaintext holds the testimony record");
    }
    const auto share_file = ReadFile(Dir() + "/released-share-v2.bin");
    CHECK(share_file == released_v2 && share_file.size() == kReleasedShareSealedSizeV2,
          "released-share-v2.bin reproduced byte for byte (1312 bytes)");
    auto got = OpenReleasedShare(share_file, in2.investigators[0], bundle_v2);
    CHECK(got.ok() && got->envelope_id == id_v2 && got->share.x == 2,
          "released-share-v2.bin opens for Azadeh as Bahram's share (x = 2) of the envelope");
    const auto key_stored = ReadFile(Dir() + "/azadeh-v2.key");
    CHECK(key_stored == key_file_v2, "azadeh-v2.key reproduced byte for byte");
    auto secret = DecryptKeyFile(key_stored, KeyKind::kInvestigator,
                                 gavah::testing::Bytes(kKeyFilePassphrase));
    auto key = secret.ok()
                   ? ParseInvestigatorSecret(*secret, PeekKeyFileVersion(key_stored).value())
                   : Result<InvestigatorSecretKey>(secret.status());
    CHECK(key.ok() && key->version() == 2 &&
              key->public_key().fingerprint() == in2.investigators[0].public_key().fingerprint(),
          "azadeh-v2.key opens to Azadeh's version 2 key");
    Sizes envelope_expected = {32};
    envelope_expected.insert(envelope_expected.end(), 32, 1);
    envelope_expected.insert(envelope_expected.end(), 3, 64);  // each stanza's X-Wing eseed
    CHECK(bundle_v2_draws.empty(), "the version 2 bundle draws nothing");
    CHECK(envelope_v2_draws == envelope_expected,
          "the version 2 envelope draws K, 32 one-byte coefficients, 3 X-Wing eseeds of 64 bytes");
    CHECK(released_v2_draws == Sizes{64}, "the version 2 released share draws one X-Wing eseed");
    CHECK(key_file_v2_draws == (Sizes{16, 24}),
          "the version 2 key file draws its salt, then its nonce");
    CHECK(ReadText(Dir() + "/codename-xwing.txt") == codename_xwing_lines,
          "codename-xwing.txt reproduced: the codename's X-Wing seed and public key");
    const auto reply_stored = ReadFile(Dir() + "/reply-v2.bin");
    auto reply_opened = OpenReply(reply_stored, codename_key);
    CHECK(reply_stored == sealed_reply_v2 && reply_stored.size() == 1024 + 1136 &&
              reply_opened.ok() && reply_opened->view() == reply_text,
          "reply-v2.bin reproduced (2160 bytes) and opens with the codename to its text");
    CHECK(reply_v2_draws == Sizes{64}, "the version 2 reply draws one X-Wing eseed");
  }

  // 7. Transparency log (section 12).
  {
    bool same = true;
    for (const auto& [name, bytes] : log_files) same &= ReadText(Dir() + "/log/" + name) == bytes;
    CHECK(same, "log/: checkpoint, witness.pub, add-checkpoint.txt, proof-1, tiles reproduced");
    const auto wkey = tlog::ParseVerifierKey(
        log_files["witness.pub"].substr(0, log_files["witness.pub"].size() - 1));
    CHECK(wkey.ok(), "log/witness.pub parses as a cosignature verifier key");
    const std::vector<tlog::VerifierKey> witnesses = {wkey.value()};
    auto cp = tlog::AcceptCheckpoint(ReadText(Dir() + "/log/checkpoint"), receipt_key.public_key(),
                                     witnesses, 1);
    CHECK(cp.ok() && cp->checkpoint.size == 3 && cp->cosigners.size() == 1,
          "log/checkpoint: signed by the receipt key, cosigned by witness.example/w1");
    auto proof = tlog::ParseTlogProof(ReadText(Dir() + "/log/proof-1.tlog-proof"));
    CHECK(proof.ok() && proof->extra && cp.ok() &&
              tlog::VerifyInclusion(proof->index, cp->checkpoint.size,
                                    tlog::LeafHash(*proof->extra), proof->path, cp->checkpoint.root)
                  .ok(),
          "log/proof-1.tlog-proof: entry 1 is in the checkpointed tree");
    const auto bundle_bytes3 = ReadFile(Dir() + "/log/tile/entries/000.p/3");
    auto parsed = tlog::ParseEntryBundle(bundle_bytes3);
    bool typed = parsed.ok() && parsed->size() == 3;
    if (typed)
      for (const auto& e : *parsed) typed &= tlog::ParseEntry(e).ok();
    CHECK(typed, "log/tile/entries/000.p/3: two envelope entries and a deletion entry");
  }

  std::cout << (failures == 0 ? "vectors: all passed" : "vectors: FAILED") << std::endl;
  return failures == 0 ? 0 : 1;
}
