// The investigator library driven directly, as a front end other than the command line drives
// it, against a real gavah-server on 127.0.0.1: progress, notes, and a stop half way that leaves
// nothing half made and loses nothing.
#include "investigator.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "cli_support.h"
#include "gavah/crypto/hex.h"
#include "support/server_fixture.h"

namespace gavah::testing {
namespace {

namespace fs = std::filesystem;
using investigator::Hooks;
using investigator::KeyRef;
using investigator::Note;

constexpr char kPassphrase[] = "correct horse battery staple 1988";

class InvestigatorLibraryTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    Outcome b = Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--threshold",
                     "1", "--server", "127.0.0.1:" + std::to_string(port_), "--server-cert",
                     "srv/tls.crt", "--receipt-key", "srv/receipt.pub", "--out", "org.bundle"});
    ASSERT_EQ(b.exit_code, 0) << b.err;
    StartServer();
    WriteText(dir_ / "pass.txt", kPassphrase);
    pass_.file = (dir_ / "pass.txt").string();
    auto bundle = cli::TryLoadBundle((dir_ / "org.bundle").string(), "", false);
    ASSERT_TRUE(bundle.ok()) << bundle.status().message();
    bundle_.emplace(std::move(bundle).value());
  }

  InvestigatorSecretKey Key(const std::string& name) {
    return cli::LoadInvestigatorKey((dir_ / name).string(), pass_);
  }
  // A key that counts how often it is unlocked.
  KeyRef Ref(const std::string& name, int* unlocked = nullptr) {
    const std::string path = (dir_ / name).string();
    return KeyRef{name, [this, path, unlocked]() -> Result<InvestigatorSecretKey> {
                    if (unlocked) ++*unlocked;
                    return cli::LoadInvestigatorKey(path, pass_);
                  }};
  }
  std::unique_ptr<cli::CaseStore> Store() {
    auto store = cli::CaseStore::Open((dir_ / "case.db").string(), Bytes(kPassphrase));
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  Digest32 Id(const std::string& hex) { return investigator::ParseEnvelopeId(hex).value(); }

  cli::PassphraseSource pass_;
  std::optional<RecipientBundle> bundle_;
};

TEST_F(InvestigatorLibraryTest, AStoppedSyncKeepsWhatArrivedAndTheNextSyncFetchesTheRestOnce) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(Submit("org.bundle", "w" + std::to_string(i), "Testimony " + std::to_string(i)));
  const InvestigatorSecretKey key = Key("a.key");
  auto store = Store();
  ASSERT_NE(store, nullptr);

  // Stopped after the first log entry: the store holds exactly that one.
  Hooks stop;
  uint64_t seen = 0;
  stop.progress = [&](uint64_t done, uint64_t) { seen = done; };
  stop.cancelled = [&] { return seen >= 1; };
  auto cut = investigator::Sync(*bundle_, key, *store, "case.db", stop);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), ErrorCode::kCancelled) << cut.status().message();
  EXPECT_EQ(store->List().value().size(), 1u);

  std::vector<uint64_t> progress;
  Hooks hooks;
  hooks.progress = [&](uint64_t done, uint64_t) { progress.push_back(done); };
  auto r = investigator::Sync(*bundle_, key, *store, "case.db", hooks);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->added, 2u);
  EXPECT_EQ(r->tampered, 0u);
  EXPECT_EQ(r->withheld, 0u);
  EXPECT_EQ(progress, (std::vector<uint64_t>{1, 2})) << "one report per log entry handled";
  const auto held = store->List().value();
  ASSERT_EQ(held.size(), 3u);
  for (const auto& e : held) EXPECT_NE(std::find(ids.begin(), ids.end(), ToHex(e.id)), ids.end());
}

