// Envelope header framing and share opening, as a reader sees an untrusted file, for both
// versions: Azadeh's version 1 key (the fixtures') and her version 2 key of the vectors (secret
// material counting up from 0x40 over 96 bytes), so that the committed envelopes of either
// version reach CombineShares.
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_fixtures.h"
#include "gavah/crypto/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool ready = gavah::InitCrypto();
  static const gavah::InvestigatorSecretKey v1 =
      gavah::InvestigatorSecretKey::FromSecret(
          "Azadeh", gavah::SecretBuffer::CopyOf(gavah::fuzz::Fill(64, 0x40)))
          .value();
  static const gavah::InvestigatorSecretKey v2 =
      gavah::InvestigatorSecretKey::FromSecret(
          "Azadeh", gavah::SecretBuffer::CopyOf(gavah::fuzz::Fill(96, 0x40)))
          .value();
  (void)ready;
  gavah::MemorySource in(std::span<const uint8_t>(data, size));
  auto header = gavah::ReadEnvelopeHeader(in);
  if (!header.ok()) return 0;
  (void)header->envelope_size();
  auto share = gavah::OpenShare(header.value(), header->version == 2 ? v2 : v1);
  if (share.ok()) {
    std::vector<gavah::Share> shares;
    shares.push_back(std::move(share).value());
    (void)gavah::CombineShares(header.value(), shares);
  }
  return 0;
}
