// gavah-relay: a store-and-forward node run by volunteers. `init` makes a data directory for one
// or more organisations, `run` serves witnesses and forwards upstream, `import` queues envelope
// files that arrived by hand, `status` shows the queue.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli_support.h"
#include "daemon_config.h"
#include "envelope_store.h"
#include "forwarder.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/io.h"
#include "gavah/crypto/process.h"
#include "intake_client.h"
#include "intake_endpoint.h"
#include "log_witness.h"
#include "relay_book.h"
#include "relay_service.h"
#include "serving.h"
#include "tls_identity.h"

namespace gavah::relay {
namespace {

using cli::Fail;
using cli::JsonObject;
using server::ConfigNumber;

// Files of a relay data directory (docs/PROTOCOL.md, "Relay data directory").
struct DataDir {
  std::string root;
  std::string db() const { return root + "/queue.db"; }
  std::string db_key() const { return root + "/queue.key"; }
  std::string tls_key() const { return root + "/tls.key"; }
  std::string tls_cert() const { return root + "/tls.crt"; }
  std::string config() const { return root + "/relay.conf"; }
};

constexpr uint64_t kDefaultMaxEnvelope = 256ull << 20;
constexpr uint64_t kDefaultQueueBytes = 4ull << 30;
constexpr uint64_t kMinEnvelope = kFixedHeaderSize + kStanzaSize + 32 + 4096 + 17;

// A bundle a relay can serve: signed, and naming a server to forward to and the receipt key to
// check that server's receipts with.
RecipientBundle LoadServableBundle(const std::string& path) {
  RecipientBundle b = cli::LoadBundle(path, "", /*require_current=*/true);
  if (!b.contents().receipt_key)
    Fail(path + " names no receipt key, so the relay could never tell an envelope was delivered");
  const auto& eps = b.contents().endpoints;
  if (std::none_of(eps.begin(), eps.end(),
                   [](const auto& e) { return e.role == BundleEndpoint::Role::kServer; })) {
    Fail(path + " lists no server for the relay to forward to");
  }
  return b;
}

struct Opened {
  std::unique_ptr<server::EnvelopeStore> queue;
  std::unique_ptr<RelayBook> book;
  std::vector<RecipientBundle> bundles;
};

Opened OpenDataDir(const std::string& dir) {
  const DataDir d{dir};
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    Fail(dir + " is not a relay data directory (run gavah-relay init)");
  if (::stat(d.db().c_str(), &st) != 0)
    Fail(d.db() + " is missing; refusing to start with a new empty queue");
  SecretBuffer key = cli::ReadSecretFile(d.db_key(), 64);
  if (key.size() != 32) Fail(d.db_key() + " is not a 32-byte database key");
  Opened o;
  auto queue = server::EnvelopeStore::Open(d.db(), key, /*create=*/false, /*unordered=*/true);
  if (!queue.ok()) Fail("", queue.status());
  o.queue = std::move(queue.value());
  auto book = RelayBook::Open(d.db(), key);
  if (!book.ok()) Fail("", book.status());
  o.book = std::move(book.value());
  auto orgs = o.book->Organisations();
  if (!orgs.ok()) Fail("", orgs.status());
  for (const auto& org : *orgs) {
    auto b = RecipientBundle::Parse(org.bundle);
    if (!b.ok()) Fail("a stored organisation bundle is damaged", b.status());
    o.bundles.push_back(std::move(b.value()));
  }
  if (o.bundles.empty()) Fail(dir + " serves no organisation");
  return o;
}

int Init(const std::string& dir, const std::vector<std::string>& bundle_paths,
         const std::string& listen_given, bool json) {
  const std::string listen = listen_given.empty() ? std::string("0.0.0.0:7443") : listen_given;
  struct stat st {};
  if (::lstat(dir.c_str(), &st) == 0) Fail(dir + " already exists; refusing to touch it");
  std::vector<RecipientBundle> bundles;
  for (const auto& p : bundle_paths) {
    bundles.push_back(LoadServableBundle(p));
    for (size_t i = 0; i + 1 < bundles.size(); ++i) {
      if (bundles[i].organisation_fingerprint() == bundles.back().organisation_fingerprint())
        Fail(p + " is for an organisation already given");
    }
  }
  cli::StagingDir staged(dir);
  const DataDir d{staged.path()};
  SecretBuffer key(32);
  randombytes_buf(key.data(), key.size());
  cli::WriteNewFile(d.db_key(), key.span(), 0600);
  {
    auto queue = server::EnvelopeStore::Open(d.db(), key, /*create=*/true, /*unordered=*/true);
    if (!queue.ok()) Fail("", queue.status());
    auto book = RelayBook::Open(d.db(), key);
    if (!book.ok()) Fail("", book.status());
    // Bundles live inside the encrypted queue: a seized relay's files do not say on their face
    // which organisations it serves.
    for (const auto& b : bundles) {
      if (const Status s = (*book)->PutOrganisation(b); !s.ok()) Fail("", s);
    }
  }
  auto tls = server::GenerateTlsIdentity();
  if (!tls.ok()) Fail("", tls.status());
  cli::WriteNewFile(d.tls_key(), tls->private_key_pem.span(), 0600);
  cli::WriteNewFile(d.tls_cert(), tls->certificate_pem, 0644);
  const std::string conf =
      "# gavah-relay configuration (docs/PROTOCOL.md, \"Relay data directory\")\n"
      "listen = " +
      listen +
      "\n"
      "max_envelope_bytes = " +
      std::to_string(kDefaultMaxEnvelope) +
      "\n"
      "queue_bytes = " +
      std::to_string(kDefaultQueueBytes) +
      "\n"
      "max_unfinished_uploads = 1024\n"
      "stream_idle_seconds = 60\n"
      "connection_calls_per_second = 20\n"
      "connection_bytes_per_second = 4194304\n"
      "delay_mean_seconds = 5\n"
      "batch_max = 64\n"
      "forward_streams = 4\n"
      "cover_round_size = 2\n"
      "backoff_max_seconds = 900\n"
      "receipt_days = 30\n";
  cli::WriteNewFile(d.config(), conf, 0600);
  staged.Commit();
  const std::string cert = dir + "/tls.crt";
  const std::string pin = server::CertPin(tls->certificate_pem);
  if (json) {
    std::cout << JsonObject()
                     .Add("data_dir", dir)
                     .Add("certificate", cert)
                     .Add("certificate_sha256", pin)
                     .Add("organisations", bundles.size())
                     .str()
              << "\n";
  } else {
    const bool wildcard = listen.rfind("0.0.0.0:", 0) == 0 || listen.rfind("[::]:", 0) == 0;
    const std::string address =
        wildcard ? "PUBLIC_HOST:" + listen.substr(listen.rfind(':') + 1) : listen;
    std::cout
        << "relay data directory " << dir << " created for " << bundles.size()
        << " organisation(s)\n"
        << "TLS certificate: " << cert << " (SHA-256 " << pin << ")\n"
        << "Give it to each organisation for its bundle: gavah-investigator bundle ... --relay "
        << address << " --relay-cert " << cert << "\n";
  }
  return 0;
}

int AddBundle(const std::string& dir, const std::string& path) {
  const RecipientBundle b = LoadServableBundle(path);
  Opened o = OpenDataDir(dir);
  if (const Status s = o.book->PutOrganisation(b); !s.ok()) Fail("", s);
  std::cout << "organisation " << FingerprintToText(b.organisation_fingerprint())
            << " served; restart `gavah-relay run` to use the new bundle\n";
  return 0;
}

int Run(const std::string& dir, std::string listen, const std::string& proxy,
        std::optional<uint64_t> seed) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  server::SilenceGrpcLog();
  if (!proxy.empty()) {
    if (const Status ok = transport::CheckProxy(proxy); !ok.ok()) Fail("", ok);
  }
  const DataDir d{dir};
  Opened o = OpenDataDir(dir);
  const auto conf = server::ReadConfig(d.config());
  const std::string& cf = d.config();
  if (listen.empty()) listen = conf.count("listen") ? conf.at("listen") : "0.0.0.0:7443";
  server::IntakeLimits limits;
  limits.max_envelope_bytes = ConfigNumber(conf, cf, "max_envelope_bytes", kDefaultMaxEnvelope);
  limits.quota_bytes = ConfigNumber(conf, cf, "queue_bytes", kDefaultQueueBytes);
  limits.max_unfinished_uploads = 1024;
  limits.max_unfinished_bytes = 1ull << 30;
  limits.pace.idle = std::chrono::seconds(60);
  limits.connection_calls_per_second = 20;
  limits.connection_bytes_per_second = 4u << 20;
  uint64_t intake_threads = 8;
  server::ReadIntakeLimits(conf, cf, &limits, &intake_threads);
  ForwarderOptions fo;
  fo.delay_mean_seconds =
      static_cast<double>(ConfigNumber(conf, cf, "delay_mean_milliseconds",
                                       ConfigNumber(conf, cf, "delay_mean_seconds", 5) * 1000)) /
      1000.0;
  fo.batch_max = std::clamp<uint64_t>(ConfigNumber(conf, cf, "batch_max", 64), 1, 4096);
  fo.streams = static_cast<unsigned>(
      std::clamp<uint64_t>(ConfigNumber(conf, cf, "forward_streams", 4), 1, 64));
  fo.cover_round_size =
      static_cast<unsigned>(std::min<uint64_t>(ConfigNumber(conf, cf, "cover_round_size", 2), 64));
  fo.backoff_max_seconds =
      std::clamp<uint64_t>(ConfigNumber(conf, cf, "backoff_max_seconds", 900), 1, 86400);
  fo.receipt_days = std::clamp<uint64_t>(ConfigNumber(conf, cf, "receipt_days", 30), 1, 3650);
  fo.upload_timeout_hours =
      std::clamp<uint64_t>(ConfigNumber(conf, cf, "upload_timeout_hours", 24), 1, 24 * 365);
  fo.proxy = proxy;
  fo.seed = seed;
  if (seed) {
    std::fprintf(stderr,
                 "gavah-relay: warning: --seed makes delays and shuffles predictable; it is for "
                 "tests only\n");
  }
  std::vector<const RecipientBundle*> orgs;
  for (const auto& b : o.bundles) orgs.push_back(&b);
  auto recorder = RelayBook::Open(d.db(), cli::ReadSecretFile(d.db_key(), 64));
  if (!recorder.ok()) Fail("", recorder.status());
  Forwarder forwarder(o.queue.get(), o.book.get(), recorder->get(), orgs, fo);
  RelayIntakeService service(o.queue.get(), o.book.get(), &forwarder, orgs, limits);
  server::WorkPool pool(intake_threads, 4096);
  server::IntakeEndpoint endpoint(&service, &pool);
  SecretBuffer tls_key = cli::ReadSecretFile(d.tls_key(), 16 * 1024);
  const auto cert = cli::ReadSmallFile(d.tls_cert(), 16 * 1024);
  auto server =
      server::StartTlsServer(listen, tls_key, std::string(cert.begin(), cert.end()), {&endpoint}, 4,
                             16, server::ReadConnectionCaps(conf, cf), "gavah-relay");
  if (!server) Fail("cannot listen on " + listen);
  // A relay witnesses its organisations' logs too when relay.conf names `witness_listen`: its
  // witness folder (DIR/witness, made on the first run; witness.pub is what goes in the bundle)
  // cosigns only the logs of the receipt keys of the bundles it serves.
  std::unique_ptr<LogWitness> log_witness;
  std::unique_ptr<server::HttpServer> witness_http;
  if (conf.count("witness_listen")) {
    const std::string wdir = dir + "/witness";
    struct stat wst {};
    if (::stat(wdir.c_str(), &wst) != 0) {
      auto made = LogWitness::Init(wdir, conf.count("witness_name") ? conf.at("witness_name") : "",
                                   conf.at("witness_listen"));
      if (!made.ok()) Fail("", made.status());
      std::fprintf(stderr, "gavah-relay: made the witness key %s (%s/witness.pub)\n", made->c_str(),
                   wdir.c_str());
    }
    std::vector<PublicKey32> logs;
    for (const auto& b : o.bundles)
      if (b.contents().receipt_key) logs.push_back(*b.contents().receipt_key);
    SecretBuffer wseed = cli::ReadSecretFile(wdir + "/witness.key", 64);
    auto w = LogWitness::Open(wdir, wseed, std::move(logs));
    if (!w.ok()) Fail("", w.status());
    log_witness = std::move(*w);
    LogWitness* lw = log_witness.get();
    auto http = server::HttpServer::Start(
        conf.at("witness_listen"),
        [lw](const std::string& method, const std::string& path, const std::string& body) {
          const auto now = std::chrono::duration_cast<std::chrono::seconds>(
              std::chrono::system_clock::now().time_since_epoch());
          return lw->Handle(method, path, body, static_cast<uint64_t>(now.count()));
        });
    if (!http.ok()) Fail("", http.status());
    witness_http = std::move(*http);
    std::fprintf(stderr, "gavah-relay: witnessing as %s on %s\n", lw->key().name.c_str(),
                 conf.at("witness_listen").c_str());
  }
  forwarder.Start();
  std::fprintf(stderr, "gavah-relay: serving %zu organisation(s) on %s%s\n", orgs.size(),
               listen.c_str(), proxy.empty() ? "" : "; upstream through the proxy");
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "gavah-relay: stopping\n");
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(30));
  });
  server->Wait();
  waiter.join();
  forwarder.Stop();
  std::fprintf(stderr, "gavah-relay: stopped; forwarded %llu envelopes in this run\n",
               static_cast<unsigned long long>(forwarder.forwarded_count()));
  return 0;
}

