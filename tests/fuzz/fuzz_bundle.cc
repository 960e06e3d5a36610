// Bundle parsing: the framing and signature check on raw input (first byte even), and the body
// rules behind a valid signature (first byte odd: the rest is signed with a fixed key first).
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "gavah/crypto/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool ready = (google::protobuf::SetLogHandler(nullptr), gavah::InitCrypto());
  (void)ready;
  if (size == 0) return 0;
  if ((data[0] & 1) == 0) {
    (void)gavah::RecipientBundle::Parse(std::span<const uint8_t>(data + 1, size - 1));
    return 0;
  }
  static const gavah::OrganisationKey org =
      gavah::OrganisationKey::FromSeed(gavah::SecretBuffer(32)).value();
  // Bit 1 of the first byte picks the version the body is signed as (2: X-Wing keys).
  const uint8_t version = (data[0] & 2) ? 2 : 1;
  const size_t body = size - 1;
  if (body == 0 || body > (version == 2 ? gavah::kMaxBundleBodyV2 : gavah::kMaxBundleBody))
    return 0;
  std::vector<uint8_t> b = {'G', 'V', 'H', 'B', 'D', 'L', 0, version};
  b.insert(b.end(), org.public_key().begin(), org.public_key().end());
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(body >> s));
  b.insert(b.end(), data + 1, data + size);
  std::vector<uint8_t> msg = {'g', 'a', 'v', 'a', 'h', '-', 'b', 'u',
                              'n', 'd', 'l', 'e', '-', 'v', '1', 0};
  msg.insert(msg.end(), b.begin(), b.end());
  const auto sig = org.Sign(msg);
  b.insert(b.end(), sig.begin(), sig.end());
  auto parsed = gavah::RecipientBundle::Parse(b, org.fingerprint());
  if (parsed.ok()) (void)parsed->CheckCurrent(0);
  return 0;
}
