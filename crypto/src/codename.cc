#include "gavah/crypto/codename.h"

#include <sodium.h>

#include <algorithm>
#include <string>
#include <vector>

namespace gavah {

namespace {

// The code point at raw[i] and its length, or the byte itself with length 1 where raw[i] does
// not start a valid, shortest-form UTF-8 sequence (such bytes pass through unchanged, as they did
// before codenames had other scripts than Latin).
uint32_t DecodeOne(std::span<const uint8_t> raw, size_t i, size_t* len) {
  const uint8_t c = raw[i];
  *len = 1;
  if (c < 0x80) return c;
  const size_t n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
  if (n == 0 || i + n > raw.size()) return c;
  uint32_t cp = c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((raw[i + k] & 0xc0) != 0x80) return c;
    cp = (cp << 6) | (raw[i + k] & 0x3f);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return c;
  *len = n;
  return cp;
}

void AppendUtf8(SecretBuffer& out, uint32_t cp) {
  if (cp < 0x80) {
    out.PushBack(static_cast<uint8_t>(cp));
  } else if (cp < 0x800) {
    out.PushBack(static_cast<uint8_t>(0xc0 | (cp >> 6)));
    out.PushBack(static_cast<uint8_t>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.PushBack(static_cast<uint8_t>(0xe0 | (cp >> 12)));
    out.PushBack(static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3f)));
    out.PushBack(static_cast<uint8_t>(0x80 | (cp & 0x3f)));
  } else {
    out.PushBack(static_cast<uint8_t>(0xf0 | (cp >> 18)));
    out.PushBack(static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3f)));
    out.PushBack(static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3f)));
    out.PushBack(static_cast<uint8_t>(0x80 | (cp & 0x3f)));
  }
}

bool In(uint32_t cp, uint32_t lo, uint32_t hi) { return cp >= lo && cp <= hi; }

