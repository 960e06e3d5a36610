// The witness device's pin file (PROTOCOL.md section 5), which anything with access to the
// witness's home folder could have written. The real reader, OrganisationPins::Load, on the
// input as the file's bytes: it either loads or refuses with its one-line failure, and what it
// loads it writes back so that it loads the same again.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "cli_support.h"
#include "fuzz_fixtures.h"
#include "pins.h"

namespace {

const std::string& Dir() {
  static const std::string* dir = [] {
    char tmpl[] = "/tmp/gavah-fuzz-pins-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) gavah::fuzz::Fail();
    return new std::string(tmpl);
  }();
  return *dir;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)gavah::fuzz::Fixed();
  if (const char* dir = std::getenv("GAVAH_FUZZ_SEEDS")) {
    std::ofstream(std::string(dir) + "/seed-pins")
        << "gavah-pin-v2 0123456789abcdef0123456789abcdef 1796108400 T3Jn\n"
        << "gavah-pin-v1 fedcba9876543210fedcba9876543210 b3RoZXI=\n";
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = Dir() + "/pinned-organisations";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    auto pins = gavah::cli::OrganisationPins::Load(path);
    // Written back (through Pin, which rewrites the file) and read again: the same pins.
    const gavah::Fingerprint fp{};
    pins.Pin("fuzz", fp, 1);
    auto again = gavah::cli::OrganisationPins::Load(path);
    auto mine = again.Find("fuzz");
    if (!mine || mine->fingerprint != fp) gavah::fuzz::Fail();
  } catch (const gavah::cli::Failure&) {
    // The one-line refusal of a damaged file: fine.
  }
  return 0;
}
