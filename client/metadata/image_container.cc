// Cleans JPEG, PNG and WebP pictures by rebuilding the container from an allow-list of the parts
// a decoder needs, copying the compressed picture byte for byte (so the pixels are identical).
//
// Why not Exiv2's writer: it removes what it knows (EXIF, IPTC, XMP, ICC, comments) but copies
// everything else, and "everything else" is where phones put the worst of it: an MPF segment
// with the other pictures of a burst or a depth map (each with its own EXIF), a motion photo's
// video after the end of the JPEG, vendor APPn segments, PNG text chunks. An allow-list cannot
// miss what nobody has thought of yet.
//
// Kept:    JPEG  SOI, SOFn, DHT, DAC, DQT, DRI, DNL, DHP, EXP, SOS and the scans, RSTn, EOI;
//               APP0 JFIF without its thumbnail; APP14 Adobe (its colour transform flag).
//          PNG   IHDR, PLTE, IDAT, IEND, tRNS, gAMA, cHRM, sRGB, sBIT, bKGD, pHYs, hIST, cICP,
//               mDCv, cLLi, and APNG's acTL, fcTL, fdAT.
//          WebP  VP8X (with its ICC, EXIF and XMP flags cleared), VP8, VP8L, ALPH, ANIM, ANMF.
// Dropped: everything else, including the ICC colour profile (the pixels are unchanged; a
//          colour-managed viewer may show wide-gamut pictures slightly duller) and any bytes
//          after the end of the picture.
// Refused: unknown critical PNG chunks and reserved JPEG markers (no guess at what they mean).
#include <cstring>
#include <string>

#include "internal/formats.h"

namespace gavah::metadata::internal {
namespace {

class Sink {
 public:
  explicit Sink(SecretBuffer* out) : out_(out) {}
  void Put(std::span<const uint8_t> bytes) {
    if (out_ != nullptr) out_->Append(bytes);
  }
  void Put(std::initializer_list<uint8_t> bytes) {
    if (out_ != nullptr) out_->Append(std::span<const uint8_t>(bytes.begin(), bytes.size()));
  }
  size_t size() const { return out_ == nullptr ? 0 : out_->size(); }
  uint8_t* at(size_t i) { return out_->data() + i; }
  bool writing() const { return out_ != nullptr; }

