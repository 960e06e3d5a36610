// The server's self-signed TLS identity. Witnesses pin the certificate through the bundle, so
// no certificate authority is involved; the certificate names the fixed host "gavah-intake",
// which clients use as the TLS target name whatever address they dial (IP, onion, relay).
#pragma once

#include <string>

#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah::server {

inline constexpr char kTlsName[] = "gavah-intake";

struct TlsIdentity {
  SecretBuffer private_key_pem;  // PKCS#8, ECDSA P-256
  std::string certificate_pem;   // X.509 v3, self-signed, 20 years, SAN DNS:gavah-intake
};

Result<TlsIdentity> GenerateTlsIdentity();

}  // namespace gavah::server
