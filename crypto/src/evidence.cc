#include "gavah/crypto/evidence.h"

#include <sodium.h>

#include <algorithm>
#include <string>

namespace gavah {
namespace {

Status Malformed(const std::string& what) { return Error(ErrorCode::kMalformed, what); }

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool StaysInside(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  for (size_t start = 0; start <= path.size();) {
    const size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

Result<EvidenceManifest> ParseEvidenceManifest(std::string_view text) {
  EvidenceManifest m;
  size_t at = 0;
  std::string_view line;
  bool unterminated = false;
  auto next = [&]() {
    if (at >= text.size()) return false;
    const size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) {
      unterminated = true;
      return false;
    }
    line = text.substr(at, nl - at);
    at = nl + 1;
    return true;
  };
  if (!next() || line != kEvidenceManifestMagic) {
    if (line == "gavah-export-v1")
      return Error(ErrorCode::kUnsupported,
                   "is an evidence package of an older format, which carries no file key: its "
                   "testimony cannot be checked against the envelope; export it again");
    return Malformed("is not a Gavah evidence manifest");
  }
  auto header = [&](std::string_view key, std::string_view* value) {
    if (!next() || !line.starts_with(key) || line.size() == key.size()) return false;
    *value = line.substr(key.size());
    return true;
  };
  std::string_view exported_at;
  if (!header("envelope ", &m.id_hex) || m.id_hex.size() != 64 || !IsLowerHex(m.id_hex))
    return Malformed("lacks a well-formed \"envelope\" line");
  if (!header("exported_at ", &exported_at) || exported_at.size() > 19 ||
      exported_at.find_first_not_of("0123456789") != std::string_view::npos ||
      (exported_at.size() > 1 && exported_at.front() == '0'))
    return Malformed("lacks a well-formed \"exported_at\" line");
  for (char c : exported_at) m.exported_at = m.exported_at * 10 + static_cast<uint64_t>(c - '0');
  if (!header("exported_by ", &m.exported_by) || m.exported_by.size() != 32 ||
      !IsLowerHex(m.exported_by))
    return Malformed("lacks a well-formed \"exported_by\" line");
  std::string_view previous;
  while (next()) {
    if (line.size() < 67 || line.substr(64, 2) != "  " || !IsLowerHex(line.substr(0, 64)))
      return Malformed("has a malformed line");
    const std::string_view path = line.substr(66);
    if (!StaysInside(path)) return Malformed("names a path outside the package");
    // Sorted and each once: one path cannot be listed twice with two digests.
    if (!previous.empty() && path <= previous) return Malformed("lists its files out of order");
    previous = path;
    m.files.emplace_back(line.substr(0, 64), path);
  }
  if (unterminated) return Malformed("does not end with a line break");
  return m;
}

SecretBuffer FileKeyText(const SecretBuffer& file_key) {
  SecretBuffer text;
  text.Append(kFileKeyMagic);
  text.PushBack(' ');
  SecretBuffer hex(2 * file_key.size() + 1);
  sodium_bin2hex(reinterpret_cast<char*>(hex.data()), hex.size(), file_key.data(), file_key.size());
  text.Append(hex.span().first(2 * file_key.size()));
  text.PushBack('\n');
  return text;
}

Result<SecretBuffer> ParseFileKeyText(std::string_view t) {
  const size_t prefix = kFileKeyMagic.size() + 1;
  SecretBuffer key(32);
  size_t len = 0;
  if (t.size() != prefix + 65 || !t.starts_with(kFileKeyMagic) || t[prefix - 1] != ' ' ||
      t.back() != '\n' || !IsLowerHex(t.substr(prefix, 64)) ||
      sodium_hex2bin(key.data(), key.size(), t.data() + prefix, 64, nullptr, &len, nullptr) != 0 ||
      len != 32) {
    return Malformed("not a Gavah file key");
  }
  return key;
}

}  // namespace gavah
