#include "gavah/crypto/padding.h"

#include <bit>

namespace gavah {

uint64_t PaddedLength(uint64_t length) {
  if (length <= kMinPaddedLength) return kMinPaddedLength;
  // Padmé: keep the top floor(log2(E))+1 bits of the length's E = floor(log2(L)) and round the
  // rest up.
  const unsigned e = 63 - std::countl_zero(length);
  const unsigned s = 64 - std::countl_zero(static_cast<uint64_t>(e));
  const unsigned last_bits = e - s;
  const uint64_t mask = (uint64_t{1} << last_bits) - 1;
  return (length + mask) & ~mask;
}

}  // namespace gavah