// Queues one envelope file. Answers the envelope id, or an error that names what is wrong; the
// file itself is only read.
Result<Digest32> ImportOne(const std::string& path, server::EnvelopeStore& queue, RelayBook& book,
                           const std::vector<RecipientBundle>& bundles, uint64_t max_envelope,
                           uint64_t quota) {
  // No links, and nothing that blocks or has side effects on open (a FIFO, a device): only a
  // regular file is read.
  uint64_t size = 0;
  auto opened = OpenRegularFile(path, UINT64_MAX, &size);
  if (!opened.ok()) {
    const std::string& m = opened.status().message();
    if (m.find("a symbolic link") != std::string::npos)
      return Error(ErrorCode::kInvalidArgument, "is a symbolic link");
    if (m.find("not a regular file") != std::string::npos)
      return Error(ErrorCode::kInvalidArgument, "is not a regular file");
    return Error(ErrorCode::kIo, "cannot read it: " + m.substr(m.rfind(": ") + 2));
  }
  const int fd = opened.value();
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  FdSource hsrc(fd, path);
  auto h = ReadEnvelopeHeader(hsrc);
  if (!h.ok())
    return Error(ErrorCode::kMalformed, "is not a Gavah envelope: " + h.status().message());
  const RecipientBundle* org = nullptr;
  for (const auto& b : bundles) {
    if (b.organisation_fingerprint() == h->organisation_id) org = &b;
  }
  if (org == nullptr)
    return Error(ErrorCode::kInvalidArgument,
                 "is an envelope for an organisation this relay does not serve");
  if (h->envelope_size() != size) {
    return Error(ErrorCode::kTruncated, "is truncated or has extra bytes (its header announces " +
                                            std::to_string(h->envelope_size()) +
                                            " bytes, the file has " + std::to_string(size) + ")");
  }
  const uint64_t org_max = org->contents().max_envelope_bytes;
  if (size < kMinEnvelope || (max_envelope != 0 && size > max_envelope) ||
      (org_max != 0 && size > org_max)) {
    return Error(ErrorCode::kTooLarge, "is larger than this relay or its organisation accepts");
  }
  // The upload must be named by its id before its first byte is stored, so the file is read
  // twice: once for the id, once into the queue, hashing again to catch a file that changed.
  ::lseek(fd, 0, SEEK_SET);
  FdSource all(fd, path);
  GAVAH_ASSIGN_OR_RETURN(const Digest32 id, ComputeEnvelopeId(all));
  auto state = queue.State(id);
  if (!state.ok()) return state.status();
  if (state->stored) return id;  // already queued: importing twice changes nothing
  auto forwarded = book.FindForwarded(id);
  if (!forwarded.ok()) return forwarded.status();
  if (forwarded->has_value()) return id;  // forwarded already: the server holds it
  if (state->total_size > 0) {
    // Someone began uploading it here. Untouched for over an hour (streams idle for a minute
    // are cut off), it was abandoned, and the file replaces it; otherwise it may be live.
    if (state->touched_hour + 3600 < server::CurrentHour()) {
      GAVAH_RETURN_IF_ERROR(queue.DropUpload(id));
    } else {
      return Error(ErrorCode::kAlreadyExists,
                   "is being uploaded to this relay by someone right now; import it again in an "
                   "hour");
    }
  }
  if (const Status begun =
          queue.BeginUpload(id, size, 0, server::CurrentHour(), quota, 0, /*exclusive=*/true);
      !begun.ok()) {
    if (begun.code() == ErrorCode::kAlreadyExists)
      return Error(ErrorCode::kAlreadyExists,
                   "is being uploaded to this relay by someone right now; import it again in an "
                   "hour");
    return begun;
  }
  Sha256 sha;
  std::vector<uint8_t> buf(1 << 20);
  uint64_t pos = 0;
  while (pos < size) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - pos));
    const ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(pos));
    if (n != static_cast<ssize_t>(want)) {
      (void)queue.DropUpload(id);
      return Error(ErrorCode::kIo, "changed while it was read");
    }
    sha.Update({buf.data(), want});
    const Status s = queue.AppendChunk(id, {buf.data(), want}, server::CurrentHour(), quota);
    if (!s.ok()) {
      (void)queue.DropUpload(id);
      return s;
    }
    pos += want;
  }
  if (sha.Final() != id) {
    (void)queue.DropUpload(id);
    return Error(ErrorCode::kIo, "changed while it was read");
  }
  if (auto done = queue.Complete(id, server::CurrentHour()); !done.ok()) {
    (void)queue.DropUpload(id);
    return done.status();
  }
  return id;
}

