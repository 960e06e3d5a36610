// FoldForSearch: what the investigators' search index holds of a testimony and of a query
// (PROTOCOL.md 10b). A word must be found however the keyboard that typed it wrote its letters.
#include <gtest/gtest.h>

#include <string>

#include "gavah/crypto/codename.h"

namespace gavah {
namespace {

std::string Fold(const std::string& s) {
  const SecretBuffer f = FoldForSearch({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  return std::string(f.view());
}

TEST(SearchFoldTest, ArabicAndPersianKeyboardsWriteTheSameWord) {
  // "Commission" typed with Arabic kaf and yeh, and with the Persian letters.
  EXPECT_EQ(Fold("\u0643\u0645\u064a\u0633\u064a\u0648\u0646"), Fold("کمیسیون"));
  EXPECT_EQ(Fold("کمیسیون"), "کمیسیون");
  // Teh marbuta, hamza and madda forms, tatweel and harakat fold away.
  EXPECT_EQ(Fold("آزادي"), Fold("ازادی"));
  EXPECT_EQ(Fold("مـــادر"), "مادر");
  EXPECT_EQ(Fold("مُحَمَّد"), "محمد");
}

TEST(SearchFoldTest, ZeroWidthNonJoinerAndDigitsDoNotSplitOrHideAWord) {
  EXPECT_EQ(Fold("ملاقات\u200cها"), "ملاقاتها");
  EXPECT_EQ(Fold("۱۳۶۷ and ١٣٦٧"), "1367 and 1367");
}

TEST(SearchFoldTest, PunctuationBreaksWordsAndNoSearchSyntaxSurvives) {
  // Persian comma, question mark, guillemets and full stop; ASCII punctuation, the search
  // syntax among it (quotes, stars, parentheses, minus, colon) is only a break between words.
  EXPECT_EQ(Fold("«اوین»، گوهردشت؟ خاوران\u06d4"), "اوین گوهردشت خاوران");
  EXPECT_EQ(Fold("\"Evin\" OR (1988*) -NEAR body:x"), "evin or 1988 near body x");
  EXPECT_EQ(Fold("  Khavaran,\tautumn\n1988.  "), "khavaran autumn 1988");
  EXPECT_EQ(Fold(""), "");
  EXPECT_EQ(Fold("...,,;"), "");
}

TEST(SearchFoldTest, InvalidUtf8BreaksWordsInsteadOfPassingThrough) {
  EXPECT_EQ(Fold("ab\xff"
                 "cd\xc3"),
            "ab cd");
  EXPECT_EQ(Fold("\xe2\x80"), "");
}

}  // namespace
}  // namespace gavah
