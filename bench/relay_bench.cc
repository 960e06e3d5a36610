// Relay throughput and memory against the real gavah-server and gavah-relay on 127.0.0.1.
//
//   build/bench/relay_bench [--seconds 10] [--senders 16] [--queued 100000]
//
// Direct: `senders` threads submit 4 KiB testimonies straight to the server for `seconds`; each
// success is a verified receipt. Relay: the same load against a relay with no delay (pauses 0,
// no cover), timed until the relay's queue is empty again, i.e. until the server holds every
// envelope the relay acknowledged; delivered per second is what the target compares. Memory:
// with the server stopped, `queued` envelopes are queued at the relay and its resident and peak
// memory read from /proc, with the time `gavah-relay status` takes over that queue.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sodium.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "bench_support.h"
#include "gavah/crypto/bundle.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/receipt.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "support/process.h"

namespace fs = std::filesystem;
using gavah::bench::Clock;
using gavah::bench::PeakRssKib;
using gavah::bench::Percentile;
using gavah::bench::RunLoad;

namespace {

long CurrentRssKib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::unique_ptr<gavah::v1::Intake::Stub> Stub(const std::string& address, const std::string& pem) {
  return gavah::bench::IntakeStub(address, pem, false);
}

// One whole-envelope Submit; true when the answer is what `relay` or a server should give.
bool SubmitOne(gavah::v1::Intake::Stub& stub, const std::string& id, const std::string& envelope,
               bool relay, const gavah::PublicKey32& receipt_key) {
  grpc::ClientContext ctx;
  gavah::v1::SubmitResponse resp;
  auto w = stub.Submit(&ctx, &resp);
  gavah::v1::SubmitChunk m;
  m.set_envelope_id(id);
  m.set_total_size(envelope.size());
  m.set_data(envelope);
  w->Write(m);
  w->WritesDone();
  if (!w->Finish().ok()) return false;
  if (relay) return resp.queued();
  gavah::Receipt r;
  if (resp.receipt().envelope_id().size() != 32 || resp.receipt().signature().size() != 64)
    return false;
  std::memcpy(r.envelope_id.data(), resp.receipt().envelope_id().data(), 32);
  std::memcpy(r.signature.data(), resp.receipt().signature().data(), 64);
  r.include_by = resp.receipt().include_by();
  r.received_hour = resp.receipt().received_hour();
  gavah::Digest32 digest{};
  std::memcpy(digest.data(), id.data(), 32);
  return gavah::VerifyReceipt(r, receipt_key, digest).ok();
}

uint64_t Queued(const fs::path& dir, const std::map<std::string, std::string>& env) {
  auto s = gavah::testing::Exec(dir, GAVAH_RELAY, {"status", "--data", "rl", "--json"}, env);
  const size_t at = s.out.find("\"queued\":");
  return at == std::string::npos ? UINT64_MAX : std::stoull(s.out.substr(at + 9));
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  int senders = 16;
  size_t queued_target = 100000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--senders")) senders = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--queued")) queued_target = std::strtoull(argv[i + 1], nullptr, 10);
  }
  if (!gavah::InitCrypto()) return 1;
  char tmpl[] = "/var/tmp/gavah-relay-bench-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  std::map<std::string, std::string> env = {
      {"PATH", "/usr/bin:/bin"}, {"HOME", dir.string()}, {"XDG_DATA_HOME", (dir / "xdg").string()}};
  const std::string address = "127.0.0.1:" + std::to_string(gavah::testing::FreePort());
  const std::string relay_address = "127.0.0.1:" + std::to_string(gavah::testing::FreePort());
  if (gavah::testing::Exec(dir, GAVAH_SERVER, {"init", "--data", "srv", "--listen", address}, env)
          .exit_code != 0)
    return 1;
  const auto bundle = gavah::bench::MakeBenchBundle(dir, address);
  const auto& c = bundle.contents();
  const auto& e = c.endpoints.front();
  if (gavah::testing::Exec(
          dir, GAVAH_RELAY,
          {"init", "--data", "rl", "--bundle", "org.bundle", "--listen", relay_address}, env)
          .exit_code != 0)
    return 1;
  {
    // No delay and no cover: the relay's own cost, not the mixing's. No per-connection limit
    // either: all senders share one connection here.
    std::ofstream conf(dir / "rl/relay.conf", std::ios::app);
    conf << "delay_mean_seconds = 0\ncover_round_size = 0\nconnection_calls_per_second = 0\n"
            "connection_bytes_per_second = 0\nbatch_max = 512\nforward_streams = 16\n"
            "backoff_max_seconds = 1\n"
            "queue_bytes = 0\n";
  }
  const pid_t server =
      gavah::testing::Spawn(dir, GAVAH_SERVER, {"run", "--data", "srv", "--bundle", "org.bundle"},
                            env, dir / "server.log");
  if (!gavah::testing::WaitForPort(std::stoi(address.substr(10)), 20)) return 1;
  const pid_t relay =
      gavah::testing::Spawn(dir, GAVAH_RELAY, {"run", "--data", "rl"}, env, dir / "relay.log");
  if (!gavah::testing::WaitForPort(std::stoi(relay_address.substr(10)), 20)) return 1;

  const size_t per_phase = static_cast<size_t>(seconds * 4000) + 1000;  // more than can be sent
  // One envelope is sealed; the others differ from it in payload bytes only. Neither a relay nor
  // a server can tell (they check header, size and id, and hold no key), and sealing tens of
  // thousands of testimonies would take longer than the measurement.
  std::string base;
  {
    std::string text(4096, 't');
    gavah::TestimonyInput in;
    in.text =
        gavah::SecretBuffer::CopyOf({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    gavah::MemorySink out;
    if (!gavah::SealEnvelope(bundle, in, out).ok()) return 1;
    base.assign(out.data.begin(), out.data.end());
  }
  const size_t payload_at = base.size() - 4096;
  auto variant = [&](size_t i, std::string* id) {
    std::string bytes = base;
    std::memcpy(bytes.data() + payload_at, &i, sizeof i);
    const auto digest =
        gavah::Sha256Of({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
    id->assign(digest.begin(), digest.end());
    return bytes;
  };
  std::vector<std::string> envelopes(2 * per_phase), ids(2 * per_phase);
  for (size_t i = 0; i < envelopes.size(); ++i) envelopes[i] = variant(i, &ids[i]);
  auto direct_stub = Stub(address, e.tls_certificate_pem);
  auto relay_stub = Stub(relay_address, gavah::testing::ReadText(dir / "rl/tls.crt"));

  std::atomic<size_t> next{0};
  const auto direct = RunLoad(server, senders, seconds, [&](int, uint64_t) {
    const size_t i = next++;
    return i < per_phase && SubmitOne(*direct_stub, ids[i], envelopes[i], false, *c.receipt_key);
  });
  next = per_phase;
  const double relay_cpu0 = gavah::bench::CpuSeconds(relay),
               server_cpu0 = gavah::bench::CpuSeconds(server);
  const auto start = Clock::now();
  const auto via_relay = RunLoad(relay, senders, seconds, [&](int, uint64_t) {
    const size_t i = next++;
    return i < 2 * per_phase && SubmitOne(*relay_stub, ids[i], envelopes[i], true, *c.receipt_key);
  });
  const double accept_s = std::chrono::duration<double>(Clock::now() - start).count();
  while (Queued(dir, env) != 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const double drained_s = std::chrono::duration<double>(Clock::now() - start).count();
  const double relay_cpu = gavah::bench::CpuSeconds(relay) - relay_cpu0;
  const double server_cpu = gavah::bench::CpuSeconds(server) - server_cpu0;

  std::printf(
      "\n### Relay throughput, 4 KiB testimonies (%zu-byte envelopes), %d senders, %.0f s\n\n",
      envelopes[0].size(), senders, seconds);
  std::printf("| path | per second | p50 ms | p99 ms | failed |\n|---|---|---|---|---|\n");
  std::printf("| direct to the server (receipt verified) | %.0f | %.2f | %.2f | %llu |\n",
              direct.ok / seconds, Percentile(direct.latencies_ms, 0.5),
              Percentile(direct.latencies_ms, 0.99),
              static_cast<unsigned long long>(direct.failed));
  std::printf("| accepted by the relay (durably queued) | %.0f | %.2f | %.2f | %llu |\n",
              via_relay.ok / accept_s, Percentile(via_relay.latencies_ms, 0.5),
              Percentile(via_relay.latencies_ms, 0.99),
              static_cast<unsigned long long>(via_relay.failed));
  std::printf("| through the relay to the server (queue drained) | %.0f | | | |\n",
              via_relay.ok / drained_s);
  std::printf(
      "\nCPU per envelope through the relay: relay %.0f µs, server %.0f µs; direct: server %.0f "
      "µs, client %.0f µs\n",
      relay_cpu * 1e6 / via_relay.ok, server_cpu * 1e6 / via_relay.ok,
      direct.server_cpu * 1e6 / direct.ok, direct.client_cpu * 1e6 / direct.ok);
  std::printf("\nrelay end to end / direct: %.0f%%\n",
              100.0 * (via_relay.ok / drained_s) / (direct.ok / seconds));

  // ---- memory with a large queue ----
  if (queued_target > 0) {
    gavah::testing::Stop(server, SIGTERM);
    std::atomic<size_t> made{0};
    const double fill_cpu0 = gavah::bench::CpuSeconds(relay);
    const auto t0 = Clock::now();
    std::vector<std::thread> fillers;
    for (int t = 0; t < senders; ++t) {
      fillers.emplace_back([&] {
        for (size_t i = made++; i < queued_target; i = made++) {
          std::string id;
          const std::string bytes = variant(2 * per_phase + i, &id);
          SubmitOne(*relay_stub, id, bytes, true, *c.receipt_key);
        }
      });
    }
    for (auto& f : fillers) f.join();
    const double fill_s = std::chrono::duration<double>(Clock::now() - t0).count();
    const double fill_cpu = gavah::bench::CpuSeconds(relay) - fill_cpu0;
    const auto s0 = Clock::now();
    const uint64_t queued = Queued(dir, env);
    const double status_s = std::chrono::duration<double>(Clock::now() - s0).count();
    std::printf("\n### Relay memory with a large queue (server down)\n\n");
    std::printf("accepted while nothing is forwarded: %.0f per second, relay CPU %.0f µs each\n\n",
                static_cast<double>(queued_target) / fill_s,
                fill_cpu * 1e6 / static_cast<double>(queued_target));
    std::printf(
        "| queued envelopes | filled in s | relay RSS MiB | relay peak RSS MiB | "
        "`gavah-relay status` s | queue.db MiB |\n|---|---|---|---|---|---|\n");
    std::printf("| %llu | %.1f | %.1f | %.1f | %.2f | %.0f |\n",
                static_cast<unsigned long long>(queued), fill_s,
                static_cast<double>(CurrentRssKib(relay)) / 1024,
                static_cast<double>(PeakRssKib(relay)) / 1024, status_s,
                static_cast<double>(fs::file_size(dir / "rl/queue.db")) / (1 << 20));
    // The outage ends: how fast the relay drains what it held. Its backoff is capped at 1 s
    // here only so the wait for its next try does not count.
    const pid_t back =
        gavah::testing::Spawn(dir, GAVAH_SERVER, {"run", "--data", "srv", "--bundle", "org.bundle"},
                              env, dir / "server.log");
    if (!gavah::testing::WaitForPort(std::stoi(address.substr(10)), 20)) return 1;
    const double drain_relay0 = gavah::bench::CpuSeconds(relay);
    const double drain_server0 = gavah::bench::CpuSeconds(back);
    const auto d0 = Clock::now();
    while (Queued(dir, env) != 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const double drain_s = std::chrono::duration<double>(Clock::now() - d0).count();
    std::printf(
        "\nbacklog of %llu drained after the server came back: %.0f per second (relay CPU "
        "%.0f µs, server CPU %.0f µs each)\n",
        static_cast<unsigned long long>(queued), static_cast<double>(queued) / drain_s,
        (gavah::bench::CpuSeconds(relay) - drain_relay0) * 1e6 / static_cast<double>(queued),
        (gavah::bench::CpuSeconds(back) - drain_server0) * 1e6 / static_cast<double>(queued));
    gavah::testing::Stop(back, SIGTERM);
  } else {
    gavah::testing::Stop(server, SIGTERM);
  }
  gavah::testing::Stop(relay, SIGTERM);
  if (!std::getenv("GAVAH_BENCH_KEEP")) fs::remove_all(dir);
  return 0;
}
