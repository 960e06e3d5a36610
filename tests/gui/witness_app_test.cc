// The witness app driven as a witness would drive it, offscreen, against a real gavah-server on
// 127.0.0.1: keys pressed and text typed into the real window, in Persian and in English, with a
// screenshot of every screen saved under build/screenshots/ for people to look at.
#include "witness_app.h"

#include <QGuiApplication>
#include <QImage>
#include <QKeyEvent>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

#include "cli_support.h"
#include "investigator.h"
#include "metadata.h"
#include "support/gui_support.h"
#include "support/server_fixture.h"

namespace gavah {
namespace {

namespace fs = std::filesystem;
using testing::Outcome;
using testing::ReadText;
using testing::WriteText;

// Every QQuickItem and QObject under `root` (Repeater delegates are items, not QObject children).
using testing::FindIn;
using testing::WaitFor;

class WitnessAppTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    // The app is this process: it keeps its pins, outbox and receipts where the fixture's
    // command-line witness would.
    ::setenv("HOME", dir_.c_str(), 1);
    ::setenv("XDG_DATA_HOME", (dir_ / "xdg").c_str(), 1);
    ASSERT_EQ(Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--threshold", "1",
                   "--name", "Justice for Iran 1988", "--server",
                   "127.0.0.1:" + std::to_string(port_), "--server-cert", "srv/tls.crt",
                   "--receipt-key", "srv/receipt.pub", "--out", "org.bundle"})
                  .exit_code,
              0);
    fs::create_directories(GAVAH_SCREENSHOTS_DIR);
  }
  void TearDown() override {
    app_.reset();
    ServerFixture::TearDown();
  }

  void Launch(const std::string& language) {
    language_ = language;
    app_ = std::make_unique<app::WitnessApp>();
    app_->session().setLanguage(QString::fromStdString(language));
    ASSERT_TRUE(app_->Start());
    window_ = app_->window();
    ASSERT_NE(window_, nullptr);
    window_->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(window_));
  }

  QObject* Page() {
    QObject* stack = FindIn(window_, "stack");
    return stack ? stack->property("currentItem").value<QObject*>() : nullptr;
  }
  std::string PageName() {
    QObject* p = Page();
    return p ? p->objectName().toStdString() : "";
  }
  QQuickItem* Item(const char* name) {
    auto* item = qobject_cast<QQuickItem*>(FindIn(Page(), QString::fromLatin1(name)));
    if (item == nullptr)
      item = qobject_cast<QQuickItem*>(FindIn(window_, QString::fromLatin1(name)));
    EXPECT_NE(item, nullptr) << name << " on " << PageName();
    return item;
  }
  // Presses a control from the keyboard, as a witness who cannot use a mouse would.
  void Press(const char* name) {
    ASSERT_TRUE(testing::PressKey(window_, Item(name))) << name << " is not usable";
  }
  void Type(const char* name, const QString& text) {
    QQuickItem* item = Item(name);
    ASSERT_NE(item, nullptr);
    testing::TypeKeys(window_, item, text);
  }
  void Enter(const char* name) {
    Item(name)->forceActiveFocus();
    QTest::keyClick(window_, Qt::Key_Return);
    QCoreApplication::processEvents();
  }
  QString Text(const char* name) { return Item(name)->property("text").toString(); }
  bool Visible(const char* name) {
    auto* item = qobject_cast<QQuickItem*>(FindIn(Page(), QString::fromLatin1(name)));
    return item != nullptr && item->isVisible();
  }
  void Next() { Press("nextButton"); }
  // Moves the focus with Tab alone, as a keyboard user does, until it is on `name`; false when
  // 40 presses do not get there.
  bool TabTo(const char* name) {
    for (int i = 0; i < 40; ++i) {
      QQuickItem* f = window_->activeFocusItem();
      for (QQuickItem* p = f; p != nullptr; p = p->parentItem())
        if (p->objectName() == QLatin1String(name) && p->isVisible()) return true;
      QTest::keyClick(window_, Qt::Key_Tab);
      QCoreApplication::processEvents();
    }
    return false;
  }
  // Tab to `name`, then Space.
  void TabPress(const char* name) {
    ASSERT_TRUE(TabTo(name)) << "Tab never reaches " << name << " on " << PageName();
    QTest::keyClick(window_, Qt::Key_Space);
    QCoreApplication::processEvents();
  }
  void ExpectPage(const char* name) {
    ASSERT_TRUE(WaitFor([&] { return PageName() == name; }, 10)) << "on " << PageName();
    QTest::qWait(350);  // the StackView's transition
  }
  void Screenshot(const std::string& screen) {
    QCoreApplication::processEvents();
    QTest::qWait(50);
    const QImage shot = window_->grabWindow();
    const std::string path =
        std::string(GAVAH_SCREENSHOTS_DIR) + "/witness-" + screen + "-" + language_ + ".png";
    ASSERT_FALSE(shot.isNull());
    ASSERT_TRUE(shot.save(QString::fromStdString(path)));
  }

  // A JPEG from a phone in Tehran: position, maker and serial number in its EXIF.
  std::string TaggedPhoto() {
    const std::string path = (dir_ / "photo.jpg").string();
    Outcome made = testing::Exec(dir_, "/usr/bin/convert",
                                 {"-size", "64x48", "gradient:red-blue", "photo.jpg"}, env_);
    EXPECT_EQ(made.exit_code, 0) << made.err;
    Outcome tagged =
        testing::Exec(dir_, "/usr/bin/exiv2",
                      {"-M", "set Exif.GPSInfo.GPSLatitude 35/1 41/1 2/1", "-M",
                       "set Exif.GPSInfo.GPSLatitudeRef N", "-M", "set Exif.Image.Make Evin-Camera",
                       "-M", "set Exif.Photo.BodySerialNumber SN-19880719", "photo.jpg"},
                      env_);
    EXPECT_EQ(tagged.exit_code, 0) << tagged.err;
    return path;
  }

  // From the start screen to the send screen: bundle, text, a photo, a codename, consent.
  // Returns the codename shown.
  QString PrepareTestimony(bool with_photo, bool with_codename, bool shots) {
    Press("startButton");
    ExpectPage("organisationPage");
    Type("bundlePath", QString::fromStdString((dir_ / "org.bundle").string()));
    Enter("bundlePath");
    EXPECT_TRUE(WaitFor([&] { return Visible("fingerprint"); }, 5));
    if (shots) Screenshot("1-organisation");
    // Asked once per organisation: a device that pinned it already knows the key.
    if (app_->session().trust() != "pinned") Press("fingerprintMatches");
    Next();
    ExpectPage("testimonyPage");
    Type("testimonyText", QString::fromUtf8("در تابستان ۱۳۶۷ برادرم را در زندان گوهردشت دیدم. "
                                            "On 30 July 1988 the visits stopped.\n"));
    Type("whenField", QString::fromUtf8("مرداد ۱۳۶۷"));
    Type("whereField", QString::fromUtf8("زندان گوهردشت، کرج"));
    if (shots) Screenshot("2-testimony");
    Next();
    ExpectPage("filesPage");
    if (with_photo) {
      Type("attachPath", QString::fromStdString(TaggedPhoto()));
      Enter("attachPath");
      EXPECT_TRUE(WaitFor([&] { return Visible("clean0"); }, 10));
      if (shots) Screenshot("3-files");
      // A cleaned copy is what the witness picks here; the original would keep the position.
      Press("clean0");
    }
    Next();
    ExpectPage("codenamePage");
    QString codename;
    if (with_codename) {
      Press(language_ == "fa" ? "makeCodenamePersian" : "makeCodenameEnglish");
      codename = Text("codenameText");
      EXPECT_FALSE(codename.isEmpty());
      if (shots) Screenshot("4-codename");
      // One word typed wrong: caught before the codename is used for anything.
      QStringList words = codename.split(QLatin1Char(' '));
      std::swap(words[0], words[1]);
      Type("codenameAgain", words.join(QLatin1Char(' ')));
      Press("confirmCodename");
      EXPECT_TRUE(Visible("codenameMistyped"));
      if (shots) Screenshot("4b-codename-mistyped");
      Item("codenameAgain")->setProperty("text", QString());
      Type("codenameAgain", codename);
      Press("confirmCodename");
      // The key is derived on a thread: the window answers meanwhile.
      EXPECT_TRUE(Visible("codenameDeriving"));
      if (shots) Screenshot("4c-codename-preparing");
      EXPECT_TRUE(WaitFor([&] { return Visible("codenameReady"); }, 30));
      EXPECT_FALSE(Visible("codenameDeriving"));
    }
    Next();
    ExpectPage("consentPage");
    Press("consentUn");
    Press("consentQuote");
    if (shots) Screenshot("5-consent");
    Next();
    ExpectPage("sendPage");
    if (shots) Screenshot("6-send");
    return codename;
  }

  // From the start screen to "delivered", in `language`: the envelope id, and the codename.
  std::pair<std::string, QString> SubmitWithPhotoAndCodename(const std::string& language) {
    Launch(language);
    Screenshot("0-start");
    const QString codename = PrepareTestimony(true, true, true);
    Press("sendButton");
    ExpectPage("outcomePage");
    EXPECT_EQ(app_->session().outcome().toStdString(), "delivered")
        << app_->session().outcomeDetail().toStdString();
    Screenshot("7-delivered");
    return {app_->session().envelopeId().toStdString(), codename};
  }

  // The investigator's side, with the real command line: sync, open into opened/, and reply.
  void OpenAndReply(const std::string& id, const std::string& reply) {
    ASSERT_EQ(id.size(), 64u);
    ASSERT_EQ(
        Inv({"sync", "--key", "a.key", "--bundle", "org.bundle", "--store", "case.db"}).exit_code,
        0);
    Outcome opened = Inv({"open", id, "--store", "case.db", "--key", "a.key", "--out", "opened"});
    ASSERT_EQ(opened.exit_code, 0) << opened.err;
    WriteText(dir_ / "reply.txt", reply);
    Outcome replied = Inv({"reply", id, "--text-file", "reply.txt", "--key", "a.key", "--bundle",
                           "org.bundle", "--store", "case.db"});
    ASSERT_EQ(replied.exit_code, 0) << replied.err;
  }

  // Back on the start screen, the replies screen with `codename` typed in.
  void ReadReplies(const QString& codename) {
    Press("doneButton");
    ExpectPage("startPage");
    Press("repliesButton");
    ExpectPage("repliesPage");
    Type("repliesCodename", codename);
    Press("readReplies");
    ASSERT_TRUE(WaitFor(
        [&] { return !app_->session().busy() && app_->session().repliesState() != "fetching"; }));
  }

  std::unique_ptr<app::WitnessApp> app_;
  QQuickWindow* window_ = nullptr;
  std::string language_;
};

