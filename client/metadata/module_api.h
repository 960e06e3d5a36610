// The table of functions that the metadata module (libgavah_metadata.so, loaded on first use)
// hands to the shim in loader.cc. Both sides are built together, so `version` only guards against
// a stale module from an older build sitting beside the program.
#pragma once

#include <cstdint>
#include <span>

#include "metadata.h"

namespace gavah::metadata {

inline constexpr uint32_t kModuleApiVersion = 1;

struct ModuleApi {
  uint32_t version;
  Result<Report> (*inspect)(std::span<const uint8_t> bytes);
  Result<SecretBuffer> (*clean)(std::span<const uint8_t> bytes);
};

}  // namespace gavah::metadata

// The module's one exported symbol.
extern "C" const gavah::metadata::ModuleApi* gavah_metadata_module_api();
