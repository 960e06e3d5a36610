// Recognises the file by its first bytes and hands it to the part that knows the format; after
// cleaning, inspects the copy and refuses to return it if anything identifying is left.
#include "metadata.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <exception>

#include "internal/formats.h"

namespace gavah::metadata {

namespace internal {

namespace {

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 if it is not well-formed.
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t v;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xe0) == 0xc0) {
    len = 2;
    v = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3;
    v = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4;
    v = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t j = 1; j < len; ++j) {
    const auto cc = static_cast<unsigned char>(s[i + j]);
    if ((cc & 0xc0) != 0x80) return 0;
    v = (v << 6) | (cc & 0x3f);
  }
  if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
      v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
    return 0;
  }
  *cp = v;
  return len;
}

// Characters that would let a value rearrange or hide the text around it when shown.
bool IsUnshowable(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0xfeff;
}

void AppendCodePoint(SecretBuffer* out, uint32_t cp) {
  uint8_t b[4];
  size_t n;
  if (cp < 0x80) {
    b[0] = static_cast<uint8_t>(cp);
    n = 1;
  } else if (cp < 0x800) {
    b[0] = static_cast<uint8_t>(0xc0 | (cp >> 6));
    b[1] = static_cast<uint8_t>(0x80 | (cp & 0x3f));
    n = 2;
  } else if (cp < 0x10000) {
    b[0] = static_cast<uint8_t>(0xe0 | (cp >> 12));
    b[1] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3f));
    b[2] = static_cast<uint8_t>(0x80 | (cp & 0x3f));
    n = 3;
  } else {
    b[0] = static_cast<uint8_t>(0xf0 | (cp >> 18));
    b[1] = static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3f));
    b[2] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3f));
    b[3] = static_cast<uint8_t>(0x80 | (cp & 0x3f));
    n = 4;
  }
  out->Append(std::span<const uint8_t>(b, n));
}

constexpr uint32_t kReplacement = 0xfffd;

}  // namespace

SecretBuffer ShowableText(std::string_view raw) {
  SecretBuffer out;
  out.Reserve(std::min(raw.size(), kMaxValueBytes) + 8);
  // Trailing NULs and spaces are padding in EXIF and ID3, not part of the value.
  while (!raw.empty() && (raw.back() == '\0' || raw.back() == ' ')) raw.remove_suffix(1);
  for (size_t i = 0; i < raw.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(raw, i, &cp);
    if (len == 0) {
      cp = kReplacement;
      len = 1;
    } else if (IsUnshowable(cp)) {
      cp = kReplacement;
    }
    if (out.size() + 4 > kMaxValueBytes) {
      out.Append(std::string_view("\xe2\x80\xa6"));  // …
      break;
    }
    AppendCodePoint(&out, cp);
    i += len;
  }
  return out;
}

void ReportBuilder::Push(Kind kind, std::string field, SecretBuffer value) {
  if (report_.findings.size() >= kMaxFindings) {
    ++dropped_;
    return;
  }
  report_.findings.push_back(Finding{kind, std::move(field), std::move(value)});
}

void ReportBuilder::Add(Kind kind, std::string field, std::string_view value) {
  if (report_.findings.size() >= kMaxFindings) {
    ++dropped_;
    return;
  }
  SecretBuffer shown = ShowableText(value);
  if (!shown.empty()) Push(kind, std::move(field), std::move(shown));  // nothing to remove
}

void ReportBuilder::AddLatin1(Kind kind, std::string field, std::string_view value) {
  if (report_.findings.size() >= kMaxFindings) {
    ++dropped_;
    return;
  }
  SecretBuffer utf8;
  utf8.Reserve(std::min(value.size(), kMaxValueBytes) * 2 + 8);
  for (size_t i = 0; i < value.size() && utf8.size() < kMaxValueBytes * 2; ++i) {
    AppendCodePoint(&utf8, static_cast<unsigned char>(value[i]));
  }
  SecretBuffer shown = ShowableText(utf8.view());
  if (!shown.empty()) Push(kind, std::move(field), std::move(shown));
}

void ReportBuilder::Absorb(Report&& other, const std::string& prefix) {
  for (Finding& f : other.findings) Push(f.kind, prefix + f.field, std::move(f.value));
}

Report ReportBuilder::Finish() && {
  if (dropped_ > 0) {
    Note("The file holds " + std::to_string(dropped_) +
         " more hidden details than can be listed here.");
  }
  return std::move(report_);
}

