#include "preview.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QBuffer>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QImageReader>
#include <QPainter>
#include <QtPdf/QPdfDocument>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <vector>

extern char** environ;

namespace gavah::app {
namespace {

bool WriteAll(int fd, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Waits until `fd` is ready for `events`, at most until `deadline`, and not once `cancel` is set.
bool Ready(int fd, short events, std::chrono::steady_clock::time_point deadline,
           const std::atomic<bool>* cancel) {
  for (;;) {
    if (cancel != nullptr && cancel->load()) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return false;
    pollfd pfd{fd, events, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 100)));
    if (ready < 0 && errno != EINTR) return false;
    if (ready > 0) return true;
  }
}

// Writes all n bytes to a non-blocking `fd` before `deadline`, or fails.
bool WriteAllBy(int fd, const void* data, size_t n, std::chrono::steady_clock::time_point deadline,
                const std::atomic<bool>* cancel) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    if (!Ready(fd, POLLOUT, deadline, cancel)) return false;
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads exactly n bytes before `deadline`, or fails.
bool ReadAll(int fd, void* data, size_t n, std::chrono::steady_clock::time_point deadline,
             const std::atomic<bool>* cancel = nullptr) {
  auto* p = static_cast<uint8_t*>(data);
  while (n > 0) {
    if (!Ready(fd, POLLIN, deadline, cancel)) return false;
    const ssize_t r = ::read(fd, p, n);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

void PutU32(uint8_t* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
uint32_t GetU32(const uint8_t* in) {
  return (uint32_t{in[0]} << 24) | (uint32_t{in[1]} << 16) | (uint32_t{in[2]} << 8) | in[3];
}

// The child's answer for one page.
bool WritePage(const QImage& page) {
  const QImage img = page.convertToFormat(QImage::Format_ARGB32);
  uint8_t head[8];
  PutU32(head, static_cast<uint32_t>(img.width()));
  PutU32(head + 4, static_cast<uint32_t>(img.height()));
  if (!WriteAll(STDOUT_FILENO, head, sizeof head)) return false;
  for (int y = 0; y < img.height(); ++y)
    if (!WriteAll(STDOUT_FILENO, img.constScanLine(y), static_cast<size_t>(img.width()) * 4))
      return false;
  return true;
}

QImage Bounded(const QImage& img) {
  if (img.width() <= static_cast<int>(kMaxPreviewSide) &&
      img.height() <= static_cast<int>(kMaxPreviewSide))
    return img;
  return img.scaled(kMaxPreviewSide, kMaxPreviewSide, Qt::KeepAspectRatio,
                    Qt::SmoothTransformation);
}

}  // namespace

// What the decoder may call, and nothing else (PROTOCOL.md 10b): memory, reading files, its own
// threads and their waiting, time, and writing to the pipe it was given. Everything else is
// refused with EPERM (a library that tries, a font cache say, carries on): sockets, programs,
// io_uring, writing, linking, renaming, removing or changing any file, namespaces, keys, other
// processes. On every thread of the process (TSYNC), and a call of another architecture kills it.
bool DenyPreviewEscapes() {
#if defined(__x86_64__)
  constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
  constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
  return false;
#endif
  constexpr uint32_t kWrite = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
  constexpr uint32_t kNewNamespaces = CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID |
                                      CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
  static const int kAllowed[] = {
    __NR_read,
    __NR_pread64,
    __NR_readv,
    __NR_write,
    __NR_writev,
    __NR_close,
    __NR_lseek,
    __NR_fstat,
    __NR_newfstatat,
    __NR_statx,
    __NR_fstatfs,
    __NR_statfs,
    __NR_getdents64,
    __NR_readlinkat,
    __NR_faccessat,
    __NR_faccessat2,
    __NR_fadvise64,
    __NR_fcntl,
    __NR_dup,
    __NR_dup3,
    __NR_getcwd,
    __NR_mmap,
    __NR_munmap,
    __NR_mremap,
    __NR_mprotect,
    __NR_madvise,
    __NR_brk,
    __NR_futex,
    __NR_set_robust_list,
    __NR_get_robust_list,
    __NR_rseq,
    __NR_set_tid_address,
    __NR_sched_yield,
    __NR_sched_getaffinity,
    __NR_membarrier,
    __NR_getrandom,
    __NR_clock_gettime,
    __NR_clock_getres,
    __NR_clock_nanosleep,
    __NR_nanosleep,
    __NR_gettimeofday,
    __NR_getpid,
    __NR_gettid,
    __NR_getuid,
    __NR_geteuid,
    __NR_getgid,
    __NR_getegid,
    __NR_uname,
    __NR_sysinfo,
    __NR_prlimit64,
    __NR_getrusage,
    __NR_rt_sigaction,
    __NR_rt_sigprocmask,
    __NR_rt_sigreturn,
    __NR_sigaltstack,
    __NR_restart_syscall,
    __NR_tgkill,
    __NR_ppoll,
    __NR_pselect6,
    __NR_epoll_create1,
    __NR_epoll_ctl,
    __NR_epoll_pwait,
    __NR_eventfd2,
    __NR_pipe2,
    __NR_exit,
    __NR_exit_group,
#if defined(__x86_64__)
    __NR_stat,
    __NR_lstat,
    __NR_access,
    __NR_readlink,
    __NR_poll,
    __NR_select,
    __NR_epoll_wait,
    __NR_arch_prctl,
    __NR_getdents,
    __NR_dup2,
    __NR_pipe,
    __NR_eventfd,
    __NR_epoll_create,
#endif
  };
  std::vector<sock_filter> f = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
  };
#if defined(__x86_64__)
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1));  // the x32 calls: none
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
#endif
  for (const int nr : kAllowed) {
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 1));
    f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  }
  // clone3's flags are in memory, out of the filter's sight: "not here", and glibc starts its
  // threads with clone, whose flags are checked.
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1));
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS));
  // A call whose argument `arg` must have none of `bits`: allowed then, refused otherwise.
  auto only_without = [&f](int nr, int arg, uint32_t bits) {
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 4));
    f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                         static_cast<uint32_t>(offsetof(seccomp_data, args) + 8 * arg)));
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, bits, 0, 1));
    f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
    f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  };
  only_without(__NR_clone, 0, kNewNamespaces);
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  only_without(__NR_openat, 2, kWrite);
#if defined(__x86_64__)
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  only_without(__NR_open, 1, kWrite);
#endif
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
  const sock_fprog prog{static_cast<unsigned short>(f.size()), f.data()};
  return ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) == 0;
}

