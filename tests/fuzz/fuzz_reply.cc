// Replies as the witness opens them from its mailbox, with a fixed reply key pair. The first
// byte picks what the input is:
//   0: the sealed reply as fetched (seed: tests/vectors/reply.bin, sealed to a key whose secret
//      is unknown, so it reaches the size checks and a failed open);
//   1: the reply plaintext, sealed here, so the framing behind the seal is reached (length,
//      zero padding, UTF-8);
//   2: a reply text, sealed with SealReply: what seals must open to the same text.
#include <sodium.h>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "fuzz_fixtures.h"
#include "gavah/crypto/reply.h"

namespace {

void WriteSeeds() {
  gavah::fuzz::WriteSeed("sealed", 0, gavah::fuzz::ReadVector("reply.bin"));
  const std::string_view text = "We received your testimony.";
  std::vector<uint8_t> plain(1024, 0);
  const char domain[] = "gavah-reply-v1";
  std::memcpy(plain.data(), domain, sizeof domain);
  plain[sizeof domain + 3] = static_cast<uint8_t>(text.size());
  std::memcpy(plain.data() + sizeof domain + 4, text.data(), text.size());
  gavah::fuzz::WriteSeed("plain", 1, plain);
  gavah::fuzz::WriteSeed("text", 2, gavah::fuzz::Bytes(text));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)gavah::fuzz::Fixed();
  if (gavah::fuzz::WantSeeds()) WriteSeeds();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& f = gavah::fuzz::Fixed();
  if (size == 0) return 0;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      (void)gavah::OpenReply(rest, f.reply_key);
      break;
    case 1: {
      std::vector<uint8_t> sealed(rest.size() + crypto_box_SEALBYTES);
      crypto_box_seal(sealed.data(), rest.data(), rest.size(), f.reply_key.public_key.data());
      auto text = gavah::OpenReply(sealed, f.reply_key);
      // An opened reply is text SealReply accepts, and sealing it again opens to the same.
      if (text.ok()) {
        auto again = gavah::SealReply(text->span(), f.reply_key.public_key);
        if (!again.ok()) gavah::fuzz::Fail();
        auto back = gavah::OpenReply(again.value(), f.reply_key);
        if (!back.ok() || !back->Equals(text->span())) gavah::fuzz::Fail();
      }
      break;
    }
    default: {
      auto sealed = gavah::SealReply(rest, f.reply_key.public_key);
      if (!sealed.ok()) return 0;
      if (sealed->size() > crypto_box_SEALBYTES + 64 * 1024) gavah::fuzz::Fail();
      auto back = gavah::OpenReply(sealed.value(), f.reply_key);
      if (!back.ok() || !back->Equals(rest)) gavah::fuzz::Fail();
      break;
    }
  }
  return 0;
}