Kind ClassifyKey(std::string_view key) {
  std::string k(key);
  std::transform(k.begin(), k.end(), k.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto has = [&k](std::string_view part) { return k.find(part) != std::string::npos; };
  const auto ends = [&k](std::string_view part) {
    return k.size() >= part.size() && k.compare(k.size() - part.size(), part.size(), part) == 0;
  };
  const bool is_time = has("date") || has("timestamp") || has("timecreated") || has("subsectime") ||
                       has("offsettime") || has("creation_time") || has("timecode") ||
                       ends("year") || (ends("time") && !ends("exposuretime"));
  if (has("gps")) return is_time ? Kind::kTime : Kind::kLocation;
  for (std::string_view part : {"location", "iso6709", "xyz", "country", "sublocation",
                                "provincestate", "latitude", "longitude", "altitude"}) {
    if (has(part)) return Kind::kLocation;
  }
  // Not "capacity", "opacity" or "velocity".
  if (ends(".city") || ends(":city") || ends("/city") || k == "city") return Kind::kLocation;
  for (std::string_view part : {"software", "creatortool", "producer", "encoder", "encoded_by",
                                "encoding", "muxing", "writing_app", "firmware"}) {
    if (has(part)) return Kind::kSoftware;
  }
  for (std::string_view part :
       {"artist", "author", "creator", "copyright", "owner", "by-line", "byline", "writer",
        "credit", "contact", "rights", "composer", "performer", "publisher", "person"}) {
    if (has(part)) return Kind::kPerson;
  }
  for (std::string_view part :
       {"make", "model", "manufacturer", "serial", "lens", "camera", "device", "hostcomputer"}) {
    if (has(part)) return Kind::kDevice;
  }
  if (is_time) return Kind::kTime;
  return Kind::kOther;
}

void Wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

std::mutex& Exiv2Mutex() {
  static std::mutex mu;
  return mu;
}

std::mutex& QpdfMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace internal

namespace {

using internal::ImageType;
using internal::ReportBuilder;

enum class Sniffed { kJpeg, kPng, kWebp, kPdf, kHeif, kTiff, kOther };

bool StartsWith(std::span<const uint8_t> b, size_t at, std::string_view magic) {
  return b.size() >= at + magic.size() &&
         std::memcmp(b.data() + at, magic.data(), magic.size()) == 0;
}

Sniffed Sniff(std::span<const uint8_t> b) {
  if (StartsWith(b, 0, "\xff\xd8\xff")) return Sniffed::kJpeg;
  if (StartsWith(b, 0, "\x89PNG\r\n\x1a\n")) return Sniffed::kPng;
  if (StartsWith(b, 0, "RIFF") && StartsWith(b, 8, "WEBP")) return Sniffed::kWebp;
  if (StartsWith(b, 0, "%PDF-")) return Sniffed::kPdf;
  if (StartsWith(b, 4, "ftyp")) {
    for (std::string_view brand :
         {"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis"}) {
      if (StartsWith(b, 8, brand)) return Sniffed::kHeif;
    }
    return Sniffed::kOther;  // MP4, MOV, M4A, 3GP
  }
  if (StartsWith(b, 0, std::string_view("II*\0", 4)) ||
      StartsWith(b, 0, std::string_view("MM\0*", 4))) {
    return Sniffed::kTiff;
  }
  for (std::string_view av : {"\x1a\x45\xdf\xa3", "OggS", "RIFF", "fLaC", "ID3"}) {
    if (StartsWith(b, 0, av)) return Sniffed::kOther;
  }
  // PDF readers accept up to 1024 bytes of anything before the header; checked after the kinds
  // whose first bytes are fixed.
  const size_t window = std::min<size_t>(b.size(), 1024 + 5);
  const std::string_view head(reinterpret_cast<const char*>(b.data()), window);
  if (head.find("%PDF-") != std::string_view::npos) return Sniffed::kPdf;
  return Sniffed::kOther;
}

const char* ImageName(ImageType t) {
  switch (t) {
    case ImageType::kJpeg:
      return "JPEG image";
    case ImageType::kPng:
      return "PNG image";
    case ImageType::kWebp:
      return "WebP image";
  }
  return "image";
}

Report InspectImage(ImageType type, std::span<const uint8_t> bytes) {
  ReportBuilder b(ImageName(type));
  const bool read = internal::ReadWithExiv2(bytes, "", &b, nullptr);
  const Status structure = internal::RewriteImage(type, bytes, nullptr, &b);
  b.SetCanClean(structure.ok());
  if (!structure.ok()) {
    b.Note(structure.code() == ErrorCode::kUnsupported
               ? "The picture uses a structure that cannot be cleaned safely."
               : "The picture is damaged or cut short, so it cannot be cleaned.");
  }
  if (!read) b.Note("Some hidden details could not be read because the picture is damaged.");
  return std::move(b).Finish();
}

// Pictures Exiv2 can read but this library cannot rewrite.
Report InspectReadOnlyImage(std::string format, std::span<const uint8_t> bytes) {
  ReportBuilder b(format);
  std::string mime;
  const bool read = internal::ReadWithExiv2(bytes, "", &b, &mime);
  if (format.empty()) b.SetFormat("image (" + (mime.empty() ? "unknown type" : mime) + ")");
  b.Note(
      "Hidden details cannot be removed from this kind of picture; a JPEG or PNG copy of it "
      "can be cleaned.");
  if (!read) b.Note("Some hidden details could not be read because the picture is damaged.");
  return std::move(b).Finish();
}

Report Unknown() {
  Report r;
  r.format = "unknown";
  r.note = "This kind of file is not recognised, so its hidden details cannot be checked.";
  return r;
}

Result<Report> InspectUnchecked(std::span<const uint8_t> bytes) {
  Report report;
  switch (Sniff(bytes)) {
    case Sniffed::kJpeg:
      report = InspectImage(ImageType::kJpeg, bytes);
      break;
    case Sniffed::kPng:
      report = InspectImage(ImageType::kPng, bytes);
      break;
    case Sniffed::kWebp:
      report = InspectImage(ImageType::kWebp, bytes);
      break;
    case Sniffed::kPdf:
      report = internal::InspectPdf(bytes);
      break;
    case Sniffed::kHeif:
      report = InspectReadOnlyImage("HEIF image", bytes);
      break;
    case Sniffed::kTiff:
      report = InspectReadOnlyImage("TIFF image", bytes);
      break;
    case Sniffed::kOther:
      if (auto av = internal::InspectAv(bytes)) {
        report = std::move(*av);
      } else if (internal::Exiv2KnowsImage(bytes)) {
        report = InspectReadOnlyImage("", bytes);
      } else {
        report = Unknown();
      }
      break;
  }
  if (report.can_clean && bytes.size() > kMaxCleanBytes) {
    report.can_clean = false;
    report.note = "The file is larger than 512 MiB, the most that can be cleaned.";
  }
  return report;
}

Result<SecretBuffer> CleanUnchecked(std::span<const uint8_t> bytes) {
  const auto image = [&](ImageType type) -> Result<SecretBuffer> {
    SecretBuffer out;
    GAVAH_RETURN_IF_ERROR(internal::RewriteImage(type, bytes, &out, nullptr));
    return out;
  };
  switch (Sniff(bytes)) {
    case Sniffed::kJpeg:
      return image(ImageType::kJpeg);
    case Sniffed::kPng:
      return image(ImageType::kPng);
    case Sniffed::kWebp:
      return image(ImageType::kWebp);
    case Sniffed::kPdf:
      return internal::CleanPdf(bytes);
    case Sniffed::kHeif:
      return Error(ErrorCode::kUnsupported,
                   "this kind of file cannot be cleaned: HEIF pictures are not supported (a JPEG "
                   "copy of the picture can be cleaned)");
    case Sniffed::kTiff:
      return Error(ErrorCode::kUnsupported,
                   "this kind of file cannot be cleaned: TIFF and camera raw pictures are not "
                   "supported (a JPEG copy of the picture can be cleaned)");
    case Sniffed::kOther:
      break;
  }
  if (std::optional<Result<SecretBuffer>> av = internal::CleanAv(bytes)) return std::move(*av);
  if (internal::Exiv2KnowsImage(bytes)) {
    return Error(ErrorCode::kUnsupported,
                 "this kind of file cannot be cleaned: this kind of picture is not supported (a "
                 "JPEG copy of the picture can be cleaned)");
  }
  return Error(ErrorCode::kUnsupported,
               "this kind of file cannot be cleaned: it is not a picture, PDF, audio or video "
               "file this program knows");
}

// What a cleaned file may still show: what FFmpeg's muxers write into every file they make, the
// same for everyone (brands, generic handler names, "und" languages, "Lavf", durations).
bool WrittenByCleaning(const Finding& f) {
  if (f.kind != Kind::kOther) return false;
  const std::string_view field = f.field;
  const std::string_view tag = field.substr(field.rfind(' ') + 1);
  for (std::string_view written :
       {"major_brand", "minor_version", "compatible_brands", "handler_name", "vendor_id",
        "language", "encoder", "DURATION"}) {
    if (tag == written) return true;
  }
  return false;
}

Status EmptyInput() { return Error(ErrorCode::kInvalidArgument, "the file is empty"); }

}  // namespace

Result<Report> Inspect(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return EmptyInput();
  try {
    return InspectUnchecked(bytes);
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::kTooLarge, "there was not enough memory to read the file");
  } catch (...) {
    // Every part catches its library's exceptions; this is the last line, not the plan.
    return Error(ErrorCode::kMalformed, "the file could not be read");
  }
}

Result<SecretBuffer> Clean(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return EmptyInput();
  if (bytes.size() > kMaxCleanBytes) {
    return Error(ErrorCode::kTooLarge,
                 "the file is larger than 512 MiB, the most that can be cleaned");
  }
  try {
    GAVAH_ASSIGN_OR_RETURN(SecretBuffer cleaned, CleanUnchecked(bytes));
    // Self-check: the copy must read back as a known kind of file with nothing left in it
    // but what the cleaning itself writes.
    Result<Report> check = InspectUnchecked(cleaned.span());
    if (!check.ok() || check->format == "unknown") {
      return Error(ErrorCode::kMalformed, "the cleaned copy could not be read back");
    }
    for (const Finding& f : check->findings) {
      if (!WrittenByCleaning(f)) {
        return Error(ErrorCode::kUnsupported,
                     "this kind of file cannot be cleaned: " + f.field + " would remain");
      }
    }
    return cleaned;
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::kTooLarge, "there was not enough memory to clean the file");
  } catch (...) {
    return Error(ErrorCode::kMalformed, "the file could not be cleaned");
  }
}

}  // namespace gavah::metadata
