// Drives the real gavah-witness and gavah-investigator binaries the way people do.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "gavah/crypto/bundle.h"
#include "gavah/crypto/keys.h"
#include "support/process.h"
#include "support/test_support.h"

namespace gavah {
namespace {

namespace fs = std::filesystem;
extern "C" char** environ;

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

std::string ReadText(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void WriteText(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary);
  f << s;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gavah-cli-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    passphrase_ = "correct horse battery staple 1988";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs a binary in the test directory with GAVAH_PASSPHRASE set; stdin from /dev/null.
  Outcome Exec(const std::string& binary, std::vector<std::string> args,
               const std::string& passphrase = "") {
    std::vector<std::string> argv_s = {binary};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s = {
        "PATH=/usr/bin:/bin", "HOME=" + dir_.string(),
        "GAVAH_PASSPHRASE=" + (passphrase.empty() ? passphrase_ : passphrase)};
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    const fs::path out = dir_ / ".stdout", err = dir_ / ".stderr";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const std::string cwd = fs::current_path();
    fs::current_path(dir_);
    pid_t pid;
    Outcome r;
    if (posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv.data(), envp.data()) == 0) {
      int status = 0;
      waitpid(pid, &status, 0);
      r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    fs::current_path(cwd);
    posix_spawn_file_actions_destroy(&fa);
    r.out = ReadText(out);
    r.err = ReadText(err);
    return r;
  }
  Outcome Inv(std::vector<std::string> args, const std::string& pass = "") {
    return Exec(GAVAH_INVESTIGATOR, args, pass);
  }
  Outcome Wit(std::vector<std::string> args) { return Exec(GAVAH_WITNESS, args); }

  // Organisation with investigators a, b, c and threshold k.
  // An organisation (its keys made once per build and copied: see CachedKey; the tests of
  // org-init and keygen themselves run the commands) with investigators a, b and c.
  void MakeOrg(int k) {
    const std::map<std::string, std::string> env = {
        {"PATH", "/usr/bin:/bin"}, {"HOME", dir_.string()}, {"GAVAH_PASSPHRASE", passphrase_}};
    for (const char* n : {"org", "a", "b", "c"})
      ASSERT_EQ(gavah::testing::CachedKey(dir_, GAVAH_INVESTIGATOR, n, env), "");
    Outcome r =
        Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--investigator", "b.pub",
             "--investigator", "c.pub", "--threshold", std::to_string(k), "--out", "org.bundle"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // A failure is one short line on stderr and a plain non-zero exit, never a signal.
  void ExpectCleanFailure(const Outcome& r, const std::string& needle) {
    EXPECT_NE(r.exit_code, 0);
    EXPECT_LT(r.exit_code, 128) << "crashed";
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr: " << r.err;
  }

  fs::path dir_;
  std::string passphrase_;
};

TEST_F(CliTest, SealAndOpenTwoOfThreeEndToEnd) {
  MakeOrg(2);
  const std::string marker = "MARKER-7f3a9c";
  WriteText(dir_ / "t.txt", "I saw the trucks at Khavaran at night. " + marker + "\n");
  std::string photo(3 * 1024 * 1024 + 11, '\0');
  for (size_t i = 0; i < photo.size(); ++i) photo[i] = static_cast<char>(i * 7 + (i >> 9));
  photo += marker;
  WriteText(dir_ / "photo.jpg", photo);
  Outcome s = Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach",
                   "photo.jpg", "--out", "env.gvh", "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("\"envelope_id\""), std::string::npos) << s.out;
  EXPECT_EQ(ReadText(dir_ / "env.gvh").find(marker), std::string::npos);

  Outcome one = Inv({"open", "env.gvh", "--key", "a.key", "--out", "one"});
  ExpectCleanFailure(one, "needs 2");
  EXPECT_FALSE(fs::exists(dir_ / "one"));

