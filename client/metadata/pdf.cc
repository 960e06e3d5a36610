// PDF documents with qpdf 11, entirely in memory (processMemoryFile in, a Pipeline into a
// SecretBuffer out).
//
// Cleaning removes: the trailer's /Info dictionary (Author, Creator, Producer, Title, Subject,
// Keywords, CreationDate, ModDate and any custom entry) and every other trailer entry qpdf does
// not need; the trailer /ID (replaced by qpdf's deterministic ID, a digest of the new file);
// every /Metadata (XMP) stream and /PieceInfo (application data) of the document and of any
// object (pages, pictures, fonts); the author (/T) and dates (/M, /CreationDate) of comments and
// other markup annotations; and, inside every JPEG picture (DCTDecode), everything but the
// picture itself (image_container.cc). Objects no longer referenced (earlier revisions kept by
// incremental saves) are not written. Stream data is copied without decoding, so the pages are
// byte for byte the same. Encryption that opens without a password is removed.
//
// It cannot remove: text, fonts or pictures that show who made the document, names of
// form fields, or details inside pictures other than JPEG. Refused: digitally signed documents
// (the signature names the signer; rewriting the file breaks it) and documents with attached
// files (which keep their own details).
#include <memory>
#include <mutex>
#include <qpdf/Pipeline.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFEmbeddedFileDocumentHelper.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFLogger.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>
#include <stdexcept>

#include "internal/formats.h"

namespace gavah::metadata::internal {
namespace {

// Larger XMP packets are reported but not parsed; larger pictures are not inspected.
constexpr size_t kMaxXmpBytes = 4u << 20;
constexpr size_t kMaxInspectedPictures = 32;
// Output of qpdf beyond this is refused (with streams copied as they are, it is about the size
// of the input).
constexpr size_t kMaxOutputBytes = kMaxCleanBytes + (64u << 20);
constexpr int kMaxDepth = 32;

// Refused, with the reason shown to the witness. A signature's certificate names its signer,
// and removing it (or rewriting the file, which breaks it) would destroy what may be the
// document's value as evidence. Attached files keep their own details, which cannot be checked.
constexpr const char* kSigned =
    "The PDF is digitally signed: the signature names its signer and cannot be removed without "
    "breaking the document.";
constexpr const char* kAttachments =
    "The PDF has files attached inside it, whose own hidden details cannot be removed.";
constexpr const char* kDamagedPicture =
    "A picture inside the PDF is damaged, so its hidden details cannot be removed.";

class LimitExceeded : public std::runtime_error {
 public:
  LimitExceeded() : std::runtime_error("limit") {}
};

// Collects what qpdf writes, up to a limit, in a SecretBuffer.
class SecretSink : public Pipeline {
 public:
  SecretSink(SecretBuffer* out, size_t limit)
      : Pipeline("gavah metadata", nullptr), out_(out), limit_(limit) {}
  void write(unsigned char const* data, size_t len) override {
    if (len > limit_ - out_->size()) throw LimitExceeded();
    out_->Append(std::span<const uint8_t>(data, len));
  }
  void finish() override {}

