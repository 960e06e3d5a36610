#include "log_witness.h"

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "gavah/crypto/hex.h"
#include "gavah/crypto/intake_log.h"
#include "gavah/crypto/io.h"
#include "gavah/crypto/process.h"
#include "gavah/crypto/secret_buffer.h"

namespace gavah::relay {
namespace {

Status WriteDurably(const std::string& dir, const std::string& name, std::string_view data,
                    mode_t mode) {
  const std::string tmp = dir + "/." + name + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Error(ErrorCode::kIo, "cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = true;
  for (size_t off = 0; ok && off < data.size();) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) off += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), (dir + "/" + name).c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Error(ErrorCode::kIo, "cannot write " + dir + "/" + name);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || ::fsync(dfd) != 0) {
    if (dfd >= 0) ::close(dfd);
    return Error(ErrorCode::kIo, "cannot sync " + dir);
  }
  ::close(dfd);
  return Status::Ok();
}

Result<std::string> ReadSmall(const std::string& path, size_t max) {
  auto bytes = ReadRegularFile(path, max);
  if (!bytes.ok()) return bytes.status();
  return std::string(bytes->begin(), bytes->end());
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  return s;
}

std::string LogFile(const std::string& origin) {
  return ToHex(Sha256Of(std::span(reinterpret_cast<const uint8_t*>(origin.data()), origin.size())));
}

}  // namespace