TEST_F(InvestigatorLibraryTest, OpeningAsksForNoKeyForJunkAndNamesAKeyThatIsNotARecipient) {
  UseKey("z");
  WriteText(dir_ / "t.txt", "The prison was emptied in a week.");
  ASSERT_EQ(
      Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--out", "e.gvh"}).exit_code,
      0);
  WriteText(dir_ / "junk.gvh", std::string(4096, 'j'));

  int unlocked = 0;
  auto junk = investigator::OpenFile((dir_ / "junk.gvh").string(), {Ref("a.key", &unlocked)},
                                     (dir_ / "junk").string(), Hooks{});
  EXPECT_FALSE(junk.ok());
  EXPECT_EQ(unlocked, 0) << "the header is checked before any key is unlocked";
  EXPECT_FALSE(fs::exists(dir_ / "junk"));

  std::vector<Note> notes;
  Hooks hooks;
  hooks.note = [&](const Note& n) { notes.push_back(n); };
  auto opened = investigator::OpenFile((dir_ / "e.gvh").string(), {Ref("z.key"), Ref("a.key")},
                                       (dir_ / "out").string(), hooks);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].kind, Note::Kind::kNote);
  EXPECT_EQ(notes[0].text, "z.key is not a recipient of this envelope");
  EXPECT_EQ(opened->who.size(), 2u);
  EXPECT_FALSE(opened->consent.has_value()) << "this witness was not asked";
  EXPECT_EQ(opened->file_key.size(), 32u);
  EXPECT_TRUE(fs::exists(dir_ / "out/manifest.json"));
}

TEST_F(InvestigatorLibraryTest, AStoppedOpenOrExportLeavesNoFolderAndTheCustodySaysWhatHappened) {
  const std::string id = Submit("org.bundle", "w", "The names were read out at dawn.", 3 << 20);
  const InvestigatorSecretKey key = Key("a.key");
  auto store = Store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(investigator::Sync(*bundle_, key, *store, "case.db", Hooks{}).ok());

  // Stopped half way through the envelope's bytes: no folder, and no plaintext beside it.
  Hooks stop;
  uint64_t read = 0, total = 0;
  stop.progress = [&](uint64_t done, uint64_t of) {
    read = done;
    total = of;
  };
  stop.cancelled = [&] { return read > (1 << 20); };
  auto cut = investigator::OpenStored(*store, Id(id), {Ref("a.key")}, (dir_ / "out").string(),
                                      "case.db", stop);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), ErrorCode::kCancelled) << cut.status().message();
  EXPECT_GT(total, uint64_t{3} << 20) << "progress is out of the envelope's size";
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename().string().find("out"), std::string::npos)
        << entry.path() << " is left behind";
  auto cut_export = investigator::Export(*store, Id(id), {Ref("a.key")},
                                         (dir_ / "package").string(), "case.db", stop);
  ASSERT_FALSE(cut_export.ok());
  EXPECT_EQ(cut_export.code(), ErrorCode::kCancelled);
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename().string().find("package"), std::string::npos)
        << entry.path() << " is left behind";
  EXPECT_EQ(store->Find(Id(id)).value()->state, "new") << "nothing was opened";

  auto opened = investigator::OpenStored(*store, Id(id), {Ref("a.key")}, (dir_ / "out").string(),
                                         "case.db", Hooks{});
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(opened->files, 2u);
  const auto details = investigator::Details(*store, Id(id), "case.db");
  ASSERT_TRUE(details.ok()) << details.status().message();
  EXPECT_EQ(details->envelope.state, "opened");
  EXPECT_NE(details->attachments.view().find("w.bin"), std::string::npos);
  EXPECT_EQ(details->custody.back().event, "opened into " + (dir_ / "out").string());

  // Exported and verified with nothing but the package and the bundle.
  const std::string package = (dir_ / "package").string();
  ASSERT_TRUE(
      investigator::Export(*store, Id(id), {Ref("a.key")}, package, "case.db", Hooks{}).ok());
  auto verified = investigator::VerifyExport(package, &*bundle_, "org.bundle");
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_TRUE(verified->problems.empty()) << verified->problems.front();
  EXPECT_EQ(verified->envelope_id, id);
  EXPECT_TRUE(verified->pinned);
  WriteText(dir_ / "package/custody.txt", "rewritten\n");
  auto altered = investigator::VerifyExport(package, &*bundle_, "org.bundle");
  ASSERT_TRUE(altered.ok()) << altered.status().message();
  ASSERT_EQ(altered->problems.size(), 1u);
  EXPECT_EQ(altered->problems[0], "custody.txt: altered (its SHA-256 differs from the manifest)");
}