  Outcome two =
      Inv({"open", "env.gvh", "--key", "a.key", "--key", "c.key", "--out", "two", "--json"});
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_NE(ReadText(dir_ / "two/testimony.txt").find(marker), std::string::npos);
  EXPECT_EQ(ReadText(dir_ / "two/attachments/01-photo.jpg"), photo);
  const std::string manifest = ReadText(dir_ / "two/manifest.json");
  EXPECT_NE(manifest.find("\"media_type\": \"image/jpeg\""), std::string::npos) << manifest;
  // The id printed by seal is the one open reports and the SHA-256 of the file.
  const auto id_at = s.out.find("\"envelope_id\":\"") + 15;
  const std::string id = s.out.substr(id_at, 64);
  EXPECT_NE(two.out.find(id), std::string::npos);
  EXPECT_NE(manifest.find(id), std::string::npos);
  EXPECT_EQ(fs::status(dir_ / "two").permissions() & fs::perms::others_all, fs::perms::none);

  Outcome again = Inv({"open", "env.gvh", "--key", "a.key", "--key", "b.key", "--out", "two"});
  ExpectCleanFailure(again, "refusing to overwrite");
}

TEST_F(CliTest, TamperedAndTruncatedEnvelopesLeaveNothingBehind) {
  MakeOrg(1);
  WriteText(dir_ / "t.txt", "testimony");
  WriteText(dir_ / "big.bin", std::string(500000, 'z'));
  ASSERT_EQ(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach", "big.bin",
                 "--out", "env.gvh"})
                .exit_code,
            0);
  std::string env = ReadText(dir_ / "env.gvh");
  std::string bad = env;
  bad[bad.size() - 300] ^= 0x55;  // in the last chunk: earlier chunks verify and are written first
  WriteText(dir_ / "bad.gvh", bad);
  ExpectCleanFailure(Inv({"open", "bad.gvh", "--key", "a.key", "--out", "o1"}),
                     "altered or damaged");
  WriteText(dir_ / "cut.gvh", env.substr(0, env.size() - 100));
  ExpectCleanFailure(Inv({"open", "cut.gvh", "--key", "a.key", "--out", "o2"}), "truncated");
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find("partial"), std::string::npos) << e.path();
    EXPECT_NE(e.path().filename(), "o1");
    EXPECT_NE(e.path().filename(), "o2");
  }
}

TEST_F(CliTest, BadInputsGetOneClearLine) {
  MakeOrg(1);
  WriteText(dir_ / "t.txt", "hello");
  ASSERT_EQ(
      Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--out", "env.gvh"}).exit_code,
      0);

  ExpectCleanFailure(Inv({"open", "env.gvh", "--key", "a.key", "--out", "o"}, "wrong passphrase!"),
                     "wrong passphrase");
  ExpectCleanFailure(Inv({"open", "env.gvh", "--key", "a.pub", "--out", "o"}), "public key");
  ExpectCleanFailure(Inv({"open", "env.gvh", "--key", "org.key", "--out", "o"}),
                     "organisation key");
  ExpectCleanFailure(Inv({"open", "nope.gvh", "--key", "a.key", "--out", "o"}),
                     "cannot read nope.gvh");
  WriteText(dir_ / "empty.gvh", "");
  ExpectCleanFailure(Inv({"open", "empty.gvh", "--key", "a.key", "--out", "o"}), "empty");
  WriteText(dir_ / "junk.gvh", std::string(5000, 'j'));
  ExpectCleanFailure(Inv({"open", "junk.gvh", "--key", "a.key", "--out", "o"}),
                     "not a Gavah envelope");

  ExpectCleanFailure(Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub",
                          "--threshold", "2", "--out", "k.bundle"}),
                     "threshold");
  ExpectCleanFailure(Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub",
                          "--threshold", "0", "--out", "k.bundle"}),
                     "threshold");
  ExpectCleanFailure(Inv({"bundle", "--org-key", "a.key", "--investigator", "a.pub", "--threshold",
                          "1", "--out", "k.bundle"}),
                     "not the organisation key");
  EXPECT_FALSE(fs::exists(dir_ / "k.bundle"));

  ExpectCleanFailure(
      Wit({"seal", "--bundle", "org.bundle", "--text-file", "missing.txt", "--out", "e.gvh"}),
      "cannot read missing.txt");
  ExpectCleanFailure(Wit({"seal", "--bundle", "org.bundle", "--attach", "missing.jpg",
                          "--text-file", "t.txt", "--out", "e.gvh"}),
                     "missing.jpg");
  std::string bundle = ReadText(dir_ / "org.bundle");
  bundle[60] ^= 1;
  WriteText(dir_ / "bad.bundle", bundle);
  ExpectCleanFailure(
      Wit({"seal", "--bundle", "bad.bundle", "--text-file", "t.txt", "--out", "e.gvh"}),
      "signature");
  WriteText(dir_ / "cut.bundle",
            ReadText(dir_ / "org.bundle").substr(0, ReadText(dir_ / "org.bundle").size() - 64));
  ExpectCleanFailure(
      Wit({"seal", "--bundle", "cut.bundle", "--text-file", "t.txt", "--out", "e.gvh"}),
      "signature is missing");
  EXPECT_FALSE(fs::exists(dir_ / "e.gvh"));
}