Result<std::string> LogWitness::Init(const std::string& dir, const std::string& name_given,
                                     const std::string& listen) {
  if (::mkdir(dir.c_str(), 0700) != 0)
    return Error(ErrorCode::kAlreadyExists, dir + " already exists or cannot be made");
  if (::mkdir((dir + "/logs").c_str(), 0700) != 0)
    return Error(ErrorCode::kIo, "cannot make " + dir + "/logs");
  SecretBuffer seed(32);
  randombytes_buf(seed.data(), seed.size());
  PublicKey32 pk{};
  SecretBuffer sk(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  const std::string name =
      name_given.empty() ? "gavah-witness/" + ToHex(std::span(pk).first(8)) : name_given;
  if (!tlog::IsValidKeyName(name))
    return Error(ErrorCode::kInvalidArgument, "a witness name has no spaces and no '+'");
  const std::string pub =
      tlog::FormatVerifierKey(tlog::MakeVerifierKey(name, pk, tlog::kCosignatureType)) + "\n";
  GAVAH_RETURN_IF_ERROR(WriteDurably(
      dir, "witness.key", std::string_view(reinterpret_cast<const char*>(seed.data()), seed.size()),
      0600));
  GAVAH_RETURN_IF_ERROR(WriteDurably(dir, "witness.pub", pub, 0644));
  GAVAH_RETURN_IF_ERROR(
      WriteDurably(dir, "witness.conf", "listen = " + listen + "\nname = " + name + "\n", 0600));
  return Trim(pub);
}

Result<std::unique_ptr<LogWitness>> LogWitness::Open(const std::string& dir,
                                                     const SecretBuffer& seed,
                                                     std::vector<PublicKey32> logs) {
  std::unique_ptr<LogWitness> w(new LogWitness());
  w->dir_ = dir;
  w->logs_ = std::move(logs);
  // One process per folder: two that each decided alone could cosign two checkpoints of the same
  // size (a relay with witness_listen and `gavah-relay witness` on the same folder, say).
  w->lock_fd_ = ::open((dir + "/witness.key").c_str(), O_RDONLY | O_CLOEXEC);
  if (w->lock_fd_ < 0 || ::flock(w->lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return Error(ErrorCode::kAlreadyExists,
                 dir + " is missing its key or is served by another witness process");
  if (seed.size() != 32)
    return Error(ErrorCode::kMalformed,
                 dir + "/witness.key is not a witness key (run witness-init)");
  GAVAH_ASSIGN_OR_RETURN(std::string conf, ReadSmall(dir + "/witness.conf", 4096));
  std::string name;
  for (size_t pos = 0; pos < conf.size();) {
    const size_t nl = conf.find('\n', pos);
    const std::string line =
        conf.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? conf.size() : nl + 1;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string k = Trim(line.substr(0, eq)), v = Trim(line.substr(eq + 1));
    if (k == "listen") w->listen_ = v;
    if (k == "name") name = v;
  }
  if (name.empty() || !tlog::IsValidKeyName(name))
    return Error(ErrorCode::kMalformed, dir + "/witness.conf names no valid witness name");
  PublicKey32 pk{};
  w->signer_ = tlog::NoteSigner{name, SecretBuffer(crypto_sign_SECRETKEYBYTES)};
  crypto_sign_seed_keypair(pk.data(), w->signer_.secret_key.data(), seed.data());
  w->key_ = tlog::MakeVerifierKey(name, pk, tlog::kCosignatureType);
  return w;
}

LogWitness::~LogWitness() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<std::optional<tlog::WitnessedCheckpoint>> LogWitness::Last(const std::string& origin) const {
  const std::string path = dir_ + "/logs/" + LogFile(origin);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<tlog::WitnessedCheckpoint>();
    return Error(ErrorCode::kIo, "cannot read " + path);
  }
  GAVAH_ASSIGN_OR_RETURN(std::string note, ReadSmall(path, tlog::kMaxNoteSize));
  // What it kept is what it cosigned: the checkpoint's text, read back without its signatures.
  const size_t end = note.find("\n\n");
  if (end == std::string::npos) return Error(ErrorCode::kIo, path + " is damaged");
  auto c = tlog::ParseCheckpoint(std::string_view(note).substr(0, end + 1));
  if (!c.ok() || c->origin != origin) return Error(ErrorCode::kIo, path + " is damaged");
  return std::optional<tlog::WitnessedCheckpoint>(
      tlog::WitnessedCheckpoint{c->size, c->root, note});
}

Status LogWitness::Keep(const std::string& origin, const tlog::WitnessedCheckpoint& c) {
  return WriteDurably(dir_ + "/logs", LogFile(origin), c.note, 0600);
}

server::HttpAnswer LogWitness::Handle(const std::string& method, const std::string& path,
                                      const std::string& body, uint64_t now_unix) {
  auto text = [](int status, std::string b) {
    if (!b.empty() && b.back() != '\n') b += "\n";
    return server::HttpAnswer{status, "text/plain; charset=utf-8", std::move(b)};
  };
  if (path != "/add-checkpoint") return text(404, "no such endpoint");
  if (method != "POST") return text(405, "add-checkpoint is a POST");
  auto request = tlog::ParseAddCheckpoint(body);
  if (!request.ok()) return text(400, request.status().message());
  auto origin = tlog::AddCheckpointOrigin(*request);
  if (!origin.ok()) return text(400, origin.status().message());
  const auto log_key = tlog::LogKeyFromOrigin(*origin);
  const bool listed =
      log_key && (logs_.empty() || std::find(logs_.begin(), logs_.end(), *log_key) != logs_.end());
  if (!listed) return text(404, "this witness does not witness that log");
  const tlog::WitnessedLog log{*origin, {tlog::LogVerifierKey(*log_key)}};
  std::lock_guard<std::mutex> lock(mu_);
  auto last = Last(*origin);
  if (!last.ok()) return text(500, "the witness cannot read its state");
  if (!last->has_value()) {
    size_t kept = 0;
    if (DIR* d = ::opendir((dir_ + "/logs").c_str())) {
      while (dirent* e = ::readdir(d)) kept += e->d_name[0] != '.';
      ::closedir(d);
    }
    if (kept >= kMaxLogs) return text(403, "this witness witnesses as many logs as it can");
  }
  tlog::WitnessAnswer a = tlog::DecideAddCheckpoint(*request, {&log, 1}, *last, signer_, now_unix);
  if (a.http_status == 200 && a.cosigned) {
    // Durable before the answer: a cosignature the witness could forget would let the log roll
    // back past it after a crash.
    if (!Keep(*origin, *a.cosigned).ok()) return text(500, "the witness cannot keep its state");
    return {200, "text/plain; charset=utf-8", a.body};
  }
  if (a.http_status == 409) return {409, "text/x.tlog.size", a.body};
  return text(a.http_status, a.body);
}

}  // namespace gavah::relay
