// gavah-server: the intake server. `init` makes a data directory; `run` serves it.
#include <fcntl.h>
#include <grpc/support/log.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "cli_support.h"
#include "daemon_config.h"
#include "envelope_store.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/io.h"
#include "gavah/crypto/receipt.h"
#include "intake_endpoint.h"
#include "intake_service.h"
#include "review_service.h"
#include "serving.h"
#include "tls_identity.h"
#include "transparency_log.h"

namespace gavah::server {
namespace {

using cli::Fail;
using cli::JsonObject;

// Files of a data directory (docs/PROTOCOL.md, "Server data directory").
struct DataDir {
  std::string root;
  std::string db() const { return root + "/store.db"; }
  std::string db_key() const { return root + "/store.key"; }
  std::string tls_key() const { return root + "/tls.key"; }
  std::string tls_cert() const { return root + "/tls.crt"; }
  std::string receipt_key() const { return root + "/receipt.key"; }
  std::string receipt_pub() const { return root + "/receipt.pub"; }
  std::string config() const { return root + "/server.conf"; }
};

// `--onion`: a v3 onion name (56 base32 letters and ".onion"), with a port or taking the
// listening one. Answers HOST:PORT as the bundle should list it.
std::string OnionEndpoint(const std::string& onion, const std::string& listen) {
  std::string host = onion, port;
  if (const size_t colon = onion.rfind(':'); colon != std::string::npos) {
    host = onion.substr(0, colon);
    port = onion.substr(colon + 1);
  } else {
    port = listen.substr(listen.rfind(':') + 1);
  }
  static constexpr std::string_view kSuffix = ".onion";
  const bool named =
      host.size() == 56 + kSuffix.size() && host.compare(56, kSuffix.size(), kSuffix) == 0 &&
      std::all_of(host.begin(), host.begin() + 56,
                  [](char c) { return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'); });
  const bool numbered =
      !port.empty() && port.size() <= 5 &&
      std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      std::stoul(port) >= 1 && std::stoul(port) <= 65535;
  if (!named || !numbered) {
    Fail("--onion must be a v3 onion address (56 letters a-z, 2-7, then .onion), optionally :PORT");
  }
  return host + ":" + port;
}

int Init(const std::string& dir, const std::string& listen_given, const std::string& onion,
         bool json) {
  const std::string listen = listen_given.empty() ? std::string("0.0.0.0:7443") : listen_given;
  const std::string onion_endpoint = onion.empty() ? "" : OnionEndpoint(onion, listen);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) == 0) Fail(dir + " already exists; refusing to touch it");
  // Built beside DIR and renamed into place when whole: a failure half way leaves no DIR that a
  // later `init` would refuse or `run` would half read.
  cli::StagingDir staged(dir);
  const std::string& staging = staged.path();
  const DataDir d{staging};
  SecretBuffer db_key(32);
  randombytes_buf(db_key.data(), db_key.size());
  cli::WriteNewFile(d.db_key(), db_key.span(), 0600);
  auto store = EnvelopeStore::Open(d.db(), db_key, /*create=*/true);
  if (!store.ok()) Fail("", store.status());
  store->reset();  // closed before its folder is renamed
  auto tls = GenerateTlsIdentity();
  if (!tls.ok()) Fail("", tls.status());
  cli::WriteNewFile(d.tls_key(), tls->private_key_pem.span(), 0600);
  cli::WriteNewFile(d.tls_cert(), tls->certificate_pem, 0644);
  const ReceiptKey receipt = ReceiptKey::Generate();
  cli::WriteNewFile(d.receipt_key(), receipt.secret_seed().span(), 0600);
  cli::WriteNewFile(d.receipt_pub(), receipt.PublicText(), 0644);
  std::string conf = "# gavah-server configuration\nlisten = " + listen + "\n";
  if (!onion_endpoint.empty()) conf += "onion = " + onion_endpoint + "\n";
  conf +=
      "max_envelope_bytes = 8589934592\nquota_bytes = 0\nupload_timeout_hours = "
      "24\nmax_unfinished_uploads = 4096\n";
  cli::WriteNewFile(d.config(), conf, 0600);
  staged.Commit();
  const DataDir final_dir{dir};
  const std::string pin = CertPin(tls->certificate_pem);
  const std::string rfp = ToHex(receipt.public_key());
  if (json) {
    std::cout << JsonObject()
                     .Add("data_dir", dir)
                     .Add("certificate", final_dir.tls_cert())
                     .Add("certificate_sha256", pin)
                     .Add("receipt_key", final_dir.receipt_pub())
                     .Add("fingerprint", rfp)
                     .Add("onion_endpoint", onion_endpoint)
                     .str()
              << "\n";
  } else {
    // A wildcard listening address is no address a witness can dial: the operator fills it in.
    const bool wildcard = listen.rfind("0.0.0.0:", 0) == 0 || listen.rfind("[::]:", 0) == 0;
    const std::string direct =
        wildcard ? "PUBLIC_HOST:" + listen.substr(listen.rfind(':') + 1) : listen;
    std::cout << "server data directory " << dir << " created\n"
              << "TLS certificate: " << final_dir.tls_cert() << " (SHA-256 " << pin << ")\n"
              << "receipt key:     " << final_dir.receipt_pub() << " (" << rfp << ")\n"
              << "Put them in the bundle: gavah-investigator bundle ... --server " << direct
              << (onion_endpoint.empty() ? "" : " --server " + onion_endpoint) << " --server-cert "
              << final_dir.tls_cert() << " --receipt-key " << final_dir.receipt_pub() << "\n";
    if (!onion_endpoint.empty()) {
      std::cout << "Point the onion service's HiddenServicePort "
                << onion_endpoint.substr(onion_endpoint.rfind(':') + 1) << " at " << listen
                << " (witnesses on Tor reach the server there).\n";
    }
  }
  return 0;
}

int Run(const std::string& dir, std::string listen, const std::string& bundle_path) {
  // Blocked before any thread exists, so every thread inherits the mask and SIGTERM/SIGINT reach
  // only the sigwait below, which stops the server cleanly.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  SilenceGrpcLog();
  const DataDir d{dir};
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    Fail(dir + " is not a server data directory (run init)");
  const auto conf = ReadConfig(d.config());
  if (listen.empty()) listen = conf.count("listen") ? conf.at("listen") : "0.0.0.0:7443";
  SecretBuffer db_key = cli::ReadSecretFile(d.db_key(), 64);
  if (db_key.size() != 32) Fail(d.db_key() + " is not a 32-byte database key");
  if (::stat(d.db().c_str(), &st) != 0)
    Fail(d.db() + " is missing; refusing to start with a new empty database");
  auto store = EnvelopeStore::Open(d.db(), db_key, /*create=*/false);
  if (!store.ok()) Fail("", store.status());
  const RecipientBundle bundle = cli::LoadBundle(bundle_path, "", false);
  SecretBuffer seed = cli::ReadSecretFile(d.receipt_key(), 64);
  auto receipt_key = ReceiptKey::FromSeed(std::move(seed));
  if (!receipt_key.ok()) Fail(d.receipt_key(), receipt_key.status());
  if (bundle.contents().receipt_key &&
      *bundle.contents().receipt_key != receipt_key->public_key()) {
    Fail(bundle_path +
         " names another receipt key than this server's; witnesses would refuse its receipts");
  }
  SecretBuffer tls_key = cli::ReadSecretFile(d.tls_key(), 16 * 1024);
  const auto cert_bytes = cli::ReadSmallFile(d.tls_cert(), 16 * 1024);

  IntakeLimits limits;
  limits.quota_bytes = ConfigNumber(conf, d.config(), "quota_bytes", 0);
  limits.connection_calls_per_second = 20;  // a witness makes a few calls; sync is not intake
  limits.window = WindowLimits{};           // 16 GiB a day, 1 GiB more for small testimonies
  uint64_t intake_threads = 8;
  ReadIntakeLimits(conf, d.config(), &limits, &intake_threads);
  // The transparency log: batches every log_batch_seconds (docs/THREAT_MODEL.md says why an
  // hour by default), cosigned by the bundle's witnesses.
  LogOptions log_options;
  log_options.batch_seconds =
      std::clamp<uint64_t>(ConfigNumber(conf, d.config(), "log_batch_seconds", 3600), 1, 24 * 3600);
  for (const auto& w : bundle.contents().witnesses) {
    auto key = tlog::ParseVerifierKey(w.verifier_key);
    if (!key.ok()) Fail(bundle_path + ": a witness key", key.status());
    log_options.witnesses.push_back({w.address, *key});
  }
  log_options.quorum = bundle.contents().witness_quorum;
  log_options.report = [](const std::string& line) {
    std::fprintf(stderr, "gavah-server: %s\n", line.c_str());
  };
  auto log = TransparencyLog::Open(store->get(), receipt_key.value(), std::move(log_options));
  if (!log.ok()) Fail("", log.status());
  IntakeService service(store->get(), &receipt_key.value(), {&bundle}, limits);
  service.set_log(log->get());
  if (const Status loaded = service.LoadWindow(); !loaded.ok()) Fail("", loaded);
  // Queued jobs are short (a lookup, a message); 4096 of them is seconds of work at most.
  WorkPool pool(intake_threads, 4096);
  IntakeEndpoint endpoint(&service, &pool);
  ReviewService review(store->get(), &receipt_key.value(), &bundle, Sha256Of(cert_bytes),
                       limits.quota_bytes);
  review.set_log(log->get());

  // The review service alone uses gRPC's synchronous threads: intake cannot take them.
  std::unique_ptr<grpc::Server> server = StartTlsServer(
      listen, tls_key, std::string(cert_bytes.begin(), cert_bytes.end()), {&endpoint, &review}, 64,
      16, ReadConnectionCaps(conf, d.config()), "gavah-server");
  if (!server) Fail("cannot listen on " + listen);
  (*log)->Start();

  // SIGTERM and SIGINT stop accepting and let in-flight commits finish.
  std::fprintf(stderr, "gavah-server: serving on %s\n", listen.c_str());
  // Abandoned uploads are reclaimed once untouched for upload_timeout_hours.
  const uint64_t timeout_hours =
      std::clamp<uint64_t>(ConfigNumber(conf, d.config(), "upload_timeout_hours", 24), 1, 24 * 365);
  std::mutex reaper_mu;
  std::condition_variable reaper_cv;
  bool stopping = false;
  std::thread reaper([&] {
    std::unique_lock<std::mutex> lock(reaper_mu);
    while (!stopping) {
      const uint64_t now = CurrentHour();
      if (now > timeout_hours * 3600) {
        auto dropped = (*store)->DropStaleUploads(now - timeout_hours * 3600);
        if (dropped.ok() && dropped.value() > 0) {
          std::fprintf(stderr, "gavah-server: reclaimed %llu abandoned uploads\n",
                       static_cast<unsigned long long>(dropped.value()));
        }
      }
      reaper_cv.wait_for(lock, std::chrono::minutes(10), [&] { return stopping; });
    }
  });
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "gavah-server: stopping\n");
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(30));
  });
  server->Wait();
  waiter.join();
  log->reset();  // the batch thread stops before the store closes
  {
    std::lock_guard<std::mutex> lock(reaper_mu);
    stopping = true;
  }
  reaper_cv.notify_all();
  reaper.join();
  std::fprintf(stderr, "gavah-server: stopped after storing %llu envelopes in this run\n",
               static_cast<unsigned long long>(service.stored_count()));
  return 0;
}