// The whole story in each language: a testimony with a photo (cleaned) and a codename reaches the
// server; the investigator opens it and reads the consent the witness gave on screen; the
// investigator's reply is read in the app with the codename.

TEST_F(WitnessAppTest, WholeStoryInPersian) {
  StartServer();
  const auto [id, codename] = SubmitWithPhotoAndCodename("fa");
  OpenAndReply(id, "سپاس از شهادت شما. Thank you; we will write again.\n");
  const std::string manifest = ReadText(dir_ / "opened/manifest.json");
  EXPECT_NE(manifest.find("\"consent\": [\"investigators\", \"quote-anonymously\", "
                          "\"un-mechanism\"]"),
            std::string::npos)
      << manifest;
  EXPECT_NE(ReadText(dir_ / "opened/testimony.txt").find("گوهردشت"), std::string::npos);
  // The photo arrived cleaned: no position, no serial, and still a picture.
  std::string photo;
  for (const auto& e : fs::directory_iterator(dir_ / "opened/attachments")) photo = e.path();
  ASSERT_FALSE(photo.empty());
  const std::string bytes = ReadText(photo);
  EXPECT_EQ(bytes.find("SN-19880719"), std::string::npos);
  EXPECT_EQ(bytes.find("Evin-Camera"), std::string::npos);
  auto report = metadata::Inspect({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->format, "JPEG image");
  EXPECT_TRUE(report->findings.empty());

  ReadReplies(codename);
  ASSERT_EQ(app_->session().repliesState().toStdString(), "done")
      << app_->session().repliesDetail().toStdString();
  ASSERT_EQ(app_->session().replies().size(), 1);
  EXPECT_TRUE(
      app_->session().replies()[0].toMap()["text"].toString().contains(QString::fromUtf8("سپاس")));
  QTest::qWait(100);
  Screenshot("8-replies");
}

TEST_F(WitnessAppTest, WholeStoryInEnglish) {
  StartServer();
  const auto [id, codename] = SubmitWithPhotoAndCodename("en");
  OpenAndReply(id, "Thank you. May we ask about the letter you mentioned?\n");
  EXPECT_NE(ReadText(dir_ / "opened/manifest.json").find("\"un-mechanism\""), std::string::npos);
  // A mistyped codename finds nothing and says so.
  ReadReplies(codename + QStringLiteral("x"));
  EXPECT_EQ(app_->session().repliesState().toStdString(), "badcodename");
  Type("repliesCodename", codename);
  Press("readReplies");
  ASSERT_TRUE(WaitFor([&] { return app_->session().repliesState() == "done"; }));
  ASSERT_EQ(app_->session().replies().size(), 1);
  QTest::qWait(100);
  Screenshot("8-replies");
}

// The server is down: the sealed testimony waits in the outbox; once the server is up, "Try
// again" delivers it and the receipt is listed.

TEST_F(WitnessAppTest, ServerDownTheOutboxKeepsItThenRetryDelivers) {
  for (const std::string lang : {"fa", "en"}) {
    Launch(lang);
    PrepareTestimony(false, false, false);
    Press("sendButton");
    // The app keeps trying an unreachable server for a while before it gives up to the outbox.
    ASSERT_TRUE(WaitFor([&] { return PageName() == "outcomePage"; }, 120));
    QTest::qWait(350);
    EXPECT_EQ(app_->session().outcome().toStdString(), "outbox");
    Screenshot("7b-in-outbox");
    Press("outcomeOutbox");
    ExpectPage("outboxPage");
    // The Persian run's envelope still waits when the English run adds its own.
    EXPECT_EQ(app_->session().outbox().size(), lang == "fa" ? 1 : 2);
    Screenshot("9-outbox");
    if (lang == "en") {
      StartServer();
      Press("retryButton");
      ASSERT_TRUE(WaitFor(
          [&] { return !app_->session().busy() && app_->session().outbox().isEmpty(); }, 120))
          << app_->session().outcomeDetail().toStdString();
      EXPECT_EQ(app_->session().outcome().toStdString(), "delivered");
      EXPECT_EQ(app_->session().receipts().size(), 2);
      QTest::qWait(100);
      Screenshot("9b-outbox-delivered");
    } else {
      // Leaves the Persian run's envelope for the English run to retry with it.
      app_.reset();
    }
  }
}

// "Keep nothing on this device": a testimony delivered in amnesic mode leaves no pin, no outbox
// entry and no receipt under the witness's data folder, nor anything else there.
TEST_F(WitnessAppTest, AmnesicModeLeavesNothingOnTheDevice) {
  StartServer();
  Launch("fa");
  Press("amnesicCheck");
  ASSERT_TRUE(app_->session().amnesic());
  PrepareTestimony(true, false, false);
  Press("sendButton");
  ASSERT_TRUE(WaitFor([&] { return PageName() == "outcomePage"; }, 120));
  QTest::qWait(350);  // the StackView's transition, before the screenshot
  EXPECT_EQ(app_->session().outcome().toStdString(), "delivered")
      << app_->session().outcomeDetail().toStdString();
  bool more = false;
  EXPECT_EQ(OpenStore()->List(0, 10, &more).value().size(), 1u) << "it did reach the server";
  std::vector<std::string> left;
  if (fs::exists(dir_ / "xdg"))
    for (const auto& e : fs::recursive_directory_iterator(dir_ / "xdg"))
      if (e.is_regular_file()) left.push_back(e.path().string());
  EXPECT_TRUE(left.empty()) << left.front();
  EXPECT_FALSE(fs::exists(dir_ / ".cache")) << "no QML cache or other cache in the home folder";
  Screenshot("7d-delivered-amnesic");
}

// Escape twice, from the middle of a testimony, ends the app at once: no question, no waiting
// for anything to wind down. Run in a child process (gtest's threadsafe death-test style starts
// the binary anew), as it ends the process it runs in.
TEST_F(WitnessAppTest, EscapeTwiceLeavesAtOnceFromAnywhere) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        Launch("fa");
        Press("startButton");
        ExpectPage("organisationPage");
        Type("bundlePath", QString::fromStdString((dir_ / "org.bundle").string()));
        Enter("bundlePath");
        WaitFor([&] { return Visible("fingerprint"); }, 5);
        Press("fingerprintMatches");
        Next();
        ExpectPage("testimonyPage");
        Type("testimonyText", QString::fromUtf8("در گوهردشت"));
        QTest::keyClick(window_, Qt::Key_Escape);
        QTest::keyClick(window_, Qt::Key_Escape);
        QCoreApplication::processEvents();
        std::fprintf(stderr, "still running after Escape twice\n");
        std::exit(7);
      },
      ::testing::ExitedWithCode(0), "");
}

