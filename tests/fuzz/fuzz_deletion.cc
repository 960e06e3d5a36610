// Deletion statements as a sync sees them: whatever a server lists beside a deleted envelope.
// Input: the statements, one after the other, 97 bytes each (a short tail is one more, malformed
// statement). Seed: tests/vectors/deletion-statement.bin, which verifies for the fixtures.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_fixtures.h"
#include "gavah/crypto/deletion.h"

namespace {

const gavah::Digest32& Server() {
  static const gavah::Digest32 s =
      gavah::Sha256Of(gavah::fuzz::Bytes("gavah deletion vector server"));
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)gavah::fuzz::Fixed();
  if (gavah::fuzz::WantSeeds()) {
    const auto v = gavah::fuzz::ReadVector("deletion-statement.bin");
    const char* dir = std::getenv("GAVAH_FUZZ_SEEDS");
    std::ofstream(std::string(dir) + "/seed-vector", std::ios::binary)
        .write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size()));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& f = gavah::fuzz::Fixed();
  std::vector<std::vector<uint8_t>> statements;
  for (size_t at = 0; at < size && statements.size() < 300; at += gavah::kDeletionStatementSize) {
    const size_t n = std::min(gavah::kDeletionStatementSize, size - at);
    statements.emplace_back(data + at, data + at + n);
  }
  gavah::Digest32 id{};
  std::memcpy(id.data(), gavah::Sha256Of(gavah::fuzz::Bytes("envelope")).data(), 32);
  for (const auto& s : statements) {
    auto parsed = gavah::ParseDeletionStatement(s);
    if (!parsed.ok()) {
      if (s.size() == gavah::kDeletionStatementSize && s[0] == gavah::kDeletionStatementVersion)
        gavah::fuzz::Fail();  // the right size and version always parse
      continue;
    }
    // The fields are the bytes, in order.
    if (s.size() != gavah::kDeletionStatementSize ||
        std::memcmp(parsed->signer.data(), s.data() + 1, 32) != 0 ||
        std::memcmp(parsed->signature.data(), s.data() + 33, 64) != 0)
      gavah::fuzz::Fail();
    (void)gavah::VerifyDeletion(*parsed, f.bundle.organisation_fingerprint(), Server(), id);
  }
  const std::array<gavah::Digest32, 1> servers{Server()};
  const size_t agreed = gavah::CountDeletionAgreements(statements, f.bundle, servers, id);
  // Never more than the distinct investigators the bundle lists.
  if (agreed > f.bundle.contents().investigators.size()) gavah::fuzz::Fail();
  // A statement the fixed investigator signs for this envelope always counts, once.
  const auto mine =
      gavah::SignDeletion(f.investigators[0], f.bundle.organisation_fingerprint(), Server(), id);
  statements.emplace_back(mine.begin(), mine.end());
  statements.emplace_back(mine.begin(), mine.end());
  const size_t with_mine = gavah::CountDeletionAgreements(statements, f.bundle, servers, id);
  if (with_mine < 1 || with_mine > agreed + 1) gavah::fuzz::Fail();
  return 0;
}
