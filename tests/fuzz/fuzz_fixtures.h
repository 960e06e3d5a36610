// Fixed keys and bundle shared by the fuzz targets. They are the inputs of tests/vectors (see
// vectors_test.cc), so the committed vectors are seeds that get past every check: the receipt
// verifies, the released share opens for Azadeh, the review token verifies.
#pragma once

#include <google/protobuf/stubs/logging.h>
#include <sodium.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "gavah/crypto/bundle.h"
#include "gavah/crypto/codename.h"
#include "gavah/crypto/digest.h"
#include "gavah/crypto/keys.h"
#include "gavah/crypto/receipt.h"

namespace gavah::fuzz {

inline std::vector<uint8_t> Fill(size_t n, uint8_t start) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(start + i);
  return v;
}

inline std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Crashes the fuzzer: an invariant that must hold for any input does not (or, while seeds are
// written, a vector is missing). libFuzzer then saves the input and prints the stack.
[[noreturn]] inline void Fail(const char* why = "an invariant does not hold") {
  std::fprintf(stderr, "fuzz target: %s\n", why);
  std::abort();
}

// Once per process: libsodium ready, protobuf's parse errors not printed for every input.
inline void Init() {
  static const bool ready = (google::protobuf::SetLogHandler(nullptr), InitCrypto());
  if (!ready) Fail("libsodium did not initialise");
}

struct Fixtures {
  OrganisationKey org = OrganisationKey::FromSeed(SecretBuffer::CopyOf(Fill(32, 0x10))).value();
  // Azadeh, Bahram, Chista (in the bundle), then an outsider who is not.
  std::vector<InvestigatorSecretKey> investigators;
  std::vector<uint8_t> bundle_bytes;
  RecipientBundle bundle;
  ReceiptKey receipt_key = ReceiptKey::FromSeed(SecretBuffer::CopyOf(Fill(32, 0x20))).value();
  Digest32 receipt_id = Sha256Of(Bytes("gavah receipt vector"));
  Digest32 review_server{};  // tests/vectors/review-auth.bin is signed for this server
  ReplyKeyPair reply_key;    // the vector's reply key has no known secret: this one does

  Fixtures() : bundle(MakeBundle(this)) {
    std::memcpy(review_server.data(), Fill(32, 0x60).data(), 32);
    reply_key.secret_key = SecretBuffer(crypto_box_SECRETKEYBYTES);
    const auto seed = Fill(crypto_box_SEEDBYTES, 0x90);
    crypto_box_seed_keypair(reply_key.public_key.data(), reply_key.secret_key.data(), seed.data());
  }

 private:
  static RecipientBundle MakeBundle(Fixtures* f) {
    const char* names[] = {"Azadeh", "Bahram", "Chista", "Outsider"};
    for (int i = 0; i < 4; ++i) {
      f->investigators.push_back(
          InvestigatorSecretKey::FromSecret(
              names[i], SecretBuffer::CopyOf(Fill(64, static_cast<uint8_t>(0x40 * (i + 1)))))
              .value());
    }
    BundleContents c;
    c.organisation_name = "Gavah test vectors";
    c.issued_at = 1'750'000'000;
    c.expires_at = 4'102'444'800;
    c.threshold = 2;
    for (int i = 0; i < 3; ++i) c.investigators.push_back(f->investigators[i].public_key());
    auto bytes = RecipientBundle::Create(c, f->org);
    if (!bytes.ok()) Fail("cannot create the fixed bundle");
    f->bundle_bytes = std::move(bytes).value();
    auto parsed = RecipientBundle::Parse(f->bundle_bytes);
    if (!parsed.ok()) Fail("the fixed bundle does not parse");
    return std::move(parsed).value();
  }
};

// With GAVAH_FUZZ_SEEDS=<dir> (scripts/test.sh sets it to the target's corpus), targets write
// seeds the committed vectors cannot simply be copied into: inputs with a mode byte first, or
// built from the vectors' fixed inputs. They are rewritten on every run, so they follow the
// vectors when those change.
inline bool WantSeeds() { return std::getenv("GAVAH_FUZZ_SEEDS") != nullptr; }
inline void WriteSeed(const std::string& name, uint8_t mode, std::span<const uint8_t> bytes) {
  const char* dir = std::getenv("GAVAH_FUZZ_SEEDS");
  if (dir == nullptr) return;
  std::ofstream out(std::string(dir) + "/seed-" + name, std::ios::binary | std::ios::trunc);
  out.put(static_cast<char>(mode));
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) Fail("cannot write a seed");
}

// A committed vector, tests/vectors/<name>; Fail() when it is missing.
inline std::vector<uint8_t> ReadVector(const std::string& name) {
  std::ifstream in(std::string(GAVAH_VECTORS_DIR) + "/" + name, std::ios::binary);
  if (!in.is_open()) Fail(("cannot read tests/vectors/" + name).c_str());
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (bytes.empty()) Fail(("tests/vectors/" + name + " is empty").c_str());
  return bytes;
}

inline const Fixtures& Fixed() {
  Init();
  static const Fixtures* f = new Fixtures();  // never destroyed: no order-of-exit surprises
  return *f;
}

}  // namespace gavah::fuzz