// An organisation's own build carries its bundle (-DGAVAH_APP_BUNDLE): the witness is not asked
// for a file, still compares the fingerprint, and the testimony is delivered with it. A built-in
// bundle that has expired is refused, not used.
TEST_F(WitnessAppTest, ABuiltInBundleNeedsNoFileAndAnExpiredOneIsRefused) {
  StartServer();
  for (const std::string lang : {"fa", "en"}) {
    Launch(lang);
    app_->session().LoadBuiltInBundle(QString::fromStdString((dir_ / "org.bundle").string()));
    ASSERT_TRUE(app_->session().builtInBundle());
    Press("startButton");
    ExpectPage("organisationPage");
    EXPECT_FALSE(Visible("bundlePath")) << "no file to open";
    EXPECT_TRUE(Visible("fingerprint"));
    Screenshot("1c-organisation-built-in");
    if (app_->session().trust() != "pinned") Press("fingerprintMatches");
    Next();
    ExpectPage("testimonyPage");
    Type("testimonyText", QString::fromUtf8("Built in: the visits stopped in Mordad 1367."));
    Next();
    ExpectPage("filesPage");
    // A file of a kind Gavah cannot look into is said to be so, in the window's language.
    WriteText(dir_ / "notes.xyz", std::string("\x01\x02 not a known format \x03", 24));
    Type("attachPath", QString::fromStdString((dir_ / "notes.xyz").string()));
    Enter("attachPath");
    ASSERT_TRUE(WaitFor([&] { return Visible("note0"); }, 10));
    // clang-format off
    const char* expected = lang == "fa"
        ? "این نوع پرونده شناخته نیست، پس جزئیات پنهان آن را نمی‌توان بررسی کرد."
        : "This kind of file is not recognised, so its hidden details cannot be checked.";
    // clang-format on
    EXPECT_EQ(Text("note0").toStdString(), expected);
    Screenshot("3c-files-unknown");
    for (const char* page : {"codenamePage", "consentPage", "sendPage"}) {
      Next();
      ExpectPage(page);
    }
    Press("sendButton");
    ExpectPage("outcomePage");
    EXPECT_EQ(app_->session().outcome().toStdString(), "delivered")
        << app_->session().outcomeDetail().toStdString();
    app_.reset();
  }
  bool more = false;
  EXPECT_EQ(OpenStore()->List(0, 10, &more).value().size(), 2u);

  // A stale build: its bundle was signed ten days ago for one day.
  investigator::BundleRequest stale;
  stale.investigators = {(dir_ / "a.pub").string()};
  stale.threshold = 1;
  stale.servers = {"127.0.0.1:" + std::to_string(port_)};
  stale.server_cert = (dir_ / "srv/tls.crt").string();
  stale.receipt_key = (dir_ / "srv/receipt.pub").string();
  stale.expires_days = 1;
  stale.now = NowUnix() - 10 * 86400;
  auto contents = investigator::PrepareBundle(stale);
  ASSERT_TRUE(contents.ok()) << contents.status().message();
  WriteText(dir_ / "pass.txt", env_["GAVAH_PASSPHRASE"]);
  const OrganisationKey org =
      cli::LoadOrganisationKey((dir_ / "org.key").string(), {(dir_ / "pass.txt").string()});
  ASSERT_TRUE(investigator::WriteBundle(*contents, org, (dir_ / "expired.bundle").string()).ok());
  Launch("en");
  app_->session().LoadBuiltInBundle(QString::fromStdString((dir_ / "expired.bundle").string()));
  EXPECT_FALSE(app_->session().hasBundle());
  EXPECT_EQ(app_->session().bundleRefusal().toStdString(), "expired");
}

