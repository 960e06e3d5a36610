// X-Wing, draft-connolly-cfrg-xwing-kem-10, section 5.
#include "gavah/crypto/xwing.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstdlib>
#include <cstring>

#include "declassify.h"
#include "gavah/crypto/mlkem.h"

namespace gavah::xwing {
namespace {

constexpr uint8_t kLabel[6] = {0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c};  // "\./" "/^\"
constexpr size_t kMlkemPk = mlkem768::kEncapsulationKeySize;
constexpr size_t kMlkemCt = mlkem768::kCiphertextSize;
constexpr size_t kMlkemDk = mlkem768::kDecapsulationKeySize;
static_assert(kPublicKeySize == kMlkemPk + 32 && kCiphertextSize == kMlkemCt + 32);

void Shake256(std::span<const uint8_t> in, uint8_t* out, size_t len) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_shake256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, in.data(), in.size()) != 1 || EVP_DigestFinalXOF(ctx, out, len) != 1)
    std::abort();
  EVP_MD_CTX_free(ctx);
}

// SHA3-256(ss_M || ss_X || ct_X || pk_X || XWingLabel)
void Combine(const uint8_t ss_m[32], const uint8_t ss_x[32], const uint8_t ct_x[32],
             const uint8_t pk_x[32], uint8_t out[32]) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha3_256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, ss_m, 32) != 1 || EVP_DigestUpdate(ctx, ss_x, 32) != 1 ||
      EVP_DigestUpdate(ctx, ct_x, 32) != 1 || EVP_DigestUpdate(ctx, pk_x, 32) != 1 ||
      EVP_DigestUpdate(ctx, kLabel, sizeof kLabel) != 1 ||
      EVP_DigestFinal_ex(ctx, out, nullptr) != 1)
    std::abort();
  EVP_MD_CTX_free(ctx);
}

}  // namespace

DecapsulationKey DecapsulationKey::FromSeed(std::span<const uint8_t> seed) {
  if (seed.size() != kSeedSize) std::abort();  // a programming error: key files check sizes
  SecretBuffer expanded(96);
  Shake256(seed, expanded.data(), 96);
  DecapsulationKey key;
  key.expanded_ = SecretBuffer(kMlkemDk + 32);
  mlkem768::KeyGenInternal(std::span<const uint8_t, 32>(expanded.data(), 32),
                           std::span<const uint8_t, 32>(expanded.data() + 32, 32),
                           std::span<uint8_t, kMlkemPk>(key.public_.data(), kMlkemPk),
                           std::span<uint8_t, kMlkemDk>(key.expanded_.data(), kMlkemDk));
  // The ML-KEM dk embeds ek and H(ek): public, however secret the seed they came from.
  GAVAH_DECLASSIFY(key.expanded_.data() + 1152, kMlkemPk + 32);
  std::memcpy(key.expanded_.data() + kMlkemDk, expanded.data() + 64, 32);
  crypto_scalarmult_base(key.public_.data() + kMlkemPk, expanded.data() + 64);
  return key;
}

Status DecapsulationKey::Decapsulate(std::span<const uint8_t> ciphertext,
                                     std::span<uint8_t, kSharedSecretSize> shared_secret) const {
  if (ciphertext.size() != kCiphertextSize)
    return Error(ErrorCode::kMalformed, "X-Wing ciphertext has the wrong size");
  SecretBuffer ss(64);  // ss_M || ss_X
  GAVAH_RETURN_IF_ERROR(mlkem768::Decaps(expanded_.span().first(kMlkemDk),
                                         ciphertext.first(kMlkemCt),
                                         std::span<uint8_t, 32>(ss.data(), 32)));
  const uint8_t* ct_x = ciphertext.data() + kMlkemCt;
  // Zero only for a ciphertext of small order, which is public.
  int zero = crypto_scalarmult(ss.data() + 32, expanded_.data() + kMlkemDk, ct_x);
  GAVAH_DECLASSIFY(&zero, sizeof zero);
  if (zero != 0)
    return Error(ErrorCode::kMalformed, "X-Wing ciphertext's X25519 part is of small order");
  Combine(ss.data(), ss.data() + 32, ct_x, public_.data() + kMlkemPk, shared_secret.data());
  return Status::Ok();
}