TEST_F(CliTest, PinnedFingerprintRefusesAnotherOrganisation) {
  MakeOrg(1);
  Outcome other = Inv({"org-init", "--out", "other.key", "--json"});
  ASSERT_EQ(other.exit_code, 0);
  const auto at = other.out.find("\"fingerprint\":\"") + 15;
  const std::string other_fp = other.out.substr(at, 32);
  WriteText(dir_ / "t.txt", "hello");
  ExpectCleanFailure(Wit({"seal", "--bundle", "org.bundle", "--org-fingerprint", other_fp,
                          "--text-file", "t.txt", "--out", "e.gvh"}),
                     "not the pinned one");
  Outcome org = Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--threshold",
                     "1", "--out", "x.bundle", "--json"});
  const auto at2 = org.out.find("\"fingerprint\":\"") + 15;
  EXPECT_EQ(Wit({"seal", "--bundle", "org.bundle", "--org-fingerprint", org.out.substr(at2, 32),
                 "--text-file", "t.txt", "--out", "e.gvh"})
                .exit_code,
            0);
}

TEST_F(CliTest, ExpiredBundleIsRefused) {
  InvestigatorPublicKey investigator;
  WriteText(dir_ / "old.bundle", testing::ExpiredBundle(&investigator));
  WriteText(dir_ / "t.txt", "hello");
  ExpectCleanFailure(
      Wit({"seal", "--bundle", "old.bundle", "--text-file", "t.txt", "--out", "e.gvh"}), "expired");
  EXPECT_FALSE(fs::exists(dir_ / "e.gvh"));
  ASSERT_EQ(Inv({"org-init", "--out", "org.key"}).exit_code, 0);
  WriteText(dir_ / "a.pub", investigator.ToText());
  ExpectCleanFailure(Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub",
                          "--threshold", "1", "--expires", "0", "--out", "e.bundle"}),
                     "--expires");
}

TEST_F(CliTest, MoreThan255InvestigatorsAreRefused) {
  ASSERT_TRUE(InitCrypto());
  ASSERT_EQ(Inv({"org-init", "--out", "org.key"}).exit_code, 0);
  std::vector<std::string> args = {"bundle", "--org-key", "org.key",   "--threshold",
                                   "1",      "--out",     "big.bundle"};
  for (int i = 0; i < 256; ++i) {
    const std::string name = "i" + std::to_string(i) + ".pub";
    WriteText(dir_ / name,
              InvestigatorSecretKey::Generate("i" + std::to_string(i)).public_key().ToText());
    args.push_back("--investigator");
    args.push_back(name);
  }
  ExpectCleanFailure(Inv(args), "at most 255");
  EXPECT_FALSE(fs::exists(dir_ / "big.bundle"));
}

TEST_F(CliTest, EnvelopeForAnotherOrganisationIsNotForMe) {
  MakeOrg(1);
  ASSERT_EQ(Inv({"keygen", "--name", "stranger", "--out", "stranger.key"}).exit_code, 0);
  WriteText(dir_ / "t.txt", "hello");
  ASSERT_EQ(
      Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--out", "e.gvh"}).exit_code,
      0);
  Outcome r = Inv({"open", "e.gvh", "--key", "stranger.key", "--out", "o"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("not a recipient"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "o"));
}

TEST_F(CliTest, DirectoryAsAttachmentIsRefused) {
  MakeOrg(1);
  WriteText(dir_ / "t.txt", "hello");
  fs::create_directory(dir_ / "folder");
  ExpectCleanFailure(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach",
                          "folder", "--out", "e.gvh"}),
                     "not a regular file");
}

