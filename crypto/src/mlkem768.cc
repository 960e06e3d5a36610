// ML-KEM-768 from FIPS 203. Algorithm numbers in comments are the standard's.
//
// Constant time: coefficients are reduced with multiply-and-shift (Barrett) and conditional
// subtractions are masks, never branches; Compress uses a multiplication in place of the division
// by q (KyberSlash); the re-encryption check compares with sodium_memcmp and selects the key with
// a mask. Only public values (the matrix seed rho, the lengths) steer branches or indexes.
#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "declassify.h"
#include "gavah/crypto/mlkem.h"

namespace gavah::mlkem768 {
namespace {

constexpr int kN = 256;
constexpr uint32_t kQ = 3329;
constexpr int kK = 3;
constexpr int kEta1 = 2;
constexpr int kEta2 = 2;
constexpr int kDu = 10;
constexpr int kDv = 4;
constexpr size_t kPolyBytes = 384;  // ByteEncode_12 of one polynomial
constexpr size_t kPkeKeyBytes = kPolyBytes * kK;
constexpr size_t kCu = 32 * kDu * kK;  // 960
constexpr size_t kCv = 32 * kDv;       // 128
static_assert(kEncapsulationKeySize == kPkeKeyBytes + 32);
static_assert(kDecapsulationKeySize == 2 * kPkeKeyBytes + 32 + 32 + 32);
static_assert(kCiphertextSize == kCu + kCv);

struct Poly {
  uint16_t c[kN];
};
using Vec = std::array<Poly, kK>;

// a mod q for any 32-bit a, without a division: floor(a * floor(2^32/q) / 2^32) undershoots
// floor(a/q) by at most one, so one masked subtraction finishes it.
inline uint16_t Reduce(uint32_t a) {
  const uint32_t quotient = static_cast<uint32_t>((static_cast<uint64_t>(a) * 1290167) >> 32);
  uint32_t r = a - quotient * kQ;  // in [0, 2q)
  r -= kQ;
  r += kQ & (0u - (r >> 31));
  return static_cast<uint16_t>(r);
}

inline uint16_t Add(uint16_t a, uint16_t b) { return Reduce(uint32_t{a} + b); }
inline uint16_t Sub(uint16_t a, uint16_t b) { return Reduce(uint32_t{a} + kQ - b); }
inline uint16_t Mul(uint16_t a, uint16_t b) { return Reduce(uint32_t{a} * b); }

// zeta^BitRev7(i) and zeta^(2 BitRev7(i) + 1) for zeta = 17 (public constants).
struct Zetas {
  uint16_t ntt[128];
  uint16_t gamma[128];
  Zetas() {
    uint16_t pow[256];
    pow[0] = 1;
    for (int i = 1; i < 256; ++i) pow[i] = Mul(pow[i - 1], 17);
    for (int i = 0; i < 128; ++i) {
      int rev = 0;
      for (int b = 0; b < 7; ++b) rev |= ((i >> b) & 1) << (6 - b);
      ntt[i] = pow[rev];
      gamma[i] = pow[2 * rev + 1];
    }
  }
};
const Zetas& Z() {
  static const Zetas z;
  return z;
}

// Algorithm 9.
void Ntt(Poly& f) {
  int i = 1;
  for (int len = 128; len >= 2; len /= 2) {
    for (int start = 0; start < kN; start += 2 * len) {
      const uint16_t zeta = Z().ntt[i++];
      for (int j = start; j < start + len; ++j) {
        const uint16_t t = Mul(zeta, f.c[j + len]);
        f.c[j + len] = Sub(f.c[j], t);
        f.c[j] = Add(f.c[j], t);
      }
    }
  }
}

// Algorithm 10.
void InverseNtt(Poly& f) {
  int i = 127;
  for (int len = 2; len <= 128; len *= 2) {
    for (int start = 0; start < kN; start += 2 * len) {
      const uint16_t zeta = Z().ntt[i--];
      for (int j = start; j < start + len; ++j) {
        const uint16_t t = f.c[j];
        f.c[j] = Add(t, f.c[j + len]);
        f.c[j + len] = Mul(zeta, Sub(f.c[j + len], t));
      }
    }
  }
  for (auto& x : f.c) x = Mul(x, 3303);  // 128^-1 mod q
}

// Algorithms 11 and 12, accumulated: acc += f * g in the NTT domain.
void MultiplyAdd(Poly& acc, const Poly& f, const Poly& g) {
  for (int i = 0; i < 128; ++i) {
    const uint32_t a0 = f.c[2 * i], a1 = f.c[2 * i + 1], b0 = g.c[2 * i], b1 = g.c[2 * i + 1];
    const uint32_t c0 =
        a0 * b0 +
        uint32_t{Mul(static_cast<uint16_t>(a1), static_cast<uint16_t>(b1))} * Z().gamma[i];
    const uint32_t c1 = a0 * b1 + a1 * b0;
    acc.c[2 * i] = Add(acc.c[2 * i], Reduce(c0));
    acc.c[2 * i + 1] = Add(acc.c[2 * i + 1], Reduce(c1));
  }
}

void PolyAdd(Poly& a, const Poly& b) {
  for (int i = 0; i < kN; ++i) a.c[i] = Add(a.c[i], b.c[i]);
}

// ByteEncode_d (Algorithm 5) for d < 12 and d = 12.
void Encode(const Poly& f, int d, uint8_t* out) {
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0;
  for (int i = 0; i < kN; ++i) {
    acc |= uint32_t{f.c[i]} << bits;
    bits += d;
    while (bits >= 8) {
      out[o++] = static_cast<uint8_t>(acc);
      acc >>= 8;
      bits -= 8;
    }
  }
}

// ByteDecode_d (Algorithm 6). For d = 12 the values are left unreduced so that the caller can
// apply the modulus check; ReduceAll then brings them below q.
void Decode(const uint8_t* in, int d, Poly& f) {
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0;
  const uint32_t mask = (1u << d) - 1;
  for (int i = 0; i < kN; ++i) {
    while (bits < d) {
      acc |= uint32_t{in[o++]} << bits;
      bits += 8;
    }
    f.c[i] = static_cast<uint16_t>(acc & mask);
    acc >>= d;
    bits -= d;
  }
}

void ReduceAll(Poly& f) {
  for (auto& x : f.c) x = Reduce(x);
}

// Compress_d: round(2^d x / q) mod 2^d, with the division replaced by the same multiplication as
// Reduce (exact for every x < q and the d of ML-KEM-768: 1, 4 and 10; tests/crypto checks all
// of them; d = 11 would need a finer constant).
inline uint16_t Compress(uint16_t x, int d) {
  const uint64_t n = (uint64_t{x} << d) + kQ / 2 + 1;
  return static_cast<uint16_t>(((n * 1290167) >> 32) & ((1u << d) - 1));
}
// Decompress_d: round(q y / 2^d).
inline uint16_t Decompress(uint16_t y, int d) {
  return static_cast<uint16_t>((uint32_t{y} * kQ + (1u << (d - 1))) >> d);
}

void CompressPoly(Poly& f, int d) {
  for (auto& x : f.c) x = Compress(x, d);
}
void DecompressPoly(Poly& f, int d) {
  for (auto& x : f.c) x = Decompress(x, d);
}

// Hash and XOF calls through libcrypto. A failure there is a broken build, not an input error.
void Digest(const EVP_MD* md, std::initializer_list<std::span<const uint8_t>> parts, uint8_t* out,
            size_t out_len) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, md, nullptr) != 1) std::abort();
  for (const auto& p : parts) {
    if (EVP_DigestUpdate(ctx, p.data(), p.size()) != 1) std::abort();
  }
  const bool xof = md == EVP_shake128() || md == EVP_shake256();
  const int ok =
      xof ? EVP_DigestFinalXOF(ctx, out, out_len) : EVP_DigestFinal_ex(ctx, out, nullptr);
  EVP_MD_CTX_free(ctx);
  if (ok != 1) std::abort();
}