 private:
  SecretBuffer* out_;
};

std::string_view AsText(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

bool Starts(std::span<const uint8_t> b, std::string_view prefix) {
  return b.size() >= prefix.size() && std::memcmp(b.data(), prefix.data(), prefix.size()) == 0;
}

// The printable ASCII at the start of a segment, for naming it ("Ducky", "Photoshop 3.0").
std::string Identifier(std::span<const uint8_t> b) {
  std::string id;
  for (size_t i = 0; i < b.size() && i < 32 && b[i] >= 0x20 && b[i] < 0x7f; ++i) {
    id += static_cast<char>(b[i]);
  }
  return id;
}

std::string Bytes(size_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

Status Damaged(std::string_view format, std::string_view what) {
  return Error(ErrorCode::kMalformed,
               "the " + std::string(format) + " picture is damaged: " + std::string(what));
}

Status CutShort(std::string_view format) {
  return Error(ErrorCode::kTruncated, "the " + std::string(format) + " picture is cut short");
}

void AfterEnd(ReportBuilder* findings, std::string field, size_t n) {
  if (findings != nullptr && n > 0) {
    findings->Add(Kind::kOther, std::move(field),
                  Bytes(n) +
                      " after the end of the picture (it may hold another picture or a "
                      "video)");
  }
}

// ---- JPEG (ITU-T T.81, Annex B).

bool IsSof(uint8_t m) {
  return (m >= 0xc0 && m <= 0xc3) || (m >= 0xc5 && m <= 0xc7) || (m >= 0xc9 && m <= 0xcb) ||
         (m >= 0xcd && m <= 0xcf) || m == 0xf7;  // 0xf7: JPEG-LS SOF55
}

bool IsKeptTable(uint8_t m) {
  return m == 0xc4 || m == 0xcc || m == 0xdb || m == 0xdd || m == 0xdc || m == 0xde || m == 0xdf ||
         m == 0xf8;  // DHT DAC DQT DRI DNL DHP EXP, JPEG-LS LSE
}

void JpegFinding(ReportBuilder* findings, uint8_t m, std::span<const uint8_t> payload) {
  if (findings == nullptr) return;
  const int n = m - 0xe0;
  const std::string id = Identifier(payload);
  // EXIF, XMP, ICC and IPTC are read (and listed) by Exiv2.
  if (m == 0xe1 && (Starts(payload, std::string_view("Exif\0", 5)) ||
                    Starts(payload, std::string_view("http://ns.adobe.com/xap/1.0/\0", 29)))) {
    return;
  }
  if (m == 0xe2 && Starts(payload, "ICC_PROFILE")) return;
  if (m == 0xe1 && Starts(payload, "http://ns.adobe.com/xmp/extension/")) {
    findings->Add(Kind::kOther, "JPEG extended XMP", Bytes(payload.size()) + " of more XMP");
  } else if (m == 0xe2 && Starts(payload, std::string_view("MPF\0", 4))) {
    findings->Add(Kind::kOther, "JPEG MPF segment",
                  "an index of more pictures stored in the file (burst, depth or preview "
                  "pictures, each with its own details)");
  } else if (m == 0xed) {
    findings->Add(Kind::kOther, "JPEG Photoshop segment",
                  Bytes(payload.size()) + " of editing data (" + id + ")");
  } else {
    findings->Add(Kind::kOther, "JPEG APP" + std::to_string(n) + " segment",
                  (id.empty() ? std::string("unnamed") : id) + ", " + Bytes(payload.size()));
  }
}

Status RewriteJpeg(std::span<const uint8_t> in, Sink& out, ReportBuilder* findings) {
  constexpr std::string_view kName = "JPEG";
  const size_t n = in.size();
  if (n < 4 || in[0] != 0xff || in[1] != 0xd8) return Damaged(kName, "no start marker");
  out.Put({0xff, 0xd8});
  size_t p = 2;
  bool frame = false, scanned = false;
  while (true) {
    if (p >= n) return CutShort(kName);
    if (in[p] != 0xff) return Damaged(kName, "stray bytes between segments");
    while (p < n && in[p] == 0xff) ++p;  // fill bytes (B.1.1.2)
    if (p >= n) return CutShort(kName);
    const uint8_t m = in[p++];
    if (m == 0xd9) {
      if (!scanned) return Damaged(kName, "no picture data");
      out.Put({0xff, 0xd9});
      break;
    }
    if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {  // TEM, RSTn: no length
      out.Put({0xff, m});
      continue;
    }
    if (m == 0x00 || m == 0xd8) return Damaged(kName, "a marker out of place");
    if (p + 2 > n) return CutShort(kName);
    const size_t len = (size_t{in[p]} << 8) | in[p + 1];
    if (len < 2) return Damaged(kName, "a segment length below two");
    if (len > n - p) return CutShort(kName);
    const std::span<const uint8_t> payload = in.subspan(p + 2, len - 2);
    const std::span<const uint8_t> segment = in.subspan(p, len);  // length and payload
    p += len;

    if (IsSof(m) || IsKeptTable(m)) {
      frame = frame || IsSof(m);
      out.Put({0xff, m});
      out.Put(segment);
    } else if (m == 0xda) {  // SOS, then entropy-coded data up to the next marker
      if (!frame) return Damaged(kName, "a scan before the frame header");
      out.Put({0xff, m});
      out.Put(segment);
      const size_t start = p;
      while (true) {
        const void* ff = p < n ? std::memchr(in.data() + p, 0xff, n - p) : nullptr;
        if (ff == nullptr) return CutShort(kName);
        p = static_cast<size_t>(static_cast<const uint8_t*>(ff) - in.data());
        if (p + 1 >= n) return CutShort(kName);
        const uint8_t next = in[p + 1];
        if (next == 0x00 || (next >= 0xd0 && next <= 0xd7)) {  // stuffed byte, restart marker
          p += 2;
          continue;
        }
        break;  // a marker (or fill bytes before one) ends the scan
      }
      out.Put(in.subspan(start, p - start));
      scanned = true;
    } else if (m == 0xe0 && Starts(payload, std::string_view("JFIF\0", 5)) &&
               payload.size() >= 14) {
      // Version, units and density; the thumbnail's size set to 0x0.
      out.Put({0xff, 0xe0, 0x00, 0x10});
      out.Put(payload.first(12));
      out.Put({0x00, 0x00});
      if (findings != nullptr && payload[12] != 0 && payload[13] != 0) {
        findings->Add(Kind::kOther, "JFIF thumbnail",
                      "a small copy of the picture (it may show what was cropped out)");
      }
    } else if (m == 0xee && Starts(payload, "Adobe") && payload.size() >= 12) {
      out.Put({0xff, 0xee, 0x00, 0x0e});
      out.Put(payload.first(12));
    } else if (m >= 0xe0 && m <= 0xef) {
      JpegFinding(findings, m, payload);
    } else if (m == 0xfe) {
      if (findings != nullptr) findings->Add(Kind::kOther, "JPEG comment", AsText(payload));
    } else {
      return Error(ErrorCode::kUnsupported,
                   "the JPEG picture uses a reserved marker that cannot be checked");
    }
  }
  AfterEnd(findings, "JPEG data after the picture", n - p);
  return Status::Ok();
}

// ---- PNG (ISO/IEC 15948, W3C PNG third edition; APNG).

uint32_t Be32(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

uint32_t Le32(const uint8_t* b) {
  return (uint32_t{b[3]} << 24) | (uint32_t{b[2]} << 16) | (uint32_t{b[1]} << 8) | b[0];
}

bool IsKeptPngChunk(std::string_view t) {
  for (std::string_view k :
       {"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "sBIT", "bKGD", "pHYs",
        "hIST", "cICP", "mDCv", "cLLi", "acTL", "fcTL", "fdAT"}) {
    if (t == k) return true;
  }
  return false;
}

// A PNG text keyword (Latin-1, 1-79 characters) as a field name: printable ASCII only.
std::string PngKeyword(std::string_view keyword) {
  std::string k;
  for (char c : keyword.substr(0, 79)) {
    k += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return k;
}

void PngTextFinding(ReportBuilder* findings, std::string_view type, std::span<const uint8_t> data) {
  const std::string_view text = AsText(data);
  const size_t nul = text.find('\0');
  if (nul == std::string_view::npos) {
    findings->Add(Kind::kOther, "PNG " + std::string(type) + " chunk", Bytes(data.size()));
    return;
  }
  const std::string keyword = PngKeyword(text.substr(0, nul));
  // Exiv2 reads and lists what these hold.
  for (std::string_view decoded : {"Raw profile type exif", "Raw profile type iptc",
                                   "Raw profile type xmp", "XML:com.adobe.xmp"}) {
    if (keyword == decoded) return;
  }
  const Kind kind = ClassifyKey(keyword);
  const std::string field = "PNG text " + keyword;
  std::string_view rest = text.substr(nul + 1);
  if (type == "tEXt") {
    findings->AddLatin1(kind, field, rest);
  } else if (type == "iTXt" && rest.size() >= 2 && rest[0] == 0) {
    // compression flag 0, method, language tag NUL, translated keyword NUL, UTF-8 text
    rest.remove_prefix(2);
    for (int i = 0; i < 2; ++i) {
      const size_t z = rest.find('\0');
      rest = z == std::string_view::npos ? std::string_view() : rest.substr(z + 1);
    }
    findings->Add(kind, field, rest);
  } else {
    findings->Add(kind, field, "compressed text, " + Bytes(rest.size()));
  }
}

Status RewritePng(std::span<const uint8_t> in, Sink& out, ReportBuilder* findings) {
  constexpr std::string_view kName = "PNG";
  const size_t n = in.size();
  out.Put(in.first(8));
  size_t p = 8;
  bool first = true;
  while (true) {
    if (n - p < 12) return CutShort(kName);
    const uint32_t len = Be32(in.data() + p);
    if (len > 0x7fffffffu) return Damaged(kName, "a chunk longer than allowed");
    const std::string_view type = AsText(in.subspan(p + 4, 4));
    for (char c : type) {
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        return Damaged(kName, "a chunk with an invalid name");
      }
    }
    if (len > n - p - 12) return CutShort(kName);
    const std::span<const uint8_t> chunk = in.subspan(p, size_t{len} + 12);
    const std::span<const uint8_t> data = in.subspan(p + 8, len);
    p += size_t{len} + 12;
    if (first && type != "IHDR") return Damaged(kName, "no header chunk");
    first = false;
    if (IsKeptPngChunk(type)) {
      out.Put(chunk);
      if (type == "IEND") break;
      continue;
    }
    if (type[0] >= 'A' && type[0] <= 'Z') {
      return Error(ErrorCode::kUnsupported,
                   "the PNG picture has a required part of an unknown kind");
    }
    if (findings == nullptr) continue;
    if (type == "tEXt" || type == "zTXt" || type == "iTXt") {
      PngTextFinding(findings, type, data);
    } else if (type == "tIME" && len == 7) {
      char when[32];
      std::snprintf(when, sizeof when, "%04u-%02u-%02u %02u:%02u:%02u",
                    (unsigned{data[0]} << 8) | data[1], data[2], data[3], data[4], data[5],
                    data[6]);
      findings->Add(Kind::kTime, "PNG tIME", when);
    } else if (type != "eXIf" && type != "iCCP") {  // Exiv2 lists these
      findings->Add(Kind::kOther, "PNG " + std::string(type) + " chunk", Bytes(len));
    }
  }
  AfterEnd(findings, "PNG data after the picture", n - p);
  return Status::Ok();
}

// ---- WebP (RFC 9649).

Status RewriteWebp(std::span<const uint8_t> in, Sink& out, ReportBuilder* findings) {
  constexpr std::string_view kName = "WebP";
  const size_t n = in.size();
  if (n < 20) return CutShort(kName);
  const size_t riff_end = size_t{Le32(in.data() + 4)} + 8;
  if (riff_end > n) return CutShort(kName);
  const size_t header_at = out.size();
  out.Put(in.first(12));  // RIFF, size (rewritten below), WEBP
  size_t p = 12;
  bool first = true, extended = false;
  while (p < riff_end) {
    if (riff_end - p < 8) return Damaged(kName, "a chunk header cut short");
    const std::string_view fourcc = AsText(in.subspan(p, 4));
    const size_t len = Le32(in.data() + p + 4);
    const size_t padded = len + (len & 1);
    if (padded > riff_end - p - 8) return Damaged(kName, "a chunk longer than the file");
    const std::span<const uint8_t> chunk = in.subspan(p, 8 + padded);
    p += 8 + padded;
    if (first) {
      if (fourcc == "VP8X") {
        if (len < 10) return Damaged(kName, "an extended header too short");
        extended = true;
      } else if (fourcc != "VP8 " && fourcc != "VP8L") {
        return Damaged(kName, "no picture header");
      }
    }
    const bool was_first = first;
    first = false;
    if (fourcc == "VP8X" && was_first) {
      const size_t flags_at = out.size();
      out.Put(chunk);
      // ICC profile (0x20), EXIF (0x08) and XMP (0x04) are gone.
      if (out.writing()) *out.at(flags_at + 8) &= static_cast<uint8_t>(~(0x20 | 0x08 | 0x04));
    } else if (fourcc == "VP8 " || fourcc == "VP8L" ||
               (extended && (fourcc == "ALPH" || fourcc == "ANIM" || fourcc == "ANMF"))) {
      out.Put(chunk);
    } else if (findings != nullptr && fourcc != "EXIF" && fourcc != "XMP " && fourcc != "ICCP") {
      findings->Add(Kind::kOther, "WebP " + Identifier(chunk.first(4)) + " chunk", Bytes(len));
    }
  }
  if (out.writing()) {
    const size_t riff_size = out.size() - header_at - 8;
    uint8_t* s = out.at(header_at + 4);
    for (int i = 0; i < 4; ++i) s[i] = static_cast<uint8_t>(riff_size >> (8 * i));
  }
  AfterEnd(findings, "WebP data after the picture", n - riff_end);
  return Status::Ok();
}

}  // namespace

Status RewriteImage(ImageType type, std::span<const uint8_t> in, SecretBuffer* out,
                    ReportBuilder* findings) {
  if (out != nullptr) {
    out->Clear();
    out->Reserve(in.size());  // the copy is never larger
  }
  Sink sink(out);
  switch (type) {
    case ImageType::kJpeg:
      return RewriteJpeg(in, sink, findings);
    case ImageType::kPng:
      return RewritePng(in, sink, findings);
    case ImageType::kWebp:
      return RewriteWebp(in, sink, findings);
  }
  return Error(ErrorCode::kUnsupported, "this kind of picture cannot be cleaned");
}

}  // namespace gavah::metadata::internal