TEST_F(CliTest, ForgedBundleInTheNameOfAPinnedOrganisationIsRefused) {
  ASSERT_EQ(Inv({"org-init", "--out", "org.key"}).exit_code, 0);
  ASSERT_EQ(Inv({"keygen", "--name", "a", "--out", "a.key"}).exit_code, 0);
  ASSERT_EQ(Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--threshold", "1",
                 "--name", "Justice for Iran", "--out", "real.bundle"})
                .exit_code,
            0);
  WriteText(dir_ / "t.txt", "hello");
  Outcome first =
      Wit({"seal", "--bundle", "real.bundle", "--text-file", "t.txt", "--out", "1.gvh"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("first use"), std::string::npos) << first.err;
  Outcome second =
      Wit({"seal", "--bundle", "real.bundle", "--text-file", "t.txt", "--out", "2.gvh"});
  ASSERT_EQ(second.exit_code, 0);
  EXPECT_NE(second.out.find("pinned on this device"), std::string::npos) << second.out;

  // The state hands out its own bundle under the organisation's name.
  ASSERT_EQ(Inv({"org-init", "--out", "state.key"}).exit_code, 0);
  ASSERT_EQ(Inv({"keygen", "--name", "agent", "--out", "agent.key"}).exit_code, 0);
  Outcome forged =
      Inv({"bundle", "--org-key", "state.key", "--investigator", "agent.pub", "--threshold", "1",
           "--name", "Justice for Iran", "--out", "forged.bundle", "--json"});
  ASSERT_EQ(forged.exit_code, 0);
  ExpectCleanFailure(
      Wit({"seal", "--bundle", "forged.bundle", "--text-file", "t.txt", "--out", "3.gvh"}),
      "not the key");
  EXPECT_FALSE(fs::exists(dir_ / "3.gvh"));
  // A key change the witness confirmed out of band is accepted and becomes the pin.
  const auto at = forged.out.find("\"fingerprint\":\"") + 15;
  ASSERT_EQ(Wit({"seal", "--bundle", "forged.bundle", "--org-fingerprint",
                 forged.out.substr(at, 32), "--text-file", "t.txt", "--out", "4.gvh"})
                .exit_code,
            0);
}

TEST_F(CliTest, AttachmentNamesThatLieAreMadeSafeOnDisk) {
  MakeOrg(1);
  WriteText(dir_ / "t.txt", "hello");
  const std::string tricky = "photo\xe2\x80\xaegpj.exe";  // U+202E makes it display as photoexe.jpg
  WriteText(dir_ / tricky, "data");
  ASSERT_EQ(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach", tricky,
                 "--out", "e.gvh"})
                .exit_code,
            0);
  ASSERT_EQ(Inv({"open", "e.gvh", "--key", "a.key", "--out", "o"}).exit_code, 0);
  EXPECT_EQ(ReadText(dir_ / "o/attachments/01-photo_gpj.exe"), "data");
  EXPECT_NE(ReadText(dir_ / "o/manifest.json").find(tricky), std::string::npos);
}

TEST_F(CliTest, FifoAsEnvelopeIsRefusedWithoutHanging) {
  MakeOrg(1);
  ASSERT_EQ(mkfifo((dir_ / "pipe.gvh").c_str(), 0600), 0);
  ExpectCleanFailure(Inv({"open", "pipe.gvh", "--key", "a.key", "--out", "o"}),
                     "not a regular file");
}

TEST_F(CliTest, KeyFilesAreNeverOverwritten) {
  ASSERT_EQ(Inv({"keygen", "--name", "a", "--out", "a.key"}).exit_code, 0);
  const std::string before = ReadText(dir_ / "a.key");
  ExpectCleanFailure(Inv({"keygen", "--name", "a", "--out", "a.key"}), "refusing to overwrite");
  EXPECT_EQ(ReadText(dir_ / "a.key"), before);
  EXPECT_EQ(
      fs::status(dir_ / "a.key").permissions() & (fs::perms::group_all | fs::perms::others_all),
      fs::perms::none);
}

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out + "\n";
}

