// gavah_metadata against files made by the real tools (ImageMagick, exiv2, ffmpeg) and checked
// after cleaning by the real tools (exiv2, ffprobe, ffmpeg, qpdf): the identifying details are
// found, then gone, and the picture, pages or recording are intact.
#include "metadata.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/pdf_support.h"
#include "support/process.h"

namespace gavah::metadata {
namespace {

namespace fs = std::filesystem;

std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string AsString(const SecretBuffer& b) { return std::string(b.view()); }

// Every field and value of a report, one per line, for "contains" checks.
std::string Dump(const Report& r) {
  std::string s;
  for (const Finding& f : r.findings) {
    s += std::string(KindName(f.kind)) + " " + f.field + " = " + std::string(f.value.view()) + "\n";
  }
  return s;
}

// The first finding of `kind` whose value contains `text`, or null.
const Finding* Find(const Report& r, Kind kind, std::string_view text) {
  for (const Finding& f : r.findings) {
    if (f.kind == kind && f.value.view().find(text) != std::string_view::npos) return &f;
  }
  return nullptr;
}

size_t CountIdentifying(const Report& r) {
  size_t n = 0;
  for (const Finding& f : r.findings) n += f.kind != Kind::kOther;
  return n;
}

class MetadataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gavah-metadata-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs /usr/bin/<tool>; fails the test if it does not exit 0.
  std::string Run(const std::string& tool, const std::vector<std::string>& args) {
    const testing::Outcome o = Exec(tool, args);
    EXPECT_EQ(o.exit_code, 0) << tool << " failed: " << o.err;
    return o.out;
  }
  testing::Outcome Exec(const std::string& tool, const std::vector<std::string>& args) {
    return testing::Exec(dir_, "/usr/bin/" + tool, args,
                         {{"PATH", "/usr/bin:/bin"}, {"HOME", dir_.string()}});
  }
  std::string Read(const std::string& name) { return testing::ReadText(dir_ / name); }
  void Write(const std::string& name, std::string_view bytes) {
    std::ofstream f(dir_ / name, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

  Report InspectOk(const std::string& bytes) {
    Result<Report> r = Inspect(AsBytes(bytes));
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(r).value() : Report{};
  }
  // Cleans `name` into `cleaned`, failing the test if Clean fails.
  std::string CleanFile(const std::string& name, const std::string& cleaned) {
    Result<SecretBuffer> c = Clean(AsBytes(Read(name)));
    EXPECT_TRUE(c.ok()) << c.status().message();
    if (!c.ok()) return {};
    const std::string bytes = AsString(*c);
    Write(cleaned, bytes);
    return bytes;
  }

  // A 64x48 JPEG with a GPS position, a camera make and a body serial number.
  void MakePhoto(const std::string& name) {
    Run("convert", {"-size", "64x48", "gradient:red-blue", name});
    Run("exiv2",
        {"-M", "set Exif.GPSInfo.GPSLatitude 35/1 41/1 2/1", "-M",
         "set Exif.GPSInfo.GPSLatitudeRef N", "-M", "set Exif.GPSInfo.GPSLongitude 51/1 23/1 20/1",
         "-M", "set Exif.GPSInfo.GPSLongitudeRef E", "-M", "set Exif.Image.Make Evin-Camera", "-M",
         "set Exif.Photo.BodySerialNumber SN-19880719", "-M", "set Exif.Image.Artist Evin Witness",
         "-M", "set Exif.Photo.DateTimeOriginal 2024:05:01 10:00:00", name});
  }

  fs::path dir_;
};

// ---- JPEG

TEST_F(MetadataTest, JpegGpsMakeAndSerialAreFound) {
  MakePhoto("photo.jpg");
  const Report r = InspectOk(Read("photo.jpg"));
  EXPECT_EQ(r.format, "JPEG image");
  EXPECT_TRUE(r.can_clean);
  EXPECT_TRUE(r.note.empty()) << r.note;
  // 35° 41' 2" N = 35.683889, 51° 23' 20" E = 51.388889, as one readable finding.
  const Finding* gps = Find(r, Kind::kLocation, "35.683889");
  ASSERT_NE(gps, nullptr) << Dump(r);
  EXPECT_NE(gps->value.view().find("N, 51.388889"), std::string_view::npos) << Dump(r);
  EXPECT_NE(gps->value.view().find("E"), std::string_view::npos);
  EXPECT_NE(Find(r, Kind::kDevice, "Evin-Camera"), nullptr) << Dump(r);
  EXPECT_NE(Find(r, Kind::kDevice, "SN-19880719"), nullptr) << Dump(r);
  EXPECT_NE(Find(r, Kind::kPerson, "Evin Witness"), nullptr) << Dump(r);
  EXPECT_NE(Find(r, Kind::kTime, "2024:05:01 10:00:00"), nullptr) << Dump(r);
}

TEST_F(MetadataTest, CleanedJpegHasNoMetadataAndIdenticalPixels) {
  MakePhoto("photo.jpg");
  const std::string cleaned = CleanFile("photo.jpg", "cleaned.jpg");
  ASSERT_FALSE(cleaned.empty());
  EXPECT_EQ(cleaned.find("Evin"), std::string::npos);
  EXPECT_EQ(cleaned.find("SN-19880719"), std::string::npos);
  EXPECT_EQ(cleaned.find("Exif"), std::string::npos);

  const Report r = InspectOk(cleaned);
  EXPECT_EQ(r.format, "JPEG image");
  EXPECT_TRUE(r.findings.empty()) << Dump(r);
  // exiv2 -pa lists every EXIF, IPTC and XMP entry: none is left.
  EXPECT_EQ(Run("exiv2", {"-pa", "cleaned.jpg"}), "");
  EXPECT_NE(Run("exiv2", {"-pa", "photo.jpg"}).find("GPSLatitude"), std::string::npos);

  const std::string before = Run("convert", {"photo.jpg", "rgb:-"});
  const std::string after = Run("convert", {"cleaned.jpg", "rgb:-"});
  EXPECT_EQ(before.size(), 64u * 48u * 3u);
  EXPECT_TRUE(before == after) << "decoded pixels differ";
}

TEST_F(MetadataTest, JpegCommentsVendorSegmentsAndTrailingDataAreRemoved) {
  MakePhoto("photo.jpg");
  std::string jpeg = Read("photo.jpg");
  ASSERT_GT(jpeg.size(), 4u);
  const std::string comment = "Taken by Evin at home";
  std::string com = "\xff\xfe";
  com += static_cast<char>((comment.size() + 2) >> 8);
  com += static_cast<char>(comment.size() + 2);
  com += comment;
  const std::string app12 = std::string("\xff\xec\x00\x0c", 4) + std::string("Ducky\0Evin", 10);
  jpeg.insert(2, com + app12);
  jpeg += "MOTION-PHOTO-VIDEO-Evin";  // what a phone appends after the picture
  Write("extra.jpg", jpeg);

  const Report r = InspectOk(jpeg);
  EXPECT_TRUE(r.can_clean);
  EXPECT_NE(Find(r, Kind::kOther, comment), nullptr) << Dump(r);
  EXPECT_NE(Find(r, Kind::kOther, "Ducky"), nullptr) << Dump(r);
  EXPECT_NE(Find(r, Kind::kOther, "23 bytes after the end of the picture"), nullptr) << Dump(r);

  const std::string cleaned = CleanFile("extra.jpg", "cleaned.jpg");
  EXPECT_EQ(cleaned.find("Evin"), std::string::npos);
  ASSERT_GE(cleaned.size(), 2u);
  EXPECT_EQ(cleaned.substr(cleaned.size() - 2), "\xff\xd9");
  EXPECT_TRUE(InspectOk(cleaned).findings.empty());
  EXPECT_TRUE(Run("convert", {"extra.jpg", "rgb:-"}) == Run("convert", {"cleaned.jpg", "rgb:-"}));
}

// ---- PNG

TEST_F(MetadataTest, PngExifAndTextChunksAreFoundAndCleaned) {
  Run("convert", {"-size", "64x48", "gradient:red-blue", "photo.png"});
  Run("exiv2",
      {"-M", "set Exif.Image.Make Evin-Camera", "-M", "set Exif.GPSInfo.GPSLatitude 35/1 41/1 2/1",
       "-M", "set Exif.GPSInfo.GPSLatitudeRef N", "photo.png"});
  const Report r = InspectOk(Read("photo.png"));
  EXPECT_EQ(r.format, "PNG image");
  EXPECT_TRUE(r.can_clean);
  EXPECT_NE(Find(r, Kind::kDevice, "Evin-Camera"), nullptr) << Dump(r);
  EXPECT_NE(Find(r, Kind::kLocation, "35.683889"), nullptr) << Dump(r);
  // ImageMagick's own text chunk with the time the file was made.
  bool date = false;
  for (const Finding& f : r.findings)
    date |= f.field == "PNG text date:create" && f.kind == Kind::kTime;
  EXPECT_TRUE(date) << Dump(r);

  const std::string cleaned = CleanFile("photo.png", "cleaned.png");
  EXPECT_EQ(cleaned.find("Evin"), std::string::npos);
  EXPECT_EQ(cleaned.find("date:create"), std::string::npos);
  EXPECT_EQ(cleaned.find("tIME"), std::string::npos);
  EXPECT_TRUE(InspectOk(cleaned).findings.empty()) << Dump(InspectOk(cleaned));
  EXPECT_EQ(Run("exiv2", {"-pa", "cleaned.png"}), "");
  const std::string before = Run("convert", {"photo.png", "rgb:-"});
  EXPECT_EQ(before.size(), 64u * 48u * 3u * 2u);  // 16 bits a sample
  EXPECT_TRUE(before == Run("convert", {"cleaned.png", "rgb:-"}));
}

// ---- WebP

TEST_F(MetadataTest, WebpExifAndXmpAreFoundAndCleaned) {
  Run("convert", {"-size", "64x48", "gradient:red-blue", "photo.webp"});
  Run("exiv2", {"-M", "set Exif.Image.Make Evin-Camera", "-M", "set Xmp.dc.creator Evin Witness",
                "photo.webp"});
  const Report r = InspectOk(Read("photo.webp"));
  EXPECT_EQ(r.format, "WebP image");
  EXPECT_TRUE(r.can_clean);
  EXPECT_NE(Find(r, Kind::kDevice, "Evin-Camera"), nullptr) << Dump(r);
  EXPECT_NE(Find(r, Kind::kPerson, "Evin Witness"), nullptr) << Dump(r);

  const std::string cleaned = CleanFile("photo.webp", "cleaned.webp");
  ASSERT_GE(cleaned.size(), 21u);
  EXPECT_EQ(cleaned.find("Evin"), std::string::npos);
  EXPECT_EQ(cleaned.find("EXIF"), std::string::npos);
  // The RIFF size is the file's, and VP8X no longer announces EXIF or XMP.
  const uint32_t riff = static_cast<uint8_t>(cleaned[4]) | static_cast<uint8_t>(cleaned[5]) << 8 |
                        static_cast<uint8_t>(cleaned[6]) << 16 |
                        static_cast<uint32_t>(static_cast<uint8_t>(cleaned[7])) << 24;
  EXPECT_EQ(riff + 8, cleaned.size());
  ASSERT_EQ(cleaned.substr(12, 4), "VP8X");
  EXPECT_EQ(static_cast<uint8_t>(cleaned[20]) & 0x2c, 0);
  EXPECT_TRUE(InspectOk(cleaned).findings.empty());
  EXPECT_EQ(Run("exiv2", {"-pa", "cleaned.webp"}), "");
  const std::string before = Run("convert", {"photo.webp", "rgb:-"});
  EXPECT_EQ(before.size(), 64u * 48u * 3u);
  EXPECT_TRUE(before == Run("convert", {"cleaned.webp", "rgb:-"}));
}

// A PNG by hand: 1x1 grey, with one text chunk (`type` tEXt: Latin-1, or iTXt: UTF-8).
std::string PngWithText(std::string_view type, std::string_view keyword, std::string_view text) {
  const auto chunk = [](std::string_view name, std::string_view data) {
    std::string c;
    for (int i = 3; i >= 0; --i) c += static_cast<char>(data.size() >> (8 * i));
    c += name;
    c += data;
    c += std::string(4, '\0');  // CRCs are not checked by Inspect or Clean
    return c;
  };
  std::string png = "\x89PNG\r\n\x1a\n";
  png += chunk("IHDR", std::string("\0\0\0\1\0\0\0\1\x08\0\0\0\0", 13));
  std::string data = std::string(keyword) + '\0';
  if (type == "iTXt")
    data += std::string("\0\0", 2) + "en" + '\0' + '\0';  // flag, method, language
  png += chunk(type, data + std::string(text));
  png += chunk("IDAT", std::string("\x78\x9c\x63\x60\x00\x00\x00\x02\x00\x01", 10));
  png += chunk("IEND", "");
  return png;
}

TEST_F(MetadataTest, ValuesAreMadeSafeToShow) {
  // A value that tries to colour a terminal, reverse the text shown after it (U+202E) and
  // slip in an invalid byte.
  const Report r = InspectOk(PngWithText("iTXt", "Author",
                                         "Evin\x1b[31m\xe2\x80\xae"
                                         "evil\xff!"));
  ASSERT_EQ(r.findings.size(), 1u) << Dump(r);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.kind, Kind::kPerson);
  EXPECT_EQ(f.field, "PNG text Author");
  EXPECT_EQ(f.value.view(),
            "Evin\xef\xbf\xbd[31m\xef\xbf\xbd"
            "evil\xef\xbf\xbd!");

  // tEXt is Latin-1: 0xe9 is "é" in UTF-8.
  const Report latin1 = InspectOk(PngWithText("tEXt", "Comment", "caf\xe9"));
  ASSERT_EQ(latin1.findings.size(), 1u) << Dump(latin1);
  EXPECT_EQ(latin1.findings[0].value.view(), "caf\xc3\xa9");

  // Long values are cut, at a character boundary, with an ellipsis.
  const Report big = InspectOk(PngWithText("tEXt", "Comment", std::string(5000, 'x')));
  ASSERT_EQ(big.findings.size(), 1u) << Dump(big);
  const std::string_view v = big.findings[0].value.view();
  EXPECT_LE(v.size(), 310u);
  EXPECT_EQ(v.substr(v.size() - 3), "\xe2\x80\xa6");
}

// ---- PDF

// A one-page PDF showing `jpeg`, with an Info dictionary, document and page XMP, and an /ID.
// With `signed_by`, it also has a (fake, unverifiable) signature naming its signer.
std::string BuildPdf(const std::string& jpeg, const std::string& signed_by = "") {
  const auto stream = [](const std::string& dict, const std::string& data) {
    return "<< " + dict + " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data +
           "\nendstream";
  };
  const auto xmp = [](const std::string& creator) {
    return "<?xpacket begin=\"\xef\xbb\xbf\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
           "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
           "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description "
           "rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
           "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"><dc:creator><rdf:Seq><rdf:li>" +
           creator +
           "</rdf:li></rdf:Seq></dc:creator><xmp:CreatorTool>EvinWriter "
           "1.0</xmp:CreatorTool></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket "
           "end=\"w\"?>";
  };
  std::vector<std::string> objects = {
      signed_by.empty() ? "<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>"
                        : "<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R /AcroForm << /Fields "
                          "[9 0 R] /SigFlags 3 >> >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 64 48] /Contents 4 0 R /Metadata 8 0 R "
      "/Resources << /XObject << /Im1 7 0 R >> >> /PieceInfo << /EvinApp << /Private (Evin) >> "
      ">> >>",
      stream("", "q 64 0 0 48 0 0 cm /Im1 Do Q"),
      stream("/Type /Metadata /Subtype /XML", xmp("Evin Witness")),
      "<< /Author (Evin Witness) /Creator (EvinWriter 1.0) /Producer (EvinPDF 2.0) /Title "
      "(Report) /CreationDate (D:20240501100000+03'30') >>",
      stream("/Type /XObject /Subtype /Image /Width 64 /Height 48 /ColorSpace /DeviceRGB "
             "/BitsPerComponent 8 /Filter /DCTDecode",
             jpeg),
      stream("/Type /Metadata /Subtype /XML", xmp("Evin Page Author")),
  };
  if (!signed_by.empty()) {
    objects.push_back(
        "<< /FT /Sig /T (Signature1) /V << /Type /Sig /Filter /Adobe.PPKLite /Name (" + signed_by +
        ") /Contents <00> >> >>");
  }
  return testing::PdfOf(objects,
                        "/Info 6 0 R /ID [<00112233445566778899aabbccddeeff>"
                        "<00112233445566778899aabbccddeeff>]");
}

TEST_F(MetadataTest, PdfInfoXmpAndPictureExifAreFound) {
  MakePhoto("photo.jpg");
  Write("doc.pdf", BuildPdf(Read("photo.jpg")));
  EXPECT_EQ(Exec("qpdf", {"--check", "doc.pdf"}).exit_code, 0);  // the fixture itself is valid

  const Report r = InspectOk(Read("doc.pdf"));
  EXPECT_EQ(r.format, "PDF document");
  EXPECT_TRUE(r.can_clean) << r.note;
  const auto field = [&r](std::string_view name, Kind kind) -> std::string {
    for (const Finding& f : r.findings) {
      if (f.field == name && f.kind == kind) return std::string(f.value.view());
    }
    return "(missing)";
  };
  EXPECT_EQ(field("PDF Author", Kind::kPerson), "Evin Witness") << Dump(r);
  EXPECT_EQ(field("PDF Creator", Kind::kSoftware), "EvinWriter 1.0");
  EXPECT_EQ(field("PDF Producer", Kind::kSoftware), "EvinPDF 2.0");
  EXPECT_EQ(field("PDF Title", Kind::kOther), "Report");
  EXPECT_EQ(field("PDF CreationDate", Kind::kTime), "2024-05-01 10:00:00 +03:30");
  EXPECT_NE(field("PDF XMP metadata", Kind::kOther), "(missing)");
  EXPECT_NE(Find(r, Kind::kPerson, "Evin Witness"), nullptr);
  bool xmp_creator = false, picture_gps = false;
  for (const Finding& f : r.findings) {
    xmp_creator |= f.field.starts_with("PDF XMP Xmp.dc.creator") && f.kind == Kind::kPerson;
    picture_gps |= f.field.starts_with("PDF picture 1: Exif.GPSInfo") &&
                   f.kind == Kind::kLocation &&
                   f.value.view().find("35.683889") != std::string_view::npos;
  }
  EXPECT_TRUE(xmp_creator) << Dump(r);
  EXPECT_TRUE(picture_gps) << Dump(r);
  EXPECT_NE(field("PDF object XMP metadata", Kind::kOther), "(missing)");
}

TEST_F(MetadataTest, CleanedPdfHasNoInfoXmpOrOldIdAndKeepsItsPage) {
  MakePhoto("photo.jpg");
  Write("doc.pdf", BuildPdf(Read("photo.jpg")));
  const std::string cleaned = CleanFile("doc.pdf", "cleaned.pdf");
  ASSERT_FALSE(cleaned.empty());
  // Streams are written as they are (uncompressed here), so any leftover would show.
  EXPECT_EQ(cleaned.find("Evin"), std::string::npos);
  EXPECT_EQ(cleaned.find("SN-19880719"), std::string::npos);
  EXPECT_EQ(cleaned.find("xmpmeta"), std::string::npos);
  EXPECT_EQ(cleaned.find("00112233445566778899aabbccddeeff"), std::string::npos);

  const Report r = InspectOk(cleaned);
  EXPECT_EQ(r.format, "PDF document");
  EXPECT_EQ(CountIdentifying(r), 0u) << Dump(r);
  EXPECT_TRUE(r.findings.empty()) << Dump(r);

  const testing::Outcome check = Exec("qpdf", {"--check", "cleaned.pdf"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(Run("qpdf", {"--show-npages", "cleaned.pdf"}), "1\n");
  EXPECT_EQ(Run("qpdf", {"--show-npages", "doc.pdf"}), "1\n");
  const std::string trailer = Run("qpdf", {"--show-object=trailer", "cleaned.pdf"});
  EXPECT_EQ(trailer.find("/Info"), std::string::npos) << trailer;
  EXPECT_NE(trailer.find("/ID"), std::string::npos) << trailer;  // replaced, not dropped
  // The page still shows the same picture: the cleaned JPEG inside decodes to the same pixels.
  const size_t start = cleaned.find("\xff\xd8\xff");
  const size_t end = cleaned.rfind("\xff\xd9", cleaned.find("endstream", start));
  ASSERT_NE(start, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  Write("inner.jpg", cleaned.substr(start, end + 2 - start));
  EXPECT_TRUE(Run("convert", {"inner.jpg", "rgb:-"}) == Run("convert", {"photo.jpg", "rgb:-"}));
}

TEST_F(MetadataTest, SignedPdfIsNotCleaned) {
  MakePhoto("photo.jpg");
  const std::string pdf = BuildPdf(Read("photo.jpg"), "Evin Witness");
  const Report r = InspectOk(pdf);
  EXPECT_EQ(r.format, "PDF document");
  EXPECT_FALSE(r.can_clean);
  EXPECT_NE(r.note.find("signed"), std::string::npos) << r.note;
  bool signature = false;
  for (const Finding& f : r.findings) {
    signature |= f.field == "PDF digital signature" && f.kind == Kind::kPerson;
  }
  EXPECT_TRUE(signature) << Dump(r);
  const Result<SecretBuffer> c = Clean(AsBytes(pdf));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(c.status().message().find("signed"), std::string::npos);
}

// ---- Audio and video

TEST_F(MetadataTest, Mp4LocationDeviceAndTimesAreFoundAndCleaned) {
  Run("ffmpeg", {"-v",        "error",
                 "-f",        "lavfi",
                 "-i",        "testsrc=size=64x48:rate=5",
                 "-f",        "lavfi",
                 "-i",        "sine=frequency=440:duration=1",
                 "-t",        "1",
                 "-c:v",      "mpeg4",
                 "-c:a",      "aac",
                 "-metadata", "location=+35.6892+051.3890/",
                 "-metadata", "title=x",
                 "-metadata", "make=Evin-Phone",
                 "-metadata", "model=EP-1",
                 "-metadata", "artist=Evin Witness",
                 "-metadata", "creation_time=2024-05-01T10:00:00Z",
                 "-movflags", "use_metadata_tags",
                 "out.mp4"});
  const std::string probe =
      Run("ffprobe", {"-v", "error", "-show_format", "-show_streams", "out.mp4"});
  ASSERT_NE(probe.find("TAG:location=+35.6892+051.3890/"), std::string::npos) << probe;

  const Report r = InspectOk(Read("out.mp4"));
  EXPECT_EQ(r.format, "MP4 video");
  EXPECT_TRUE(r.can_clean);
  const Finding* where = nullptr;
  for (const Finding& f : r.findings) {
    if (f.field == "MP4 location" && f.kind == Kind::kLocation) where = &f;
  }
  ASSERT_NE(where, nullptr) << Dump(r);
  EXPECT_EQ(where->value.view(), "35.689200\xc2\xb0 N, 51.389000\xc2\xb0 E");
  EXPECT_NE(Find(r, Kind::kDevice, "Evin-Phone"), nullptr) << Dump(r);
  EXPECT_NE(Find(r, Kind::kDevice, "EP-1"), nullptr) << Dump(r);
  EXPECT_NE(Find(r, Kind::kPerson, "Evin Witness"), nullptr) << Dump(r);
  EXPECT_NE(Find(r, Kind::kTime, "2024-05-01"), nullptr) << Dump(r);
  EXPECT_NE(Find(r, Kind::kSoftware, "Lavf"), nullptr) << Dump(r);

  const std::string cleaned = CleanFile("out.mp4", "cleaned.mp4");
  ASSERT_FALSE(cleaned.empty());
  EXPECT_EQ(cleaned.find("Evin"), std::string::npos);
  EXPECT_EQ(cleaned.find("+35.6892"), std::string::npos);
  EXPECT_EQ(cleaned.find("Lavf"), std::string::npos);
  const Report after = InspectOk(cleaned);
  EXPECT_EQ(after.format, "MP4 video");
  EXPECT_EQ(CountIdentifying(after), 0u) << Dump(after);

  const std::string probed =
      Run("ffprobe", {"-v", "error", "-show_format", "-show_streams", "cleaned.mp4"});
  EXPECT_EQ(probed.find("Evin"), std::string::npos) << probed;
  EXPECT_EQ(probed.find("+35.6892"), std::string::npos) << probed;
  for (const char* gone :
       {"location", "make", "model", "creation_time", "artist", "title", "encoder"}) {
    EXPECT_EQ(probed.find(std::string("TAG:") + gone), std::string::npos) << gone << " in\n"
                                                                          << probed;
  }
  const std::vector<std::string> count = {
      "-v",  "error",  "-count_packets", "-show_entries", "stream=codec_type,nb_read_packets",
      "-of", "csv=p=0"};
  std::vector<std::string> a = count, b = count;
  a.push_back("out.mp4");
  b.push_back("cleaned.mp4");
  const std::string packets = Run("ffprobe", a);
  EXPECT_EQ(packets, Run("ffprobe", b));
  EXPECT_NE(packets.find("video,5"), std::string::npos) << packets;
  const testing::Outcome decode =
      Exec("ffmpeg", {"-v", "error", "-i", "cleaned.mp4", "-f", "null", "-"});
  EXPECT_EQ(decode.exit_code, 0);
  EXPECT_EQ(decode.err, "");
}

struct Container {
  const char* file;
  const char* format;  // Report::format
  std::vector<std::string> codecs;
  std::vector<std::string> absent_after;  // bytes the cleaned file must not contain
};

void PrintTo(const Container& c, std::ostream* os) { *os << c.file; }

class ContainerTest : public MetadataTest, public ::testing::WithParamInterface<Container> {};

TEST_P(ContainerTest, TagsAreFoundThenGoneAndStreamsAreIntact) {
  const Container& c = GetParam();
  std::vector<std::string> args = {"-v",    "error", "-f",
                                   "lavfi", "-i",    "sine=frequency=440:duration=1"};
  const bool video = c.codecs.size() > 2;
  if (video) {
    for (const char* a :
         {"-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-map", "1:v", "-map", "0:a"}) {
      args.push_back(a);
    }
  }
  args.insert(args.end(), c.codecs.begin(), c.codecs.end());
  for (const char* a : {"-t", "1", "-metadata", "artist=Evin Witness", "-metadata",
                        "location=+35.6892+051.3890/", "-metadata", "date=2024-05-01"}) {
    args.push_back(a);
  }
  args.push_back(c.file);
  Run("ffmpeg", args);

  const Report r = InspectOk(Read(c.file));
  EXPECT_EQ(r.format, c.format);
  EXPECT_TRUE(r.can_clean) << r.note;
  EXPECT_NE(Find(r, Kind::kPerson, "Evin Witness"), nullptr) << Dump(r);

  const std::string cleaned_name = std::string("cleaned-") + c.file;
  const std::string cleaned = CleanFile(c.file, cleaned_name);
  ASSERT_FALSE(cleaned.empty());
  EXPECT_EQ(cleaned.find("Evin"), std::string::npos);
  EXPECT_EQ(cleaned.find("+35.6892"), std::string::npos);
  for (const std::string& s : c.absent_after) {
    EXPECT_EQ(cleaned.find(s), std::string::npos) << s;
  }
  const Report after = InspectOk(cleaned);
  EXPECT_EQ(after.format, c.format);
  EXPECT_EQ(CountIdentifying(after), 0u) << Dump(after);
  const std::string probed =
      Run("ffprobe", {"-v", "error", "-show_format", "-show_streams", cleaned_name});
  EXPECT_EQ(probed.find("Evin"), std::string::npos) << probed;
  EXPECT_EQ(probed.find("TAG:date"), std::string::npos) << probed;

  const std::vector<std::string> count = {
      "-v",  "error",  "-count_packets", "-show_entries", "stream=codec_type,nb_read_packets",
      "-of", "csv=p=0"};
  std::vector<std::string> a = count, b = count;
  a.push_back(c.file);
  b.push_back(cleaned_name);
  const std::string packets = Run("ffprobe", a);
  EXPECT_FALSE(packets.empty());
  EXPECT_EQ(packets, Run("ffprobe", b));
  const testing::Outcome decode =
      Exec("ffmpeg", {"-v", "error", "-i", cleaned_name, "-f", "null", "-"});
  EXPECT_EQ(decode.exit_code, 0);
  EXPECT_EQ(decode.err, "");
}

INSTANTIATE_TEST_SUITE_P(
    Formats, ContainerTest,
    ::testing::Values(
        Container{
            "a.mov", "audio/video (QuickTime MOV)", {"-c:a", "pcm_s16le", "-c:v", "mpeg4"}, {}},
        Container{"a.m4a", "audio/video (M4A)", {"-c:a", "aac"}, {}},
        // Vorbis in Matroska keeps the encoder's comment header in the codec's extradata.
        Container{"a.mkv",
                  "audio/video (Matroska)",
                  {"-c:a", "libvorbis", "-c:v", "mpeg4"},
                  {"Xiph.Org", "libvorbis"}},
        Container{"a.webm",
                  "audio/video (WebM)",
                  {"-c:a", "libopus", "-c:v", "libvpx"},
                  {"Lavf5", "Lavc"}},
        Container{"a.mp3", "audio/video (MP3)", {"-c:a", "libmp3lame"}, {"ID3", "TAG"}},
        Container{"a.ogg", "audio/video (Ogg)", {"-c:a", "libvorbis"}, {"Xiph.Org"}},
        Container{"a.wav", "audio/video (WAV)", {"-c:a", "pcm_s16le"}, {"LIST", "INFO"}},
        Container{"a.flac", "audio/video (FLAC)", {"-c:a", "flac"}, {}}),
    [](const ::testing::TestParamInfo<Container>& info) {
      std::string name = info.param.file;
      return name.substr(name.find('.') + 1);
    });

// ---- What cannot be cleaned, and hostile input

TEST_F(MetadataTest, EmptyInputIsAnError) {
  const std::vector<uint8_t> none;
  EXPECT_EQ(Inspect(none).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Clean(none).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(MetadataTest, GarbageIsUnknownAndCannotBeCleaned) {
  std::mt19937 rng(19880719);
  std::string garbage(4096, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  const Report r = InspectOk(garbage);
  EXPECT_EQ(r.format, "unknown");
  EXPECT_FALSE(r.can_clean);
  EXPECT_FALSE(r.note.empty());
  const Result<SecretBuffer> c = Clean(AsBytes(garbage));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kUnsupported);
  EXPECT_EQ(c.status().message().rfind("this kind of file cannot be cleaned: ", 0), 0u);
}

TEST_F(MetadataTest, TruncatedJpegIsReportedAndNotCleaned) {
  MakePhoto("photo.jpg");
  const std::string jpeg = Read("photo.jpg");
  const std::string cut = jpeg.substr(0, jpeg.size() * 3 / 4);
  const Report r = InspectOk(cut);
  EXPECT_EQ(r.format, "JPEG image");
  EXPECT_FALSE(r.can_clean);
  EXPECT_FALSE(r.note.empty());
  EXPECT_NE(Find(r, Kind::kDevice, "SN-19880719"), nullptr) << Dump(r);  // still shown
  EXPECT_EQ(Clean(AsBytes(cut)).status().code(), ErrorCode::kTruncated);
}

TEST_F(MetadataTest, TruncatedMp4IsReportedAndNotCleaned) {
  Run("ffmpeg", {"-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-t", "1", "-c:v",
                 "mpeg4", "-metadata", "location=+35.6892+051.3890/", "out.mp4"});
  const std::string mp4 = Read("out.mp4");
  const std::string cut = mp4.substr(0, mp4.size() / 2);  // the moov box is at the end
  const Result<Report> r = Inspect(AsBytes(cut));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->can_clean);
  EXPECT_FALSE(r->note.empty());
  const Result<SecretBuffer> c = Clean(AsBytes(cut));
  EXPECT_FALSE(c.ok());
  EXPECT_FALSE(c.status().message().empty());
}

TEST_F(MetadataTest, UncleanableFormatsSaySo) {
  Run("ffmpeg", {"-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-t", "1", "-c:v",
                 "mpeg4", "-metadata", "artist=Evin Witness", "out.avi"});
  const Report r = InspectOk(Read("out.avi"));
  EXPECT_EQ(r.format, "audio/video (AVI)");
  EXPECT_FALSE(r.can_clean);
  EXPECT_FALSE(r.note.empty());
  EXPECT_NE(Find(r, Kind::kPerson, "Evin Witness"), nullptr) << Dump(r);
  EXPECT_EQ(Clean(AsBytes(Read("out.avi"))).status().code(), ErrorCode::kUnsupported);

  Run("convert", {"-size", "16x16", "xc:red", "pic.tif"});
  const Report tiff = InspectOk(Read("pic.tif"));
  EXPECT_EQ(tiff.format, "TIFF image");
  EXPECT_FALSE(tiff.can_clean);
  EXPECT_EQ(Clean(AsBytes(Read("pic.tif"))).status().code(), ErrorCode::kUnsupported);

  Run("convert", {"-size", "16x16", "xc:red", "pic.heic"});
  const Report heif = InspectOk(Read("pic.heic"));
  EXPECT_EQ(heif.format, "HEIF image");
  EXPECT_FALSE(heif.can_clean);
  EXPECT_FALSE(heif.note.empty());
  EXPECT_EQ(Clean(AsBytes(Read("pic.heic"))).status().code(), ErrorCode::kUnsupported);
}

TEST_F(MetadataTest, TooLargeInputIsRefusedBeforeItIsRead) {
  // Pages that are never touched cost nothing: Clean must refuse on the size alone.
  const size_t size = kMaxCleanBytes + 1;
  void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  const Result<SecretBuffer> c = Clean({static_cast<const uint8_t*>(p), size});
  munmap(p, size);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kTooLarge);
  EXPECT_NE(c.status().message().find("512 MiB"), std::string::npos);
}

// Prefixes and bit flips of every fixture: each call returns (a report or a status with a
// message); none crashes, and whatever Clean returns has passed its own inspection.
TEST_F(MetadataTest, DamagedFilesNeverCrash) {
  MakePhoto("photo.jpg");
  Run("convert", {"-size", "32x24", "gradient:red-blue", "photo.png"});
  Run("ffmpeg",
      {"-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-t", "1", "-c:v", "mpeg4",
       "-metadata", "location=+35.6892+051.3890/", "-movflags", "+faststart", "out.mp4"});
  Run("ffmpeg", {"-v", "error", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "libvorbis",
                 "-metadata", "artist=Evin", "out.mkv"});
  const std::vector<std::string> fixtures = {Read("photo.jpg"), Read("photo.png"),
                                             BuildPdf(Read("photo.jpg")), Read("out.mp4"),
                                             Read("out.mkv")};
  std::mt19937 rng(7);
  size_t calls = 0, cleaned = 0;
  for (const std::string& original : fixtures) {
    ASSERT_FALSE(original.empty());
    std::vector<std::string> variants;
    for (int i = 1; i <= 12; ++i) variants.push_back(original.substr(0, original.size() * i / 13));
    for (int i = 0; i < 24; ++i) {
      std::string v = original;
      for (int j = 0; j < 4; ++j) v[rng() % v.size()] ^= static_cast<char>(1 + rng() % 255);
      variants.push_back(v);
    }
    for (const std::string& v : variants) {
      const Result<Report> r = Inspect(AsBytes(v));
      if (r.ok()) {
        EXPECT_FALSE(r->format.empty());
      } else {
        EXPECT_FALSE(r.status().message().empty());
      }
      const Result<SecretBuffer> c = Clean(AsBytes(v));
      if (c.ok()) {
        ++cleaned;
        const Result<Report> again = Inspect(c->span());
        ASSERT_TRUE(again.ok());
        EXPECT_EQ(CountIdentifying(again.value()), 0u) << Dump(again.value());
      } else {
        EXPECT_FALSE(c.status().message().empty());
      }
      calls += 2;
    }
  }
  EXPECT_EQ(calls, fixtures.size() * 36 * 2);
  EXPECT_GT(cleaned, 0u);  // flips inside picture or sound data still clean
}

TEST_F(MetadataTest, InspectAndCleanRunConcurrently) {
  MakePhoto("photo.jpg");
  const std::string jpeg = Read("photo.jpg");
  const std::string pdf = BuildPdf(jpeg);
  std::vector<std::thread> threads;
  std::vector<int> good(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const std::string& input = (t + i) % 2 == 0 ? jpeg : pdf;
        const Result<Report> r = Inspect(AsBytes(input));
        const Result<SecretBuffer> c = Clean(AsBytes(input));
        if (r.ok() && CountIdentifying(r.value()) > 0 && c.ok()) ++good[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int g : good) EXPECT_EQ(g, 10);
}

}  // namespace
}  // namespace gavah::metadata