int Import(const std::string& dir, const std::vector<std::string>& files, bool json) {
  const DataDir d{dir};
  Opened o = OpenDataDir(dir);
  const auto conf = server::ReadConfig(d.config());
  const uint64_t max_envelope =
      ConfigNumber(conf, d.config(), "max_envelope_bytes", kDefaultMaxEnvelope);
  const uint64_t quota = ConfigNumber(conf, d.config(), "queue_bytes", kDefaultQueueBytes);
  int refused = 0;
  for (const auto& f : files) {
    auto id = ImportOne(f, *o.queue, *o.book, o.bundles, max_envelope, quota);
    if (!id.ok()) {
      std::fprintf(stderr, "gavah-relay: %s %s; left untouched, not queued\n", f.c_str(),
                   id.status().message().c_str());
      ++refused;
      continue;
    }
    if (json) {
      std::cout << JsonObject()
                       .Add("file", f)
                       .Add("envelope_id", ToHex(*id))
                       .Add("status", "queued")
                       .str()
                << "\n";
    } else {
      std::cout << f << ": queued (envelope " << ToHex(*id) << ")\n";
    }
  }
  if (refused > 0) Fail(std::to_string(refused) + " file(s) refused");
  return 0;
}

std::string HoursAgo(uint64_t hour, uint64_t now) {
  if (hour == 0) return "never";
  const uint64_t h = now > hour ? (now - hour) / 3600 : 0;
  return h == 0 ? "within the hour" : std::to_string(h) + " h ago";
}

