// Big-endian integer encoding shared by the format code.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace gavah::internal {

inline void PutU16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
inline void PutU32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
inline void PutU64(std::vector<uint8_t>& out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
inline uint64_t GetBE(std::span<const uint8_t> in) {
  uint64_t v = 0;
  for (uint8_t b : in) v = (v << 8) | b;
  return v;
}
// resize + memcpy rather than insert(): GCC 12 reports false overflows for the latter.
inline void Put(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  const size_t old = out.size();
  out.resize(old + bytes.size());
  std::memcpy(out.data() + old, bytes.data(), bytes.size());
}

}  // namespace gavah::internal