// docs/PROTOCOL.md 6.2, rule 1: the code points that separate words.
bool IsSeparator(uint32_t cp) {
  return In(cp, 0x09, 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
         In(cp, 0x2000, 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
         cp == 0x3000;
}

// Rule 2: invisible format characters, Arabic-script marks and tatweel, which change how a word
// looks (or nothing at all) but not which word it is.
bool IsIgnored(uint32_t cp) {
  return cp == 0xad || cp == 0x61c || cp == 0x180e || In(cp, 0x200b, 0x200f) ||
         In(cp, 0x202a, 0x202e) || In(cp, 0x2060, 0x2064) || In(cp, 0x2066, 0x206f) ||
         cp == 0xfeff || In(cp, 0x610, 0x61a) || In(cp, 0x64b, 0x65f) || cp == 0x670 ||
         In(cp, 0x6d6, 0x6dc) || In(cp, 0x6df, 0x6e4) || In(cp, 0x6e7, 0x6e8) ||
         In(cp, 0x6ea, 0x6ed) || cp == 0x640;
}

// Rule 3: Arabic letter forms to the Persian ones, hamza and madda carriers to their bases,
// Persian and Arabic-Indic digits to ASCII, A-Z to a-z.
uint32_t Fold(uint32_t cp) {
  switch (cp) {
    case 0x64a:      // ARABIC LETTER YEH
    case 0x649:      // ALEF MAKSURA
    case 0x626:      // YEH WITH HAMZA ABOVE
      return 0x6cc;  // FARSI YEH
    case 0x643:      // ARABIC LETTER KAF
      return 0x6a9;  // KEHEH
    case 0x629:      // TEH MARBUTA
    case 0x6c0:      // HEH WITH YEH ABOVE
    case 0x6d5:      // AE
      return 0x647;  // HEH
    case 0x622:      // ALEF WITH MADDA ABOVE
    case 0x623:      // ALEF WITH HAMZA ABOVE
    case 0x625:      // ALEF WITH HAMZA BELOW
    case 0x671:      // ALEF WASLA
      return 0x627;  // ALEF
    case 0x624:      // WAW WITH HAMZA ABOVE
      return 0x648;  // WAW
  }
  if (In(cp, 0x6f0, 0x6f9)) return '0' + (cp - 0x6f0);
  if (In(cp, 0x660, 0x669)) return '0' + (cp - 0x660);
  if (In(cp, 'A', 'Z')) return cp - 'A' + 'a';
  return cp;
}

// What search treats as a break between words besides rule 1's separators: ASCII other than
// letters and digits (which also keeps the search syntax out of a query), and the punctuation
// Persian and Arabic text uses (comma, semicolon, question mark, full stop, percent and the
// decimal and thousands separators, guillemets, dashes, quotes and ellipsis).
bool IsSearchBreak(uint32_t cp) {
  if (cp < 0x80) return !(In(cp, '0', '9') || In(cp, 'a', 'z') || In(cp, 'A', 'Z'));
  return cp == 0xa1 || cp == 0xab || cp == 0xb7 || cp == 0xbb || cp == 0xbf || cp == 0x60c ||
         cp == 0x60d || cp == 0x61b || In(cp, 0x61e, 0x61f) || In(cp, 0x66a, 0x66d) ||
         cp == 0x6d4 || In(cp, 0x2010, 0x2027) || In(cp, 0x2030, 0x205e) ||
         In(cp, 0x3001, 0x3002) || In(cp, 0xfd3e, 0xfd3f);
}

}  // namespace

Result<SecretBuffer> NormaliseCodename(std::span<const uint8_t> raw, CodenameRules rules) {
  SecretBuffer out;
  out.Reserve(raw.size());
  size_t words = 0;
  bool in_word = false;
  for (size_t i = 0; i < raw.size();) {
    size_t len = 1;
    uint32_t cp = raw[i];
    if (rules == CodenameRules::kCurrent) cp = DecodeOne(raw, i, &len);
    // Under the old rules every byte outside ASCII is kept as it is.
    const bool valid = len > 1 || raw[i] < 0x80;
    i += len;
    const bool old_rules = rules == CodenameRules::kAsciiOnly;
    if (valid && (old_rules ? (cp == ' ' || (cp >= 0x09 && cp <= 0x0d)) : IsSeparator(cp))) {
      in_word = false;
      continue;
    }
    if (valid && !old_rules && IsIgnored(cp)) continue;
    if (!in_word) {
      if (words > 0) out.PushBack(' ');
      ++words;
      in_word = true;
    }
    if (valid && old_rules) {
      out.PushBack(static_cast<uint8_t>(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp));
    } else if (valid) {
      AppendUtf8(out, Fold(cp));
    } else {
      out.PushBack(static_cast<uint8_t>(cp));
    }
  }
  if (words < kMinCodenameWords) {
    return Error(ErrorCode::kInvalidArgument,
                 "a codename needs at least 7 words (make one with: gavah-witness codename)");
  }
  return out;
}

SecretBuffer FoldForSearch(std::span<const uint8_t> text) {
  SecretBuffer out;
  out.Reserve(text.size());
  bool in_word = false;
  for (size_t i = 0; i < text.size();) {
    size_t len = 1;
    const uint32_t cp = DecodeOne(text, i, &len);
    // A byte that starts no valid sequence breaks words: it is no letter anyone can type.
    const bool valid = len > 1 || text[i] < 0x80;
    i += len;
    if (!valid || IsSeparator(cp) || IsSearchBreak(cp)) {
      in_word = false;
      continue;
    }
    if (IsIgnored(cp)) continue;
    if (!in_word && !out.empty()) out.PushBack(' ');
    in_word = true;
    AppendUtf8(out, Fold(cp));
  }
  return out;
}

std::array<size_t, kCodenameCheckWords> CodenameCheckIndexes(
    std::span<const std::string_view> data_words, size_t list_size) {
  static constexpr char kDomain[] = "gavah-codename-check-v1";  // hashed with its NUL
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(kDomain), sizeof kDomain);
  for (size_t i = 0; i < data_words.size(); ++i) {
    if (i > 0) crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(" "), 1);
    crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(data_words[i].data()),
                              data_words[i].size());
  }
  SecretBuffer h(32);  // a function of the codename: as secret as it is
  crypto_generichash_final(&st, h.data(), h.size());
  std::array<size_t, kCodenameCheckWords> out{};
  for (size_t j = 0; j < out.size(); ++j) {
    const uint8_t* b = h.data() + 4 * j;
    const uint32_t v =
        (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    out[j] = list_size == 0 ? 0 : v % list_size;
  }
  sodium_memzero(&st, sizeof st);
  return out;
}