 private:
  SecretBuffer* out_;
  size_t limit_;
};

void Silence(QPDFLogger& logger) {
  logger.setInfo(logger.discard());
  logger.setWarn(logger.discard());
  logger.setError(logger.discard());
}

void Open(QPDF& pdf, std::span<const uint8_t> in) {
  // Warnings name objects and offsets in the file; none of it is for stderr. Objects without
  // an owning QPDF (direct objects of a damaged file) warn through the process-wide default
  // logger, so that one is silenced too.
  static std::once_flag once;
  std::call_once(once, [] { Silence(*QPDFLogger::defaultLogger()); });
  std::shared_ptr<QPDFLogger> logger = QPDFLogger::create();
  Silence(*logger);
  pdf.setLogger(logger);
  pdf.setSuppressWarnings(true);
  pdf.processMemoryFile("attachment", reinterpret_cast<const char*>(in.data()), in.size(), nullptr);
}

bool NeedsPassword(const std::exception& e) {
  const auto* q = dynamic_cast<const QPDFExc*>(&e);
  return q != nullptr && q->getErrorCode() == qpdf_e_password;
}

// A PDF name from the file as a field name: printable ASCII only.
std::string KeyName(const std::string& key) {
  std::string k;
  for (char c : key.substr(key.empty() || key[0] != '/' ? 0 : 1, 64)) {
    k += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return k;
}

// "D:20240101120000+03'30'" as "2024-01-01 12:00:00 +03:30"; anything else as it is.
std::string PdfDate(const std::string& s) {
  std::string d = s.compare(0, 2, "D:") == 0 ? s.substr(2) : s;
  size_t digits = 0;
  while (digits < d.size() && digits < 14 && d[digits] >= '0' && d[digits] <= '9') ++digits;
  if (digits < 4 || digits % 2 != 0) return s;
  std::string out = d.substr(0, 4);
  const char* seps[] = {"-", "-", " ", ":", ":"};
  for (size_t i = 4, j = 0; i < digits; i += 2, ++j) out += seps[j] + d.substr(i, 2);
  std::string tz = d.substr(digits);
  if (tz == "Z") {
    out += " UTC";
  } else if (tz.size() >= 3 && (tz[0] == '+' || tz[0] == '-')) {
    out += " " + tz.substr(0, 3);
    if (tz.size() >= 6 && tz[3] == '\'') out += ":" + tz.substr(4, 2);
  }
  return out;
}

Kind InfoKind(const std::string& key) {
  if (key == "/Author") return Kind::kPerson;
  if (key == "/Creator" || key == "/Producer") return Kind::kSoftware;  // applications
  if (key == "/CreationDate" || key == "/ModDate") return Kind::kTime;
  if (key == "/Title" || key == "/Subject" || key == "/Keywords" || key == "/Trapped") {
    return Kind::kOther;
  }
  return ClassifyKey(key);
}

std::string Text(QPDFObjectHandle value) {
  if (value.isString()) return value.getUTF8Value();
  if (value.isName()) return KeyName(value.getName());
  if (value.isNumber()) return value.unparse();
  return "a value of another kind";
}

void AddInfo(QPDF& pdf, ReportBuilder* b) {
  QPDFObjectHandle info = pdf.getTrailer().getKey("/Info");
  if (!info.isDictionary()) return;
  for (const std::string& key : info.getKeys()) {
    const Kind kind = InfoKind(key);
    std::string text = Text(info.getKey(key));
    if (kind == Kind::kTime) text = PdfDate(text);
    if (!text.empty()) b->Add(kind, "PDF " + KeyName(key), text);
    Wipe(text);
  }
}

// The stream's bytes as stored (decrypted, not decoded), up to `limit`; false if larger.
bool RawData(QPDFObjectHandle stream, size_t limit, SecretBuffer* out) {
  SecretSink sink(out, limit);
  try {
    bool filtered = false;
    return stream.pipeStreamData(&sink, &filtered, 0, qpdf_dl_none, true);
  } catch (const LimitExceeded&) {
    return false;
  }
}

// The XMP packet decoded (it is usually not compressed), up to kMaxXmpBytes.
bool DecodedData(QPDFObjectHandle stream, SecretBuffer* out) {
  SecretSink sink(out, kMaxXmpBytes);
  try {
    bool filtered = false;
    return stream.pipeStreamData(&sink, &filtered, 0, qpdf_dl_generalized, true) && filtered;
  } catch (const LimitExceeded&) {
    return false;
  }
}

bool IsJpegPicture(QPDFObjectHandle stream) {
  QPDFObjectHandle dict = stream.getDict();
  if (!dict.getKey("/Subtype").isNameAndEquals("/Image")) return false;
  QPDFObjectHandle filter = dict.getKey("/Filter");
  if (filter.isArray() && filter.getArrayNItems() == 1) filter = filter.getArrayItem(0);
  return filter.isNameAndEquals("/DCTDecode");
}

bool IsMarkupAnnotation(QPDFObjectHandle dict) {
  QPDFObjectHandle subtype = dict.getKey("/Subtype");
  if (!subtype.isName() || !dict.hasKey("/Rect")) return false;
  const std::string s = subtype.getName();
  return s != "/Widget" && s != "/Link" && s != "/Popup";
}

// What a walk over every object found (Inspect) or removed (Clean).
struct Walk {
  size_t object_metadata = 0;
  size_t piece_info = 0;
  std::vector<QPDFObjectHandle> pictures;
  bool signature = false;
  // A file carried inside the document other than through the /EmbeddedFiles name tree (a page
  // annotation's, say): it keeps its own name, dates and metadata.
  bool attached_file = false;
};

// Visits a dictionary and the direct dictionaries and arrays inside it.
void VisitDict(QPDFObjectHandle dict, bool is_root, bool remove, Walk* walk, ReportBuilder* b,
               int depth) {
  if (depth > kMaxDepth) return;
  if (dict.hasKey("/Metadata")) {
    if (!is_root) ++walk->object_metadata;
    if (remove) dict.removeKey("/Metadata");
  }
  if (dict.hasKey("/PieceInfo")) {
    ++walk->piece_info;
    if (remove) dict.removeKey("/PieceInfo");
  }
  // A signature field with a value, or the value itself; an empty field is not a signature.
  if ((dict.getKey("/FT").isNameAndEquals("/Sig") && dict.getKey("/V").isDictionary()) ||
      (dict.getKey("/Type").isNameAndEquals("/Sig") && dict.hasKey("/Contents"))) {
    walk->signature = true;
  }
  if (dict.hasKey("/EF") || dict.getKey("/Type").isNameAndEquals("/EmbeddedFile") ||
      dict.getKey("/Subtype").isNameAndEquals("/FileAttachment")) {
    walk->attached_file = true;
  }
  if (IsMarkupAnnotation(dict)) {
    if (b != nullptr && dict.getKey("/T").isString()) {
      std::string author = dict.getKey("/T").getUTF8Value();
      b->Add(Kind::kPerson, "PDF comment author", author);
      Wipe(author);
    }
    if (remove) {
      dict.removeKey("/T");
      dict.removeKey("/M");
      dict.removeKey("/CreationDate");
    }
  }
  for (const std::string& key : dict.getKeys()) {
    QPDFObjectHandle child = dict.getKey(key);
    if (child.isIndirect()) continue;  // visited as an object of its own
    if (child.isDictionary()) {
      VisitDict(child, false, remove, walk, b, depth + 1);
    } else if (child.isArray()) {
      for (int i = 0; i < child.getArrayNItems() && i < 100000; ++i) {
        QPDFObjectHandle item = child.getArrayItem(i);
        if (!item.isIndirect() && item.isDictionary()) {
          VisitDict(item, false, remove, walk, b, depth + 1);
        }
      }
    }
  }
}

Walk WalkObjects(QPDF& pdf, bool remove, ReportBuilder* b) {
  Walk walk;
  QPDFObjectHandle root = pdf.getRoot();
  for (QPDFObjectHandle obj : pdf.getAllObjects()) {
    if (obj.isStream()) {
      if (IsJpegPicture(obj)) walk.pictures.push_back(obj);
      VisitDict(obj.getDict(), false, remove, &walk, b, 0);
    } else if (obj.isDictionary()) {
      VisitDict(obj, obj.getObjGen() == root.getObjGen(), remove, &walk, b, 0);
    }
  }
  return walk;
}

// False if the picture cannot be cleaned.
bool InspectPicture(QPDFObjectHandle stream, size_t n, ReportBuilder* b) {
  SecretBuffer jpeg;
  if (!RawData(stream, kMaxCleanBytes, &jpeg)) return false;
  ReportBuilder picture("JPEG image");
  ReadWithExiv2(jpeg.span(), "", &picture, nullptr);
  const Status structure = RewriteImage(ImageType::kJpeg, jpeg.span(), nullptr, &picture);
  b->Absorb(std::move(picture).Finish(), "PDF picture " + std::to_string(n) + ": ");
  return structure.ok();
}

// Why the document cannot be cleaned (one of the sentences above), or null.
const char* InspectOpened(QPDF& pdf, ReportBuilder* b) {
  AddInfo(pdf, b);
  QPDFObjectHandle xmp = pdf.getRoot().getKey("/Metadata");
  if (xmp.isStream()) {
    SecretBuffer packet;
    const bool read = DecodedData(xmp, &packet);
    b->Add(Kind::kOther, "PDF XMP metadata",
           read ? "present, " + std::to_string(packet.size()) + " bytes" : "present");
    if (read) ReadXmpPacket(packet.view(), "PDF XMP ", b);
  }
  Walk walk = WalkObjects(pdf, false, b);
  if (walk.object_metadata > 0) {
    b->Add(Kind::kOther, "PDF object XMP metadata",
           std::to_string(walk.object_metadata) +
               " pages, pictures or fonts carry XMP metadata of their own");
  }
  if (walk.piece_info > 0) {
    b->Add(Kind::kOther, "PDF PieceInfo",
           std::to_string(walk.piece_info) +
               " objects carry private data of the application "
               "that made them");
  }
  bool pictures_ok = true;
  for (size_t i = 0; i < walk.pictures.size() && i < kMaxInspectedPictures; ++i) {
    pictures_ok = InspectPicture(walk.pictures[i], i + 1, b) && pictures_ok;
  }
  if (walk.signature) {
    b->Add(Kind::kPerson, "PDF digital signature", "present: its certificate names the signer");
  }
  QPDFEmbeddedFileDocumentHelper files(pdf);
  const bool attachments = files.hasEmbeddedFiles() || walk.attached_file;
  if (files.hasEmbeddedFiles()) {
    b->Add(Kind::kOther, "PDF attached files",
           files.getEmbeddedFiles().size() == 1 ? std::string("1 file attached inside the document")
                                                : std::to_string(files.getEmbeddedFiles().size()) +
                                                      " files attached inside the document");
  }
  if (walk.attached_file && !files.hasEmbeddedFiles())
    b->Add(Kind::kOther, "PDF attached files", "a file attached to a page of the document");
  if (walk.signature) return kSigned;
  if (attachments) return kAttachments;
  if (!pictures_ok) return kDamagedPicture;
  return nullptr;
}

}  // namespace

Report InspectPdf(std::span<const uint8_t> in) {
  ReportBuilder b("PDF document");
  std::lock_guard<std::mutex> lock(QpdfMutex());
  QPDF pdf;
  try {
    Open(pdf, in);
  } catch (const std::exception& e) {
    b.Note(NeedsPassword(e) ? "The PDF is protected by a password, so it cannot be checked or "
                              "cleaned."
                            : "The PDF is damaged and cannot be read.");
    return std::move(b).Finish();
  } catch (...) {
    b.Note("The PDF is damaged and cannot be read.");
    return std::move(b).Finish();
  }
  try {
    const char* refused = InspectOpened(pdf, &b);
    b.SetCanClean(refused == nullptr);
    if (refused != nullptr) b.Note(refused);
  } catch (...) {
    b.Note("Some hidden details could not be read because the PDF is damaged.");
  }
  return std::move(b).Finish();
}

Result<SecretBuffer> CleanPdf(std::span<const uint8_t> in) {
  std::lock_guard<std::mutex> lock(QpdfMutex());
  QPDF pdf;
  try {
    Open(pdf, in);
  } catch (const std::exception& e) {
    if (NeedsPassword(e)) {
      return Error(ErrorCode::kUnsupported,
                   "this kind of file cannot be cleaned: the PDF is protected by a password");
    }
    return Error(ErrorCode::kMalformed, "the PDF is damaged and cannot be read");
  } catch (...) {
    return Error(ErrorCode::kMalformed, "the PDF is damaged and cannot be read");
  }
  SecretBuffer out;
  try {
    QPDFObjectHandle trailer = pdf.getTrailer();
    for (const std::string& key : trailer.getKeys()) {
      if (key != "/Root" && key != "/Size" && key != "/Encrypt") trailer.removeKey(key);
    }
    Walk walk = WalkObjects(pdf, true, nullptr);
    if (walk.signature || walk.attached_file ||
        QPDFEmbeddedFileDocumentHelper(pdf).hasEmbeddedFiles()) {
      return Error(ErrorCode::kUnsupported,
                   std::string("this kind of file cannot be cleaned: ") +
                       (walk.signature ? "the PDF is digitally signed, and the signature names "
                                         "its signer"
                                       : "the PDF has files attached inside it"));
    }
    for (QPDFObjectHandle picture : walk.pictures) {
      SecretBuffer jpeg;
      if (!RawData(picture, kMaxCleanBytes, &jpeg)) {
        return Error(ErrorCode::kTooLarge, "a picture inside the PDF is too large to clean");
      }
      auto cleaned = std::make_shared<SecretBuffer>();
      Status s = RewriteImage(ImageType::kJpeg, jpeg.span(), cleaned.get(), nullptr);
      if (!s.ok()) {
        return Error(ErrorCode::kUnsupported,
                     "this kind of file cannot be cleaned: a picture inside the PDF is damaged");
      }
      QPDFObjectHandle dict = picture.getDict();
      picture.replaceStreamData(
          [cleaned](Pipeline* p) {
            p->write(cleaned->data(), cleaned->size());
            p->finish();
          },
          dict.getKey("/Filter"), dict.getKey("/DecodeParms"));
    }
    SecretSink sink(&out, kMaxOutputBytes);
    QPDFWriter writer(pdf);
    writer.setOutputPipeline(&sink);
    // Streams are copied as stored: no decoding (a compression bomb stays compressed), no
    // change to a page's bytes.
    writer.setDecodeLevel(qpdf_dl_none);
    writer.setCompressStreams(false);
    writer.setPreserveEncryption(false);
    // The new /ID is a digest of the written file, not of the time or the original /ID.
    writer.setDeterministicID(true);
    writer.write();
  } catch (const LimitExceeded&) {
    return Error(ErrorCode::kTooLarge, "the cleaned PDF would be too large");
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::kTooLarge, "there was not enough memory to clean the PDF");
  } catch (...) {
    return Error(ErrorCode::kMalformed, "the PDF is damaged and cannot be cleaned");
  }
  return out;
}

}  // namespace gavah::metadata::internal