// An envelope that arrived damaged is fetched again by every sync. A sync stopped half way
// through that fetch must not leave its first bytes in the store, where the next fetch would
// add the whole envelope after them: the store would call the testimony whole and never open it.
TEST_F(InvestigatorLibraryTest, AStoppedRefetchOfADamagedEnvelopeLeavesNothingBehindIt) {
  const std::string id = Submit("org.bundle", "w", "The lists were read at night.", 5 << 20);
  StopServer(SIGTERM);
  // Someone with the server's database key alters one byte of its last chunk, and later puts
  // it back.
  const auto raw_id = FromHex(id).value();
  auto exec = [&](const std::string& sql, int* byte) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "srv/store.db").string().c_str(), &db), SQLITE_OK);
    const std::string key = "x'" + ToHex(Bytes(ReadText(dir_ / "srv/store.key"))) + "'";
    sqlite3_key(db, key.data(), static_cast<int>(key.size()));
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA cipher_page_size = 4096", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    int at = 1;
    if (byte != nullptr && *byte >= 0) {
      const uint8_t b = static_cast<uint8_t>(*byte);
      sqlite3_bind_blob(st, at++, &b, 1, SQLITE_TRANSIENT);
    }
    sqlite3_bind_blob(st, at, raw_id.data(), static_cast<int>(raw_id.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && byte != nullptr && sqlite3_column_bytes(st, 0) == 1)
      *byte = static_cast<const uint8_t*>(sqlite3_column_blob(st, 0))[0];
    EXPECT_TRUE(rc == SQLITE_ROW || rc == SQLITE_DONE) << sqlite3_errmsg(db);
    sqlite3_finalize(st);
    sqlite3_close(db);
  };
  const std::string last = " AND seq = (SELECT max(seq) FROM chunks WHERE owner = ?2)";
  int original = -1;
  exec(
      "SELECT substr(data, 101, 1) FROM chunks WHERE owner = ?1 AND seq = (SELECT max(seq) "
      "FROM chunks WHERE owner = ?1)",
      &original);
  ASSERT_GE(original, 0);
  int flipped = original ^ 1;
  exec(
      "UPDATE chunks SET data = CAST(substr(data, 1, 100) || ?1 || substr(data, 102) AS BLOB) "
      "WHERE owner = ?2" +
          last,
      &flipped);
  StartServer();
  const InvestigatorSecretKey key = Key("a.key");
  auto store = Store();
  ASSERT_NE(store, nullptr);
  auto first = investigator::Sync(*bundle_, key, *store, "case.db", Hooks{});
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_GE(first->tampered, 1u);  // on arrival, and again when fetched once more
  ASSERT_EQ(store->Find(Id(id)).value()->state, "tampered");

  // The server's copy is whole again; the next sync is stopped after the first bytes arrive.
  StopServer(SIGTERM);
  exec(
      "UPDATE chunks SET data = CAST(substr(data, 1, 100) || ?1 || substr(data, 102) AS BLOB) "
      "WHERE owner = ?2" +
          last,
      &original);
  Outcome exported = Srv({"export", "--data", "srv", id, "--out", "copy.gvh"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  ASSERT_EQ(ToHex(Sha256Of(Bytes(ReadText(dir_ / "copy.gvh")))), id)
      << "the server's copy is whole";
  StartServer();
  Hooks stop;
  stop.cancelled = [&] { return store->PartialBytes(Id(id)).value() > 0; };
  auto cut = investigator::Sync(*bundle_, key, *store, "case.db", stop);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), ErrorCode::kCancelled) << cut.status().message();

  auto again = investigator::Sync(*bundle_, key, *store, "case.db", Hooks{});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->added, 1u);
  EXPECT_EQ(again->tampered, 0u);
  auto opened = investigator::OpenStored(*store, Id(id), {Ref("a.key")}, (dir_ / "out").string(),
                                         "case.db", Hooks{});
  EXPECT_TRUE(opened.ok()) << opened.status().message();
}

