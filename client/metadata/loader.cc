// Inspect and Clean for programs that do not link the metadata libraries: the module is loaded
// on first use, so that a witness's every other command starts without them (they are most of
// the program's start-up time). The module is looked for beside the running program, then where
// the build put it (the app's binary lives in another folder of the build), and loaded only from
// a place no other user can write to.
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
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

// Code loaded into the witness's process sees the testimony, so the module must be one that
// only this user (or root) could have put there: a regular file, not a symbolic link, owned by
// the user or root and writable by no one else, in a folder of the same kind. The file checked
// is the file loaded (through /proc/self/fd). The descriptor stays open, as the module does.
void* OpenTrusted(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return nullptr;
  const uid_t me = ::geteuid();
  auto trusted = [me](const struct stat& st) {
    return (st.st_uid == me || st.st_uid == 0) && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
  };
  struct stat dir {};
  if (::stat(path.substr(0, slash).c_str(), &dir) != 0 || !S_ISDIR(dir.st_mode) || !trusted(dir))
    return nullptr;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat file {};
  if (::fstat(fd, &file) != 0 || !S_ISREG(file.st_mode) || !trusted(file)) {
    ::close(fd);
    return nullptr;
  }
  void* handle = ::dlopen(("/proc/self/fd/" + std::to_string(fd)).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) ::close(fd);
  return handle;
}

const Loaded& Load() {
  static Loaded loaded;
  static std::once_flag once;
  std::call_once(once, [] {
    const std::string program = ProgramDirectory();
    void* handle = nullptr;
    for (const std::string& path :
         {program.empty() ? std::string() : program + "/" GAVAH_METADATA_MODULE_NAME,
          std::string(GAVAH_METADATA_MODULE_PATH)}) {
      if (!path.empty()) handle = OpenTrusted(path);
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
