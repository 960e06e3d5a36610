// A scratch folder with an organisation (investigator a), an intake server data directory on a
// free port, and the real binaries to drive them: what the end-to-end tests start from. The
// including file defines GAVAH_WITNESS, GAVAH_INVESTIGATOR and GAVAH_SERVER (the built paths).
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "envelope_store.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "sqlite_stmt.h"
#include "support/process.h"
#include "support/test_support.h"

namespace gavah::testing {

// The value of `key` in a one-line JSON object, as text ("" when absent).
inline std::string Field(const std::string& json, const std::string& key) {
  const auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return "";
  size_t start = at + key.size() + 3;
  if (json[start] == '"') ++start;
  return json.substr(start, json.find_first_of("\",}", start) - start);
}

class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto());
    char tmpl[] = "/tmp/gavah-e2e-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    env_ = {{"PATH", "/usr/bin:/bin"},
            {"HOME", dir_.string()},
            {"XDG_DATA_HOME", (dir_ / "xdg").string()},
            {"GAVAH_PASSPHRASE", "correct horse battery staple 1988"}};
    port_ = FreePort();
    ASSERT_EQ(
        Srv({"init", "--data", "srv", "--listen", "127.0.0.1:" + std::to_string(port_)}).exit_code,
        0);
    // Batches every second, so that a test can wait for the log (WaitForLog) instead of an hour.
    WriteText(dir_ / "srv/server.conf",
              ReadText(dir_ / "srv/server.conf") + "log_batch_seconds = 1\n");
    UseKey("org");
    UseKey("a");
  }
  // org.key or NAME.key with its .pub, as `org-init` or `keygen --name NAME` makes them (made
  // once per build and copied: see CachedKey).
  void UseKey(const std::string& name) {
    ASSERT_EQ(CachedKey(dir_, GAVAH_INVESTIGATOR, name, env_), "");
  }
  void TearDown() override {
    StopServer(SIGTERM);
    std::filesystem::remove_all(dir_);
  }

  Outcome Run(const char* binary, const std::vector<std::string>& args) {
    return Exec(dir_, binary, args, env_);
  }
  Outcome Srv(const std::vector<std::string>& args) { return Run(GAVAH_SERVER, args); }
  Outcome Inv(const std::vector<std::string>& args) { return Run(GAVAH_INVESTIGATOR, args); }
  Outcome Wit(const std::vector<std::string>& args) { return Run(GAVAH_WITNESS, args); }

  void StartServer() {
    server_ = Spawn(dir_, GAVAH_SERVER, {"run", "--data", "srv", "--bundle", "org.bundle"}, env_,
                    dir_ / "server.log");
    ASSERT_TRUE(WaitForPort(port_, 20)) << ReadText(dir_ / "server.log");
  }
  int StopServer(int sig) {
    const int rc = Stop(server_, sig);
    server_ = -1;
    return rc;
  }

  // A real HTTP CONNECT proxy (tinyproxy) on a free port, logging CONNECTs to proxy.log; -1
  // when it does not listen.
  pid_t StartProxy(int* port) {
    *port = FreePort();
    WriteText(dir_ / "tinyproxy.conf",
              "Port " + std::to_string(*port) +
                  "\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 60\nLogLevel Connect\nLogFile \"" +
                  (dir_ / "proxy.log").string() + "\"\nMaxClients 20\n");
    const pid_t proxy =
        Spawn(dir_, "/usr/bin/tinyproxy", {"-d", "-c", (dir_ / "tinyproxy.conf").string()}, env_,
              dir_ / "proxy.out");
    return WaitForPort(*port, 10) ? proxy : -1;
  }

  // A witness submits `text` (and an attachment of `attachment` bytes) with `bundle`; the
  // envelope id, or "" when the submission failed (the test has failed then too).
  std::string Submit(const std::string& bundle, const std::string& name, const std::string& text,
                     size_t attachment = 0) {
    WriteText(dir_ / (name + ".txt"), text);
    std::vector<std::string> args = {"submit",      "--bundle",    bundle,
                                     "--text-file", name + ".txt", "--json"};
    if (attachment) {
      WriteText(dir_ / (name + ".bin"), std::string(attachment, 'x'));
      args.push_back("--attach");
      args.push_back(name + ".bin");
    }
    Outcome r = Wit(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Field(r.out, "envelope_id");
  }

  // Waits until the server on `port` serves a checkpoint of at least `size` entries (at most
  // 30 s); answers the checkpoint's size.
  uint64_t WaitForLog(uint64_t size, int port = 0, const std::string& cert = "srv/tls.crt") {
    auto stub = RawClient(port, cert);
    uint64_t seen = 0;
    for (int i = 0; i < 300; ++i) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      gavah::v1::GetLogRequest req;
      req.set_path("checkpoint");
      gavah::v1::GetLogResponse resp;
      if (stub->GetLog(&ctx, req, &resp).ok()) {
        const std::string& note = resp.data();
        const size_t a = note.find('\n');
        if (a != std::string::npos) seen = std::strtoull(note.c_str() + a + 1, nullptr, 10);
        if (seen >= size) return seen;
      }
      usleep(100 * 1000);
    }
    ADD_FAILURE() << "the log did not reach " << size << " entries (it has " << seen << ")";
    return seen;
  }

  // The server's store, opened beside a running server (WAL allows a second connection).
  std::unique_ptr<server::EnvelopeStore> OpenStore() {
    SecretBuffer key = SecretBuffer::CopyOf(Bytes(ReadText(dir_ / "srv/store.key")));
    auto store = server::EnvelopeStore::Open((dir_ / "srv/store.db").string(), key, false);
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Runs `sql` on a server's store as its insider could (the server stopped, or beside it):
  // opened once as the server opens it, so that its schema is current, then by hand.
  void OnServerStore(const std::string& sql, const std::string& data = "srv") {
    SecretBuffer key = SecretBuffer::CopyOf(Bytes(ReadText(dir_ / data / "store.key")));
    auto store = server::EnvelopeStore::Open((dir_ / data / "store.db").string(), key, false);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store->reset();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / data / "store.db").c_str(), &db), SQLITE_OK);
    ASSERT_TRUE(gavah::sql::KeyRaw(db, key));
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << msg;
  }

  // A raw client of whatever listens on `port` with the certificate in `cert`: it can send what
  // no real client would.
  std::unique_ptr<gavah::v1::Intake::Stub> RawClient(int port = 0,
                                                     const std::string& cert = "srv/tls.crt") {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadText(dir_ / cert);
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("gavah-intake");
    args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
    return gavah::v1::Intake::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(port ? port : port_), grpc::SslCredentials(ssl), args));
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
  int port_ = 0;
  pid_t server_ = -1;
};

}  // namespace gavah::testing
