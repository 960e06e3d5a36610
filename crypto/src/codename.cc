#include "gavah/crypto/codename.h"

#include <sodium.h>

namespace gavah {

Result<SecretBuffer> NormaliseCodename(std::span<const uint8_t> raw) {
  SecretBuffer out;
  out.Reserve(raw.size());
  size_t words = 0;
  bool in_word = false;
  for (uint8_t c : raw) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    if (space) {
      in_word = false;
      continue;
    }
    if (!in_word) {
      if (words > 0) out.PushBack(' ');
      ++words;
      in_word = true;
    }
    out.PushBack(c >= 'A' && c <= 'Z' ? static_cast<uint8_t>(c - 'A' + 'a') : c);
  }
  if (words < kMinCodenameWords) {
    return Error(ErrorCode::kInvalidArgument,
                 "a codename needs at least 7 words (make one with: gavah-witness codename)");
  }
  return out;
}

Result<ReplyKeyPair> DeriveReplyKey(std::span<const uint8_t> raw_codename,
                                    const Fingerprint& organisation) {
  GAVAH_ASSIGN_OR_RETURN(SecretBuffer codename, NormaliseCodename(raw_codename));
  static constexpr char kSaltDomain[] = "gavah-codename-v1";  // hashed with its NUL
  uint8_t salt[crypto_pwhash_SALTBYTES];
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, sizeof salt);
  crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(kSaltDomain), sizeof kSaltDomain);
  crypto_generichash_update(&st, organisation.data(), organisation.size());
  crypto_generichash_final(&st, salt, sizeof salt);
  SecretBuffer master(32);
  if (crypto_pwhash(master.data(), master.size(), reinterpret_cast<const char*>(codename.data()),
                    codename.size(), salt, crypto_pwhash_argon2id_OPSLIMIT_MODERATE,
                    crypto_pwhash_argon2id_MEMLIMIT_MODERATE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error(ErrorCode::kIo, "not enough memory to derive the codename's key");
  }
  ReplyKeyPair kp;
  kp.secret_key = SecretBuffer(32);
  crypto_kdf_derive_from_key(kp.secret_key.data(), 32, 1, "GvhReply", master.data());
  crypto_scalarmult_curve25519_base(kp.public_key.data(), kp.secret_key.data());
  return kp;
}

Digest32 MailboxId(const PublicKey32& reply_public_key) {
  static constexpr char kDomain[] = "gavah-mailbox-v1";  // hashed with its NUL
  Digest32 out{};
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, out.size());
  crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(kDomain), sizeof kDomain);
  crypto_generichash_update(&st, reply_public_key.data(), reply_public_key.size());
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

}  // namespace gavah
