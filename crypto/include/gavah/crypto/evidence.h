// The text formats of an evidence package: its manifest and the file key it carries.
// Format and checks: docs/PROTOCOL.md section 10a.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah {

inline constexpr std::string_view kEvidenceManifestMagic = "gavah-export-v2";
inline constexpr std::string_view kFileKeyMagic = "gavah-file-key-v1";

// Views into the manifest's text (which names the testimony's attachments: keep it in secret
// memory), valid while that text lives.
struct EvidenceManifest {
  std::string_view id_hex, exported_by;
  uint64_t exported_at = 0;
  std::vector<std::pair<std::string_view, std::string_view>> files;  // sha256 hex, path
};

// Exactly the form of section 10a: the magic line, `envelope`, `exported_at`, `exported_by`,
// then "<64 lower-case hex>  <path>" lines sorted by path, each once, no path leaving the
// package, every line ended by a line break. kUnsupported for a manifest of the earlier format
// (no file key), kMalformed for anything else that differs.
Result<EvidenceManifest> ParseEvidenceManifest(std::string_view text);

// "gavah-file-key-v1 <64 lower-case hex digits>\n".
SecretBuffer FileKeyText(const SecretBuffer& file_key);
Result<SecretBuffer> ParseFileKeyText(std::string_view text);

}  // namespace gavah