// The whole flow with Tab, Space, Return and typing alone: no control is focused for the test,
// so a control Tab cannot reach, or a field that swallows Tab, fails it.
TEST_F(WitnessAppTest, TheWholeFlowWorksWithTheKeyboardAlone) {
  StartServer();
  Launch("fa");
  TabPress("startButton");
  ExpectPage("organisationPage");
  ASSERT_TRUE(TabTo("bundlePath"));
  for (const QChar c : QString::fromStdString((dir_ / "org.bundle").string())) {
    QKeyEvent press(QEvent::KeyPress, Qt::Key_unknown, Qt::NoModifier, QString(c));
    QCoreApplication::sendEvent(window_, &press);
  }
  QTest::keyClick(window_, Qt::Key_Return);
  ASSERT_TRUE(WaitFor([&] { return Visible("fingerprint"); }, 5));
  TabPress("fingerprintMatches");
  TabPress("nextButton");
  ExpectPage("testimonyPage");
  ASSERT_TRUE(TabTo("testimonyText"));
  for (const QChar c : QString::fromUtf8("با صفحه‌کلید تنها")) {
    QKeyEvent press(QEvent::KeyPress, Qt::Key_unknown, Qt::NoModifier, QString(c));
    QCoreApplication::sendEvent(window_, &press);
  }
  TabPress("nextButton");  // out of the text with Tab, not trapped in it
  for (const char* page : {"filesPage", "codenamePage", "consentPage"}) {
    ExpectPage(page);
    TabPress("nextButton");
  }
  ExpectPage("sendPage");
  TabPress("sendButton");
  ASSERT_TRUE(WaitFor([&] { return PageName() == "outcomePage"; }, 120));
  EXPECT_EQ(app_->session().outcome().toStdString(), "delivered")
      << app_->session().outcomeDetail().toStdString();
}