bool IsValidPublicKey(std::span<const uint8_t> public_key) {
  if (public_key.size() != kPublicKeySize) return false;
  if (!mlkem768::CheckEncapsulationKey(public_key.first(kMlkemPk))) return false;
  // A small-order X25519 key makes every shared point zero, which crypto_scalarmult refuses;
  // any fixed non-zero scalar tells (clamping clears the small-order part of the rest).
  uint8_t scalar[32], point[32];
  std::memset(scalar, 0x5a, sizeof scalar);
  return crypto_scalarmult(point, scalar, public_key.data() + kMlkemPk) == 0;
}

Status EncapsulateDerand(std::span<const uint8_t> public_key,
                         std::span<const uint8_t, kEncapsulationSeedSize> eseed,
                         std::span<uint8_t, kCiphertextSize> ciphertext,
                         std::span<uint8_t, kSharedSecretSize> shared_secret) {
  if (public_key.size() != kPublicKeySize)
    return Error(ErrorCode::kMalformed, "X-Wing public key has the wrong size");
  const uint8_t* pk_x = public_key.data() + kMlkemPk;
  const uint8_t* ek_x = eseed.data() + 32;
  uint8_t* ct_x = ciphertext.data() + kMlkemCt;
  SecretBuffer ss(64);
  // Zero only for a public key of small order, which is public.
  int zero = crypto_scalarmult_base(ct_x, ek_x) | crypto_scalarmult(ss.data() + 32, ek_x, pk_x);
  GAVAH_DECLASSIFY(&zero, sizeof zero);
  if (zero != 0)
    return Error(ErrorCode::kMalformed, "X-Wing public key's X25519 part is of small order");
  GAVAH_RETURN_IF_ERROR(mlkem768::EncapsInternal(
      public_key.first(kMlkemPk), eseed.first<32>(), std::span<uint8_t, 32>(ss.data(), 32),
      std::span<uint8_t, kMlkemCt>(ciphertext.data(), kMlkemCt)));
  Combine(ss.data(), ss.data() + 32, ct_x, pk_x, shared_secret.data());
  return Status::Ok();
}

Status Encapsulate(std::span<const uint8_t> public_key,
                   std::span<uint8_t, kCiphertextSize> ciphertext,
                   std::span<uint8_t, kSharedSecretSize> shared_secret) {
  SecretBuffer eseed(kEncapsulationSeedSize);
  randombytes_buf(eseed.data(), eseed.size());
  return EncapsulateDerand(public_key,
                           std::span<const uint8_t, kEncapsulationSeedSize>(eseed.data(), 64),
                           ciphertext, shared_secret);
}

namespace {

SecretBuffer BoxKey(const uint8_t shared_secret[32], const char (&context)[9]) {
  SecretBuffer k(32);
  crypto_kdf_derive_from_key(k.data(), k.size(), 1, context, shared_secret);
  return k;
}

constexpr uint8_t kZeroNonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {};
static_assert(kSealOverhead == kCiphertextSize + crypto_aead_chacha20poly1305_ietf_ABYTES);

}  // namespace

Result<std::vector<uint8_t>> Seal(std::span<const uint8_t> public_key, const char (&context)[9],
                                  std::span<const uint8_t> plaintext) {
  std::vector<uint8_t> sealed(kSealOverhead + plaintext.size());
  SecretBuffer ss(32);
  GAVAH_RETURN_IF_ERROR(
      Encapsulate(public_key, std::span<uint8_t, kCiphertextSize>(sealed.data(), kCiphertextSize),
                  std::span<uint8_t, 32>(ss.data(), 32)));
  const SecretBuffer key = BoxKey(ss.data(), context);
  crypto_aead_chacha20poly1305_ietf_encrypt(sealed.data() + kCiphertextSize, nullptr,
                                            plaintext.data(), plaintext.size(), nullptr, 0, nullptr,
                                            kZeroNonce, key.data());
  return sealed;
}

bool Open(const DecapsulationKey& key, const char (&context)[9], std::span<const uint8_t> sealed,
          std::span<uint8_t> out) {
  if (sealed.size() < kSealOverhead || out.size() != sealed.size() - kSealOverhead) return false;
  SecretBuffer ss(32);
  if (!key.Decapsulate(sealed.first(kCiphertextSize), std::span<uint8_t, 32>(ss.data(), 32)).ok())
    return false;
  const SecretBuffer k = BoxKey(ss.data(), context);
  return crypto_aead_chacha20poly1305_ietf_decrypt(
             out.data(), nullptr, nullptr, sealed.data() + kCiphertextSize,
             sealed.size() - kCiphertextSize, nullptr, 0, kZeroNonce, k.data()) == 0;
}

}  // namespace gavah::xwing