TEST_F(CliTest, CodenamesAreSevenFreshWordsAndTwoCheckWordsFromTheList) {
  Outcome a = Wit({"codename"});
  Outcome b = Wit({"codename"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0);
  EXPECT_NE(a.out, b.out);
  const std::string list =
      "\n" + ReadText(fs::path(GAVAH_SOURCE_DIR) / "client/codename_words.txt");
  const auto words = Words(a.out);
  for (const auto& w : words) EXPECT_NE(list.find("\n" + w + "\n"), std::string::npos) << w;
  EXPECT_EQ(words.size(), 9u);
  EXPECT_NE(a.err.find("94 bits"), std::string::npos) << a.err;
  ASSERT_EQ(Wit({"codename", "--out", "code.txt"}).exit_code, 0);
  EXPECT_EQ(
      fs::status(dir_ / "code.txt").permissions() & (fs::perms::group_all | fs::perms::others_all),
      fs::perms::none);
}

TEST_F(CliTest, CodenameAddsAReplyKeyAndWeakCodenamesAreRefused) {
  MakeOrg(1);
  WriteText(dir_ / "t.txt", "hello");
  WriteText(dir_ / "weak.txt", "only three words");
  ExpectCleanFailure(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt",
                          "--codename-file", "weak.txt", "--out", "e.gvh"}),
                     "at least 7 words");
  WriteText(dir_ / "aaa.txt", "a a a a a a a\n");
  ExpectCleanFailure(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt",
                          "--codename-file", "aaa.txt", "--out", "e.gvh"}),
                     "word 1 of the codename is not in the codename word list");
  ASSERT_EQ(Wit({"codename", "--out", "code.txt"}).exit_code, 0);
  ASSERT_EQ(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--codename-file",
                 "code.txt", "--out", "e.gvh"})
                .exit_code,
            0);
  ASSERT_EQ(Inv({"open", "e.gvh", "--key", "a.key", "--out", "o"}).exit_code, 0);
  EXPECT_NE(ReadText(dir_ / "o/manifest.json").find("\"reply_key\": true"), std::string::npos);
}

// Each mistake a person makes copying nine words down is caught before any key is derived, and
// the message says where; the codename's words never appear in it.
TEST_F(CliTest, MistypedCodenamesAreRefusedNamingThePosition) {
  MakeOrg(1);
  WriteText(dir_ / "t.txt", "hello");
  ASSERT_EQ(Wit({"codename", "--out", "code.txt"}).exit_code, 0);
  const auto words = Words(ReadText(dir_ / "code.txt"));
  ASSERT_EQ(words.size(), 9u);
  auto seal_with = [&](const std::vector<std::string>& w) {
    WriteText(dir_ / "try.txt", Join(w));
    fs::remove(dir_ / "e.gvh");
    return Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--codename-file",
                "try.txt", "--out", "e.gvh"});
  };
  auto expect_refused = [&](const std::vector<std::string>& w, const std::string& needle) {
    const Outcome r = seal_with(w);
    ExpectCleanFailure(r, needle);
    for (const auto& word : words) EXPECT_EQ(r.err.find(" " + word + " "), std::string::npos);
    EXPECT_FALSE(fs::exists(dir_ / "e.gvh"));
  };
  auto typo = words;
  typo[3] += "x";  // a letter too many: not a word of the list
  expect_refused(typo, "word 4 of the codename is not in the codename word list");
  auto other = words;
  other[5] = words[5] == "apple" ? "cable" : "apple";  // another word of the list
  expect_refused(other, "word 6 is wrong");
  auto swapped = words;
  std::swap(swapped[2], swapped[4]);
  if (swapped != words) expect_refused(swapped, "words 3 and 5 are swapped");
  auto missing = words;
  missing.erase(missing.begin() + 1);
  expect_refused(missing, "word 2 is missing");
  auto extra = words;
  extra.insert(extra.begin() + 7, "apple");
  expect_refused(extra, "word 8 is one too many");
  // Upper case and extra spaces are not mistakes.
  std::string loose = "  ";
  for (auto w : words) {
    for (auto& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    loose += w + "   ";
  }
  WriteText(dir_ / "loose.txt", loose);
  EXPECT_EQ(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--codename-file",
                 "loose.txt", "--out", "l.gvh"})
                .exit_code,
            0);
}

