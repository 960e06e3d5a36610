// One hostile machine against the real gavah-server and gavah-relay on 127.0.0.1 at their
// default settings (the server under systemd's default descriptor limit, 1,024), while real
// witnesses keep sending: `gavah-witness submit` of a 4 KiB and a 10 MiB testimony, and a
// reply-mailbox poll through the relay as `gavah-witness replies` makes it.
//
//   build/bench/hostile_bench [--flood-seconds 30]
//
// Per attack it reports the share of legitimate deliveries, their p50/p99 seconds, what the
// flooder got stored (per hour at the rate it reached), and the server's peak RSS. The last line:
//   hostile_bench: delivered=<n>/<m> worst_s=<float> server_peak_rss_mib=<int>
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>

#include "bench_support.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/io.h"
#include "gavah/crypto/pow.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "support/process.h"
#include "support/raw_h2.h"

namespace fs = std::filesystem;
using gavah::bench::Clock;
using gavah::bench::Percentile;

namespace {

std::unique_ptr<gavah::v1::Intake::Stub> Stub(const std::string& address, const std::string& pem) {
  return gavah::bench::IntakeStub(address, pem, /*own_connection=*/true);
}

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Env {
  fs::path dir;
  std::map<std::string, std::string> env;
  std::string server_address, relay_address, server_pem, relay_pem;
  gavah::Fingerprint org{};
  pid_t server = -1;
};

// The attack runs on its own threads from `start` until `stop` is called.
struct Attack {
  std::string name;
  std::function<void(Env&, std::atomic<bool>& stop, std::atomic<uint64_t>& stored)> run;
};

// A forged envelope start: a real header with its payload length changed (the server cannot
// tell before the bytes arrive).
std::string Forged(const std::string& real_head, uint64_t payload, uint64_t* total) {
  std::string head = real_head;
  for (int i = 0; i < 8; ++i) head[26 + i] = static_cast<char>(payload >> (56 - 8 * i));
  const std::vector<uint8_t> bytes(head.begin(), head.end());
  gavah::MemorySource src(bytes);
  auto h = gavah::ReadEnvelopeHeader(src);
  *total = h.ok() ? h->envelope_size() : 0;
  return head;
}

// Submits one whole envelope, proving work when asked; true when stored.
bool SubmitWhole(gavah::v1::Intake::Stub& stub, const std::string& id, const std::string& bytes) {
  gavah::v1::SubmitChunk m;
  m.set_envelope_id(id);
  m.set_total_size(bytes.size());
  m.set_data(bytes);
  for (int attempt = 0; attempt < 3; ++attempt) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    gavah::v1::SubmitResponse resp;
    auto w = stub.Submit(&ctx, &resp);
    w->Write(m);
    w->WritesDone();
    const grpc::Status st = w->Finish();
    if (st.ok()) return true;
    if (st.error_message().find("proof of work") == std::string::npos) return false;
    grpc::ClientContext actx;
    gavah::v1::AdmissionRequest req;
    gavah::v1::AdmissionResponse adm;
    if (!stub.GetAdmission(&actx, req, &adm).ok() || adm.seed().size() != 32) return false;
    gavah::PowSeed seed{};
    std::memcpy(seed.data(), adm.seed().data(), 32);
    gavah::Digest32 d{};
    std::memcpy(d.data(), id.data(), 32);
    const uint64_t effort =
        std::max<uint64_t>(1, adm.effort_per_mib()) * gavah::PowUnits(bytes.size());
    const auto nonce = gavah::PowSolve(seed, d, bytes.size(), effort, nullptr);
    if (!nonce) return false;
    m.set_pow_seed_head(adm.seed().substr(0, 4));
    m.set_pow_effort(effort);
    m.set_pow_nonce(nonce->data(), nonce->size());
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  double flood_seconds = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--flood-seconds")) flood_seconds = std::atof(argv[i + 1]);
  }
  if (!gavah::InitCrypto()) return 1;
  char tmpl[] = "/var/tmp/gavah-hostile-bench-XXXXXX";
  Env e;
  e.dir = mkdtemp(tmpl);
  e.env = {{"PATH", "/usr/bin:/bin"},
           {"HOME", e.dir.string()},
           {"XDG_DATA_HOME", (e.dir / "xdg").string()}};
  e.server_address = "127.0.0.1:" + std::to_string(gavah::testing::FreePort());
  e.relay_address = "127.0.0.1:" + std::to_string(gavah::testing::FreePort());
  using gavah::testing::Exec;
  if (Exec(e.dir, GAVAH_SERVER, {"init", "--data", "srv", "--listen", e.server_address}, e.env)
          .exit_code != 0)
    return 1;
  const auto bundle = gavah::bench::MakeBenchBundle(e.dir, e.server_address);
  e.org = bundle.organisation_fingerprint();
  e.server_pem = bundle.contents().endpoints.front().tls_certificate_pem;
  if (Exec(e.dir, GAVAH_RELAY,
           {"init", "--data", "rl", "--bundle", "org.bundle", "--listen", e.relay_address}, e.env)
          .exit_code != 0)
    return 1;
  e.relay_pem = gavah::testing::ReadText(e.dir / "rl/tls.crt");
  e.server = gavah::testing::Spawn(
      e.dir, "/usr/bin/prlimit",
      {"--nofile=1024:1024", GAVAH_SERVER, "run", "--data", "srv", "--bundle", "org.bundle"}, e.env,
      e.dir / "server.log");
  if (!gavah::testing::WaitForPort(std::stoi(e.server_address.substr(10)), 20)) return 1;
  const pid_t relay = gavah::testing::Spawn(e.dir, GAVAH_RELAY, {"run", "--data", "rl"}, e.env,
                                            e.dir / "relay.log");
  if (!gavah::testing::WaitForPort(std::stoi(e.relay_address.substr(10)), 20)) return 1;

