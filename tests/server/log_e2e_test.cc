// The transparency log end to end, as its hostile parties play it: the real gavah-server, a real
// gavah-relay witness over HTTP, the real gavah-witness and gavah-investigator, and a server
// whose database someone with its keys rewrote (a split view, a dropped envelope, a renumbered
// log, a cover submission counting the log).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <string>
#include <vector>

#include "gavah/crypto/hex.h"
#include "gavah/crypto/intake_log.h"
#include "gavah/crypto/tlog.h"
#include "sqlite_stmt.h"
#include "support/server_fixture.h"

namespace gavah {
namespace {

namespace fs = std::filesystem;
using testing::Field;
using testing::Outcome;
using testing::ReadText;
using testing::WriteText;

class LogTest : public testing::ServerFixture {
 protected:
  void TearDown() override {
    if (witness_ > 0) testing::Stop(witness_, SIGTERM);
    if (second_ > 0) testing::Stop(second_, SIGTERM);
    ServerFixture::TearDown();
  }

  Outcome Rel(const std::vector<std::string>& args) { return Run(GAVAH_RELAY, args); }

  void StartWitness() {
    if (!fs::exists(dir_ / "wit")) {
      witness_port_ = testing::FreePort();
      const Outcome init =
          Rel({"witness-init", "--data", "wit", "--listen",
               "127.0.0.1:" + std::to_string(witness_port_), "--name", "witness.example/w1"});
      ASSERT_EQ(init.exit_code, 0) << init.err;
    }
    witness_ =
        testing::Spawn(dir_, GAVAH_RELAY, {"witness", "--data", "wit"}, env_, dir_ / "witness.log");
    ASSERT_TRUE(testing::WaitForPort(witness_port_, 20)) << ReadText(dir_ / "witness.log");
  }

  // A 1-of-1 bundle for investigator a and the server on `port`, with the witness when asked.
  void MakeBundle(const std::string& out, int port, bool with_witness) {
    std::vector<std::string> args = {"bundle",
                                     "--org-key",
                                     "org.key",
                                     "--investigator",
                                     "a.pub",
                                     "--threshold",
                                     "1",
                                     "--server",
                                     "127.0.0.1:" + std::to_string(port),
                                     "--server-cert",
                                     "srv/tls.crt",
                                     "--receipt-key",
                                     "srv/receipt.pub",
                                     "--out",
                                     out};
    if (with_witness) {
      for (const std::string& a :
           {std::string("--witness"), "127.0.0.1:" + std::to_string(witness_port_),
            std::string("--witness-key"), std::string("wit/witness.pub"),
            std::string("--witness-quorum"), std::string("1")})
        args.push_back(a);
    }
    const Outcome b = Inv(args);
    ASSERT_EQ(b.exit_code, 0) << b.err;
  }

  // `gavah-witness receipt ID --check --json`, with another bundle when given.
  Outcome Check(const std::string& id, const std::string& bundle = "",
                const std::map<std::string, std::string>* env = nullptr) {
    std::vector<std::string> args = {"receipt", id, "--check", "--json"};
    if (!bundle.empty()) {
      args.push_back("--bundle");
      args.push_back(bundle);
    }
    return testing::Exec(dir_, GAVAH_WITNESS, args, env ? *env : env_);
  }

  Outcome Sync(const std::string& bundle, const std::string& store = "a.db") {
    return Inv({"sync", "--key", "a.key", "--bundle", bundle, "--store", store});
  }

  // One value from a stopped server's store.
  std::string StoreValue(const std::string& sql, const std::string& data = "srv") {
    SecretBuffer key = SecretBuffer::CopyOf(testing::Bytes(ReadText(dir_ / data / "store.key")));
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ / data / "store.db").c_str(), &db), SQLITE_OK);
    EXPECT_TRUE(sql::KeyRaw(db, key));
    sqlite3_stmt* s = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      const auto* t = sqlite3_column_text(s, 0);
      out = t ? reinterpret_cast<const char*>(t) : "";
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
  }

  // The data directory copied to `data`, serving on a port of its own.
  int CopyServer(const std::string& data) {
    fs::copy(dir_ / "srv", dir_ / data, fs::copy_options::recursive);
    const int port = testing::FreePort();
    std::string conf = ReadText(dir_ / data / "server.conf");
    const size_t at = conf.find("listen = ");
    conf.replace(at, conf.find('\n', at) - at, "listen = 127.0.0.1:" + std::to_string(port));
    WriteText(dir_ / data / "server.conf", conf);
    return port;
  }
  void StartSecond(const std::string& data, const std::string& bundle, int port) {
    second_ = testing::Spawn(dir_, GAVAH_SERVER, {"run", "--data", data, "--bundle", bundle}, env_,
                             dir_ / (data + ".log"));
    ASSERT_TRUE(testing::WaitForPort(port, 20)) << ReadText(dir_ / (data + ".log"));
  }

  pid_t witness_ = -1, second_ = -1;
  int witness_port_ = 0;
};

