// Trust on first use for organisation keys: the witness device remembers which organisation key
// it sealed for under each organisation name, so that a later bundle carrying the same name but
// signed by another key (a forgery handed out in the organisation's name) is refused.
#pragma once

#include <optional>
#include <string>

#include "gavah/crypto/keys.h"

namespace gavah::cli {

class OrganisationPins {
 public:
  // $XDG_DATA_HOME/gavah/pinned-organisations, else ~/.local/share/gavah/pinned-organisations.
  static std::string DefaultPath();
  // A missing file is an empty store; a damaged one is an error.
  static OrganisationPins Load(const std::string& path);

  std::optional<Fingerprint> Find(const std::string& organisation_name) const;
  // Records or replaces the pin and rewrites the file (0600, in a 0700 folder).
  void Pin(const std::string& organisation_name, const Fingerprint& fp);

 private:
  std::string path_;
  std::vector<std::pair<std::string, Fingerprint>> pins_;
};

}  // namespace gavah::cli