void H(std::span<const uint8_t> in, uint8_t out[32]) { Digest(EVP_sha3_256(), {in}, out, 32); }

// PRF_eta(s, b) followed by SamplePolyCBD_eta (Algorithms 8 and 7) for eta = 2.
void SampleCbd2(const uint8_t seed[32], uint8_t nonce, Poly& f) {
  static_assert(kEta1 == 2 && kEta2 == 2);
  uint8_t buf[64 * 2];
  Digest(EVP_shake256(), {std::span(seed, 32), std::span(&nonce, 1)}, buf, sizeof buf);
  for (int i = 0; i < kN / 2; ++i) {
    const uint8_t b = buf[i];
    // Two coefficients per byte: (b0 + b1) - (b2 + b3), each in [-2, 2].
    const uint32_t x0 = (b & 1) + ((b >> 1) & 1), y0 = ((b >> 2) & 1) + ((b >> 3) & 1);
    const uint32_t x1 = ((b >> 4) & 1) + ((b >> 5) & 1), y1 = ((b >> 6) & 1) + ((b >> 7) & 1);
    f.c[2 * i] = Reduce(x0 + kQ - y0);
    f.c[2 * i + 1] = Reduce(x1 + kQ - y1);
  }
  sodium_memzero(buf, sizeof buf);
}