// Seven words from the list, as gavah-witness made them before check words, still derive the
// same key, with a note that nothing could be checked.
TEST_F(CliTest, SevenWordCodenamesFromBeforeStillWork) {
  MakeOrg(1);
  WriteText(dir_ / "t.txt", "hello");
  WriteText(dir_ / "old.txt", "copper meadow harbor falcon river willow candle\n");
  const Outcome r = Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt",
                         "--codename-file", "old.txt", "--out", "e.gvh"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("no check words"), std::string::npos) << r.err;
  ASSERT_EQ(Inv({"open", "e.gvh", "--key", "a.key", "--out", "o"}).exit_code, 0);
  EXPECT_NE(ReadText(dir_ / "o/manifest.json").find("\"reply_key\": true"), std::string::npos);
}

// A witness who has sealed for a newer bundle refuses an older one of the same organisation
// (it may list an investigator the organisation removed), naming both dates.
TEST_F(CliTest, AnOlderBundleIsRefusedOnceANewerOneWasUsed) {
  ASSERT_EQ(Inv({"org-init", "--out", "org.key"}).exit_code, 0);
  for (const char* n : {"a", "b"})
    ASSERT_EQ(Inv({"keygen", "--name", n, "--out", std::string(n) + ".key"}).exit_code, 0);
  ASSERT_EQ(Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--investigator",
                 "b.pub", "--threshold", "1", "--name", "Org", "--out", "old.bundle"})
                .exit_code,
            0);
  sleep(1);  // issue dates are in seconds
  ASSERT_EQ(Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--threshold", "1",
                 "--name", "Org", "--out", "new.bundle"})
                .exit_code,
            0);
  WriteText(dir_ / "t.txt", "hello");
  // Before the newer one is seen, the older one is all this device knows: accepted.
  ASSERT_EQ(
      Wit({"seal", "--bundle", "old.bundle", "--text-file", "t.txt", "--out", "1.gvh"}).exit_code,
      0);
  ASSERT_EQ(
      Wit({"seal", "--bundle", "new.bundle", "--text-file", "t.txt", "--out", "2.gvh"}).exit_code,
      0);
  const Outcome r =
      Wit({"seal", "--bundle", "old.bundle", "--text-file", "t.txt", "--out", "3.gvh"});
  ExpectCleanFailure(r, "is an older bundle of this organisation");
  EXPECT_NE(r.err.find(" UTC, but one issued "), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "3.gvh"));
  // The same bundle again, or a pin file written before issue dates were kept, is fine.
  EXPECT_EQ(
      Wit({"seal", "--bundle", "new.bundle", "--text-file", "t.txt", "--out", "4.gvh"}).exit_code,
      0);
}

// A FIFO, a link or a device in place of an input file is refused at once, never waited on.
TEST_F(CliTest, InputsThatAreNotRegularFilesAreRefusedWithoutHanging) {
  MakeOrg(1);
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  fs::create_symlink(dir_ / "org.bundle", dir_ / "link.bundle");
  WriteText(dir_ / "t.txt", "hello");
  ExpectCleanFailure(Wit({"seal", "--bundle", "fifo", "--text-file", "t.txt", "--out", "e.gvh"}),
                     "not a regular file");
  ExpectCleanFailure(
      Wit({"seal", "--bundle", "link.bundle", "--text-file", "t.txt", "--out", "e.gvh"}),
      "a symbolic link");
  ExpectCleanFailure(
      Wit({"seal", "--bundle", "org.bundle", "--text-file", "fifo", "--out", "e.gvh"}),
      "not a regular file");
  ExpectCleanFailure(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach",
                          "fifo", "--out", "e.gvh"}),
                     "not a regular file");
  fs::create_directory(dir_ / "pkg");
  ASSERT_EQ(::mkfifo((dir_ / "pkg/manifest.txt").c_str(), 0600), 0);
  ExpectCleanFailure(Inv({"verify-export", "pkg"}), "manifest.txt: not a regular file");
  ASSERT_EQ(
      Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--out", "e.gvh"}).exit_code,
      0);
  ExpectCleanFailure(Inv({"open", "e.gvh", "--key", "fifo", "--out", "o"}), "not a regular file");
  ExpectCleanFailure(Inv({"open", "fifo", "--key", "a.key", "--out", "o"}), "not a regular file");
}

