// The real gavah-server on 127.0.0.1 with a real SQLCipher store and real TLS, driven by the real
// gavah-witness and by a raw gRPC client that lies the way a hostile one would.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "case_store.h"
#include "envelope_store.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/review_auth.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "gavah/v1/review.grpc.pb.h"
#include "support/process.h"
#include "support/server_fixture.h"
#include "support/test_support.h"

namespace gavah {
namespace {

namespace fs = std::filesystem;
using testing::Outcome;
using testing::ReadText;
using testing::WriteText;

class IntakeTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    MakeBundle({port_}, "srv/tls.crt", "srv/receipt.pub", "org.bundle");
  }

  // A 1-of-1 bundle for investigator a, listing servers on `ports` in order with these pins.
  void MakeBundle(const std::vector<int>& ports, const std::string& cert,
                  const std::string& receipt_key, const std::string& out) {
    std::vector<std::string> args = {"bundle", "--org-key",   "org.key", "--investigator",
                                     "a.pub",  "--threshold", "1"};
    for (int p : ports) {
      args.push_back("--server");
      args.push_back("127.0.0.1:" + std::to_string(p));
    }
    for (const std::string& a : {std::string("--server-cert"), cert, std::string("--receipt-key"),
                                 receipt_key, std::string("--out"), out}) {
      args.push_back(a);
    }
    Outcome b = Inv(args);
    ASSERT_EQ(b.exit_code, 0) << b.err;
  }

  // Uploads raw messages and returns the final status.
  grpc::Status RawSubmit(const std::vector<gavah::v1::SubmitChunk>& msgs) {
    auto stub = RawClient();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    gavah::v1::SubmitResponse resp;
    auto w = stub->Submit(&ctx, &resp);
    for (const auto& m : msgs) {
      if (!w->Write(m)) break;
    }
    w->WritesDone();
    return w->Finish();
  }

  std::string Seal(const std::string& name, const std::string& text) {
    WriteText(dir_ / (name + ".txt"), text);
    Outcome s = Wit(
        {"seal", "--bundle", "org.bundle", "--text-file", name + ".txt", "--out", name + ".gvh"});
    EXPECT_EQ(s.exit_code, 0) << s.err;
    return ReadText(dir_ / (name + ".gvh"));
  }
};

using testing::Field;

