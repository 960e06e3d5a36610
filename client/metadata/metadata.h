// Finds and removes the hidden details in a witness's attachments that could identify them:
// where a photo was taken, the camera's serial number, the author of a document, the phone that
// recorded a video. Everything happens in memory; nothing is written to disk.
//
// Formats: JPEG, PNG and WebP pictures; PDF documents; MP4, QuickTime MOV, M4A, 3GP, Matroska,
// WebM, MP3, Ogg, WAV and FLAC recordings (cleaned by copying the compressed picture and sound
// into a new container, without re-encoding). Other pictures (HEIF, TIFF, camera raw files) and
// other recordings (AVI, MPEG-TS, ...) can be inspected but not cleaned.
//
// Thread-safety: Inspect and Clean may be called from several threads at once. Work done with
// Exiv2 and qpdf is serialised by an internal mutex; libavformat work runs concurrently.
// Contract for hostile input: both functions never throw, never log what they find, and bound
// what they allocate by a small multiple of the input's size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah::metadata {

enum class Kind { kLocation, kDevice, kPerson, kTime, kSoftware, kOther };

struct Finding {
  Kind kind = Kind::kOther;
  // Where the detail sits, e.g. "Exif.GPSInfo.GPSLatitude", "PDF Author", "MP4 location".
  std::string field;
  // The detail as it should be shown to the witness: UTF-8, with control characters,
  // bidirectional overrides and invalid bytes replaced by U+FFFD, at most about 300 bytes.
  SecretBuffer value;
};

struct Report {
  // "JPEG image", "PNG image", "WebP image", "HEIF image", "TIFF image", "image (<MIME type>)",
  // "PDF document", "MP4 video", "audio/video (<format name>)" or "unknown".
  std::string format;
  bool can_clean = false;
  // One plain English sentence: why the file cannot be cleaned, or what could not be read.
  // Empty when there is nothing to say.
  std::string note;
  // At most kMaxFindings; `note` says so when more were left out.
  std::vector<Finding> findings;
};

inline constexpr size_t kMaxFindings = 500;

// Largest input Clean accepts (memory stays bounded): 512 MiB.
inline constexpr size_t kMaxCleanBytes = 512u << 20;

// What identifying details the file carries. Errors: kInvalidArgument for an empty input.
// A file of a kind this library does not know is a report with format "unknown" and
// can_clean false; a damaged file of a known kind is a report with a note.
Result<Report> Inspect(std::span<const uint8_t> bytes);

// A copy of the file without its identifying details (see docs in the .cc files for exactly
// what each format loses), checked by inspecting the copy before it is returned. Errors:
// kInvalidArgument (empty), kTooLarge (over kMaxCleanBytes), kUnsupported ("this kind of file
// cannot be cleaned: ..."), kMalformed or kTruncated (damaged input).
Result<SecretBuffer> Clean(std::span<const uint8_t> bytes);

// "location", "device", "person", "time", "software", "other": for logs of counts and tests.
const char* KindName(Kind kind);

}  // namespace gavah::metadata
