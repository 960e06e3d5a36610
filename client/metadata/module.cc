// The metadata module's entry point: Exiv2, qpdf and libav (about 120 shared libraries) are
// loaded with it, only when a witness's attachment is inspected or cleaned.
#include "module_api.h"

namespace {
const gavah::metadata::ModuleApi kApi = {gavah::metadata::kModuleApiVersion,
                                         &gavah::metadata::Inspect, &gavah::metadata::Clean};
}  // namespace

extern "C" __attribute__((visibility("default"))) const gavah::metadata::ModuleApi*
gavah_metadata_module_api() {
  return &kApi;
}
