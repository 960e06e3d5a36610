#include "preview.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
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

// Reads exactly n bytes before `deadline`, or fails.
bool ReadAll(int fd, void* data, size_t n, std::chrono::steady_clock::time_point deadline) {
  auto* p = static_cast<uint8_t*>(data);
  while (n > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return false;
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
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

Preview RenderInChild(const QString& program, PreviewKind kind, std::span<const uint8_t> bytes,
                      int timeout_ms) {
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
  uint8_t head[9];
  head[0] = static_cast<uint8_t>(kind);
  const uint64_t n = bytes.size();
  for (int i = 0; i < 8; ++i) head[1 + i] = static_cast<uint8_t>(n >> (56 - 8 * i));
  const bool sent = WriteAll(in[1], head, sizeof head) && WriteAll(in[1], bytes.data(), n);
  ::close(in[1]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  uint8_t count_bytes[4];
  bool ok = sent && ReadAll(res[0], count_bytes, 4, deadline);
  const uint32_t pages = ok ? GetU32(count_bytes) : 0;
  if (pages > kMaxPreviewPages) ok = false;
  for (uint32_t p = 0; ok && p < pages; ++p) {
    uint8_t size[8];
    if (!ReadAll(res[0], size, 8, deadline)) {
      ok = false;
      break;
    }
    const uint32_t w = GetU32(size), h = GetU32(size + 4);
    if (w == 0 || h == 0 || w > kMaxPreviewSide || h > kMaxPreviewSide) {
      ok = false;
      break;
    }
    QImage img(static_cast<int>(w), static_cast<int>(h), QImage::Format_ARGB32);
    for (int y = 0; ok && y < img.height(); ++y)
      ok = ReadAll(res[0], img.scanLine(y), size_t{w} * 4, deadline);
    if (ok) out.pages.push_back(std::move(img));
  }
  ::close(res[0]);
  ::kill(pid, SIGKILL);  // done or not, it has nothing more to say
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!ok || out.pages.empty()) {
    out.pages.clear();
    out.error = QStringLiteral("could not be previewed");
  }
  return out;
}

int RunPreviewChild(int argc, char** argv) {
  ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  // No network, where unprivileged namespaces are allowed (Debian allows them by default).
  (void)::unshare(CLONE_NEWUSER | CLONE_NEWNET);
  const rlimit cpu{20, 20};
  ::setrlimit(RLIMIT_CPU, &cpu);
  const rlimit mem{uint64_t{4} << 30, uint64_t{4} << 30};
  ::setrlimit(RLIMIT_AS, &mem);
  const rlimit core{0, 0};
  ::setrlimit(RLIMIT_CORE, &core);
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
