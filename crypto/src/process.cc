#include "gavah/crypto/process.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <type_traits>

namespace gavah {
namespace {

SecretBuffer& PassphraseSlot() {
  static SecretBuffer* slot = new SecretBuffer();  // lives until exit; wiped by the OS with it
  return *slot;
}

std::string Errno() { return std::strerror(errno); }

template <typename Buffer>
Result<Buffer> ReadWhole(const std::string& path, size_t max_size) {
  uint64_t size = 0;
  GAVAH_ASSIGN_OR_RETURN(int fd, OpenRegularFile(path, max_size, &size));
  Buffer out;
  if constexpr (std::is_same_v<Buffer, SecretBuffer>) {
    out.Reserve(static_cast<size_t>(size));
  } else {
    out.reserve(static_cast<size_t>(size));
  }
  SecretBuffer chunk(4096);  // wiped however this function is left
  for (;;) {
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string e = Errno();
      ::close(fd);
      return Error(ErrorCode::kIo, "cannot read " + path + ": " + e);
    }
    if (n == 0) break;
    // The file may grow while it is read: the bound holds for what is read, not what fstat said.
    if (out.size() + static_cast<size_t>(n) > max_size) {
      ::close(fd);
      return Error(ErrorCode::kTooLarge,
                   path + " is too large (limit " + std::to_string(max_size) + " bytes)");
    }
    if constexpr (std::is_same_v<Buffer, SecretBuffer>) {
      out.Append(std::span<const uint8_t>(chunk.data(), static_cast<size_t>(n)));
    } else {
      out.insert(out.end(), chunk.data(), chunk.data() + n);
    }
  }
  ::close(fd);
  return out;
}

}  // namespace

Status HardenProcess() {
  const rlimit none{0, 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0)
    return Error(ErrorCode::kIo, "cannot turn core dumps off: " + Errno());
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    return Error(ErrorCode::kIo, "cannot make the process undumpable: " + Errno());
  DropProxyExemptions();
  if (char* env = std::getenv("GAVAH_PASSPHRASE"); env != nullptr) {
    const size_t n = std::strlen(env);
    PassphraseSlot() = SecretBuffer::CopyOf(std::span(reinterpret_cast<const uint8_t*>(env), n));
    // The bytes live in the environment block itself: overwrite them before dropping the name.
    sodium_memzero(env, n);
    ::unsetenv("GAVAH_PASSPHRASE");
  }
  return Status::Ok();
}

void DropProxyExemptions() {
  for (const char* name : {"no_proxy", "NO_PROXY", "no_grpc_proxy"}) {
    if (std::getenv(name) != nullptr) ::unsetenv(name);
  }
}

const SecretBuffer& EnvironmentPassphrase() { return PassphraseSlot(); }

Result<int> OpenRegularFile(const std::string& path, uint64_t max_size, uint64_t* size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    if (errno == ELOOP)
      return Error(ErrorCode::kIo, "cannot read " + path + ": a symbolic link, not a file");
    return Error(ErrorCode::kIo, "cannot read " + path + ": " + Errno());
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error(ErrorCode::kIo, "cannot read " + path + ": not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    ::close(fd);
    return Error(ErrorCode::kTooLarge,
                 path + " is too large (limit " + std::to_string(max_size) + " bytes)");
  }
  // O_NONBLOCK only kept a FIFO from blocking the open itself; regular files ignore it, but a
  // reader that later sees EAGAIN would be confused.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (size != nullptr) *size = static_cast<uint64_t>(st.st_size);
  return fd;
}

Result<std::vector<uint8_t>> ReadRegularFile(const std::string& path, size_t max_size) {
  return ReadWhole<std::vector<uint8_t>>(path, max_size);
}

Result<SecretBuffer> ReadRegularSecretFile(const std::string& path, size_t max_size) {
  return ReadWhole<SecretBuffer>(path, max_size);
}

}  // namespace gavah