SecretBuffer MakeCodename(std::span<const char* const> words) {
  SecretBuffer out;
  std::vector<std::string_view> data;
  for (size_t i = 0; i < kMinCodenameWords; ++i) {
    data.emplace_back(words[randombytes_uniform(static_cast<uint32_t>(words.size()))]);
  }
  const auto check = CodenameCheckIndexes(data, words.size());
  for (size_t c : check) data.emplace_back(words[c]);
  for (size_t i = 0; i < data.size(); ++i) {
    if (i > 0) out.PushBack(' ');
    out.Append(data[i]);
  }
  return out;
}

namespace {

bool InList(std::span<const char* const> words, std::string_view w) {
  size_t lo = 0, hi = words.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const int c = w.compare(words[mid]);
    if (c == 0) return true;
    if (c < 0) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return false;
}

// Whether the nine words check out.
bool ChecksOut(std::span<const std::string_view> nine, std::span<const char* const> words) {
  const auto check = CodenameCheckIndexes(nine.first(kMinCodenameWords), words.size());
  for (size_t j = 0; j < kCodenameCheckWords; ++j) {
    if (nine[kMinCodenameWords + j] != words[check[j]]) return false;
  }
  return true;
}

std::string Ordinal(size_t i) { return "word " + std::to_string(i + 1); }

// Which one change to `given` makes it check out, in words; empty when none does.
std::string Diagnose(const std::vector<std::string_view>& given,
                     std::span<const char* const> words) {
  std::vector<std::string_view> t;
  if (given.size() == kCheckedCodenameWords) {
    std::vector<size_t> fits;
    for (size_t i = 0; i < given.size() && fits.size() < 2; ++i) {
      t = given;
      if (i >= kMinCodenameWords) {  // a check word: it follows from the others
        const auto check =
            CodenameCheckIndexes(std::span(t).first(kMinCodenameWords), words.size());
        t[i] = words[check[i - kMinCodenameWords]];
        if (t[i] != given[i] && ChecksOut(t, words)) fits.push_back(i);
        continue;
      }
      for (size_t w = 0; w < words.size() && fits.size() < 2; ++w) {
        t[i] = words[w];
        if (t[i] != given[i] && ChecksOut(t, words)) fits.push_back(i);
      }
    }
    if (fits.size() == 1)
      return Ordinal(fits[0]) + " is wrong (another word than the one written down)";
    for (size_t i = 0; i + 1 < given.size(); ++i) {
      for (size_t j = i + 1; j < given.size(); ++j) {
        if (given[i] == given[j]) continue;
        t = given;
        std::swap(t[i], t[j]);
        if (ChecksOut(t, words))
          return "words " + std::to_string(i + 1) + " and " + std::to_string(j + 1) +
                 " are swapped";
      }
    }
    return "";
  }
  if (given.size() == kCheckedCodenameWords - 1) {
    for (size_t at = 0; at <= given.size(); ++at) {
      for (size_t w = 0; w < words.size(); ++w) {
        t = given;
        t.insert(t.begin() + static_cast<std::ptrdiff_t>(at), std::string_view(words[w]));
        if (ChecksOut(t, words)) return Ordinal(at) + " is missing";
      }
    }
    return "";
  }
  if (given.size() == kCheckedCodenameWords + 1) {
    for (size_t at = 0; at < given.size(); ++at) {
      t = given;
      t.erase(t.begin() + static_cast<std::ptrdiff_t>(at));
      if (ChecksOut(t, words)) return Ordinal(at) + " is one too many";
    }
  }
  return "";
}

}  // namespace

