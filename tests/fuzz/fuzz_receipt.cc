// Receipts as a witness holds them: the receipt file's text (ReceiptFromText, first byte even)
// and a receipt's fields checked against the receipt key (VerifyReceipt, first byte odd:
// envelope id 32 || u64 log index || u64 hour || signature 64, then optionally a receipt key).
// Also the receipt public key's text form. Seeds: tests/vectors/receipt.txt in both forms; the
// fixed receipt key is the one that signed it.
#include <cstdint>
#include <cstring>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_fixtures.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/receipt.h"

namespace {

uint64_t GetU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

bool Same(const gavah::Receipt& a, const gavah::Receipt& b) {
  return a.envelope_id == b.envelope_id && a.include_by == b.include_by &&
         a.received_hour == b.received_hour && a.signature == b.signature;
}

void PutU64(std::vector<uint8_t>& out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}

// tests/vectors/receipt.txt ("<key hex> <id hex> <include_by> <hour> <signature hex>") in both
// forms.
void WriteSeeds() {
  const auto line = gavah::fuzz::ReadVector("receipt.txt");
  std::istringstream in(std::string(line.begin(), line.end()));
  std::string key_hex, id_hex, sig_hex;
  gavah::Receipt r;
  in >> key_hex >> id_hex >> r.include_by >> r.received_hour >> sig_hex;
  const auto key = gavah::FromHex(key_hex), id = gavah::FromHex(id_hex),
             sig = gavah::FromHex(sig_hex);
  if (!in || !key || key->size() != 32 || !id || id->size() != 32 || !sig || sig->size() != 64)
    gavah::fuzz::Fail();
  gavah::PublicKey32 k{};
  std::memcpy(k.data(), key->data(), 32);
  std::memcpy(r.envelope_id.data(), id->data(), 32);
  std::memcpy(r.signature.data(), sig->data(), 64);
  const std::string text = gavah::ReceiptToText(r, k);
  gavah::fuzz::WriteSeed("text", 0, gavah::fuzz::Bytes(text));
  std::vector<uint8_t> fields(id->begin(), id->end());
  PutU64(fields, r.include_by);
  PutU64(fields, r.received_hour);
  fields.insert(fields.end(), sig->begin(), sig->end());
  fields.insert(fields.end(), key->begin(), key->end());
  gavah::fuzz::WriteSeed("fields", 1, fields);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)gavah::fuzz::Fixed();
  if (gavah::fuzz::WantSeeds()) WriteSeeds();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& f = gavah::fuzz::Fixed();
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 1) == 0) {
    (void)gavah::ReceiptPublicKeyFromText(text);
    auto parsed = gavah::ReceiptFromText(text);
    if (!parsed.ok()) return 0;
    const auto& [r, key] = parsed.value();
    (void)gavah::VerifyReceipt(r, key, r.envelope_id);
    // What ReceiptToText writes, ReceiptFromText reads back unchanged.
    auto again = gavah::ReceiptFromText(gavah::ReceiptToText(r, key));
    if (!again.ok() || !Same(again->first, r) || again->second != key) gavah::fuzz::Fail();
    return 0;
  }
  constexpr size_t kFields = 32 + 8 + 8 + 64;
  if (size - 1 < kFields) return 0;
  const uint8_t* p = data + 1;
  gavah::Receipt r;
  std::memcpy(r.envelope_id.data(), p, 32);
  r.include_by = GetU64(p + 32);
  r.received_hour = GetU64(p + 40);
  std::memcpy(r.signature.data(), p + 48, 64);
  const gavah::Status st = gavah::VerifyReceipt(r, f.receipt_key.public_key(), f.receipt_id);
  // Only the vector's own receipt verifies under the fixed key (forging one would be a find).
  if (st.ok() && !Same(r, f.receipt_key.Sign(f.receipt_id, 1'750'003'200, 1'749'996'000)))
    gavah::fuzz::Fail();
  if (size - 1 >= kFields + 32) {
    gavah::PublicKey32 key{};
    std::memcpy(key.data(), p + kFields, 32);
    (void)gavah::VerifyReceipt(r, key, r.envelope_id);
  }
  return 0;
}
