#include "gavah/crypto/codename.h"

#include <sodium.h>

#include <algorithm>
#include <string>
#include <vector>

namespace gavah {

Result<SecretBuffer> NormaliseCodename(std::span<const uint8_t> raw) {
  SecretBuffer out;
  out.Reserve(raw.size());
  size_t words = 0;
  bool in_word = false;
  for (uint8_t c : raw) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    if (space) {
      in_word = false;
      continue;
    }
    if (!in_word) {
      if (words > 0) out.PushBack(' ');
      ++words;
      in_word = true;
    }
    out.PushBack(c >= 'A' && c <= 'Z' ? static_cast<uint8_t>(c - 'A' + 'a') : c);
  }
  if (words < kMinCodenameWords) {
    return Error(ErrorCode::kInvalidArgument,
                 "a codename needs at least 7 words (make one with: gavah-witness codename)");
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
  if (given.size() == kMinCodenameWords) {
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
                                    const Fingerprint& organisation) {
  GAVAH_ASSIGN_OR_RETURN(SecretBuffer codename, NormaliseCodename(raw_codename));
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