// Copies one stored envelope out of the store, for an operator (and, until investigators sync
// over the network, for the demo). The copy is checked against its id before it is kept.
int Export(const std::string& dir, const std::string& id_hex, const std::string& out) {
  const DataDir d{dir};
  auto id_bytes = FromHex(id_hex);
  if (!id_bytes || id_bytes->size() != 32) Fail("the envelope id must be 64 hexadecimal digits");
  Digest32 id{};
  std::memcpy(id.data(), id_bytes->data(), 32);
  cli::FailIfExists(out);
  SecretBuffer db_key = cli::ReadSecretFile(d.db_key(), 64);
  auto store = EnvelopeStore::Open(d.db(), db_key, /*create=*/false);
  if (!store.ok()) Fail("", store.status());
  auto receipt = (*store)->FindEntry(id);
  if (!receipt.ok()) Fail("", receipt.status());
  if (!receipt->has_value()) Fail("no stored envelope has that id");
  // Streamed into a temporary file beside `out`, checked, then linked into place.
  const size_t slash = out.rfind('/');
  std::string tmp = (slash == std::string::npos ? std::string(".") : out.substr(0, slash)) +
                    "/.gavah-export-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) Fail("cannot write " + out + ": " + std::strerror(errno));
  Sha256 sha;
  Status st;
  {
    FdSink sink(fd, out);
    st = (*store)->ReadEnvelope(id, [&](std::span<const uint8_t> b) {
      sha.Update(b);
      return sink.Write(b);
    });
    if (st.ok()) st = sink.Finish();
  }
  ::close(fd);
  if (st.ok() && sha.Final() != id)
    st = Error(ErrorCode::kTampered,
               "the stored envelope does not match its id: the store is damaged");
  if (st.ok() && ::link(tmp.c_str(), out.c_str()) != 0)
    st = Error(ErrorCode::kIo, "cannot write " + out + ": " + std::strerror(errno));
  ::unlink(tmp.c_str());
  if (!st.ok()) Fail("", st);
  cli::SyncDirOf(out);
  std::cout << "envelope " << id_hex << " (log entry " << (*receipt)->log_index << ") written to "
            << out << "\n";
  return 0;
}