// "Through Tor" with the Tor address left empty refuses to send: it never falls back to a direct
// connection that would show the server the witness's address.
TEST_F(WitnessAppTest, TorWithNoAddressRefusesInsteadOfConnectingDirectly) {
  StartServer();
  Launch("en");
  PrepareTestimony(false, false, false);
  Press("routeTor");
  QQuickItem* proxy = Item("proxyField");
  ASSERT_NE(proxy, nullptr);
  proxy->setProperty("text", QStringLiteral("   "));
  Press("sendButton");
  ExpectPage("outcomePage");
  EXPECT_EQ(app_->session().outcome().toStdString(), "refused");
  bool more = false;
  EXPECT_TRUE(OpenStore()->List(0, 10, &more).value().empty()) << "nothing reached the server";
  Screenshot("7c-refused");
}

// A bundle in the same organisation's name, signed by another key, is refused once the real one
// is pinned, and the witness is told what that means.
TEST_F(WitnessAppTest, RefusesABundleThatDoesNotMatchThePinnedOrganisation) {
  ASSERT_EQ(Inv({"org-init", "--out", "rival.key"}).exit_code, 0);
  ASSERT_EQ(Inv({"bundle", "--org-key", "rival.key", "--investigator", "a.pub", "--threshold", "1",
                 "--name", "Justice for Iran 1988", "--server",
                 "127.0.0.1:" + std::to_string(port_), "--server-cert", "srv/tls.crt",
                 "--receipt-key", "srv/receipt.pub", "--out", "rival.bundle"})
                .exit_code,
            0);
  for (const std::string lang : {"fa", "en"}) {
    Launch(lang);
    Press("startButton");
    ExpectPage("organisationPage");
    Type("bundlePath", QString::fromStdString((dir_ / "org.bundle").string()));
    Enter("bundlePath");
    if (app_->session().trust() != "pinned") Press("fingerprintMatches");
    ASSERT_TRUE(app_->session().fingerprintConfirmed());
    Item("bundlePath")->setProperty("text", QString());
    Type("bundlePath", QString::fromStdString((dir_ / "rival.bundle").string()));
    Enter("bundlePath");
    EXPECT_EQ(app_->session().bundleRefusal().toStdString(), "mismatch");
    EXPECT_TRUE(Visible("refusal"));
    EXPECT_FALSE(app_->session().hasBundle()) << "the refused bundle cannot be used";
    EXPECT_FALSE(Item("nextButton")->isEnabled());
    EXPECT_NE(
        app_->session().bundleRefusalDetail().toStdString().find("signed by organisation key"),
        std::string::npos);
    Screenshot("1b-organisation-refused");
    app_.reset();
  }
}

}  // namespace
}  // namespace gavah

int main(int argc, char** argv) {
  ::setenv("QT_QPA_PLATFORM", "offscreen", 0);
  if (!gavah::InitCrypto()) return 1;
  QGuiApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
