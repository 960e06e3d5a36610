#include "testimony_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "cli_support.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/process.h"
#include "gavah/crypto/utf8.h"

namespace gavah::cli {
namespace {

Status IoError(const std::string& what) {
  return Error(ErrorCode::kIo, what + ": " + std::strerror(errno));
}

// Removes a directory tree without following links. Returns false if anything stayed.
bool RemoveTree(int parent_fd, const char* name) {
  bool ok = true;
  const int fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    if (DIR* d = ::fdopendir(fd)) {
      while (dirent* e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
        bool is_dir = e->d_type == DT_DIR;
        if (e->d_type == DT_UNKNOWN) {  // some file systems do not say; ask
          struct stat st {};
          is_dir = ::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                   S_ISDIR(st.st_mode);
        }
        if (is_dir) {
          ok = RemoveTree(::dirfd(d), e->d_name) && ok;
        } else if (::unlinkat(::dirfd(d), e->d_name, 0) != 0) {
          ok = false;
        }
      }
      ::closedir(d);
    } else {
      ::close(fd);
    }
  }
  return ::unlinkat(parent_fd, name, AT_REMOVEDIR) == 0 && ok;
}

// JSON string escaping into secret memory (names and places are testimony).
void AppendJsonString(SecretBuffer& out, std::string_view s) {
  out.PushBack('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.PushBack('\\');
      out.PushBack(c);
    } else if (c < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.Append(std::string_view(esc, 6));
    } else {
      out.PushBack(c);
    }
  }
  out.PushBack('"');
}

void AppendField(SecretBuffer& out, std::string_view key, std::string_view value,
                 bool last = false) {
  out.Append("  ");
  AppendJsonString(out, key);
  out.Append(": ");
  AppendJsonString(out, value);
  out.Append(last ? "\n" : ",\n");
}

// The name as it may be stored on any file system and shown without lying: characters that
// are controls, bidirectional marks or refused by Windows become '_', and the result is cut at a
// UTF-8 boundary to `max` bytes. The witness's exact name stays in manifest.json.
void AppendSafeFileName(SecretBuffer& out, std::string_view name, size_t max) {
  size_t used = 0;
  for (size_t i = 0; i < name.size();) {
    const size_t start = i;
    const uint32_t cp = NextCodePoint(name, i);
    const size_t len = IsUnsafeInFileName(cp) ? 1 : i - start;
    if (used + len > max) break;
    if (IsUnsafeInFileName(cp)) {
      out.PushBack('_');
    } else {
      out.Append(name.substr(start, len));
    }
    used += len;
  }
}

}  // namespace

Result<std::unique_ptr<TestimonyDirectory>> TestimonyDirectory::TryCreate(const std::string& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) == 0) {
    bool empty = false;
    if (S_ISDIR(st.st_mode)) {
      if (DIR* d = ::opendir(dir.c_str())) {
        empty = true;
        while (dirent* e = ::readdir(d)) {
          if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) empty = false;
        }
        ::closedir(d);
      }
    }
    if (!empty)
      return Error(ErrorCode::kAlreadyExists,
                   dir + " already exists and is not empty; refusing to overwrite");
  }
  std::unique_ptr<TestimonyDirectory> t(new TestimonyDirectory(dir));
  std::string parent = ".", base = dir;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  if (const size_t slash = base.rfind('/'); slash != std::string::npos) {
    parent = slash == 0 ? "/" : base.substr(0, slash);
    base = base.substr(slash + 1);
  }
  t->staging_ = parent + "/." + base + ".partial-XXXXXX";
  if (::mkdtemp(t->staging_.data()) == nullptr) {
    t->staging_.clear();
    return Error(ErrorCode::kIo,
                 "cannot create a folder beside " + dir + ": " + std::strerror(errno));
  }
  t->staging_fd_ = ::open(t->staging_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (t->staging_fd_ < 0)
    return Error(ErrorCode::kIo, "cannot open " + t->staging_ + ": " + std::strerror(errno));
  return t;
}