TEST_F(LogTest, AReceiptIsProvedUnderACosignedCheckpointAndTheLogExportsAsTiles) {
  StartWitness();
  MakeBundle("org.bundle", port_, true);
  StartServer();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(Submit("org.bundle", "t" + std::to_string(i), "t"));
  WaitForLog(3);
  // The outbox's habit checks the log too: each envelope is now in it.
  const Outcome retry = Wit({"outbox", "--retry"});
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  for (const auto& id : {ids[1], ids[2]}) {
    EXPECT_NE(retry.out.find("envelope " + id + " is now entry "), std::string::npos) << retry.out;
    EXPECT_TRUE(fs::exists(dir_ / "xdg/gavah/receipts" / (id + ".logged")));
  }
  fs::remove(dir_ / "xdg/gavah/receipts" / (ids[0] + ".logged"));
  const Outcome c = Check(ids[0]);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(Field(c.out, "in_log"), "true") << c.out;
  EXPECT_EQ(Field(c.out, "tree_size"), "3") << c.out;
  EXPECT_EQ(Field(c.out, "cosigned_by"), "witness.example/w1") << c.out;
  // A second check keeps what it saw and finds the log consistent with it.
  const Outcome again = Check(ids[1]);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Field(again.out, "kept_size"), "3") << again.out;

  // The static tree: a checkpoint, a level-0 tile and an entry bundle that lead to its root.
  const Outcome ex = Srv({"log", "export", "--data", "srv", "out"});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  const std::string checkpoint = ReadText(dir_ / "out/checkpoint");
  const std::string text = checkpoint.substr(0, checkpoint.find("\n\n") + 1);
  auto cp = tlog::ParseCheckpoint(text);
  ASSERT_TRUE(cp.ok()) << checkpoint;
  EXPECT_EQ(cp->size, 3u);
  EXPECT_NE(checkpoint.find("\n— witness.example/w1 "), std::string::npos) << checkpoint;
  const std::string tile = ReadText(dir_ / "out/tile/0/000.p/3");
  const std::string bundle = ReadText(dir_ / "out/tile/entries/000.p/3");
  auto entries = tlog::ParseEntryBundle(testing::Bytes(bundle));
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);
  std::vector<Digest32> leaves;
  std::string hashes;
  for (const auto& e : *entries) {
    ASSERT_TRUE(tlog::ParseEntry(e).ok());
    leaves.push_back(tlog::LeafHash(e));
    hashes.append(reinterpret_cast<const char*>(leaves.back().data()), 32);
  }
  EXPECT_EQ(tile, hashes);
  EXPECT_EQ(tlog::RootOf(leaves), cp->root);
  EXPECT_NE(Srv({"log", "export", "--data", "srv", "out"}).exit_code, 0) << "never over a tree";

  // Investigators check the same log, and can compare the checkpoint they hold.
  const Outcome s = Sync("org.bundle");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("log of 3 entries checks out"), std::string::npos) << s.out;
  const Outcome held = Inv({"log", "--checkpoint", "--store", "a.db"});
  ASSERT_EQ(held.exit_code, 0) << held.err;
  EXPECT_EQ(held.out, checkpoint);
}

