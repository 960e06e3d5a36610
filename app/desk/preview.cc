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

// The system calls the decoder never needs and an exploit would: the network, running another
// program, tracing, and opening anything for writing (PROTOCOL.md 10b). Refused with EPERM, so a
// library that tries (a font cache) carries on; any other architecture's calls kill the child.
bool DenyPreviewEscapes() {
#if defined(__x86_64__)
  constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
  constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
#else
  return false;
#endif
  constexpr uint32_t kWrite = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
  constexpr uint32_t kDeny = SECCOMP_RET_ERRNO | EPERM;
#define GAVAH_DENY(nr) \
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, kDeny)
#define GAVAH_NO_WRITE(nr, arg)                                                             \
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4),                                          \
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args) + 8 * (arg)),         \
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, kWrite, 0, 1), BPF_STMT(BPF_RET | BPF_K, kDeny), \
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
  sock_filter filter[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
#if defined(__x86_64__)
    // The x32 calls: none.
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    GAVAH_DENY(__NR_creat),
    GAVAH_DENY(__NR_rename),
    GAVAH_DENY(__NR_unlink),
    GAVAH_DENY(__NR_mkdir),
#endif
    GAVAH_DENY(__NR_socket),
    GAVAH_DENY(__NR_socketpair),
    GAVAH_DENY(__NR_connect),
    GAVAH_DENY(__NR_bind),
    GAVAH_DENY(__NR_listen),
    GAVAH_DENY(__NR_accept),
    GAVAH_DENY(__NR_accept4),
    GAVAH_DENY(__NR_sendto),
    GAVAH_DENY(__NR_sendmsg),
    GAVAH_DENY(__NR_execve),
    GAVAH_DENY(__NR_execveat),
    GAVAH_DENY(__NR_ptrace),
    GAVAH_DENY(__NR_process_vm_writev),
    GAVAH_DENY(__NR_openat2),
    GAVAH_DENY(__NR_renameat),
    GAVAH_DENY(__NR_renameat2),
    GAVAH_DENY(__NR_unlinkat),
    GAVAH_DENY(__NR_mkdirat),
    GAVAH_DENY(__NR_truncate),
#if defined(__x86_64__)
    GAVAH_NO_WRITE(__NR_open, 1),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
#endif
    GAVAH_NO_WRITE(__NR_openat, 2),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
#undef GAVAH_DENY
#undef GAVAH_NO_WRITE
  const sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  return ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0;
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
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
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