// ---- Reading in memory, opening everything, the case list (the desk's operations)

SecretBuffer Secret(const std::string& s) { return SecretBuffer::CopyOf(Bytes(s)); }

TEST_F(InvestigatorLibraryTest, OpenAllOpensEveryTestimonyWithOneUnlockAndSearchFindsItAsTyped) {
  const std::string fa =
      Submit("org.bundle", "fa", "در زندان گوهردشت ملاقات‌ها قطع شد.");
  const std::string en = Submit("org.bundle", "en", "The visits at Evin stopped in July.");
  const std::string other = Submit("org.bundle", "other", "Khavaran, autumn.");
  ASSERT_EQ(WaitForLog(3), 3u);
  const InvestigatorSecretKey key = Key("a.key");
  auto store = Store();
  ASSERT_TRUE(investigator::Sync(*bundle_, key, *store, "case.db", Hooks{}).ok());

  int unlocked = 0;
  std::vector<std::pair<uint64_t, uint64_t>> progress;
  Hooks hooks;
  hooks.progress = [&](uint64_t d, uint64_t t) { progress.emplace_back(d, t); };
  auto all = investigator::OpenAll(*store, {Ref("a.key", &unlocked)}, "case.db", hooks);
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(all->opened, 3u);
  EXPECT_EQ(unlocked, 1) << "one unlock for the whole store";
  EXPECT_EQ(progress.back(), (std::pair<uint64_t, uint64_t>{3, 3}));
  const auto listed = store->List().value();
  for (const auto& e : listed) EXPECT_EQ(e.state, "opened");
  // Again: nothing is opened twice.
  auto again = investigator::OpenAll(*store, {Ref("a.key")}, "case.db", Hooks{});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->opened, 0u);
  EXPECT_EQ(again->already, 3u);
  EXPECT_EQ(store->Custody(Id(fa)).value().size(), 2u) << "synced, opened: once each";

  auto list = [&](investigator::CaseFilter f) {
    std::vector<std::string> ids;
    const auto rows = investigator::ListCases(*store, f, "case.db").value();
    for (const auto& r : rows) ids.push_back(ToHex(r.envelope.id));
    return ids;
  };
  auto text = [](const std::string& t) {
    investigator::CaseFilter f;
    f.text = Secret(t);
    return f;
  };
  EXPECT_EQ(list({}).size(), 3u);
  // As typed: without the ZWNJ, with Arabic letters, a word's beginning, any case.
  EXPECT_EQ(list(text("ملاقاتها")), std::vector<std::string>{fa});
  EXPECT_EQ(list(text("\u06af\u0648\u0647\u0631")), std::vector<std::string>{fa});
  EXPECT_EQ(list(text("EVIN")), std::vector<std::string>{en});
  EXPECT_EQ(list(text("evin july")), std::vector<std::string>{en});
  EXPECT_TRUE(list(text("evin khavaran")).empty()) << "every word must be found";
  // Search syntax typed into the box is only words: no error, no injection.
  EXPECT_EQ(list(text("\"Evin\" -*(July)")), std::vector<std::string>{en});
  EXPECT_TRUE(list(text("NEAR(x y)")).empty());
  // State, tag and date.
  ASSERT_TRUE(investigator::Annotate(*store, Id(other), "tag", Secret("khavaran"), "case.db").ok());
  investigator::CaseFilter tagged;
  tagged.tag = Secret("khavaran");
  EXPECT_EQ(list(std::move(tagged)), std::vector<std::string>{other});
  investigator::CaseFilter annotated;
  annotated.state = "annotated";
  EXPECT_EQ(list(std::move(annotated)), std::vector<std::string>{other});
  const uint64_t hour = store->List().value().front().received_hour;
  investigator::CaseFilter later, earlier, that_hour;
  later.from_hour = hour + 3600;
  earlier.to_hour = hour - 3600;
  that_hour.from_hour = that_hour.to_hour = hour;
  EXPECT_TRUE(list(std::move(later)).empty());
  EXPECT_TRUE(list(std::move(earlier)).empty());
  EXPECT_EQ(list(std::move(that_hour)).size(), 3u);
  // Opened again, the store still knows what it indexed.
  store.reset();
  store = Store();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(list(text("EVIN")), std::vector<std::string>{en});
  EXPECT_TRUE(store->Indexed(Id(fa)).value());
}

