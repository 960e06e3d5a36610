// The real gavah-relay between the real gavah-witness and the real gavah-server on 127.0.0.1:
// real TLS, real SQLCipher queues, real processes killed and restarted.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "envelope_store.h"
#include "gavah/crypto/hex.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "http_lite.h"
#include "support/process.h"
#include "support/server_fixture.h"
#include "support/test_support.h"

namespace gavah {
namespace {

namespace fs = std::filesystem;
using testing::Outcome;
using testing::ReadText;
using testing::WriteText;

using testing::Field;

Digest32 IdOf(const std::string& hex) {
  Digest32 id{};
  auto b = FromHex(hex);
  if (b && b->size() == 32) std::copy(b->begin(), b->end(), id.begin());
  return id;
}

// Polls `done` every 100 ms for up to `seconds`.
template <class F>
bool WaitUntil(F done, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

class RelayTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    relay_port_ = testing::FreePort();
    Outcome b = Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--threshold",
                     "1", "--server", "127.0.0.1:" + std::to_string(port_), "--server-cert",
                     "srv/tls.crt", "--receipt-key", "srv/receipt.pub", "--out", "org.bundle"});
    ASSERT_EQ(b.exit_code, 0) << b.err;
  }
  void TearDown() override {
    StopRelay(SIGTERM);
    ServerFixture::TearDown();
  }

  Outcome Rel(const std::vector<std::string>& args) { return Run(GAVAH_RELAY, args); }

  // A relay serving org.bundle with `settings` appended to relay.conf (later lines win), and
  // relay.bundle listing only that relay.
  void InitRelay(const std::vector<std::string>& settings,
                 const std::string& bundle = "org.bundle") {
    Outcome i = Rel({"init", "--data", "rl", "--bundle", bundle, "--listen",
                     "127.0.0.1:" + std::to_string(relay_port_)});
    ASSERT_EQ(i.exit_code, 0) << i.err;
    std::string conf = ReadText(dir_ / "rl/relay.conf");
    for (const auto& s : settings) conf += s + "\n";
    fs::permissions(dir_ / "rl/relay.conf", fs::perms::owner_read | fs::perms::owner_write);
    WriteText(dir_ / "rl/relay.conf", conf);
    Outcome b = Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--threshold",
                     "1", "--relay", "127.0.0.1:" + std::to_string(relay_port_), "--relay-cert",
                     "rl/tls.crt", "--receipt-key", "srv/receipt.pub", "--out", "relay.bundle"});
    ASSERT_EQ(b.exit_code, 0) << b.err;
  }

  void StartRelay(const std::vector<std::string>& extra = {"--seed", "7"}) {
    std::vector<std::string> args = {"run", "--data", "rl"};
    args.insert(args.end(), extra.begin(), extra.end());
    relay_ = testing::Spawn(dir_, GAVAH_RELAY, args, env_, dir_ / "relay.log");
    ASSERT_TRUE(testing::WaitForPort(relay_port_, 20)) << ReadText(dir_ / "relay.log");
  }
  int StopRelay(int sig) {
    const int rc = testing::Stop(relay_, sig);
    relay_ = -1;
    return rc;
  }

  // Seals `text` and submits it with `bundle`; answers the witness's outcome.
  Outcome Submit(const std::string& name, const std::string& text,
                 const std::string& bundle = "relay.bundle") {
    WriteText(dir_ / (name + ".txt"), text);
    return Wit({"submit", "--bundle", bundle, "--text-file", name + ".txt", "--json"});
  }

  // The server's log in order: ids by log index.
  std::vector<Digest32> ServerLog() {
    auto store = OpenStore();
    bool more = false;
    auto listed = store->List(0, 100000, &more);
    std::vector<Digest32> ids;
    if (listed.ok()) {
      for (const auto& l : *listed) ids.push_back(l.entry.id);
    }
    return ids;
  }
  bool ServerHas(const std::string& id_hex) {
    auto entry = OpenStore()->FindEntry(IdOf(id_hex));
    return entry.ok() && entry->has_value();
  }

  std::unique_ptr<gavah::v1::Intake::Stub> RawRelay() {
    return RawClient(relay_port_, "rl/tls.crt");
  }
  grpc::Status RawSubmit(gavah::v1::Intake::Stub& stub, const gavah::v1::SubmitChunk& msg,
                         gavah::v1::SubmitResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    auto w = stub.Submit(&ctx, resp);
    w->Write(msg);
    w->WritesDone();
    return w->Finish();
  }

  // other.gvh: an envelope for an organisation no relay here serves (bundle other.bundle).
  void SealForAnotherOrganisation() {
    ASSERT_EQ(Inv({"org-init", "--out", "other.key"}).exit_code, 0);
    ASSERT_EQ(Inv({"bundle", "--org-key", "other.key", "--investigator", "a.pub", "--threshold",
                   "1", "--out", "other.bundle"})
                  .exit_code,
              0);
    WriteText(dir_ / "other.txt", "for someone else");
    ASSERT_EQ(
        Wit({"seal", "--bundle", "other.bundle", "--text-file", "other.txt", "--out", "other.gvh"})
            .exit_code,
        0);
  }

  // `status --json` once the relay has recorded an upstream failure (or after 20 s).
  std::string StatusAfterUpstreamFailure() {
    std::string status;
    WaitUntil(
        [&] {
          status = Status();
          return Field(status, "failures_in_a_row") != "0";
        },
        20);
    return status;
  }

  std::string Status() {
    Outcome s = Rel({"status", "--data", "rl", "--json"});
    EXPECT_EQ(s.exit_code, 0) << s.err;
    return s.out;
  }

  int relay_port_ = 0;
  pid_t relay_ = -1;
};

