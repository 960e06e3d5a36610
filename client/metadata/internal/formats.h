// What the format-specific parts of gavah_metadata share. Not part of the public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"
#include "metadata.h"

namespace gavah::metadata::internal {

// Longest value shown to the witness, in bytes of UTF-8 before the ellipsis.
inline constexpr size_t kMaxValueBytes = 300;

// Collects a Report, keeping at most kMaxFindings findings and the first note.
class ReportBuilder {
 public:
  explicit ReportBuilder(std::string format) { report_.format = std::move(format); }
  // `value` is raw bytes from the file (UTF-8 expected); it is made showable here.
  void Add(Kind kind, std::string field, std::string_view value);
  // The same, for ISO 8859-1 text (PNG tEXt).
  void AddLatin1(Kind kind, std::string field, std::string_view value);
  // Takes over another report's findings, their fields prefixed with `prefix`.
  void Absorb(Report&& other, const std::string& prefix);
  void Note(std::string note) {
    if (report_.note.empty()) report_.note = std::move(note);
  }
  void SetCanClean(bool can_clean) { report_.can_clean = can_clean; }
  void SetFormat(std::string format) { report_.format = std::move(format); }
  const Report& report() const { return report_; }
  size_t count() const { return report_.findings.size() + dropped_; }
  Report Finish() &&;

 private:
  void Push(Kind kind, std::string field, SecretBuffer value);
  Report report_;
  size_t dropped_ = 0;
};

// UTF-8 for display: invalid bytes, control characters and bidirectional controls become
// U+FFFD; longer than kMaxValueBytes is cut at a character boundary and ends in "…".
SecretBuffer ShowableText(std::string_view raw);

// The kind of a metadata key from its name ("Exif.GPSInfo.GPSAltitude", "creation_time", ...).
Kind ClassifyKey(std::string_view key);

// Overwrites a string's bytes before it is freed: for copies of values libraries hand back.
void Wipe(std::string& s);

// Serialise Exiv2 and qpdf, whose global state is not safe to share between threads. When both
// are needed, take qpdf's first.
std::mutex& Exiv2Mutex();
std::mutex& QpdfMutex();

// ---- Pictures (image_container.cc): the container structure, without Exiv2.

enum class ImageType { kJpeg, kPng, kWebp };

// Checks the structure of a JPEG, PNG or WebP file. If `out` is non-null, writes the copy that
// keeps only what is needed to show the picture (see image_container.cc for the lists). If
// `findings` is non-null, adds what the structure itself holds (comments, text chunks, data
// after the end of the picture). Errors: kMalformed, kTruncated, kUnsupported.
Status RewriteImage(ImageType type, std::span<const uint8_t> in, SecretBuffer* out,
                    ReportBuilder* findings);

// ---- Exiv2 (exiv2.cc). Each takes Exiv2Mutex itself.

// Adds what Exiv2 reads (EXIF, IPTC, XMP, ICC profile), field names prefixed with `prefix`.
// False if Exiv2 could not read the file; `mime` (if non-null) gets Exiv2's MIME type.
bool ReadWithExiv2(std::span<const uint8_t> in, const std::string& prefix, ReportBuilder* b,
                   std::string* mime);
// True if Exiv2 knows the bytes as some image type.
bool Exiv2KnowsImage(std::span<const uint8_t> in);
// Adds the entries of an XMP packet (a PDF's /Metadata stream).
bool ReadXmpPacket(std::string_view packet, const std::string& prefix, ReportBuilder* b);

// ---- PDF (pdf.cc).
Report InspectPdf(std::span<const uint8_t> in);
Result<SecretBuffer> CleanPdf(std::span<const uint8_t> in);

// ---- Audio and video (av.cc).
// Both empty if no demuxer this library allows recognises the bytes.
std::optional<Report> InspectAv(std::span<const uint8_t> in);
std::optional<Result<SecretBuffer>> CleanAv(std::span<const uint8_t> in);

}  // namespace gavah::metadata::internal
