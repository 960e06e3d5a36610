// Trust on first use for organisation keys: the witness device remembers which organisation key
// it sealed for under each organisation name, so that a later bundle carrying the same name but
// signed by another key (a forgery handed out in the organisation's name) is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "gavah/crypto/keys.h"
#include "gavah/crypto/status.h"

namespace gavah::cli {

class OrganisationPins {
 public:
  // $XDG_DATA_HOME/gavah/pinned-organisations, else ~/.local/share/gavah/pinned-organisations.
  static std::string DefaultPath();
  static Result<std::string> TryDefaultPath();
  // A missing file is an empty store; a damaged one is an error.
  static OrganisationPins Load(const std::string& path);
  static Result<OrganisationPins> TryLoad(const std::string& path);

  struct Pinned {
    std::string name;
    Fingerprint fingerprint{};
    // The latest issued_at of a bundle under this key seen here: older ones are replays.
    uint64_t newest_issued_at = 0;
  };
  std::optional<Pinned> Find(const std::string& organisation_name) const;
  // Records or replaces the pin (keeping the newest issued_at seen under the same key) and
  // rewrites the file (0600, in a 0700 folder).
  void Pin(const std::string& organisation_name, const Fingerprint& fp, uint64_t issued_at);
  Status TryPin(const std::string& organisation_name, const Fingerprint& fp, uint64_t issued_at);

 private:
  std::string path_;
  std::vector<Pinned> pins_;
};

// mkdir -p with mode 0700 for each folder made.
Status MakePrivateDirs(const std::string& path);

}  // namespace gavah::cli