TEST_F(IntakeTest, SubmittedTestimonyIsStoredAsCiphertextOnlyAndOpens) {
  StartServer();
  const std::string marker = "MARKER-9c1e77a0";
  WriteText(dir_ / "t.txt", "The death commission sat in Evin. " + marker);
  WriteText(dir_ / "doc.pdf", std::string(5 << 20, 'p') + marker);
  Outcome r = Wit({"submit", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach",
                   "doc.pdf", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string id = Field(r.out, "envelope_id");
  ASSERT_EQ(id.size(), 64u) << r.out;
  // A promise of inclusion by a later hour, which names no place in the log.
  EXPECT_GT(std::stoull(Field(r.out, "include_by")), std::stoull(Field(r.out, "received_hour")));
  // Nothing readable anywhere the server writes.
  for (const auto& e : fs::recursive_directory_iterator(dir_ / "srv")) {
    if (!e.is_regular_file()) continue;
    const std::string bytes = ReadText(e.path());
    EXPECT_EQ(bytes.find(marker), std::string::npos) << e.path();
    EXPECT_NE(bytes.rfind("SQLite format 3", 0), 0u) << e.path() << " is an unencrypted database";
  }
  EXPECT_EQ(StopServer(SIGTERM), 0) << "SIGTERM must stop the server cleanly";
  const std::string log = ReadText(dir_ / "server.log");
  EXPECT_NE(log.find("stopping"), std::string::npos) << log;
  for (const char* f : {"store.db", "store.key", "tls.key", "receipt.key", "server.conf"}) {
    EXPECT_EQ(
        fs::status(dir_ / "srv" / f).permissions() & (fs::perms::group_all | fs::perms::others_all),
        fs::perms::none)
        << f;
  }
  EXPECT_EQ(fs::status(dir_ / "srv").permissions() & (fs::perms::group_all | fs::perms::others_all),
            fs::perms::none);
  EXPECT_EQ(log.find(marker), std::string::npos);
  EXPECT_EQ(log.find(id), std::string::npos) << "the log names the envelope id";
  EXPECT_EQ(log.find("127.0.0.1:" + std::to_string(port_ + 0) + " "), std::string::npos);
  // The outbox is empty and the receipt re-verifies.
  EXPECT_FALSE(fs::exists(dir_ / "xdg/gavah/outbox/" / (id + ".gvh")));
  Outcome rc = Wit({"receipt", id, "--json"});
  EXPECT_EQ(rc.exit_code, 0) << rc.err;
  EXPECT_NE(rc.out.find("\"verified\":true"), std::string::npos);
  // People are shown a date, not Unix seconds.
  Outcome shown = Wit({"receipt", id});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find(" UTC; signature verified"), std::string::npos) << shown.out;
  EXPECT_EQ(shown.out.find("Unix time"), std::string::npos) << shown.out;
  // What the server holds is exactly the envelope: its SHA-256 is the id, and it opens.
  auto store = OpenStore();
  ASSERT_TRUE(store);
  std::vector<uint8_t> envelope;
  Digest32 digest{};
  std::memcpy(digest.data(), FromHex(id)->data(), 32);
  ASSERT_TRUE(store
                  ->ReadEnvelope(digest,
                                 [&](std::span<const uint8_t> b) {
                                   envelope.insert(envelope.end(), b.begin(), b.end());
                                   return Status::Ok();
                                 })
                  .ok());
  EXPECT_EQ(ToHex(Sha256Of(envelope)), id);
  testing::WriteText(dir_ / "from-server.gvh", std::string(envelope.begin(), envelope.end()));
  Outcome opened = Inv({"open", "from-server.gvh", "--key", "a.key", "--out", "opened"});
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_NE(ReadText(dir_ / "opened/testimony.txt").find(marker), std::string::npos);
}

TEST_F(IntakeTest, ExportCopiesAStoredEnvelopeAndRefusesUnknownIds) {
  StartServer();
  Seal("e", "export me");
  Outcome s = Wit({"send", "e.gvh", "--bundle", "org.bundle", "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const std::string id = Field(s.out, "envelope_id");
  Outcome x = Srv({"export", "--data", "srv", id, "--out", "copy.gvh"});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  EXPECT_EQ(ReadText(dir_ / "copy.gvh"), ReadText(dir_ / "e.gvh"));
  EXPECT_NE(Srv({"export", "--data", "srv", std::string(64, '0'), "--out", "none.gvh"}).exit_code,
            0);
  EXPECT_NE(Srv({"export", "--data", "srv", "xyz", "--out", "none.gvh"}).exit_code, 0);
  EXPECT_NE(Srv({"export", "--data", "srv", id, "--out", "copy.gvh"}).exit_code, 0)
      << "overwrote a file";
  EXPECT_FALSE(fs::exists(dir_ / "none.gvh"));
}

TEST_F(IntakeTest, SendingTheSameEnvelopeTwiceStoresItOnceWithOneReceipt) {
  StartServer();
  Seal("e", "hello");
  Outcome a = Wit({"send", "e.gvh", "--bundle", "org.bundle", "--json"});
  Outcome b = Wit({"send", "e.gvh", "--bundle", "org.bundle", "--json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(Field(a.out, "envelope_id"), Field(b.out, "envelope_id"));
  EXPECT_EQ(Field(a.out, "include_by"), Field(b.out, "include_by"));
  StopServer(SIGTERM);
  auto store = OpenStore();
  EXPECT_EQ(store->BytesUsed().value(), fs::file_size(dir_ / "e.gvh"));
}

TEST_F(IntakeTest, ServerDownKeepsTheEnvelopeInTheOutboxUntilRetry) {
  WriteText(dir_ / "t.txt", "waiting");
  Outcome r = Wit({"submit", "--bundle", "org.bundle", "--text-file", "t.txt"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("outbox"), std::string::npos) << r.err;
  Outcome list = Wit({"outbox"});
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("waiting"), std::string::npos) << list.out;
  StartServer();
  Outcome retry = Wit({"outbox", "--retry", "--json"});
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  // A promise of inclusion by a later hour, which names no place in the log.
  EXPECT_GT(std::stoull(Field(retry.out, "include_by")),
            std::stoull(Field(retry.out, "received_hour")));
  EXPECT_NE(Wit({"outbox"}).out.find("empty"), std::string::npos);
}

TEST_F(IntakeTest, AServerWhoseCertificateDoesNotMatchThePinIsRefused) {
  StartServer();
  ASSERT_EQ(Srv({"init", "--data", "other"}).exit_code, 0);
  MakeBundle({port_}, "other/tls.crt", "srv/receipt.pub", "wrongpin.bundle");
  Seal("e", "hello");
  Outcome r = Wit({"send", "e.gvh", "--bundle", "wrongpin.bundle"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_LT(r.exit_code, 128);
  EXPECT_NE(r.err.find("certificate"), std::string::npos) << r.err;
}

TEST_F(IntakeTest, EndpointsAreTriedInOrderUntilOneTakesTheEnvelope) {
  StartServer();
  const int dead = testing::FreePort();
  MakeBundle({dead, port_}, "srv/tls.crt", "srv/receipt.pub", "two.bundle");
  Seal("e", "hello");
  Outcome r = Wit({"send", "e.gvh", "--bundle", "two.bundle", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(IntakeTest, AReceiptSignedByAnotherKeyIsNotDelivery) {
  StartServer();
  ASSERT_EQ(Srv({"init", "--data", "other"}).exit_code, 0);
  MakeBundle({port_}, "srv/tls.crt", "other/receipt.pub", "wrongreceipt.bundle");
  Seal("e", "hello");
  Outcome r = Wit({"send", "e.gvh", "--bundle", "wrongreceipt.bundle"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("receipt signature does not verify"), std::string::npos) << r.err;
}

TEST_F(IntakeTest, ExpiredBundleIsRefusedBeforeSending) {
  StartServer();
  WriteText(dir_ / "old.bundle", testing::ExpiredBundle());
  Seal("e", "hello");
  Outcome r = Wit({"send", "e.gvh", "--bundle", "old.bundle"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("expired"), std::string::npos) << r.err;
}

TEST_F(IntakeTest, LyingOrMalformedUploadsAreRefusedAndLeaveNothingVisible) {
  StartServer();
  const std::string env = Seal("e", "hello");
  Digest32 id = Sha256Of(testing::Bytes(env));
  const std::string id_bytes(reinterpret_cast<const char*>(id.data()), 32);
  auto first = [&](const std::string& eid, uint64_t total, const std::string& data) {
    gavah::v1::SubmitChunk m;
    m.set_envelope_id(eid);
    m.set_total_size(total);
    m.set_data(data);
    return m;
  };
  // An id that is not the SHA-256 of the bytes.
  std::string wrong_id = id_bytes;
  wrong_id[0] ^= 1;
  EXPECT_EQ(RawSubmit({first(wrong_id, env.size(), env)}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // More bytes than announced.
  EXPECT_EQ(RawSubmit({first(id_bytes, env.size() - 1, env)}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // An id of the wrong length; a size too small to be an envelope; a message over 1 MiB.
  EXPECT_EQ(RawSubmit({first("short", env.size(), env)}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(RawSubmit({first(id_bytes, 10, "0123456789")}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(RawSubmit({first(id_bytes, 3 << 20, std::string((1 << 20) + 1, 'x'))}).error_code(),
            grpc::StatusCode::OK);
  // Random bytes announced with their real hash: not an envelope.
  const std::string junk(env.size(), 'j');
  const Digest32 junk_id = Sha256Of(testing::Bytes(junk));
  EXPECT_EQ(RawSubmit({first(std::string(reinterpret_cast<const char*>(junk_id.data()), 32),
                             junk.size(), junk)})
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // A sealed envelope for another organisation.
  auto other = testing::MakeOrg(1, 1);
  auto foreign = testing::SealForTest(other.bundle, "not for you");
  EXPECT_EQ(RawSubmit({first(std::string(reinterpret_cast<const char*>(foreign.id.data()), 32),
                             foreign.envelope.size(),
                             std::string(foreign.envelope.begin(), foreign.envelope.end()))})
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // A stream that stops half way is not an envelope; holding less than a message's worth, it is
  // not kept either, so forged uploads that stop after their header leave nothing behind.
  EXPECT_EQ(RawSubmit({first(id_bytes, env.size(), env.substr(0, 2000))}).error_code(),
            grpc::StatusCode::ABORTED);
  StopServer(SIGTERM);
  auto store = OpenStore();
  EXPECT_FALSE(store->FindEntry(id).value().has_value());
  EXPECT_EQ(store->State(id).value().received, 0u);
  EXPECT_EQ(store->BytesUsed().value(), 0u);
}

TEST_F(IntakeTest, AnInterruptedUploadResumesWhereItStopped) {
  StartServer();
  WriteText(dir_ / "big.bin", std::string(3 << 20, 'b'));
  WriteText(dir_ / "t.txt", "resume me");
  ASSERT_EQ(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach", "big.bin",
                 "--out", "e.gvh"})
                .exit_code,
            0);
  const std::string env = ReadText(dir_ / "e.gvh");
  const Digest32 id = Sha256Of(testing::Bytes(env));
  gavah::v1::SubmitChunk m;
  m.set_envelope_id(std::string(reinterpret_cast<const char*>(id.data()), 32));
  m.set_total_size(env.size());
  m.set_data(env.substr(0, 1 << 20));
  EXPECT_EQ(RawSubmit({m}).error_code(), grpc::StatusCode::ABORTED);
  Outcome r = Wit({"send", "e.gvh", "--bundle", "org.bundle", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Field(r.out, "envelope_id"), ToHex(id));
}

TEST_F(IntakeTest, QuotaFullIsResourceExhaustedAndStoresNothing) {
  std::string conf = ReadText(dir_ / "srv/server.conf");
  conf.replace(conf.find("quota_bytes = 0"), 15, "quota_bytes = 6000");
  WriteText(dir_ / "srv/server.conf", conf);
  StartServer();
  WriteText(dir_ / "t.txt", "too big for the quota");
  WriteText(dir_ / "a.bin", std::string(20000, 'a'));
  Outcome r =
      Wit({"submit", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach", "a.bin"});
  EXPECT_EQ(r.exit_code, 3) << r.err;  // waits in the outbox
  EXPECT_NE(r.err.find("quota"), std::string::npos) << r.err;
  StopServer(SIGTERM);
  EXPECT_EQ(OpenStore()->BytesUsed().value(), 0u);
}

TEST_F(IntakeTest, InitChecksTheOnionAddressAndLeavesNothingHalfMade) {
  const std::string onion = std::string(56, 'q') + ".onion";
  Outcome ok = Srv({"init", "--data", "o1", "--listen", "127.0.0.1:9000", "--onion", onion});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("--server " + onion + ":9000"), std::string::npos) << ok.out;
  EXPECT_NE(ReadText(dir_ / "o1/server.conf").find("onion = " + onion + ":9000"),
            std::string::npos);
  EXPECT_EQ(fs::status(dir_ / "o1").permissions() & fs::perms::all, fs::perms::owner_all);
  for (const std::string& bad : {std::string("evil.example.onion"), onion + ":0",
                                 std::string(56, 'Q') + ".onion", onion + ":99999"}) {
    Outcome r = Srv({"init", "--data", "o2", "--onion", bad});
    EXPECT_EQ(r.exit_code, 1) << bad;
    EXPECT_NE(r.err.find("--onion must be"), std::string::npos) << r.err;
  }
  // Refused, failed or finished: no DIR and no staging folder is left half made.
  EXPECT_FALSE(fs::exists(dir_ / "o2"));
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find(".partial-"), std::string::npos) << e.path();
  }
  EXPECT_EQ(Srv({"init", "--data", "o1"}).exit_code, 1) << "an existing DIR is not touched";
}

TEST_F(IntakeTest, WrongOrMissingDatabaseKeyIsAClearErrorNotANewDatabase) {
  WriteText(dir_ / "srv/store.key", std::string(32, 'k'));
  Outcome r = Srv({"run", "--data", "srv", "--bundle", "org.bundle"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("database key does not match"), std::string::npos) << r.err;
  fs::remove(dir_ / "srv/store.db");
  Outcome m = Srv({"run", "--data", "srv", "--bundle", "org.bundle"});
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_NE(m.err.find("missing"), std::string::npos) << m.err;
  EXPECT_FALSE(fs::exists(dir_ / "srv/store.db"));
  EXPECT_NE(Srv({"init", "--data", "srv"}).exit_code, 0) << "init touched an existing directory";
}

TEST_F(IntakeTest, ProxyTrafficGoesThroughTheHttpConnectProxyAndTheEnvironmentIsIgnored) {
  ASSERT_TRUE(fs::exists("/usr/bin/tinyproxy")) << "scripts/test.sh installs tinyproxy";
  StartServer();
  int proxy_port = 0;
  const pid_t proxy = StartProxy(&proxy_port);
  ASSERT_GT(proxy, 0) << ReadText(dir_ / "proxy.out");
  WriteText(dir_ / "t.txt", "through the tunnel");
  Outcome r = Wit({"submit", "--bundle", "org.bundle", "--text-file", "t.txt", "--proxy",
                   "http://127.0.0.1:" + std::to_string(proxy_port), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string log = ReadText(dir_ / "proxy.log");
  EXPECT_NE(log.find("CONNECT"), std::string::npos) << log;
  EXPECT_NE(log.find("127.0.0.1:" + std::to_string(port_)), std::string::npos) << log;
  testing::Stop(proxy, SIGTERM);

  // Proxy variables in the environment are not used unless --proxy is given: pointing them at a
  // dead proxy changes nothing.
  auto env = env_;
  const std::string dead = "http://127.0.0.1:" + std::to_string(testing::FreePort());
  for (const char* v :
       {"http_proxy", "https_proxy", "grpc_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"})
    env[v] = dead;
  WriteText(dir_ / "t2.txt", "direct");
  Outcome d = testing::Exec(dir_, GAVAH_WITNESS,
                            {"submit", "--bundle", "org.bundle", "--text-file", "t2.txt"}, env);
  EXPECT_EQ(d.exit_code, 0) << d.err;
}

TEST_F(IntakeTest, AProxyGrpcCannotHonourIsRefusedAndNoProxyCannotBypassIt) {
  StartServer();
  WriteText(dir_ / "t.txt", "must not leak the address");
  Outcome socks = Wit({"submit", "--amnesic", "--bundle", "org.bundle", "--text-file", "t.txt",
                       "--proxy", "socks5h://127.0.0.1:9050"});
  EXPECT_EQ(socks.exit_code, 1);
  EXPECT_NE(socks.err.find("--proxy must be http://HOST:PORT"), std::string::npos) << socks.err;
  Outcome bare = Wit({"submit", "--amnesic", "--bundle", "org.bundle", "--text-file", "t.txt",
                      "--proxy", "127.0.0.1:9"});
  EXPECT_EQ(bare.exit_code, 1) << bare.err;
  // A dead proxy with no_proxy naming the server: delivering directly would be the leak.
  auto env = env_;
  env["no_proxy"] = "127.0.0.1";
  env["no_grpc_proxy"] = "127.0.0.1";
  Outcome r =
      testing::Exec(dir_, GAVAH_WITNESS,
                    {"submit", "--amnesic", "--bundle", "org.bundle", "--text-file", "t.txt",
                     "--proxy", "http://127.0.0.1:" + std::to_string(testing::FreePort())},
                    env);
  EXPECT_EQ(r.exit_code, 4) << "delivered around the proxy, or kept something: " << r.err;
}

TEST_F(IntakeTest, AmnesicSubmitKeepsNothingOnDisk) {
  WriteText(dir_ / "t.txt", "nothing of this stays");
  Outcome down = Wit({"submit", "--amnesic", "--bundle", "org.bundle", "--text-file", "t.txt"});
  EXPECT_EQ(down.exit_code, 4) << down.err;
  StartServer();
  Outcome up =
      Wit({"submit", "--amnesic", "--bundle", "org.bundle", "--text-file", "t.txt", "--json"});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(Field(up.out, "receipt_file"), "");
  EXPECT_FALSE(fs::exists(dir_ / "xdg")) << "--amnesic wrote state";
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find(".gavah-seal"), std::string::npos) << e.path();
  }
}

TEST_F(IntakeTest, AnUploadWhoseFirstMessageLacksTheHeaderReservesNothing) {
  StartServer();
  const std::string env = Seal("e", "hello");
  const Digest32 id = Sha256Of(testing::Bytes(env));
  gavah::v1::SubmitChunk m;
  m.set_envelope_id(std::string(reinterpret_cast<const char*>(id.data()), 32));
  m.set_total_size(8ull << 30);  // claims 8 GiB, sends 10 bytes
  m.set_data(env.substr(0, 10));
  EXPECT_EQ(RawSubmit({m}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A header announcing 255 stanzas in an envelope too small to hold them.
  std::string lying = env;
  lying[25] = static_cast<char>(255);
  const Digest32 lid = Sha256Of(testing::Bytes(lying));
  m.set_envelope_id(std::string(reinterpret_cast<const char*>(lid.data()), 32));
  m.set_total_size(lying.size());
  m.set_data(lying.substr(0, 2000));
  EXPECT_EQ(RawSubmit({m}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  StopServer(SIGTERM);
  auto store = OpenStore();
  EXPECT_EQ(store->BytesUsed().value(), 0u);
}

TEST_F(IntakeTest, AStreamThatStopsMovingDataIsCancelledAndKeptForResume) {
  WriteText(dir_ / "srv/server.conf",
            ReadText(dir_ / "srv/server.conf") + "stream_idle_seconds = 2\n");
  StartServer();
  WriteText(dir_ / "big.bin", std::string(2 << 20, 'b'));
  WriteText(dir_ / "t.txt", "slow");
  ASSERT_EQ(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach", "big.bin",
                 "--out", "e.gvh"})
                .exit_code,
            0);
  const std::string env = ReadText(dir_ / "e.gvh");
  const Digest32 id = Sha256Of(testing::Bytes(env));
  auto stub = RawClient();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  gavah::v1::SubmitResponse resp;
  auto w = stub->Submit(&ctx, &resp);
  gavah::v1::SubmitChunk m;
  m.set_envelope_id(std::string(reinterpret_cast<const char*>(id.data()), 32));
  m.set_total_size(env.size());
  m.set_data(env.substr(0, 1 << 20));
  ASSERT_TRUE(w->Write(m));
  gavah::v1::SubmitChunk empty;
  const auto start = std::chrono::steady_clock::now();
  while (w->Write(empty) && std::chrono::steady_clock::now() - start < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // says nothing, forever
  }
  const grpc::Status st = w->Finish();
  EXPECT_FALSE(st.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15))
      << "the idle stream was not cut";
  // The bytes that did arrive are kept, and the witness resumes from them.
  Outcome r = Wit({"send", "e.gvh", "--bundle", "org.bundle", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(IntakeTest, ARetryTakesOverFromADeadStreamTheServerStillHolds) {
  StartServer();
  WriteText(dir_ / "big.bin", std::string(3 << 20, 'r'));
  WriteText(dir_ / "t.txt", "the connection dropped");
  ASSERT_EQ(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach", "big.bin",
                 "--out", "e.gvh"})
                .exit_code,
            0);
  const std::string env = ReadText(dir_ / "e.gvh");
  const Digest32 id = Sha256Of(testing::Bytes(env));
  // A stream the server still believes in: it sent 1 MiB and then went silent, as a witness
  // whose network vanished does (no FIN reaches the server).
  auto stub = RawClient();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  gavah::v1::SubmitResponse resp;
  auto w = stub->Submit(&ctx, &resp);
  gavah::v1::SubmitChunk m;
  m.set_envelope_id(std::string(reinterpret_cast<const char*>(id.data()), 32));
  m.set_total_size(env.size());
  m.set_data(env.substr(0, 1 << 20));
  ASSERT_TRUE(w->Write(m));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // The witness retries at once and is not told to wait for the dead stream to time out.
  Outcome r = Wit({"send", "e.gvh", "--bundle", "org.bundle", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Field(r.out, "envelope_id"), ToHex(id));
  EXPECT_FALSE(w->Finish().ok()) << "the old stream was cancelled";
}

TEST_F(IntakeTest, EveryAcknowledgedEnvelopeSurvivesSigkill) {
  StartServer();
  WriteText(dir_ / "att.bin", std::string(1 << 20, 'k'));
  constexpr int kSenders = 16;
  std::vector<std::thread> senders;
  std::vector<Outcome> results(kSenders);
  std::atomic<int> finished{0};
  for (int i = 0; i < kSenders; ++i) {
    WriteText(dir_ / ("t" + std::to_string(i) + ".txt"), "testimony " + std::to_string(i));
    senders.emplace_back([&, i] {
      // Staggered so that some are acknowledged and others are mid-upload at the kill.
      std::this_thread::sleep_for(std::chrono::milliseconds(60 * i));
      auto env = env_;
      env["XDG_DATA_HOME"] = (dir_ / ("x" + std::to_string(i))).string();
      results[i] =
          testing::Exec(dir_, GAVAH_WITNESS,
                        {"submit", "--bundle", "org.bundle", "--text-file",
                         "t" + std::to_string(i) + ".txt", "--attach", "att.bin", "--json"},
                        env);
      ++finished;
    });
  }
  for (int waited = 0; finished < 4 && waited < 400; ++waited)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  StopServer(SIGKILL);
  for (auto& t : senders) t.join();
  auto store = OpenStore();
  int acked = 0;
  for (const auto& r : results) {
    if (r.exit_code != 0) continue;
    ++acked;
    Digest32 id{};
    std::memcpy(id.data(), FromHex(Field(r.out, "envelope_id"))->data(), 32);
    std::vector<uint8_t> bytes;
    ASSERT_TRUE(store
                    ->ReadEnvelope(id,
                                   [&](std::span<const uint8_t> b) {
                                     bytes.insert(bytes.end(), b.begin(), b.end());
                                     return Status::Ok();
                                   })
                    .ok());
    EXPECT_EQ(Sha256Of(bytes), id) << "an acknowledged envelope is damaged after SIGKILL";
    EXPECT_TRUE(store->FindEntry(id).value().has_value());
  }
  EXPECT_GT(acked, 0);
  EXPECT_LT(acked, kSenders) << "the kill came after every upload; the test proved nothing";
}

TEST_F(IntakeTest, AnUploadCutBySigkillResumesAfterRestartAndOnlyCompleteIsVisible) {
  StartServer();
  WriteText(dir_ / "big.bin", std::string(5 << 20, 'q'));
  WriteText(dir_ / "t.txt", "cut by the kill");
  ASSERT_EQ(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach", "big.bin",
                 "--out", "e.gvh"})
                .exit_code,
            0);
  const std::string env = ReadText(dir_ / "e.gvh");
  const Digest32 id = Sha256Of(testing::Bytes(env));
  const std::string id_bytes(reinterpret_cast<const char*>(id.data()), 32);
  {
    auto stub = RawClient();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    gavah::v1::SubmitResponse resp;
    auto w = stub->Submit(&ctx, &resp);
    gavah::v1::SubmitChunk m;
    m.set_envelope_id(id_bytes);
    m.set_total_size(env.size());
    m.set_data(env.substr(0, 1 << 20));
    ASSERT_TRUE(w->Write(m));
    gavah::v1::SubmitChunk next;
    next.set_data(env.substr(1 << 20, 1 << 20));
    ASSERT_TRUE(w->Write(next));
    // Wait until the server holds some of it, then kill it with the stream still open.
    gavah::v1::UploadStateResponse state;
    for (int i = 0; i < 200 && state.received() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      grpc::ClientContext c;
      gavah::v1::UploadStateRequest q;
      q.set_envelope_id(id_bytes);
      ASSERT_TRUE(RawClient()->GetUploadState(&c, q, &state).ok());
    }
    ASSERT_GT(state.received(), 0u);
    StopServer(SIGKILL);
    EXPECT_FALSE(w->Finish().ok());
  }
  StartServer();
  grpc::ClientContext c1;
  gavah::v1::UploadStateRequest q;
  q.set_envelope_id(id_bytes);
  gavah::v1::UploadStateResponse state;
  ASSERT_TRUE(RawClient()->GetUploadState(&c1, q, &state).ok());
  EXPECT_FALSE(state.stored());
  // Whole messages only: what was acknowledged to the store is there, nothing torn.
  EXPECT_TRUE(state.received() == (1u << 20) || state.received() == (2u << 20)) << state.received();
  grpc::ClientContext c2;
  gavah::v1::ReceiptRequest rq;
  rq.set_envelope_id(id_bytes);
  gavah::v1::ReceiptResponse rr;
  EXPECT_EQ(RawClient()->GetReceipt(&c2, rq, &rr).error_code(), grpc::StatusCode::NOT_FOUND);

  Outcome r = Wit({"send", "e.gvh", "--bundle", "org.bundle", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  StopServer(SIGTERM);
  auto store = OpenStore();
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(store
                  ->ReadEnvelope(id,
                                 [&](std::span<const uint8_t> b) {
                                   bytes.insert(bytes.end(), b.begin(), b.end());
                                   return Status::Ok();
                                 })
                  .ok());
  EXPECT_EQ(bytes.size(), env.size());
  EXPECT_EQ(Sha256Of(bytes), id);
}

TEST_F(IntakeTest, AFullDiskIsResourceExhaustedAndLosesNothingStored) {
  // A real full file system: a 6 MiB tmpfs holding the server's data directory.
  fs::create_directory(dir_ / "small");
  Outcome m = Run("/bin/mount", {"-t", "tmpfs", "-o", "size=6m,mode=0700", "tmpfs", "small"});
  if (m.exit_code != 0) GTEST_SKIP() << "needs root to mount a small tmpfs: " << m.err;
  struct Unmount {
    fs::path at;
    ~Unmount() { testing::Exec(at.parent_path(), "/bin/umount", {at.string()}, {}); }
  } unmount{dir_ / "small"};
  fs::remove_all(dir_ / "srv");
  ASSERT_EQ(Srv({"init", "--data", "small/srv", "--listen", "127.0.0.1:" + std::to_string(port_)})
                .exit_code,
            0);
  MakeBundle({port_}, "small/srv/tls.crt", "small/srv/receipt.pub", "small.bundle");
  server_ =
      testing::Spawn(dir_, GAVAH_SERVER, {"run", "--data", "small/srv", "--bundle", "small.bundle"},
                     env_, dir_ / "server.log");
  ASSERT_TRUE(testing::WaitForPort(port_, 20)) << ReadText(dir_ / "server.log");

  WriteText(dir_ / "first.txt", "stored before the disk filled");
  Outcome first = Wit({"submit", "--bundle", "small.bundle", "--text-file", "first.txt", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;

  WriteText(dir_ / "huge.bin", std::string(8 << 20, 'h'));
  WriteText(dir_ / "t.txt", "does not fit");
  Outcome full = Wit({"submit", "--bundle", "small.bundle", "--text-file", "t.txt", "--attach",
                      "huge.bin", "--json"});
  EXPECT_EQ(full.exit_code, 3) << full.err;  // kept in the outbox for later
  EXPECT_NE(full.err.find("server storage is full"), std::string::npos) << full.err;
  EXPECT_EQ(full.err.find("gavah-witness:"), full.err.rfind("gavah-witness:")) << full.err;

  // The server is still up and still has the first envelope with its receipt.
  grpc::ClientContext c;
  gavah::v1::ReceiptRequest rq;
  const auto first_id = FromHex(Field(first.out, "envelope_id"));
  ASSERT_TRUE(first_id.has_value());
  rq.set_envelope_id(std::string(first_id->begin(), first_id->end()));
  gavah::v1::ReceiptResponse rr;
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadText(dir_ / "small/srv/tls.crt");
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("gavah-intake");
  auto stub = gavah::v1::Intake::NewStub(grpc::CreateCustomChannel(
      "127.0.0.1:" + std::to_string(port_), grpc::SslCredentials(ssl), args));
  EXPECT_TRUE(stub->GetReceipt(&c, rq, &rr).ok());
  StopServer(SIGTERM);

  SecretBuffer key = SecretBuffer::CopyOf(testing::Bytes(ReadText(dir_ / "small/srv/store.key")));
  auto store = server::EnvelopeStore::Open((dir_ / "small/srv/store.db").string(), key, false);
  ASSERT_TRUE(store.ok()) << store.status().message();
  Digest32 id{};
  std::memcpy(id.data(), first_id->data(), 32);
  std::vector<uint8_t> bytes;
  ASSERT_TRUE((*store)
                  ->ReadEnvelope(id,
                                 [&](std::span<const uint8_t> b) {
                                   bytes.insert(bytes.end(), b.begin(), b.end());
                                   return Status::Ok();
                                 })
                  .ok());
  EXPECT_EQ(Sha256Of(bytes), id);
}

TEST_F(IntakeTest, RepliesAreFetchedFromTheirMailboxInPagesAndOthersSeeNothing) {
  Digest32 mailbox{}, other{};
  mailbox.fill(0x11);
  other.fill(0x22);
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 20; ++i) {
      const std::vector<uint8_t> sealed(100 + i, static_cast<uint8_t>(i));
      auto seq = store->PostReply(mailbox, sealed, 0);
      ASSERT_TRUE(seq.ok()) << seq.status().message();
      EXPECT_EQ(*seq, static_cast<uint64_t>(i));
    }
    EXPECT_FALSE(store->PostReply(mailbox, std::vector<uint8_t>(64 * 1024 + 1), 0).ok());
  }
  StartServer();
  auto fetch = [&](const Digest32& box, uint64_t after, gavah::v1::FetchRepliesResponse* out) {
    grpc::ClientContext c;
    gavah::v1::FetchRepliesRequest q;
    q.set_mailbox_id(std::string(reinterpret_cast<const char*>(box.data()), 32));
    q.set_after(after);
    return RawClient()->FetchReplies(&c, q, out);
  };
  gavah::v1::FetchRepliesResponse page;
  ASSERT_TRUE(fetch(mailbox, 0, &page).ok());
  ASSERT_EQ(page.replies_size(), 16);
  EXPECT_TRUE(page.more());
  EXPECT_EQ(page.replies(3).seq(), 3u);
  EXPECT_EQ(page.replies(3).sealed(), std::string(103, '\x03'));
  gavah::v1::FetchRepliesResponse rest;
  ASSERT_TRUE(fetch(mailbox, 16, &rest).ok());
  ASSERT_EQ(rest.replies_size(), 4);
  EXPECT_FALSE(rest.more());
  EXPECT_EQ(rest.replies(3).seq(), 19u);
  gavah::v1::FetchRepliesResponse none;
  ASSERT_TRUE(fetch(other, 0, &none).ok());
  EXPECT_EQ(none.replies_size(), 0);
  EXPECT_FALSE(none.more());

  grpc::ClientContext c;
  gavah::v1::FetchRepliesRequest bad;
  bad.set_mailbox_id("short");
  gavah::v1::FetchRepliesResponse ignored;
  EXPECT_EQ(RawClient()->FetchReplies(&c, bad, &ignored).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// Investigators a, b, c (k = 2) and `insider`, whose secret key the test holds, in a bundle the
// server serves; plus `outsider`, in no bundle.
class ReviewTest : public IntakeTest {
 protected:
  void SetUp() override {
    IntakeTest::SetUp();
    UseKey("b");
    UseKey("c");
    WriteText(dir_ / "insider.pub", insider_.public_key().ToText());
    Outcome b = Inv({"bundle",
                     "--org-key",
                     "org.key",
                     "--investigator",
                     "a.pub",
                     "--investigator",
                     "b.pub",
                     "--investigator",
                     "c.pub",
                     "--investigator",
                     "insider.pub",
                     "--threshold",
                     "2",
                     "--server",
                     "127.0.0.1:" + std::to_string(port_),
                     "--server-cert",
                     "srv/tls.crt",
                     "--receipt-key",
                     "srv/receipt.pub",
                     "--out",
                     "team.bundle"});
    ASSERT_EQ(b.exit_code, 0) << b.err;
    server_ =
        testing::Spawn(dir_, GAVAH_SERVER, {"run", "--data", "srv", "--bundle", "team.bundle"},
                       env_, dir_ / "server.log");
    ASSERT_TRUE(testing::WaitForPort(port_, 20)) << ReadText(dir_ / "server.log");
  }

  std::string Submit(const std::string& name, const std::string& text, size_t attachment = 0) {
    return ServerFixture::Submit("team.bundle", name, text, attachment);
  }

  std::unique_ptr<gavah::v1::Review::Stub> RawReview() {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadText(dir_ / "srv/tls.crt");
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("gavah-intake");
    args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
    return gavah::v1::Review::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(port_), grpc::SslCredentials(ssl), args));
  }

  // A ListEnvelopes call signed by `key` at `when` with `nonce`.
  grpc::Status RawList(const InvestigatorSecretKey& key, uint64_t when, uint8_t nonce_byte,
                       gavah::v1::ListEnvelopesResponse* resp) {
    gavah::v1::ListEnvelopesRequest req;
    const std::string body = req.SerializeAsString();
    std::array<uint8_t, 16> nonce{};
    nonce.fill(nonce_byte);
    const auto token = SignReviewCall(key, Certificate(), "/gavah.v1.Review/ListEnvelopes",
                                      testing::Bytes(body), when, nonce);
    grpc::ClientContext ctx;
    ctx.AddMetadata("gavah-auth-bin",
                    std::string(reinterpret_cast<const char*>(token.data()), token.size()));
    return RawReview()->ListEnvelopes(&ctx, req, resp);
  }

  Digest32 Certificate() { return Sha256Of(testing::Bytes(ReadText(dir_ / "srv/tls.crt"))); }

  InvestigatorSecretKey insider_ = InvestigatorSecretKey::Generate("insider");
  InvestigatorSecretKey outsider_ = InvestigatorSecretKey::Generate("outsider");
};

TEST_F(ReviewTest, SyncPullsEachEnvelopeOnceIntoAnEncryptedCaseStore) {
  const std::string first = Submit("one", "The guards read names from a list. MARKER-5e11");
  const std::string second = Submit("two", "My brother's cell was emptied.", 3 << 20);
  Outcome s = Inv({"sync", "--key", "a.key", "--bundle", "team.bundle", "--store", "case.db"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("synced 2 new"), std::string::npos) << s.out;
  Outcome again =
      Inv({"sync", "--key", "a.key", "--bundle", "team.bundle", "--store", "case.db", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Field(again.out, "added"), "0") << "no duplicates on a second sync";
  const std::string third = Submit("three", "Later testimony");
  Outcome later =
      Inv({"sync", "--key", "a.key", "--bundle", "team.bundle", "--store", "case.db", "--json"});
  EXPECT_EQ(Field(later.out, "added"), "1") << later.out;

  Outcome list = Inv({"list", "--store", "case.db", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  for (const auto& id : {first, second, third}) {
    EXPECT_NE(list.out.find(id), std::string::npos) << id;
  }
  EXPECT_NE(list.out.find("\"state\":\"new\""), std::string::npos);
  Outcome show = Inv({"show", second, "--store", "case.db"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("synced"), std::string::npos) << show.out;

  // The store is SQLCipher: neither the plaintext nor a SQLite header is in it.
  const std::string raw = ReadText(dir_ / "case.db");
  EXPECT_EQ(raw.find("MARKER-5e11"), std::string::npos);
  EXPECT_NE(raw.rfind("SQLite format 3", 0), 0u);

  // Every review call is in the server's audit trail, by investigator and hour.
  StopServer(SIGTERM);
  const auto trail = OpenStore()->AuditTrail().value();
  ASSERT_FALSE(trail.empty());
  EXPECT_EQ(trail.front().call, "/gavah.v1.Review/ListEnvelopes");
  EXPECT_EQ(trail.front().hour % 3600, 0u);
}

TEST_F(ReviewTest, TwoInvestigatorsInDifferentPlacesOpenAThresholdTestimonyWithoutSharingKeys) {
  const std::string id = Submit("t", "The trucks came to Khavaran at night.");
  const std::string other = Submit("u", "Another testimony.");
  auto sync = [&](const std::string& who) {
    Outcome r = Inv({"sync", "--key", who + ".key", "--bundle", "team.bundle", "--store",
                     who + ".db", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  };
  sync("a");
  Outcome alone = Inv({"open", id, "--store", "a.db", "--key", "a.key", "--out", "alone"});
  EXPECT_EQ(alone.exit_code, 1);
  EXPECT_NE(alone.err.find("needs 2"), std::string::npos) << alone.err;
  EXPECT_FALSE(fs::exists(dir_ / "alone"));

  sync("b");
  Outcome release = Inv({"release-share", id, "--key", "b.key", "--to", "a.pub", "--bundle",
                         "team.bundle", "--store", "b.db", "--yes"});
  ASSERT_EQ(release.exit_code, 0) << release.err;
  EXPECT_NE(release.err.find(id), std::string::npos) << "B sees which testimony it is for";
  Outcome got = sync("a");
  EXPECT_EQ(Field(got.out, "shares"), "1") << got.out;

  // B's share is for `id` only: it does not open another testimony.
  Outcome wrong = Inv({"open", other, "--store", "a.db", "--key", "a.key", "--out", "wrong"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("needs 2"), std::string::npos) << wrong.err;

  Outcome opened = Inv({"open", id, "--store", "a.db", "--key", "a.key", "--out", "case"});
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_EQ(ReadText(dir_ / "case/testimony.txt"), "The trucks came to Khavaran at night.");
  Outcome show = Inv({"show", id, "--store", "a.db"});
  EXPECT_NE(show.out.find("opened"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("received a share"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("attachments: none"), std::string::npos) << show.out;
  Outcome before = Inv({"show", other, "--store", "a.db"});
  EXPECT_EQ(before.out.find("attachments"), std::string::npos) << "not opened yet: " << before.out;

  // Releasing to someone outside the bundle is refused before anything is sent.
  WriteText(dir_ / "outsider.pub", outsider_.public_key().ToText());
  Outcome out = Inv({"release-share", id, "--key", "b.key", "--to", "outsider.pub", "--bundle",
                     "team.bundle", "--store", "b.db", "--yes"});
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out.err.find("is not an investigator of this bundle"), std::string::npos) << out.err;
}

TEST_F(ReviewTest, AnnotatedAndAnsweredTheWitnessReadsTheReplyWithTheirCodename) {
  ASSERT_EQ(Wit({"codename", "--out", "code.txt"}).exit_code, 0);
  WriteText(dir_ / "t.txt", "Ask me about the summer of 1988.");
  Outcome sub = Wit({"submit", "--bundle", "team.bundle", "--text-file", "t.txt", "--codename-file",
                     "code.txt", "--json"});
  ASSERT_EQ(sub.exit_code, 0) << sub.err;
  const std::string id = Field(sub.out, "envelope_id");
  for (const std::string who : {"a", "b"}) {
    ASSERT_EQ(
        Inv({"sync", "--key", who + ".key", "--bundle", "team.bundle", "--store", who + ".db"})
            .exit_code,
        0);
  }
  Outcome early = Inv({"reply", id, "--text-file", "t.txt", "--key", "a.key", "--bundle",
                       "team.bundle", "--store", "a.db"});
  EXPECT_EQ(early.exit_code, 1) << "no reply key before the testimony is opened";
  EXPECT_NE(early.err.find("open it from this store first"), std::string::npos) << early.err;
  ASSERT_EQ(Inv({"release-share", id, "--key", "b.key", "--to", "a.pub", "--bundle", "team.bundle",
                 "--store", "b.db", "--yes"})
                .exit_code,
            0);
  ASSERT_EQ(Inv({"sync", "--key", "a.key", "--bundle", "team.bundle", "--store", "a.db"}).exit_code,
            0);
  ASSERT_EQ(Inv({"open", id, "--store", "a.db", "--key", "a.key", "--out", "opened"}).exit_code, 0);
  ASSERT_EQ(
      Inv({"note", id, "Corroborates the Gohardasht list. NOTE-7c2", "--store", "a.db"}).exit_code,
      0);
  ASSERT_EQ(Inv({"tag", id, "gohardasht", "--store", "a.db"}).exit_code, 0);
  WriteText(dir_ / "private-note.txt", "Kept off the command line. NOTE-99f");
  ASSERT_EQ(Inv({"note", id, "--text-file", "private-note.txt", "--store", "a.db"}).exit_code, 0);
  EXPECT_EQ(Inv({"note", id, "--store", "a.db"}).exit_code, 1) << "a note needs text";
  WriteText(dir_ / "answer.txt", "Thank you. We will contact you through this channel.");
  Outcome reply = Inv({"reply", id, "--text-file", "answer.txt", "--key", "a.key", "--bundle",
                       "team.bundle", "--store", "a.db"});
  ASSERT_EQ(reply.exit_code, 0) << reply.err;

  Outcome read = Wit({"replies", "--codename-file", "code.txt", "--bundle", "team.bundle"});
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_NE(read.out.find("Thank you. We will contact you through this channel."),
            std::string::npos)
      << read.out;
  ASSERT_EQ(Wit({"codename", "--out", "other.txt"}).exit_code, 0);
  Outcome none = Wit({"replies", "--codename-file", "other.txt", "--bundle", "team.bundle"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_NE(none.out.find("no replies yet"), std::string::npos) << none.out;

  Outcome show = Inv({"show", id, "--store", "a.db"});
  EXPECT_NE(show.out.find("NOTE-7c2"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("tag: gohardasht"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("NOTE-99f"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("replied"), std::string::npos) << show.out;
  EXPECT_EQ(ReadText(dir_ / "a.db").find("NOTE-7c2"), std::string::npos) << "notes are encrypted";
  // The reply the server holds is sealed: its text is nowhere in the server's files.
  StopServer(SIGTERM);
  for (const auto& f : fs::directory_iterator(dir_ / "srv")) {
    EXPECT_EQ(ReadText(f.path()).find("contact you through"), std::string::npos) << f.path();
  }
}

TEST_F(ReviewTest, AnEvidencePackageVerifiesAloneAndNamesAnAlteredFile) {
  const std::string id = Submit("t", "Names read out at Evin, summer 1988.", 200000);
  WaitForLog(1);
  for (const std::string who : {"a", "b"}) {
    ASSERT_EQ(
        Inv({"sync", "--key", who + ".key", "--bundle", "team.bundle", "--store", who + ".db"})
            .exit_code,
        0);
  }
  // With both keys at hand, no share needs to travel.
  Outcome ex = Inv(
      {"export", id, "--key", "a.key", "--key", "b.key", "--out", "evidence", "--store", "a.db"});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  for (const char* f :
       {"envelope.gvh", "log-proof.tlog-proof", "bundle.gvb", "investigator.pub", "custody.txt",
        "manifest.txt", "manifest.sig", "testimony/testimony.txt", "testimony/manifest.json"}) {
    EXPECT_TRUE(fs::exists(dir_ / "evidence" / f)) << f;
  }
  EXPECT_NE(ReadText(dir_ / "evidence/custody.txt").find("synced"), std::string::npos);
  EXPECT_NE(ReadText(dir_ / "evidence/custody.txt").find("exported"), std::string::npos);
  Outcome show = Inv({"show", id, "--store", "a.db"});
  EXPECT_NE(show.out.find("200000 t.bin"), std::string::npos) << show.out;

  // Checked with nothing but the package, then pinned to the organisation's bundle.
  fs::rename(dir_ / "srv", dir_ / "srv-away");
  Outcome ok = Inv({"verify-export", "evidence"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  Outcome pinned = Inv({"verify-export", "evidence", "--bundle", "team.bundle"});
  EXPECT_EQ(pinned.exit_code, 0) << pinned.err;
  EXPECT_NE(ok.out.find("NOT pinned"), std::string::npos) << "unpinned says so: " << ok.out;
  Outcome other = Inv({"verify-export", "evidence", "--bundle", "org.bundle"});
  EXPECT_EQ(other.exit_code, 0) << "org.bundle: the same organisation, and it lists a";
  ASSERT_EQ(Inv({"bundle", "--org-key", "org.key", "--investigator", "b.pub", "--threshold", "1",
                 "--out", "without-a.bundle"})
                .exit_code,
            0);
  Outcome removed = Inv({"verify-export", "evidence", "--bundle", "without-a.bundle"});
  EXPECT_EQ(removed.exit_code, 1) << "the pinned bundle no longer lists the signer";
  EXPECT_NE(removed.err.find("investigator.pub is not an investigator of without-a.bundle"),
            std::string::npos)
      << removed.err;
  ASSERT_EQ(Inv({"org-init", "--out", "rival.key"}).exit_code, 0);
  ASSERT_EQ(Inv({"bundle", "--org-key", "rival.key", "--investigator", "a.pub", "--threshold", "1",
                 "--out", "rival.bundle"})
                .exit_code,
            0);
  Outcome rival = Inv({"verify-export", "evidence", "--bundle", "rival.bundle"});
  EXPECT_EQ(rival.exit_code, 1);
  EXPECT_NE(rival.err.find("not signed by the organisation of rival.bundle"), std::string::npos)
      << rival.err;
  // A link planted in a package is refused, not followed.
  fs::copy(dir_ / "evidence", dir_ / "linked", fs::copy_options::recursive);
  fs::create_symlink("/etc", dir_ / "linked/testimony/etc");
  Outcome link = Inv({"verify-export", "linked"});
  EXPECT_EQ(link.exit_code, 1);
  EXPECT_NE(link.err.find("testimony/etc: a link or special file"), std::string::npos) << link.err;

  // One altered byte in one file: named, and nothing else blamed.
  std::string text = ReadText(dir_ / "evidence/testimony/testimony.txt");
  text[5] ^= 1;
  WriteText(dir_ / "evidence/testimony/testimony.txt", text);
  Outcome bad = Inv({"verify-export", "evidence"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("testimony/testimony.txt: altered"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("envelope.gvh"), std::string::npos) << bad.err;
  std::string env = ReadText(dir_ / "evidence/envelope.gvh");
  env[env.size() / 2] ^= 1;
  WriteText(dir_ / "evidence/envelope.gvh", env);
  Outcome bad_env = Inv({"verify-export", "evidence"});
  EXPECT_NE(bad_env.err.find("envelope.gvh: altered"), std::string::npos) << bad_env.err;
  EXPECT_NE(bad_env.err.find("does not match the envelope id"), std::string::npos) << bad_env.err;
  WriteText(dir_ / "evidence/extra.txt", "planted");
  EXPECT_NE(Inv({"verify-export", "evidence"}).err.find("extra.txt: not in the manifest"),
            std::string::npos);

  fs::rename(dir_ / "srv-away", dir_ / "srv");
  Outcome again = Inv(
      {"export", id, "--key", "a.key", "--key", "b.key", "--out", "evidence", "--store", "a.db"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
}

TEST_F(ReviewTest, AnEnvelopeTamperedOnTheServerIsNamedAndNeverOpened) {
  const std::string good = Submit("g", "untouched");
  const std::string bad = Submit("b", "to be altered on the server");
  StopServer(SIGTERM);
  // Someone with the server's database key alters one stored byte (and later puts it back).
  const auto bad_id = FromHex(bad).value();
  auto set_byte = [&](int value) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "srv/store.db").string().c_str(), &db), SQLITE_OK);
    const std::string key = "x'" + ToHex(testing::Bytes(ReadText(dir_ / "srv/store.key"))) + "'";
    sqlite3_key(db, key.data(), static_cast<int>(key.size()));
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA cipher_page_size = 4096", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "UPDATE chunks SET data = substr(data, 1, 100) || ? || "
                                 "substr(data, 102) WHERE owner = ?",
                                 -1, &s, nullptr),
              SQLITE_OK);
    const uint8_t b = static_cast<uint8_t>(value);
    sqlite3_bind_blob(s, 1, &b, 1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 2, bad_id.data(), static_cast<int>(bad_id.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(s), SQLITE_DONE);
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_finalize(s);
    sqlite3_close(db);
  };
  const std::string sealed = [&] {
    // The witness's own copy was removed from the outbox on delivery; the byte comes from the
    // server's export instead.
    Outcome ex = Srv({"export", "--data", "srv", bad, "--out", "copy.gvh"});
    EXPECT_EQ(ex.exit_code, 0) << ex.err;
    return ReadText(dir_ / "copy.gvh");
  }();
  set_byte(static_cast<uint8_t>(sealed[100]) ^ 1);
  server_ = testing::Spawn(dir_, GAVAH_SERVER, {"run", "--data", "srv", "--bundle", "team.bundle"},
                           env_, dir_ / "server.log");
  ASSERT_TRUE(testing::WaitForPort(port_, 20));
  Outcome s = Inv({"sync", "--key", "a.key", "--bundle", "team.bundle", "--store", "a.db"});
  EXPECT_EQ(s.exit_code, 1);
  EXPECT_NE(s.err.find(bad + " from the server does not match its id"), std::string::npos) << s.err;
  Outcome list = Inv({"list", "--store", "a.db"});
  EXPECT_NE(list.out.find(bad + "  tampered"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find(good + "  new"), std::string::npos) << list.out;
  Outcome open =
      Inv({"open", bad, "--store", "a.db", "--key", "a.key", "--key", "b.key", "--out", "never"});
  EXPECT_EQ(open.exit_code, 1);
  EXPECT_NE(open.err.find("tampered"), std::string::npos) << open.err;
  EXPECT_FALSE(fs::exists(dir_ / "never"));
  EXPECT_EQ(
      Inv({"open", good, "--store", "a.db", "--key", "a.key", "--key", "b.key", "--out", "fine"})
          .exit_code,
      0);
}

TEST_F(ReviewTest, ASyncKilledHalfWayResumesWithoutDuplicatesOrLoss) {
  const std::string big = Submit("big", "large", 24 << 20);
  const std::string small = Submit("small", "small");
  // Killed while fetching (or, on a fast machine, just after): either way the next sync must
  // end with both envelopes whole and each once.
  const pid_t sync =
      testing::Spawn(dir_, GAVAH_INVESTIGATOR,
                     {"sync", "--key", "a.key", "--bundle", "team.bundle", "--store", "a.db"}, env_,
                     dir_ / "sync.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  testing::Stop(sync, SIGKILL);
  Outcome again =
      Inv({"sync", "--key", "a.key", "--bundle", "team.bundle", "--store", "a.db", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  Outcome list = Inv({"list", "--store", "a.db", "--json"});
  for (const auto& id : {big, small}) {
    const size_t first = list.out.find(id);
    EXPECT_NE(first, std::string::npos) << id;
    EXPECT_EQ(list.out.find(id, first + 1), std::string::npos) << "listed twice: " << id;
  }
  EXPECT_EQ(
      Inv({"open", big, "--store", "a.db", "--key", "a.key", "--key", "b.key", "--out", "whole"})
          .exit_code,
      0)
      << "the resumed envelope matches its id";
}

TEST_F(ReviewTest, DeletionNeedsAsManyInvestigatorsAsOpeningAndKeepsTheLogEntry) {
  const std::string id = Submit("d", "to be deleted under the retention rule");
  auto mark = [&](const std::string& who) {
    Outcome r =
        Inv({"mark-delete", id, "--key", who + ".key", "--bundle", "team.bundle", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  };
  Outcome one = mark("a");
  EXPECT_EQ(Field(one.out, "marks"), "1");
  EXPECT_EQ(Field(one.out, "deleted"), "no") << "one key alone deletes nothing";
  EXPECT_EQ(Field(mark("a").out, "marks"), "1") << "the same investigator twice is one";
  ASSERT_EQ(Inv({"sync", "--key", "c.key", "--bundle", "team.bundle", "--store", "c.db"}).exit_code,
            0);
  Outcome two = mark("b");
  EXPECT_EQ(Field(two.out, "deleted"), "yes");
  Outcome late = Inv({"sync", "--key", "a.key", "--bundle", "team.bundle", "--store", "a.db"});
  EXPECT_EQ(late.exit_code, 0) << late.err;
  EXPECT_NE(late.err.find("deleted on the server"), std::string::npos) << late.err;
  // The log entry and the witness's receipt stay; the bytes are gone from the server.
  grpc::ClientContext ctx;
  gavah::v1::ReceiptRequest rq;
  const auto raw = FromHex(id).value();
  rq.set_envelope_id(std::string(raw.begin(), raw.end()));
  gavah::v1::ReceiptResponse rr;
  EXPECT_TRUE(RawClient()->GetReceipt(&ctx, rq, &rr).ok());
  StopServer(SIGTERM);
  Digest32 d{};
  std::memcpy(d.data(), raw.data(), 32);
  size_t bytes = 0;
  ASSERT_TRUE(OpenStore()
                  ->ReadEnvelope(d,
                                 [&](std::span<const uint8_t> b) {
                                   bytes += b.size();
                                   return Status::Ok();
                                 })
                  .ok());
  EXPECT_EQ(bytes, 0u);
  // The copy c synced before the deletion is c's to keep.
  EXPECT_NE(Inv({"list", "--store", "c.db"}).out.find(id), std::string::npos);
}

TEST_F(ReviewTest, AKeyRemovedFromTheServedBundleIsRefusedByTheServer) {
  Submit("one", "x");
  ASSERT_EQ(Inv({"sync", "--key", "b.key", "--bundle", "team.bundle", "--store", "b.db"}).exit_code,
            0);
  // The organisation signs a new bundle without b (say, b's laptop was seized) and the server
  // serves it; b still holds the old bundle that lists b.
  Outcome nb =
      Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--investigator", "c.pub",
           "--threshold", "2", "--server", "127.0.0.1:" + std::to_string(port_), "--server-cert",
           "srv/tls.crt", "--receipt-key", "srv/receipt.pub", "--out", "without-b.bundle"});
  ASSERT_EQ(nb.exit_code, 0) << nb.err;
  StopServer(SIGTERM);
  server_ =
      testing::Spawn(dir_, GAVAH_SERVER, {"run", "--data", "srv", "--bundle", "without-b.bundle"},
                     env_, dir_ / "server.log");
  ASSERT_TRUE(testing::WaitForPort(port_, 20));
  Outcome b = Inv({"sync", "--key", "b.key", "--bundle", "team.bundle", "--store", "b.db"});
  EXPECT_EQ(b.exit_code, 1);
  EXPECT_NE(b.err.find("refused this key"), std::string::npos) << b.err;
  EXPECT_EQ(
      Inv({"sync", "--key", "a.key", "--bundle", "without-b.bundle", "--store", "a.db"}).exit_code,
      0)
      << "a, still listed, syncs";
}

TEST_F(ReviewTest, AnEnvelopeAlteredInTheCaseStoreIsNeverOpened) {
  const std::string id = Submit("s", "altered later in the case store");
  ASSERT_EQ(Inv({"sync", "--key", "a.key", "--bundle", "team.bundle", "--store", "a.db"}).exit_code,
            0);
  {  // Someone who knows the store's passphrase adds bytes to the envelope it holds.
    const std::string pass = env_["GAVAH_PASSPHRASE"];
    auto store = cli::CaseStore::Open((dir_ / "a.db").string(), testing::Bytes(pass));
    ASSERT_TRUE(store.ok()) << store.status().message();
    Digest32 d{};
    std::memcpy(d.data(), FromHex(id)->data(), 32);
    ASSERT_TRUE((*store)->AppendPartial(d, testing::Bytes("appended junk")).ok());
  }
  Outcome open =
      Inv({"open", id, "--store", "a.db", "--key", "a.key", "--key", "b.key", "--out", "altered"});
  EXPECT_EQ(open.exit_code, 1);
  EXPECT_FALSE(fs::exists(dir_ / "altered")) << "nothing is shown as valid";
  EXPECT_EQ(std::count(open.err.begin(), open.err.end(), '\n'), 1) << open.err;
}

TEST_F(ReviewTest, AWrongCaseStorePassphraseIsAClearErrorAndTouchesNothing) {
  Submit("one", "x");
  ASSERT_EQ(
      Inv({"sync", "--key", "a.key", "--bundle", "team.bundle", "--store", "case.db"}).exit_code,
      0);
  const std::string before = ReadText(dir_ / "case.db");
  auto env = env_;
  WriteText(dir_ / "wrong.pass", "not the passphrase at all");
  Outcome r = Inv({"list", "--store", "case.db", "--passphrase-file", "wrong.pass"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("wrong passphrase for the case store"), std::string::npos) << r.err;
  EXPECT_EQ(ReadText(dir_ / "case.db"), before);
  Outcome missing = Inv({"list", "--store", "nothing.db"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_FALSE(fs::exists(dir_ / "nothing.db")) << "list must not create an empty store";
}

TEST_F(ReviewTest, UnknownStaleAndReplayedCallsAreRefused) {
  Submit("one", "x");
  WaitForLog(1);
  const uint64_t now = static_cast<uint64_t>(time(nullptr));
  gavah::v1::ListEnvelopesResponse resp;
  ASSERT_TRUE(RawList(insider_, now, 1, &resp).ok());
  EXPECT_EQ(resp.envelopes_size(), 1);
  EXPECT_EQ(RawList(insider_, now, 1, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "the same nonce again is a replay";
  EXPECT_EQ(RawList(insider_, now - 3600, 2, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "an hour old";
  EXPECT_EQ(RawList(insider_, now + 3600, 3, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "an hour ahead";
  EXPECT_EQ(RawList(outsider_, now, 4, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "a key the bundle does not list";
  // Captured before a restart, replayed after it: the new process never saw the nonce, but the
  // call predates it.
  const uint64_t before_restart = static_cast<uint64_t>(time(nullptr));
  StopServer(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  server_ = testing::Spawn(dir_, GAVAH_SERVER, {"run", "--data", "srv", "--bundle", "team.bundle"},
                           env_, dir_ / "server.log");
  ASSERT_TRUE(testing::WaitForPort(port_, 20));
  EXPECT_EQ(RawList(insider_, before_restart, 7, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED)
      << "signed before the server started";
  EXPECT_TRUE(RawList(insider_, static_cast<uint64_t>(time(nullptr)), 8, &resp).ok());
  {  // a signature over another request does not carry over
    gavah::v1::ListEnvelopesRequest other;
    other.set_after(5);
    std::array<uint8_t, 16> nonce{};
    nonce.fill(6);
    const auto token = SignReviewCall(insider_, Certificate(), "/gavah.v1.Review/ListEnvelopes",
                                      testing::Bytes(other.SerializeAsString()),
                                      static_cast<uint64_t>(time(nullptr)), nonce);
    gavah::v1::ListEnvelopesRequest sent;
    grpc::ClientContext ctx;
    ctx.AddMetadata("gavah-auth-bin",
                    std::string(reinterpret_cast<const char*>(token.data()), token.size()));
    EXPECT_EQ(RawReview()->ListEnvelopes(&ctx, sent, &resp).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  grpc::ClientContext none;
  gavah::v1::ListEnvelopesRequest req;
  EXPECT_EQ(RawReview()->ListEnvelopes(&none, req, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED)
      << "no authentication at all";
  WriteText(dir_ / "outsider.pub", outsider_.public_key().ToText());
  ASSERT_EQ(Inv({"keygen", "--name", "d", "--out", "d.key"}).exit_code, 0);
  Outcome d = Inv({"sync", "--key", "d.key", "--bundle", "team.bundle", "--store", "d.db"});
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_NE(d.err.find("is not an investigator of this bundle"), std::string::npos) << d.err;
}

}  // namespace
}  // namespace gavah
