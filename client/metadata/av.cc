// Audio and video with libavformat 59 (FFmpeg 5.1), entirely in memory: custom AVIOContexts
// read the input span and write into a SecretBuffer, with seek callbacks for the demuxers and
// muxers that need them.
//
// Cleaning remuxes: every compressed packet of the video, audio and subtitle streams is copied
// as it is (no re-encoding) into a new container of the same kind, written with no container,
// stream or chapter tags and with AVFMT_FLAG_BITEXACT (no library version, no muxing date, no
// random UIDs). So it removes: all container tags (location, ISO 6709 positions, make, model,
// software, creation_time, encoder, artist, title, comment, ...), all stream tags (handler names,
// languages, creation times, encoder names), chapters, timecode tracks, data tracks (GPS and
// motion telemetry, Apple timed metadata), attachments and attached pictures (cover art), ID3v1
// and ID3v2 tags in MP3, Vorbis comments in Ogg, FLAC and Matroska Vorbis/Theora headers, and
// RIFF INFO chunks in WAV. The muxer writes its own generic handler names ("VideoHandler")
// and zero creation times.
//
// It cannot remove what sits inside the compressed streams: an encoder's user-data or SEI
// messages (x264 and x265 write their version and settings into the video itself), or anything
// audible or visible. It does not clean AVI, ASF/WMV, FLV, MPEG-TS, AMR, ADTS AAC or CAF, which
// can only be inspected.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
}

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include "internal/formats.h"

