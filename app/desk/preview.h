// Previews of attachments, decoded in a child process of their own (gavah-desk --preview): an
// image or PDF a hostile sender crafted to exploit a decoder then runs where there is no key,
// no case store open and, where the kernel allows it, no network. The child hands back raw
// pixels, which the desk checks for size and draws; it never parses anything the child says.
//
// The exchange over the child's stdin and stdout (PROTOCOL.md 10b):
//   desk -> child: u8 kind (1 image, 2 PDF) || u64 length (big-endian) || the bytes
//   child -> desk: u32 pages || per page: u32 width || u32 height || width*height*4 bytes of
//                  32-bit ARGB, host order; at most kMaxPreviewPages pages, each side at most
//                  kMaxPreviewSide pixels, kMaxPreviewPixels in all
#pragma once

#include <QImage>
#include <QString>
#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

namespace gavah::app {

inline constexpr uint32_t kMaxPreviewPages = 20;
inline constexpr uint32_t kMaxPreviewSide = 2000;
inline constexpr uint64_t kMaxPreviewInput = uint64_t{256} << 20;
inline constexpr uint64_t kMaxPreviewPixels = uint64_t{40} << 20;  // of all pages together

enum class PreviewKind : uint8_t { kImage = 1, kPdf = 2 };

struct Preview {
  std::vector<QImage> pages;
  QString error;  // empty on success
};

// Runs `program --preview` and hands it `bytes`; gives up after `timeout_ms`, or as soon as
// `*cancel` is set.
Preview RenderInChild(const QString& program, PreviewKind kind, std::span<const uint8_t> bytes,
                      int timeout_ms = 30000, const std::atomic<bool>* cancel = nullptr);

// The previewer's confinement, for the child and its tests: its own user and network namespace,
// no new privileges, no core dump, bounded CPU and memory (IsolatePreviewProcess, before Qt
// starts); then no network, no program run and no file opened for writing (DenyPreviewEscapes,
// a seccomp filter). False when either cannot be had.
bool IsolatePreviewProcess();
bool DenyPreviewEscapes();

// The child's side: reads stdin, decodes, writes stdout. Call before any QGuiApplication exists.
int RunPreviewChild(int argc, char** argv);

}  // namespace gavah::app