  gavah::testing::WriteText(e.dir / "t4k.txt", std::string(4096, 't'));
  gavah::testing::WriteText(e.dir / "t.txt", "testimony");
  gavah::testing::WriteText(e.dir / "ten.bin", std::string(10 << 20, 'v'));
  // One sealed envelope of each size the floods use; variants differ in payload bytes only,
  // which neither server nor relay can tell (they hold no key).
  std::string small_env, mib_env;
  for (auto [size, out] :
       {std::pair<size_t, std::string*>{64, &small_env}, {900 << 10, &mib_env}}) {
    gavah::TestimonyInput in;
    std::string text(size, 'f');
    in.text =
        gavah::SecretBuffer::CopyOf({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    gavah::MemorySink sink;
    if (!gavah::SealEnvelope(bundle, in, sink).ok()) return 1;
    out->assign(sink.data.begin(), sink.data.end());
  }
  std::string real_head;
  {
    const std::vector<uint8_t> bytes(small_env.begin(), small_env.end());
    gavah::MemorySource src(bytes);
    auto h = gavah::ReadEnvelopeHeader(src);
    if (!h.ok()) return 1;
    real_head = small_env.substr(0, h->raw.size());
  }

  std::vector<Attack> attacks;
  attacks.push_back({"no attack", [](Env&, std::atomic<bool>&, std::atomic<uint64_t>&) {}});
  attacks.push_back({"4,200 forged uploads announcing 1 GiB",
                     [&](Env& e, std::atomic<bool>& stop, std::atomic<uint64_t>&) {
                       uint64_t total = 0;
                       const std::string head = Forged(real_head, uint64_t{1} << 30, &total);
                       std::vector<std::thread> ts;
                       std::atomic<int> next{0};
                       for (int t = 0; t < 16; ++t) {
                         ts.emplace_back([&, t] {
                           auto stub = Stub(e.server_address, e.server_pem);
                           for (int i = next++; i < 4200 && !stop; i = next++) {
                             gavah::v1::SubmitChunk m;
                             std::string id(32, static_cast<char>(t));
                             std::memcpy(id.data() + 1, &i, sizeof i);
                             m.set_envelope_id(id);
                             m.set_total_size(total);
                             m.set_data(head);
                             grpc::ClientContext ctx;
                             ctx.set_deadline(std::chrono::system_clock::now() +
                                              std::chrono::seconds(5));
                             gavah::v1::SubmitResponse resp;
                             auto w = stub->Submit(&ctx, &resp);
                             w->Write(m);
                             w->WritesDone();
                             (void)w->Finish();
                           }
                         });
                       }
                       for (auto& t : ts) t.join();
                     }});
  attacks.push_back({"300 silent streams on 3 connections",
                     [&](Env& e, std::atomic<bool>& stop, std::atomic<uint64_t>&) {
                       struct Silent {
                         grpc::ClientContext ctx;
                         gavah::v1::SubmitResponse resp;
                         std::unique_ptr<grpc::ClientWriter<gavah::v1::SubmitChunk>> w;
                       };
                       std::vector<std::unique_ptr<gavah::v1::Intake::Stub>> stubs;
                       std::vector<std::unique_ptr<Silent>> held;
                       std::vector<std::thread> ts;
                       for (int c = 0; c < 3; ++c)
                         stubs.push_back(Stub(e.server_address, e.server_pem));
                       // A stream past the per-connection limit waits for one; open them apart.
                       for (int s = 0; s < 300; ++s) {
                         auto one = std::make_unique<Silent>();
                         Silent* p = one.get();
                         auto* stub = stubs[s % 3].get();
                         held.push_back(std::move(one));
                         ts.emplace_back([p, stub] { p->w = stub->Submit(&p->ctx, &p->resp); });
                       }
                       while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
                       for (auto& h : held) h->ctx.TryCancel();
                       for (auto& t : ts) t.join();
                       for (auto& h : held)
                         if (h->w) (void)h->w->Finish();
                     }});
  attacks.push_back({"64 streams trickling a byte every 2 s",
                     [&](Env& e, std::atomic<bool>& stop, std::atomic<uint64_t>&) {
                       uint64_t total = 0;
                       const std::string head = Forged(real_head, uint64_t{1} << 24, &total);
                       std::vector<std::thread> ts;
                       for (int t = 0; t < 64; ++t) {
                         ts.emplace_back([&, t] {
                           auto stub = Stub(e.server_address, e.server_pem);
                           while (!stop) {
                             grpc::ClientContext ctx;
                             gavah::v1::SubmitResponse resp;
                             auto w = stub->Submit(&ctx, &resp);
                             gavah::v1::SubmitChunk m;
                             m.set_envelope_id(std::string(32, static_cast<char>(0x80 + t)));
                             m.set_total_size(total);
                             m.set_data(head);
                             gavah::v1::SubmitChunk byte;
                             byte.set_data("b");
                             for (bool ok = w->Write(m); ok && !stop; ok = w->Write(byte)) {
                               std::this_thread::sleep_for(std::chrono::seconds(2));
                             }
                             ctx.TryCancel();
                             (void)w->Finish();
                           }
                         });
                       }
                       for (auto& t : ts) t.join();
                     }});
  attacks.push_back({"1,100 connections held (limit 1,024), then let go",
                     [&](Env& e, std::atomic<bool>&, std::atomic<uint64_t>&) {
                       std::vector<int> held;
                       for (int i = 0; i < 1100; ++i) {
                         const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                         sockaddr_in a{};
                         a.sin_family = AF_INET;
                         a.sin_port =
                             htons(static_cast<uint16_t>(std::stoi(e.server_address.substr(10))));
                         a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                         if (s >= 0 && ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0)
                           held.push_back(s);
                         else if (s >= 0)
                           ::close(s);
                       }
                       std::this_thread::sleep_for(std::chrono::seconds(5));
                       for (int s : held) ::close(s);
                     }});
  attacks.push_back({"1,024 streams announcing 4 GiB messages, 64 connections",
                     [&](Env& e, std::atomic<bool>& stop, std::atomic<uint64_t>&) {
                       const int port = std::stoi(e.server_address.substr(10));
                       std::vector<std::unique_ptr<gavah::testing::RawH2>> conns(64);
                       while (!stop) {
                         for (auto& c : conns) {
                           // A connection the server shut down is opened again at once.
                           if (!c || !c->open()) {
                             c = std::make_unique<gavah::testing::RawH2>();
                             if (!c->Connect(port)) continue;
                             for (int s = 0; s < 16; ++s)
                               c->Open("/gavah.v1.Intake/Submit", 0xffffffffu);
                           }
                           c->Push(1 << 20);
                         }
                         std::this_thread::sleep_for(std::chrono::milliseconds(20));
                       }
                     }});
  attacks.push_back({"5,000 made-up mailboxes at the relay",
                     [&](Env& e, std::atomic<bool>& stop, std::atomic<uint64_t>&) {
                       auto stub = Stub(e.relay_address, e.relay_pem);
                       for (uint32_t i = 0; !stop; ++i) {
                         grpc::ClientContext ctx;
                         gavah::v1::FetchRepliesRequest req;
                         std::string id(32, '\0');
                         std::memcpy(id.data() + 28, &i, sizeof i);
                         req.set_mailbox_id(id);
                         req.set_organisation_id(e.org.data(), e.org.size());
                         gavah::v1::FetchRepliesResponse resp;
                         (void)stub->FetchReplies(&ctx, req, &resp);
                         if (i % 5000 == 4999)
                           std::this_thread::sleep_for(std::chrono::milliseconds(200));
                       }
                     }});
  attacks.push_back({"a flood of valid 0.9 MiB envelopes, 4 senders",
                     [&](Env& e, std::atomic<bool>& stop, std::atomic<uint64_t>& stored) {
                       std::vector<std::thread> ts;
                       std::atomic<uint64_t> next{0};
                       const size_t at = mib_env.size() - 4096;
                       for (int t = 0; t < 4; ++t) {
                         ts.emplace_back([&] {
                           auto stub = Stub(e.server_address, e.server_pem);
                           while (!stop) {
                             const uint64_t i = next++;
                             std::string bytes = mib_env;
                             std::memcpy(bytes.data() + at, &i, sizeof i);
                             const auto d = gavah::Sha256Of(
                                 {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
                             if (SubmitWhole(*stub, std::string(d.begin(), d.end()), bytes))
                               stored += bytes.size();
                           }
                         });
                       }
                       for (auto& t : ts) t.join();
                     }});

  std::printf("\n### Hostile load at default settings (server under a 1,024-descriptor limit)\n\n");
  std::printf(
      "| attack | delivered | p50 s | p99 s | flooder stored | server peak RSS MiB |\n"
      "|---|---|---|---|---|---|\n");
  uint64_t delivered_all = 0, tried_all = 0;
  double worst = 0;
  for (auto& a : attacks) {
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> stored{0};
    const auto begun = Clock::now();
    std::thread attacker([&] { a.run(e, stop, stored); });
    // Let the attack take hold (a connection flood runs its course first).
    std::this_thread::sleep_for(std::chrono::seconds(3));
    std::vector<double> times;
    uint64_t delivered = 0, tried = 0;
    const auto legit_until =
        Clock::now() + std::chrono::duration<double>(
                           a.name.find("valid") != std::string::npos ? flood_seconds : 12.0);
    while (Clock::now() < legit_until || tried < 3) {
      for (bool large : {false, true}) {
        const auto t0 = Clock::now();
        // A witness's tool keeps trying a server it cannot reach for a minute (--wait-seconds).
        std::vector<std::string> args = {
            "submit",         "--bundle", "org.bundle", "--text-file", large ? "t.txt" : "t4k.txt",
            "--wait-seconds", "60"};
        if (large) {
          args.push_back("--attach");
          args.push_back("ten.bin");
        }
        const auto r = Exec(e.dir, GAVAH_WITNESS, args, e.env);
        const double s = Since(t0);
        ++tried;
        if (r.exit_code == 0 && s <= 60) {
          ++delivered;
          times.push_back(s);
        } else {
          times.push_back(s);
        }
        worst = std::max(worst, s);
      }
      // A witness polling for replies through the relay: answered (not pending) within 60 s.
      const auto t0 = Clock::now();
      auto stub = Stub(e.relay_address, e.relay_pem);
      std::string mailbox(32, '\0');
      randombytes_buf(mailbox.data(), mailbox.size());
      bool answered = false;
      while (!answered && Since(t0) < 60) {
        grpc::ClientContext ctx;
        gavah::v1::FetchRepliesRequest req;
        req.set_mailbox_id(mailbox);
        req.set_organisation_id(e.org.data(), e.org.size());
        gavah::v1::FetchRepliesResponse resp;
        answered = stub->FetchReplies(&ctx, req, &resp).ok() && !resp.pending();
        if (!answered) std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
      ++tried;
      if (answered) ++delivered;
      times.push_back(Since(t0));
      worst = std::max(worst, Since(t0));
    }
    stop = true;
    attacker.join();
    const double elapsed = Since(begun);
    delivered_all += delivered;
    tried_all += tried;
    char flood[96] = "—";
    if (stored > 0) {
      std::snprintf(flood, sizeof flood, "%.0f MiB in %.0f s (%.1f GiB/h at that rate)",
                    static_cast<double>(stored) / (1 << 20), elapsed,
                    static_cast<double>(stored) / elapsed * 3600 / (1 << 30));
    }
    std::printf("| %s | %llu/%llu | %.1f | %.1f | %s | %ld |\n", a.name.c_str(),
                static_cast<unsigned long long>(delivered), static_cast<unsigned long long>(tried),
                Percentile(times, 0.5), Percentile(times, 0.99), flood,
                gavah::bench::PeakRssKib(e.server) / 1024);
    std::fflush(stdout);
    if (::kill(e.server, 0) != 0) {
      std::printf("the server died\n");
      break;
    }
  }
  const long rss = gavah::bench::PeakRssKib(e.server) / 1024;
  gavah::testing::Stop(relay, SIGTERM);
  gavah::testing::Stop(e.server, SIGTERM);
  fs::remove_all(e.dir);
  std::printf("\nhostile_bench: delivered=%llu/%llu worst_s=%.1f server_peak_rss_mib=%ld\n",
              static_cast<unsigned long long>(delivered_all),
              static_cast<unsigned long long>(tried_all), worst, rss);
  return delivered_all == tried_all ? 0 : 1;
}