// SampleNTT (Algorithm 7) on public input rho || j || i. libcrypto 3.0 cannot squeeze SHAKE in
// steps, so a longer prefix of the same output is asked for in the rare case the first falls short.
void SampleNtt(const uint8_t rho[32], uint8_t j, uint8_t i, Poly& f) {
  std::vector<uint8_t> stream;
  for (size_t len = 3 * 168;; len *= 2) {
    stream.resize(len);
    Digest(EVP_shake128(), {std::span(rho, 32), std::span(&j, 1), std::span(&i, 1)}, stream.data(),
           len);
    int n = 0;
    for (size_t p = 0; p + 3 <= len && n < kN; p += 3) {
      const uint16_t d1 = stream[p] | ((stream[p + 1] & 0x0f) << 8);
      const uint16_t d2 = (stream[p + 1] >> 4) | (stream[p + 2] << 4);
      if (d1 < kQ) f.c[n++] = d1;
      if (d2 < kQ && n < kN) f.c[n++] = d2;
    }
    if (n == kN) return;
  }
}

// The matrix A-hat (entry [i][j] from rho || j || i), or its transpose.
void ExpandMatrix(const uint8_t rho[32], bool transpose, std::array<Vec, kK>& a) {
  for (int i = 0; i < kK; ++i)
    for (int j = 0; j < kK; ++j)
      SampleNtt(rho, static_cast<uint8_t>(j), static_cast<uint8_t>(i),
                transpose ? a[j][i] : a[i][j]);
}

// All the secret intermediate values of one operation, wiped however it is left.
struct Scratch {
  Vec s{}, e{}, t{}, y{}, u{};
  Poly v{}, w{};
  uint8_t seeds[64]{};
  uint8_t m[32]{};
  ~Scratch() { sodium_memzero(this, sizeof *this); }
};