int Status_(const std::string& dir, bool json) {
  Opened o = OpenDataDir(dir);
  auto orgs = o.book->Organisations();
  auto queue = o.book->Queue();
  auto uploads = o.book->UnfinishedUploads();
  auto held = o.book->ForwardedHeld();
  if (!orgs.ok() || !queue.ok() || !uploads.ok() || !held.ok())
    Fail("cannot read the relay's store");
  const uint64_t now = server::CurrentHour();
  std::string rows;
  for (const auto& org : *orgs) {
    auto b = RecipientBundle::Parse(org.bundle);
    if (!b.ok()) continue;
    QueueStats q;
    for (const auto& s : *queue) {
      if (s.organisation == b->organisation_fingerprint()) q = s;
    }
    const std::string fp = FingerprintToText(b->organisation_fingerprint());
    const uint64_t oldest_hours =
        q.envelopes && now > q.oldest_hour ? (now - q.oldest_hour) / 3600 : 0;
    if (json) {
      if (!rows.empty()) rows += ",";
      rows += JsonObject()
                  .Add("organisation", b->contents().organisation_name)
                  .Add("fingerprint", fp)
                  .Add("queued", q.envelopes)
                  .Add("queued_bytes", q.bytes)
                  .Add("oldest_age_hours", oldest_hours)
                  .Add("last_upstream_success_hour", org.last_success_hour)
                  .Add("failures_in_a_row", org.failures)
                  .Add("last_error", org.last_error)
                  .str();
    } else {
      std::cout << (b->contents().organisation_name.empty() ? "(unnamed)"
                                                            : b->contents().organisation_name)
                << "  " << fp << "\n"
                << "  queued: " << q.envelopes << " envelope(s), " << q.bytes << " bytes"
                << (q.envelopes ? ", oldest " + std::to_string(oldest_hours) + " h" : "") << "\n"
                << "  last upstream success: " << HoursAgo(org.last_success_hour, now)
                << (org.failures ? ", " + std::to_string(org.failures) +
                                       " failure(s) since: " + org.last_error
                                 : "")
                << "\n";
    }
  }
  if (json) {
    std::cout << "{\"organisations\":[" << rows << "],\"unfinished_uploads\":" << *uploads
              << ",\"receipts_held\":" << *held << "}\n";
  } else {
    std::cout << "unfinished uploads: " << *uploads << "; receipts held for witnesses: " << *held
              << "\n";
  }
  return 0;
}

