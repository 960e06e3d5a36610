// The investigator's operations, for every front end (gavah-investigator, and the desk to come).
// Nothing here prints, prompts or exits: passphrases come in as secret bytes, keys come in
// unlocked, and the caller says what to show. Formats: docs/PROTOCOL.md.
//
// This first part holds the organisation's set-up (keys and the signed bundle); sync, open,
// release-share, annotate, reply, export, verify-export, mark-delete and purge still live in
// client/investigator_main.cc.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gavah/crypto/bundle.h"
#include "gavah/crypto/keys.h"
#include "gavah/crypto/status.h"

namespace gavah::investigator {

// Where a new key goes: `key_file` and its public half beside it (section 1.3), neither of which
// may exist. Checked before any passphrase is asked for.
struct KeyPaths {
  std::string key_file, public_file;
};
Result<KeyPaths> FreeKeyPaths(const std::string& key_file);

struct NewKey {
  KeyPaths paths;
  std::string fingerprint;  // 32 hex digits
};
// A fresh organisation signing key, encrypted under `passphrase`, read back before it is kept.
Result<NewKey> CreateOrganisationKey(const KeyPaths& paths, std::span<const uint8_t> passphrase);
// A fresh investigator key pair for `name` (1-64 bytes of printable UTF-8).
Result<NewKey> CreateInvestigatorKey(const std::string& name, const KeyPaths& paths,
                                     std::span<const uint8_t> passphrase);

inline constexpr uint64_t kMaxBundleExpiryDays = 3650;
struct BundleRequest {
  std::string name;                        // the organisation's name, shown to witnesses
  std::vector<std::string> investigators;  // .pub files
  unsigned threshold = 0;
  std::vector<std::string> servers, relays, relay_certs;
  std::string server_cert, receipt_key;  // PEM file; receipt.pub
  uint64_t expires_days = 365;
  uint64_t now = 0;  // issued_at, Unix seconds
};
// The bundle's contents, with every rule checked (k, n, duplicates, pins, receipt key) before the
// organisation key is unlocked. Relays come first: a witness tries endpoints in order.
Result<BundleContents> PrepareBundle(const BundleRequest& request);
// Signs `contents` and writes the bundle to `out` (0644), which must not exist.
Result<std::vector<uint8_t>> WriteBundle(const BundleContents& contents, const OrganisationKey& key,
                                         const std::string& out);

}  // namespace gavah::investigator
