// The server's signed receipt for a stored envelope (docs/PROTOCOL.md, "Receipt"): a promise,
// given as soon as the envelope is durable, that the envelope will be in the server's
// transparency log by a given hour. It names no place in the log, so no receipt (and no cover
// submission's answer) tells how many envelopes the server holds or in what order they came;
// the place comes later, with the inclusion proof (gavah/crypto/intake_log.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gavah/crypto/digest.h"
#include "gavah/crypto/keys.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah {

// The furthest a receipt may promise the log after the hour the envelope came: a day's batch,
// the hour it came in, and an hour's grace for the witnesses.
inline constexpr uint64_t kMaxPromiseSeconds = 26 * 3600;

struct Receipt {
  Digest32 envelope_id{};
  uint64_t include_by = 0;     // Unix seconds, a multiple of 3600, after received_hour
  uint64_t received_hour = 0;  // Unix seconds, a multiple of 3600
  std::array<uint8_t, 64> signature{};
};

// "gavah-promise-v1\0" || envelope_id (32) || u64 include_by || u64 received_hour
std::vector<uint8_t> ReceiptMessage(const Digest32& envelope_id, uint64_t include_by,
                                    uint64_t received_hour);

// The receipt-signing key of a server: an Ed25519 seed.
class ReceiptKey {
 public:
  static ReceiptKey Generate();
  static Result<ReceiptKey> FromSeed(SecretBuffer seed);
  const PublicKey32& public_key() const { return public_; }
  const SecretBuffer& secret_seed() const { return seed_; }
  // Signs and verifies its own signature before returning.
  Receipt Sign(const Digest32& envelope_id, uint64_t include_by, uint64_t received_hour) const;
  // "gavah-receipt-key-v1 <base64(pk)>\n"
  std::string PublicText() const;

 private:
  ReceiptKey(PublicKey32 pub, SecretBuffer seed, SecretBuffer expanded)
      : public_(pub), seed_(std::move(seed)), expanded_(std::move(expanded)) {}
  PublicKey32 public_{};
  SecretBuffer seed_;
  SecretBuffer expanded_;  // crypto_sign secret key, kept so each receipt costs one signature
};

Result<PublicKey32> ReceiptPublicKeyFromText(std::string_view text);

// kBadSignature unless `receipt` is signed by `key`, names `expected_id`, and its hours are
// whole hours, the promised one after the received one by at most kMaxPromiseSeconds.
Status VerifyReceipt(const Receipt& receipt, const PublicKey32& key, const Digest32& expected_id);

// Receipt files: "gavah-promise-v1 <id hex> <include_by> <hour> <signature base64> <receipt key
// base64>\n". Parsing checks the form only; VerifyReceipt checks the signature.
std::string ReceiptToText(const Receipt& r, const PublicKey32& key);
Result<std::pair<Receipt, PublicKey32>> ReceiptFromText(std::string_view text);

}  // namespace gavah
