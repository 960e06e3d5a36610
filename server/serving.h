// What the intake server and a relay share to run: their `key = value` configuration files and a
// gRPC server on a pinned self-signed TLS identity.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gavah/crypto/secret_buffer.h"

namespace gavah::server {

using Config = std::map<std::string, std::string>;

// Reads `key = value` lines ('#' starts a comment line); a malformed line fails the program.
Config ReadConfig(const std::string& path);
// A whole number, or `fallback` when the key is absent; anything else fails the program,
// naming `path` and `key`.
uint64_t ConfigNumber(const Config& conf, const std::string& path, const std::string& key,
                      uint64_t fallback);

// The SHA-256 of a certificate PEM, in hex: what operators compare when pinning.
std::string CertPin(const std::string& pem);

// gRPC's own log lines can name peers' addresses; servers and relays keep none.
void SilenceGrpcLog();

// Builds and starts a TLS gRPC server on `listen` with `services`, with the limits both the
// server and relays use (2 MiB messages, 64 streams per connection, keepalive, idle timeout,
// at most `max_threads` threads). Fails the program when it cannot listen.
std::unique_ptr<grpc::Server> StartTlsServer(const std::string& listen, const SecretBuffer& key_pem,
                                             const std::string& cert_pem,
                                             const std::vector<grpc::Service*>& services,
                                             int max_threads, int streams_per_connection,
                                             const char* name);

}  // namespace gavah::server
