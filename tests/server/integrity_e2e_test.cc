// The attacks of one insider and of one hostile server operator, each played against the real
// binaries and a real server: a forged evidence package, a bogus released share, a deletion the
// investigators never agreed to, a cut log, replayed older bundles, a proxy bypass, and the
// process hardening that keeps secrets out of core dumps and the environment.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "case_store.h"
#include "gavah/crypto/deletion.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/process.h"
#include "gavah/crypto/released_share.h"
#include "gavah/crypto/review_auth.h"
#include "gavah/v1/review.grpc.pb.h"
#include "review_client.h"
#include "support/process.h"
#include "support/server_fixture.h"
#include "support/test_support.h"

namespace gavah {
namespace {

namespace fs = std::filesystem;
using testing::Field;
using testing::Outcome;
using testing::ReadText;
using testing::WriteText;

class IntegrityTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    UseKey("b");
    UseKey("c");
    WriteText(dir_ / "insider.pub", insider_.public_key().ToText());
    MakeBundle("team.bundle", {"a.pub", "b.pub", "c.pub", "insider.pub"});
    Serve("team.bundle");
  }

  void MakeBundle(const std::string& out, const std::vector<std::string>& pubs,
                  const std::string& name = "Team") {
    std::vector<std::string> args = {"bundle", "--org-key", "org.key", "--threshold", "2"};
    for (const auto& p : pubs) {
      args.push_back("--investigator");
      args.push_back(p);
    }
    const std::vector<std::string> rest = {"--server",      "127.0.0.1:" + std::to_string(port_),
                                           "--server-cert", "srv/tls.crt",
                                           "--receipt-key", "srv/receipt.pub",
                                           "--name",        name,
                                           "--out",         out};
    args.insert(args.end(), rest.begin(), rest.end());
    const Outcome r = Inv(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  void Serve(const std::string& bundle) {
    server_ = testing::Spawn(dir_, GAVAH_SERVER, {"run", "--data", "srv", "--bundle", bundle}, env_,
                             dir_ / "server.log");
    ASSERT_TRUE(testing::WaitForPort(port_, 20)) << ReadText(dir_ / "server.log");
  }

  std::string Submit(const std::string& name, const std::string& text, size_t attachment = 0) {
    return ServerFixture::Submit("team.bundle", name, text, attachment);
  }

  Outcome Sync(const std::string& who, const std::string& bundle = "team.bundle") {
    return Inv({"sync", "--key", who + ".key", "--bundle", bundle, "--store", who + ".db"});
  }

  // An evidence package of `id` exported by a, who holds b's released share.
  void Export(const std::string& id, const std::string& out) {
    ASSERT_EQ(Sync("a").exit_code, 0);
    ASSERT_EQ(Sync("b").exit_code, 0);
    if (!released_.count(id)) {
      ASSERT_EQ(Inv({"release-share", id, "--key", "b.key", "--to", "a.pub", "--bundle",
                     "team.bundle", "--store", "b.db", "--yes"})
                    .exit_code,
                0);
      released_.insert(id);
      ASSERT_EQ(Sync("a").exit_code, 0);
    }
    const Outcome r = Inv({"export", id, "--key", "a.key", "--out", out, "--store", "a.db"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // What one investigator alone can do to a package: rewrite the manifest over whatever files
  // are there now and sign it with their own key (the insider is listed in the bundle).
  void ResignAsInsider(const fs::path& pkg) {
    WriteText(pkg / "investigator.pub", insider_.public_key().ToText());
    std::istringstream in(ReadText(pkg / "manifest.txt"));
    std::string out, line;
    for (int i = 0; i < 3 && std::getline(in, line); ++i) out += line + "\n";
    out += "exported_by " + FingerprintToText(insider_.public_key().fingerprint()) + "\n";
    std::vector<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(pkg)) {
      const std::string rel = fs::relative(e.path(), pkg).generic_string();
      if (e.is_regular_file() && rel != "manifest.txt" && rel != "manifest.sig")
        files.push_back(rel);
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      const auto bytes = testing::Bytes(ReadText(pkg / f));
      out += ToHex(Sha256Of(bytes)) + "  " + f + "\n";
    }
    WriteText(pkg / "manifest.txt", out);
    uint8_t pk[32], sk[64], sig[64];
    crypto_sign_seed_keypair(pk, sk, insider_.signing_seed().data());
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const uint8_t*>(out.data()), out.size(),
                         sk);
    sodium_memzero(sk, sizeof sk);
    WriteText(pkg / "manifest.sig", ToBase64(std::span<const uint8_t>(sig, 64)) + "\n");
  }

  Outcome Verify(const fs::path& pkg) {
    return Inv({"verify-export", pkg.string(), "--bundle", "team.bundle"});
  }

  // SQL run on the server's store with its key, the server stopped: what whoever holds the
  // server (and store.key) can do.

  // A review call made by hand as the insider, who is listed in the bundle: what a modified
  // client can send.
  template <typename Request, typename Response, typename Method>
  grpc::Status CallAsInsider(const std::string& method, const Request& req, Response* resp,
                             Method call) {
    const std::string body = req.SerializeAsString();
    std::array<uint8_t, 16> nonce{};
    randombytes_buf(nonce.data(), nonce.size());
    const Digest32 cert = Sha256Of(testing::Bytes(ReadText(dir_ / "srv/tls.crt")));
    const auto token =
        SignReviewCall(insider_, cert, method, testing::Bytes(body), time(nullptr), nonce);
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadText(dir_ / "srv/tls.crt");
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("gavah-intake");
    auto stub = gavah::v1::Review::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(port_), grpc::SslCredentials(ssl), args));
    grpc::ClientContext ctx;
    ctx.AddMetadata("gavah-auth-bin",
                    std::string(reinterpret_cast<const char*>(token.data()), token.size()));
    return ((*stub).*call)(&ctx, req, resp);
  }

  Digest32 IdOf(const std::string& hex) {
    Digest32 d{};
    std::memcpy(d.data(), FromHex(hex).value().data(), 32);
    return d;
  }

  // The insider's own valid statement for envelope `id` on this server.
  std::string InsiderStatement(const Digest32& id) {
    const auto bundle = RecipientBundle::Parse(testing::Bytes(ReadText(dir_ / "team.bundle")));
    const Digest32 cert = Sha256Of(testing::Bytes(ReadText(dir_ / "srv/tls.crt")));
    const auto st = SignDeletion(insider_, bundle->organisation_fingerprint(), cert, id);
    return std::string(reinterpret_cast<const char*>(st.data()), st.size());
  }

  InvestigatorSecretKey insider_ = InvestigatorSecretKey::Generate("insider");
  std::set<std::string> released_;
};

TEST_F(IntegrityTest, OneInvestigatorCannotForgeAVerifiedEvidencePackage) {
  const std::string id =
      Submit("t", "My brother was taken from Gohardasht in August 1988.", 300000);
  const std::string other = Submit("o", "Another family's testimony.", 1000);
  WaitForLog(2);
  Export(id, "exp");
  Export(other, "exp-other");
  const Outcome genuine = Verify(dir_ / "exp");
  ASSERT_EQ(genuine.exit_code, 0) << genuine.err;
  // It says what it proved, in words.
  EXPECT_NE(genuine.out.find("the testimony is exactly what was sealed in envelope.gvh"),
            std::string::npos)
      << genuine.out;
  EXPECT_NE(genuine.out.find("in the server's transparency log as entry "), std::string::npos)
      << genuine.out;
  EXPECT_NE(genuine.out.find("the inclusion proof verifies under a checkpoint"), std::string::npos)
      << genuine.out;
  EXPECT_NE(genuine.out.find("exported by a ("), std::string::npos) << genuine.out;

  // The control: true testimony re-signed by the insider verifies, so the forgeries below are
  // refused for their contents, not for the way this test signs.
  fs::copy(dir_ / "exp", dir_ / "control", fs::copy_options::recursive);
  ResignAsInsider(dir_ / "control");
  const Outcome control = Verify(dir_ / "control");
  ASSERT_EQ(control.exit_code, 0) << control.err;
  EXPECT_NE(control.out.find("exported by insider"), std::string::npos) << control.out;

  // Invented text, real envelope, receipt and bundle, every hash recomputed and signed.
  fs::copy(dir_ / "exp", dir_ / "forged", fs::copy_options::recursive);
  WriteText(dir_ / "forged/testimony/testimony.txt", "Nothing happened in 1988.");
  ResignAsInsider(dir_ / "forged");
  const Outcome forged = Verify(dir_ / "forged");
  EXPECT_EQ(forged.exit_code, 1);
  EXPECT_NE(forged.err.find("testimony/testimony.txt: differs from what the witness sealed"),
            std::string::npos)
      << forged.err;
  EXPECT_NE(forged.err.find("NOT verified"), std::string::npos) << forged.err;

  // A replaced attachment.
  fs::copy(dir_ / "exp", dir_ / "swapped", fs::copy_options::recursive);
  for (const auto& e : fs::directory_iterator(dir_ / "swapped/testimony/attachments"))
    WriteText(e.path(), std::string(300000, 'z'));
  ResignAsInsider(dir_ / "swapped");
  const Outcome swapped = Verify(dir_ / "swapped");
  EXPECT_EQ(swapped.exit_code, 1);
  EXPECT_NE(swapped.err.find("testimony/attachments/01-t.bin: differs"), std::string::npos)
      << swapped.err;

  // A field of the testimony record (the attachment's name) changed in manifest.json.
  fs::copy(dir_ / "exp", dir_ / "renamed", fs::copy_options::recursive);
  std::string json = ReadText(dir_ / "renamed/testimony/manifest.json");
  json.replace(json.find("\"name\": \"t.bin\""), 15, "\"name\": \"x.bin\"");
  WriteText(dir_ / "renamed/testimony/manifest.json", json);
  ResignAsInsider(dir_ / "renamed");
  const Outcome renamed = Verify(dir_ / "renamed");
  EXPECT_EQ(renamed.exit_code, 1);
  EXPECT_NE(renamed.err.find("testimony/manifest.json: differs"), std::string::npos) << renamed.err;

  // An extra file slipped into testimony/.
  fs::copy(dir_ / "exp", dir_ / "added", fs::copy_options::recursive);
  WriteText(dir_ / "added/testimony/attachments/02-confession.txt", "invented");
  ResignAsInsider(dir_ / "added");
  const Outcome added = Verify(dir_ / "added");
  EXPECT_EQ(added.exit_code, 1);
  EXPECT_NE(added.err.find("testimony/attachments/02-confession.txt: not in the envelope"),
            std::string::npos)
      << added.err;

  // Another envelope's testimony (and its file key) under this envelope and receipt.
  fs::copy(dir_ / "exp", dir_ / "mixed", fs::copy_options::recursive);
  fs::remove_all(dir_ / "mixed/testimony");
  fs::copy(dir_ / "exp-other/testimony", dir_ / "mixed/testimony", fs::copy_options::recursive);
  fs::copy_file(dir_ / "exp-other/file-key.txt", dir_ / "mixed/file-key.txt",
                fs::copy_options::overwrite_existing);
  ResignAsInsider(dir_ / "mixed");
  const Outcome mixed = Verify(dir_ / "mixed");
  EXPECT_EQ(mixed.exit_code, 1);
  EXPECT_NE(mixed.err.find("file-key.txt: does not open envelope.gvh"), std::string::npos)
      << mixed.err;
  // ... and with this envelope's own file key: the testimony differs.
  fs::copy_file(dir_ / "exp/file-key.txt", dir_ / "mixed/file-key.txt",
                fs::copy_options::overwrite_existing);
  ResignAsInsider(dir_ / "mixed");
  const Outcome mixed2 = Verify(dir_ / "mixed");
  EXPECT_EQ(mixed2.exit_code, 1);
  EXPECT_NE(mixed2.err.find("testimony/testimony.txt: differs"), std::string::npos) << mixed2.err;

  // A package without the file key proves nothing about its testimony.
  fs::copy(dir_ / "exp", dir_ / "keyless", fs::copy_options::recursive);
  fs::remove(dir_ / "keyless/file-key.txt");
  ResignAsInsider(dir_ / "keyless");
  const Outcome keyless = Verify(dir_ / "keyless");
  EXPECT_EQ(keyless.exit_code, 1);
  EXPECT_NE(keyless.err.find("file-key.txt: not in the manifest"), std::string::npos)
      << keyless.err;
}

// A FIFO in place of a package file is refused at once, never waited on.
TEST_F(IntegrityTest, AFifoInAPackageIsRefusedWithoutHanging) {
  const std::string id = Submit("t", "x", 1000);
  Export(id, "exp");
  fs::copy(dir_ / "exp", dir_ / "fifo-manifest", fs::copy_options::recursive);
  fs::remove(dir_ / "fifo-manifest/manifest.txt");
  ASSERT_EQ(mkfifo((dir_ / "fifo-manifest/manifest.txt").c_str(), 0600), 0);
  const Outcome m = Verify(dir_ / "fifo-manifest");
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_NE(m.err.find("manifest.txt: not a regular file"), std::string::npos) << m.err;
  fs::copy(dir_ / "exp", dir_ / "fifo-text", fs::copy_options::recursive);
  fs::remove(dir_ / "fifo-text/testimony/testimony.txt");
  ASSERT_EQ(mkfifo((dir_ / "fifo-text/testimony/testimony.txt").c_str(), 0600), 0);
  const Outcome t = Verify(dir_ / "fifo-text");
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_NE(t.err.find("testimony/testimony.txt: missing"), std::string::npos) << t.err;
  EXPECT_NE(t.err.find("testimony/testimony.txt: a link or special file"), std::string::npos)
      << t.err;
}

TEST_F(IntegrityTest, ABogusReleasedShareNextToGoodOnesIsNamedAndSetAside) {
  const std::string id = Submit("t", "Evin, summer 1988.");
  ASSERT_EQ(Sync("a").exit_code, 0);
  ASSERT_EQ(Sync("b").exit_code, 0);
  // The insider releases a validly signed share that does not fit, before b's good one.
  const auto bundle_bytes = testing::Bytes(ReadText(dir_ / "team.bundle"));
  auto bundle = RecipientBundle::Parse(bundle_bytes);
  ASSERT_TRUE(bundle.ok());
  const auto a_pub = InvestigatorPublicKey::FromText(ReadText(dir_ / "a.pub"));
  ASSERT_TRUE(a_pub.ok());
  Digest32 envelope{};
  const auto raw = FromHex(id).value();
  std::memcpy(envelope.data(), raw.data(), 32);
  Share bogus;
  bogus.x = 4;  // the insider's own x: a share a real stanza could have held
  bogus.y = SecretBuffer(32);
  randombytes_buf(bogus.y.data(), 32);
  auto sealed = ReleaseShare(envelope, bogus, insider_, a_pub.value());
  ASSERT_TRUE(sealed.ok());
  cli::ReviewClient insider(bundle.value(), insider_, transport::SendOptions{});
  // Forty of them: a flood costs the colleague one retry, not forty thousand.
  for (int i = 0; i < 40; ++i) {
    randombytes_buf(bogus.y.data(), 32);
    auto one = ReleaseShare(envelope, bogus, insider_, a_pub.value());
    ASSERT_TRUE(one.ok());
    ASSERT_TRUE(insider.PostShare(a_pub->fingerprint(), one.value()).ok());
  }
  ASSERT_TRUE(insider.PostShare(a_pub->fingerprint(), sealed.value()).ok());
  ASSERT_EQ(Inv({"release-share", id, "--key", "b.key", "--to", "a.pub", "--bundle", "team.bundle",
                 "--store", "b.db", "--yes"})
                .exit_code,
            0);
  ASSERT_EQ(Sync("a").exit_code, 0);
  const Outcome open = Inv({"open", id, "--store", "a.db", "--key", "a.key", "--out", "o"});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  EXPECT_EQ(ReadText(dir_ / "o/testimony.txt"), "Evin, summer 1988.");
  const std::string insider_fp = FingerprintToText(insider_.public_key().fingerprint());
  EXPECT_NE(open.err.find("the key share that " + insider_fp +
                          " released for this envelope does not fit it (41 shares); it is set "
                          "aside for good"),
            std::string::npos)
      << open.err;
  EXPECT_NE(open.err.find("2 combinations of 2 key shares were tried"), std::string::npos)
      << open.err;
  EXPECT_EQ(open.err.find("altered"), std::string::npos) << "never called tampered: " << open.err;
  // Set aside for good: the next open does not even try it.
  const Outcome again = Inv({"open", id, "--store", "a.db", "--key", "a.key", "--out", "o2"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find(insider_fp), std::string::npos) << again.err;
  EXPECT_EQ(again.err.find("combinations"), std::string::npos) << again.err;
}

TEST_F(IntegrityTest, AServerThatCallsTestimonyDeletedWithoutKSignaturesIsNotBelieved) {
  const std::string kept = Submit("k", "kept");
  const std::string hidden = Submit("h", "the server will hide this one");
  const std::string other = Submit("x", "genuinely deleted by two investigators");
  for (const std::string who : {"a", "b"}) {
    const Outcome r = Inv({"mark-delete", other, "--key", who + ".key", "--bundle", "team.bundle"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // A mark without the caller's own signed statement is refused by the server.
  {
    const auto bundle = RecipientBundle::Parse(testing::Bytes(ReadText(dir_ / "team.bundle")));
    ASSERT_TRUE(bundle.ok());
    const auto a_pub = InvestigatorPublicKey::FromText(ReadText(dir_ / "a.pub"));
    Digest32 d{};
    std::memcpy(d.data(), FromHex(kept).value().data(), 32);
    const Digest32 wrong_server{};
    const auto forged = SignDeletion(insider_, bundle->organisation_fingerprint(), wrong_server, d);
    gavah::v1::MarkForDeletionRequest req;
    req.set_envelope_id(std::string(reinterpret_cast<const char*>(d.data()), 32));
    req.set_statement(std::string(reinterpret_cast<const char*>(forged.data()), forged.size()));
    gavah::v1::MarkForDeletionResponse resp;
    const grpc::Status st = CallAsInsider("/gavah.v1.Review/MarkForDeletion", req, &resp,
                                          &gavah::v1::Review::Stub::MarkForDeletion);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
  }
  StopServer(SIGTERM);
  // Whoever holds the server says `hidden` was deleted, and copies the genuine statements for
  // `other` onto it: statements made for one envelope cannot delete another.
  const std::string h = "x'" + hidden + "'", o = "x'" + other + "'";
  OnServerStore("BEGIN; INSERT INTO deletions(envelope, hour) VALUES (" + h +
                ", 0); DELETE FROM chunks WHERE owner = " + h +
                "; INSERT INTO deletion_statements(envelope, investigator, statement, hour) "
                "SELECT " +
                h + ", investigator, statement, hour FROM deletion_statements WHERE envelope = " +
                o + "; COMMIT;");
  Serve("team.bundle");
  const Outcome c = Sync("c");
  EXPECT_NE(c.exit_code, 0);
  EXPECT_NE(c.err.find("THE SERVER WITHHOLDS TESTIMONY: it says envelope " + hidden),
            std::string::npos)
      << c.err;
  EXPECT_NE(c.err.find("shows 0 valid signed agreement(s) of the 2"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("withholds 1 testimony"), std::string::npos) << c.err;
  // The genuine deletion is believed, and what the server still holds was synced.
  EXPECT_NE(c.err.find("envelope " + other +
                       " was deleted on the server under the retention "
                       "rule, signed by 2 investigators"),
            std::string::npos)
      << c.err;
  EXPECT_NE(Inv({"list", "--store", "c.db"}).out.find(kept), std::string::npos);
  // The alarm does not go quiet: the entry is kept as withheld and asked about on every sync,
  // even after newer testimony moved the cursor on.
  EXPECT_NE(Inv({"list", "--store", "c.db"}).out.find(hidden + "  withheld"), std::string::npos);
  Submit("later", "a later testimony");
  const Outcome again = Sync("c");
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("THE SERVER WITHHOLDS TESTIMONY: it says envelope " + hidden),
            std::string::npos)
      << again.err;
  const Outcome open_withheld =
      Inv({"open", hidden, "--store", "c.db", "--key", "c.key", "--out", "never"});
  EXPECT_NE(open_withheld.exit_code, 0);
  EXPECT_NE(open_withheld.err.find("withheld by the server"), std::string::npos)
      << open_withheld.err;

  // A server that only drops an envelope's bytes is named too.
  StopServer(SIGTERM);
  OnServerStore("DELETE FROM chunks WHERE owner = x'" + kept + "';");
  Serve("team.bundle");
  const Outcome b = Sync("b");
  EXPECT_NE(b.exit_code, 0);
  EXPECT_NE(b.err.find(kept), std::string::npos) << b.err;
}

TEST_F(IntegrityTest, AServerThatCutsItsLogIsCaughtByAStoreThatSawTheEnd) {
  Submit("one", "first");
  Submit("two", "second");
  WaitForLog(2);
  ASSERT_EQ(Sync("a").exit_code, 0);
  StopServer(SIGTERM);
  // The server (or whoever holds its keys) cuts the last entry, whichever envelope the shuffle
  // put there, and signs the shorter log anew.
  const std::string at1 = "(SELECT id FROM log_envelopes WHERE idx = 1)";
  OnServerStore("DELETE FROM chunks WHERE owner = " + at1 +
                "; DELETE FROM envelopes WHERE id = " + at1 +
                "; DELETE FROM log_entries WHERE idx = 1; DELETE FROM log_envelopes WHERE idx = 1; "
                "DELETE FROM log_state;");
  Serve("team.bundle");
  WaitForLog(1);
  const Outcome r = Sync("a");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the server's checkpoint of size 1 is smaller than the checkpoint of size "
                       "2 this store checked: the log was cut or rewritten"),
            std::string::npos)
      << r.err;
}

TEST_F(IntegrityTest, AServerWhoseDatabaseWasChangedUnderItsLogRefusesToServe) {
  const std::string id = Submit("one", "first");
  WaitForLog(1);
  StopServer(SIGTERM);
  // The entry changed, its signed checkpoint left as it was: the honest binary finds it.
  OnServerStore("UPDATE log_entries SET entry = x'01" + std::string(64, '0') +
                "0000000000000000' WHERE idx = 0;");
  const Outcome r = Srv({"run", "--data", "srv", "--bundle", "team.bundle"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("the log's entries no longer lead to the checkpoint it signed (size 1)"),
            std::string::npos)
      << r.err;
}

TEST_F(IntegrityTest, OlderBundlesAreRefusedBySyncTheRelayAndTheWitness) {
  sleep(1);  // issue dates are in seconds
  MakeBundle("newer.bundle", {"a.pub", "b.pub", "c.pub"});
  ASSERT_EQ(Sync("a", "newer.bundle").exit_code, 0);
  const Outcome sync = Sync("a", "team.bundle");
  EXPECT_EQ(sync.exit_code, 1);
  EXPECT_NE(sync.err.find("team.bundle is an older bundle of this organisation"), std::string::npos)
      << sync.err;

  // The relay keeps the newest bundle it was given of each organisation.
  const int relay_port = testing::FreePort();
  const Outcome init = Run(GAVAH_RELAY, {"init", "--data", "relay", "--bundle", "newer.bundle",
                                         "--listen", "127.0.0.1:" + std::to_string(relay_port)});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const Outcome add =
      Run(GAVAH_RELAY, {"add-bundle", "--data", "relay", "--bundle", "team.bundle"});
  EXPECT_NE(add.exit_code, 0);
  EXPECT_NE(add.err.find("an older bundle is refused"), std::string::npos) << add.err;
  EXPECT_EQ(
      Run(GAVAH_RELAY, {"add-bundle", "--data", "relay", "--bundle", "newer.bundle"}).exit_code, 0);

  // The witness, for send and replies as for submit.
  WriteText(dir_ / "t.txt", "x");
  ASSERT_EQ(Wit({"submit", "--bundle", "newer.bundle", "--text-file", "t.txt"}).exit_code, 0);
  ASSERT_EQ(
      Wit({"seal", "--bundle", "newer.bundle", "--text-file", "t.txt", "--out", "e.gvh"}).exit_code,
      0);
  const Outcome send = Wit({"send", "e.gvh", "--bundle", "team.bundle"});
  EXPECT_NE(send.exit_code, 0);
  EXPECT_NE(send.err.find("is an older bundle"), std::string::npos) << send.err;
  ASSERT_EQ(Wit({"codename", "--out", "code.txt"}).exit_code, 0);
  const Outcome replies =
      Wit({"replies", "--codename-file", "code.txt", "--bundle", "team.bundle"});
  EXPECT_NE(replies.exit_code, 0);
  EXPECT_NE(replies.err.find("is an older bundle"), std::string::npos) << replies.err;
}

TEST_F(IntegrityTest, RepliesThroughAProxyIgnoreNoProxy) {
  int proxy_port = 0;
  const pid_t proxy = StartProxy(&proxy_port);
  ASSERT_GT(proxy, 0) << ReadText(dir_ / "proxy.out");
  ASSERT_EQ(Wit({"codename", "--out", "code.txt"}).exit_code, 0);
  auto env = env_;
  env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost";
  env["no_grpc_proxy"] = "127.0.0.1";
  const Outcome r =
      testing::Exec(dir_, GAVAH_WITNESS,
                    {"replies", "--codename-file", "code.txt", "--bundle", "team.bundle", "--proxy",
                     "http://127.0.0.1:" + std::to_string(proxy_port)},
                    env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string log = ReadText(dir_ / "proxy.log");
  EXPECT_NE(log.find("CONNECT"), std::string::npos) << log;
  testing::Stop(proxy, SIGTERM);
}

// Agreements by an investigator the organisation has since removed do not count on the server.
TEST_F(IntegrityTest, ARemovedInvestigatorsDeletionStatementNoLongerCounts) {
  const std::string id = Submit("d", "the insider wants this gone");
  const auto bundle = RecipientBundle::Parse(testing::Bytes(ReadText(dir_ / "team.bundle")));
  ASSERT_TRUE(bundle.ok());
  cli::ReviewClient insider(bundle.value(), insider_, transport::SendOptions{});
  Digest32 d{};
  std::memcpy(d.data(), FromHex(id).value().data(), 32);
  auto marked = insider.MarkForDeletion(d);
  ASSERT_TRUE(marked.ok()) << marked.status().message();
  EXPECT_EQ(marked->marks(), 1u);
  // The insider is removed (a newer bundle without them), and the server serves that.
  StopServer(SIGTERM);
  sleep(1);
  MakeBundle("without-insider.bundle", {"a.pub", "b.pub", "c.pub"});
  Serve("without-insider.bundle");
  const Outcome b =
      Inv({"mark-delete", id, "--key", "b.key", "--bundle", "without-insider.bundle", "--json"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(Field(b.out, "marks"), "1") << b.out;
  EXPECT_EQ(Field(b.out, "deleted"), "no") << "the removed insider's mark still counted";
  const Outcome a =
      Inv({"mark-delete", id, "--key", "a.key", "--bundle", "without-insider.bundle", "--json"});
  EXPECT_EQ(Field(a.out, "deleted"), "yes") << a.out;
}

// A flood of valid junk is purged by k investigators in a few calls; what one of them has read
// stays, one insider alone purges nothing, and every other store believes the deletions.
TEST_F(IntegrityTest, KInvestigatorsPurgeAFloodTheyRecogniseAndNothingElse) {
  std::vector<std::string> junk;
  for (int i = 0; i < 6; ++i)
    junk.push_back(Submit("j" + std::to_string(i), std::string(3000, 'x')));
  const std::string real = Submit("r", "my brother was taken from Evin in the summer of 1988");
  for (int i = 6; i < 9; ++i)
    junk.push_back(Submit("j" + std::to_string(i), std::string(3000, 'x')));
  // The flood and the real one fill entries 0 to 9 (in a shuffled order); the late one comes after.
  WaitForLog(10);
  const std::string after = Submit("late", "a testimony after the flood");
  WaitForLog(11);
  ASSERT_EQ(Sync("a").exit_code, 0);
  ASSERT_EQ(Sync("b").exit_code, 0);
  ASSERT_EQ(Inv({"release-share", real, "--key", "b.key", "--to", "a.pub", "--bundle",
                 "team.bundle", "--store", "b.db", "--yes"})
                .exit_code,
            0);
  ASSERT_EQ(Sync("a").exit_code, 0);
  ASSERT_EQ(
      Inv({"open", real, "--store", "a.db", "--key", "a.key", "--out", "real-open"}).exit_code, 0);
  const std::vector<std::string> range = {"--from-entry", "0", "--to-entry", "9"};
  auto purge = [&](const std::string& who, bool yes) {
    std::vector<std::string> args = {"purge",       "--key",   who + ".key", "--bundle",
                                     "team.bundle", "--store", who + ".db",  "--json"};
    args.insert(args.end(), range.begin(), range.end());
    if (yes) args.push_back("--yes");
    return Inv(args);
  };
  // Without --yes nothing is sent.
  const Outcome dry = purge("a", false);
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(Field(dry.out, "envelopes"), "9") << dry.out;  // the real one is kept: a opened it
  EXPECT_EQ(Field(dry.out, "kept"), "1") << dry.out;
  EXPECT_EQ(Field(dry.out, "sent"), "no");
  const Outcome a = purge("a", true);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(Field(a.out, "deleted"), "0") << "one investigator alone purged testimony";
  // b has not read the real testimony but released its share of it to a: b keeps it too, and
  // agrees to the nine others, which are deleted now that two agree.
  const Outcome b = purge("b", true);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(Field(b.out, "envelopes"), "9") << b.out;
  EXPECT_EQ(Field(b.out, "kept"), "1") << b.out;
  EXPECT_EQ(Field(b.out, "deleted"), "9") << b.out;
  // The insider's agreements alone delete nothing more (b's and the insider's do for `real`:
  // k agreements are what the organisation chose, whoever gives them).
  const auto bundle = RecipientBundle::Parse(testing::Bytes(ReadText(dir_ / "team.bundle")));
  ASSERT_TRUE(bundle.ok());
  cli::ReviewClient insider(bundle.value(), insider_, transport::SendOptions{});
  const std::array<Digest32, 1> late{IdOf(after)};
  auto alone = insider.Purge(late);
  ASSERT_TRUE(alone.ok()) << alone.status().message();
  EXPECT_FALSE(alone->results(0).deleted());
  // A store that syncs afterwards believes the nine deletions, each with two statements, and
  // holds the real testimony and the later one.
  const Outcome c = Sync("c");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const std::string listed = Inv({"list", "--store", "c.db"}).out;
  for (const auto& j : junk) EXPECT_NE(listed.find(j + "  deleted"), std::string::npos) << listed;
  EXPECT_NE(listed.find(real + "  new"), std::string::npos) << listed;
  EXPECT_NE(listed.find(after + "  new"), std::string::npos) << listed;
  // The custody of each purged envelope says who agreed and when.
  const Outcome shown = Inv({"show", junk[0], "--store", "a.db"});
  EXPECT_NE(shown.out.find("agreed to delete (purge)"), std::string::npos) << shown.out;
}

// A purge is all or nothing, and its size is bounded: one bad mark refuses the call.
TEST_F(IntegrityTest, APurgeWithOneBadMarkMarksNothing) {
  const std::string one = Submit("1", "first");
  const std::string two = Submit("2", "second");
  auto mark = [&](gavah::v1::PurgeEnvelopesRequest& req, const Digest32& id,
                  const std::string& statement) {
    auto* m = req.add_marks();
    m->set_envelope_id(std::string(reinterpret_cast<const char*>(id.data()), 32));
    m->set_statement(statement);
  };
  auto call = [&](const gavah::v1::PurgeEnvelopesRequest& req) {
    gavah::v1::PurgeEnvelopesResponse resp;
    return CallAsInsider("/gavah.v1.Review/PurgeEnvelopes", req, &resp,
                         &gavah::v1::Review::Stub::PurgeEnvelopes);
  };
  {  // the second statement is for the first envelope
    gavah::v1::PurgeEnvelopesRequest req;
    mark(req, IdOf(one), InsiderStatement(IdOf(one)));
    mark(req, IdOf(two), InsiderStatement(IdOf(one)));
    const grpc::Status st = call(req);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(st.error_message().find("mark 2"), std::string::npos) << st.error_message();
  }
  {  // an envelope the server does not hold
    gavah::v1::PurgeEnvelopesRequest req;
    mark(req, IdOf(one), InsiderStatement(IdOf(one)));
    Digest32 unknown{};
    unknown.fill(7);
    mark(req, unknown, InsiderStatement(unknown));
    EXPECT_EQ(call(req).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  {  // the same envelope twice, none, and more than 1000
    gavah::v1::PurgeEnvelopesRequest twice, none, many;
    mark(twice, IdOf(one), InsiderStatement(IdOf(one)));
    mark(twice, IdOf(one), InsiderStatement(IdOf(one)));
    EXPECT_EQ(call(twice).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(call(none).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    const std::string st = InsiderStatement(IdOf(one));
    for (int i = 0; i < 1001; ++i) {
      Digest32 id{};
      std::memcpy(id.data(), &i, sizeof i);
      mark(many, id, st);
    }
    EXPECT_EQ(call(many).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  // None of the refused calls left a mark: a's single agreement is the first.
  const Outcome a =
      Inv({"mark-delete", one, "--key", "a.key", "--bundle", "team.bundle", "--json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(Field(a.out, "marks"), "1") << "a refused purge left the insider's mark behind";
  // Bad arguments on the command line are refused before anything is sent.
  ASSERT_EQ(Sync("a").exit_code, 0);
  const Outcome backwards = Inv({"purge", "--key", "a.key", "--bundle", "team.bundle", "--store",
                                 "a.db", "--from-entry", "5", "--to-entry", "1", "--yes"});
  EXPECT_EQ(backwards.exit_code, 2);
  EXPECT_NE(backwards.err.find("--from-entry must not be after --to-entry"), std::string::npos)
      << backwards.err;
}

// Work on a case store's testimony with a bundle older than the store's is refused.
TEST_F(IntegrityTest, ReleaseShareAndReplyRefuseAnOlderBundleThanTheStoreHolds) {
  const std::string id = Submit("t", "x");
  sleep(1);
  MakeBundle("newer.bundle", {"a.pub", "b.pub", "c.pub", "insider.pub"});
  ASSERT_EQ(Sync("b", "newer.bundle").exit_code, 0);
  const Outcome r = Inv({"release-share", id, "--key", "b.key", "--to", "a.pub", "--bundle",
                         "team.bundle", "--store", "b.db", "--yes"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("team.bundle is an older bundle of this organisation"), std::string::npos)
      << r.err;
  WriteText(dir_ / "answer.txt", "thank you");
  const Outcome reply = Inv({"reply", id, "--text-file", "answer.txt", "--key", "b.key", "--bundle",
                             "team.bundle", "--store", "b.db"});
  EXPECT_NE(reply.exit_code, 0);
  EXPECT_NE(reply.err.find("is an older bundle"), std::string::npos) << reply.err;
}

// A codename of any seven words, which an earlier release accepted, still reads its mailbox
// with --legacy-codename; without it, it is refused.
TEST_F(IntegrityTest, AnUncheckedCodenameOfAnEarlierReleaseReadsRepliesOnlyWhenAskedTo) {
  WriteText(dir_ / "own.txt", "my mother's garden in tabriz had seven roses\n");
  const Outcome refused = Wit({"replies", "--codename-file", "own.txt", "--bundle", "team.bundle"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("not in the codename word list"), std::string::npos) << refused.err;
  const Outcome legacy = Wit(
      {"replies", "--codename-file", "own.txt", "--bundle", "team.bundle", "--legacy-codename"});
  EXPECT_EQ(legacy.exit_code, 0) << legacy.err;
  EXPECT_NE(legacy.out.find("no replies yet"), std::string::npos) << legacy.out;
}

// The running server writes no core dump and keeps no passphrase in its environment.
TEST_F(IntegrityTest, TheServerCannotDumpCoreAndDropsThePassphraseFromItsEnvironment) {
  StopServer(SIGTERM);
  env_["GAVAH_PASSPHRASE"] = "PASSPHRASE-MARKER-4d1f";
  Serve("team.bundle");
  const std::string limits = ReadText("/proc/" + std::to_string(server_) + "/limits");
  const auto line = limits.substr(limits.find("Max core file size"));
  std::istringstream fields(line.substr(0, line.find('\n')).substr(26));
  std::string soft, hard;
  fields >> soft >> hard;
  EXPECT_EQ(soft, "0") << line;
  EXPECT_EQ(hard, "0") << line;
  const std::string environ = ReadText("/proc/" + std::to_string(server_) + "/environ");
  EXPECT_FALSE(environ.empty());
  EXPECT_EQ(environ.find("PASSPHRASE-MARKER"), std::string::npos);
}

// The same, in the process itself: not dumpable, no core, the passphrase moved to secret memory.
TEST(ProcessHardening, CoreOffNotDumpableAndPassphraseOutOfTheEnvironment) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setenv("GAVAH_PASSPHRASE", "in the environment", 1);
    setenv("no_proxy", "127.0.0.1", 1);
    if (!HardenProcess().ok()) _exit(1);
    rlimit core{};
    getrlimit(RLIMIT_CORE, &core);
    if (core.rlim_cur != 0 || core.rlim_max != 0) _exit(2);
    if (prctl(PR_GET_DUMPABLE) != 0) _exit(3);
    if (getenv("GAVAH_PASSPHRASE") != nullptr || getenv("no_proxy") != nullptr) _exit(4);
    if (EnvironmentPassphrase().view() != "in the environment") _exit(5);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// The case store's SQLite allocates through the wiping allocator (its page cache holds
// decrypted pages): each block carries the size header that allocator writes.
TEST(CaseStoreMemory, SqliteFreesThroughTheWipingAllocator) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    sqlite3_shutdown();  // this test process may have used SQLite already
    if (!cli::CaseStore::InstallWipingAllocator()) _exit(1);
    void* p = sqlite3_malloc(100);
    if (p == nullptr || static_cast<uint64_t*>(p)[-2] < 100 ||
        static_cast<uint64_t*>(p)[-2] != sqlite3_msize(p))
      _exit(2);
    sqlite3_free(p);
    char tmpl[] = "/tmp/gavah-mem-test-XXXXXX";
    const std::string dir = mkdtemp(tmpl);
    const std::string pass = "passphrase";
    auto store = cli::CaseStore::Open(dir + "/c.db", testing::Bytes(pass));
    const bool ok = store.ok();
    store = Status();
    fs::remove_all(dir);
    _exit(ok ? 0 : 3);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// Every page of the server's store as SQLCipher 3 holds it decrypted: AES-256-CBC under the raw
// key, the IV at the start of each page's 48 reserved bytes, page 1's first 16 bytes the salt.
std::string DecryptedPages(const fs::path& db, const std::string& key) {
  const std::string file = ReadText(db);
  constexpr size_t kPage = 4096, kReserve = 48;
  std::string out;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  for (size_t at = 0; at + kPage <= file.size(); at += kPage) {
    const size_t skip = at == 0 ? 16 : 0;
    const auto* page = reinterpret_cast<const uint8_t*>(file.data() + at);
    std::string plain(kPage - kReserve - skip, '\0');
    int n = 0, m = 0;
    EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr,
                       reinterpret_cast<const uint8_t*>(key.data()), page + kPage - kReserve);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    EVP_DecryptUpdate(ctx, reinterpret_cast<uint8_t*>(plain.data()), &n, page + skip,
                      static_cast<int>(plain.size()));
    EVP_DecryptFinal_ex(ctx, reinterpret_cast<uint8_t*>(plain.data()) + n, &m);
    out += plain;
  }
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

// Whoever seizes the server after a deletion finds none of the deleted envelope's bytes, even
// with store.key: freed pages are overwritten (secure_delete) and the WAL is cut.
TEST_F(IntegrityTest, DeletedTestimonyIsGoneFromTheServersDisk) {
  WriteText(dir_ / "t.txt", "to be deleted, and then gone");
  std::string bytes(2 << 20, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  WriteText(dir_ / "big.bin", bytes);
  ASSERT_EQ(Wit({"seal", "--bundle", "team.bundle", "--text-file", "t.txt", "--attach", "big.bin",
                 "--out", "e.gvh"})
                .exit_code,
            0);
  ASSERT_EQ(Wit({"send", "e.gvh", "--bundle", "team.bundle"}).exit_code, 0);
  const std::string envelope = ReadText(dir_ / "e.gvh");
  const std::string id = ToHex(Sha256Of(testing::Bytes(envelope)));
  const std::string key = ReadText(dir_ / "srv/store.key");
  auto found = [&] {  // how many of 32 slices of the envelope the store's pages hold
    const std::string pages = DecryptedPages(dir_ / "srv/store.db", key);
    int n = 0;
    for (size_t i = 0; i < 32; ++i) {
      n += pages.find(envelope.substr(10000 + i * 60000, 32)) != std::string::npos ? 1 : 0;
    }
    return n;
  };
  StopServer(SIGTERM);  // the last connection's close checkpoints the WAL into store.db
  ASSERT_GE(found(), 28) << "the control failed: this test cannot read the store's pages";
  Serve("team.bundle");
  for (const std::string who : {"a", "b"})
    ASSERT_EQ(Inv({"mark-delete", id, "--key", who + ".key", "--bundle", "team.bundle"}).exit_code,
              0);
  StopServer(SIGTERM);
  EXPECT_EQ(found(), 0) << "the deleted envelope's bytes are still in store.db";
}

// After a deletion the WAL is checkpointed and cut, so the deleted pages do not linger in it.
TEST_F(IntegrityTest, ADeletionLeavesNoWalBehind) {
  const std::string id = Submit("d", "to be deleted", 2 << 20);
  for (const std::string who : {"a", "b"})
    ASSERT_EQ(Inv({"mark-delete", id, "--key", who + ".key", "--bundle", "team.bundle"}).exit_code,
              0);
  std::error_code ec;
  const auto wal = fs::file_size(dir_ / "srv/store.db-wal", ec);
  EXPECT_TRUE(ec || wal == 0) << wal << " bytes of WAL after the deletion";
}

}  // namespace
}  // namespace gavah
