#include "cli_support.h"

#include <fcntl.h>
#include <google/protobuf/stubs/logging.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <variant>

#include "gavah/crypto/process.h"

namespace gavah::cli {

void Fail(std::string message, int exit_code) { throw Failure{std::move(message), exit_code}; }

void Fail(const std::string& what, const Status& status) {
  Fail(what.empty() ? status.message() : what + ": " + status.message());
}

namespace {

std::string Errno() { return std::strerror(errno); }

// Strips one trailing newline (files written by editors and `echo` end with one).
void TrimNewline(SecretBuffer& b) {
  if (!b.empty() && b.data()[b.size() - 1] == '\n') b.Resize(b.size() - 1);
  if (!b.empty() && b.data()[b.size() - 1] == '\r') b.Resize(b.size() - 1);
}

SecretBuffer PromptOnTerminal(const std::string& prompt) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    Fail("no passphrase given: use a terminal, --passphrase-file FILE or GAVAH_PASSPHRASE");
  }
  termios old{};
  const bool is_tty = tcgetattr(fd, &old) == 0;
  if (is_tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  (void)!::write(fd, prompt.data(), prompt.size());
  SecretBuffer out;
  out.Reserve(256);
  for (;;) {
    uint8_t c;
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    out.PushBack(c);
    if (out.size() > 4096) {
      if (is_tty) tcsetattr(fd, TCSAFLUSH, &old);
      ::close(fd);
      Fail("the passphrase is longer than 4096 bytes");
    }
  }
  if (is_tty) tcsetattr(fd, TCSAFLUSH, &old);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  TrimNewline(out);
  return out;
}

}  // namespace

SecretBuffer ReadPassphrase(const PassphraseSource& source, const std::string& prompt,
                            bool confirm) {
  SecretBuffer pass;
  if (!source.file.empty()) {
    pass = ReadSecretFile(source.file, 4096);
    TrimNewline(pass);
  } else if (const SecretBuffer& env = EnvironmentPassphrase(); !env.empty()) {
    pass = SecretBuffer::CopyOf(env.span());  // taken out of the environment at start
  } else {
    pass = PromptOnTerminal(prompt);
    if (confirm && !pass.empty()) {
      SecretBuffer again = PromptOnTerminal("Repeat it: ");
      if (!pass.Equals(again.span())) Fail("the two passphrases differ");
    }
  }
  if (pass.empty()) Fail("the passphrase is empty");
  return pass;
}

namespace {

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

std::vector<uint8_t> ReadSmallFile(const std::string& path, size_t max_size) {
  return Must(ReadRegularFile(path, max_size), "");
}

SecretBuffer ReadSecretFile(const std::string& path, size_t max_size) {
  return Must(ReadRegularSecretFile(path, max_size), "");
}

void FailIfExists(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) Fail(path + " already exists; refusing to overwrite it");
}

namespace {

// `bytes` in a new temporary file beside `path` (mode `mode`), synced: its name, or the errno
// that stopped it (the temporary removed).
std::variant<std::string, int> WriteTemporaryBeside(const std::string& path,
                                                    std::span<const uint8_t> bytes, unsigned mode) {
  std::string tmp = DirName(path) + "/.gavah-tmp-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return errno;
  bool ok = ::fchmod(fd, mode) == 0;
  for (size_t off = 0; ok && off < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) off += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return saved;
  }
  return tmp;
}

}  // namespace

Status TryReplaceFile(const std::string& path, std::span<const uint8_t> bytes, unsigned mode) {
  const auto cannot = [&](int e) {
    return Error(ErrorCode::kIo, "cannot write " + path + ": " + std::strerror(e));
  };
  auto tmp = WriteTemporaryBeside(path, bytes, mode);
  if (const int* e = std::get_if<int>(&tmp)) return cannot(*e);
  const std::string& name = std::get<std::string>(tmp);
  if (::rename(name.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(name.c_str());
    return cannot(e);
  }
  return TrySyncDirOf(path);
}

Status TryWriteNewFile(const std::string& path, std::span<const uint8_t> bytes, unsigned mode) {
  struct stat st {};
  const auto exists = [&] {
    return Error(ErrorCode::kInvalidArgument, path + " already exists; refusing to overwrite it");
  };
  const auto cannot = [&](int e) {
    return Error(ErrorCode::kIo, "cannot write " + path + ": " + std::strerror(e));
  };
  if (::lstat(path.c_str(), &st) == 0) return exists();
  auto written = WriteTemporaryBeside(path, bytes, mode);
  if (const int* e = std::get_if<int>(&written)) return cannot(*e);
  const std::string tmp = std::get<std::string>(written);
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return e == EEXIST ? exists() : cannot(e);
  }
  ::unlink(tmp.c_str());
  return TrySyncDirOf(path);
}

