// UTF-8 checks for untrusted text fields.
#pragma once

#include <cstdint>
#include <string_view>

namespace gavah {

// Well-formed UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF.
inline bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t j = 1; j < len; ++j) {
      const auto cc = static_cast<unsigned char>(s[i + j]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += len;
  }
  return true;
}

// Decodes the code point at s[i] of a string already known to be valid UTF-8 and advances i.
inline uint32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
  for (size_t j = 1; j < len && i + j < s.size(); ++j)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + j]) & 0x3f);
  i += len;
  return cp;
}

// The control characters of Unicode's general category Cc: C0 (U+0000-U+001F), DEL (U+007F)
// and C1 (U+0080-U+009F).
inline bool IsControlCodePoint(uint32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f); }

// "Printable UTF-8" (docs/PROTOCOL.md, Conventions): well-formed UTF-8 with no C0 control, no
// DEL and no C1 control; for names shown to people. C1 controls are refused as code points
// (U+0085 is the bytes c2 85), not as bytes, since 0x80-0x9f bytes occur in ordinary text.
inline bool IsPrintableUtf8(std::string_view s) {
  if (!IsValidUtf8(s)) return false;
  for (size_t i = 0; i < s.size();) {
    if (IsControlCodePoint(NextCodePoint(s, i))) return false;
  }
  return true;
}

// Code points that make a file name lie or fail when shown or stored: C0 and C1 controls, DEL,
// bidirectional and invisible formatting marks, and characters Windows file systems refuse.
inline bool IsUnsafeInFileName(uint32_t cp) {
  return IsControlCodePoint(cp) || cp == 0x061c || cp == 0x200b || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff ||
         cp == '<' || cp == '>' || cp == ':' || cp == '"' || cp == '|' || cp == '?' || cp == '*' ||
         cp == '/' || cp == '\\';
}

}  // namespace gavah
