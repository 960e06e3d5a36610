// A metadata module that is not the project's: it answers every call with a marker, so that a
// test can tell whether the witness loaded it.
#include "module_api.h"

namespace {

gavah::Result<gavah::metadata::Report> Inspect(std::span<const uint8_t>) {
  return gavah::Error(gavah::ErrorCode::kMalformed, "EVIL MODULE LOADED");
}
gavah::Result<gavah::SecretBuffer> Clean(std::span<const uint8_t>) {
  return gavah::Error(gavah::ErrorCode::kMalformed, "EVIL MODULE LOADED");
}
const gavah::metadata::ModuleApi kApi = {gavah::metadata::kModuleApiVersion, &Inspect, &Clean};

}  // namespace

extern "C" __attribute__((visibility("default"))) const gavah::metadata::ModuleApi*
gavah_metadata_module_api() {
  return &kApi;
}
