// Intake throughput against the real gavah-server on 127.0.0.1 over TLS.
//
//   build/bench/intake_bench [--seconds 10] [--senders 16] [--large-mib 256]
//
// Small: testimonies of 4 KiB of text, sealed beforehand, submitted by `senders` threads over one
// TLS channel for `seconds`; every success is a durable, signed receipt. Then the same load of
// Probe calls carrying the same number of bytes on the same channel: what the transport alone
// allows. Large: `gavah-witness submit` of one attachment of `large-mib` MiB (seal and send),
// and `gavah-witness send` of the same envelope sealed beforehand; the server's peak RSS; and
// `age` sealing the same file, when installed, as the acceptance check compares with it.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "bench_support.h"
#include "gavah/crypto/bundle.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/receipt.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "support/process.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

using gavah::bench::CpuSeconds;
using gavah::bench::LoadResult;
using gavah::bench::PeakRssKib;
using gavah::bench::Percentile;
using gavah::bench::RunLoad;

int main(int argc, char** argv) {
  double seconds = 10;
  int senders = 16;
  int large_mib = 256;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--senders")) senders = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--large-mib")) large_mib = std::atoi(argv[i + 1]);
  }
  if (!gavah::InitCrypto()) return 1;
  auto made = gavah::bench::InitBenchServer("intake-bench", GAVAH_SERVER);
  if (!made) return 1;
  const fs::path dir = made->dir;
  std::map<std::string, std::string> env = made->env;
  const int port = made->port;
  const std::string address = made->address;

  const auto bundle = gavah::bench::MakeBenchBundle(dir, address);
  const auto& c = bundle.contents();
  const auto& e = c.endpoints.front();

  const pid_t server =
      gavah::testing::Spawn(dir, GAVAH_SERVER, {"run", "--data", "srv", "--bundle", "org.bundle"},
                            env, dir / "server.log");
  if (!gavah::testing::WaitForPort(port, 20)) return 1;

  // ---- small ----
  const size_t expected = static_cast<size_t>(seconds * 4000) + 1000;  // more than can be sent
  std::printf("sealing %zu testimonies of 4 KiB...\n", expected);
  std::fflush(stdout);  // before the witnesses are forked, or it is printed twice
  std::vector<std::string> envelopes(expected);
  std::vector<std::string> ids(expected);
  std::string text(4096, 't');
  for (size_t i = 0; i < expected; ++i) {
    std::memcpy(text.data(), &i, sizeof i);
    gavah::TestimonyInput in;
    in.text =
        gavah::SecretBuffer::CopyOf({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    gavah::MemorySink out;
    auto sealed = gavah::SealEnvelope(bundle, in, out);
    envelopes[i].assign(out.data.begin(), out.data.end());
    ids[i].assign(reinterpret_cast<const char*>(sealed->id.data()), 32);
  }
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = e.tls_certificate_pem;
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("gavah-intake");
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  auto channel = grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args);
  auto stub = gavah::v1::Intake::NewStub(channel);
  std::atomic<size_t> next{0};
  const LoadResult small = RunLoad(server, senders, seconds, [&](int, uint64_t) {
    const size_t i = next++;
    if (i >= expected) return false;
    grpc::ClientContext ctx;
    gavah::v1::SubmitResponse resp;
    auto w = stub->Submit(&ctx, &resp);
    gavah::v1::SubmitChunk m;
    m.set_envelope_id(ids[i]);
    m.set_total_size(envelopes[i].size());
    m.set_data(envelopes[i]);
    w->Write(m);
    w->WritesDone();
    if (!w->Finish().ok()) return false;
    gavah::Receipt r;
    std::memcpy(r.envelope_id.data(), resp.receipt().envelope_id().data(), 32);
    std::memcpy(r.signature.data(), resp.receipt().signature().data(), 64);
    r.include_by = resp.receipt().include_by();
    r.received_hour = resp.receipt().received_hour();
    gavah::Digest32 id{};
    std::memcpy(id.data(), ids[i].data(), 32);
    return gavah::VerifyReceipt(r, *c.receipt_key, id).ok();
  });
  const std::string padding(envelopes[0].size(), 'p');
  const LoadResult noop = RunLoad(server, senders, seconds, [&](int, uint64_t) {
    grpc::ClientContext ctx;
    gavah::v1::ProbeRequest req;
    req.set_padding(padding);
    gavah::v1::ProbeResponse resp;
    return stub->Probe(&ctx, req, &resp).ok();
  });
  std::printf(
      "\n### Small testimonies (%zu-byte envelopes), %d senders, one TLS channel, %.0f s each\n\n",
      envelopes[0].size(), senders, seconds);
  std::printf(
      "| load | per second | p50 ms | p99 ms | failed | server CPU µs/call | client CPU µs/call "
      "|\n|---|---|---|---|---|---|---|\n");
  auto per_call = [](double cpu, uint64_t n) { return n ? cpu * 1e6 / static_cast<double>(n) : 0; };
  std::printf(
      "| durable submissions (signed receipt verified) | %.0f | %.2f | %.2f | %llu | %.0f | %.0f "
      "|\n",
      small.ok / seconds, Percentile(small.latencies_ms, 0.5), Percentile(small.latencies_ms, 0.99),
      static_cast<unsigned long long>(small.failed), per_call(small.server_cpu, small.ok),
      per_call(small.client_cpu, small.ok));
  std::printf("| no-op Probe of the same size | %.0f | %.2f | %.2f | %llu | %.0f | %.0f |\n",
              noop.ok / seconds, Percentile(noop.latencies_ms, 0.5),
              Percentile(noop.latencies_ms, 0.99), static_cast<unsigned long long>(noop.failed),
              per_call(noop.server_cpu, noop.ok), per_call(noop.client_cpu, noop.ok));
  std::printf("\nsubmissions / no-op: %.0f%%\n",
              100.0 * static_cast<double>(small.ok) / static_cast<double>(noop.ok));

  // ---- large ----
  if (large_mib > 0) {
    {
      std::ofstream f(dir / "big.bin", std::ios::binary);
      std::string block(1 << 20, '\0');
      for (int i = 0; i < large_mib; ++i) {
        randombytes_buf(block.data(), block.size());
        f.write(block.data(), static_cast<std::streamsize>(block.size()));
      }
    }
    gavah::testing::WriteText(dir / "t.txt", "large");
    ::sync();  // the input file is on disk, as a witness's file would be; its writeback is not
               // timed
    auto timed = [&](const std::vector<std::string>& a) {
      const auto start = Clock::now();
      auto r = gavah::testing::Exec(dir, GAVAH_WITNESS, a, env);
      const double s = std::chrono::duration<double>(Clock::now() - start).count();
      if (r.exit_code != 0) std::printf("failed: %s\n", r.err.c_str());
      return s;
    };
    const double submit_s =
        timed({"submit", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach", "big.bin"});
    gavah::testing::WriteText(dir / "t2.txt", "large, sealed first");
    timed({"seal", "--bundle", "org.bundle", "--text-file", "t2.txt", "--attach", "big.bin",
           "--out", "big.gvh"});
    const double send_s = timed({"send", "big.gvh", "--bundle", "org.bundle"});
    // The peer the acceptance check compares with: age sealing the same file locally.
    double age_s = -1;
    if (gavah::testing::Exec(dir, "/usr/bin/age-keygen", {"-o", "age.key"}, env).exit_code == 0) {
      const std::string key = gavah::testing::ReadText(dir / "age.key");
      const size_t at = key.find("age1");
      const std::string recipient = key.substr(at, key.find_first_of(" \n", at) - at);
      const auto start = Clock::now();
      if (gavah::testing::Exec(dir, "/usr/bin/age", {"-r", recipient, "-o", "big.age", "big.bin"},
                               env)
              .exit_code == 0) {
        age_s = std::chrono::duration<double>(Clock::now() - start).count();
      }
    }
    std::printf("\n### One %d MiB attachment over loopback TLS\n\n", large_mib);
    std::printf("| command | seconds | MiB/s |\n|---|---|---|\n");
    std::printf("| gavah-witness submit (seal + send + receipt) | %.2f | %.0f |\n", submit_s,
                large_mib / submit_s);
    std::printf("| gavah-witness send (sealed beforehand) | %.2f | %.0f |\n", send_s,
                large_mib / send_s);
    if (age_s > 0) {
      std::printf("| age -r (local sealing only, no network, no fsync) | %.2f | %.0f |\n", age_s,
                  large_mib / age_s);
      std::printf("\nsubmit / age sealing speed: %.2fx\n", age_s / submit_s);
    }
    std::printf("\nserver peak RSS: %.1f MiB\n", static_cast<double>(PeakRssKib(server)) / 1024);
  }
  gavah::testing::Stop(server, SIGTERM);
  if (!std::getenv("GAVAH_BENCH_KEEP")) fs::remove_all(dir);
  return 0;
}