Result<CheckedCodename> CheckCodename(std::span<const uint8_t> raw,
                                      std::span<const char* const> words) {
  GAVAH_ASSIGN_OR_RETURN(SecretBuffer normalised, NormaliseCodename(raw));
  // Views into `normalised`, which outlives them.
  std::vector<std::string_view> given;
  const std::string_view text = normalised.view();
  for (size_t at = 0; at < text.size();) {
    const size_t sp = std::min(text.find(' ', at), text.size());
    given.push_back(text.substr(at, sp - at));
    at = sp + 1;
  }
  for (size_t i = 0; i < given.size(); ++i) {
    if (!InList(words, given[i])) {
      return Error(ErrorCode::kInvalidArgument,
                   Ordinal(i) +
                       " of the codename is not in the codename word list (mistyped?); "
                       "nothing was sent or derived");
    }
  }
  CheckedCodename out;
  // Only codenames of the English list were ever made without check words: a Persian phrase of
  // seven words is a codename with two words missing, and used as written it would lead to
  // another mailbox without a word said.
  const bool ascii = std::all_of(text.begin(), text.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (given.size() == kMinCodenameWords && ascii) {
    out.legacy = true;
  } else if (given.size() != kCheckedCodenameWords || !ChecksOut(given, words)) {
    const std::string where = Diagnose(given, words);
    std::string msg = "the codename does not check out";
    if (!where.empty()) {
      msg += ": " + where;
    } else if (given.size() != kCheckedCodenameWords) {
      msg += ": it has " + std::to_string(given.size()) + " words, not " +
             std::to_string(kCheckedCodenameWords);
    } else {
      msg += ": a word is mistyped or out of place";
    }
    return Error(ErrorCode::kInvalidArgument, msg + "; nothing was sent or derived");
  }
  out.normalised = std::move(normalised);
  return out;
}

Result<ReplyKeyPair> DeriveReplyKey(std::span<const uint8_t> raw_codename,
                                    const Fingerprint& organisation, CodenameRules rules) {
  GAVAH_ASSIGN_OR_RETURN(SecretBuffer codename, NormaliseCodename(raw_codename, rules));
  static constexpr char kSaltDomain[] = "gavah-codename-v1";  // hashed with its NUL
  uint8_t salt[crypto_pwhash_SALTBYTES];
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, sizeof salt);
  crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(kSaltDomain), sizeof kSaltDomain);
  crypto_generichash_update(&st, organisation.data(), organisation.size());
  crypto_generichash_final(&st, salt, sizeof salt);
  SecretBuffer master(32);
  if (crypto_pwhash(master.data(), master.size(), reinterpret_cast<const char*>(codename.data()),
                    codename.size(), salt, crypto_pwhash_argon2id_OPSLIMIT_MODERATE,
                    crypto_pwhash_argon2id_MEMLIMIT_MODERATE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error(ErrorCode::kIo, "not enough memory to derive the codename's key");
  }
  ReplyKeyPair kp;
  kp.secret_key = SecretBuffer(32);
  crypto_kdf_derive_from_key(kp.secret_key.data(), 32, 1, "GvhReply", master.data());
  crypto_scalarmult_curve25519_base(kp.public_key.data(), kp.secret_key.data());
  SecretBuffer xwing_seed(32);
  crypto_kdf_derive_from_key(xwing_seed.data(), 32, 2, "GvhReply", master.data());
  kp.xwing = std::make_shared<const xwing::DecapsulationKey>(
      xwing::DecapsulationKey::FromSeed(xwing_seed.span()));
  return kp;
}

Digest32 MailboxId(const PublicKey32& reply_public_key) {
  static constexpr char kDomain[] = "gavah-mailbox-v1";  // hashed with its NUL
  Digest32 out{};
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, out.size());
  crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(kDomain), sizeof kDomain);
  crypto_generichash_update(&st, reply_public_key.data(), reply_public_key.size());
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

}  // namespace gavah