// K-PKE.Encrypt (Algorithm 14); ek has passed the modulus check.
void PkeEncrypt(const uint8_t* ek, const uint8_t m[32], const uint8_t r[32], uint8_t* c) {
  Scratch x;
  std::array<Vec, kK> at;
  ExpandMatrix(ek + kPkeKeyBytes, /*transpose=*/true, at);
  Vec t;
  for (int i = 0; i < kK; ++i) Decode(ek + i * kPolyBytes, 12, t[i]);
  uint8_t n = 0;
  for (int i = 0; i < kK; ++i) SampleCbd2(r, n++, x.y[i]);
  for (int i = 0; i < kK; ++i) SampleCbd2(r, n++, x.e[i]);
  Poly e2;
  SampleCbd2(r, n++, e2);
  for (auto& p : x.y) Ntt(p);
  for (int i = 0; i < kK; ++i) {
    x.u[i] = Poly{};
    for (int j = 0; j < kK; ++j) MultiplyAdd(x.u[i], at[i][j], x.y[j]);
    InverseNtt(x.u[i]);
    PolyAdd(x.u[i], x.e[i]);
  }
  x.v = Poly{};
  for (int j = 0; j < kK; ++j) MultiplyAdd(x.v, t[j], x.y[j]);
  InverseNtt(x.v);
  PolyAdd(x.v, e2);
  Decode(m, 1, x.w);
  DecompressPoly(x.w, 1);
  PolyAdd(x.v, x.w);
  for (int i = 0; i < kK; ++i) {
    CompressPoly(x.u[i], kDu);
    Encode(x.u[i], kDu, c + i * 32 * kDu);
  }
  CompressPoly(x.v, kDv);
  Encode(x.v, kDv, c + kCu);
  sodium_memzero(&e2, sizeof e2);
}

// K-PKE.Decrypt (Algorithm 15).
void PkeDecrypt(const uint8_t* dk_pke, const uint8_t* c, uint8_t m[32]) {
  Scratch x;
  for (int i = 0; i < kK; ++i) {
    Decode(c + i * 32 * kDu, kDu, x.u[i]);
    DecompressPoly(x.u[i], kDu);
    Ntt(x.u[i]);
    Decode(dk_pke + i * kPolyBytes, 12, x.s[i]);
    ReduceAll(x.s[i]);  // a dk that passed the hash check holds reduced values already
  }
  Decode(c + kCu, kDv, x.v);
  DecompressPoly(x.v, kDv);
  x.w = Poly{};
  for (int i = 0; i < kK; ++i) MultiplyAdd(x.w, x.s[i], x.u[i]);
  InverseNtt(x.w);
  for (int i = 0; i < kN; ++i) x.w.c[i] = Sub(x.v.c[i], x.w.c[i]);
  CompressPoly(x.w, 1);
  Encode(x.w, 1, m);
}

}  // namespace

uint16_t detail::Compress(uint16_t x, int d) { return mlkem768::Compress(x, d); }

void KeyGenInternal(std::span<const uint8_t, kSeedSize> d, std::span<const uint8_t, kSeedSize> z,
                    std::span<uint8_t, kEncapsulationKeySize> ek,
                    std::span<uint8_t, kDecapsulationKeySize> dk) {
  Scratch x;
  // K-PKE.KeyGen (Algorithm 13): (rho, sigma) = G(d || k).
  const uint8_t k = kK;
  Digest(EVP_sha3_512(), {d, std::span(&k, 1)}, x.seeds, 64);
  const uint8_t* rho = x.seeds;
  GAVAH_DECLASSIFY(rho, 32);  // it becomes part of ek
  const uint8_t* sigma = x.seeds + 32;
  std::array<Vec, kK> a;
  ExpandMatrix(rho, /*transpose=*/false, a);
  uint8_t n = 0;
  for (int i = 0; i < kK; ++i) SampleCbd2(sigma, n++, x.s[i]);
  for (int i = 0; i < kK; ++i) SampleCbd2(sigma, n++, x.e[i]);
  for (auto& p : x.s) Ntt(p);
  for (auto& p : x.e) Ntt(p);
  for (int i = 0; i < kK; ++i) {
    x.t[i] = x.e[i];
    for (int j = 0; j < kK; ++j) MultiplyAdd(x.t[i], a[i][j], x.s[j]);
    Encode(x.t[i], 12, ek.data() + i * kPolyBytes);
    Encode(x.s[i], 12, dk.data() + i * kPolyBytes);
  }
  std::memcpy(ek.data() + kPkeKeyBytes, rho, 32);
  // dk = dk_PKE || ek || H(ek) || z
  std::memcpy(dk.data() + kPkeKeyBytes, ek.data(), kEncapsulationKeySize);
  H(ek, dk.data() + kPkeKeyBytes + kEncapsulationKeySize);
  std::memcpy(dk.data() + kPkeKeyBytes + kEncapsulationKeySize + 32, z.data(), 32);
}