// Writes the served log as the static tree of c2sp.org/tlog-tiles (checkpoint, tile/...), so that
// any web server or mirror can publish it. Staged beside `out` and renamed when whole.
int LogExport(const std::string& dir, const std::string& out) {
  const DataDir d{dir};
  cli::FailIfExists(out);
  SecretBuffer db_key = cli::ReadSecretFile(d.db_key(), 64);
  auto store = EnvelopeStore::Open(d.db(), db_key, /*create=*/false);
  if (!store.ok()) Fail("", store.status());
  auto receipt_key = ReceiptKey::FromSeed(cli::ReadSecretFile(d.receipt_key(), 64));
  if (!receipt_key.ok()) Fail(d.receipt_key(), receipt_key.status());
  LogOptions options;
  options.export_cosigned = true;
  auto log = TransparencyLog::Open(store->get(), receipt_key.value(), std::move(options));
  if (!log.ok()) Fail("", log.status());
  cli::StagingDir staged(out);
  if (const Status st = (*log)->Export(staged.path()); !st.ok()) Fail("", st);
  staged.Commit();
  std::printf("exported the log of %llu entries to %s\n",
              static_cast<unsigned long long>((*log)->served_size()), out.c_str());
  return 0;
}

int Health(const std::string& dir, int timeout) {
  const DataDir d{dir};
  const auto conf = ReadConfig(d.config());
  if (!conf.count("listen")) Fail(d.config() + " names no listen address");
  const auto cert = cli::ReadSmallFile(d.tls_cert(), 16 * 1024);
  const Status st = CheckHealth(conf.at("listen"), std::string(cert.begin(), cert.end()), timeout);
  if (!st.ok()) Fail("", st);
  std::printf("ok\n");
  return 0;
}

