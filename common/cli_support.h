// What the command-line tools share: passphrases, files written without overwriting, keys and
// bundles loaded with clear messages, one-line errors and --json output.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clock.h"
#include "gavah/crypto/bundle.h"
#include "gavah/crypto/keys.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah::cli {

// Raised only inside main(): prints "<program>: <message>" on one line and exits non-zero.
struct Failure {
  std::string message;
  int exit_code = 1;
};
[[noreturn]] void Fail(std::string message, int exit_code = 1);
// `what` prefixes the status message, e.g. the file it concerns.
[[noreturn]] void Fail(const std::string& what, const Status& status);
template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) Fail(what, r.status());
  return std::move(r).value();
}

inline void Must(const Status& st, const std::string& what) {
  if (!st.ok()) Fail(what, st);
}

// Where a passphrase comes from: --passphrase-file, then GAVAH_PASSPHRASE, then a prompt on
// the terminal. Explicit beats implicit: a file named on the command line wins over the
// environment, and both over the prompt.
struct PassphraseSource {
  std::string file;  // empty: not given
};
// `confirm` asks twice on a terminal (for new keys). Never returns an empty passphrase.
SecretBuffer ReadPassphrase(const PassphraseSource& source, const std::string& prompt,
                            bool confirm);

// Whole small file (public data); fails over max_size.
std::vector<uint8_t> ReadSmallFile(const std::string& path, size_t max_size);
// Whole small file into secret memory.
SecretBuffer ReadSecretFile(const std::string& path, size_t max_size);

// Writes `bytes` to `path` only if nothing is there: a temporary file in the same folder, synced,
// then hard-linked into place (which fails if the name exists) and the temporary removed.
void WriteNewFile(const std::string& path, std::span<const uint8_t> bytes, unsigned mode);
// The same, answering a status instead of failing the program (for the libraries).
Status TryWriteNewFile(const std::string& path, std::span<const uint8_t> bytes, unsigned mode);
Status TrySyncDirOf(const std::string& path);
// Writes `bytes` to `path`, replacing what is there in one step: a temporary file in the same
// folder, synced, renamed over `path`, the folder synced. A crash leaves the old or the new.
Status TryReplaceFile(const std::string& path, std::span<const uint8_t> bytes, unsigned mode);
// fsyncs the directory holding `path`, so that a name just linked or renamed there survives a
// crash or a pulled plug, not only the file's bytes.
void SyncDirOf(const std::string& path);
inline void WriteNewFile(const std::string& path, std::string_view text, unsigned mode) {
  WriteNewFile(path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), mode);
}
void FailIfExists(const std::string& path);

// A folder built under a temporary name beside `final_path` (0700) and renamed to it only by
// Commit(), which refuses to replace anything; otherwise it is removed, so a failure half way
// leaves nothing at `final_path`.
class StagingDir {
 public:
  explicit StagingDir(const std::string& final_path);
  ~StagingDir();
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;
  const std::string& path() const { return path_; }
  void Commit();
  // The same, answering a status instead of failing the program (for the libraries).
  static Result<std::unique_ptr<StagingDir>> TryCreate(const std::string& final_path);
  Status TryCommit();

 private:
  StagingDir() = default;
  std::string final_, path_;
  bool committed_ = false;
};

// Path of the public half next to a key file: "a.key" -> "a.pub", otherwise "<path>.pub".
std::string PublicPathFor(const std::string& key_path);

InvestigatorSecretKey LoadInvestigatorKey(const std::string& path, const PassphraseSource& source);
OrganisationKey LoadOrganisationKey(const std::string& path, const PassphraseSource& source);
// Verifies signature (and the pin when given) and expiry.
RecipientBundle LoadBundle(const std::string& path, const std::string& pinned_fingerprint,
                           bool require_current);
Result<RecipientBundle> TryLoadBundle(const std::string& path,
                                      const std::string& pinned_fingerprint, bool require_current);

// Refuses (Fail) a bundle issued before `newest_seen`, the latest issue of the same organisation
// this device or store has seen: an older bundle may still list an investigator or a server the
// organisation has since removed. The message gives both dates.
void CheckNotOlder(const RecipientBundle& bundle, uint64_t newest_seen, const std::string& path);
Status TryCheckNotOlder(const RecipientBundle& bundle, uint64_t newest_seen,
                        const std::string& path);

using gavah::Iso8601Date;
using gavah::NowUnix;
using gavah::UtcTime;

// Minimal JSON object writer for public values on stdout.
class JsonObject {
 public:
  JsonObject& Add(std::string_view key, std::string_view value);
  JsonObject& Add(std::string_view key, uint64_t value);
  JsonObject& AddBool(std::string_view key, bool value);
  JsonObject& AddRaw(std::string_view key, std::string_view raw_json);
  std::string str() const { return "{" + body_ + "}"; }

 private:
  std::string body_;
};
std::string JsonQuote(std::string_view s);

// Ctrl-C and SIGTERM set a flag instead of killing the process, so long operations can stop at
// their next step and clean up (an interrupted open must not leave plaintext behind).
void CatchInterrupts();
bool Interrupted();

// Runs body(), turning a Failure into "<program>: <message>" on stderr.
int RunMain(const char* program, int (*body)(int, char**), int argc, char** argv);

}  // namespace gavah::cli