// A witness that relays nothing: its own folder, key and listening address.
int WitnessInit(const std::string& dir, const std::string& name, const std::string& listen,
                bool json) {
  auto pub = LogWitness::Init(dir, name, listen.empty() ? "0.0.0.0:7380" : listen);
  if (!pub.ok()) Fail("", pub.status());
  if (json) {
    std::cout << JsonObject()
                     .Add("data_dir", dir)
                     .Add("verifier_key", *pub)
                     .Add("witness_key_file", dir + "/witness.pub")
                     .str()
              << "\n";
  } else {
    std::cout << "witness " << dir << " created\nverifier key: " << *pub
              << "\nPut it in the bundle: gavah-investigator bundle ... --witness HOST:PORT "
                 "--witness-key "
              << dir << "/witness.pub --witness-quorum N\n";
  }
  return 0;
}

// Serves one witness until SIGTERM or SIGINT. `logs` empty: any Gavah log.
int ServeWitness(const std::string& dir, std::string listen, std::vector<PublicKey32> logs) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  SecretBuffer seed = cli::ReadSecretFile(dir + "/witness.key", 64);
  auto witness = LogWitness::Open(dir, seed, std::move(logs));
  if (!witness.ok()) Fail("", witness.status());
  if (listen.empty()) listen = (*witness)->listen();
  LogWitness* w = witness->get();
  auto http = server::HttpServer::Start(
      listen, [w](const std::string& method, const std::string& path, const std::string& body) {
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch());
        return w->Handle(method, path, body, static_cast<uint64_t>(now.count()));
      });
  if (!http.ok()) Fail("", http.status());
  std::fprintf(stderr, "gavah-relay: witnessing as %s on %s\n", w->key().name.c_str(),
               listen.c_str());
  int sig = 0;
  sigwait(&signals, &sig);
  std::fprintf(stderr, "gavah-relay: stopping the witness\n");
  (*http)->Stop();
  return 0;
}

