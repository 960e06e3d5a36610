#include "gavah/crypto/digest.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define GAVAH_SHA_EXTENSIONS 1
#endif

namespace gavah {
namespace {

// FIPS 180-4 4.2.2 and 5.3.3.
alignas(16) constexpr uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
constexpr uint32_t kInitial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

#ifdef GAVAH_SHA_EXTENSIONS
bool DetectShaExtensions() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool ssse3 = c & bit_SSSE3, sse41 = c & bit_SSE4_1;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, a, b, c, d);
  return ssse3 && sse41 && (b & bit_SHA);
}

#define GAVAH_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

// The SHA extensions keep the state as ABEF and CDGH (Intel's SHA extensions paper, 2013).
GAVAH_SHA_TARGET inline void LoadState(const uint32_t h[8], __m128i& abef, __m128i& cdgh) {
  __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h));
  __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4));
  const __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  const __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  abef = _mm_alignr_epi8(cdab, efgh, 8);
  cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
}

GAVAH_SHA_TARGET inline void StoreState(uint32_t h[8], __m128i abef, __m128i cdgh) {
  const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h), _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), _mm_alignr_epi8(dchg, feba, 8));
}

// One message schedule quad: w[t..t+3] from the four quads before it, held in w[i % 4] ...
// (quad i is rounds 4i..4i+3; w[i % 4] holds quad i - 4 until it is replaced).
GAVAH_SHA_TARGET inline __m128i NextQuad(const __m128i w[4], int i) {
  __m128i x = _mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]);
  x = _mm_add_epi32(x, _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4));
  return _mm_sha256msg2_epu32(x, w[(i + 3) & 3]);
}

GAVAH_SHA_TARGET inline void FourRounds(__m128i& abef, __m128i& cdgh, __m128i wk) {
  cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
  abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
}

GAVAH_SHA_TARGET void Blocks(uint32_t h[8], const uint8_t* p, size_t blocks) {
  const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i abef, cdgh;
  LoadState(h, abef, cdgh);
  for (; blocks > 0; --blocks, p += 64) {
    const __m128i abef0 = abef, cdgh0 = cdgh;
    __m128i w[4];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) {
      w[i & 3] = i < 4 ? _mm_shuffle_epi8(
                             _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)), swap)
                       : NextQuad(w, i);
      const __m128i k = _mm_load_si128(reinterpret_cast<const __m128i*>(kRound + 4 * i));
      FourRounds(abef, cdgh, _mm_add_epi32(w[i & 3], k));
    }
    abef = _mm_add_epi32(abef, abef0);
    cdgh = _mm_add_epi32(cdgh, cdgh0);
  }
  StoreState(h, abef, cdgh);
}

// Blocks() of two messages, their instructions interleaved so that each fills the other's waits.
GAVAH_SHA_TARGET void Blocks2(uint32_t ha[8], const uint8_t* pa, uint32_t hb[8], const uint8_t* pb,
                              size_t blocks) {
  const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i abef_a, cdgh_a, abef_b, cdgh_b;
  LoadState(ha, abef_a, cdgh_a);
  LoadState(hb, abef_b, cdgh_b);
  for (; blocks > 0; --blocks, pa += 64, pb += 64) {
    const __m128i abef_a0 = abef_a, cdgh_a0 = cdgh_a, abef_b0 = abef_b, cdgh_b0 = cdgh_b;
    __m128i wa[4], wb[4];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) {
      if (i < 4) {
        wa[i] =
            _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(pa + 16 * i)), swap);
        wb[i] =
            _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(pb + 16 * i)), swap);
      } else {
        wa[i & 3] = NextQuad(wa, i);
        wb[i & 3] = NextQuad(wb, i);
      }
      const __m128i k = _mm_load_si128(reinterpret_cast<const __m128i*>(kRound + 4 * i));
      const __m128i wka = _mm_add_epi32(wa[i & 3], k), wkb = _mm_add_epi32(wb[i & 3], k);
      cdgh_a = _mm_sha256rnds2_epu32(cdgh_a, abef_a, wka);
      cdgh_b = _mm_sha256rnds2_epu32(cdgh_b, abef_b, wkb);
      abef_a = _mm_sha256rnds2_epu32(abef_a, cdgh_a, _mm_shuffle_epi32(wka, 0x0E));
      abef_b = _mm_sha256rnds2_epu32(abef_b, cdgh_b, _mm_shuffle_epi32(wkb, 0x0E));
    }
    abef_a = _mm_add_epi32(abef_a, abef_a0);
    cdgh_a = _mm_add_epi32(cdgh_a, cdgh_a0);
    abef_b = _mm_add_epi32(abef_b, abef_b0);
    cdgh_b = _mm_add_epi32(cdgh_b, cdgh_b0);
  }
  StoreState(ha, abef_a, cdgh_a);
  StoreState(hb, abef_b, cdgh_b);
}