TEST_F(RelayTest, ARelayWitnessesTheLogsOfTheOrganisationsItServesAndNoOthers) {
  const int wport = testing::FreePort();
  InitRelay(
      {"witness_listen = 127.0.0.1:" + std::to_string(wport), "witness_name = relay.example/w"});
  StartRelay();
  ASSERT_TRUE(testing::WaitForPort(wport, 20)) << ReadText(dir_ / "relay.log");
  ASSERT_TRUE(fs::exists(dir_ / "rl/witness/witness.pub"));
  Outcome b =
      Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--threshold", "1",
           "--server", "127.0.0.1:" + std::to_string(port_), "--server-cert", "srv/tls.crt",
           "--receipt-key", "srv/receipt.pub", "--witness", "127.0.0.1:" + std::to_string(wport),
           "--witness-key", "rl/witness/witness.pub", "--out", "wit.bundle"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  server_ = testing::Spawn(dir_, GAVAH_SERVER, {"run", "--data", "srv", "--bundle", "wit.bundle"},
                           env_, dir_ / "server.log");
  ASSERT_TRUE(testing::WaitForPort(port_, 20));
  const Outcome s = Submit("t", "witnessed by the relay", "wit.bundle");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  WaitForLog(1);  // served only once cosigned
  auto stub = RawClient();
  grpc::ClientContext ctx;
  gavah::v1::GetLogRequest req;
  req.set_path("checkpoint");
  gavah::v1::GetLogResponse resp;
  ASSERT_TRUE(stub->GetLog(&ctx, req, &resp).ok());
  EXPECT_NE(resp.data().find("\n\xe2\x80\x94 relay.example/w "), std::string::npos) << resp.data();
  // Another log, even one of Gavah's form, is not this relay's to witness.
  const std::string other = "old 0\n\ngavah.intake/" + std::string(64, 'a') +
                            "\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n";
  auto answer =
      server::HttpPost("127.0.0.1:" + std::to_string(wport), "/add-checkpoint", other, 5000);
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->status, 404) << answer->body;
}

