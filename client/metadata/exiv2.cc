// Reading EXIF, IPTC and XMP with Exiv2 0.27 (reading only: cleaning pictures is done by
// image_container.cc). Exiv2 throws Exiv2::AnyError, keeps global state (the XMP toolkit, its
// log level) and is not safe to share between threads, so every call here runs under
// Exiv2Mutex() inside a catch-all.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exiv2/exiv2.hpp>
#include <mutex>

#include "internal/formats.h"

namespace gavah::metadata::internal {
namespace {

void InitExiv2() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Exiv2 prints warnings about damaged files to stderr by default, with values in them.
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::LogMsg::setHandler(nullptr);
    Exiv2::XmpParser::initialize();
    Exiv2::enableBMFF(true);  // HEIF, AVIF, CR3: read-only here
    // Loaded as a module, Exiv2's own static destructors run at exit before LeakSanitizer looks,
    // and they free its namespace table but not the names registered from hostile XMP: this
    // frees them first (waiting for any call still under way).
    std::atexit([] {
      std::lock_guard<std::mutex> lock(Exiv2Mutex());
      Exiv2::XmpParser::terminate();
    });
  });
}

std::string Bytes(long n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

// Binary blobs and long arrays are summarised: the witness learns they exist, not their bytes.
std::string ValueText(const Exiv2::Metadatum& md, const Exiv2::ExifData* exif) {
  const Exiv2::TypeId type = md.typeId();
  if ((type == Exiv2::undefined || type == Exiv2::unsignedByte || type == Exiv2::signedByte) &&
      md.size() > 64) {
    return Bytes(md.size()) + " of binary data";
  }
  if (type != Exiv2::asciiString && type != Exiv2::string && type != Exiv2::comment &&
      type != Exiv2::xmpText && type != Exiv2::langAlt && md.count() > 32) {
    return std::to_string(md.count()) + " values";
  }
  std::string text = exif != nullptr ? md.print(exif) : md.print();
  // XMP language alternatives print as lang="x-default" text.
  constexpr std::string_view kDefault = "lang=\"x-default\" ";
  if (text.compare(0, kDefault.size(), kDefault) == 0) text.erase(0, kDefault.size());
  return text;
}

void AddValue(ReportBuilder* b, Kind kind, std::string field, const Exiv2::Metadatum& md,
              const Exiv2::ExifData* exif) {
  std::string text = ValueText(md, exif);
  if (!text.empty()) b->Add(kind, std::move(field), text);
  Wipe(text);
}

// Degrees from an EXIF GPS rational triple (degrees, minutes, seconds); NaN if unusable.
double Degrees(const Exiv2::Exifdatum& md) {
  double total = 0;
  const double scale[3] = {1, 60, 3600};
  if (md.count() < 1 || md.count() > 3) return NAN;
  for (long i = 0; i < md.count(); ++i) {
    const Exiv2::Rational r = md.toRational(i);
    if (r.second == 0 || r.first < 0 || r.second < 0) return NAN;
    total += static_cast<double>(r.first) / r.second / scale[i];
  }
  return total;
}

// One finding for the position, in decimal degrees: "35.683889° N, 51.388889° E".
void AddGpsPosition(const Exiv2::ExifData& exif, const std::string& prefix, ReportBuilder* b) {
  const auto lat = exif.findKey(Exiv2::ExifKey("Exif.GPSInfo.GPSLatitude"));
  const auto lon = exif.findKey(Exiv2::ExifKey("Exif.GPSInfo.GPSLongitude"));
  if (lat == exif.end() && lon == exif.end()) return;
  const auto ref = [&exif](const char* key, char fallback) {
    const auto it = exif.findKey(Exiv2::ExifKey(key));
    if (it == exif.end()) return fallback;
    const std::string s = it->toString();
    return s.empty() ? fallback : s[0];
  };
  std::string text;
  char part[64];
  const auto add = [&](Exiv2::ExifData::const_iterator it, char hemisphere, double max) {
    if (it == exif.end()) return;
    const double d = Degrees(*it);
    if (!text.empty()) text += ", ";
    if (std::isnan(d) || d > max) {
      text += it->print(&exif);
      if (hemisphere != '?') text += std::string(" ") + hemisphere;
      return;
    }
    std::snprintf(part, sizeof part, "%.6f\xc2\xb0 %c", d, hemisphere);
    text += part;
  };
  add(lat, ref("Exif.GPSInfo.GPSLatitudeRef", '?'), 90);
  add(lon, ref("Exif.GPSInfo.GPSLongitudeRef", '?'), 180);
  b->Add(Kind::kLocation, prefix + "Exif.GPSInfo.GPSLatitude/GPSLongitude", text);
  Wipe(text);
}

bool IsStructural(const std::string& key, const std::string& group) {
  // Pointers between EXIF directories and Exiv2's own bookkeeping; none is a detail.
  for (std::string_view k :
       {"Exif.Image.ExifTag", "Exif.Image.GPSTag", "Exif.Photo.InteroperabilityTag",
        "Exif.GPSInfo.GPSLatitude", "Exif.GPSInfo.GPSLongitude", "Exif.GPSInfo.GPSLatitudeRef",
        "Exif.GPSInfo.GPSLongitudeRef", "Exif.GPSInfo.GPSVersionID"}) {
    if (key == k) return true;
  }
  return group == "Iop" || group == "MakerNote" || group.compare(0, 9, "Thumbnail") == 0;
}

void AddExif(const Exiv2::ExifData& exif, const std::string& prefix, ReportBuilder* b) {
  AddGpsPosition(exif, prefix, b);
  bool thumbnail = false;
  for (const Exiv2::Exifdatum& md : exif) {
    const std::string key = md.key();
    const std::string group = md.groupName();
    if (group.compare(0, 9, "Thumbnail") == 0) thumbnail = true;
    if (IsStructural(key, group)) continue;
    if (key == "Exif.Photo.MakerNote") {
      b->Add(Kind::kDevice, prefix + key,
             Bytes(md.size()) + " of camera maker data (it often holds serial numbers)");
      continue;
    }
    AddValue(b, ClassifyKey(key), prefix + key, md, &exif);
  }
  if (thumbnail) {
    b->Add(Kind::kOther, prefix + "Exif thumbnail",
           "a small copy of the picture (it may show what was cropped out)");
  }
}

void AddIptc(const Exiv2::IptcData& iptc, const std::string& prefix, ReportBuilder* b) {
  for (const Exiv2::Iptcdatum& md : iptc) {
    const std::string key = md.key();
    if (key == "Iptc.Envelope.ModelVersion" || key == "Iptc.Application2.RecordVersion" ||
        key == "Iptc.Envelope.CharacterSet") {
      continue;
    }
    AddValue(b, ClassifyKey(key), prefix + key, md, nullptr);
  }
}

void AddXmp(const Exiv2::XmpData& xmp, const std::string& prefix, ReportBuilder* b) {
  for (const Exiv2::Xmpdatum& md : xmp) {
    const std::string key = md.key();
    AddValue(b, ClassifyKey(key), prefix + key, md, nullptr);
  }
}

}  // namespace

