#include "accept_guard.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gavah::server {
namespace {

constexpr size_t kReserve = 128;  // descriptors left for the store, files and gRPC itself

constexpr uint64_t kHeavy = 2 << 20;  // unseen bytes that make a connection a target in a flood
// In a flood, a connection whose uploads are moving may hold this much in flight (four streams
// of 1 MiB messages, as older clients send, and their framing).
constexpr uint64_t kMoving = 6 << 20;
constexpr int64_t kMovingMs = 2000;  // upload data within this long counts as moving

struct Tracked {
  std::atomic<uint64_t> source{0};  // 0: not a tracked connection; else source key + 1
  std::atomic<uint64_t> inode{0};   // to notice a descriptor closed behind our back
  // Bytes read and not yet matched by what the application was handed: never below zero, so
  // credit cannot be saved up now to cover hidden bytes later.
  std::atomic<uint64_t> unseen{0};
  std::atomic<int64_t> upload_at_ms{0};  // when upload data last reached the application
  std::atomic<bool> cut{false};
};

std::atomic<bool> g_on{false};
Tracked* g_fds = nullptr;  // indexed by descriptor, g_limit of them; set once, never freed
size_t g_limit = 0;
size_t g_cap = 0, g_per_source = 0;
std::atomic<size_t> g_open{0}, g_refused{0}, g_cuts{0};
std::atomic<uint64_t> g_unseen_per_connection{0}, g_unseen_in_all{0};
std::atomic<int> g_max_fd{-1};  // the highest descriptor ever tracked, to bound the sums
std::mutex g_peers_mu;          // the peer map and keys; taken after g_mu, never before it
std::unordered_map<std::string, int> g_peers;  // PeerKey -> descriptor of tracked connections
std::string* g_keys = nullptr;                 // by descriptor: its key in g_peers
std::mutex g_sum_mu;
std::atomic<int64_t> g_sum_at_ms{0};
std::atomic<uint64_t> g_unseen_sum{0};
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

// A key for one TCP peer, the same whether built from its address or from gRPC's peer string:
// the address as 16 bytes (IPv4 and IPv4-mapped IPv6 alike) and the port, as text.
std::string KeyOf(const in6_addr& a, uint16_t port) {
  std::string k(reinterpret_cast<const char*>(a.s6_addr), 16);
  return k + ":" + std::to_string(port);
}

std::string SockKey(const sockaddr_storage& ss) {
  in6_addr a{};
  if (ss.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&ss);
    a.s6_addr[10] = a.s6_addr[11] = 0xff;
    std::memcpy(&a.s6_addr[12], &v4->sin_addr, 4);
    return KeyOf(a, ntohs(v4->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    return KeyOf(v6->sin6_addr, ntohs(v6->sin6_port));
  }
  return "";
}

std::string PeerKey(const std::string& peer) {
  std::string p;  // percent-decoded
  for (size_t i = 0; i < peer.size(); ++i) {
    if (peer[i] == '%' && i + 2 < peer.size() && std::isxdigit(peer[i + 1]) &&
        std::isxdigit(peer[i + 2])) {
      p += static_cast<char>(std::strtol(peer.substr(i + 1, 2).c_str(), nullptr, 16));
      i += 2;
    } else {
      p += peer[i];
    }
  }
  const size_t colon = p.rfind(':');
  if (colon == std::string::npos) return "";
  const int port = std::atoi(p.c_str() + colon + 1);
  std::string host;
  in6_addr a{};
  if (p.rfind("ipv4:", 0) == 0) {
    host = p.substr(5, colon - 5);
    a.s6_addr[10] = a.s6_addr[11] = 0xff;
    if (inet_pton(AF_INET, host.c_str(), &a.s6_addr[12]) != 1) return "";
  } else if (p.rfind("ipv6:", 0) == 0) {
    host = p.substr(5, colon - 5);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    host = host.substr(0, host.find('%'));  // a scope id is not part of the key
    if (inet_pton(AF_INET6, host.c_str(), &a) != 1) return "";
  } else {
    return "";
  }
  return KeyOf(a, static_cast<uint16_t>(port));
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The sum over connections not yet cut, recomputed at most every 10 ms.
uint64_t UnseenInAll() {
  const int64_t now = NowMs();
  if (now - g_sum_at_ms.load() >= 10) {
    std::unique_lock<std::mutex> lock(g_sum_mu, std::try_to_lock);
    if (lock.owns_lock()) {
      uint64_t sum = 0;
      const int top = g_max_fd.load();
      for (int fd = 0; fd <= top; ++fd) {
        const Tracked& t = g_fds[fd];
        if (t.source.load(std::memory_order_relaxed) != 0 && !t.cut.load(std::memory_order_relaxed))
          sum += t.unseen.load(std::memory_order_relaxed);
      }
      g_unseen_sum.store(sum);
      g_sum_at_ms.store(now);
    }
  }
  return g_unseen_sum.load();
}

void Subtract(std::atomic<uint64_t>& v, uint64_t x) {
  uint64_t cur = v.load(std::memory_order_relaxed);
  while (!v.compare_exchange_weak(cur, cur > x ? cur - x : 0, std::memory_order_relaxed)) {
  }
}

// Called after each read from a tracked connection: a connection too far behind is shut down
// (gRPC then sees it close and frees what it held for it).
void Received(int fd, uint64_t n) {
  Tracked& t = g_fds[fd];
  const uint64_t unseen = t.unseen.fetch_add(n, std::memory_order_relaxed) + n;
  if (t.cut.load(std::memory_order_relaxed)) return;
  bool cut = unseen > g_unseen_per_connection.load(std::memory_order_relaxed);
  if (!cut && unseen > kHeavy && UnseenInAll() > g_unseen_in_all.load(std::memory_order_relaxed)) {
    // In a flood, spare a connection whose uploads are moving unless it holds more than its
    // streams could have in flight.
    const bool moving = NowMs() - t.upload_at_ms.load(std::memory_order_relaxed) < kMovingMs;
    cut = !moving || unseen > kMoving;
  }
  if (cut && !t.cut.exchange(true)) {
    ::shutdown(fd, SHUT_RDWR);
    g_cuts.fetch_add(1);
  }
}

// What this process sent on a tracked connection: its peer answers with window updates and
// pings, which count against it; 1/128 of what it was sent covers them.
void Sent(int fd, uint64_t n) { Subtract(g_fds[fd].unseen, n / 128); }

void Untrack(int fd) {  // REQUIRES: g_mu held
  const uint64_t source = g_fds[fd].source.exchange(0);
  if (source == 0) return;
  g_open.fetch_sub(1);
  {
    std::lock_guard<std::mutex> lock(g_peers_mu);
    auto it = g_peers.find(g_keys[fd]);
    if (it != g_peers.end() && it->second == fd) g_peers.erase(it);
    g_keys[fd].clear();
  }
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
  g_fds[fd].unseen.store(0);
  g_fds[fd].upload_at_ms.store(0);
  g_fds[fd].cut.store(false);
  {
    std::lock_guard<std::mutex> lock(g_peers_mu);
    g_keys[fd] = SockKey(ss);
    g_peers[g_keys[fd]] = fd;
  }
  if (fd > g_max_fd.load()) g_max_fd.store(fd);
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
    g_keys = new std::string[g_limit];
    g_spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  g_cap = std::min(caps.max_connections, g_limit > 2 * kReserve ? g_limit - kReserve : g_limit / 2);
  g_per_source = caps.per_source;
  g_unseen_per_connection.store(caps.unseen_per_connection);
  g_unseen_in_all.store(caps.unseen_in_all);
  g_on.store(true);
  return g_cap;
}

size_t OpenConnections() { return g_open.load(); }
size_t RefusedConnections() { return g_refused.load(); }
size_t UnseenCuts() { return g_cuts.load(); }

void CreditConnection(const std::string& peer, uint64_t bytes, bool upload) {
  if (!g_on.load()) return;
  const std::string key = PeerKey(peer);
  std::lock_guard<std::mutex> lock(g_peers_mu);
  auto it = g_peers.find(key);
  if (it == g_peers.end()) return;
  Tracked& t = g_fds[it->second];
  Subtract(t.unseen, bytes);
  if (upload) t.upload_at_ms.store(NowMs(), std::memory_order_relaxed);
}

std::string PeerKeyForTest(const std::string& peer) { return PeerKey(peer); }
std::string SockKeyForTest(const sockaddr_storage& ss) { return SockKey(ss); }

}  // namespace gavah::server

using gavah::server::Admit;
using gavah::server::g_fds;
using gavah::server::g_limit;
using gavah::server::g_mu;
using gavah::server::g_on;
using gavah::server::g_refused;
using gavah::server::RawClose;
using gavah::server::Received;
using gavah::server::Sent;
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

// gRPC core reads every connection with recvmsg(); only the connections accepted above count.
extern "C" ssize_t recvmsg(int fd, msghdr* msg, int flags) {
  const auto n = static_cast<ssize_t>(::syscall(SYS_recvmsg, fd, msg, flags));
  if (n > 0 && g_on.load(std::memory_order_relaxed) && fd >= 0 &&
      static_cast<size_t>(fd) < g_limit && g_fds[fd].source.load(std::memory_order_relaxed) != 0)
    Received(fd, static_cast<uint64_t>(n));
  return n;
}

extern "C" ssize_t sendmsg(int fd, const msghdr* msg, int flags) {
  const auto n = static_cast<ssize_t>(::syscall(SYS_sendmsg, fd, msg, flags));
  if (n > 0 && g_on.load(std::memory_order_relaxed) && fd >= 0 &&
      static_cast<size_t>(fd) < g_limit && g_fds[fd].source.load(std::memory_order_relaxed) != 0)
    Sent(fd, static_cast<uint64_t>(n));
  return n;
}
