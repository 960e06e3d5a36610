// What every Gavah binary does to its own process before touching a secret, and the one way to
// read a file someone else handed over. Rules: docs/THREAT_MODEL.md, "The device itself".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah {

// Core dumps off (RLIMIT_CORE 0), the process not dumpable (no ptrace by the same user, no
// /proc/PID/mem), the proxy exemption variables removed (gRPC would otherwise connect directly
// to an address they name even when a proxy is set), and GAVAH_PASSPHRASE moved into secret
// memory and wiped from the environment, so no child and no /proc/PID/environ reader sees it.
// Returns the first thing that could not be done; the caller refuses to go on.
Status HardenProcess();

// Removes no_proxy, NO_PROXY and no_grpc_proxy where set: gRPC connects directly to any address
// they name even when a proxy is given, which would show a server the caller's own address.
// HardenProcess() calls it; so does every channel built with a proxy, for front ends that do
// not go through RunMain. unsetenv is called only for a variable that is set, so that threads
// started since see no change in the common case.
void DropProxyExemptions();

// The passphrase HardenProcess() took out of the environment (empty when there was none).
const SecretBuffer& EnvironmentPassphrase();

// Reads a whole regular file of at most `max_size` bytes that came from outside (a bundle, a key,
// a manifest, a receipt, a pin file, an envelope to import): opened O_NOFOLLOW | O_NONBLOCK so a
// link is refused and a FIFO cannot block, checked with fstat to be a regular file, its size
// checked before anything is read. Messages name `path` but never its contents.
Result<std::vector<uint8_t>> ReadRegularFile(const std::string& path, size_t max_size);
Result<SecretBuffer> ReadRegularSecretFile(const std::string& path, size_t max_size);

// Opens `path` for reading the same way and returns the fd (blocking mode restored), for readers
// that stream. The caller closes it. `size` receives the file's size.
Result<int> OpenRegularFile(const std::string& path, uint64_t max_size, uint64_t* size);

}  // namespace gavah
