// Envelope header framing and share opening, as a reader sees an untrusted file.
#include <cstdint>
#include <cstring>

#include "gavah/crypto/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool ready = gavah::InitCrypto();
  static const gavah::InvestigatorSecretKey key = gavah::InvestigatorSecretKey::Generate("fuzz");
  (void)ready;
  gavah::MemorySource in(std::span<const uint8_t>(data, size));
  auto header = gavah::ReadEnvelopeHeader(in);
  if (!header.ok()) return 0;
  (void)header->envelope_size();
  auto share = gavah::OpenShare(header.value(), key);
  if (share.ok()) {
    std::vector<gavah::Share> shares;
    shares.push_back(std::move(share).value());
    (void)gavah::CombineShares(header.value(), shares);
  }
  return 0;
}