TEST_F(InvestigatorLibraryTest, AStoppedOpenAllKeepsWhatItOpenedAndTheNextGoesOn) {
  for (int i = 0; i < 3; ++i) Submit("org.bundle", "w" + std::to_string(i), "Testimony");
  const InvestigatorSecretKey key = Key("a.key");
  auto store = Store();
  ASSERT_TRUE(investigator::Sync(*bundle_, key, *store, "case.db", Hooks{}).ok());
  uint64_t seen = 0;
  Hooks stop;
  stop.progress = [&](uint64_t d, uint64_t) { seen = d; };
  stop.cancelled = [&] { return seen >= 1; };
  auto cut = investigator::OpenAll(*store, {Ref("a.key")}, "case.db", stop);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), ErrorCode::kCancelled);
  size_t indexed = 0;
  const auto listed = store->List().value();
  for (const auto& e : listed) indexed += store->Indexed(e.id).value();
  EXPECT_EQ(indexed, 1u);
  auto rest = investigator::OpenAll(*store, {Ref("a.key")}, "case.db", Hooks{});
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->opened, 2u);
  EXPECT_EQ(rest->already, 1u);
}

TEST_F(InvestigatorLibraryTest, ReadingHoldsAttachmentsOnlyWithinItsLimitsAndWritesNothing) {
  const std::string id = Submit("org.bundle", "w", "With a file.", 5000);
  const InvestigatorSecretKey key = Key("a.key");
  auto store = Store();
  ASSERT_TRUE(investigator::Sync(*bundle_, key, *store, "case.db", Hooks{}).ok());
  const auto before = std::distance(fs::directory_iterator(dir_), fs::directory_iterator());
  auto small = investigator::Read(*store, Id(id), {Ref("a.key")}, {4000, 4000}, "case.db", {});
  ASSERT_TRUE(small.ok()) << small.status().message();
  ASSERT_EQ(small->attachments.size(), 1u);
  EXPECT_FALSE(small->attachments[0].held);
  EXPECT_TRUE(small->attachments[0].bytes.empty());
  EXPECT_EQ(small->attachments[0].size, 5000u);
  auto whole = investigator::Read(*store, Id(id), {Ref("a.key")}, {}, "case.db", {});
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(whole->attachments[0].held);
  EXPECT_EQ(std::string(whole->attachments[0].bytes.view()), std::string(5000, 'x'));
  EXPECT_EQ(std::string(whole->text.view()), "With a file.");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), before)
      << "reading writes no file";
  // Read twice: the custody says so, and the store indexed it once.
  const auto custody = store->Custody(Id(id)).value();
  ASSERT_EQ(custody.size(), 3u);
  EXPECT_EQ(custody[1].event, "read in memory");
  EXPECT_EQ(custody[2].event, "read in memory");
  EXPECT_TRUE(store->Indexed(Id(id)).value());
}