bool IsolatePreviewProcess() {
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  const rlimit core{0, 0};
  ::setrlimit(RLIMIT_CORE, &core);
  const rlimit cpu{20, 20};
  ::setrlimit(RLIMIT_CPU, &cpu);
  const rlimit mem{uint64_t{4} << 30, uint64_t{4} << 30};
  ::setrlimit(RLIMIT_AS, &mem);
  // A network namespace of its own, with no interface: without it, no preview (a machine that
  // forbids unprivileged namespaces gets "could not be previewed", never a child on the network).
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0 && ::chdir("/") == 0;
}

Preview RenderInChild(const QString& program, PreviewKind kind, std::span<const uint8_t> bytes,
                      int timeout_ms, const std::atomic<bool>* cancel) {
  Preview out;
  if (bytes.size() > kMaxPreviewInput) {
    out.error = QStringLiteral("too large to preview");
    return out;
  }
  int in[2], res[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return {{}, QStringLiteral("cannot start the previewer")};
  if (::pipe2(res, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return {{}, QStringLiteral("cannot start the previewer")};
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, res[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  // Nothing of the desk's but the two pipes: no store, no socket to the server.
  if (posix_spawn_file_actions_addclosefrom_np(&fa, 3) != 0) {
    posix_spawn_file_actions_destroy(&fa);
    for (int fd : {in[0], in[1], res[0], res[1]}) ::close(fd);
    return {{}, QStringLiteral("cannot start the previewer")};
  }
  const QByteArray path = program.toLocal8Bit();
  char arg0[] = "gavah-desk";
  char arg1[] = "--preview";
  char* argv[] = {arg0, arg1, nullptr};
  // Only what Qt needs to draw offscreen: no display, no session bus, no home to write in.
  char env0[] = "QT_QPA_PLATFORM=offscreen";
  char env1[] = "PATH=/usr/bin:/bin";
  char* envp[] = {env0, env1, nullptr};
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, path.constData(), &fa, nullptr, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(res[1]);
  if (spawned != 0) {
    ::close(in[1]);
    ::close(res[0]);
    return {{}, QStringLiteral("cannot start the previewer")};
  }
  // A child that dies early must not kill the desk with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  ::fcntl(in[1], F_SETFL, ::fcntl(in[1], F_GETFL) | O_NONBLOCK);
  ::fcntl(res[0], F_SETFL, ::fcntl(res[0], F_GETFL) | O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  uint8_t head[9];
  head[0] = static_cast<uint8_t>(kind);
  const uint64_t n = bytes.size();
  for (int i = 0; i < 8; ++i) head[1 + i] = static_cast<uint8_t>(n >> (56 - 8 * i));
  const bool sent = WriteAllBy(in[1], head, sizeof head, deadline, cancel) &&
                    WriteAllBy(in[1], bytes.data(), n, deadline, cancel);
  ::close(in[1]);
  uint8_t count_bytes[4];
  bool ok = sent && ReadAll(res[0], count_bytes, 4, deadline, cancel);
  const uint32_t pages = ok ? GetU32(count_bytes) : 0;
  if (pages > kMaxPreviewPages) ok = false;
  uint64_t pixels = 0;
  for (uint32_t p = 0; ok && p < pages; ++p) {
    uint8_t size[8];
    if (!ReadAll(res[0], size, 8, deadline, cancel)) {
      ok = false;
      break;
    }
    const uint32_t w = GetU32(size), h = GetU32(size + 4);
    pixels += uint64_t{w} * h;
    if (w == 0 || h == 0 || w > kMaxPreviewSide || h > kMaxPreviewSide ||
        pixels > kMaxPreviewPixels) {
      ok = false;
      break;
    }
    QImage img(static_cast<int>(w), static_cast<int>(h), QImage::Format_ARGB32);
    if (img.isNull()) {
      ok = false;
      break;
    }
    for (int y = 0; ok && y < img.height(); ++y)
      ok = ReadAll(res[0], img.scanLine(y), size_t{w} * 4, deadline, cancel);
    if (ok) out.pages.push_back(std::move(img));
  }
  ::close(res[0]);
  ::kill(pid, SIGKILL);  // done or not, it has nothing more to say
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!ok || out.pages.empty()) {
    out.pages.clear();
    out.error = QStringLiteral("could not be previewed");
  }
  return out;
}

int RunPreviewChild(int argc, char** argv) {
  if (!IsolatePreviewProcess()) return 3;
  uint8_t head[9];
  if (!ReadAll(STDIN_FILENO, head, sizeof head,
               std::chrono::steady_clock::now() + std::chrono::seconds(30)))
    return 1;
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n = (n << 8) | head[1 + i];
  if (n > kMaxPreviewInput) return 1;
  QByteArray data(static_cast<qsizetype>(n), Qt::Uninitialized);
  if (!ReadAll(STDIN_FILENO, data.data(), n,
               std::chrono::steady_clock::now() + std::chrono::seconds(30)))
    return 1;
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QGuiApplication app(argc, argv);
  // From here on the bytes are decoded: no network, no program, no file written.
  if (!DenyPreviewEscapes()) return 3;
  std::vector<QImage> pages;
  QBuffer buffer(&data);
  buffer.open(QIODevice::ReadOnly);
  if (head[0] == static_cast<uint8_t>(PreviewKind::kImage)) {
    QImageReader::setAllocationLimit(256);
    QImageReader reader(&buffer);
    QImage img = reader.read();
    if (!img.isNull()) pages.push_back(Bounded(img));
  } else if (head[0] == static_cast<uint8_t>(PreviewKind::kPdf)) {
    QPdfDocument doc;
    doc.load(&buffer);
    QElapsedTimer t;
    t.start();
    while (doc.status() == QPdfDocument::Status::Loading && t.elapsed() < 15000)
      QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    if (doc.status() == QPdfDocument::Status::Ready) {
      const int count = std::min<int>(doc.pageCount(), static_cast<int>(kMaxPreviewPages));
      for (int p = 0; p < count; ++p) {
        const QSizeF pt = doc.pagePointSize(p);
        if (pt.width() <= 0 || pt.height() <= 0) break;
        const double scale = 1000.0 / pt.width();
        QSize px(1000, static_cast<int>(pt.height() * scale));
        px = px.boundedTo(QSize(kMaxPreviewSide, kMaxPreviewSide));
        const QImage img = doc.render(p, px);
        if (img.isNull()) break;
        // A page is drawn on paper: its transparent background becomes white.
        QImage paper(img.size(), QImage::Format_ARGB32);
        paper.fill(Qt::white);
        QPainter painter(&paper);
        painter.drawImage(0, 0, img);
        painter.end();
        pages.push_back(Bounded(paper));
      }
    }
  }
  uint8_t count[4];
  PutU32(count, static_cast<uint32_t>(pages.size()));
  if (!WriteAll(STDOUT_FILENO, count, 4)) return 1;
  for (const QImage& p : pages)
    if (!WritePage(p)) return 1;
  return pages.empty() ? 1 : 0;
}

}  // namespace gavah::app
