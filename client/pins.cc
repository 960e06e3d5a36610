#include "pins.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "cli_support.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/process.h"

namespace gavah::cli {
namespace {

constexpr std::string_view kLinePrefixV1 = "gavah-pin-v1 ";
constexpr std::string_view kLinePrefix = "gavah-pin-v2 ";

}  // namespace

Status MakePrivateDirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      const std::string part = path.substr(0, i);
      if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
        return Error(ErrorCode::kIo, "cannot create " + part + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

Result<std::string> OrganisationPins::TryDefaultPath() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/gavah/pinned-organisations";
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || home[0] != '/')
    return Error(ErrorCode::kInvalidArgument, "HOME is not set; pass --org-fingerprint");
  return std::string(home) + "/.local/share/gavah/pinned-organisations";
}

std::string OrganisationPins::DefaultPath() { return Must(TryDefaultPath(), ""); }

OrganisationPins OrganisationPins::Load(const std::string& path) { return Must(TryLoad(path), ""); }

void OrganisationPins::Pin(const std::string& organisation_name, const Fingerprint& fp,
                           uint64_t issued_at) {
  if (const Status st = TryPin(organisation_name, fp, issued_at); !st.ok()) Fail("", st);
}

Result<OrganisationPins> OrganisationPins::TryLoad(const std::string& path) {
  OrganisationPins pins;
  pins.path_ = path;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return pins;
  auto read = ReadRegularFile(path, 1 << 20);
  if (!read.ok()) return read.status();
  const auto& bytes = read.value();
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  std::string line;
  const Status damaged =
      Error(ErrorCode::kMalformed, path + " is damaged; remove it to start pinning afresh");
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Pinned p;
    std::string rest;
    if (line.compare(0, kLinePrefix.size(), kLinePrefix) == 0) {
      // gavah-pin-v2 <fingerprint> <newest issued_at, decimal> <base64(name)>
      rest = line.substr(kLinePrefix.size());
      const size_t sp1 = rest.find(' ');
      const size_t sp2 = sp1 == std::string::npos ? sp1 : rest.find(' ', sp1 + 1);
      if (sp1 != 32 || sp2 == std::string::npos || sp2 == sp1 + 1 || sp2 - sp1 - 1 > 19)
        return damaged;
      const std::string issued = rest.substr(sp1 + 1, sp2 - sp1 - 1);
      if (issued.find_first_not_of("0123456789") != std::string::npos ||
          (issued.size() > 1 && issued[0] == '0'))
        return damaged;
      p.newest_issued_at = std::stoull(issued);
      rest = rest.substr(0, 32) + " " + rest.substr(sp2 + 1);
    } else if (line.compare(0, kLinePrefixV1.size(), kLinePrefixV1) == 0) {
      // gavah-pin-v1 <fingerprint> <base64(name)>: pinned before issue dates were kept.
      rest = line.substr(kLinePrefixV1.size());
    } else {
      return damaged;
    }
    if (rest.size() < 34 || rest[32] != ' ') return damaged;
    auto fp = FingerprintFromText(rest.substr(0, 32));
    auto name = FromBase64(rest.substr(33));
    if (!fp.ok() || !name) return damaged;
    p.name.assign(name->begin(), name->end());
    p.fingerprint = fp.value();
    pins.pins_.push_back(std::move(p));
  }
  return pins;
}

std::optional<OrganisationPins::Pinned> OrganisationPins::Find(
    const std::string& organisation_name) const {
  for (const auto& p : pins_) {
    if (p.name == organisation_name) return p;
  }
  return std::nullopt;
}

Status OrganisationPins::TryPin(const std::string& organisation_name, const Fingerprint& fp,
                                uint64_t issued_at) {
  bool replaced = false;
  for (auto& p : pins_) {
    if (p.name != organisation_name) continue;
    // A new key (confirmed with --org-fingerprint) starts its own history of issue dates.
    p.newest_issued_at = p.fingerprint == fp ? std::max(p.newest_issued_at, issued_at) : issued_at;
    p.fingerprint = fp;
    replaced = true;
  }
  if (!replaced) pins_.push_back(Pinned{organisation_name, fp, issued_at});
  std::string text;
  for (const auto& p : pins_) {
    text += std::string(kLinePrefix) + FingerprintToText(p.fingerprint) + " " +
            std::to_string(p.newest_issued_at) + " " +
            ToBase64(std::span(reinterpret_cast<const uint8_t*>(p.name.data()), p.name.size())) +
            "\n";
  }
  GAVAH_RETURN_IF_ERROR(MakePrivateDirs(path_.substr(0, path_.rfind('/'))));
  // Replace atomically: write beside it, then rename over it.
  const std::string tmp = path_ + ".new";
  ::unlink(tmp.c_str());
  GAVAH_RETURN_IF_ERROR(TryWriteNewFile(
      tmp, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0600));
  if (::rename(tmp.c_str(), path_.c_str()) != 0)
    return Error(ErrorCode::kIo, "cannot write " + path_ + ": " + std::strerror(errno));
  return TrySyncDirOf(path_);
}

}  // namespace gavah::cli
