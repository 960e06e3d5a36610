// Measuring helpers the benchmarks share: load from many threads, latency percentiles, CPU
// and peak memory of a process read from /proc.
#pragma once

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gavah/crypto/bundle.h"
#include "gavah/crypto/keys.h"
#include "gavah/crypto/receipt.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "support/process.h"

namespace gavah::bench {

using Clock = std::chrono::steady_clock;

// An intake stub pinned to `pem`; with `own_connection`, on a TCP connection of its own.
inline std::unique_ptr<gavah::v1::Intake::Stub> IntakeStub(const std::string& address,
                                                           const std::string& pem,
                                                           bool own_connection = false) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = pem;
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("gavah-intake");
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  if (own_connection) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return gavah::v1::Intake::NewStub(
      grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args));
}

inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

inline long PeakRssKib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// User + system CPU seconds a process has used so far (pid 0: this one).
inline double CpuSeconds(pid_t pid) {
  std::ifstream f(pid == 0 ? std::string("/proc/self/stat")
                           : "/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct LoadResult {
  uint64_t ok = 0, failed = 0;
  std::vector<double> latencies_ms;
  double server_cpu = 0, client_cpu = 0;  // seconds used during the load
};

template <typename Call>
LoadResult RunLoad(pid_t server, int senders, double seconds, Call call) {
  const double server0 = CpuSeconds(server), client0 = CpuSeconds(0);
  std::vector<LoadResult> per(senders);
  std::vector<std::thread> threads;
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  for (int t = 0; t < senders; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t i = 0; Clock::now() < end; ++i) {
        const auto start = Clock::now();
        const bool ok = call(t, i);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (ok) {
          ++per[t].ok;
          per[t].latencies_ms.push_back(ms);
        } else {
          ++per[t].failed;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  LoadResult all;
  for (auto& r : per) {
    all.ok += r.ok;
    all.failed += r.failed;
    all.latencies_ms.insert(all.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
  }
  all.server_cpu = CpuSeconds(server) - server0;
  all.client_cpu = CpuSeconds(0) - client0;
  return all;
}

// A one-investigator organisation whose bundle lists the server initialised in `dir`/srv at
// `address`, written to `dir`/org.bundle. Made with the library: Argon2id key files are beside
// the point of a benchmark.
// A scratch folder under /var/tmp and a server data directory `srv` in it, initialised for
// 127.0.0.1 on a free port, with `conf` appended to its server.conf; the environment the
// benchmarks run the tools in.
struct BenchServerDir {
  std::filesystem::path dir;
  std::map<std::string, std::string> env;
  int port = 0;
  std::string address;
};
inline std::optional<BenchServerDir> InitBenchServer(const std::string& name, const char* server,
                                                     const std::string& conf = "") {
  std::string tmpl = "/var/tmp/gavah-" + name + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return std::nullopt;
  BenchServerDir d;
  d.dir = tmpl;
  d.env = {{"PATH", "/usr/bin:/bin"},
           {"HOME", d.dir.string()},
           {"XDG_DATA_HOME", (d.dir / "xdg").string()}};
  d.port = testing::FreePort();
  d.address = "127.0.0.1:" + std::to_string(d.port);
  if (testing::Exec(d.dir, server, {"init", "--data", "srv", "--listen", d.address}, d.env)
          .exit_code != 0)
    return std::nullopt;
  if (!conf.empty())
    testing::WriteText(d.dir / "srv/server.conf",
                       testing::ReadText(d.dir / "srv/server.conf") + conf);
  return d;
}

inline RecipientBundle MakeBenchBundle(const std::filesystem::path& dir,
                                       const std::string& address) {
  const auto org = OrganisationKey::Generate();
  const auto investigator = InvestigatorSecretKey::Generate("bench");
  BundleContents c;
  c.issued_at = static_cast<uint64_t>(time(nullptr));
  c.expires_at = c.issued_at + 86400;
  c.threshold = 1;
  c.investigators.push_back(investigator.public_key());
  BundleEndpoint e;
  e.address = address;
  e.tls_certificate_pem = testing::ReadText(dir / "srv/tls.crt");
  c.endpoints.push_back(e);
  c.receipt_key = ReceiptPublicKeyFromText(testing::ReadText(dir / "srv/receipt.pub")).value();
  const auto bytes = RecipientBundle::Create(c, org).value();
  testing::WriteText(dir / "org.bundle", std::string(bytes.begin(), bytes.end()));
  return RecipientBundle::Parse(bytes).value();
}

}  // namespace gavah::bench
