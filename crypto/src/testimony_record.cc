// The Testimony record, protobuf wire format by hand (docs/PROTOCOL.md, "Testimony record").
// Written in field-number order with empty fields omitted, which is what libprotobuf emits; the
// tests check the two agree byte for byte. Read strictly: only that canonical encoding is
// accepted, so every record has exactly one encoding and two readers can never disagree on what
// a record says.
#include <algorithm>
#include <cstring>

#include "gavah/crypto/envelope.h"
#include "gavah/crypto/utf8.h"
#include "gavah/crypto/xwing.h"

namespace gavah {
namespace {

constexpr uint8_t kWireVarint = 0;
constexpr uint8_t kWireLen = 2;

void PutVarint(SecretBuffer& out, uint64_t v) {
  while (v >= 0x80) {
    out.PushBack(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.PushBack(static_cast<uint8_t>(v));
}

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void PutBytesField(SecretBuffer& out, unsigned field, std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  PutVarint(out, (field << 3) | kWireLen);
  PutVarint(out, bytes.size());
  out.Append(bytes);
}

// Bounds-checked reader over an untrusted record.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}
  bool done() const { return pos_ == in_.size(); }
  // A minimal varint: at most 10 bytes, and no final 0x00 byte after the first (which would add
  // only zero bits: 0x80 0x00 is a longer way of writing 0x00).
  bool Varint(uint64_t* v) {
    *v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return false;
      const uint8_t b = in_[pos_++];
      if (shift == 63 && b > 1) return false;
      if (shift > 0 && b == 0) return false;
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool Bytes(std::span<const uint8_t>* out) {
    uint64_t len;
    if (!Varint(&len) || len > in_.size() - pos_) return false;
    *out = in_.subspan(pos_, len);
    pos_ += len;
    return true;
  }

 private:
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
};

std::string_view AsText(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

Status Malformed(const char* what) {
  return Error(ErrorCode::kMalformed, std::string("testimony record: ") + what);
}

bool ValidAttachmentName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || name == "." || name == "..") return false;
  if (name.find('/') != std::string_view::npos || name.find('\\') != std::string_view::npos) {
    return false;
  }
  return IsPrintableUtf8(name);
}

bool ValidMediaType(std::string_view t) {
  if (t.empty() || t.size() > kMaxMediaTypeLength) return false;
  for (unsigned char c : t) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

Status DecodeAttachment(std::span<const uint8_t> in, TestimonyView::Attachment* a) {
  Reader r(in);
  uint64_t last = 0;  // fields in increasing order, each at most once
  while (!r.done()) {
    uint64_t key;
    if (!r.Varint(&key)) return Malformed("bad attachment field");
    const uint64_t field = key >> 3, wire = key & 7;
    if (field < 1 || field > 3) return Malformed("unknown attachment field");
    if (field <= last) return Malformed("attachment fields out of order or repeated");
    last = field;
    if (field == 3) {
      if (wire != kWireVarint || !r.Varint(&a->size)) return Malformed("bad attachment size");
      if (a->size == 0) return Malformed("attachment size 0 written out");
      continue;
    }
    std::span<const uint8_t> b;
    if (wire != kWireLen || !r.Bytes(&b)) return Malformed("bad attachment field");
    if (b.empty()) return Malformed("empty attachment field written out");
    (field == 1 ? a->name : a->media_type) = AsText(b);
  }
  if (!ValidAttachmentName(a->name)) return Malformed("attachment name is not a valid file name");
  if (!ValidMediaType(a->media_type)) return Malformed("attachment media type is not valid");
  return Status::Ok();
}

}  // namespace

bool IsConsentToken(std::string_view token) {
  if (token.empty() || token.size() > kMaxConsentTokenLength) return false;
  return std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

SecretBuffer EncodeTestimonyRecord(const TestimonyInput& in) {
  SecretBuffer out;
  out.Reserve(in.text.size() + 512 + 300 * in.attachments.size());
  PutBytesField(out, 1, in.text.span());
  PutBytesField(out, 2, in.language.span());
  PutBytesField(out, 3, in.event_time.span());
  PutBytesField(out, 4, in.event_place.span());
  for (const auto& a : in.attachments) {
    const size_t inner =
        (a.name.empty() ? 0 : 1 + VarintSize(a.name.size()) + a.name.size()) +
        (a.media_type.empty() ? 0 : 1 + VarintSize(a.media_type.size()) + a.media_type.size()) +
        (a.size == 0 ? 0 : 1 + VarintSize(a.size));
    PutVarint(out, (5 << 3) | kWireLen);
    PutVarint(out, inner);
    PutBytesField(out, 1, a.name.span());
    PutBytesField(out, 2, a.media_type.span());
    if (a.size != 0) {
      PutVarint(out, (3 << 3) | kWireVarint);
      PutVarint(out, a.size);
    }
  }
  if (in.reply_public_key) PutBytesField(out, 6, *in.reply_public_key);
  if (in.consent) {
    for (const std::string_view token : *in.consent)
      PutBytesField(out, 7, {reinterpret_cast<const uint8_t*>(token.data()), token.size()});
  }
  if (in.reply_xwing_public_key) PutBytesField(out, 8, *in.reply_xwing_public_key);
  return out;
}

Result<TestimonyView> DecodeTestimonyRecord(const SecretBuffer& record) {
  if (record.size() > kMaxTestimonyRecord) return Malformed("too large");
  TestimonyView v;
  Reader r(record.span());
  // Fields in increasing order, each at most once, except that attachments (5) follow each other.
  uint64_t last = 0;
  while (!r.done()) {
    uint64_t key;
    if (!r.Varint(&key)) return Malformed("bad field");
    const uint64_t field = key >> 3, wire = key & 7;
    if (field < 1 || field > 8) return Malformed("unknown field");
    if (wire != kWireLen) return Malformed("bad field type");
    if (field < last || (field == last && field != 5 && field != 7))
      return Malformed("fields out of order or repeated");
    last = field;
    std::span<const uint8_t> b;
    if (!r.Bytes(&b)) return Malformed("field runs past the end");
    // Canonical form omits empty fields; an attachment is never empty (it has a name), and an
    // empty consent token is refused below.
    if (b.empty() && field != 5 && field != 7) return Malformed("empty field written out");
    switch (field) {
      case 1:
        v.text = b;
        break;
      case 2:
        v.language = AsText(b);
        break;
      case 3:
        v.event_time = AsText(b);
        break;
      case 4:
        v.event_place = AsText(b);
        break;
      case 5: {
        if (v.attachments.size() == kMaxAttachments) return Malformed("too many attachments");
        TestimonyView::Attachment a;
        GAVAH_RETURN_IF_ERROR(DecodeAttachment(b, &a));
        v.attachments.push_back(a);
        break;
      }
      case 6: {
        if (b.size() != 32) return Malformed("reply key has the wrong size");
        PublicKey32 k{};
        std::memcpy(k.data(), b.data(), 32);
        v.reply_public_key = k;
        break;
      }
      case 7: {
        const std::string_view token = AsText(b);
        if (!IsConsentToken(token)) return Malformed("consent token is not valid");
        if (!v.consent) v.consent.emplace();
        if (v.consent->size() == kMaxConsentTokens) return Malformed("too many consent tokens");
        // Strictly increasing: one canonical form, no permission given twice.
        if (!v.consent->empty() && !(v.consent->back() < token))
          return Malformed("consent tokens out of order or repeated");
        v.consent->push_back(token);
        break;
      }
      case 8: {
        if (b.size() != xwing::kPublicKeySize)
          return Malformed("X-Wing reply key has the wrong size");
        v.reply_xwing_public_key.emplace();
        std::memcpy(v.reply_xwing_public_key->data(), b.data(), b.size());
        break;
      }
    }
  }
  // The mailbox is named by the X25519 key, so an X-Wing key alone could receive nothing.
  if (v.reply_xwing_public_key && !v.reply_public_key)
    return Malformed("an X-Wing reply key without the reply key it goes with");
  if (v.text.size() > kMaxTextLength) return Malformed("text too long");
  if (v.language.size() > kMaxLanguageLength || !IsPrintableUtf8(v.language)) {
    return Malformed("language tag is not valid");
  }
  if (v.event_time.size() > kMaxEventFieldLength || !IsValidUtf8(v.event_time)) {
    return Malformed("event time is not valid UTF-8 of at most 1024 bytes");
  }
  if (v.event_place.size() > kMaxEventFieldLength || !IsValidUtf8(v.event_place)) {
    return Malformed("event place is not valid UTF-8 of at most 1024 bytes");
  }
  return v;
}

}  // namespace gavah
