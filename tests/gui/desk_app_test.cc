// The desk driven as an investigator would drive it, offscreen, against a real gavah-server on
// 127.0.0.1 with testimony the real witness tool sent: unlock (a wrong passphrase first), sync,
// open everything, search as typed, read with a colleague's released share, preview, note, tag,
// reply, release a share, export for a use the witness did not allow, verify, a tampered
// envelope never opened, lock. A screenshot of every screen goes to build/screenshots/.
#include "desk_app.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QGuiApplication>
#include <QImage>
#include <QKeyEvent>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>
#include <chrono>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "preview.h"
#include "support/gui_support.h"
#include "support/pdf_support.h"
#include "support/server_fixture.h"

namespace gavah {
namespace {

namespace fs = std::filesystem;
using testing::Outcome;
using testing::ReadText;
using testing::WriteText;

using testing::FindIn;
using testing::WaitFor;

constexpr char kPass[] = "correct horse battery staple 1988";

class DeskAppTest : public testing::ServerFixture,
                    public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    ::setenv("HOME", dir_.c_str(), 1);
    UseKey("bahram");
    // Two investigators, both needed: every testimony opens only with a colleague's share.
    ASSERT_EQ(Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--investigator",
                   "bahram.pub", "--threshold", "2", "--name", "Justice for Iran 1988", "--server",
                   "127.0.0.1:" + std::to_string(port_), "--server-cert", "srv/tls.crt",
                   "--receipt-key", "srv/receipt.pub", "--out", "org.bundle"})
                  .exit_code,
              0);
    StartServer();
    fs::create_directories(GAVAH_SCREENSHOTS_DIR);
  }
  void TearDown() override {
    app_.reset();
    ServerFixture::TearDown();
  }

  void Launch() {
    app_ = std::make_unique<app::DeskApp>();
    app_->desk().setLanguage(QString::fromStdString(GetParam()));
    app_->desk().SetPreviewProgram(QStringLiteral(GAVAH_DESK));
    ASSERT_TRUE(app_->Start());
    window_ = app_->window();
    ASSERT_NE(window_, nullptr);
    window_->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(window_));
  }
  app::Desk& desk() { return app_->desk(); }
  QQuickItem* Item(const char* name) {
    auto* item = qobject_cast<QQuickItem*>(FindIn(window_, QString::fromLatin1(name)));
    if (item == nullptr) {
      // Dialogs live in the overlay, under the window's content item.
      item = qobject_cast<QQuickItem*>(FindIn(window_->contentItem(), QString::fromLatin1(name)));
    }
    EXPECT_NE(item, nullptr) << name;
    return item;
  }
  QObject* Object(const char* name) { return FindIn(window_, QString::fromLatin1(name)); }
  void Press(const char* name) {
    ASSERT_TRUE(testing::PressKey(window_, Item(name))) << name << " is not usable";
  }
  // Replaces what the field holds with `text`, typed.
  void Type(const char* name, const QString& text) {
    QQuickItem* item = Item(name);
    ASSERT_NE(item, nullptr);
    item->setProperty("text", QString());
    testing::TypeKeys(window_, item, text);
  }
  QString Text(const char* name) { return Item(name)->property("text").toString(); }
  bool Visible(const char* name) {
    auto* item = qobject_cast<QQuickItem*>(Object(name));
    return item != nullptr && item->isVisible();
  }
  void OpenDialog(const char* name) {
    QObject* d = Object(name);
    ASSERT_NE(d, nullptr) << name;
    ASSERT_TRUE(WaitFor([&] { return d->property("opened").toBool(); }, 5)) << name;
  }
  void Screenshot(const std::string& screen) {
    QCoreApplication::processEvents();
    QTest::qWait(300);  // transitions and dialogs' fades
    const QImage shot = window_->grabWindow();
    ASSERT_FALSE(shot.isNull());
    const std::string path =
        std::string(GAVAH_SCREENSHOTS_DIR) + "/desk-" + screen + "-" + GetParam() + ".png";
    ASSERT_TRUE(shot.save(QString::fromStdString(path)));
  }
  void WaitIdle() {
    ASSERT_TRUE(WaitFor([&] { return !desk().busy(); }, 120)) << "still " << Op();
  }
  std::string Op() { return desk().operation().toStdString(); }
  // Selects the row of `id` in the list and opens it with Enter, as from the keyboard.
  void ReadFromList(const std::string& id) {
    auto* list = Item("caseList");
    ASSERT_NE(list, nullptr);
    auto* model = static_cast<app::CaseListModel*>(desk().cases());
    int row = -1;
    for (int i = 0; i < model->count(); ++i)
      if (model->data(model->index(i), app::CaseListModel::kId).toString().toStdString() == id)
        row = i;
    ASSERT_GE(row, 0) << id << " is not listed";
    list->forceActiveFocus();
    list->setProperty("currentIndex", row);
    QCoreApplication::processEvents();
    QTest::keyClick(window_, Qt::Key_Return);
    ASSERT_TRUE(
        WaitFor([&] { return desk().currentId().toStdString() == id && !desk().opening(); }, 30));
  }

  // A one-page PDF that draws a blue square: what a witness's scanned document would be, made by
  // hand so that the test needs no PDF writer.
  static std::string SquarePdf() {
    const std::string content = "0 0 1 rg 100 100 300 300 re f\n";
    const std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 500 500] /Contents 4 0 R >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream"};
    return testing::PdfOf(objects);
  }

  // Every file under `root` but the screenshots the test takes and the server's own.
  static std::set<std::string> FilesUnder(const fs::path& root) {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      const std::string rel = fs::relative(e.path(), root).string();
      if (rel.rfind("srv", 0) == 0 || rel == "server.log") continue;
      out.insert(rel);
    }
    return out;
  }
  // A TCP listener on a free port: whoever connects to it would tell a watcher who read what.
  int ListenBeacon() {
    beacon_port_ = testing::FreePort();
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(beacon_port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 4) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  static bool Knocked(int fd) {
    const int c = ::accept(fd, nullptr, nullptr);
    if (c >= 0) ::close(c);
    return c >= 0;
  }

  std::string Consent(const std::string& name, const std::string& tokens) {
    WriteText(dir_ / name, tokens);
    return name;
  }

  std::unique_ptr<app::DeskApp> app_;
  QQuickWindow* window_ = nullptr;
  int beacon_port_ = 0;
};