std::unique_ptr<TestimonyDirectory> TestimonyDirectory::Create(const std::string& dir) {
  auto t = TryCreate(dir);
  if (!t.ok()) Fail("", t.status());
  return std::move(t).value();
}

std::unique_ptr<TestimonyDirectory> TestimonyDirectory::ForComparison(const std::string& dir) {
  std::unique_ptr<TestimonyDirectory> t(new TestimonyDirectory(dir));
  t->compare_ = true;
  return t;
}

namespace {

// SHA-256 and size of a regular file under `dir` (no links followed, nothing that blocks).
Result<std::pair<uint64_t, Digest32>> HashRegularFile(const std::string& path) {
  uint64_t size = 0;
  GAVAH_ASSIGN_OR_RETURN(int fd, OpenRegularFile(path, UINT64_MAX, &size));
  FdSource src(fd, path);
  Sha256 sha;
  SecretBuffer buf(1 << 20);  // the package's plaintext passes through it
  uint64_t total = 0;
  for (;;) {
    auto n = src.Read(buf.span());
    if (!n.ok()) {
      ::close(fd);
      return n.status();
    }
    if (*n == 0) break;
    sha.Update({buf.data(), *n});
    total += *n;
  }
  ::close(fd);
  return std::make_pair(total, sha.Final());
}

}  // namespace

void TestimonyDirectory::CompareDigest(const std::string& rel, uint64_t size,
                                       const Digest32& sha256) {
  auto got = HashRegularFile(dir_ + "/" + rel);
  if (!got.ok()) {
    differences_.push_back(rel + ": missing or not a regular file, but the envelope holds it");
  } else if (got->first != size || got->second != sha256) {
    differences_.push_back(rel + ": differs from what the witness sealed in the envelope");
  }
}

void TestimonyDirectory::CompareFile(const std::string& rel, std::span<const uint8_t> bytes) {
  CompareDigest(rel, bytes.size(), Sha256Of(bytes));
}

TestimonyDirectory::~TestimonyDirectory() {
  current_.reset();
  if (current_fd_ >= 0) ::close(current_fd_);
  if (attachments_fd_ >= 0) ::close(attachments_fd_);
  if (staging_fd_ >= 0) ::close(staging_fd_);
  if (!committed_ && !staging_.empty() && !RemoveTree(AT_FDCWD, staging_.c_str())) {
    const std::string what =
        "could not remove " + staging_ + ", which holds unverified plaintext; delete it";
    if (on_leftover_) {
      on_leftover_(what);
    } else {
      std::fprintf(stderr, "warning: %s\n", what.c_str());
    }
  }
}

Status TestimonyDirectory::WriteSmallFile(int dirfd, const char* name,
                                          std::span<const uint8_t> bytes) {
  const int fd = ::openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create a file in " + dir_);
  ThreadedFdSink sink(fd, "a file in " + dir_);
  Status st = sink.Write(bytes);
  if (st.ok()) st = sink.Finish();
  ::close(fd);
  return st;
}

