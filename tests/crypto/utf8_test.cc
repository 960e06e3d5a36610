#include "gavah/crypto/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace gavah {
namespace {

// "Printable UTF-8" as PROTOCOL.md's conventions define it: well-formed UTF-8 without C0
// controls, DEL or C1 controls.
TEST(Utf8Test, PrintableRefusesEveryControlCodePointAndNothingElse) {
  for (uint32_t cp = 0; cp < 0x20; ++cp)
    EXPECT_FALSE(IsPrintableUtf8(std::string(1, static_cast<char>(cp)))) << cp;
  EXPECT_FALSE(IsPrintableUtf8("\x7f"));
  for (uint32_t cp = 0x80; cp <= 0x9f; ++cp) {
    const std::string c1 = {static_cast<char>(0xc0 | (cp >> 6)),
                            static_cast<char>(0x80 | (cp & 0x3f))};
    EXPECT_TRUE(IsValidUtf8(c1)) << cp;
    EXPECT_FALSE(IsPrintableUtf8(c1)) << cp;
  }
  EXPECT_TRUE(IsPrintableUtf8(" ~"));
  EXPECT_TRUE(IsPrintableUtf8("\xc2\xa0"));  // U+00A0, the first code point after C1
  EXPECT_TRUE(IsPrintableUtf8("\xd8\xa2\xd8\xb2\xd8\xa7\xd8\xaf\xd9\x87"));  // آزاده
  EXPECT_TRUE(IsPrintableUtf8("\xe2\x80\xae"));  // U+202E is a format character, not a control
  EXPECT_TRUE(IsPrintableUtf8(""));
  // 0x80-0x9f bytes inside other characters are not C1 controls.
  EXPECT_TRUE(IsPrintableUtf8("\xe2\x82\xac"));  // U+20AC
  EXPECT_FALSE(IsPrintableUtf8("\xc0\x80"));     // overlong NUL is not even UTF-8
  EXPECT_FALSE(IsPrintableUtf8("\x85"));         // a lone continuation byte
}

}  // namespace
}  // namespace gavah