bool CheckEncapsulationKey(std::span<const uint8_t> ek) {
  if (ek.size() != kEncapsulationKeySize) return false;
  // ByteEncode_12(ByteDecode_12(ek)) == ek, i.e. no 12-bit value is q or more (public data).
  for (int i = 0; i < kK; ++i) {
    Poly f;
    Decode(ek.data() + i * kPolyBytes, 12, f);
    for (uint16_t c : f.c)
      if (c >= kQ) return false;
  }
  return true;
}

bool CheckDecapsulationKey(std::span<const uint8_t> dk) {
  if (dk.size() != kDecapsulationKeySize) return false;
  uint8_t h[32];
  H(dk.subspan(kPkeKeyBytes, kEncapsulationKeySize), h);
  return sodium_memcmp(h, dk.data() + kPkeKeyBytes + kEncapsulationKeySize, 32) == 0;
}

Status EncapsInternal(std::span<const uint8_t> ek, std::span<const uint8_t, kSeedSize> m,
                      std::span<uint8_t, kSharedSecretSize> shared_secret,
                      std::span<uint8_t, kCiphertextSize> ciphertext) {
  if (!CheckEncapsulationKey(ek))
    return Error(ErrorCode::kMalformed, "ML-KEM encapsulation key fails the modulus check");
  uint8_t h[32];
  H(ek, h);
  uint8_t kr[64];  // (K, r) = G(m || H(ek))
  Digest(EVP_sha3_512(), {m, std::span(h)}, kr, 64);
  PkeEncrypt(ek.data(), m.data(), kr + 32, ciphertext.data());
  std::memcpy(shared_secret.data(), kr, 32);
  sodium_memzero(kr, sizeof kr);
  return Status::Ok();
}

Status Decaps(std::span<const uint8_t> dk, std::span<const uint8_t> ciphertext,
              std::span<uint8_t, kSharedSecretSize> shared_secret) {
  if (ciphertext.size() != kCiphertextSize)
    return Error(ErrorCode::kMalformed, "ML-KEM ciphertext has the wrong size");
  if (!CheckDecapsulationKey(dk))
    return Error(ErrorCode::kMalformed, "ML-KEM decapsulation key fails the hash check");
  const uint8_t* dk_pke = dk.data();
  const uint8_t* ek = dk.data() + kPkeKeyBytes;
  const uint8_t* h = ek + kEncapsulationKeySize;
  const uint8_t* z = h + 32;
  uint8_t m[32];
  PkeDecrypt(dk_pke, ciphertext.data(), m);
  uint8_t kr[64];
  Digest(EVP_sha3_512(), {std::span(m), std::span(h, 32)}, kr, 64);
  uint8_t rejection[32];  // K-bar = J(z || c)
  Digest(EVP_shake256(), {std::span(z, 32), ciphertext}, rejection, 32);
  uint8_t again[kCiphertextSize];
  PkeEncrypt(ek, m, kr + 32, again);
  // All ones when the ciphertext re-encrypts to itself; sodium_memcmp takes the same time either
  // way and its result is turned into a mask without a branch.
  const int differs = sodium_memcmp(again, ciphertext.data(), kCiphertextSize);  // 0 or -1
  const uint8_t keep = static_cast<uint8_t>(~static_cast<unsigned>(differs));
  for (int i = 0; i < 32; ++i)
    shared_secret[i] = static_cast<uint8_t>((kr[i] & keep) | (rejection[i] & ~keep));
  sodium_memzero(m, sizeof m);
  sodium_memzero(kr, sizeof kr);
  sodium_memzero(rejection, sizeof rejection);
  sodium_memzero(again, sizeof again);
  return Status::Ok();
}

}  // namespace gavah::mlkem768