TEST_F(RelayTest, AReceiptIsCheckedInTheServersLogThroughTheRelay) {
  StartServer();
  InitRelay({"delay_mean_milliseconds = 200"});
  StartRelay();
  Outcome s = Submit("t", "checked through the relay");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const std::string id = Field(s.out, "envelope_id");
  ASSERT_TRUE(WaitUntil([&] { return ServerHas(id); }, 30)) << ReadText(dir_ / "relay.log");
  ASSERT_TRUE(WaitUntil([&] { return Wit({"outbox", "--retry"}).exit_code == 0; }, 30));
  WaitForLog(1);
  // The relay fetches the proof in one of its rounds; the witness asks only the relay.
  Outcome c;
  ASSERT_TRUE(WaitUntil(
      [&] {
        c = Wit({"receipt", id, "--check", "--json"});
        return c.exit_code == 0 && Field(c.out, "in_log") == "true";
      },
      30))
      << c.out << c.err << ReadText(dir_ / "relay.log");
  EXPECT_EQ(Field(c.out, "endpoint"), "127.0.0.1:" + std::to_string(relay_port_)) << c.out;
  EXPECT_EQ(Field(c.out, "tree_size"), "1") << c.out;
  // Once the device keeps a larger checkpoint (checked directly), the relay's proof under the
  // smaller one is linked to it by a consistency proof, asked through the relay too.
  WriteText(dir_ / "u.txt", "another");
  const Outcome u = Wit({"submit", "--bundle", "org.bundle", "--text-file", "u.txt", "--json"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  WaitForLog(2);
  const Outcome direct = Wit({"receipt", Field(u.out, "envelope_id"), "--check", "--json"});
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  EXPECT_EQ(Field(direct.out, "tree_size"), "2") << direct.out;
  const Outcome again = Wit({"receipt", id, "--check", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Field(again.out, "endpoint"), "127.0.0.1:" + std::to_string(relay_port_));
  EXPECT_EQ(Field(again.out, "tree_size"), "1") << again.out;
  EXPECT_EQ(Field(again.out, "kept_size"), "2") << again.out;
}

TEST_F(RelayTest, WitnessToRelayToServerAndTheReceiptComesBackThroughTheRelay) {
  StartServer();
  InitRelay({"delay_mean_milliseconds = 200"});
  StartRelay();
  const std::string marker = "MARKER-5e0a41f7";
  Outcome s = Submit("t", "Names read out in the corridor at Gohardasht. " + marker);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(Field(s.out, "status"), "queued") << s.out;
  const std::string id = Field(s.out, "envelope_id");
  ASSERT_EQ(id.size(), 64u) << s.out;
  // Not delivered until the server's receipt is back: the envelope stays in the outbox.
  EXPECT_TRUE(fs::exists(dir_ / "xdg/gavah/outbox" / (id + ".gvh")));

  ASSERT_TRUE(WaitUntil([&] { return ServerHas(id); }, 30)) << ReadText(dir_ / "relay.log");
  Outcome retry;
  ASSERT_TRUE(WaitUntil(
      [&] {
        retry = Wit({"outbox", "--retry", "--json"});
        return retry.exit_code == 0;
      },
      30))
      << retry.err;
  EXPECT_EQ(Field(retry.out, "envelope_id"), id);
  EXPECT_FALSE(fs::exists(dir_ / "xdg/gavah/outbox" / (id + ".gvh")));
  EXPECT_TRUE(fs::exists(dir_ / "xdg/gavah/receipts" / (id + ".receipt")));
  // Sending again through the relay is answered with the receipt, without a second upload.
  Outcome again = Wit({"send", "--bundle", "relay.bundle", "t.gvh"});
  EXPECT_EQ(ServerLog().size(), 1u);

  const std::string status = Status();
  EXPECT_EQ(Field(status, "queued"), "0") << status;
  EXPECT_EQ(Field(status, "receipts_held"), "1") << status;
  EXPECT_NE(Field(status, "last_upstream_success_hour"), "0") << status;

  // The relay keeps no plaintext, no plain database, and never logs an envelope id.
  EXPECT_EQ(StopRelay(SIGTERM), 0);
  for (const auto& e : fs::recursive_directory_iterator(dir_ / "rl")) {
    if (!e.is_regular_file()) continue;
    const std::string bytes = ReadText(e.path());
    EXPECT_EQ(bytes.find(marker), std::string::npos) << e.path();
    EXPECT_NE(bytes.rfind("SQLite format 3", 0), 0u) << e.path() << " is an unencrypted database";
  }
  const std::string log = ReadText(dir_ / "relay.log");
  EXPECT_EQ(log.find(marker), std::string::npos);
  EXPECT_EQ(log.find(id), std::string::npos) << log;
  EXPECT_EQ(log.find(id.substr(0, 12)), std::string::npos) << log;
  // Addresses in the log are the relay's own and the server's, never a witness's.
  for (size_t at = log.find("127.0.0.1:"); at != std::string::npos;
       at = log.find("127.0.0.1:", at + 1)) {
    const std::string port =
        log.substr(at + 10, log.find_first_not_of("0123456789", at + 10) - at - 10);
    EXPECT_TRUE(port == std::to_string(relay_port_) || port == std::to_string(port_)) << log;
  }
}

TEST_F(RelayTest, SealedFileImportedAtTheRelayReachesTheServer) {
  StartServer();
  InitRelay({"delay_mean_milliseconds = 200"});
  WriteText(dir_ / "t.txt", "carried out on a USB stick");
  ASSERT_EQ(
      Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--out", "f.gvh", "--json"})
          .exit_code,
      0);
  Outcome imp = Rel({"import", "--data", "rl", "f.gvh", "--json"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  const std::string id = Field(imp.out, "envelope_id");
  ASSERT_EQ(id.size(), 64u) << imp.out;
  // Importing the same file twice queues it once.
  ASSERT_EQ(Rel({"import", "--data", "rl", "f.gvh"}).exit_code, 0);
  EXPECT_EQ(Field(Status(), "queued"), "1");
  StartRelay();
  ASSERT_TRUE(WaitUntil([&] { return ServerHas(id); }, 30)) << ReadText(dir_ / "relay.log");
  EXPECT_EQ(ServerLog().size(), 1u);
  // The witness who sealed it can fetch the receipt from the relay by id.
  auto stub = RawRelay();
  grpc::ClientContext ctx;
  gavah::v1::ReceiptRequest req;
  const Digest32 raw = IdOf(id);
  req.set_envelope_id(raw.data(), raw.size());
  gavah::v1::ReceiptResponse resp;
  ASSERT_TRUE(WaitUntil(
      [&] {
        grpc::ClientContext c;
        resp.Clear();
        return stub->GetReceipt(&c, req, &resp).ok() && resp.has_receipt();
      },
      10));
  EXPECT_EQ(resp.receipt().envelope_id(), std::string(raw.begin(), raw.end()));
  EXPECT_EQ(resp.receipt().signature().size(), 64u);
}

TEST_F(RelayTest, AnOrganisationTheRelayDoesNotServeIsNotFoundAndHugeCursorsAreRefused) {
  InitRelay({});
  StartRelay();
  auto stub = RawRelay();
  {
    grpc::ClientContext ctx;
    gavah::v1::GetBundleRequest req;
    req.set_organisation_id(std::string(16, 'z'));
    gavah::v1::GetBundleResponse resp;
    EXPECT_EQ(stub->GetBundle(&ctx, req, &resp).error_code(), grpc::StatusCode::NOT_FOUND)
        << "a relay must not hand out its only bundle for an organisation it does not serve";
    EXPECT_TRUE(resp.bundle().empty());
  }
  {
    grpc::ClientContext ctx;
    gavah::v1::GetBundleRequest req;
    gavah::v1::GetBundleResponse resp;
    EXPECT_TRUE(stub->GetBundle(&ctx, req, &resp).ok()) << "an empty id asks for the only one";
    EXPECT_FALSE(resp.bundle().empty());
  }
  {
    grpc::ClientContext ctx;
    gavah::v1::FetchRepliesRequest req;
    req.set_mailbox_id(std::string(32, 'm'));
    req.set_after(uint64_t{1} << 63);
    gavah::v1::FetchRepliesResponse resp;
    EXPECT_EQ(stub->FetchReplies(&ctx, req, &resp).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
}

TEST_F(RelayTest, ImportRefusesWhatIsNotAnEnvelopeForItsOrganisationsAndLeavesItUntouched) {
  InitRelay({});
  // Another organisation, with its own server identity, that this relay does not serve.
  SealForAnotherOrganisation();
  WriteText(dir_ / "t.txt", "for someone else");
  ASSERT_EQ(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--out", "good.gvh"})
                .exit_code,
            0);
  const std::string good = ReadText(dir_ / "good.gvh");
  WriteText(dir_ / "garbage.gvh", std::string(5000, 'x'));
  WriteText(dir_ / "short.gvh", good.substr(0, good.size() - 100));
  WriteText(dir_ / "long.gvh", good + "tail");
  fs::create_symlink(dir_ / "good.gvh", dir_ / "link.gvh");
  ASSERT_EQ(mkfifo((dir_ / "fifo.gvh").c_str(), 0600), 0);
  struct Case {
    const char* file;
    const char* says;
  };
  for (const Case& c :
       {Case{"garbage.gvh", "not a Gavah envelope"},
        Case{"short.gvh", "truncated or has extra bytes"},
        Case{"long.gvh", "truncated or has extra bytes"},
        Case{"other.gvh", "organisation this relay does not serve"},
        Case{"missing.gvh", "cannot read it"}, Case{"link.gvh", "is a symbolic link"},
        Case{"fifo.gvh", "is not a regular file"}}) {
    const bool regular = fs::is_regular_file(fs::symlink_status(dir_ / c.file));
    const std::string before = regular ? ReadText(dir_ / c.file) : "";
    Outcome r = Rel({"import", "--data", "rl", c.file});
    EXPECT_EQ(r.exit_code, 1) << c.file;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.file << ": " << r.err;
    EXPECT_NE(r.err.find("left untouched"), std::string::npos) << r.err;
    if (!before.empty()) {
      EXPECT_EQ(ReadText(dir_ / c.file), before) << c.file;
    }
  }
  EXPECT_EQ(Field(Status(), "queued"), "0");
  EXPECT_EQ(Field(Status(), "unfinished_uploads"), "0");
  // Good and bad together: the good one is queued, the run still says one was refused.
  Outcome mixed = Rel({"import", "--data", "rl", "good.gvh", "garbage.gvh"});
  EXPECT_EQ(mixed.exit_code, 1);
  EXPECT_EQ(Field(Status(), "queued"), "1");
}

TEST_F(RelayTest, QueueHoldsThroughAnOutageAndARestartAndDrainsOnceWithoutDuplicates) {
  InitRelay({"delay_mean_milliseconds = 100", "backoff_max_seconds = 1"});
  StartRelay();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    Outcome s = Submit("t" + std::to_string(i), "testimony " + std::to_string(i));
    ASSERT_EQ(s.exit_code, 0) << s.err;
    ids.push_back(Field(s.out, "envelope_id"));
  }
  // The server is down: everything stays queued and status says why.
  const std::string status = StatusAfterUpstreamFailure();
  ASSERT_NE(Field(status, "failures_in_a_row"), "0") << status;
  EXPECT_EQ(Field(status, "queued"), "5") << status;
  EXPECT_NE(Field(status, "last_error").find("cannot reach"), std::string::npos) << status;
  // A restart keeps the queue.
  EXPECT_EQ(StopRelay(SIGTERM), 0);
  EXPECT_EQ(Field(Status(), "queued"), "5");
  StartRelay();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  StartServer();
  ASSERT_TRUE(WaitUntil([&] { return ServerLog().size() == 5; }, 60))
      << ReadText(dir_ / "relay.log");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto log = ServerLog();
  EXPECT_EQ(log.size(), 5u);
  std::set<Digest32> unique(log.begin(), log.end());
  EXPECT_EQ(unique.size(), 5u);
  for (const auto& id : ids) EXPECT_TRUE(ServerHas(id)) << id;
  EXPECT_TRUE(WaitUntil([&] { return Field(Status(), "queued") == "0"; }, 10));
  const std::string relay_log = ReadText(dir_ / "relay.log");
  EXPECT_NE(relay_log.find("server unreachable"), std::string::npos) << relay_log;
  EXPECT_NE(relay_log.find("reachable again"), std::string::npos) << relay_log;
}

TEST_F(RelayTest, RelayKilledMidForwardResumesAndTheServerStoresTheEnvelopeOnce) {
  StartServer();
  // One large envelope, so the relay is caught half way through sending it.
  WriteText(dir_ / "t.txt", "with a recording");
  WriteText(dir_ / "rec.bin", std::string(64 << 20, 'r'));
  ASSERT_EQ(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach", "rec.bin",
                 "--out", "big.gvh"})
                .exit_code,
            0);
  InitRelay({"delay_mean_milliseconds = 0", "connection_bytes_per_second = 0"});
  Outcome imp = Rel({"import", "--data", "rl", "big.gvh", "--json"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  const Digest32 id = IdOf(Field(imp.out, "envelope_id"));
  auto server_store = OpenStore();
  StartRelay();
  // Polled as fast as the store answers: the whole envelope takes well under a second.
  bool caught = false;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!caught && std::chrono::steady_clock::now() < end) {
    auto st = server_store->State(id);
    caught = st.ok() && !st->stored && st->received > 0;
    if (st.ok() && st->stored) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(StopRelay(SIGKILL), 128 + SIGKILL);
  ASSERT_TRUE(caught) << "the relay was never seen half way: " << ReadText(dir_ / "relay.log")
                      << ReadText(dir_ / "server.log");
  auto half = OpenStore()->State(id);
  ASSERT_TRUE(half.ok());
  EXPECT_FALSE(half->stored);
  StartRelay();
  ASSERT_TRUE(WaitUntil([&] { return ServerHas(ToHex(id)); }, 60)) << ReadText(dir_ / "relay.log");
  EXPECT_EQ(ServerLog().size(), 1u);
  // What the server holds is exactly the envelope.
  Sha256 sha;
  ASSERT_TRUE(OpenStore()
                  ->ReadEnvelope(id,
                                 [&](std::span<const uint8_t> b) {
                                   sha.Update(b);
                                   return Status::Ok();
                                 })
                  .ok());
  EXPECT_EQ(sha.Final(), id);
  EXPECT_TRUE(WaitUntil([&] { return Field(Status(), "queued") == "0"; }, 10));
}

TEST_F(RelayTest, OrderAndTimingAtTheServerDifferFromSubmission) {
  StartServer();
  // One stream upstream, so the server sees exactly the relay's shuffled order.
  InitRelay({"delay_mean_milliseconds = 4000", "forward_streams = 1", "cover_round_size = 0",
             "connection_calls_per_second = 0"});
  StartRelay({"--seed", "1988"});
  constexpr int kCount = 20;
  std::vector<Digest32> submitted;
  std::vector<std::chrono::steady_clock::time_point> sent;
  for (int i = 0; i < kCount; ++i) {
    Outcome s = Submit("t" + std::to_string(i), "testimony number " + std::to_string(i));
    ASSERT_EQ(s.exit_code, 0) << s.err;
    submitted.push_back(IdOf(Field(s.out, "envelope_id")));
    sent.push_back(std::chrono::steady_clock::now());
  }
  // When each envelope first shows up at the server, polled every 20 ms.
  std::map<Digest32, int> seen_at_poll;
  int poll = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (seen_at_poll.size() < kCount && std::chrono::steady_clock::now() < end) {
    for (const auto& id : ServerLog()) seen_at_poll.emplace(id, poll);
    ++poll;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(seen_at_poll.size(), static_cast<size_t>(kCount)) << ReadText(dir_ / "relay.log");
  const auto log = ServerLog();
  // Order: count pairs submitted in one order and logged in the other. Arrival order gives 0; a
  // random permutation of 20 gives 95 on average. Shuffled rounds must give well above 0.
  std::map<Digest32, size_t> position;
  for (size_t i = 0; i < log.size(); ++i) position[log[i]] = i;
  int inversions = 0;
  for (int i = 0; i < kCount; ++i) {
    for (int j = i + 1; j < kCount; ++j) {
      if (position[submitted[i]] > position[submitted[j]]) ++inversions;
    }
  }
  EXPECT_GE(inversions, 20) << "the server's order is too close to the order of submission";
  // Timing: submissions came one by one; arrivals come in a few bursts (rounds). A slow machine
  // (the sanitizer build, a loaded CI runner) spreads the submissions over more rounds of 4 s,
  // so the bound grows with how long submitting took, but never to half the envelopes: one by
  // one would be 20 bursts.
  std::set<int> bursts;
  for (const auto& [id, p] : seen_at_poll) bursts.insert(p);
  const double span_s = std::chrono::duration<double>(sent.back() - sent.front()).count();
  const size_t rounds_in_span = static_cast<size_t>(span_s / 4) + 2;
  const size_t bound = std::min<size_t>(kCount / 2, std::max<size_t>(kCount / 3, rounds_in_span));
  EXPECT_LE(bursts.size(), bound) << "envelopes reached the server one by one, not in rounds ("
                                  << span_s << " s to submit them)";
}

TEST_F(RelayTest, RelayRefusesGarbageOversizedForeignAndTooManyAndBoundsItsQueue) {
  SealForAnotherOrganisation();
  // Room for two small envelopes (5,347 bytes each, version 2 for one investigator), no larger
  // than 64 KiB each; the server is down.
  InitRelay(
      {"queue_bytes = 11000", "max_envelope_bytes = 65536", "connection_calls_per_second = 5"});
  StartRelay();
  auto stub = RawRelay();
  gavah::v1::SubmitResponse resp;
  auto chunk = [](const std::string& bytes) {
    gavah::v1::SubmitChunk m;
    const Digest32 id = Sha256Of(testing::Bytes(bytes));
    m.set_envelope_id(id.data(), id.size());
    m.set_total_size(bytes.size());
    m.set_data(bytes);
    return m;
  };
  EXPECT_EQ(RawSubmit(*stub, chunk(std::string(5000, 'g')), &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  const std::string foreign = ReadText(dir_ / "other.gvh");
  const grpc::Status f = RawSubmit(*stub, chunk(foreign), &resp);
  EXPECT_EQ(f.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(f.error_message().find("organisation"), std::string::npos) << f.error_message();
  gavah::v1::SubmitChunk big;
  big.set_envelope_id(std::string(32, 'b'));
  big.set_total_size(1 << 20);
  EXPECT_EQ(RawSubmit(*stub, big, &resp).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  // The queue is bounded: the third envelope does not fit and stays with the witness.
  for (int i = 0; i < 2; ++i) {
    Outcome s = Submit("q" + std::to_string(i), "fits " + std::to_string(i));
    EXPECT_EQ(s.exit_code, 0) << s.err;
  }
  Outcome full = Submit("q2", "does not fit");
  EXPECT_EQ(full.exit_code, 3) << full.err;
  EXPECT_NE(full.err.find("quota"), std::string::npos) << full.err;
  EXPECT_EQ(Field(Status(), "queued"), "2");

  // Per connection: a burst of calls beyond the rate is refused, with a clear status.
  int refused = 0;
  for (int i = 0; i < 40; ++i) {
    grpc::ClientContext ctx;
    gavah::v1::UploadStateRequest req;
    req.set_envelope_id(std::string(32, 's'));
    gavah::v1::UploadStateResponse st;
    const grpc::Status s = stub->GetUploadState(&ctx, req, &st);
    if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++refused;
      EXPECT_NE(s.error_message().find("too many calls"), std::string::npos);
    }
  }
  EXPECT_GT(refused, 20);
}

TEST_F(RelayTest, RelayForwardsThroughAnHttpConnectProxyWhenGivenOne) {
  ASSERT_TRUE(fs::exists("/usr/bin/tinyproxy")) << "scripts/test.sh installs tinyproxy";
  StartServer();
  int proxy_port = 0;
  const pid_t proxy = StartProxy(&proxy_port);
  ASSERT_GT(proxy, 0) << ReadText(dir_ / "proxy.out");
  InitRelay({"delay_mean_milliseconds = 100"});
  StartRelay({"--proxy", "http://127.0.0.1:" + std::to_string(proxy_port)});
  Outcome s = Submit("t", "through the relay and the tunnel");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const std::string id = Field(s.out, "envelope_id");
  EXPECT_TRUE(WaitUntil([&] { return ServerHas(id); }, 30)) << ReadText(dir_ / "relay.log");
  const std::string log = ReadText(dir_ / "proxy.log");
  EXPECT_NE(log.find("CONNECT"), std::string::npos) << log;
  EXPECT_NE(log.find("127.0.0.1:" + std::to_string(port_)), std::string::npos) << log;
  testing::Stop(proxy, SIGTERM);
  // A proxy gRPC would not honour is refused before the relay starts.
  Outcome bad = Rel({"run", "--data", "rl", "--proxy", "socks5://127.0.0.1:9050"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("--proxy must be http://HOST:PORT"), std::string::npos) << bad.err;
}

TEST_F(RelayTest, AnEnvelopeTheServerRefusesIsSetAsideAndDoesNotHoldUpTheOthers) {
  // The server takes nothing above 8 KB; the relay takes more, as its bundle states no limit.
  std::string conf = ReadText(dir_ / "srv/server.conf") + "max_envelope_bytes = 8000\n";
  WriteText(dir_ / "srv/server.conf", conf);
  StartServer();
  InitRelay({"delay_mean_milliseconds = 100", "backoff_max_seconds = 1"});
  StartRelay();
  WriteText(dir_ / "big.txt", "with a document");
  WriteText(dir_ / "doc.bin", std::string(20000, 'd'));
  Outcome big = Wit({"submit", "--bundle", "relay.bundle", "--text-file", "big.txt", "--attach",
                     "doc.bin", "--json"});
  ASSERT_EQ(big.exit_code, 0) << big.err;
  // After the refusal, later envelopes still go through and the server is not backed off from.
  ASSERT_TRUE(WaitUntil(
      [&] { return ReadText(dir_ / "relay.log").find("not accepted") != std::string::npos; }, 20))
      << ReadText(dir_ / "relay.log");
  Outcome small = Submit("s", "small enough");
  ASSERT_EQ(small.exit_code, 0) << small.err;
  EXPECT_TRUE(WaitUntil([&] { return ServerHas(Field(small.out, "envelope_id")); }, 20))
      << ReadText(dir_ / "relay.log");
  const std::string status = Status();
  EXPECT_EQ(Field(status, "failures_in_a_row"), "0") << status;
  EXPECT_EQ(Field(status, "queued"), "1") << "the refused envelope is kept, never dropped";
  EXPECT_FALSE(ServerHas(Field(big.out, "envelope_id")));
}

TEST_F(RelayTest, AStreamThatSendsNothingIsCutOffAndHoldsNoThread) {
  InitRelay({"stream_first_message_seconds = 2"});
  StartRelay();
  auto stub = RawRelay();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  gavah::v1::SubmitResponse resp;
  const auto start = std::chrono::steady_clock::now();
  auto w = stub->Submit(&ctx, &resp);
  const grpc::Status st = w->Finish();  // never writes a message
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << "the relay, not the client's deadline, must end a silent stream";
  EXPECT_LT(waited, 20);
}

TEST_F(RelayTest, ServerWhoseCertificateDoesNotMatchThePinGetsNothing) {
  StartServer();
  // A bundle naming the right address with another certificate (a second server's).
  ASSERT_EQ(Srv({"init", "--data", "impostor"}).exit_code, 0);
  ASSERT_EQ(Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--threshold", "1",
                 "--server", "127.0.0.1:" + std::to_string(port_), "--server-cert",
                 "impostor/tls.crt", "--receipt-key", "srv/receipt.pub", "--out", "wrong.bundle"})
                .exit_code,
            0);
  InitRelay({"delay_mean_milliseconds = 100", "backoff_max_seconds = 1"}, "wrong.bundle");
  StartRelay();
  Outcome s = Submit("t", "must not leak to an unpinned server");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const std::string status = StatusAfterUpstreamFailure();
  ASSERT_NE(Field(status, "failures_in_a_row"), "0") << status;
  EXPECT_NE(Field(status, "last_error").find("does not match the bundle's pin"), std::string::npos)
      << status;
  EXPECT_EQ(Field(status, "queued"), "1");
  EXPECT_TRUE(ServerLog().empty());
}

TEST_F(RelayTest, RepliesComeThroughTheRelayWithoutAskingTheServerWhileTheWitnessWaits) {
  StartServer();
  InitRelay({"delay_mean_milliseconds = 200"});
  StartRelay();
  auto stub = RawRelay();
  Digest32 mailbox{};
  mailbox.fill(0x42);
  auto org = RecipientBundle::Parse(testing::Bytes(ReadText(dir_ / "org.bundle")));
  ASSERT_TRUE(org.ok());
  gavah::v1::FetchRepliesRequest req;
  req.set_mailbox_id(mailbox.data(), mailbox.size());
  // No organisation named, with a relay serving one: fine. A wrong one: refused.
  req.set_organisation_id(std::string(16, 'z'));
  {
    grpc::ClientContext ctx;
    gavah::v1::FetchRepliesResponse resp;
    EXPECT_EQ(stub->FetchReplies(&ctx, req, &resp).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  const auto fp = org->organisation_fingerprint();
  req.set_organisation_id(fp.data(), fp.size());
  gavah::v1::FetchRepliesResponse first;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub->FetchReplies(&ctx, req, &first).ok());
  }
  EXPECT_TRUE(first.pending()) << "the first ask must not wait for the server";
  gavah::v1::FetchRepliesResponse later;
  EXPECT_TRUE(WaitUntil(
      [&] {
        grpc::ClientContext ctx;
        later.Clear();
        return stub->FetchReplies(&ctx, req, &later).ok() && !later.pending();
      },
      20));
  EXPECT_EQ(later.replies_size(), 0);
}

TEST_F(RelayTest, AFloodOfMadeUpMailboxesDoesNotKeepARealWitnessWaiting) {
  StartServer();
  InitRelay({"delay_mean_milliseconds = 200", "connection_calls_per_second = 0"});
  StartRelay();
  auto org = RecipientBundle::Parse(testing::Bytes(ReadText(dir_ / "org.bundle")));
  ASSERT_TRUE(org.ok());
  const auto fp = org->organisation_fingerprint();
  auto ask = [&](gavah::v1::Intake::Stub& stub, const Digest32& mailbox) {
    grpc::ClientContext ctx;
    gavah::v1::FetchRepliesRequest req;
    req.set_mailbox_id(mailbox.data(), mailbox.size());
    req.set_organisation_id(fp.data(), fp.size());
    gavah::v1::FetchRepliesResponse resp;
    const bool ok = stub.FetchReplies(&ctx, req, &resp).ok();
    return ok && !resp.pending();
  };
  // Made-up mailboxes whose ids start with zero bytes: in byte order they would always go first.
  auto flood = RawRelay();
  for (uint32_t i = 0; i < 5000; ++i) {
    Digest32 fake{};
    fake[29] = static_cast<uint8_t>(i >> 16);
    fake[30] = static_cast<uint8_t>(i >> 8);
    fake[31] = static_cast<uint8_t>(i);
    ask(*flood, fake);
  }
  Digest32 real{};
  real.fill(0x42);
  auto witness = RawRelay();
  EXPECT_FALSE(ask(*witness, real)) << "the first ask never waits for the server";
  EXPECT_TRUE(WaitUntil([&] { return ask(*witness, real); }, 15))
      << "a real witness's mailbox must be fetched within a few rounds of a flood";
}

TEST_F(RelayTest, ServerDropsCoverWithoutStoringAndRefusesMalformedCover) {
  StartServer();
  auto stub = RawClient();
  gavah::v1::SubmitChunk cover;
  cover.set_envelope_id(std::string(32, 'c'));
  cover.set_total_size(4446);
  cover.set_kind(gavah::v1::SubmitChunk::COVER);
  cover.set_data(std::string(4446, 'r'));
  gavah::v1::SubmitResponse resp;
  ASSERT_TRUE(RawSubmit(*stub, cover, &resp).ok());
  EXPECT_EQ(resp.receipt().signature().size(), 64u) << "cover is answered like a receipt";
  cover.set_total_size(4447);  // announces more than it carries
  EXPECT_EQ(RawSubmit(*stub, cover, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  cover.set_total_size(2 << 20);
  cover.set_data(std::string(2 << 20, 'r'));
  EXPECT_NE(RawSubmit(*stub, cover, &resp).error_code(), grpc::StatusCode::OK);
  EXPECT_TRUE(ServerLog().empty());
  EXPECT_EQ(OpenStore()->BytesUsed().value(), 0u);
}

TEST_F(RelayTest, InitRefusesABundleItCouldNotForwardFor) {
  ASSERT_EQ(Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--threshold", "1",
                 "--out", "nowhere.bundle"})
                .exit_code,
            0);
  Outcome r = Rel({"init", "--data", "rl", "--bundle", "nowhere.bundle"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("receipt key"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "rl"));
  Outcome twice = Rel({"init", "--data", "rl", "--bundle", "org.bundle", "--bundle", "org.bundle"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("already given"), std::string::npos) << twice.err;
  EXPECT_FALSE(fs::exists(dir_ / "rl"));
}

}  // namespace
}  // namespace gavah
