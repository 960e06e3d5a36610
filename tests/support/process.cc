#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace gavah::testing {
namespace {

struct Argv {
  std::vector<std::string> strings;
  std::vector<char*> ptrs;
  char** get() {
    ptrs.clear();
    for (auto& s : strings) ptrs.push_back(s.data());
    ptrs.push_back(nullptr);
    return ptrs.data();
  }
};

pid_t Start(const std::filesystem::path& dir, const std::string& binary,
            const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::string& out, const std::string& err, int flags) {
  Argv argv{{binary}, {}};
  argv.strings.insert(argv.strings.end(), args.begin(), args.end());
  Argv envp;
  for (const auto& [k, v] : env) envp.strings.push_back(k + "=" + v);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | flags, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | flags, 0600);
  posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
  pid_t pid = -1;
  if (posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv.get(), envp.get()) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

int Reap(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::string ReadText(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void WriteText(const std::filesystem::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary);
  f << s;
}

Outcome Exec(const std::filesystem::path& dir, const std::string& binary,
             const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  static int counter = 0;
  const std::string tag = std::to_string(getpid()) + "-" + std::to_string(++counter);
  const auto out = std::filesystem::temp_directory_path() / ("gavah-test-out-" + tag);
  const auto err = std::filesystem::temp_directory_path() / ("gavah-test-err-" + tag);
  Outcome r;
  const pid_t pid = Start(dir, binary, args, env, out, err, O_TRUNC);
  if (pid > 0) r.exit_code = Reap(pid);
  r.out = ReadText(out);
  r.err = ReadText(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

pid_t Spawn(const std::filesystem::path& dir, const std::string& binary,
            const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::filesystem::path& log) {
  return Start(dir, binary, args, env, log, log, O_APPEND);
}

int Stop(pid_t pid, int sig) {
  if (pid <= 0) return -1;
  kill(pid, sig);
  return Reap(pid);
}

int FreePort() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

bool WaitForPort(int port, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(s);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string CachedKey(const std::filesystem::path& dir, const std::string& investigator,
                      const std::string& name, const std::map<std::string, std::string>& env) {
  namespace fs = std::filesystem;
  // Keyed by the binary's modification time and the passphrase, so that a rebuilt tool (whose
  // key format may have changed) or another passphrase makes keys anew.
  struct stat st {};
  if (::stat(investigator.c_str(), &st) != 0) return investigator + " does not exist";
  const auto pass = env.find("GAVAH_PASSPHRASE");
  if (pass == env.end()) return "no GAVAH_PASSPHRASE in the environment";
  const fs::path cache =
      fs::path(investigator).parent_path() / "test-keys" /
      (std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + "-" +
       std::to_string(std::hash<std::string>{}(pass->second)));
  std::error_code ec;
  fs::create_directories(cache, ec);
  if (ec) return "cannot create " + cache.string() + ": " + ec.message();
  // Tests run in parallel: one makes a key while the others wait for it.
  const int lock = ::open((cache / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0) return "cannot open the lock of " + cache.string();
  if (::flock(lock, LOCK_EX) != 0) {
    ::close(lock);
    return "cannot lock " + cache.string();
  }
  std::string failed;
  if (!fs::exists(cache / (name + ".pub"))) {
    const fs::path making = cache / (".making-" + name);
    fs::remove_all(making, ec);
    fs::create_directories(making, ec);
    const Outcome made =
        name == "org"
            ? Exec(making, investigator, {"org-init", "--out", "org.key"}, env)
            : Exec(making, investigator, {"keygen", "--name", name, "--out", name + ".key"}, env);
    if (made.exit_code != 0) {
      failed = "making key " + name + ": " + made.err;
    } else {
      // The public half last: its presence says the pair is whole.
      fs::rename(making / (name + ".key"), cache / (name + ".key"), ec);
      if (!ec) fs::rename(making / (name + ".pub"), cache / (name + ".pub"), ec);
      if (ec) failed = "keeping key " + name + ": " + ec.message();
    }
    fs::remove_all(making, ec);
  }
  ::close(lock);
  if (!failed.empty()) return failed;
  for (const char* ext : {".key", ".pub"}) {
    const fs::path to = dir / (name + ext);
    fs::copy_file(cache / (name + ext), to, fs::copy_options::overwrite_existing, ec);
    if (ec) return "copying key " + name + ": " + ec.message();
    fs::permissions(to, ext == std::string(".key") ? fs::perms(0600) : fs::perms(0644), ec);
  }
  return "";
}

}  // namespace gavah::testing