int Main(int argc, char** argv) {
  ::umask(077);
  CLI::App app{"gavah-relay: store-and-forward relay for sealed testimony it cannot read"};
  app.require_subcommand(1);
  std::string data, listen, proxy, bundle;
  std::vector<std::string> bundles, files;
  bool json = false;
  uint64_t seed = 0;
  auto* init = app.add_subcommand("init", "create a relay data directory");
  init->add_option("--data", data, "directory to create")->required();
  init->add_option("--bundle", bundles, "an organisation's bundle to serve (repeat for more)")
      ->required();
  init->add_option("--listen", listen, "HOST:PORT to serve on (default 0.0.0.0:7443)");
  init->add_flag("--json", json, "print the result as one JSON object");
  auto* add = app.add_subcommand("add-bundle", "serve another organisation, or a newer bundle");
  add->add_option("--data", data, "the data directory")->required();
  add->add_option("--bundle", bundle, "the bundle")->required();
  auto* run = app.add_subcommand("run", "serve witnesses and forward upstream");
  run->add_option("--data", data, "the data directory")->required();
  run->add_option("--listen", listen, "HOST:PORT to serve on (default: from relay.conf)");
  run->add_option("--proxy", proxy, "http://HOST:PORT: reach servers through this CONNECT proxy");
  auto* seed_opt = run->add_option("--seed", seed, "tests only: reproducible delays and shuffles");
  auto* imp = app.add_subcommand("import", "queue envelope files that arrived by hand");
  imp->add_option("--data", data, "the data directory")->required();
  imp->add_option("files", files, "envelope files (.gvh)")->required();
  imp->add_flag("--json", json, "print one JSON object per queued file");
  int timeout = 10;
  auto* health = app.add_subcommand(
      "health", "exit 0 only if the running relay accepts, completes TLS and answers a call");
  health->add_option("--data", data, "the data directory")->required();
  health->add_option("--timeout", timeout, "seconds to wait for the answer (default 10)")
      ->check(CLI::Range(1, 600));
  auto* status = app.add_subcommand("status", "queue and upstream state per organisation");
  status->add_option("--data", data, "the data directory")->required();
  status->add_flag("--json", json, "print the result as one JSON object");
  std::string witness_name;
  auto* winit = app.add_subcommand(
      "witness-init", "create a witness of Gavah's transparency logs that relays nothing");
  winit->add_option("--data", data, "directory to create")->required();
  winit->add_option("--listen", listen,
                    "HOST:PORT to serve add-checkpoint on (default 0.0.0.0:7380)");
  winit->add_option("--name", witness_name, "the witness's key name (default: from its key)");
  winit->add_flag("--json", json, "print the result as one JSON object");
  auto* wrun = app.add_subcommand("witness", "serve a witness folder");
  wrun->add_option("--data", data, "the witness folder")->required();
  wrun->add_option("--listen", listen, "HOST:PORT (default: from witness.conf)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (*winit) return WitnessInit(data, witness_name, listen, json);
  if (*wrun) return ServeWitness(data, listen, {});
  if (*init) return Init(data, bundles, listen, json);
  if (*add) return AddBundle(data, bundle);
  if (*run)
    return Run(data, listen, proxy,
               seed_opt->count() ? std::optional<uint64_t>(seed) : std::nullopt);
  if (*imp) return Import(data, files, json);
  if (*status) return Status_(data, json);
  if (*health) {
    const DataDir d{data};
    const auto conf = server::ReadConfig(d.config());
    const auto cert = cli::ReadSmallFile(d.tls_cert(), 16 * 1024);
    const Status st = server::CheckHealth(conf.count("listen") ? conf.at("listen") : "0.0.0.0:7443",
                                          std::string(cert.begin(), cert.end()), timeout);
    if (!st.ok()) Fail("", st);
    std::printf("ok\n");
    return 0;
  }
  return 2;
}

}  // namespace
}  // namespace gavah::relay

int main(int argc, char** argv) {
  return gavah::cli::RunMain("gavah-relay", gavah::relay::Main, argc, argv);
}
