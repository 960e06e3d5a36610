// The server store alone, without gRPC or TLS, so the store's share of an end-to-end upload can
// be seen: appends one large envelope in 1 MiB chunks (MiB/s, CPU seconds), then stores small
// whole envelopes in group commits of `--batch` (envelopes/s, CPU per envelope).
//   store_bench [--mib 256] [--small 20000] [--batch 4] [--dir /var/tmp]
#include <sodium.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "envelope_store.h"

namespace {
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
}  // namespace

int main(int argc, char** argv) {
  uint64_t mib = 256, small = 20000, batch = 4;
  std::string dir = "/var/tmp";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--mib") == 0) mib = std::stoull(argv[i + 1]);
    if (std::strcmp(argv[i], "--small") == 0) small = std::stoull(argv[i + 1]);
    if (std::strcmp(argv[i], "--batch") == 0)
      batch = std::max<uint64_t>(1, std::stoull(argv[i + 1]));
    if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
  }
  if (sodium_init() < 0) return 1;
  char tmpl[4096];
  std::snprintf(tmpl, sizeof tmpl, "%s/gavah-store-bench-XXXXXX", dir.c_str());
  if (!mkdtemp(tmpl)) return 1;
  const std::string path = std::string(tmpl) + "/store.db";
  gavah::SecretBuffer key(32);
  randombytes_buf(key.data(), key.size());
  auto store = gavah::server::EnvelopeStore::Open(path, key, true);
  if (!store.ok()) {
    std::fprintf(stderr, "store_bench: %s\n", store.status().message().c_str());
    return 1;
  }
  std::vector<uint8_t> chunk(1 << 20);
  randombytes_buf(chunk.data(), chunk.size());
  gavah::Digest32 id{};
  randombytes_buf(id.data(), id.size());
  const uint64_t total = mib << 20;
  const double cpu0 = CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  if (!(*store)->BeginUpload(id, total, 0, 0).ok()) return 1;
  for (uint64_t i = 0; i < mib; ++i) {
    chunk[0] = static_cast<uint8_t>(i);
    const gavah::Status st = (*store)->AppendChunk(id, chunk, 0);
    if (!st.ok()) {
      std::fprintf(stderr, "store_bench: %s\n", st.message().c_str());
      return 1;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = CpuSeconds() - cpu0;
  std::printf("appended %llu MiB in 1 MiB chunks: %.2f s, %.0f MiB/s, %.2f s CPU\n",
              static_cast<unsigned long long>(mib), secs, static_cast<double>(mib) / secs, cpu);

  // Small envelopes of the size a 4 KiB testimony seals to, in group commits.
  std::vector<uint8_t> envelope(4540);
  randombytes_buf(envelope.data(), envelope.size());
  std::vector<gavah::Digest32> ids(batch);
  std::vector<gavah::server::EnvelopeStore::WholeEnvelope> group(batch);
  const double cpu1 = CpuSeconds();
  const auto t1 = std::chrono::steady_clock::now();
  for (uint64_t done = 0; done < small; done += batch) {
    for (uint64_t i = 0; i < batch; ++i) {
      randombytes_buf(ids[i].data(), ids[i].size());
      group[i] = {ids[i], envelope};
    }
    auto stored = (*store)->StoreWhole(group, 0);
    if (!stored.ok()) {
      std::fprintf(stderr, "store_bench: %s\n", stored.status().message().c_str());
      return 1;
    }
  }
  const double ssecs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  const double scpu = CpuSeconds() - cpu1;
  std::printf("stored %llu envelopes of 4540 bytes, %llu per commit: %.0f/s, %.0f us CPU each\n",
              static_cast<unsigned long long>(small), static_cast<unsigned long long>(batch),
              static_cast<double>(small) / ssecs, scpu * 1e6 / static_cast<double>(small));
  store->reset();
  std::filesystem::remove_all(tmpl);
  return 0;
}
