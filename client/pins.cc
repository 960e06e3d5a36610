#include "pins.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "cli_support.h"
#include "gavah/crypto/hex.h"

namespace gavah::cli {
namespace {

constexpr std::string_view kLinePrefix = "gavah-pin-v1 ";

void MakeDirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      const std::string part = path.substr(0, i);
      if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
        Fail("cannot create " + part + ": " + std::strerror(errno));
      }
    }
  }
}

}  // namespace

std::string OrganisationPins::DefaultPath() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/gavah/pinned-organisations";
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || home[0] != '/') Fail("HOME is not set; pass --org-fingerprint");
  return std::string(home) + "/.local/share/gavah/pinned-organisations";
}

OrganisationPins OrganisationPins::Load(const std::string& path) {
  OrganisationPins pins;
  pins.path_ = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return pins;
  const auto bytes = ReadSmallFile(path, 1 << 20);
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    // gavah-pin-v1 <fingerprint> <base64(name)>
    if (line.compare(0, kLinePrefix.size(), kLinePrefix) != 0 ||
        line.size() < kLinePrefix.size() + 34 || line[kLinePrefix.size() + 32] != ' ') {
      Fail(path + " is damaged; remove it to start pinning afresh");
    }
    auto fp = FingerprintFromText(line.substr(kLinePrefix.size(), 32));
    auto name = FromBase64(line.substr(kLinePrefix.size() + 33));
    if (!fp.ok() || !name) Fail(path + " is damaged; remove it to start pinning afresh");
    pins.pins_.emplace_back(std::string(name->begin(), name->end()), fp.value());
  }
  return pins;
}

std::optional<Fingerprint> OrganisationPins::Find(const std::string& organisation_name) const {
  for (const auto& [name, fp] : pins_) {
    if (name == organisation_name) return fp;
  }
  return std::nullopt;
}

void OrganisationPins::Pin(const std::string& organisation_name, const Fingerprint& fp) {
  bool replaced = false;
  for (auto& [name, pinned] : pins_) {
    if (name == organisation_name) {
      pinned = fp;
      replaced = true;
    }
  }
  if (!replaced) pins_.emplace_back(organisation_name, fp);
  std::string text;
  for (const auto& [name, pinned] : pins_) {
    text += std::string(kLinePrefix) + FingerprintToText(pinned) + " " +
            ToBase64(std::span(reinterpret_cast<const uint8_t*>(name.data()), name.size())) + "\n";
  }
  MakeDirs(path_.substr(0, path_.rfind('/')));
  // Replace atomically: write beside it, then rename over it.
  const std::string tmp = path_ + ".new";
  ::unlink(tmp.c_str());
  WriteNewFile(tmp, text, 0600);
  if (::rename(tmp.c_str(), path_.c_str()) != 0)
    Fail("cannot write " + path_ + ": " + std::strerror(errno));
  SyncDirOf(path_);
}

}  // namespace gavah::cli
