// The witness codename: a phrase from which the witness's reply key is derived, so the witness
// device keeps no state. Format: docs/PROTOCOL.md, "Codename".
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string_view>

#include "gavah/crypto/digest.h"
#include "gavah/crypto/keys.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"
#include "gavah/crypto/xwing.h"

namespace gavah {

inline constexpr size_t kMinCodenameWords = 7;
// A codename is kMinCodenameWords random words and kCodenameCheckWords check words, all from one
// sorted word list (docs/PROTOCOL.md section 6.1). Seven words alone are a codename made before
// check words existed, still accepted as typed.
inline constexpr size_t kCodenameCheckWords = 2;
inline constexpr size_t kCheckedCodenameWords = kMinCodenameWords + kCodenameCheckWords;

// The indexes into a list of `list_size` words of the check words for `data_words` (the seven
// random words, normalised): BLAKE2b-256("gavah-codename-check-v1\0" || the words joined by
// single spaces), the first two big-endian 32-bit numbers of it, each modulo list_size.
std::array<size_t, kCodenameCheckWords> CodenameCheckIndexes(
    std::span<const std::string_view> data_words, size_t list_size);

// A fresh codename: seven words drawn uniformly from `words` and their two check words, joined
// by single spaces.
SecretBuffer MakeCodename(std::span<const char* const> words);

struct CheckedCodename {
  SecretBuffer normalised;  // what DeriveReplyKey() derives from
  bool legacy = false;      // seven words, no check words: nothing could be checked
};
// Normalises `raw` and checks it against `words` (sorted, as the list it was made from): every
// word in the list, nine words whose last two are the first seven's check words, or seven words
// (legacy). On failure the message says which position is wrong where one change explains it
// (a mistyped, missing, extra or swapped word); it never repeats the codename's words.
Result<CheckedCodename> CheckCodename(std::span<const uint8_t> raw,
                                      std::span<const char* const> words);

struct ReplyKeyPair {
  PublicKey32 public_key{};
  SecretBuffer secret_key;  // X25519, 32 bytes
  // X-Wing, from subkey 2 of the same master key (PROTOCOL.md 6): what investigators seal
  // replies to when the testimony carries its public key.
  std::shared_ptr<const xwing::DecapsulationKey> xwing;
};

// docs/PROTOCOL.md 6.2: splits at white space (joined again by single spaces), drops invisible
// format characters, Arabic-script marks and tatweel, folds Arabic yeh and kaf, hamza and madda
// forms and teh marbuta to the Persian letters the word lists use, Persian and Arabic-Indic
// digits to ASCII, A-Z to a-z; so that one codename typed on any keyboard derives one key. ASCII
// input comes out as before these rules (trimmed, spaces collapsed, lower case).
// kInvalidArgument when fewer than kMinCodenameWords words remain.
// kAsciiOnly is the rule of the releases before section 6.2, under which codenames of the
// witness's own words (--legacy-codename) were made: only ASCII white space separates words and
// only A-Z are folded; every other byte is kept as it is, so such a codename keeps its mailbox.
enum class CodenameRules { kCurrent, kAsciiOnly };
Result<SecretBuffer> NormaliseCodename(std::span<const uint8_t> raw,
                                       CodenameRules rules = CodenameRules::kCurrent);

// Text as the investigators' search index holds it, and a query as it is looked up
// (PROTOCOL.md 10b): section 6.2's rules 2 and 3 (invisible characters, marks and tatweel
// dropped; Arabic forms, digits and A-Z folded), with rule 1's separators, ASCII other than
// letters and digits, Arabic-script and common punctuation and invalid UTF-8 all breaking words;
// the words joined by single spaces. So a word is found however the keyboard that typed it, or
// the one that searches for it, writes its letters.
SecretBuffer FoldForSearch(std::span<const uint8_t> text);

// Argon2id over the normalised codename with a salt bound to the organisation.
Result<ReplyKeyPair> DeriveReplyKey(std::span<const uint8_t> raw_codename,
                                    const Fingerprint& organisation,
                                    CodenameRules rules = CodenameRules::kCurrent);

// Where replies to this reply key wait on the server: BLAKE2b-256("gavah-mailbox-v1\0" || key).
// The witness derives it from the codename, an investigator from the testimony; the server sees
// only this hash, which no envelope carries in the clear.
Digest32 MailboxId(const PublicKey32& reply_public_key);

}  // namespace gavah
