// Inspect and Clean for programs that do not link the metadata libraries: the module is loaded
// on first use, so that a witness's every other command starts without them (they are most of
// the program's start-up time). The module is looked for beside the running program, then where
// the build put it.
#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>

#include <mutex>
#include <string>

#include "module_api.h"

namespace gavah::metadata {
namespace {

struct Loaded {
  const ModuleApi* api = nullptr;
  std::string error;
};

std::string ProgramDirectory() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string path(buf, static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

const Loaded& Load() {
  static Loaded loaded;
  static std::once_flag once;
  std::call_once(once, [] {
    const std::string beside = ProgramDirectory() + "/" GAVAH_METADATA_MODULE_NAME;
    void* handle = nullptr;
    for (const std::string& path : {beside, std::string(GAVAH_METADATA_MODULE_PATH)}) {
      handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle != nullptr) break;
    }
    if (handle == nullptr) {
      loaded.error = "the metadata module (" GAVAH_METADATA_MODULE_NAME ") could not be loaded";
      return;
    }
    auto entry =
        reinterpret_cast<const ModuleApi* (*)()>(::dlsym(handle, "gavah_metadata_module_api"));
    const ModuleApi* api = entry != nullptr ? entry() : nullptr;
    if (api == nullptr || api->version != kModuleApiVersion) {
      loaded.error = "the metadata module (" GAVAH_METADATA_MODULE_NAME ") is from another build";
      return;
    }
    loaded.api = api;  // the handle stays open for the life of the process
  });
  return loaded;
}

}  // namespace

Result<Report> Inspect(std::span<const uint8_t> bytes) {
  const Loaded& m = Load();
  if (m.api == nullptr) return Error(ErrorCode::kUnsupported, m.error);
  return m.api->inspect(bytes);
}

Result<SecretBuffer> Clean(std::span<const uint8_t> bytes) {
  const Loaded& m = Load();
  if (m.api == nullptr) return Error(ErrorCode::kUnsupported, m.error);
  return m.api->clean(bytes);
}

}  // namespace gavah::metadata