// What a photo says about the phone that took it is shown before anything is sealed, and
// --clean-metadata seals a copy without it; without the flag the original goes as it is.
TEST_F(CliTest, InspectShowsWhatAPhotoRevealsAndCleanMetadataSealsACopyWithoutIt) {
  MakeOrg(1);
  auto tool = [&](const std::string& bin, std::vector<std::string> args) {
    Outcome r = Exec(bin, std::move(args));
    ASSERT_EQ(r.exit_code, 0) << bin << ": " << r.err;
  };
  tool("/usr/bin/convert", {"-size", "64x48", "gradient:red-blue", "photo.jpg"});
  tool("/usr/bin/exiv2", {"-M", "set Exif.GPSInfo.GPSLatitude 35/1 41/1 2/1", "-M",
                          "set Exif.GPSInfo.GPSLatitudeRef N", "-M",
                          "set Exif.Photo.BodySerialNumber SN-19880719", "photo.jpg"});
  Outcome seen = Wit({"inspect", "photo.jpg"});
  ASSERT_EQ(seen.exit_code, 0) << seen.err;
  EXPECT_NE(seen.out.find("location"), std::string::npos) << seen.out;
  EXPECT_NE(seen.out.find("35.68"), std::string::npos) << seen.out;
  EXPECT_NE(seen.out.find("SN-19880719"), std::string::npos) << seen.out;
  EXPECT_NE(seen.out.find("--clean-metadata"), std::string::npos) << seen.out;
  Outcome json = Wit({"inspect", "photo.jpg", "--json"});
  EXPECT_NE(json.out.find("\"can_clean\":true"), std::string::npos) << json.out;
  ExpectCleanFailure(Wit({"inspect", "no-such.jpg"}), "no-such.jpg");

  WriteText(dir_ / "t.txt", "photo of the gate");
  for (const bool clean : {true, false}) {
    const std::string out = clean ? "clean.gvh" : "original.gvh";
    std::vector<std::string> args = {"seal",        "--bundle", "org.bundle",
                                     "--text-file", "t.txt",    "--attach",
                                     "photo.jpg",   "--out",    out};
    if (clean) args.push_back("--clean-metadata");
    Outcome sealed = Wit(args);
    ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
    const std::string dir = clean ? "clean" : "original";
    ASSERT_EQ(Inv({"open", out, "--key", "a.key", "--out", dir}).exit_code, 0);
    // A cleaned copy goes under a neutral name: a phone's file name dates the photo.
    const std::string got = ReadText(
        dir_ / dir / (clean ? "attachments/01-attachment-1.jpg" : "attachments/01-photo.jpg"));
    EXPECT_FALSE(got.empty());
    EXPECT_EQ(got.find("SN-19880719") == std::string::npos, clean);
    EXPECT_EQ(got == ReadText(dir_ / "photo.jpg"), !clean);
  }
  // A file that cannot be cleaned is refused with --clean-metadata, and nothing is written.
  WriteText(dir_ / "notes.bin", std::string(100, '\x07'));
  ExpectCleanFailure(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--attach",
                          "notes.bin", "--clean-metadata", "--out", "x.gvh"}),
                     "cannot be cleaned");
  EXPECT_FALSE(fs::exists(dir_ / "x.gvh"));
}