#else
bool DetectShaExtensions() { return false; }
// Never called: every Sha256 then uses libcrypto.
void Blocks(uint32_t*, const uint8_t*, size_t) { std::abort(); }
void Blocks2(uint32_t*, const uint8_t*, uint32_t*, const uint8_t*, size_t) { std::abort(); }
#endif

const bool kHaveShaExtensions = DetectShaExtensions();
std::atomic<bool> force_libcrypto{false};

}  // namespace

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;  // when the SHA extensions are absent
  uint32_t h[8];
  uint8_t pending[64];  // may be plaintext: wiped when done
  size_t pending_size = 0;
  uint64_t length = 0;

  // Tops up a partial block from `bytes` and compresses it once full.
  void Fill(std::span<const uint8_t>& bytes) {
    // An empty span may have no data pointer at all, which memcpy must not be given.
    if (bytes.empty() || (pending_size == 0 && bytes.size() >= 64)) return;
    const size_t n = std::min(64 - pending_size, bytes.size());
    std::memcpy(pending + pending_size, bytes.data(), n);
    pending_size += n;
    bytes = bytes.subspan(n);
    if (pending_size == 64) {
      Blocks(h, pending, 1);
      pending_size = 0;
    }
  }
  // Keeps the bytes after the last whole block.
  void Keep(std::span<const uint8_t> tail) {
    if (tail.empty()) return;
    std::memcpy(pending + pending_size, tail.data(), tail.size());
    pending_size += tail.size();
  }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  if (kHaveShaExtensions && !force_libcrypto.load()) {
    std::memcpy(impl_->h, kInitial, sizeof kInitial);
    return;
  }
  impl_->ctx = EVP_MD_CTX_new();
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(impl_->ctx);
  sodium_memzero(impl_.get(), sizeof(Impl));
}

void Sha256::Update(std::span<const uint8_t> bytes) {
  Impl& s = *impl_;
  if (s.ctx != nullptr) {
    if (EVP_DigestUpdate(s.ctx, bytes.data(), bytes.size()) != 1) std::abort();
    return;
  }
  s.length += bytes.size();
  s.Fill(bytes);
  if (bytes.empty()) return;
  Blocks(s.h, bytes.data(), bytes.size() / 64);
  s.Keep(bytes.subspan(bytes.size() / 64 * 64));
}

void Sha256::UpdateBoth(Sha256& a, std::span<const uint8_t> x, Sha256& b,
                        std::span<const uint8_t> y) {
  Impl& s = *a.impl_;
  Impl& t = *b.impl_;
  if (&s == &t) std::abort();
  if (s.ctx != nullptr || t.ctx != nullptr) {
    a.Update(x);
    b.Update(y);
    return;
  }
  s.length += x.size();
  t.length += y.size();
  s.Fill(x);
  t.Fill(y);
  // Fill() leaves either no partial block or nothing more to add to it.
  const size_t both = std::min(x.size() / 64, y.size() / 64);
  Blocks2(s.h, x.data(), t.h, y.data(), both);
  x = x.subspan(both * 64);
  y = y.subspan(both * 64);
  Blocks(s.h, x.data(), x.size() / 64);
  Blocks(t.h, y.data(), y.size() / 64);
  s.Keep(x.subspan(x.size() / 64 * 64));
  t.Keep(y.subspan(y.size() / 64 * 64));
}

Digest32 Sha256::Final() {
  Digest32 out{};
  Impl& s = *impl_;
  if (s.ctx != nullptr) {
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(s.ctx, out.data(), &len) != 1 || len != out.size()) std::abort();
    return out;
  }
  // FIPS 180-4 5.1.1: a one bit, zeros, and the length in bits in the last 8 bytes.
  const uint64_t bits = s.length * 8;
  s.pending[s.pending_size++] = 0x80;
  if (s.pending_size > 56) {
    std::memset(s.pending + s.pending_size, 0, 64 - s.pending_size);
    Blocks(s.h, s.pending, 1);
    s.pending_size = 0;
  }
  std::memset(s.pending + s.pending_size, 0, 56 - s.pending_size);
  for (int i = 0; i < 8; ++i) s.pending[56 + i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  Blocks(s.h, s.pending, 1);
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<uint8_t>(s.h[i] >> (24 - 8 * j));
  }
  sodium_memzero(s.pending, sizeof s.pending);
  return out;
}

Digest32 Sha256Of(std::span<const uint8_t> bytes) {
  Sha256 h;
  h.Update(bytes);
  return h.Final();
}

namespace internal {
bool Sha256UsesShaExtensions() { return kHaveShaExtensions && !force_libcrypto.load(); }
void Sha256ForceLibcrypto(bool force) { force_libcrypto.store(force); }
}  // namespace internal

}  // namespace gavah
