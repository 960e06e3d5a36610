// X-Wing, the hybrid of ML-KEM-768 and X25519 of draft-connolly-cfrg-xwing-kem-10, which the
// envelope's version 2 stanzas, released shares and replies are sealed with. Format:
// docs/PROTOCOL.md, "X-Wing".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah::xwing {

inline constexpr size_t kSeedSize = 32;  // the whole decapsulation key
inline constexpr size_t kPublicKeySize = 1216;
inline constexpr size_t kCiphertextSize = 1120;
inline constexpr size_t kSharedSecretSize = 32;
inline constexpr size_t kEncapsulationSeedSize = 64;

using PublicKey = std::array<uint8_t, kPublicKeySize>;

// The decapsulation key expanded once from its seed (SHAKE-256 to ML-KEM's d and z and the X25519
// secret), so that trying many stanzas costs one expansion. Lives in secret memory.
class DecapsulationKey {
 public:
  // The seed must be kSeedSize bytes.
  static DecapsulationKey FromSeed(std::span<const uint8_t> seed);

  const PublicKey& public_key() const { return public_; }
  // The X-Wing shared secret for `ciphertext`. A ciphertext that was not made for this key yields
  // an unrelated secret (ML-KEM's implicit rejection), not an error; kMalformed only for a wrong
  // size or an X25519 part of small order.
  Status Decapsulate(std::span<const uint8_t> ciphertext,
                     std::span<uint8_t, kSharedSecretSize> shared_secret) const;

 private:
  DecapsulationKey() = default;
  SecretBuffer expanded_;  // ML-KEM dk (2400) || X25519 secret (32)
  PublicKey public_{};
};

// The encapsulation key check of ML-KEM (the modulus check) and an X25519 part that is not of
// small order.
bool IsValidPublicKey(std::span<const uint8_t> public_key);

// Encapsulate with fresh randomness from the system.
Status Encapsulate(std::span<const uint8_t> public_key,
                   std::span<uint8_t, kCiphertextSize> ciphertext,
                   std::span<uint8_t, kSharedSecretSize> shared_secret);
// EncapsulateDerand: the randomness is given (ML-KEM's m, then the X25519 ephemeral secret); for
// the draft's vectors and ours.
Status EncapsulateDerand(std::span<const uint8_t> public_key,
                         std::span<const uint8_t, kEncapsulationSeedSize> eseed,
                         std::span<uint8_t, kCiphertextSize> ciphertext,
                         std::span<uint8_t, kSharedSecretSize> shared_secret);

// The sealed box every version 2 format uses (PROTOCOL.md "X-Wing"): a fresh encapsulation to
// `public_key`, then ChaCha20-Poly1305 (IETF) of `plaintext` under KDF(shared secret, 1,
// `context`) with a zero nonce, the key being used once:
//     sealed = X-Wing ciphertext (1120) || AEAD(plaintext) (plaintext + 16)
// `context` is the 8-byte crypto_kdf context naming the use.
inline constexpr size_t kSealOverhead = kCiphertextSize + 16;
Result<std::vector<uint8_t>> Seal(std::span<const uint8_t> public_key, const char (&context)[9],
                                  std::span<const uint8_t> plaintext);
// Writes the plaintext (sealed.size() - kSealOverhead bytes) into `out`; false when the box was
// not sealed to this key (implicit rejection gives another AEAD key) or was altered.
bool Open(const DecapsulationKey& key, const char (&context)[9], std::span<const uint8_t> sealed,
          std::span<uint8_t> out);

}  // namespace gavah::xwing