int Main(int argc, char** argv) {
  // Everything the server creates (database, WAL, keys, exports) is for its own user only.
  ::umask(077);
  CLI::App app{"gavah-server: the intake server that stores sealed testimony it cannot read"};
  app.require_subcommand(1);
  std::string data, listen, onion, bundle;
  bool json = false;
  auto* init = app.add_subcommand("init", "create a server data directory");
  init->add_option("--data", data, "directory to create")->required();
  init->add_option("--listen", listen, "HOST:PORT to serve on (default 0.0.0.0:7443)");
  init->add_option("--onion", onion, "the onion address this server is also reached at");
  init->add_flag("--json", json, "print the result as one JSON object");
  auto* run = app.add_subcommand("run", "serve a data directory");
  run->add_option("--data", data, "the data directory")->required();
  run->add_option("--listen", listen, "HOST:PORT to serve on (default: from server.conf)");
  run->add_option("--bundle", bundle, "the organisation bundle to serve")->required();
  int timeout = 10;
  auto* health = app.add_subcommand(
      "health", "exit 0 only if the running server accepts, completes TLS and answers a call");
  health->add_option("--data", data, "the data directory")->required();
  health->add_option("--timeout", timeout, "seconds to wait for the answer (default 10)")
      ->check(CLI::Range(1, 600));
  std::string id, out;
  auto* exp = app.add_subcommand("export", "copy one stored envelope to a file");
  exp->add_option("--data", data, "the data directory")->required();
  exp->add_option("id", id, "the envelope id")->required();
  exp->add_option("--out", out, "the file to write")->required();
  auto* logcmd = app.add_subcommand("log", "the transparency log");
  logcmd->require_subcommand(1);
  auto* log_export = logcmd->add_subcommand(
      "export", "write the served log as a static c2sp.org/tlog-tiles tree into a new directory");
  log_export->add_option("--data", data, "the data directory")->required();
  log_export->add_option("dir", out, "the directory to create")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (*exp) return Export(data, id, out);
  if (*log_export) return LogExport(data, out);
  if (*health) return Health(data, timeout);
  if (*init) return Init(data, listen, onion, json);
  if (*run) return Run(data, listen, bundle);
  return 2;
}

}  // namespace
}  // namespace gavah::server

int main(int argc, char** argv) {
  return gavah::cli::RunMain("gavah-server", gavah::server::Main, argc, argv);
}