void WriteNewFile(const std::string& path, std::span<const uint8_t> bytes, unsigned mode) {
  if (const Status st = TryWriteNewFile(path, bytes, mode); !st.ok()) Fail("", st);
}

StagingDir::StagingDir(const std::string& final_path) : final_(final_path) {
  FailIfExists(final_path);
  path_ = final_path;
  while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
  path_ += ".partial-XXXXXX";
  if (::mkdtemp(path_.data()) == nullptr) Fail("cannot create " + final_path + ": " + Errno());
}

Result<std::unique_ptr<StagingDir>> StagingDir::TryCreate(const std::string& final_path) {
  struct stat st {};
  if (::lstat(final_path.c_str(), &st) == 0)
    return Error(ErrorCode::kAlreadyExists,
                 final_path + " already exists; refusing to overwrite it");
  std::unique_ptr<StagingDir> d(new StagingDir());
  d->final_ = final_path;
  d->path_ = final_path;
  while (d->path_.size() > 1 && d->path_.back() == '/') d->path_.pop_back();
  d->path_ += ".partial-XXXXXX";
  if (::mkdtemp(d->path_.data()) == nullptr) {
    d->committed_ = true;  // nothing to remove
    return Error(ErrorCode::kIo, "cannot create " + final_path + ": " + Errno());
  }
  return d;
}

StagingDir::~StagingDir() {
  std::error_code ignored;
  if (!committed_) std::filesystem::remove_all(path_, ignored);
}

void StagingDir::Commit() {
  if (const Status st = TryCommit(); !st.ok()) Fail(st.message());
}

Status StagingDir::TryCommit() {
  if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, final_.c_str(), RENAME_NOREPLACE) != 0) {
    return Error(errno == EEXIST ? ErrorCode::kAlreadyExists : ErrorCode::kIo,
                 errno == EEXIST ? final_ + " already exists; refusing to overwrite it"
                                 : "cannot create " + final_ + ": " + Errno());
  }
  committed_ = true;
  return TrySyncDirOf(final_);
}

Status TrySyncDirOf(const std::string& path) {
  const std::string dir = DirName(path);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int e = errno;
    if (fd >= 0) ::close(fd);
    return Error(ErrorCode::kIo, "cannot sync the folder " + dir + ": " + std::strerror(e));
  }
  ::close(fd);
  return Status::Ok();
}

void SyncDirOf(const std::string& path) {
  if (const Status st = TrySyncDirOf(path); !st.ok()) Fail("", st);
}

std::string PublicPathFor(const std::string& key_path) {
  if (key_path.size() > 4 && key_path.compare(key_path.size() - 4, 4, ".key") == 0) {
    return key_path.substr(0, key_path.size() - 4) + ".pub";
  }
  return key_path + ".pub";
}

namespace {

std::vector<uint8_t> ReadKeyFile(const std::string& path) {
  auto bytes = ReadSmallFile(path, 4096);
  auto kind = PeekKeyFileKind(bytes);
  if (!kind.ok()) {
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (text.starts_with("gavah-investigator-v1 ") || text.starts_with("gavah-investigator-v2 ") ||
        text.starts_with("gavah-organisation-v1 ")) {
      Fail(path + " is a public key; this needs the secret key file (.key)");
    }
    Fail(path, kind.status());
  }
  return bytes;
}

}  // namespace

InvestigatorSecretKey LoadInvestigatorKey(const std::string& path, const PassphraseSource& source) {
  auto bytes = ReadKeyFile(path);
  auto kind = PeekKeyFileKind(bytes);
  if (kind.value() != KeyKind::kInvestigator) {
    Fail(path + " is the organisation key, not an investigator key");
  }
  SecretBuffer pass = ReadPassphrase(source, "Passphrase for " + path + ": ", false);
  SecretBuffer secret = Must(DecryptKeyFile(bytes, KeyKind::kInvestigator, pass.span()), path);
  return Must(ParseInvestigatorSecret(secret, PeekKeyFileVersion(bytes).value()), path);
}

