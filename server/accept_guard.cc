#include "accept_guard.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace gavah::server {
namespace {

constexpr size_t kReserve = 128;  // descriptors left for the store, files and gRPC itself

struct Tracked {
  std::atomic<uint64_t> source{0};  // 0: not a tracked connection; else source key + 1
  std::atomic<uint64_t> inode{0};   // to notice a descriptor closed behind our back
};

std::atomic<bool> g_on{false};
Tracked* g_fds = nullptr;  // indexed by descriptor, g_limit of them; set once, never freed
size_t g_limit = 0;
size_t g_cap = 0, g_per_source = 0;
std::atomic<size_t> g_open{0}, g_refused{0};
std::mutex g_mu;  // per-source counts, the spare descriptor and reconciling
std::unordered_map<uint64_t, size_t> g_per_source_open;
int g_spare = -1;
std::chrono::steady_clock::time_point g_last_reconcile{};

int RawClose(int fd) { return static_cast<int>(::syscall(SYS_close, fd)); }

// A key per source address; 0 for loopback, which every Tor user and local relay shares.
uint64_t SourceKey(const sockaddr_storage& ss) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: only to bucket, an attacker gains nothing
  auto mix = [&](const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    if ((ntohl(a->sin_addr.s_addr) >> 24) == 127) return 0;
    mix(reinterpret_cast<const uint8_t*>(&a->sin_addr), 4);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    if (IN6_IS_ADDR_LOOPBACK(&a->sin6_addr)) return 0;
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127) return 0;
    mix(a->sin6_addr.s6_addr, 16);
  } else {
    return 0;
  }
  return h == 0 ? 1 : h;
}

void Untrack(int fd) {  // REQUIRES: g_mu held
  const uint64_t source = g_fds[fd].source.exchange(0);
  if (source == 0) return;
  g_open.fetch_sub(1);
  if (source - 1 != 0) {
    auto it = g_per_source_open.find(source - 1);
    if (it != g_per_source_open.end() && --it->second == 0) g_per_source_open.erase(it);
  }
}

// Forgets tracked descriptors that were closed some other way than close(); at most once a
// second, and only when a cap is reached, so that a missed close can never lock everyone out.
void Reconcile() {  // REQUIRES: g_mu held
  const auto now = std::chrono::steady_clock::now();
  if (now - g_last_reconcile < std::chrono::seconds(1)) return;
  g_last_reconcile = now;
  for (size_t fd = 0; fd < g_limit; ++fd) {
    if (g_fds[fd].source.load() == 0) continue;
    struct stat st {};
    if (::fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode) ||
        static_cast<uint64_t>(st.st_ino) != g_fds[fd].inode.load()) {
      Untrack(static_cast<int>(fd));
    }
  }
}

bool Admit(int fd, const sockaddr_storage& ss) {
  if (!g_on.load() || fd < 0 || static_cast<size_t>(fd) >= g_limit) {
    return !g_on.load();  // a descriptor past the limit cannot happen; refuse it if it does
  }
  const uint64_t source = SourceKey(ss);
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_open.load() >= g_cap || (source != 0 && g_per_source_open[source] >= g_per_source)) {
    Reconcile();
    if (g_open.load() >= g_cap || (source != 0 && g_per_source_open[source] >= g_per_source)) {
      return false;
    }
  }
  struct stat st {};
  (void)::fstat(fd, &st);
  g_fds[fd].inode.store(static_cast<uint64_t>(st.st_ino));
  g_fds[fd].source.store(source + 1);
  g_open.fetch_add(1);
  if (source != 0) ++g_per_source_open[source];
  return true;
}

// No descriptor for the next connection: take it with the spare and close it, so the backlog
// drains instead of the listener giving up. False when there is no spare to use.
bool Shed(int listener, int flags) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_spare < 0) return false;
  RawClose(g_spare);
  const int c = static_cast<int>(::syscall(SYS_accept4, listener, nullptr, nullptr, flags));
  if (c >= 0) RawClose(c);
  g_spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  g_refused.fetch_add(1);
  return c >= 0;
}

}  // namespace

size_t GuardConnections(const ConnectionCaps& caps) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &lim);
  }
  (void)::getrlimit(RLIMIT_NOFILE, &lim);
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_fds == nullptr) {
    // The table is sized by the limit, bounded so that a huge hard limit costs no memory.
    g_limit = static_cast<size_t>(std::min<rlim_t>(lim.rlim_cur, rlim_t{1} << 20));
    g_fds = new Tracked[g_limit];
    g_spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  g_cap = std::min(caps.max_connections, g_limit > 2 * kReserve ? g_limit - kReserve : g_limit / 2);
  g_per_source = caps.per_source;
  g_on.store(true);
  return g_cap;
}

size_t OpenConnections() { return g_open.load(); }
size_t RefusedConnections() { return g_refused.load(); }

}  // namespace gavah::server

using gavah::server::Admit;
using gavah::server::g_fds;
using gavah::server::g_limit;
using gavah::server::g_mu;
using gavah::server::g_on;
using gavah::server::g_refused;
using gavah::server::RawClose;
using gavah::server::Shed;
using gavah::server::Untrack;

// Interposed for every caller in the process; gRPC core is the only one that accepts.
extern "C" int accept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
  for (;;) {
    sockaddr_storage ss{};
    socklen_t ss_len = sizeof ss;
    const int c = static_cast<int>(
        ::syscall(SYS_accept4, fd, reinterpret_cast<sockaddr*>(&ss), &ss_len, flags));
    if (c < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        if (Shed(fd, flags)) continue;
        errno = EAGAIN;  // never EMFILE: gRPC would stop listening for good
      }
      return -1;
    }
    if (!Admit(c, ss)) {
      RawClose(c);
      g_refused.fetch_add(1);
      continue;
    }
    if (addr != nullptr && len != nullptr) {
      std::memcpy(addr, &ss, std::min<size_t>(*len, ss_len));
      *len = ss_len;
    }
    return c;
  }
}

extern "C" int accept(int fd, sockaddr* addr, socklen_t* len) { return accept4(fd, addr, len, 0); }

extern "C" int close(int fd) {
  if (g_on.load() && fd >= 0 && static_cast<size_t>(fd) < g_limit && g_fds[fd].source.load() != 0) {
    std::lock_guard<std::mutex> lock(g_mu);
    Untrack(fd);
  }
  return RawClose(fd);
}
