// Hex and Base64 helpers for public values (ids, public keys, fingerprints). Never for secrets.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gavah {

std::string ToHex(std::span<const uint8_t> bytes);
// Lower or upper case, no separators; nullopt on anything else.
std::optional<std::vector<uint8_t>> FromHex(std::string_view hex);
std::string ToBase64(std::span<const uint8_t> bytes);
// Standard alphabet with padding, strict; nullopt on anything else.
std::optional<std::vector<uint8_t>> FromBase64(std::string_view text);

}  // namespace gavah
