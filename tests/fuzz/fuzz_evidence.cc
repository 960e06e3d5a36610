// The evidence package's text formats, as verify-export reads them from a package anyone may
// have built. Input: mode byte (0: manifest.txt, 1: file-key.txt) || the file's bytes. What
// parses must be exactly the canonical form: writing the parsed fields back gives the input.
#include <cstdint>
#include <string>

#include "fuzz_fixtures.h"
#include "gavah/crypto/evidence.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)gavah::fuzz::Fixed();
  if (gavah::fuzz::WantSeeds()) {
    const std::string m = std::string(gavah::kEvidenceManifestMagic) + "\nenvelope " +
                          std::string(64, 'a') + "\nexported_at 1796108400\nexported_by " +
                          std::string(32, 'b') + "\n" + std::string(64, 'c') + "  envelope.gvh\n" +
                          std::string(64, 'd') + "  testimony/testimony.txt\n";
    gavah::fuzz::WriteSeed("manifest", 0, gavah::fuzz::Bytes(m));
    const auto key = gavah::fuzz::ReadVector("evidence-2of3/file-key.txt");
    gavah::fuzz::WriteSeed("file-key", 1, key);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gavah::fuzz::Init();
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 2 == 0) {
    auto m = gavah::ParseEvidenceManifest(text);
    if (!m.ok()) return 0;
    std::string back = std::string(gavah::kEvidenceManifestMagic) + "\nenvelope " +
                       std::string(m->id_hex) + "\nexported_at " + std::to_string(m->exported_at) +
                       "\nexported_by " + std::string(m->exported_by) + "\n";
    for (const auto& [digest, path] : m->files)
      back += std::string(digest) + "  " + std::string(path) + "\n";
    if (back != text) gavah::fuzz::Fail();
    for (const auto& [digest, path] : m->files) {
      if (path.empty() || path.front() == '/' || path == ".." || path.starts_with("../") ||
          path.find("/../") != std::string_view::npos || path.ends_with("/.."))
        gavah::fuzz::Fail();
    }
    return 0;
  }
  auto key = gavah::ParseFileKeyText(text);
  if (!key.ok()) return 0;
  if (key->size() != 32 || gavah::FileKeyText(*key).view() != text) gavah::fuzz::Fail();
  return 0;
}
