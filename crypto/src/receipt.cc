#include "gavah/crypto/receipt.h"

#include <sodium.h>

#include <cstring>
#include <sstream>

#include "bytes.h"
#include "gavah/crypto/hex.h"

namespace gavah {

namespace {
constexpr char kContext[] = "gavah-promise-v1";  // signed with its NUL
constexpr std::string_view kPublicPrefix = "gavah-receipt-key-v1 ";
}  // namespace

std::vector<uint8_t> ReceiptMessage(const Digest32& envelope_id, uint64_t include_by,
                                    uint64_t received_hour) {
  std::vector<uint8_t> m;
  m.reserve(sizeof kContext + 32 + 16);
  internal::Put(m, std::span(reinterpret_cast<const uint8_t*>(kContext), sizeof kContext));
  internal::Put(m, envelope_id);
  internal::PutU64(m, include_by);
  internal::PutU64(m, received_hour);
  return m;
}

ReceiptKey ReceiptKey::Generate() {
  SecretBuffer seed(32);
  randombytes_buf(seed.data(), seed.size());
  return std::move(FromSeed(std::move(seed))).value();
}

Result<ReceiptKey> ReceiptKey::FromSeed(SecretBuffer seed) {
  if (seed.size() != 32) return Error(ErrorCode::kMalformed, "receipt key has the wrong size");
  PublicKey32 pub{};
  SecretBuffer sk(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(pub.data(), sk.data(), seed.data());
  return ReceiptKey(pub, std::move(seed), std::move(sk));
}

Receipt ReceiptKey::Sign(const Digest32& envelope_id, uint64_t include_by,
                         uint64_t received_hour) const {
  Receipt r;
  r.envelope_id = envelope_id;
  r.include_by = include_by;
  r.received_hour = received_hour;
  const auto m = ReceiptMessage(envelope_id, include_by, received_hour);
  crypto_sign_detached(r.signature.data(), nullptr, m.data(), m.size(), expanded_.data());
  if (crypto_sign_verify_detached(r.signature.data(), m.data(), m.size(), public_.data()) != 0)
    std::abort();
  return r;
}

std::string ReceiptKey::PublicText() const {
  return std::string(kPublicPrefix) + ToBase64(public_) + "\n";
}

Result<PublicKey32> ReceiptPublicKeyFromText(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (text.substr(0, kPublicPrefix.size()) != kPublicPrefix) {
    return Error(ErrorCode::kMalformed, "is not a Gavah receipt public key");
  }
  auto raw = FromBase64(text.substr(kPublicPrefix.size()));
  if (!raw || raw->size() != 32 || crypto_core_ed25519_is_valid_point(raw->data()) != 1) {
    return Error(ErrorCode::kMalformed, "receipt public key is damaged");
  }
  PublicKey32 k{};
  std::memcpy(k.data(), raw->data(), 32);
  return k;
}

Status VerifyReceipt(const Receipt& receipt, const PublicKey32& key, const Digest32& expected_id) {
  if (sodium_memcmp(receipt.envelope_id.data(), expected_id.data(), 32) != 0) {
    return Error(ErrorCode::kBadSignature, "receipt names another envelope");
  }
  if (receipt.received_hour % 3600 != 0 || receipt.include_by % 3600 != 0)
    return Error(ErrorCode::kBadSignature, "receipt time is not coarse");
  if (receipt.include_by <= receipt.received_hour)
    return Error(ErrorCode::kBadSignature, "receipt promises the log before the envelope came");
  // A server batches at most daily (log_batch_seconds <= 86,400): a promise further off would let
  // it put off its log forever.
  if (receipt.include_by - receipt.received_hour > kMaxPromiseSeconds)
    return Error(ErrorCode::kBadSignature, "receipt promises the log too far ahead");
  const auto m = ReceiptMessage(receipt.envelope_id, receipt.include_by, receipt.received_hour);
  if (crypto_sign_verify_detached(receipt.signature.data(), m.data(), m.size(), key.data()) != 0) {
    return Error(ErrorCode::kBadSignature,
                 "receipt signature does not verify against the bundle's receipt key");
  }
  return Status::Ok();
}

std::string ReceiptToText(const Receipt& r, const PublicKey32& key) {
  std::ostringstream o;
  o << "gavah-promise-v1 " << ToHex(r.envelope_id) << " " << r.include_by << " " << r.received_hour
    << " " << ToBase64(r.signature) << " " << ToBase64(key) << "\n";
  return o.str();
}

Result<std::pair<Receipt, PublicKey32>> ReceiptFromText(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string magic, id, sig, key;
  Receipt r;
  if (!(in >> magic >> id >> r.include_by >> r.received_hour >> sig >> key) ||
      magic != "gavah-promise-v1") {
    return Error(ErrorCode::kMalformed, "is not a Gavah receipt file");
  }
  auto idb = FromHex(id);
  auto sigb = FromBase64(sig);
  auto keyb = FromBase64(key);
  if (!idb || idb->size() != 32 || !sigb || sigb->size() != 64 || !keyb || keyb->size() != 32) {
    return Error(ErrorCode::kMalformed, "receipt file is damaged");
  }
  PublicKey32 k{};
  std::memcpy(r.envelope_id.data(), idb->data(), 32);
  std::memcpy(r.signature.data(), sigb->data(), 64);
  std::memcpy(k.data(), keyb->data(), 32);
  return std::make_pair(r, k);
}

}  // namespace gavah