bool ReadWithExiv2(std::span<const uint8_t> in, const std::string& prefix, ReportBuilder* b,
                   std::string* mime) {
  std::lock_guard<std::mutex> lock(Exiv2Mutex());
  try {
    InitExiv2();
    // Over a MemIo that reads `in` in place: no copy, no file.
    Exiv2::Image::AutoPtr image = Exiv2::ImageFactory::open(
        reinterpret_cast<const Exiv2::byte*>(in.data()), static_cast<long>(in.size()));
    if (image.get() == nullptr) return false;
    if (mime != nullptr) *mime = image->mimeType();
    image->readMetadata();
    AddExif(image->exifData(), prefix, b);
    AddIptc(image->iptcData(), prefix, b);
    AddXmp(image->xmpData(), prefix, b);
    if (image->iccProfileDefined()) {
      b->Add(Kind::kOther, prefix + "ICC colour profile",
             Bytes(image->iccProfile()->size_) +
                 " describing the colours of the screen or "
                 "camera");
    }
    return true;
  } catch (...) {  // Exiv2::AnyError, std::bad_alloc, the XMP toolkit's XMP_Error
    return false;
  }
}

bool Exiv2KnowsImage(std::span<const uint8_t> in) {
  std::lock_guard<std::mutex> lock(Exiv2Mutex());
  try {
    InitExiv2();
    const int type = Exiv2::ImageFactory::getType(reinterpret_cast<const Exiv2::byte*>(in.data()),
                                                  static_cast<long>(in.size()));
    // Exiv2's video readers are not pictures; libavformat has already declined these bytes.
    // The values of ImageType::riff, mkv, qtime and asf in exiv2/*video.hpp, headers that do
    // not compile on their own.
    return type != Exiv2::ImageType::none && type != 20 && type != 21 && type != 22 && type != 24;
  } catch (...) {
    return false;
  }
}

bool ReadXmpPacket(std::string_view packet, const std::string& prefix, ReportBuilder* b) {
  std::lock_guard<std::mutex> lock(Exiv2Mutex());
  try {
    InitExiv2();
    Exiv2::XmpData xmp;
    std::string copy(packet);
    const int rc = Exiv2::XmpParser::decode(xmp, copy);
    Wipe(copy);
    if (rc != 0) return false;
    AddXmp(xmp, prefix, b);
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace gavah::metadata::internal