TEST_P(DeskAppTest, AnInvestigatorWorksThroughTheCaseStore) {
  const bool fa = GetParam() == "fa";
  // The witnesses: a Persian testimony with a photo, a codename and consent; an English one with
  // a text file and no consent asked; one whose share Bahram keeps; one the server damages.
  Outcome made = testing::Exec(dir_, "/usr/bin/convert",
                               {"-size", "120x80", "gradient:red-blue", "photo.jpg"}, env_);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ASSERT_EQ(Wit({"codename", "--out", "code.txt"}).exit_code, 0);
  WriteText(dir_ / "t1.txt",
            "در تابستان ۱۳۶۷ برادرم را در زندان گوهردشت دیدم. پس از آن "
            "ملاقات‌ها "
            "قطع "
            "شد.\n");
  Outcome s1 = Wit({"submit", "--bundle", "org.bundle", "--text-file", "t1.txt", "--language", "fa",
                    "--attach", "photo.jpg", "--codename-file", "code.txt", "--consent-file",
                    Consent("c1.txt", "investigators\nun-mechanism\n"), "--json"});
  ASSERT_EQ(s1.exit_code, 0) << s1.err;
  const std::string t1 = testing::Field(s1.out, "envelope_id");
  WriteText(dir_ / "notes.txt", "Names read in the corridor: eleven.\n");
  WriteText(dir_ / "t2.txt", "On 30 July 1988 the visits at Evin stopped.\n");
  WriteText(dir_ / "report.pdf", SquarePdf());
  // The sender's markup in the place of the events: shown as text, it must fetch nothing.
  const int beacon = ListenBeacon();
  ASSERT_GE(beacon, 0);
  WriteText(dir_ / "where.txt", "<img src=\"http://127.0.0.1:" + std::to_string(beacon_port_) +
                                    "/seen.png\"><b>Evin</b>");
  Outcome s2 = Wit({"submit", "--bundle", "org.bundle", "--text-file", "t2.txt", "--language", "en",
                    "--where-file", "where.txt", "--attach", "notes.txt", "--attach", "report.pdf",
                    "--json"});
  ASSERT_EQ(s2.exit_code, 0) << s2.err;
  const std::string t2 = testing::Field(s2.out, "envelope_id");
  const std::string t3 = Submit("org.bundle", "t3", "Khavaran, autumn 1988.");
  const std::string t4 = Submit("org.bundle", "t4", "A testimony the server damages.");
  ASSERT_EQ(WaitForLog(4), 4u);
  // The server's insider damages t4's bytes.
  OnServerStore("UPDATE chunks SET data = zeroblob(length(data)) WHERE owner = x'" + t4 + "';");
  // Bahram syncs and releases his shares of t1 and t2 (not t3) to this investigator.
  ASSERT_EQ(
      Inv({"sync", "--key", "bahram.key", "--bundle", "org.bundle", "--store", "b.db"}).exit_code,
      1);  // t4 arrives damaged: named, not kept
  for (const std::string& id : {t1, t2}) {
    Outcome r = Inv({"release-share", id, "--key", "bahram.key", "--to", "a.pub", "--bundle",
                     "org.bundle", "--store", "b.db", "--yes"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  Launch();
  Screenshot("1-unlock");
  // A wrong passphrase: said, and nothing unlocked.
  Type("keyPath", QString::fromStdString((dir_ / "a.key").string()));
  Type("storePath", QString::fromStdString((dir_ / "a.db").string()));
  Type("keyPassphrase", QStringLiteral("not the passphrase"));
  Type("bundlePath", QString::fromStdString((dir_ / "org.bundle").string()));
  Press("unlockButton");
  ASSERT_TRUE(WaitFor([&] { return desk().unlockError() == QLatin1String("key"); }, 30));
  EXPECT_TRUE(desk().locked());
  EXPECT_TRUE(Visible("unlockError"));
  EXPECT_EQ(Text("keyPassphrase"), QString());  // never left on screen
  EXPECT_FALSE(fs::exists(dir_ / "a.db"));      // nothing created for a key that did not unlock
  Screenshot("2-wrong-passphrase");
  Type("keyPassphrase", QString::fromLatin1(kPass));
  Press("unlockButton");
  ASSERT_TRUE(WaitFor([&] { return !desk().locked(); }, 30)) << desk().unlockDetail().toStdString();
  ASSERT_TRUE(WaitFor([&] { return Object("deskPage") != nullptr; }, 5));

  // Sync, with progress: four listed, the damaged one named and not kept, two shares.
  Press("syncButton");
  WaitIdle();
  EXPECT_TRUE(desk().status().contains(fa ? QStringLiteral("۲") : QStringLiteral("2")))
      << desk().status().toStdString();
  EXPECT_FALSE(desk().warnings().isEmpty());  // the tampered envelope
  EXPECT_EQ(desk().totalCases(), 4);
  // Open everything: t1 and t2 with Bahram's shares; t3 waits for his.
  Press("openAllButton");
  WaitIdle();
  auto* model = static_cast<app::CaseListModel*>(desk().cases());
  int waiting_row = -1, tampered_row = -1;
  for (int i = 0; i < model->count(); ++i) {
    const std::string id =
        model->data(model->index(i), app::CaseListModel::kId).toString().toStdString();
    if (id == t3) waiting_row = i;
    if (id == t4) tampered_row = i;
  }
  ASSERT_GE(waiting_row, 0);
  ASSERT_GE(tampered_row, 0);
  const QString waiting =
      model->data(model->index(waiting_row), app::CaseListModel::kWaiting).toString();
  EXPECT_TRUE(waiting.contains(QStringLiteral("bahram"))) << waiting.toStdString();
  EXPECT_EQ(model->data(model->index(tampered_row), app::CaseListModel::kState).toString(),
            QStringLiteral("tampered"));
  EXPECT_FALSE(model->data(model->index(tampered_row), app::CaseListModel::kOpened).toBool());
  Screenshot("3-cases");

  // Search as typed: "Gohardasht" typed on an Arabic keyboard is still found (the folding of
  // the codenames); an English word; a word no testimony holds.
  Type("searchField", QString::fromUtf8("گوهردشت"));
  ASSERT_TRUE(WaitFor([&] { return model->count() == 1; }, 5)) << model->count();
  EXPECT_EQ(model->data(model->index(0), app::CaseListModel::kId).toString().toStdString(), t1);
  Type("searchField", QString::fromUtf8("ملاقاتها"));  // typed without the ZWNJ
  ASSERT_TRUE(WaitFor([&] { return model->count() == 1; }, 5)) << model->count();
  Type("searchField", QString::fromUtf8("\u0643\u0645\u064a\u0633\u064a\u0648\u0646"));
  ASSERT_TRUE(WaitFor([&] { return model->count() == 0; }, 5)) << model->count();
  Type("searchField", QStringLiteral("visits"));
  ASSERT_TRUE(WaitFor([&] { return model->count() == 1; }, 5)) << model->count();
  EXPECT_EQ(model->data(model->index(0), app::CaseListModel::kId).toString().toStdString(), t2);
  Screenshot("4-search");
  Type("searchField", QString());
  ASSERT_TRUE(WaitFor([&] { return model->count() == 4; }, 5));

  // Reading t1: the text, right to left; the consent in view; the photo from memory. Nothing
  // is written anywhere under HOME while it is read and previewed.
  const auto files_before = FilesUnder(dir_);
  ReadFromList(t1);
  EXPECT_TRUE(desk().currentText().contains(QString::fromUtf8("گوهردشت")));
  EXPECT_TRUE(desk().currentRightToLeft());
  EXPECT_TRUE(Visible("consentBanner"));
  EXPECT_TRUE(desk().consent().contains(QStringLiteral("un-mechanism")));
  ASSERT_EQ(desk().attachments().size(), 1);
  Screenshot("5-reading");
  Press("previewButton0");
  OpenDialog("previewDialog");
  ASSERT_TRUE(WaitFor([&] { return desk().previewPages() == 1; }, 30))
      << desk().previewError().toStdString();
  Screenshot("6-preview");
  QTest::keyClick(window_, Qt::Key_Escape);
  QCoreApplication::processEvents();
  EXPECT_EQ(FilesUnder(dir_), files_before) << "reading or previewing wrote a file";

  // A note and a tag, then the list filtered by the tag.
  Type("noteField", QStringLiteral("Corroborates the Gohardasht list."));
  Press("addNoteButton");
  Type("noteField", QStringLiteral("gohardasht"));
  Press("addTagButton");
  ASSERT_EQ(desk().annotations().size(), 2);
  EXPECT_TRUE(desk().allTags().contains(QStringLiteral("gohardasht")));
  desk().filter("", "", "gohardasht", "", "");
  EXPECT_EQ(model->count(), 1);
  desk().filter("", "", "", "", "");

  // A reply to the witness's mailbox; the witness reads it with the codename.
  Type("replyField", QStringLiteral("Thank you. May we contact you again?"));
  Press("replyButton");
  EXPECT_TRUE(Text("said").contains(fa ? QStringLiteral("صندوق") : QStringLiteral("mailbox")))
      << Text("said").toStdString();
  Outcome replies = Wit({"replies", "--bundle", "org.bundle", "--codename-file", "code.txt"});
  EXPECT_NE(replies.out.find("May we contact you again?"), std::string::npos) << replies.err;

  // Releasing a share names the testimony and the colleague, and asks first.
  Press("releaseButton");
  OpenDialog("releaseDialog");
  EXPECT_TRUE(desk().pendingRelease().contains(QString::fromStdString(t1)));
  EXPECT_TRUE(desk().pendingRelease().contains(QStringLiteral("bahram")));
  Screenshot("7-release");
  Press("confirmReleaseButton");
  ASSERT_TRUE(WaitFor([&] { return desk().pendingRelease().isEmpty(); }, 10));
  EXPECT_TRUE(Text("said").contains(QStringLiteral("bahram"))) << Text("said").toStdString();

  // Export for prosecutors, which this witness did not allow: a reason is asked for, and goes
  // into the chain of custody.
  Press("exportButton");
  OpenDialog("exportDialog");
  QObject* use = Object("exportUse");
  ASSERT_NE(use, nullptr);
  use->setProperty("currentIndex", 0);  // prosecutors and courts
  QCoreApplication::processEvents();
  EXPECT_TRUE(Visible("exportConsentWarning"));
  Type("exportFolder", QString::fromStdString((dir_ / "package").string()));
  EXPECT_FALSE(Item("confirmExportButton")->isEnabled());  // not without a reason
  Type("exportReason", QStringLiteral("Requested by the Hague prosecutor, case 42"));
  Screenshot("8-export");
  Press("confirmExportButton");
  ASSERT_TRUE(WaitFor([&] { return fs::exists(dir_ / "package/manifest.txt"); }, 60));
  WaitIdle();
  const std::string custody = ReadText(dir_ / "package/custody.txt");
  EXPECT_NE(custody.find("exported for prosecutors-courts, which the witness did not consent to; "
                         "reason: Requested by the Hague prosecutor, case 42"),
            std::string::npos)
      << custody;

  // Verifying the package someone sends.
  Press("verifyButton");
  OpenDialog("verifyDialog");
  Type("verifyFolder", QString::fromStdString((dir_ / "package").string()));
  Press("verifyRunButton");
  EXPECT_EQ(desk().verifyResult(), QStringLiteral("verified"))
      << desk().verifyLines().join("\n").toStdString();
  Screenshot("9-verify");
  QTest::keyClick(window_, Qt::Key_Escape);
  QCoreApplication::processEvents();
  // A package changed after export is refused, naming the change.
  WriteText(dir_ / "package/testimony/testimony.txt", "something else");
  desk().verifyPackage(QString::fromStdString((dir_ / "package").string()));
  EXPECT_EQ(desk().verifyResult(), QStringLiteral("refused"));

  // Marking for deletion asks first; one mark of the two the bundle needs deletes nothing.
  Press("deleteButton");
  OpenDialog("deleteDialog");
  Screenshot("13-delete");
  Press("confirmDeleteButton");
  ASSERT_TRUE(WaitFor(
      [&] {
        return Text("said").contains(fa ? QString::fromUtf8("۱ از ۲") : QStringLiteral("1 of 2"));
      },
      10))
      << Text("said").toStdString();

  // The English testimony: no consent asked, said so; its text file previewed as text.
  ReadFromList(t2);
  EXPECT_TRUE(desk().currentWhere().startsWith(QStringLiteral("<img")));
  QTest::qWait(1500);
  EXPECT_FALSE(Knocked(beacon)) << "reading a testimony made the desk fetch a URL it named";
  ::close(beacon);
  EXPECT_FALSE(desk().consentAsked());
  EXPECT_FALSE(desk().currentRightToLeft());
  desk().preview(0);
  EXPECT_TRUE(desk().previewText().contains(QStringLiteral("eleven")));
  desk().closePreview();
  // The PDF's page, drawn by the previewer process: a blue square on white.
  Press("previewButton1");
  OpenDialog("previewDialog");
  ASSERT_TRUE(WaitFor([&] { return desk().previewPages() == 1; }, 30))
      << desk().previewError().toStdString();
  QQuickImageProvider* pages = desk().previewImages();
  const QImage page = pages->requestImage(
      QString::number(desk().previewSerial()) + QStringLiteral("/0"), nullptr, QSize());
  ASSERT_FALSE(page.isNull());
  EXPECT_EQ(QColor(page.pixel(page.width() / 2, page.height() / 2)), QColor(Qt::blue));
  EXPECT_EQ(QColor(page.pixel(5, 5)), QColor(Qt::white));
  Screenshot("12-pdf");
  QTest::keyClick(window_, Qt::Key_Escape);
  QCoreApplication::processEvents();

  // The damaged envelope: shown as tampered, never opened.
  ReadFromList(t4);
  EXPECT_FALSE(desk().currentError().isEmpty());
  EXPECT_TRUE(desk().currentText().isEmpty());
  EXPECT_TRUE(Visible("currentError"));
  Screenshot("10-tampered");

  // The custody of t1 holds every step, in order.
  ReadFromList(t1);
  QStringList events;
  for (const QVariant& c : desk().custody())
    events.append(c.toMap()[QStringLiteral("event")].toString());
  const QString all = events.join(QStringLiteral(" | "));
  for (const char* e :
       {"synced", "opened in memory", "read in memory", "annotated (note)", "annotated (tag)",
        "replied", "released", "exported for", "marked for deletion (1 of 2)"})
    EXPECT_TRUE(all.contains(QString::fromLatin1(e))) << e << " not in " << all.toStdString();

  // Lock: the key and store are forgotten, and the screens cleared.
  Press("lockButton");
  ASSERT_TRUE(WaitFor([&] { return desk().locked(); }, 10));
  EXPECT_TRUE(desk().currentText().isEmpty());
  EXPECT_EQ(model->count(), 0);
  ASSERT_TRUE(WaitFor([&] { return Object("unlockPage") != nullptr; }, 5));
  Screenshot("11-locked");
}

TEST_P(DeskAppTest, IdleTimeLocksTheDesk) {
  ASSERT_EQ(Inv({"sync", "--key", "a.key", "--bundle", "org.bundle", "--store", "a.db"}).exit_code,
            0);
  Launch();
  desk().unlock(QString::fromStdString((dir_ / "a.key").string()),
                QString::fromStdString((dir_ / "a.db").string()), QString::fromLatin1(kPass), "",
                "");
  ASSERT_FALSE(desk().locked()) << desk().unlockDetail().toStdString();
  desk().lock();
  // A mistyped store, without a bundle to begin one: refused, and no file made there.
  desk().unlock(QString::fromStdString((dir_ / "a.key").string()),
                QString::fromStdString((dir_ / "typo.db").string()), QString::fromLatin1(kPass), "",
                "");
  EXPECT_TRUE(desk().locked());
  EXPECT_EQ(desk().unlockError(), QStringLiteral("store"));
  EXPECT_FALSE(fs::exists(dir_ / "typo.db"));
  desk().unlock(QString::fromStdString((dir_ / "a.key").string()),
                QString::fromStdString((dir_ / "a.db").string()), QString::fromLatin1(kPass), "",
                "");
  ASSERT_FALSE(desk().locked()) << desk().unlockDetail().toStdString();
  // Input keeps it unlocked; then, left alone past its idle time, it locks itself.
  desk().SetIdleInterval(600);
  for (int i = 0; i < 10; ++i) {
    QTest::keyClick(window_, Qt::Key_Shift);
    QTest::qWait(100);
  }
  EXPECT_FALSE(desk().locked());
  ASSERT_TRUE(WaitFor([&] { return desk().locked(); }, 5));
  EXPECT_EQ(static_cast<app::CaseListModel*>(desk().cases())->count(), 0);
}

TEST_P(DeskAppTest, TheKeyboardAloneUnlocksSyncsOpensSearchesReadsAndLocks) {
  const std::string id = Submit("org.bundle", "w", "The visits at Evin stopped in July 1988.");
  ASSERT_EQ(WaitForLog(1), 1u);
  ASSERT_EQ(
      Inv({"sync", "--key", "bahram.key", "--bundle", "org.bundle", "--store", "b.db"}).exit_code,
      0);
  ASSERT_EQ(Inv({"release-share", id, "--key", "bahram.key", "--to", "a.pub", "--bundle",
                 "org.bundle", "--store", "b.db", "--yes"})
                .exit_code,
            0);
  Launch();
  // The key file's field has the focus; Return goes on to the next field, and from the
  // passphrase to unlocking.
  auto type = [&](const QString& text) {
    testing::TypeKeys(window_, window_->activeFocusItem(), text);
  };
  ASSERT_EQ(window_->activeFocusItem(), Item("keyPath"));
  type(QString::fromStdString((dir_ / "a.key").string()) + "\n");
  ASSERT_EQ(window_->activeFocusItem(), Item("storePath"));
  type(QString::fromStdString((dir_ / "a.db").string()) + "\n");
  ASSERT_EQ(window_->activeFocusItem(), Item("keyPassphrase"));
  // The bundle's field, reached with Tab.
  for (int i = 0; i < 10 && window_->activeFocusItem() != Item("bundlePath"); ++i)
    QTest::keyClick(window_, Qt::Key_Tab);
  ASSERT_EQ(window_->activeFocusItem(), Item("bundlePath"));
  type(QString::fromStdString((dir_ / "org.bundle").string()));
  for (int i = 0; i < 10 && window_->activeFocusItem() != Item("keyPassphrase"); ++i)
    QTest::keyClick(window_, Qt::Key_Tab, Qt::ShiftModifier);
  type(QString::fromLatin1(kPass) + "\n");
  ASSERT_TRUE(WaitFor([&] { return !desk().locked(); }, 30)) << desk().unlockDetail().toStdString();
  ASSERT_TRUE(WaitFor([&] { return Object("deskPage") != nullptr; }, 5));
  QTest::qWait(100);
  QTest::keyClick(window_, Qt::Key_F5);  // sync
  ASSERT_TRUE(WaitFor([&] { return desk().busy(); }, 5));
  WaitIdle();
  QTest::keyClick(window_, Qt::Key_O, Qt::ControlModifier | Qt::ShiftModifier);  // open all
  ASSERT_TRUE(WaitFor([&] { return !desk().busy() && desk().status().size() > 0; }, 30));
  WaitIdle();
  QTest::keyClick(window_, Qt::Key_F, Qt::ControlModifier);
  ASSERT_EQ(window_->activeFocusItem(), Item("searchField"));
  type(QStringLiteral("evin"));
  auto* model = static_cast<app::CaseListModel*>(desk().cases());
  ASSERT_TRUE(WaitFor([&] { return model->count() == 1; }, 5));
  QTest::keyClick(window_, Qt::Key_Down);  // into the list
  QTest::keyClick(window_, Qt::Key_Down);  // its first row
  QTest::keyClick(window_, Qt::Key_Return);
  ASSERT_TRUE(WaitFor([&] { return desk().currentText().contains(QStringLiteral("Evin")); }, 30))
      << desk().currentError().toStdString();
  QTest::keyClick(window_, Qt::Key_L, Qt::ControlModifier);
  ASSERT_TRUE(WaitFor([&] { return desk().locked(); }, 10));
  EXPECT_TRUE(desk().currentText().isEmpty());
}

// The previewer's confinement, in a child of its own: what an exploited decoder would try next
// is refused.
TEST(DeskPreviewerTest, AConfinedPreviewerCanReadButNotConnectWriteOrRunAnything) {
  const std::string file = "/tmp/gavah-preview-escape-" + std::to_string(::getpid());
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (!app::IsolatePreviewProcess()) ::_exit(10);
    if (!app::DenyPreviewEscapes()) ::_exit(11);
    errno = 0;
    if (::socket(AF_INET, SOCK_STREAM, 0) >= 0 || errno != EPERM) ::_exit(12);
    if (::socket(AF_UNIX, SOCK_STREAM, 0) >= 0 || errno != EPERM) ::_exit(13);
    if (::open(file.c_str(), O_WRONLY | O_CREAT, 0600) >= 0 || errno != EPERM) ::_exit(14);
    if (::open("/proc/self/status", O_RDWR) >= 0 || errno != EPERM) ::_exit(15);
    if (::open("/proc/self/status", O_RDONLY) < 0) ::_exit(16);  // fonts and libraries load
    // What is not on its list: io_uring (which seccomp would not see into), links, modes,
    // namespaces.
    if (::syscall(__NR_io_uring_setup, 8, nullptr) >= 0 || errno != EPERM) ::_exit(18);
    if (::link("/proc/self/status", file.c_str()) == 0 || errno != EPERM) ::_exit(19);
    if (::chmod("/tmp", 0777) == 0 || errno != EPERM) ::_exit(20);
    if (::unshare(CLONE_NEWNS) == 0 || errno != EPERM) ::_exit(21);
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    ::execve("/bin/true", argv, nullptr);
    ::_exit(errno == EPERM ? 0 : 17);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "10 namespaces, 11 seccomp, 12-13 socket, 14-15 write, "
         "16 read, 17 exec, 18 io_uring, 19 link, 20 chmod, 21 unshare";
  EXPECT_FALSE(fs::exists(file));
}

// A previewer that an exploit has taken over says what it likes on its pipe: the desk takes
// only pages it can bound, within its deadline, and never waits for ever.
TEST(DeskPreviewerTest, WhatAHijackedPreviewerAnswersIsBoundedAndTimed) {
  char tmpl[] = "/tmp/gavah-previewer-XXXXXX";
  const fs::path dir = ::mkdtemp(tmpl);
  // Each reads its input first (as the real one does), then answers; printf's octal escapes
  // write the big-endian counts.
  auto script = [&](const std::string& name, const std::string& body) {
    const fs::path path = dir / name;
    WriteText(path, "#!/bin/sh\ncat > /dev/null\n" + body + "\n");
    fs::permissions(path, fs::perms::owner_all);
    return QString::fromStdString(path.string());
  };
  const std::vector<uint8_t> input(64, 'x');
  auto render = [&](const QString& program, int timeout_ms = 5000) {
    return app::RenderInChild(program, app::PreviewKind::kImage, input, timeout_ms);
  };
  // The harness itself: one 1x1 page is taken.
  const app::Preview one =
      render(script("one", "printf '\\0\\0\\0\\1\\0\\0\\0\\1\\0\\0\\0\\1\\377\\0\\0\\377'"));
  ASSERT_TRUE(one.error.isEmpty()) << one.error.toStdString();
  ASSERT_EQ(one.pages.size(), 1u);
  EXPECT_EQ(one.pages[0].size(), QSize(1, 1));
  // A whole page 100,000 pixels wide, every byte of it sent: refused all the same.
  EXPECT_FALSE(render(script("wide",
                             "printf '\\0\\0\\0\\1\\0\\1\\206\\240\\0\\0\\0\\1'; "
                             "head -c 400000 /dev/zero"))
                   .error.isEmpty());
  // 21 whole pages of one pixel, one more than any preview has.
  EXPECT_FALSE(render(script("many",
                             "printf '\\0\\0\\0\\25'; i=0; while [ $i -lt 21 ]; do "
                             "printf '\\0\\0\\0\\1\\0\\0\\0\\1\\0\\0\\0\\0'; "
                             "i=$((i+1)); done"))
                   .error.isEmpty());
  // Pages that together pass the pixel budget: 20 of 2000 x 2000.
  EXPECT_FALSE(render(script("budget",
                             "printf '\\0\\0\\0\\24'; while true; do printf "
                             "'\\0\\0\\7\\320\\0\\0\\7\\320'; head -c 16000000 /dev/zero; done"),
                      20000)
                   .error.isEmpty());
  // A page cut short, and an answer that never comes: both end at the deadline, with nothing.
  EXPECT_FALSE(
      render(script("short", "printf '\\0\\0\\0\\1\\0\\0\\0\\2\\0\\0\\0\\2abcd'")).error.isEmpty());
  const auto started = std::chrono::steady_clock::now();
  const app::Preview silent = render(script("silent", "sleep 60"), 1000);
  EXPECT_FALSE(silent.error.isEmpty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  // One that never reads what it is sent blocks no write for ever either.
  const fs::path deaf = dir / "deaf";
  WriteText(deaf, "#!/bin/sh\nsleep 60\n");
  fs::permissions(deaf, fs::perms::owner_all);
  const std::vector<uint8_t> big(8 << 20, 'x');
  const auto deaf_started = std::chrono::steady_clock::now();
  EXPECT_FALSE(
      app::RenderInChild(QString::fromStdString(deaf.string()), app::PreviewKind::kPdf, big, 1000)
          .error.isEmpty());
  EXPECT_LT(std::chrono::steady_clock::now() - deaf_started, std::chrono::seconds(10));
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Languages, DeskAppTest, ::testing::Values("en", "fa"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gavah

int main(int argc, char** argv) {
  ::setenv("QT_QPA_PLATFORM", "offscreen", 0);
  if (!gavah::InitCrypto()) return 1;
  gavah::cli::CaseStore::InstallWipingAllocator();
  QGuiApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