TEST_F(InvestigatorLibraryTest, ExportingForAUseTheWitnessDidNotAllowNeedsAReason) {
  // No consent asked: only the organisation's own review is allowed.
  const std::string id = Submit("org.bundle", "w", "Not asked for consent.");
  const InvestigatorSecretKey key = Key("a.key");
  auto store = Store();
  ASSERT_TRUE(investigator::Sync(*bundle_, key, *store, "case.db", Hooks{}).ok());
  const std::string out = (dir_ / "pkg").string();
  investigator::ExportUse courts{"prosecutors-courts", ""};
  Status st = investigator::Export(*store, Id(id), {Ref("a.key")}, out, "case.db", {}, &courts);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("did not consent to prosecutors-courts"), std::string::npos)
      << st.message();
  EXPECT_FALSE(fs::exists(out)) << "nothing leaves without the reason";
  investigator::ExportUse bad{"../courts", "x"};
  EXPECT_FALSE(investigator::Export(*store, Id(id), {Ref("a.key")}, out, "case.db", {}, &bad).ok());
  investigator::ExportUse permission{"contact-again", ""};
  EXPECT_FALSE(
      investigator::Export(*store, Id(id), {Ref("a.key")}, out, "case.db", {}, &permission).ok())
      << "contact-again is a permission, not a use to export for";
  investigator::ExportUse hidden{"prosecutors-courts", "ok\u2066\u202etxt.exe"};
  EXPECT_FALSE(
      investigator::Export(*store, Id(id), {Ref("a.key")}, out, "case.db", {}, &hidden).ok());
  investigator::ExportUse own_use{"investigators", ""};
  EXPECT_FALSE(investigator::Export(*store, Id(id), {Ref("a.key")}, out + "\n1 forged line",
                                    "case.db", {}, &own_use)
                   .ok())
      << "the folder's name goes into the custody";
  investigator::ExportUse two_lines{"prosecutors-courts", "a\nforged custody line"};
  EXPECT_FALSE(
      investigator::Export(*store, Id(id), {Ref("a.key")}, out, "case.db", {}, &two_lines).ok());
  courts.reason = "Requested by the court in case 42";
  st = investigator::Export(*store, Id(id), {Ref("a.key")}, out, "case.db", {}, &courts);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_NE(ReadText(dir_ / "pkg/custody.txt")
                .find(" exported for prosecutors-courts, which the witness did not consent to; "
                      "reason: Requested by the court in case 42\n"),
            std::string::npos);
  // The package verifies with the use in its custody.
  auto v = investigator::VerifyExport(out, &*bundle_, "org.bundle");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->problems.empty());
  // The organisation's own review needs no reason.
  investigator::ExportUse own{"investigators", ""};
  EXPECT_TRUE(investigator::Export(*store, Id(id), {Ref("a.key")}, (dir_ / "pkg2").string(),
                                   "case.db", {}, &own)
                  .ok());
  EXPECT_TRUE(
      investigator::ConsentAllows(std::string("investigators, un-mechanism"), "un-mechanism"));
  EXPECT_FALSE(investigator::ConsentAllows(std::string("investigators, un-mechanism"), "un"));
  EXPECT_FALSE(investigator::ConsentAllows(std::nullopt, "un-mechanism"));
}

TEST_F(InvestigatorLibraryTest, TheCommandLineOpensEverythingAtOnce) {
  for (int i = 0; i < 2; ++i) Submit("org.bundle", "w" + std::to_string(i), "Testimony");
  ASSERT_EQ(
      Inv({"sync", "--key", "a.key", "--bundle", "org.bundle", "--store", "case.db"}).exit_code, 0);
  Outcome r = Inv({"open", "--all", "--store", "case.db", "--key", "a.key"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("opened 2 testimony(ies) in memory"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("opened 2 of 2"), std::string::npos) << r.err;
  Outcome json = Inv({"open", "--all", "--store", "case.db", "--key", "a.key", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(Field(json.out, "opened"), "0");
  EXPECT_EQ(Field(json.out, "already"), "2");
  // Asked wrongly: one line, exit 2, nothing done.
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"open", "--all", "--key", "a.key"},
        std::vector<std::string>{"open", "--all", "0000", "--store", "case.db", "--key", "a.key"},
        std::vector<std::string>{"open", "--all", "--store", "case.db", "--key", "a.key", "--out",
                                 "x"},
        std::vector<std::string>{"open", "--key", "a.key", "--store", "case.db"}}) {
    Outcome u = Inv(bad);
    EXPECT_EQ(u.exit_code, 2) << u.out << u.err;
    EXPECT_EQ(std::count(u.err.begin(), u.err.end(), '\n'), 1) << u.err;
  }
  EXPECT_FALSE(fs::exists(dir_ / "x"));
}

}  // namespace
}  // namespace gavah::testing