TEST_F(LogTest, ASplitViewIsRefusedByTheWitnessAndByEveryoneWhoSawTheOtherView) {
  StartWitness();
  MakeBundle("org.bundle", port_, true);
  StartServer();
  const std::string mine = Submit("org.bundle", "mine", "my testimony");
  const std::string other = Submit("org.bundle", "other", "another testimony");
  WaitForLog(2);
  ASSERT_EQ(Check(mine).exit_code, 0);
  ASSERT_EQ(Sync("org.bundle").exit_code, 0);
  StopServer(SIGTERM);
  // The witness keeps what it cosigned across a restart.
  testing::Stop(witness_, SIGTERM);
  StartWitness();

  // A second server over a copy of the data directory, the other envelope's entry changed and
  // its checkpoints re-signed: view B, of the same size as view A.
  const int port = CopyServer("srv2");
  const std::string idx =
      StoreValue("SELECT idx FROM log_envelopes WHERE id = x'" + other + "'", "srv2");
  ASSERT_FALSE(idx.empty());
  OnServerStore("UPDATE log_entries SET entry = x'01" + std::string(64, 'e') +
                    "0000000000000000' WHERE idx = " + idx +
                    "; DELETE FROM log_state WHERE key IN ('checkpoint', 'cosigned');",
                "srv2");
  MakeBundle("b.bundle", port, true);
  StartSecond("srv2", "b.bundle", port);
  // The witness refuses to cosign it: same size, another root.
  for (int i = 0; i < 100 && ReadText(dir_ / "srv2.log").find("HTTP 422") == std::string::npos; ++i)
    usleep(100 * 1000);
  EXPECT_NE(ReadText(dir_ / "srv2.log").find("refused the checkpoint of size 2 (HTTP 422)"),
            std::string::npos)
      << ReadText(dir_ / "srv2.log");
  // With the witness in its bundle, the witness's device finds no cosigned log at all.
  const Outcome with_witness = Check(mine, "b.bundle");
  EXPECT_NE(with_witness.exit_code, 0);
  EXPECT_NE(with_witness.err.find("dropped it from its log"), std::string::npos)
      << with_witness.err;

  // Without witnesses, view B is served as signed: whoever kept view A refuses it.
  testing::Stop(second_, SIGTERM);
  OnServerStore("DELETE FROM log_state WHERE key IN ('checkpoint', 'cosigned');", "srv2");
  MakeBundle("nowit.bundle", port, false);
  StartSecond("srv2", "nowit.bundle", port);
  WaitForLog(2, port, "srv2/tls.crt");
  const Outcome split = Check(mine, "nowit.bundle");
  EXPECT_NE(split.exit_code, 0);
  EXPECT_NE(split.err.find("two different trees of the same size"), std::string::npos) << split.err;
  const Outcome sync = Sync("nowit.bundle");
  EXPECT_NE(sync.exit_code, 0);
  EXPECT_NE(sync.err.find("does not follow from its entries and the checkpoint of size 2 this "
                          "store checked"),
            std::string::npos)
      << sync.err;

  // And whoever saw view B first refuses view A.
  auto other_home = env_;
  other_home["XDG_DATA_HOME"] = (dir_ / "xdg-b").string();
  fs::create_directories(dir_ / "xdg-b/gavah");
  fs::copy(dir_ / "xdg/gavah/receipts", dir_ / "xdg-b/gavah/receipts", fs::copy_options::recursive);
  fs::remove(dir_ / "xdg-b/gavah/receipts" / (mine + ".logged"));
  ASSERT_EQ(Check(mine, "nowit.bundle", &other_home).exit_code, 0);
  testing::Stop(second_, SIGTERM);
  second_ = -1;
  MakeBundle("a-nowit.bundle", port_, false);
  server_ =
      testing::Spawn(dir_, GAVAH_SERVER, {"run", "--data", "srv", "--bundle", "a-nowit.bundle"},
                     env_, dir_ / "server.log");
  ASSERT_TRUE(testing::WaitForPort(port_, 20));
  const Outcome back = Check(mine, "a-nowit.bundle", &other_home);
  EXPECT_NE(back.exit_code, 0);
  EXPECT_NE(back.err.find("two different trees of the same size"), std::string::npos) << back.err;
}

TEST_F(LogTest, ADroppedEnvelopeAndARenumberedLogAreNamed) {
  MakeBundle("org.bundle", port_, false);
  StartServer();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(Submit("org.bundle", "t" + std::to_string(i), "t"));
  WaitForLog(3);
  for (const auto& id : ids) ASSERT_EQ(Check(id).exit_code, 0) << id;
  ASSERT_EQ(Sync("org.bundle").exit_code, 0);
  StopServer(SIGTERM);
  const std::string dropped = StoreValue("SELECT lower(hex(id)) FROM log_envelopes WHERE idx = 0");
  ASSERT_EQ(dropped.size(), 64u);
  // Entry 0 goes, the others move up, and the shorter log is signed anew.
  OnServerStore(
      "DELETE FROM chunks WHERE owner = x'" + dropped + "'; DELETE FROM envelopes WHERE id = x'" +
      dropped +
      "'; DELETE FROM log_entries WHERE idx = 0; DELETE FROM log_envelopes WHERE idx = 0;"
      "UPDATE log_entries SET idx = idx + 1000; UPDATE log_entries SET idx = idx - 1001;"
      "UPDATE log_envelopes SET idx = idx + 1000; UPDATE log_envelopes SET idx = idx - 1001;"
      "DELETE FROM log_state;");
  StartServer();
  WaitForLog(2);
  const Outcome gone = Check(dropped);
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.err.find("as entry 0 when this device checked it before, and now does not hold "
                          "it: the server dropped it from its log"),
            std::string::npos)
      << gone.err;
  for (const auto& id : ids) {
    if (id == dropped) continue;
    const Outcome moved = Check(id);
    EXPECT_NE(moved.exit_code, 0);
    EXPECT_NE(moved.err.find("the server renumbered its log"), std::string::npos) << moved.err;
  }
  const Outcome s = Sync("org.bundle");
  EXPECT_NE(s.exit_code, 0);
  EXPECT_NE(s.err.find("the server's checkpoint of size 2 is smaller than the checkpoint of size "
                       "3 this store checked"),
            std::string::npos)
      << s.err;
}

