// The transparency log's parsers on untrusted bytes (a hostile server, witness or mirror sends
// them). The first byte picks what the rest is:
//   0: a signed note, opened with a fixed known log key and witness key (it must never verify
//      a forgery);
//   1: a checkpoint text: when it parses, formatting it gives the same bytes back;
//   2: a tile path: when it parses, writing it gives the same path back;
//   3: an entry bundle: when it parses, encoding it gives the same bytes back;
//   4: an inclusion proof and 5: a consistency proof, for sizes and hashes from the input;
//   6: an add-checkpoint request: when it parses, formatting it gives it back, and a witness
//      never cosigns it (no input is signed by the log's key).
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_fixtures.h"
#include "gavah/crypto/intake_log.h"
#include "gavah/crypto/tlog.h"

namespace {

using namespace gavah::tlog;

VerifierKey Key(const char* name, uint8_t seed_start, uint8_t type) {
  const auto seed = gavah::fuzz::Fill(32, seed_start);
  uint8_t pk[32], sk[64];
  crypto_sign_seed_keypair(pk, sk, seed.data());
  sodium_memzero(sk, sizeof sk);
  return MakeVerifierKey(name, std::span<const uint8_t, 32>(pk), type);
}

uint64_t U64(std::span<const uint8_t>& in) {
  uint64_t v = 0;
  for (int i = 0; i < 8 && !in.empty(); ++i) {
    v = (v << 8) | in[0];
    in = in.subspan(1);
  }
  return v;
}

std::vector<gavah::Digest32> Hashes(std::span<const uint8_t> in) {
  std::vector<gavah::Digest32> out(std::min<size_t>(in.size() / 32, 70));
  for (size_t i = 0; i < out.size(); ++i) std::memcpy(out[i].data(), in.data() + 32 * i, 32);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (sodium_init() < 0) gavah::fuzz::Fail("sodium_init");
  if (gavah::fuzz::WantSeeds()) {
    const std::string cp = "log.example/gavah\n3\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\n";
    gavah::fuzz::WriteSeed("checkpoint", 1, gavah::fuzz::Bytes(cp));
    gavah::fuzz::WriteSeed("note", 0,
                           gavah::fuzz::Bytes(cp + "\n\xe2\x80\x94 log.example/gavah AAAAAAAA\n"));
    gavah::fuzz::WriteSeed("tile", 2, gavah::fuzz::Bytes("tile/0/x001/x234/067.p/89"));
    gavah::fuzz::WriteSeed("bundle", 3, std::vector<uint8_t>{0, 3, 1, 2, 3, 0, 0});
    gavah::fuzz::WriteSeed("proof", 7,
                           gavah::fuzz::Bytes("c2sp.org/tlog-proof@v1\nindex 0\n\n" + cp +
                                              "\n\xe2\x80\x94 log.example/gavah AAAAAAAA\n"));
    std::vector<uint8_t> entry(41, 0);
    entry[0] = 1;
    gavah::fuzz::WriteSeed("entry", 8, entry);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::span<const uint8_t> rest(data + 1, size - 1);
  const std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
  switch (data[0] % 9) {
    case 0: {
      static const VerifierKey known[] = {Key("log.example/gavah", 0x21, kEd25519Type),
                                          Key("witness.example/w", 0x61, kCosignatureType)};
      // Nobody holds the key's seed but this file, and no input signs with it.
      if (OpenNote(text, known).ok()) gavah::fuzz::Fail("a forged note verified");
      break;
    }
    case 1: {
      auto c = ParseCheckpoint(text);
      if (c.ok() && FormatCheckpoint(*c) != text) gavah::fuzz::Fail("checkpoint not canonical");
      break;
    }
    case 2: {
      auto t = ParseTilePath(text);
      if (t.ok() && (t->entries ? EntriesPath(t->index, t->width)
                                : TilePath(t->level, t->index, t->width)) != text)
        gavah::fuzz::Fail("tile path not canonical");
      break;
    }
    case 3: {
      auto b = ParseEntryBundle(rest);
      if (b.ok()) {
        auto again = EncodeEntryBundle(*b);
        if (!again.ok() || !std::equal(again->begin(), again->end(), rest.begin(), rest.end()))
          gavah::fuzz::Fail("entry bundle does not round-trip");
      }
      break;
    }
    case 4: {
      const uint64_t index = U64(rest), tree = U64(rest);
      auto h = Hashes(rest);
      if (h.size() < 2) break;
      (void)VerifyInclusion(index, tree, h[0], std::span(h).subspan(2), h[1]);
      break;
    }
    case 5: {
      const uint64_t m = U64(rest), n = U64(rest);
      auto h = Hashes(rest);
      if (h.size() < 2) break;
      (void)VerifyConsistency(m, n, h[0], h[1], std::span(h).subspan(2));
      break;
    }
    case 6: {
      auto r = ParseAddCheckpoint(text);
      if (!r.ok()) break;
      if (FormatAddCheckpoint(*r) != text) gavah::fuzz::Fail("request not canonical");
      static const NoteSigner* witness = [] {
        auto* w = new NoteSigner{"witness.example/w", gavah::SecretBuffer(64)};
        uint8_t pk[32];
        const auto seed = gavah::fuzz::Fill(32, 0x61);
        crypto_sign_seed_keypair(pk, w->secret_key.data(), seed.data());
        return w;
      }();
      static const std::vector<WitnessedLog> logs = {
          {"log.example/gavah", {Key("log.example/gavah", 0x21, kEd25519Type)}}};
      if (DecideAddCheckpoint(*r, logs, std::nullopt, *witness, 1).http_status == 200)
        gavah::fuzz::Fail("a witness cosigned a forged checkpoint");
      break;
    }
    case 7: {
      // A proof as a witness's device reads one: it must round-trip, and no checkpoint in it
      // passes for the log's without the log's key.
      auto p = ParseTlogProof(text);
      if (!p.ok()) break;
      if (FormatTlogProof(*p) != text) gavah::fuzz::Fail("proof not canonical");
      gavah::PublicKey32 log_key{};
      std::copy_n(Key("log.example/gavah", 0x21, kEd25519Type).public_key.begin(), 32,
                  log_key.begin());
      if (AcceptCheckpoint(p->checkpoint, log_key, {}, 0).ok())
        gavah::fuzz::Fail("a forged checkpoint was accepted");
      break;
    }
    case 8: {
      // A log entry: typed, of its exact size; what parses encodes back to the same bytes.
      auto e = ParseEntry(rest);
      if (e.ok()) {
        const auto again = EncodeEntry(*e);
        if (!std::equal(again.begin(), again.end(), rest.begin(), rest.end()))
          gavah::fuzz::Fail("log entry does not round-trip");
      }
      (void)LogKeyFromOrigin(text);
      break;
    }
  }
  return 0;
}