namespace gavah::metadata::internal {
namespace {

constexpr int kIoBufferSize = 64 * 1024;
// Bytes probed for the format, after any ID3v2 tag.
constexpr size_t kProbeBytes = 1u << 20;
constexpr size_t kMaxProbeBytes = 16u << 20;
constexpr size_t kMaxOutputBytes = kMaxCleanBytes + (64u << 20);
constexpr int64_t kMaxPackets = 50'000'000;
constexpr int kMaxStreams = 64;

struct Family {
  const char* demuxer;  // AVInputFormat::name
  const char* label;    // for a report when the file cannot be opened
  bool cleanable;
};

constexpr Family kFamilies[] = {
    {"mov,mp4,m4a,3gp,3g2,mj2", "MP4 / QuickTime", true},
    {"matroska,webm", "Matroska / WebM", true},
    {"mp3", "MP3", true},
    {"ogg", "Ogg", true},
    {"wav", "WAV", true},
    {"flac", "FLAC", true},
    {"avi", "AVI", false},
    {"asf", "ASF / Windows Media", false},
    {"flv", "FLV", false},
    {"mpegts", "MPEG-TS", false},
    {"amr", "AMR", false},
    {"aac", "AAC", false},
    {"caf", "CAF", false},
};

// Also set on the demuxer, so that nothing nests a demuxer of another kind.
constexpr const char* kDemuxerWhitelist =
    "mov,matroska,mp3,ogg,wav,flac,avi,asf,flv,mpegts,amr,aac,caf";

void InitAv() {
  static std::once_flag once;
  // FFmpeg logs details of damaged files (and sometimes tag values) to stderr by default.
  std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

// ---- I/O over memory.

struct Reader {
  std::span<const uint8_t> in;
  size_t pos = 0;
};

int ReadPacket(void* opaque, uint8_t* buf, int n) {
  auto* r = static_cast<Reader*>(opaque);
  if (n <= 0) return AVERROR(EINVAL);
  if (r->pos >= r->in.size()) return AVERROR_EOF;
  const size_t k = std::min(static_cast<size_t>(n), r->in.size() - r->pos);
  std::memcpy(buf, r->in.data() + r->pos, k);
  r->pos += k;
  return static_cast<int>(k);
}

int64_t SeekTo(int64_t offset, int whence, size_t pos, size_t size, size_t limit) {
  whence &= ~AVSEEK_FORCE;
  if (whence == AVSEEK_SIZE) return static_cast<int64_t>(size);
  int64_t base;
  switch (whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = static_cast<int64_t>(pos);
      break;
    case SEEK_END:
      base = static_cast<int64_t>(size);
      break;
    default:
      return AVERROR(EINVAL);
  }
  if (offset > static_cast<int64_t>(limit) || offset < -static_cast<int64_t>(limit)) {
    return AVERROR(EINVAL);
  }
  const int64_t target = base + offset;
  if (target < 0 || target > static_cast<int64_t>(limit)) return AVERROR(EINVAL);
  return target;
}

int64_t SeekIn(void* opaque, int64_t offset, int whence) {
  auto* r = static_cast<Reader*>(opaque);
  const int64_t t = SeekTo(offset, whence, r->pos, r->in.size(), r->in.size());
  if (t >= 0 && (whence & ~AVSEEK_FORCE) != AVSEEK_SIZE) r->pos = static_cast<size_t>(t);
  return t;
}

struct Writer {
  SecretBuffer* out;
  size_t pos = 0;
  bool too_large = false;
};

int WritePacket(void* opaque, uint8_t* buf, int n) {
  auto* w = static_cast<Writer*>(opaque);
  if (n < 0) return AVERROR(EINVAL);
  const size_t end = w->pos + static_cast<size_t>(n);
  if (end > kMaxOutputBytes) {
    w->too_large = true;
    return AVERROR(EFBIG);
  }
  if (end > w->out->size()) {
    if (end > w->out->capacity()) {
      w->out->Reserve(std::max({end, w->out->capacity() * 2, size_t{1} << 20}));
    }
    w->out->Resize(end);
  }
  std::memcpy(w->out->data() + w->pos, buf, static_cast<size_t>(n));
  w->pos = end;
  return n;
}

int64_t SeekOut(void* opaque, int64_t offset, int whence) {
  auto* w = static_cast<Writer*>(opaque);
  const int64_t t = SeekTo(offset, whence, w->pos, w->out->size(), kMaxOutputBytes);
  if (t >= 0 && (whence & ~AVSEEK_FORCE) != AVSEEK_SIZE) w->pos = static_cast<size_t>(t);
  return t;
}

// Demuxers that follow references (QuickTime data references, playlists) must not open
// anything: the only input is the span.
int RefuseOpen(AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**) {
  return AVERROR(EPERM);
}

AVIOContext* NewIo(void* opaque, bool write) {
  auto* buf = static_cast<uint8_t*>(av_malloc(kIoBufferSize));
  if (buf == nullptr) return nullptr;
  AVIOContext* io =
      write ? avio_alloc_context(buf, kIoBufferSize, 1, opaque, nullptr, WritePacket, SeekOut)
            : avio_alloc_context(buf, kIoBufferSize, 0, opaque, ReadPacket, nullptr, SeekIn);
  if (io == nullptr) av_free(buf);
  return io;
}

void FreeIo(AVIOContext*& io) {
  if (io == nullptr) return;
  av_freep(&io->buffer);
  avio_context_free(&io);
}

struct Demuxer {
  Demuxer() = default;
  Demuxer(const Demuxer&) = delete;
  Demuxer& operator=(const Demuxer&) = delete;
  ~Demuxer() {
    avformat_close_input(&ctx);  // leaves a custom pb alone
    FreeIo(io);
  }
  Reader reader;
  AVIOContext* io = nullptr;
  AVFormatContext* ctx = nullptr;
};

struct Muxer {
  Muxer() = default;
  Muxer(const Muxer&) = delete;
  Muxer& operator=(const Muxer&) = delete;
  ~Muxer() {
    avformat_free_context(ctx);
    FreeIo(io);
  }
  AVIOContext* io = nullptr;
  AVFormatContext* ctx = nullptr;
};

const Family* FamilyOf(const AVInputFormat* f) {
  for (const Family& family : kFamilies) {
    if (std::strcmp(f->name, family.demuxer) == 0) return &family;
  }
  return nullptr;
}

// The demuxer for the bytes, if it is one this library allows and the guess is not a weak one
// (a few random bytes can look like an MP3 frame).
const AVInputFormat* Probe(std::span<const uint8_t> in) {
  size_t skip = 0;
  if (in.size() >= 10 && std::memcmp(in.data(), "ID3", 3) == 0) {
    skip = 10 + ((size_t{in[6]} & 0x7f) << 21 | (size_t{in[7]} & 0x7f) << 14 |
                 (size_t{in[8]} & 0x7f) << 7 | (size_t{in[9]} & 0x7f));
    if (in[5] & 0x10) skip += 10;  // footer
  }
  const size_t window = std::min({in.size(), skip + kProbeBytes, kMaxProbeBytes});
  SecretBuffer buf(window + AVPROBE_PADDING_SIZE);  // zero padding, as probing requires
  std::memcpy(buf.data(), in.data(), window);
  AVProbeData pd{};
  pd.filename = "";
  pd.buf = buf.data();
  pd.buf_size = static_cast<int>(window);
  int score = 0;
  const AVInputFormat* f = av_probe_input_format3(&pd, 1, &score);
  if (f == nullptr || score <= AVPROBE_SCORE_RETRY || FamilyOf(f) == nullptr) return nullptr;
  return f;
}

bool Open(std::span<const uint8_t> in, const AVInputFormat* format, Demuxer* d) {
  d->reader = Reader{in, 0};
  d->io = NewIo(&d->reader, false);
  d->ctx = avformat_alloc_context();
  if (d->io == nullptr || d->ctx == nullptr) return false;
  d->ctx->pb = d->io;
  d->ctx->flags |= AVFMT_FLAG_CUSTOM_IO;
  d->ctx->io_open = RefuseOpen;
  d->ctx->max_streams = kMaxStreams;
  d->ctx->format_whitelist = av_strdup(kDemuxerWhitelist);
  d->ctx->protocol_whitelist = av_strdup("none");
  if (d->ctx->format_whitelist == nullptr || d->ctx->protocol_whitelist == nullptr) return false;
  // On failure avformat_open_input frees the context and sets it to null.
  if (avformat_open_input(&d->ctx, nullptr, format, nullptr) < 0) return false;
  // Some demuxers (MP3, FLAC) leave the sample rate and frame size to be found by parsing the
  // first packets, and muxers refuse streams without them. Failure here is not fatal: the
  // muxer says whether what was found is enough.
  (void)avformat_find_stream_info(d->ctx, nullptr);
  return true;
}

// ---- Names.

struct Naming {
  std::string format;  // Report::format
  std::string prefix;  // of field names
  const char* muxer;   // for cleaning; null if none
};

std::string Tag(AVDictionary* m, const char* key) {
  const AVDictionaryEntry* e = av_dict_get(m, key, nullptr, 0);
  return e == nullptr ? std::string() : std::string(e->value);
}

bool HasVideo(const AVFormatContext* ctx) {
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    if (ctx->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
        !(ctx->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
      return true;
    }
  }
  return false;
}

bool IsWebm(std::span<const uint8_t> in) {
  // The EBML header's DocType element (0x4282), one-byte size 4, "webm".
  const std::string_view head(reinterpret_cast<const char*>(in.data()),
                              std::min<size_t>(in.size(), 64));
  return head.find(std::string_view("\x42\x82\x84webm", 7)) != std::string_view::npos;
}

Naming NameOf(const AVFormatContext* ctx, const Family& family, std::span<const uint8_t> in) {
  const std::string_view name = family.demuxer;
  if (name == "mov,mp4,m4a,3gp,3g2,mj2") {
    std::string brand = Tag(ctx->metadata, "major_brand");
    while (!brand.empty() && brand.back() == ' ') brand.pop_back();
    if (brand == "qt") return {"audio/video (QuickTime MOV)", "MOV", "mov"};
    if (brand == "M4A" || brand == "M4B" || brand == "M4P") {
      return {"audio/video (M4A)", "M4A", "ipod"};
    }
    if (brand.compare(0, 3, "3g2") == 0) return {"audio/video (3G2)", "3G2", "3g2"};
    if (brand.compare(0, 3, "3gp") == 0) return {"audio/video (3GP)", "3GP", "3gp"};
    return {HasVideo(ctx) ? "MP4 video" : "audio/video (MP4)", "MP4", "mp4"};
  }
  if (name == "matroska,webm") {
    return IsWebm(in) ? Naming{"audio/video (WebM)", "WebM", "webm"}
                      : Naming{"audio/video (Matroska)", "Matroska", "matroska"};
  }
  if (name == "mp3") return {"audio/video (MP3)", "MP3", "mp3"};
  if (name == "ogg") return {"audio/video (Ogg)", "Ogg", "ogg"};
  if (name == "wav") return {"audio/video (WAV)", "WAV", "wav"};
  if (name == "flac") return {"audio/video (FLAC)", "FLAC", "flac"};
  return {"audio/video (" + std::string(family.label) + ")", family.label, nullptr};
}

// ---- Findings.

// A tag name from the file as part of a field name: printable ASCII only.
std::string TagName(const char* key) {
  std::string k;
  for (size_t i = 0; key[i] != '\0' && i < 64; ++i) {
    const char c = key[i];
    k += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return k;
}

// One ISO 6709 coordinate: sign, integer part of `deg_digits` (degrees), +2 (and minutes), +4
// (and seconds), optional fraction. Advances `s`.
bool Iso6709Part(std::string_view& s, size_t deg_digits, double* out) {
  if (s.empty() || (s[0] != '+' && s[0] != '-')) return false;
  const bool negative = s[0] == '-';
  size_t i = 1, digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  size_t end = i;
  if (end < s.size() && s[end] == '.') {
    ++end;
    while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
  }
  if (digits != deg_digits && digits != deg_digits + 2 && digits != deg_digits + 4) return false;
  double v = 0;  // from_chars: the C locale's decimal point whatever the program's locale
  if (std::from_chars(s.data() + 1, s.data() + end, v).ec != std::errc()) return false;
  double degrees;
  if (digits == deg_digits) {
    degrees = v;
  } else if (digits == deg_digits + 2) {
    degrees = std::floor(v / 100) + std::fmod(v, 100) / 60;
  } else {
    degrees = std::floor(v / 10000) + std::floor(std::fmod(v, 10000) / 100) / 60 +
              std::fmod(v, 100) / 3600;
  }
  *out = negative ? -degrees : degrees;
  s.remove_prefix(end);
  return true;
}

// "+35.6892+051.3890/" as "35.689200° N, 51.389000° E"; empty if it is not ISO 6709.
std::string ReadableIso6709(std::string_view s) {
  double lat, lon;
  if (!Iso6709Part(s, 2, &lat) || !Iso6709Part(s, 3, &lon)) return {};
  if (std::fabs(lat) > 90 || std::fabs(lon) > 180) return {};
  char text[80];
  std::snprintf(text, sizeof text, "%.6f\xc2\xb0 %c, %.6f\xc2\xb0 %c", std::fabs(lat),
                lat < 0 ? 'S' : 'N', std::fabs(lon), lon < 0 ? 'W' : 'E');
  return text;
}

Kind AvKind(const std::string& key) {
  std::string k = key;
  std::transform(k.begin(), k.end(), k.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (k == "com.android.version") return Kind::kSoftware;
  return ClassifyKey(k);
}

void AddTags(AVDictionary* m, const std::string& prefix, ReportBuilder* b) {
  const AVDictionaryEntry* e = nullptr;
  while ((e = av_dict_get(m, "", e, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
    const std::string key = TagName(e->key);
    std::string value = e->value;
    Kind kind = AvKind(key);
    // FFmpeg's muxers name themselves "Lavf", without a version, when asked to be bit-exact,
    // as the cleaning does: the same in every cleaned file, so nothing about the witness.
    if (kind == Kind::kSoftware && value == "Lavf") kind = Kind::kOther;
    if (kind == Kind::kLocation) {
      std::string readable = ReadableIso6709(value);
      if (!readable.empty()) {
        Wipe(value);
        value = std::move(readable);
      }
    }
    b->Add(kind, prefix + key, value);
    Wipe(value);
  }
}

const char* TypeName(const AVStream* st) {
  if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) return "picture";
  switch (st->codecpar->codec_type) {
    case AVMEDIA_TYPE_VIDEO:
      return "video";
    case AVMEDIA_TYPE_AUDIO:
      return "audio";
    case AVMEDIA_TYPE_SUBTITLE:
      return "subtitle";
    case AVMEDIA_TYPE_DATA:
      return "data";
    case AVMEDIA_TYPE_ATTACHMENT:
      return "attachment";
    default:
      return "other";
  }
}

// Subtitle streams are dropped too: drones and dashcams write the position of every frame into
// one, where no tag check can see it.
bool IsKept(const AVStream* st) {
  const AVMediaType t = st->codecpar->codec_type;
  if (t == AVMEDIA_TYPE_VIDEO) return !(st->disposition & AV_DISPOSITION_ATTACHED_PIC);
  return t == AVMEDIA_TYPE_AUDIO;
}

std::string FourCc(uint32_t tag) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>((tag >> (8 * i)) & 0xff);
    s += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return s;
}

void AddStreams(const AVFormatContext* ctx, const std::string& prefix, ReportBuilder* b) {
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    const AVStream* st = ctx->streams[i];
    const std::string p = prefix + " stream " + std::to_string(i) + " (" + TypeName(st) + ")";
    AddTags(st->metadata, p + " ", b);
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) {
      b->Add(Kind::kOther, p, "an attached picture (cover art)");
    } else if (st->codecpar->codec_type == AVMEDIA_TYPE_DATA) {
      const std::string tag = FourCc(st->codecpar->codec_tag);
      // GoPro's GPMF and Google's CAMM tracks carry GPS positions over time.
      const bool telemetry = tag == "gpmd" || tag == "camm";
      b->Add(telemetry ? Kind::kLocation : Kind::kOther, p,
             telemetry ? "a track of GPS and motion readings (" + tag + ")"
                       : "a data track (" + tag + ")");
    } else if (st->codecpar->codec_type == AVMEDIA_TYPE_ATTACHMENT) {
      b->Add(Kind::kOther, p, "an attached file");
    }
  }
  for (unsigned i = 0; i < ctx->nb_chapters; ++i) {
    AddTags(ctx->chapters[i]->metadata, prefix + " chapter " + std::to_string(i) + " ", b);
  }
}

// ---- Cleaning.

// Splits Xiph extradata (Vorbis, Theora: three headers) in either layout FFmpeg uses.
bool SplitXiph(const uint8_t* d, size_t n, std::span<const uint8_t> h[3]) {
  if (n >= 6 && d[0] == 0 && d[1] == 30) {  // 16-bit big-endian sizes
    size_t p = 0;
    for (int i = 0; i < 3; ++i) {
      if (n - p < 2) return false;
      const size_t len = (size_t{d[p]} << 8) | d[p + 1];
      p += 2;
      if (len > n - p) return false;
      h[i] = {d + p, len};
      p += len;
    }
    return true;
  }
  if (n < 3 || d[0] != 2) return false;  // Xiph lacing
  size_t p = 1, len[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    while (p < n && d[p] == 0xff) len[i] += 255, ++p;
    if (p >= n) return false;
    len[i] += d[p++];
  }
  if (len[0] > n - p || len[1] > n - p - len[0]) return false;
  h[0] = {d + p, len[0]};
  h[1] = {d + p + len[0], len[1]};
  h[2] = {d + p + len[0] + len[1], n - p - len[0] - len[1]};
  return true;
}

// Vorbis and Theora keep their comments (tags and the encoder's vendor string) in the second
// of three headers in the codec's extradata, which Matroska copies as it is. Replaces it with
// an empty comment header.
bool EmptyXiphComments(AVCodecParameters* par) {
  std::span<const uint8_t> h[3];
  if (!SplitXiph(par->extradata, static_cast<size_t>(par->extradata_size), h)) return false;
  std::vector<uint8_t> comment;
  if (par->codec_id == AV_CODEC_ID_VORBIS) {
    comment = {0x03, 'v', 'o', 'r', 'b', 'i', 's', 0, 0, 0, 0, 0, 0, 0, 0, 1};
  } else {
    comment = {0x81, 't', 'h', 'e', 'o', 'r', 'a', 0, 0, 0, 0, 0, 0, 0, 0};
  }
  std::vector<uint8_t> out = {2};
  for (size_t len : {h[0].size(), comment.size()}) {
    for (; len >= 255; len -= 255) out.push_back(0xff);
    out.push_back(static_cast<uint8_t>(len));
  }
  out.insert(out.end(), h[0].begin(), h[0].end());
  out.insert(out.end(), comment.begin(), comment.end());
  out.insert(out.end(), h[2].begin(), h[2].end());
  auto* fresh = static_cast<uint8_t*>(av_mallocz(out.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (fresh == nullptr) return false;
  std::memcpy(fresh, out.data(), out.size());
  av_freep(&par->extradata);
  par->extradata = fresh;
  par->extradata_size = static_cast<int>(out.size());
  return true;
}

// Side data kept in a cleaned copy: what decoding and presentation need (rotation, HDR,
// stereo, new parameters, priming samples). Everything else goes, whatever it is: tags
// (AV_PKT_DATA_STRINGS_METADATA, METADATA_UPDATE), the wall-clock time the camera encoded at
// (PRODUCER_REFERENCE_TIME), SMPTE timecodes (the time of day a recording was made), ICC
// profiles (which can name the device) and types this build does not know.
bool KeepsSideData(AVPacketSideDataType type) {
  switch (type) {
    case AV_PKT_DATA_NEW_EXTRADATA:
    case AV_PKT_DATA_PARAM_CHANGE:
    case AV_PKT_DATA_SKIP_SAMPLES:
    case AV_PKT_DATA_DISPLAYMATRIX:
    case AV_PKT_DATA_STEREO3D:
    case AV_PKT_DATA_SPHERICAL:
    case AV_PKT_DATA_MASTERING_DISPLAY_METADATA:
    case AV_PKT_DATA_CONTENT_LIGHT_LEVEL:
    case AV_PKT_DATA_DOVI_CONF:
    case AV_PKT_DATA_REPLAYGAIN:
    case AV_PKT_DATA_AUDIO_SERVICE_TYPE:
    case AV_PKT_DATA_CPB_PROPERTIES:
      return true;
    default:
      return false;
  }
}

// Tags can also arrive mid-stream, as packet side data (Ogg chained streams, ICY titles).
void DropMetadataSideData(AVPacket* pkt) {
  int kept = 0;
  for (int i = 0; i < pkt->side_data_elems; ++i) {
    AVPacketSideData& sd = pkt->side_data[i];
    if (!KeepsSideData(sd.type)) {
      av_freep(&sd.data);
      continue;
    }
    pkt->side_data[kept++] = sd;
  }
  pkt->side_data_elems = kept;
}

Status CannotCopy() {
  return Error(ErrorCode::kUnsupported,
               "this kind of file cannot be cleaned: its picture or sound cannot be copied into "
               "a new file without re-encoding");
}

Status Damaged() {
  return Error(ErrorCode::kMalformed, "the recording is damaged and cannot be read");
}

Status AddOutputStream(const AVStream* in, AVFormatContext* oc) {
  AVStream* out = avformat_new_stream(oc, nullptr);
  if (out == nullptr) return Error(ErrorCode::kTooLarge, "not enough memory");
  if (avcodec_parameters_copy(out->codecpar, in->codecpar) < 0) {
    return Error(ErrorCode::kTooLarge, "not enough memory");
  }
  if ((in->codecpar->codec_id == AV_CODEC_ID_VORBIS ||
       in->codecpar->codec_id == AV_CODEC_ID_THEORA) &&
      in->codecpar->extradata_size > 0 && !EmptyXiphComments(out->codecpar)) {
    return Damaged();
  }
  // Keep the input's codec tag where the new container accepts it (Apple players need HEVC as
  // hvc1, which muxers would otherwise write as hev1); otherwise let the muxer choose.
  const AVCodecParameters* par = in->codecpar;
  uint32_t tag = 0;
  unsigned int unused = 0;
  if (oc->oformat->codec_tag == nullptr ||
      av_codec_get_id(oc->oformat->codec_tag, par->codec_tag) == par->codec_id ||
      !av_codec_get_tag2(oc->oformat->codec_tag, par->codec_id, &unused)) {
    tag = par->codec_tag;
  }
  out->codecpar->codec_tag = tag;
  out->time_base = in->time_base;
  out->sample_aspect_ratio = in->sample_aspect_ratio;
  out->avg_frame_rate = in->avg_frame_rate;
  out->r_frame_rate = in->r_frame_rate;
  out->disposition = in->disposition & ~AV_DISPOSITION_ATTACHED_PIC;
  // Rotation, HDR and stereo information is presentation, not identity. (From FFmpeg 6.1 stream
  // side data lives in codecpar->coded_side_data, which avcodec_parameters_copy copies whole: it
  // must be filtered there too when the build moves to it.)
  for (int i = 0; i < in->nb_side_data; ++i) {
    const AVPacketSideData& sd = in->side_data[i];
    if (!KeepsSideData(sd.type)) continue;
    uint8_t* dst = av_stream_new_side_data(out, sd.type, sd.size);
    if (dst == nullptr) return Error(ErrorCode::kTooLarge, "not enough memory");
    std::memcpy(dst, sd.data, sd.size);
  }
  return Status::Ok();
}

Result<SecretBuffer> Remux(Demuxer& d, const Naming& naming) {
  SecretBuffer out;
  Writer writer{&out};
  Muxer m;
  if (avformat_alloc_output_context2(&m.ctx, nullptr, naming.muxer, nullptr) < 0 ||
      m.ctx == nullptr) {
    return CannotCopy();
  }
  m.io = NewIo(&writer, true);
  if (m.io == nullptr) return Error(ErrorCode::kTooLarge, "not enough memory");
  m.ctx->pb = m.io;
  m.ctx->flags |= AVFMT_FLAG_CUSTOM_IO | AVFMT_FLAG_BITEXACT;

  AVFormatContext* ic = d.ctx;
  std::vector<int> map(ic->nb_streams, -1);
  int kept = 0;
  for (unsigned i = 0; i < ic->nb_streams; ++i) {
    if (!IsKept(ic->streams[i])) continue;
    GAVAH_RETURN_IF_ERROR(AddOutputStream(ic->streams[i], m.ctx));
    map[i] = kept++;
  }
  if (kept == 0) {
    return Error(ErrorCode::kUnsupported,
                 "this kind of file cannot be cleaned: it holds no picture or sound to keep");
  }

  AVDictionary* options = nullptr;
  if (std::strcmp(naming.muxer, "mp3") == 0) {
    av_dict_set(&options, "id3v2_version", "0", 0);
    av_dict_set(&options, "write_id3v1", "0", 0);
  }
  const int header = avformat_write_header(m.ctx, &options);
  av_dict_free(&options);
  if (header < 0) {
    if (writer.too_large) return Error(ErrorCode::kTooLarge, "the cleaned copy is too large");
    return CannotCopy();
  }

  AVPacket* pkt = av_packet_alloc();
  if (pkt == nullptr) return Error(ErrorCode::kTooLarge, "not enough memory");
  Status status;
  int64_t packets = 0;
  while (true) {
    const int r = av_read_frame(ic, pkt);
    if (r == AVERROR_EOF) break;
    if (r < 0) {
      status = Damaged();
      break;
    }
    const int index = pkt->stream_index;
    if (index < 0 || static_cast<unsigned>(index) >= map.size() || map[index] < 0) {
      av_packet_unref(pkt);
      continue;
    }
    if (++packets > kMaxPackets) {
      status = Error(ErrorCode::kTooLarge, "the recording has too many packets");
      break;
    }
    pkt->stream_index = map[index];
    av_packet_rescale_ts(pkt, ic->streams[index]->time_base, m.ctx->streams[map[index]]->time_base);
    pkt->pos = -1;
    DropMetadataSideData(pkt);
    if (av_interleaved_write_frame(m.ctx, pkt) < 0) {  // takes the packet's reference
      status = writer.too_large ? Error(ErrorCode::kTooLarge, "the cleaned copy is too large")
                                : CannotCopy();
      break;
    }
  }
  av_packet_free(&pkt);
  const int trailer = av_write_trailer(m.ctx);
  if (!status.ok()) return status;
  if (trailer < 0) {
    return writer.too_large ? Error(ErrorCode::kTooLarge, "the cleaned copy is too large")
                            : CannotCopy();
  }
  if (packets == 0) return Damaged();
  return out;
}

}  // namespace

std::optional<Report> InspectAv(std::span<const uint8_t> in) {
  InitAv();
  const AVInputFormat* format = Probe(in);
  if (format == nullptr) return std::nullopt;
  const Family& family = *FamilyOf(format);
  Demuxer d;
  if (!Open(in, format, &d)) {
    ReportBuilder b("audio/video (" + std::string(family.label) + ")");
    b.Note("The recording is damaged and cannot be read.");
    return std::move(b).Finish();
  }
  const Naming naming = NameOf(d.ctx, family, in);
  ReportBuilder b(naming.format);
  AddTags(d.ctx->metadata, naming.prefix + " ", &b);
  AddStreams(d.ctx, naming.prefix, &b);
  b.SetCanClean(family.cleanable);
  if (!family.cleanable) {
    b.Note(
        "Hidden details cannot be removed from this kind of recording; an MP4 copy of it can "
        "be cleaned.");
  }
  return std::move(b).Finish();
}

std::optional<Result<SecretBuffer>> CleanAv(std::span<const uint8_t> in) {
  InitAv();
  const AVInputFormat* format = Probe(in);
  if (format == nullptr) return std::nullopt;
  const Family& family = *FamilyOf(format);
  if (!family.cleanable) {
    return Error(ErrorCode::kUnsupported,
                 "this kind of file cannot be cleaned: " + std::string(family.label) +
                     " recordings are not supported (an MP4 copy can "
                     "be cleaned)");
  }
  Demuxer d;
  if (!Open(in, format, &d)) return Damaged();
  return Remux(d, NameOf(d.ctx, family, in));
}

}  // namespace gavah::metadata::internal
