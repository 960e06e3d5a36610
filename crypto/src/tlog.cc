#include "gavah/crypto/tlog.h"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>

#include "gavah/crypto/hex.h"
#include "gavah/crypto/utf8.h"

namespace gavah::tlog {
namespace {

Status Malformed(std::string what) { return Error(ErrorCode::kMalformed, std::move(what)); }

// The largest power of two smaller than n (n >= 2).
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

Digest32 Root(std::span<const Digest32> d) {
  if (d.empty()) return Sha256Of({});
  if (d.size() == 1) return d[0];
  const uint64_t k = SplitPoint(d.size());
  return NodeHash(Root(d.first(k)), Root(d.subspan(k)));
}

void Path(std::span<const Digest32> d, uint64_t m, std::vector<Digest32>& out) {
  if (d.size() <= 1) return;
  const uint64_t k = SplitPoint(d.size());
  if (m < k) {
    Path(d.first(k), m, out);
    out.push_back(Root(d.subspan(k)));
  } else {
    Path(d.subspan(k), m - k, out);
    out.push_back(Root(d.first(k)));
  }
}

void Subproof(std::span<const Digest32> d, uint64_t m, bool complete, std::vector<Digest32>& out) {
  if (m == d.size()) {
    if (!complete) out.push_back(Root(d));
    return;
  }
  const uint64_t k = SplitPoint(d.size());
  if (m <= k) {
    Subproof(d.first(k), m, complete, out);
    out.push_back(Root(d.subspan(k)));
  } else {
    Subproof(d.subspan(k), m - k, false, out);
    out.push_back(Root(d.first(k)));
  }
}

// RFC 9162's "right-shift fn and sn equally until LSB(fn) is set or fn is 0", after a step where
// the node was a right child or the last one of its level.
void AlignRight(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

// Go's unicode.IsSpace, which is what names are checked against in the ecosystem.
bool IsUnicodeSpace(uint32_t cp) {
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
         cp == 0x205f || cp == 0x3000;
}

// UTF-8 with no control character but newline (c2sp.org/signed-note, "Format").
bool IsNoteText(std::string_view s) {
  if (!IsValidUtf8(s)) return false;
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\n'; });
}

constexpr std::string_view kSignaturePrefix = "\xe2\x80\x94 ";  // em dash, space

std::optional<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

std::string TileIndex(uint64_t index) {
  std::string digits = std::to_string(index);
  digits.insert(0, (3 - digits.size() % 3) % 3, '0');
  std::string out;
  for (size_t i = 0; i < digits.size(); i += 3) {
    if (i + 3 < digits.size()) out += 'x';
    out += digits.substr(i, 3);
    if (i + 3 < digits.size()) out += '/';
  }
  return out;
}

std::string WithWidth(std::string path, unsigned width) {
  if (width < kTileWidth) path += ".p/" + std::to_string(width);
  return path;
}

}  // namespace

Digest32 LeafHash(std::span<const uint8_t> entry) {
  Sha256 h;
  const uint8_t prefix = 0x00;
  h.Update({&prefix, 1});
  h.Update(entry);
  return h.Final();
}

Digest32 NodeHash(const Digest32& left, const Digest32& right) {
  Sha256 h;
  const uint8_t prefix = 0x01;
  h.Update({&prefix, 1});
  h.Update(left);
  h.Update(right);
  return h.Final();
}

Digest32 RootOf(std::span<const Digest32> leaves) { return Root(leaves); }

Result<std::vector<Digest32>> InclusionProof(std::span<const Digest32> leaves, uint64_t index) {
  if (index >= leaves.size()) return Malformed("the entry is not in the tree");
  std::vector<Digest32> out;
  Path(leaves, index, out);
  return out;
}

Result<std::vector<Digest32>> ConsistencyProof(std::span<const Digest32> leaves, uint64_t m) {
  if (m == 0 || m > leaves.size()) return Malformed("no consistency proof between these sizes");
  std::vector<Digest32> out;
  Subproof(leaves, m, true, out);
  return out;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Digest32& leaf,
                       std::span<const Digest32> proof, const Digest32& root) {
  if (index >= size) return Malformed("the entry's index is outside the tree");
  // The only length a proof for (index, size) can have: the levels where the paths to index and
  // to the last leaf differ, then the left siblings above them.
  const uint64_t last = size - 1;
  const unsigned inner = static_cast<unsigned>(std::bit_width(index ^ last));
  // (A shift by 64 is undefined: an index and size that differ in the top bit have no border.)
  const unsigned border = inner >= 64 ? 0 : static_cast<unsigned>(std::popcount(index >> inner));
  if (proof.size() != inner + border) return Malformed("an inclusion proof of the wrong length");
  uint64_t fn = index, sn = last;
  Digest32 r = leaf;
  for (const Digest32& p : proof) {
    if (sn == 0) return Malformed("an inclusion proof of the wrong length");
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      AlignRight(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Malformed("an inclusion proof of the wrong length");
  if (sodium_memcmp(r.data(), root.data(), r.size()) != 0)
    return Error(ErrorCode::kTampered, "the entry is not in the tree this checkpoint names");
  return Status::Ok();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Digest32& old_root,
                         const Digest32& new_root, std::span<const Digest32> proof) {
  if (old_size == 0) return Malformed("a consistency proof from the empty tree means nothing");
  if (old_size > new_size) return Malformed("the newer tree is smaller than the older one");
  if (old_size == new_size) {
    if (!proof.empty()) return Malformed("a consistency proof between equal sizes is empty");
    if (old_root != new_root)
      return Error(ErrorCode::kTampered, "two different trees of the same size");
    return Status::Ok();
  }
  if (proof.empty()) return Malformed("an empty consistency proof");
  std::vector<Digest32> path;
  if (std::has_single_bit(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest32 fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Digest32& c = path[i];
    if (sn == 0) return Malformed("a consistency proof of the wrong length");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      AlignRight(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Malformed("a consistency proof of the wrong length");
  if (fr != old_root || sr != new_root)
    return Error(ErrorCode::kTampered, "the newer tree does not extend the older one");
  return Status::Ok();
}

// ---- signed notes ----

bool IsValidKeyName(std::string_view name) {
  if (name.empty() || !IsValidUtf8(name)) return false;
  for (size_t i = 0; i < name.size();) {
    const uint32_t cp = NextCodePoint(name, i);
    // The spec's rules (no '+', no Unicode space), and no C0 control, which no note may hold.
    if (cp == '+' || IsUnicodeSpace(cp) || cp < 0x20) return false;
  }
  return true;
}

uint32_t KeyId(std::string_view name, uint8_t type, std::span<const uint8_t> public_key) {
  Sha256 h;
  h.Update({reinterpret_cast<const uint8_t*>(name.data()), name.size()});
  const uint8_t sep[2] = {'\n', type};
  h.Update(sep);
  h.Update(public_key);
  const Digest32 d = h.Final();
  return (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 8) | d[3];
}

VerifierKey MakeVerifierKey(std::string_view name, std::span<const uint8_t, 32> public_key,
                            uint8_t type) {
  VerifierKey k;
  k.name = std::string(name);
  std::copy(public_key.begin(), public_key.end(), k.public_key.begin());
  k.type = type;
  k.id = KeyId(name, type, public_key);
  return k;
}

std::string FormatVerifierKey(const VerifierKey& key) {
  std::vector<uint8_t> typed{key.type};
  typed.insert(typed.end(), key.public_key.begin(), key.public_key.end());
  char id[9];
  std::snprintf(id, sizeof id, "%08x", key.id);
  return key.name + "+" + id + "+" + ToBase64(typed);
}

Result<VerifierKey> ParseVerifierKey(std::string_view text) {
  // The name holds no '+' and the key ID none, but base64 may: split at the first two only.
  const size_t a = text.find('+');
  const size_t b = a == std::string_view::npos ? a : text.find('+', a + 1);
  if (b == std::string_view::npos) return Malformed("a verifier key is name+id+key");
  const std::string_view name = text.substr(0, a), id = text.substr(a + 1, b - a - 1);
  if (!IsValidKeyName(name)) return Malformed("a verifier key's name is not a valid key name");
  if (id.size() != 8 || !std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      }))
    return Malformed("a verifier key's id is 8 lower-case hexadecimal digits");
  const auto key = FromBase64(text.substr(b + 1));
  if (!key || key->empty()) return Malformed("a verifier key's key is not base64");
  const uint8_t type = (*key)[0];
  if (type != kEd25519Type && type != kCosignatureType)
    return Error(ErrorCode::kUnsupported, "a verifier key of a type other than Ed25519");
  if (key->size() != 33) return Malformed("an Ed25519 verifier key is 32 bytes");
  VerifierKey k = MakeVerifierKey(name, std::span<const uint8_t, 32>(key->data() + 1, 32), type);
  char expected[9];
  std::snprintf(expected, sizeof expected, "%08x", k.id);
  if (id != expected) return Malformed("a verifier key's id is not the hash of its name and key");
  return k;
}

VerifierKey NoteSigner::verifier(uint8_t type) const {
  std::array<uint8_t, 32> pk{};
  crypto_sign_ed25519_sk_to_pk(pk.data(), secret_key.data());
  return MakeVerifierKey(name, pk, type);
}

std::string CosignatureMessage(uint64_t timestamp, std::string_view checkpoint_text) {
  return "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + std::string(checkpoint_text);
}

Result<std::string> CosignatureLine(const NoteSigner& witness, uint64_t timestamp,
                                    std::string_view checkpoint_text) {
  if (!IsValidKeyName(witness.name) || witness.secret_key.size() != crypto_sign_SECRETKEYBYTES)
    return Error(ErrorCode::kInvalidArgument, "a witness needs a valid name and key");
  if (timestamp > uint64_t{INT64_MAX})
    return Error(ErrorCode::kInvalidArgument, "a cosignature's time is at most 2^63 - 1");
  if (!ParseCheckpoint(checkpoint_text).ok())
    return Error(ErrorCode::kInvalidArgument, "a witness cosigns checkpoints only");
  const VerifierKey v = witness.verifier(kCosignatureType);
  const std::string message = CosignatureMessage(timestamp, checkpoint_text);
  std::vector<uint8_t> sig(4 + 8 + crypto_sign_BYTES);
  for (int i = 0; i < 4; ++i) sig[i] = static_cast<uint8_t>(v.id >> (24 - 8 * i));
  for (int i = 0; i < 8; ++i) sig[4 + i] = static_cast<uint8_t>(timestamp >> (56 - 8 * i));
  crypto_sign_detached(sig.data() + 12, nullptr, reinterpret_cast<const uint8_t*>(message.data()),
                       message.size(), witness.secret_key.data());
  return std::string(kSignaturePrefix) + witness.name + " " + ToBase64(sig) + "\n";
}

Result<std::string> SignNote(std::string_view text, std::span<const NoteSigner* const> signers) {
  if (text.empty() || text.back() != '\n' || !IsNoteText(text))
    return Error(ErrorCode::kInvalidArgument, "a note's text is UTF-8 ending in a newline");
  if (signers.empty() || signers.size() > kMaxNoteSignatures)
    return Error(ErrorCode::kInvalidArgument, "a note needs between 1 and 100 signatures");
  std::string note(text);
  note += '\n';
  for (const NoteSigner* s : signers) {
    if (!IsValidKeyName(s->name) || s->secret_key.size() != crypto_sign_SECRETKEYBYTES)
      return Error(ErrorCode::kInvalidArgument, "a note signer needs a valid name and key");
    const VerifierKey v = s->verifier();
    std::vector<uint8_t> sig(4 + crypto_sign_BYTES);
    sig[0] = static_cast<uint8_t>(v.id >> 24);
    sig[1] = static_cast<uint8_t>(v.id >> 16);
    sig[2] = static_cast<uint8_t>(v.id >> 8);
    sig[3] = static_cast<uint8_t>(v.id);
    crypto_sign_detached(sig.data() + 4, nullptr, reinterpret_cast<const uint8_t*>(text.data()),
                         text.size(), s->secret_key.data());
    note += std::string(kSignaturePrefix) + s->name + " " + ToBase64(sig) + "\n";
  }
  return note;
}

Result<OpenedNote> OpenNote(std::string_view note, std::span<const VerifierKey> known) {
  if (note.size() > kMaxNoteSize) return Malformed("a signed note is too large");
  if (!IsNoteText(note)) return Malformed("a signed note is not UTF-8 text");
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("a signed note has no signatures");
  const std::string_view text = note.substr(0, split + 1);
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') return Malformed("a signed note's signatures end early");
  struct Seen {
    std::string name;
    uint32_t id;
  };
  std::vector<Seen> seen;  // known keys already verified
  OpenedNote out;
  size_t lines = 0;
  while (!sigs.empty()) {
    const size_t nl = sigs.find('\n');
    std::string_view line = sigs.substr(0, nl);
    sigs = sigs.substr(nl + 1);
    if (++lines > kMaxNoteSignatures) return Malformed("a signed note has too many signatures");
    if (line.substr(0, kSignaturePrefix.size()) != kSignaturePrefix)
      return Malformed("a signed note's signature line does not start with an em dash");
    line = line.substr(kSignaturePrefix.size());
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) return Malformed("a signature line has no signature");
    const std::string_view name = line.substr(0, space);
    const auto sig = FromBase64(line.substr(space + 1));
    if (!IsValidKeyName(name) || !sig || sig->size() < 5)
      return Malformed("a signature line is not a name and a base64 signature");
    const uint32_t id = (uint32_t{(*sig)[0]} << 24) | (uint32_t{(*sig)[1]} << 16) |
                        (uint32_t{(*sig)[2]} << 8) | (*sig)[3];
    const auto key = std::find_if(known.begin(), known.end(), [&](const VerifierKey& k) {
      return k.name == name && k.id == id;
    });
    if (key == known.end()) continue;  // not a key we know: ignored, as the spec requires
    if (std::any_of(seen.begin(), seen.end(),
                    [&](const Seen& s) { return s.name == name && s.id == id; }))
      continue;  // only a known key's first signature counts
    seen.push_back({std::string(name), id});
    bool good = false;
    uint64_t timestamp = 0;
    if (key->type == kCosignatureType) {
      if (sig->size() == 4 + 8 + crypto_sign_BYTES) {
        for (int i = 0; i < 8; ++i) timestamp = (timestamp << 8) | (*sig)[4 + i];
        const std::string message = CosignatureMessage(timestamp, text);
        good = timestamp <= uint64_t{INT64_MAX} && ParseCheckpoint(text).ok() &&
               crypto_sign_verify_detached(sig->data() + 12,
                                           reinterpret_cast<const uint8_t*>(message.data()),
                                           message.size(), key->public_key.data()) == 0;
      }
    } else {
      good = sig->size() == 4 + crypto_sign_BYTES &&
             crypto_sign_verify_detached(sig->data() + 4,
                                         reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                                         key->public_key.data()) == 0;
    }
    if (!good)
      return Error(ErrorCode::kBadSignature, "the signature of " + std::string(name) + " on " +
                                                 "a signed note does not verify");
    out.verified.push_back({std::string(name), key->type, timestamp});
  }
  if (out.verified.empty())
    return Error(ErrorCode::kUntrustedSigner, "a signed note bears no signature by a known key");
  out.text = std::string(text);
  return out;
}

// ---- checkpoints ----

std::string FormatCheckpoint(const Checkpoint& c) {
  std::string out = c.origin + "\n" + std::to_string(c.size) + "\n" + ToBase64(c.root) + "\n";
  for (const auto& e : c.extensions) out += e + "\n";
  return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (text.empty() || text.back() != '\n') return Malformed("a checkpoint ends in a newline");
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    const size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest = rest.substr(nl + 1);
  }
  if (lines.size() < 3) return Malformed("a checkpoint has an origin, a size and a root");
  Checkpoint c;
  if (lines[0].empty()) return Malformed("a checkpoint's origin is empty");
  c.origin = std::string(lines[0]);
  const auto size = ParseDecimal(lines[1]);
  if (!size) return Malformed("a checkpoint's size is not a decimal number");
  c.size = *size;
  const auto root = FromBase64(lines[2]);
  if (!root || root->size() != 32) return Malformed("a checkpoint's root is not 32 bytes");
  std::copy(root->begin(), root->end(), c.root.begin());
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return Malformed("a checkpoint has an empty extension line");
    c.extensions.emplace_back(lines[i]);
  }
  return c;
}

// ---- witnessing ----

std::string FormatAddCheckpoint(const AddCheckpoint& request) {
  std::string out = "old " + std::to_string(request.old_size) + "\n";
  for (const auto& h : request.proof) out += ToBase64(h) + "\n";
  return out + "\n" + request.note;
}

Result<AddCheckpoint> ParseAddCheckpoint(std::string_view body) {
  if (body.size() > kMaxNoteSize + (kMaxWitnessProof + 1) * 64)
    return Malformed("an add-checkpoint request is too large");
  AddCheckpoint r;
  auto line = [&body]() -> std::optional<std::string_view> {
    const size_t nl = body.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    const std::string_view l = body.substr(0, nl);
    body = body.substr(nl + 1);
    return l;
  };
  const auto first = line();
  if (!first || first->substr(0, 4) != "old ") return Malformed("a request starts with \"old N\"");
  const auto old = ParseDecimal(first->substr(4));
  if (!old) return Malformed("a request's old size is not a decimal number");
  r.old_size = *old;
  for (;;) {
    const auto l = line();
    if (!l) return Malformed("a request ends before its checkpoint");
    if (l->empty()) break;
    if (r.proof.size() == kMaxWitnessProof)
      return Malformed("a consistency proof of over 63 hashes");
    const auto h = FromBase64(*l);
    if (!h || h->size() != 32) return Malformed("a consistency proof line is not a 32-byte hash");
    Digest32 d{};
    std::copy(h->begin(), h->end(), d.begin());
    r.proof.push_back(d);
  }
  r.note = std::string(body);
  return r;
}

Result<std::string> AddCheckpointOrigin(const AddCheckpoint& request) {
  const size_t nl = request.note.find('\n');
  if (nl == std::string::npos || nl == 0) return Malformed("a checkpoint has no origin");
  return request.note.substr(0, nl);
}

WitnessAnswer DecideAddCheckpoint(const AddCheckpoint& request, std::span<const WitnessedLog> logs,
                                  const std::optional<WitnessedCheckpoint>& last,
                                  const NoteSigner& witness, uint64_t now) {
  auto answer = [](int status, std::string body) {
    WitnessAnswer a;
    a.http_status = status;
    a.body = std::move(body);
    return a;
  };
  const auto origin = AddCheckpointOrigin(request);
  if (!origin.ok()) return answer(400, origin.status().message());
  const auto log = std::find_if(logs.begin(), logs.end(),
                                [&](const WitnessedLog& l) { return l.origin == origin.value(); });
  if (log == logs.end()) return answer(404, "this witness does not witness that log");
  // Only the log's own signature counts here, never a cosignature by a key listed by mistake.
  std::vector<VerifierKey> log_keys;
  std::copy_if(log->keys.begin(), log->keys.end(), std::back_inserter(log_keys),
               [](const VerifierKey& k) { return k.type == kEd25519Type; });
  auto opened = OpenNote(request.note, log_keys);
  if (!opened.ok()) return answer(403, opened.status().message());
  auto checkpoint = ParseCheckpoint(opened->text);
  if (!checkpoint.ok() || checkpoint->origin != origin.value())
    return answer(400, "not a checkpoint");
  if (request.old_size > checkpoint->size) return answer(400, "old size above the new size");
  const uint64_t last_size = last ? last->size : 0;
  if (request.old_size != last_size) {
    WitnessAnswer a = answer(409, std::to_string(last_size) + "\n");
    return a;
  }
  if (checkpoint->size == 0 && checkpoint->root != Sha256Of({}))
    return answer(422, "an empty tree with a root that is not the empty tree's");
  if (request.old_size == 0) {
    if (!request.proof.empty()) return answer(422, "the empty tree needs no consistency proof");
  } else {
    const Status st = VerifyConsistency(last->size, checkpoint->size, last->root, checkpoint->root,
                                        request.proof);
    if (!st.ok()) return answer(422, st.message());
  }
  auto line = CosignatureLine(witness, now, opened->text);
  if (!line.ok()) return answer(500, line.status().message());
  WitnessAnswer a = answer(200, *line);
  a.cosigned = WitnessedCheckpoint{checkpoint->size, checkpoint->root, request.note + *line};
  return a;
}

// ---- tiles ----

std::string TilePath(unsigned level, uint64_t index, unsigned width) {
  return WithWidth("tile/" + std::to_string(level) + "/" + TileIndex(index), width);
}

std::string EntriesPath(uint64_t index, unsigned width) {
  return WithWidth("tile/entries/" + TileIndex(index), width);
}

Result<TileRef> ParseTilePath(std::string_view path) {
  const auto bad = Malformed("not a tile path");
  constexpr std::string_view kTile = "tile/", kEntries = "entries/";
  if (path.substr(0, kTile.size()) != kTile) return bad;
  std::string_view rest = path.substr(kTile.size());
  TileRef ref;
  if (rest.substr(0, kEntries.size()) == kEntries) {
    ref.entries = true;
    rest = rest.substr(kEntries.size());
  } else {
    const size_t slash = rest.find('/');
    const auto level = ParseDecimal(rest.substr(0, slash));
    if (slash == std::string_view::npos || !level || *level > 63) return bad;
    ref.level = static_cast<unsigned>(*level);
    rest = rest.substr(slash + 1);
  }
  // The index: 3-digit groups; the width, after ".p/", when the tile is partial.
  uint64_t index = 0;
  size_t groups = 0;
  for (;;) {
    const bool more = !rest.empty() && rest[0] == 'x';
    const std::string_view group = rest.substr(more ? 1 : 0, 3);
    if (group.size() != 3 ||
        !std::all_of(group.begin(), group.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return bad;
    if (++groups > 7) return bad;
    const uint64_t g = static_cast<uint64_t>(std::stoul(std::string(group)));
    if (index > (std::numeric_limits<uint64_t>::max() - g) / 1000) return bad;
    index = index * 1000 + g;
    rest = rest.substr(group.size() + (more ? 1 : 0));
    if (!more) break;
    if (rest.empty() || rest[0] != '/') return bad;
    rest = rest.substr(1);
  }
  ref.index = index;
  if (!rest.empty()) {
    constexpr std::string_view kPartial = ".p/";
    if (rest.substr(0, kPartial.size()) != kPartial) return bad;
    const auto width = ParseDecimal(rest.substr(kPartial.size()));
    if (!width || *width == 0 || *width >= kTileWidth) return bad;
    ref.width = static_cast<unsigned>(*width);
  }
  // Only the one spelling TilePath and EntriesPath write (no needless groups, for one).
  const std::string canonical =
      ref.entries ? EntriesPath(ref.index, ref.width) : TilePath(ref.level, ref.index, ref.width);
  if (canonical != path) return bad;
  return ref;
}

Result<std::vector<TileRef>> TilesOfTree(uint64_t size) {
  if (size > kMaxListedTree)
    return Error(ErrorCode::kInvalidArgument, "too many tiles to list for that tree");
  std::vector<TileRef> out;
  // Level l has floor(size / 256^l) hashes; it ends where that is zero.
  uint64_t hashes = size;
  for (unsigned level = 0; hashes > 0 && level <= 63; ++level) {
    for (uint64_t n = 0; n < hashes / kTileWidth; ++n) out.push_back({false, level, n, kTileWidth});
    if (hashes % kTileWidth != 0)
      out.push_back(
          {false, level, hashes / kTileWidth, static_cast<unsigned>(hashes % kTileWidth)});
    hashes /= kTileWidth;
  }
  return out;
}

Result<std::vector<uint8_t>> TileContents(std::span<const Digest32> leaves, unsigned level,
                                          uint64_t index, unsigned width) {
  if (level > 3 || width == 0 || width > kTileWidth)
    return Error(ErrorCode::kInvalidArgument, "no such tile");
  uint64_t span = 1;  // entries under one hash of this level
  for (unsigned l = 0; l < level; ++l) span *= kTileWidth;
  // Checked before multiplying, so that no index wraps around to a tile the tree has.
  if (index > leaves.size() / (kTileWidth * span))
    return Error(ErrorCode::kInvalidArgument, "the tree is too small for this tile");
  const uint64_t first = index * kTileWidth * span, end = first + width * span;
  if (end > leaves.size())
    return Error(ErrorCode::kInvalidArgument, "the tree is too small for this tile");
  std::vector<uint8_t> out;
  out.reserve(width * 32);
  for (uint64_t i = first; i < end; i += span) {
    const Digest32 h = RootOf(leaves.subspan(i, span));
    out.insert(out.end(), h.begin(), h.end());
  }
  return out;
}

Result<std::vector<uint8_t>> EncodeEntryBundle(std::span<const std::vector<uint8_t>> entries) {
  if (entries.size() > kTileWidth)
    return Error(ErrorCode::kInvalidArgument, "an entry bundle holds at most 256 entries");
  std::vector<uint8_t> out;
  for (const auto& e : entries) {
    if (e.size() > kMaxEntrySize)
      return Error(ErrorCode::kInvalidArgument, "a log entry is at most 65535 bytes");
    out.push_back(static_cast<uint8_t>(e.size() >> 8));
    out.push_back(static_cast<uint8_t>(e.size()));
    out.insert(out.end(), e.begin(), e.end());
  }
  return out;
}

Result<std::vector<std::vector<uint8_t>>> ParseEntryBundle(std::span<const uint8_t> bundle) {
  std::vector<std::vector<uint8_t>> out;
  while (!bundle.empty()) {
    if (bundle.size() < 2) return Malformed("an entry bundle ends inside a length");
    const size_t n = (size_t{bundle[0]} << 8) | bundle[1];
    if (bundle.size() - 2 < n) return Malformed("an entry bundle ends inside an entry");
    if (out.size() == kTileWidth) return Malformed("an entry bundle holds more than 256 entries");
    out.emplace_back(bundle.begin() + 2, bundle.begin() + 2 + static_cast<ptrdiff_t>(n));
    bundle = bundle.subspan(2 + n);
  }
  return out;
}

// ---- the growing tree ----

void MerkleTree::Append(const Digest32& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  // Each level's 256th hash in a row completes a subtree of the level above.
  for (size_t k = 0; levels_[k].size() % kTileWidth == 0; ++k) {
    const auto& below = levels_[k];
    Digest32 h = RootOf(std::span(below).last(kTileWidth));
    if (levels_.size() == k + 1) levels_.emplace_back();
    levels_[k + 1].push_back(h);
  }
}

Digest32 MerkleTree::RangeHash(uint64_t begin, uint64_t end) const {
  const uint64_t n = end - begin;
  if (n == 1) return levels_[0][begin];
  if (std::has_single_bit(n) && begin % n == 0) {
    // A complete subtree: start from the highest level that holds whole pieces of it.
    const unsigned height = static_cast<unsigned>(std::countr_zero(n));
    const unsigned k = height / 8;
    if (k > 0) {
      const auto& level = levels_[k];
      return RootOf(std::span(level).subspan(begin >> (8 * k), n >> (8 * k)));
    }
  }
  const uint64_t split = SplitPoint(n);
  return NodeHash(RangeHash(begin, begin + split), RangeHash(begin + split, end));
}

void MerkleTree::Path(uint64_t begin, uint64_t end, uint64_t m, std::vector<Digest32>& out) const {
  if (end - begin <= 1) return;
  const uint64_t k = SplitPoint(end - begin);
  if (m < k) {
    Path(begin, begin + k, m, out);
    out.push_back(RangeHash(begin + k, end));
  } else {
    Path(begin + k, end, m - k, out);
    out.push_back(RangeHash(begin, begin + k));
  }
}

void MerkleTree::Subproof(uint64_t begin, uint64_t end, uint64_t m, bool complete,
                          std::vector<Digest32>& out) const {
  if (m == end - begin) {
    if (!complete) out.push_back(RangeHash(begin, end));
    return;
  }
  const uint64_t k = SplitPoint(end - begin);
  if (m <= k) {
    Subproof(begin, begin + k, m, complete, out);
    out.push_back(RangeHash(begin + k, end));
  } else {
    Subproof(begin + k, end, m - k, false, out);
    out.push_back(RangeHash(begin, begin + k));
  }
}

Result<Digest32> MerkleTree::Root(uint64_t n) const {
  if (n > size()) return Error(ErrorCode::kInvalidArgument, "the tree is not that large");
  if (n == 0) return Sha256Of({});
  return RangeHash(0, n);
}

Result<std::vector<Digest32>> MerkleTree::InclusionProof(uint64_t index, uint64_t n) const {
  if (n > size() || index >= n) return Malformed("the entry is not in the tree");
  std::vector<Digest32> out;
  Path(0, n, index, out);
  return out;
}

Result<std::vector<Digest32>> MerkleTree::ConsistencyProof(uint64_t m, uint64_t n) const {
  if (m == 0 || m > n || n > size()) return Malformed("no consistency proof between these sizes");
  std::vector<Digest32> out;
  Subproof(0, n, m, true, out);
  return out;
}

Result<std::vector<uint8_t>> MerkleTree::Tile(unsigned level, uint64_t index,
                                              unsigned width) const {
  if (width == 0 || width > kTileWidth || level >= levels_.size() ||
      index > levels_[level].size() / kTileWidth ||
      index * kTileWidth + width > levels_[level].size())
    return Error(ErrorCode::kInvalidArgument, "the tree has no such tile");
  std::vector<uint8_t> out;
  out.reserve(size_t{width} * 32);
  for (uint64_t i = index * kTileWidth; i < index * kTileWidth + width; ++i)
    out.insert(out.end(), levels_[level][i].begin(), levels_[level][i].end());
  return out;
}

// ---- proofs ----

namespace {
constexpr std::string_view kProofHeader = "c2sp.org/tlog-proof@v1";
}  // namespace

std::string FormatTlogProof(const TlogProof& proof) {
  std::string out = std::string(kProofHeader) + "\n";
  if (proof.extra) out += "extra " + ToBase64(*proof.extra) + "\n";
  out += "index " + std::to_string(proof.index) + "\n";
  for (const auto& h : proof.path) out += ToBase64(h) + "\n";
  return out + "\n" + proof.checkpoint;
}

Result<TlogProof> ParseTlogProof(std::string_view text) {
  if (text.size() > kMaxNoteSize + 4096) return Malformed("a tlog proof is too large");
  TlogProof p;
  auto line = [&text]() -> std::optional<std::string_view> {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    const std::string_view l = text.substr(0, nl);
    text = text.substr(nl + 1);
    return l;
  };
  const auto first = line();
  if (!first || *first != kProofHeader) return Malformed("not a c2sp.org/tlog-proof@v1 proof");
  auto next = line();
  if (next && next->substr(0, 6) == "extra ") {
    auto extra = FromBase64(next->substr(6));
    if (!extra || ToBase64(*extra) != next->substr(6))
      return Malformed("a tlog proof's extra data is not canonical base64");
    p.extra = std::move(*extra);
    next = line();
  }
  if (!next || next->substr(0, 6) != "index ") return Malformed("a tlog proof names no index");
  const auto index = ParseDecimal(next->substr(6));
  if (!index) return Malformed("a tlog proof's index is not a decimal number");
  p.index = *index;
  for (;;) {
    const auto l = line();
    if (!l) return Malformed("a tlog proof ends before its checkpoint");
    if (l->empty()) break;
    if (p.path.size() == 63) return Malformed("an inclusion proof of over 63 hashes");
    const auto h = FromBase64(*l);
    if (!h || h->size() != 32 || ToBase64(*h) != *l)
      return Malformed("an inclusion proof line is not a 32-byte hash in base64");
    Digest32 d{};
    std::copy(h->begin(), h->end(), d.begin());
    p.path.push_back(d);
  }
  if (text.empty() || text.back() != '\n' || text.size() > kMaxNoteSize)
    return Malformed("a tlog proof's checkpoint is not a note");
  p.checkpoint = std::string(text);
  return p;
}

}  // namespace gavah::tlog