Status TestimonyDirectory::OnTestimony(const TestimonyView& t) {
  if (Interrupted()) return Error(ErrorCode::kIo, "interrupted; nothing was written");
  if (compare_) {
    CompareFile("testimony.txt", t.text);
  } else {
    GAVAH_RETURN_IF_ERROR(WriteSmallFile(staging_fd_, "testimony.txt", t.text));
  }
  text_size_ = t.text.size();
  text_sha256_ = Sha256Of(t.text);
  language_ = SecretBuffer::CopyOf(
      {reinterpret_cast<const uint8_t*>(t.language.data()), t.language.size()});
  event_time_ = SecretBuffer::CopyOf(
      {reinterpret_cast<const uint8_t*>(t.event_time.data()), t.event_time.size()});
  event_place_ = SecretBuffer::CopyOf(
      {reinterpret_cast<const uint8_t*>(t.event_place.data()), t.event_place.size()});
  has_reply_key_ = t.reply_public_key.has_value();
  reply_key_ = t.reply_public_key;
  reply_xwing_key_ = t.reply_xwing_public_key;
  consent_.reset();
  if (t.consent) {
    consent_.emplace();
    for (const std::string_view token : *t.consent) {
      if (!consent_->empty()) consent_->PushBack('\n');
      consent_->Append(token);
    }
  }
  if (t.attachments.empty()) return Status::Ok();
  if (!compare_) {
    if (::mkdirat(staging_fd_, "attachments", 0700) != 0)
      return IoError("cannot create attachments/");
    attachments_fd_ = ::openat(staging_fd_, "attachments", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (attachments_fd_ < 0) return IoError("cannot open attachments/");
  }
  const int width = t.attachments.size() < 100 ? 2 : 4;
  for (size_t i = 0; i < t.attachments.size(); ++i) {
    const auto& a = t.attachments[i];
    AttachmentRecord r;
    char prefix[24];
    std::snprintf(prefix, sizeof prefix, "%0*zu-", width, i + 1);
    // The decoder already refused '/', "." and ".."; the number keeps names distinct and
    // stops a name from starting with '.' or '-'. NAME_MAX is 255 bytes.
    r.path.Append("attachments/");
    r.path.Append(std::string_view(prefix));
    AppendSafeFileName(r.path, a.name, 255 - std::strlen(prefix));
    r.path.PushBack('\0');
    r.name = SecretBuffer::CopyOf({reinterpret_cast<const uint8_t*>(a.name.data()), a.name.size()});
    r.media_type = SecretBuffer::CopyOf(
        {reinterpret_cast<const uint8_t*>(a.media_type.data()), a.media_type.size()});
    r.size = a.size;
    attachments_.push_back(std::move(r));
  }
  return Status::Ok();
}

Status TestimonyDirectory::OnAttachmentData(size_t index, std::span<const uint8_t> bytes) {
  if (Interrupted()) return Error(ErrorCode::kIo, "interrupted; nothing was written");
  if (compare_) return Status::Ok();  // the opener's digest of these bytes is compared at the end
  if (current_ == nullptr) {
    const char* file = reinterpret_cast<const char*>(attachments_[index].path.data()) +
                       std::strlen("attachments/");
    current_fd_ =
        ::openat(attachments_fd_, file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (current_fd_ < 0) return IoError("cannot create an attachment file in " + dir_);
    current_ = std::make_unique<ThreadedFdSink>(current_fd_, "an attachment in " + dir_);
  }
  return current_->Write(bytes);
}

Status TestimonyDirectory::OnAttachmentEnd(size_t index, const Digest32& sha256) {
  if (compare_) {
    attachments_[index].sha256 = sha256;
    const auto& path = attachments_[index].path;
    CompareDigest(std::string(reinterpret_cast<const char*>(path.data()), path.size() - 1),
                  attachments_[index].size, sha256);
    return Status::Ok();
  }
  if (current_ == nullptr) GAVAH_RETURN_IF_ERROR(OnAttachmentData(index, {}));
  Status st = current_->Finish();
  current_.reset();
  ::close(current_fd_);
  current_fd_ = -1;
  attachments_[index].sha256 = sha256;
  return st;
}

std::string TestimonyDirectory::ConsentText() const {
  if (!consent_) return "";
  std::string out(consent_->view());  // tokens: public vocabulary, not the testimony
  std::replace(out.begin(), out.end(), '\n', ',');
  for (size_t at = out.find(','); at != std::string::npos; at = out.find(',', at + 2))
    out.insert(at + 1, " ");
  return out;
}

Status TestimonyDirectory::Commit(const EnvelopeId& id, const Fingerprint& organisation) {
  if (Interrupted()) return Error(ErrorCode::kIo, "interrupted; nothing was written");
  SecretBuffer m;
  m.Append("{\n");
  AppendField(m, "format", "gavah-opened-testimony-v1");
  AppendField(m, "envelope_id", ToHex(id));
  AppendField(m, "organisation_fingerprint", FingerprintToText(organisation));
  AppendField(m, "language", language_.view());
  AppendField(m, "event_time", event_time_.view());
  AppendField(m, "event_place", event_place_.view());
  m.Append(has_reply_key_ ? "  \"reply_key\": true,\n" : "  \"reply_key\": false,\n");
  if (consent_) {
    // Only in records that carry consent, so that older testimony opens to the same bytes.
    m.Append("  \"consent\": [");
    std::string_view rest = consent_->view();
    for (bool first = true; !rest.empty(); first = false) {
      const size_t nl = std::min(rest.find('\n'), rest.size());
      if (!first) m.Append(", ");
      AppendJsonString(m, rest.substr(0, nl));
      rest.remove_prefix(std::min(nl + 1, rest.size()));
    }
    m.Append("],\n");
  }
  m.Append("  \"files\": [\n    {\"path\": \"testimony.txt\", \"kind\": \"text\", \"size\": ");
  m.Append(std::to_string(text_size_));
  m.Append(", \"sha256\": \"" + ToHex(text_sha256_) + "\"}");
  for (const auto& a : attachments_) {
    m.Append(",\n    {\"path\": ");
    AppendJsonString(
        m, std::string_view(reinterpret_cast<const char*>(a.path.data()), a.path.size() - 1));
    m.Append(", \"kind\": \"attachment\", \"name\": ");
    AppendJsonString(m, a.name.view());
    m.Append(", \"media_type\": ");
    AppendJsonString(m, a.media_type.view());
    m.Append(", \"size\": " + std::to_string(a.size) + ", \"sha256\": \"" + ToHex(a.sha256) +
             "\"}");
  }
  m.Append("\n  ]\n}\n");
  if (compare_) {
    // manifest.json carries the sealed fields (language, when, where, names, media types): the
    // whole file must be what this envelope gives, byte for byte.
    CompareFile("manifest.json", m.span());
    std::set<std::string> expected = {"testimony.txt", "manifest.json"};
    for (const auto& a : attachments_)
      expected.insert(std::string(reinterpret_cast<const char*>(a.path.data()), a.path.size() - 1));
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir_, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const std::string rel = it->path().lexically_relative(dir_).generic_string();
      const auto status = it->symlink_status(ec);
      if (std::filesystem::is_directory(status) && rel == "attachments" && !attachments_.empty())
        continue;
      if (!std::filesystem::is_regular_file(status) || !expected.count(rel))
        differences_.push_back(rel + ": not in the envelope");
    }
    if (ec) differences_.push_back("the folder cannot be read: " + ec.message());
    return Status::Ok();
  }
  GAVAH_RETURN_IF_ERROR(WriteSmallFile(staging_fd_, "manifest.json", m.span()));
  if (attachments_fd_ >= 0 && ::fsync(attachments_fd_) != 0) return IoError("cannot sync " + dir_);
  if (::fsync(staging_fd_) != 0) return IoError("cannot sync " + dir_);
  // rename() replaces only an empty directory, so a DIR that filled up meanwhile is refused.
  if (::rename(staging_.c_str(), dir_.c_str()) != 0)
    return IoError("cannot move the testimony into " + dir_);
  committed_ = true;
  // The rename is durable only once the folder holding DIR is synced.
  std::string parent = dir_;
  while (parent.size() > 1 && parent.back() == '/') parent.pop_back();
  const size_t slash = parent.rfind('/');
  parent = slash == std::string::npos ? "." : parent.substr(0, slash + 1);
  const int pfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (pfd < 0 || ::fsync(pfd) != 0) {
    if (pfd >= 0) ::close(pfd);
    return IoError("cannot sync " + parent);
  }
  ::close(pfd);
  return Status::Ok();
}

SecretBuffer TestimonyDirectory::AttachmentList() const {
  SecretBuffer out;
  for (const auto& a : attachments_) {
    out.Append(std::to_string(a.size) + " ");
    out.Append(a.name.span());
    out.Append("\n");
  }
  return out;
}

}  // namespace gavah::cli