OrganisationKey LoadOrganisationKey(const std::string& path, const PassphraseSource& source) {
  auto bytes = ReadKeyFile(path);
  if (PeekKeyFileKind(bytes).value() != KeyKind::kOrganisation) {
    Fail(path + " is an investigator key, not the organisation key");
  }
  SecretBuffer pass = ReadPassphrase(source, "Passphrase for " + path + ": ", false);
  return Must(OrganisationKey::FromSeed(
                  Must(DecryptKeyFile(bytes, KeyKind::kOrganisation, pass.span()), path)),
              path);
}

Result<RecipientBundle> TryLoadBundle(const std::string& path,
                                      const std::string& pinned_fingerprint, bool require_current) {
  std::optional<Fingerprint> pin;
  if (!pinned_fingerprint.empty()) {
    auto fp = FingerprintFromText(pinned_fingerprint);
    if (!fp.ok()) return Error(fp.status().code(), "--org-fingerprint: " + fp.status().message());
    pin = fp.value();
  }
  auto bytes = ReadRegularFile(path, 8 + 32 + 4 + kMaxBundleBodyV2 + 64);
  if (!bytes.ok()) return bytes.status();
  auto bundle = RecipientBundle::Parse(bytes.value(), pin);
  if (!bundle.ok()) return Error(bundle.status().code(), path + ": " + bundle.status().message());
  if (require_current) {
    const Status st = bundle->CheckCurrent(NowUnix());
    if (!st.ok()) return Error(st.code(), path + ": " + st.message());
  }
  return bundle;
}

RecipientBundle LoadBundle(const std::string& path, const std::string& pinned_fingerprint,
                           bool require_current) {
  return Must(TryLoadBundle(path, pinned_fingerprint, require_current), "");
}

Status TryCheckNotOlder(const RecipientBundle& bundle, uint64_t newest_seen,
                        const std::string& path) {
  const uint64_t issued = bundle.contents().issued_at;
  if (issued >= newest_seen) return Status::Ok();
  return Error(
      ErrorCode::kInvalidArgument,
      path + " is an older bundle of this organisation: it was issued " + UtcTime(issued) +
          ", but one issued " + UtcTime(newest_seen) +
          " was already seen here; an old bundle may list investigators or servers the "
          "organisation has removed, so it is refused (ask the organisation for its current "
          "bundle)");
}

void CheckNotOlder(const RecipientBundle& bundle, uint64_t newest_seen, const std::string& path) {
  if (const Status st = TryCheckNotOlder(bundle, newest_seen, path); !st.ok()) Fail("", st);
}

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

JsonObject& JsonObject::AddRaw(std::string_view key, std::string_view raw_json) {
  if (!body_.empty()) body_ += ",";
  body_ += JsonQuote(key) + ":" + std::string(raw_json);
  return *this;
}
JsonObject& JsonObject::Add(std::string_view key, std::string_view value) {
  return AddRaw(key, JsonQuote(value));
}
JsonObject& JsonObject::Add(std::string_view key, uint64_t value) {
  return AddRaw(key, std::to_string(value));
}
JsonObject& JsonObject::AddBool(std::string_view key, bool value) {
  return AddRaw(key, value ? "true" : "false");
}

namespace {
volatile std::sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) { g_interrupted = 1; }
}  // namespace

void CatchInterrupts() {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

bool Interrupted() { return g_interrupted != 0; }

int RunMain(const char* program, int (*body)(int, char**), int argc, char** argv) {
  // libprotobuf logs parse complaints on stderr over several lines; our errors say it in one.
  google::protobuf::SetLogHandler(nullptr);
  if (!InitCrypto()) {
    std::fprintf(stderr, "%s: cannot initialise libsodium\n", program);
    return 1;
  }
  if (const Status hardened = HardenProcess(); !hardened.ok()) {
    std::fprintf(stderr, "%s: %s\n", program, hardened.message().c_str());
    return 1;
  }
  try {
    return body(argc, argv);
  } catch (const Failure& f) {
    std::fprintf(stderr, "%s: %s\n", program, f.message.c_str());
    return f.exit_code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program, e.what());
    return 1;
  }
}

}  // namespace gavah::cli
