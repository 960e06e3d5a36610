// Runs the real binaries from tests: in the foreground with captured output, or in the
// background (servers) with a handle to stop them.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace gavah::testing {

struct Outcome {
  int exit_code = -1;  // 128 + signal when killed
  std::string out, err;
};

// Runs `binary args...` in `dir` with exactly `env` as its environment and /dev/null as stdin.
Outcome Exec(const std::filesystem::path& dir, const std::string& binary,
             const std::vector<std::string>& args, const std::map<std::string, std::string>& env);

// Starts a process in the background, stdout and stderr appended to `log`.
pid_t Spawn(const std::filesystem::path& dir, const std::string& binary,
            const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::filesystem::path& log);
// Sends `sig` and reaps; returns the exit status as Outcome::exit_code would.
int Stop(pid_t pid, int sig);

int FreePort();
// True once something accepts TCP connections on 127.0.0.1:port (polls up to `seconds`).
bool WaitForPort(int port, double seconds);

// Copies `name`.key and `name`.pub into `dir`: the organisation key for "org", else the key
// pair of investigator `name`, made by `investigator` (with `env`, whose GAVAH_PASSPHRASE the
// keys are encrypted under) the first time any test of this build asks, and kept in a folder
// beside that binary. Making a key costs two runs of Argon2id at full cost and an end-to-end
// test needs several; what those tests test is not the making of keys (cli_test tests that),
// so each test gets copies. Empty on success, else what went wrong.
std::string CachedKey(const std::filesystem::path& dir, const std::string& investigator,
                      const std::string& name, const std::map<std::string, std::string>& env);

std::string ReadText(const std::filesystem::path& p);
void WriteText(const std::filesystem::path& p, const std::string& s);

}  // namespace gavah::testing
