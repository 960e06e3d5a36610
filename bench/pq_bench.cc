// Post-quantum key operations next to X25519, and the primitives a version 2 envelope is made
// of, in one run on this machine:
//
//     build/bench/pq_bench [--seconds S]
//
// The last part computes the format's limit: what sealing or opening 256 MiB costs in CPU (two
// SHA-256 passes, hashed together as the sealer does, one ChaCha20-Poly1305 pass, and the
// kernel's copy of the file in and out, measured here with read and write on the same tmpfs),
// spread perfectly over the cores.
#include <fcntl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "gavah/crypto/digest.h"
#include "gavah/crypto/mlkem.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/xwing.h"

namespace {

using Clock = std::chrono::steady_clock;
double g_seconds = 1.0;

// Runs `op` for about g_seconds and returns calls per second.
template <typename F>
double PerSecond(F op) {
  const auto start = Clock::now();
  long n = 0;
  double elapsed = 0;
  do {
    for (int i = 0; i < 16; ++i) op();
    n += 16;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < g_seconds);
  return n / elapsed;
}

// MiB/s of `op` over a 64 MiB buffer in 64 KiB pieces.
template <typename F>
double Throughput(std::vector<uint8_t>& buf, F op) {
  const auto start = Clock::now();
  size_t bytes = 0;
  double elapsed = 0;
  do {
    for (size_t off = 0; off + 65536 <= buf.size(); off += 65536) op(buf.data() + off, 65536);
    bytes += buf.size();
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < g_seconds);
  return bytes / elapsed / (1 << 20);
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
         u.ru_stime.tv_usec / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--seconds") == 0) g_seconds = std::atof(argv[2]);
  if (!gavah::InitCrypto()) return 1;
  using namespace gavah;

  std::array<uint8_t, 32> d{}, z{}, m{}, k{};
  randombytes_buf(d.data(), 32);
  randombytes_buf(z.data(), 32);
  randombytes_buf(m.data(), 32);
  std::vector<uint8_t> ek(mlkem768::kEncapsulationKeySize), dk(mlkem768::kDecapsulationKeySize);
  std::array<uint8_t, mlkem768::kCiphertextSize> c{};
  auto ek_span = std::span<uint8_t, mlkem768::kEncapsulationKeySize>(ek);
  auto dk_span = std::span<uint8_t, mlkem768::kDecapsulationKeySize>(dk);
  const double kg = PerSecond([&] { mlkem768::KeyGenInternal(d, z, ek_span, dk_span); });
  const double en = PerSecond([&] { (void)mlkem768::EncapsInternal(ek, m, k, c); });
  const double de = PerSecond([&] { (void)mlkem768::Decaps(dk, c, k); });

  SecretBuffer seed(32);
  randombytes_buf(seed.data(), 32);
  const auto key = xwing::DecapsulationKey::FromSeed(seed.span());
  std::array<uint8_t, xwing::kCiphertextSize> xct{};
  std::array<uint8_t, 32> ss{};
  const double xkg = PerSecond([&] { (void)xwing::DecapsulationKey::FromSeed(seed.span()); });
  const double xen = PerSecond([&] { (void)xwing::Encapsulate(key.public_key(), xct, ss); });
  const double xde = PerSecond([&] { (void)key.Decapsulate(xct, ss); });

  uint8_t sk[32], pk[32], q[32], sealed[33 + 48], opened[33];
  randombytes_buf(sk, 32);
  crypto_scalarmult_base(pk, sk);
  const double xbase = PerSecond([&] { crypto_scalarmult_base(q, sk); });
  int failed = 0;
  const double xmul = PerSecond([&] { failed |= crypto_scalarmult(q, sk, pk); });
  const double bseal = PerSecond([&] { crypto_box_seal(sealed, opened, 33, pk); });
  const double bopen =
      PerSecond([&] { failed |= crypto_box_seal_open(opened, sealed, sizeof sealed, pk, sk); });
  if (failed != 0) return 1;

  std::printf("### Key operations per second (one core)\n\n");
  std::printf("| operation | per second |\n|---|---|\n");
  std::printf("| ML-KEM-768 key generation (from d, z) | %.0f |\n", kg);
  std::printf("| ML-KEM-768 encapsulation (with the modulus check) | %.0f |\n", en);
  std::printf("| ML-KEM-768 decapsulation (with the hash check and re-encryption) | %.0f |\n", de);
  std::printf("| X-Wing key from its 32-byte seed | %.0f |\n", xkg);
  std::printf("| X-Wing encapsulation | %.0f |\n", xen);
  std::printf("| X-Wing decapsulation (expanded key) | %.0f |\n", xde);
  std::printf("| X25519 public key (crypto_scalarmult_base) | %.0f |\n", xbase);
  std::printf("| X25519 shared secret (crypto_scalarmult) | %.0f |\n", xmul);
  std::printf("| crypto_box_seal of a 33-byte share (version 1 stanza) | %.0f |\n", bseal);
  std::printf("| crypto_box_seal_open of it | %.0f |\n\n", bopen);

  std::vector<uint8_t> buf(64 << 20);
  randombytes_buf(buf.data(), buf.size());
  std::vector<uint8_t> out(buf.size() + 65536);
  uint8_t key32[32], nonce[12] = {}, tag[16];
  randombytes_buf(key32, 32);
  const double sha = Throughput(buf, [](uint8_t* p, size_t n) {
    static Sha256 h;
    h.Update({p, n});
  });
  // Both digests at once, the way ParallelSealer computes them: two halves of each piece, as two
  // messages. Counts the bytes of both.
  const double sha_both = Throughput(buf, [](uint8_t* p, size_t n) {
    static Sha256 a, b;
    Sha256::UpdateBoth(a, {p, n / 2}, b, {p + n / 2, n / 2});
  });
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  const double ossl = Throughput(buf, [&](uint8_t* p, size_t n) {
    int len = 0;
    EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, key32, nonce);
    EVP_EncryptUpdate(ctx, p, &len, p, static_cast<int>(n));
    EVP_EncryptFinal_ex(ctx, p + len, &len);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag);
  });
  EVP_CIPHER_CTX_free(ctx);
  const double sodium = Throughput(buf, [&](uint8_t* p, size_t n) {
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(p, tag, nullptr, p, n, nullptr, 0, nullptr,
                                                       nonce, key32);
  });
  crypto_secretstream_xchacha20poly1305_state st;
  uint8_t header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  crypto_secretstream_xchacha20poly1305_init_push(&st, header, key32);
  const double stream = Throughput(buf, [&](uint8_t* p, size_t n) {
    crypto_secretstream_xchacha20poly1305_push(&st, out.data(), nullptr, p, n, nullptr, 0, 0);
  });
  const double copy = Throughput(buf, [&](uint8_t* p, size_t n) { std::memcpy(out.data(), p, n); });

  // The kernel's part: 256 MiB read from and written to files in /dev/shm, 1 MiB at a time.
  double io_cpu = 0;
  {
    const std::string a = "/dev/shm/pq_bench_in", b = "/dev/shm/pq_bench_out";
    int fd = ::open(a.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
    for (int i = 0; i < 256 && fd >= 0; ++i)
      if (::write(fd, buf.data() + (i % 64) * (1 << 20), 1 << 20) != (1 << 20)) return 1;
    ::close(fd);
    const double before = CpuSeconds();
    int in = ::open(a.c_str(), O_RDONLY), o = ::open(b.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
    std::vector<uint8_t> mib(1 << 20);
    for (;;) {
      const ssize_t n = ::read(in, mib.data(), mib.size());
      if (n <= 0) break;
      if (::write(o, mib.data(), static_cast<size_t>(n)) != n) return 1;
    }
    ::close(in);
    ::close(o);
    io_cpu = CpuSeconds() - before;
    ::unlink(a.c_str());
    ::unlink(b.c_str());
  }

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf("### Primitives of the version 2 payload (one core, 64 KiB pieces)\n\n");
  std::printf("| primitive | MiB/s |\n|---|---|\n");
  std::printf("| SHA-256, one message (SHA extensions where the CPU has them) | %.0f |\n", sha);
  std::printf("| SHA-256, two messages at once (Sha256::UpdateBoth, bytes of both) | %.0f |\n",
              sha_both);
  std::printf("| ChaCha20-Poly1305 IETF (libcrypto: what version 2 uses) | %.0f |\n", ossl);
  std::printf("| ChaCha20-Poly1305 IETF (libsodium 1.0.18) | %.0f |\n", sodium);
  std::printf("| secretstream XChaCha20-Poly1305 (version 1) | %.0f |\n", stream);
  std::printf("| memcpy | %.0f |\n\n", copy);
  const double mib = 256;
  const double cpu = 2 * mib / sha_both + mib / ossl + io_cpu;
  std::printf(
      "format limit for 256 MiB: 2 x SHA-256 together %.3f s + ChaCha20-Poly1305 %.3f s + kernel "
      "read and write %.3f s = %.3f CPU s; over %u cores %.3f s\n",
      2 * mib / sha_both, mib / ossl, io_cpu, cpu, cores, cpu / cores);
  std::printf(
      "pq_bench: mlkem768_keygen=%.0f encaps=%.0f decaps=%.0f xwing_decaps=%.0f x25519=%.0f "
      "limit_256mib_s=%.3f\n",
      kg, en, de, xde, xmul, cpu / cores);
  return 0;
}
