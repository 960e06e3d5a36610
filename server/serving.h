// What the intake server and a relay share to run: their `key = value` configuration files and a
// gRPC server on a pinned self-signed TLS identity.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "accept_guard.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah::server {

// The SHA-256 of a certificate PEM, in hex: what operators compare when pinning.
std::string CertPin(const std::string& pem);

// A supervisor's health check: connects to `listen` (a wildcard host means this machine) as a
// witness would, pinned to `cert_pem`, and makes one Probe call within `timeout_seconds`. OK
// only when the whole path answers: the listener accepts, TLS completes, a call is served.
Status CheckHealth(const std::string& listen, const std::string& cert_pem, int timeout_seconds);

// gRPC's own log lines can name peers' addresses; servers and relays keep none.
void SilenceGrpcLog();

// Builds and starts a TLS gRPC server on `listen` with `services`, with the limits both the
// server and relays use (2 MiB messages, `streams_per_connection`, keepalive, handshake and
// idle timeouts, at most `max_threads` synchronous threads, connections capped by `caps`).
// Answers null when it cannot listen.
std::unique_ptr<grpc::Server> StartTlsServer(const std::string& listen, const SecretBuffer& key_pem,
                                             const std::string& cert_pem,
                                             const std::vector<grpc::Service*>& services,
                                             int max_threads, int streams_per_connection,
                                             const ConnectionCaps& caps, const char* name);

}  // namespace gavah::server