TEST_F(LogTest, AnEnvelopeTheLogHoldsButTheServerHidesFromAnInvestigatorIsNamed) {
  MakeBundle("org.bundle", port_, false);
  StartServer();
  const std::string hidden = Submit("org.bundle", "h", "hidden from this investigator");
  Submit("org.bundle", "v", "visible");
  WaitForLog(2);
  StopServer(SIGTERM);
  // The log and its checkpoint stay as they are; only the listing leaves the envelope out.
  OnServerStore("DELETE FROM chunks WHERE owner = x'" + hidden +
                "'; DELETE FROM envelopes WHERE id = x'" + hidden + "';");
  StartServer();
  const Outcome s = Sync("org.bundle");
  EXPECT_NE(s.exit_code, 0);
  EXPECT_NE(s.err.find("the server's log holds envelope " + hidden), std::string::npos) << s.err;
  EXPECT_NE(s.err.find("but the server does not list it"), std::string::npos) << s.err;
}

TEST_F(LogTest, ACoverSubmissionGetsTheSameAnswerWhateverTheLogHolds) {
  MakeBundle("org.bundle", port_, false);
  StartServer();
  auto cover = [&] {
    auto stub = RawClient();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    gavah::v1::SubmitResponse resp;
    auto w = stub->Submit(&ctx, &resp);
    gavah::v1::SubmitChunk c;
    c.set_envelope_id(std::string(32, 'c'));
    c.set_total_size(4446);
    c.set_kind(gavah::v1::SubmitChunk::COVER);
    c.set_data(std::string(4446, 'r'));
    EXPECT_TRUE(w->Write(c));
    w->WritesDone();
    EXPECT_TRUE(w->Finish().ok());
    return resp;
  };
  const auto before = cover();
  for (int i = 0; i < 3; ++i) Submit("org.bundle", "t" + std::to_string(i), "t");
  WaitForLog(3);
  const auto after = cover();
  // Nothing in the answer moves with the log: the same promise hour, the same length.
  EXPECT_EQ(before.receipt().include_by(), after.receipt().include_by());
  EXPECT_EQ(before.receipt().received_hour(), after.receipt().received_hour());
  EXPECT_EQ(before.ByteSizeLong(), after.ByteSizeLong());
  EXPECT_GT(after.receipt().include_by(), after.receipt().received_hour());
  // And a real envelope's answer looks the same.
  const std::string id = Submit("org.bundle", "real", "r");
  const std::string receipt = ReadText(dir_ / "xdg/gavah/receipts" / (id + ".receipt"));
  EXPECT_NE(receipt.find(" " + std::to_string(after.receipt().include_by()) + " "),
            std::string::npos)
      << receipt;
}

TEST_F(LogTest, ABundleRefusesBadWitnessesAndAWitnessFolderServesOneProcess) {
  StartWitness();
  // A second process on the same folder could cosign another checkpoint of the same size.
  const Outcome twice = Rel({"witness", "--data", "wit", "--listen", "127.0.0.1:1"});
  EXPECT_NE(twice.exit_code, 0);
  EXPECT_NE(twice.err.find("is served by another witness process"), std::string::npos) << twice.err;
  auto bundle = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "bundle",          "--org-key",     "org.key",     "--investigator",
        "a.pub",           "--threshold",   "1",           "--server",
        "127.0.0.1:1",     "--server-cert", "srv/tls.crt", "--receipt-key",
        "srv/receipt.pub", "--out",         "x.bundle"};
    args.insert(args.end(), extra.begin(), extra.end());
    fs::remove(dir_ / "x.bundle");
    return Inv(args);
  };
  const std::string w = "127.0.0.1:" + std::to_string(witness_port_);
  EXPECT_NE(bundle({"--witness", w}).err.find("each --witness needs its own --witness-key"),
            std::string::npos);
  EXPECT_NE(bundle({"--witness", w, "--witness-key", "srv/receipt.pub"})
                .err.find("is not a witness's verifier key"),
            std::string::npos);
  EXPECT_NE(bundle({"--witness", w, "--witness-key", "wit/witness.pub", "--witness-quorum", "2"})
                .err.find("the witness quorum must be between 1 and the number of witnesses (1)"),
            std::string::npos);
  EXPECT_NE(bundle({"--witness", w, "--witness-key", "wit/witness.pub", "--witness", w,
                    "--witness-key", "wit/witness.pub"})
                .err.find("the same witness is listed twice"),
            std::string::npos);
  EXPECT_EQ(bundle({"--witness", w, "--witness-key", "wit/witness.pub"}).exit_code, 0);
}

}  // namespace
}  // namespace gavah