// The permissions a witness gives are sealed with the testimony and shown to whoever opens it;
// a consent file that says something else than the known permissions is refused.
TEST_F(CliTest, ConsentFromAFileIsSealedAndBadConsentFilesAreRefused) {
  MakeOrg(1);
  WriteText(dir_ / "t.txt", "hello");
  WriteText(dir_ / "consent.txt", "# what I allow\nun-mechanism\n\ninvestigators\n");
  ASSERT_EQ(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--consent-file",
                 "consent.txt", "--out", "e.gvh"})
                .exit_code,
            0);
  ASSERT_EQ(Inv({"open", "e.gvh", "--key", "a.key", "--out", "o"}).exit_code, 0);
  EXPECT_NE(ReadText(dir_ / "o/manifest.json")
                .find("  \"consent\": [\"investigators\", \"un-mechanism\"],\n"),
            std::string::npos)
      << ReadText(dir_ / "o/manifest.json");
  // Without a consent file nothing is claimed: no consent line at all.
  ASSERT_EQ(
      Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--out", "n.gvh"}).exit_code,
      0);
  ASSERT_EQ(Inv({"open", "n.gvh", "--key", "a.key", "--out", "n"}).exit_code, 0);
  EXPECT_EQ(ReadText(dir_ / "n/manifest.json").find("consent"), std::string::npos);
  const std::pair<std::string, std::string> bad[] = {
      {"investigators\nshare-with-press\n", "line 2: unknown permission \"share-with-press\""},
      {"investigators\ninvestigators\n", "line 2: \"investigators\" is given twice"},
      {"# nothing\n\n", "no permission given"},
      {"My brother was taken in 1367\n", "line 1: unknown permission (known:"},
  };
  for (const auto& [text, message] : bad) {
    WriteText(dir_ / "bad.txt", text);
    ExpectCleanFailure(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt",
                            "--consent-file", "bad.txt", "--out", "bad.gvh"}),
                       message);
    EXPECT_FALSE(fs::exists(dir_ / "bad.gvh"));
  }
  // Being contacted again needs a way to be contacted: a codename.
  WriteText(dir_ / "bad.txt", "investigators\ncontact-again\n");
  ExpectCleanFailure(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt",
                          "--consent-file", "bad.txt", "--out", "bad.gvh"}),
                     "without a codename no reply can reach you");
  // A line of testimony pasted into the wrong file is not echoed back.
  WriteText(dir_ / "bad.txt", "My brother was taken in 1367\n");
  Outcome r = Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--consent-file",
                   "bad.txt", "--out", "bad.gvh"});
  EXPECT_EQ(r.err.find("brother"), std::string::npos) << r.err;
}

// A Persian codename: nine words of the Persian list; typed again with Arabic yeh and kaf and a
// zero-width non-joiner it is the same codename; one word changed is caught, naming where.
TEST_F(CliTest, PersianCodenamesCheckOutHoweverTheyAreTyped) {
  MakeOrg(1);
  Outcome made = Wit({"codename", "--persian"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const auto words = Words(made.out);
  ASSERT_EQ(words.size(), 9u);
  const std::string list =
      "\n" + ReadText(fs::path(GAVAH_SOURCE_DIR) / "client/codename_words_fa.txt");
  for (const auto& w : words) EXPECT_NE(list.find("\n" + w + "\n"), std::string::npos) << w;
  EXPECT_NE(made.err.find("77 bits"), std::string::npos) << made.err;
  WriteText(dir_ / "t.txt", "سلام");
  // The first line of tests/vectors/codename-fa.txt: Arabic letters, madda, alef maksura.
  const std::string line = ReadText(fs::path(GAVAH_SOURCE_DIR) / "tests/vectors/codename-fa.txt");
  WriteText(dir_ / "arabic.txt", line.substr(0, line.find('\t')) + "\n");
  Outcome sealed = Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--codename-file",
                        "arabic.txt", "--out", "e.gvh"});
  EXPECT_EQ(sealed.exit_code, 0) << sealed.err;
  // An English codename pasted after a no-break space and a right-to-left mark is still English.
  ASSERT_EQ(Wit({"codename", "--out", "en.txt"}).exit_code, 0);
  WriteText(dir_ / "pasted.txt", "\xc2\xa0\xe2\x80\x8f" + ReadText(dir_ / "en.txt"));
  Outcome pasted = Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt", "--codename-file",
                        "pasted.txt", "--out", "p.gvh"});
  EXPECT_EQ(pasted.exit_code, 0) << pasted.err;
  std::string typo = made.out;
  // One word replaced by another of the list: the check words catch it.
  const std::string first = words[0];
  const std::string other = words[0] == "اب" ? "اتش" : "اب";
  typo.replace(typo.find(first), first.size(), other);
  WriteText(dir_ / "typo.txt", typo);
  ExpectCleanFailure(Wit({"seal", "--bundle", "org.bundle", "--text-file", "t.txt",
                          "--codename-file", "typo.txt", "--out", "f.gvh"}),
                     "does not check out");
}

}  // namespace
}  // namespace gavah
