// The intake's transparency log in the formats Certificate Transparency, Go's checksum database
// and Sigstore share, so that their tools and witnesses can check it too:
//
//   - the Merkle tree of RFC 6962 (2.1), with inclusion and consistency proofs verified as
//     RFC 9162 (2.1.3.2, 2.1.4.2) says;
//   - c2sp.org/signed-note with Ed25519 keys, and c2sp.org/tlog-checkpoint;
//   - the tile and entry-bundle paths and bundle encoding of c2sp.org/tlog-tiles.
//
// PROTOCOL.md section 12 gives every byte; tests/crypto/tlog_test.cc reproduces the specs' and
// their reference implementations' examples byte for byte.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gavah/crypto/digest.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah::tlog {

// ---- Merkle tree (RFC 6962 2.1) ----

// SHA-256(0x00 || entry).
Digest32 LeafHash(std::span<const uint8_t> entry);
// SHA-256(0x01 || left || right).
Digest32 NodeHash(const Digest32& left, const Digest32& right);
// MTH over the leaf hashes; SHA-256 of nothing for an empty tree.
Digest32 RootOf(std::span<const Digest32> leaves);
// PATH(index, D[n]) over n = leaves.size() leaf hashes, the leaf's sibling first.
Result<std::vector<Digest32>> InclusionProof(std::span<const Digest32> leaves, uint64_t index);
// PROOF(m, D[n]) for 0 < m <= n.
Result<std::vector<Digest32>> ConsistencyProof(std::span<const Digest32> leaves, uint64_t m);

// RFC 9162 2.1.3.2. kTampered when the proof does not lead to `root`, kMalformed when it cannot
// (an index outside the tree, a proof of the wrong length).
Status VerifyInclusion(uint64_t index, uint64_t size, const Digest32& leaf,
                       std::span<const Digest32> proof, const Digest32& root);
// RFC 9162 2.1.4.2 for 0 < old_size < new_size; equal sizes are consistent exactly when the
// proof is empty and the roots are equal. A consistency proof from the empty tree means nothing
// and is refused here; a witness accepts "old 0" with an empty proof by itself.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Digest32& old_root,
                         const Digest32& new_root, std::span<const Digest32> proof);

// ---- Signed notes (c2sp.org/signed-note) with Ed25519 (signature type 0x01) ----

inline constexpr uint8_t kEd25519Type = 0x01;
// c2sp.org/tlog-cosignature v1: a witness's timestamped Ed25519 signature of a checkpoint.
inline constexpr uint8_t kCosignatureType = 0x04;
inline constexpr size_t kMaxNoteSignatures = 100;
inline constexpr size_t kMaxNoteSize = 1 << 20;

// A key name: non-empty, UTF-8, no Unicode space, no '+' (and no C0 control, as in any note).
bool IsValidKeyName(std::string_view name);
// SHA-256(name || 0x0A || type || public key)[:4], big-endian.
uint32_t KeyId(std::string_view name, uint8_t type, std::span<const uint8_t> public_key);

struct VerifierKey {
  std::string name;
  uint32_t id = 0;
  std::array<uint8_t, 32> public_key{};
  uint8_t type = kEd25519Type;  // or kCosignatureType: a witness's key
};
// "<name>+<8 lower-case hex digits of the key ID>+<base64(type || public key)>".
std::string FormatVerifierKey(const VerifierKey& key);
// Strict: a valid name, the key ID the key hashes to, type 0x01 or 0x04, a 32-byte key.
Result<VerifierKey> ParseVerifierKey(std::string_view text);
VerifierKey MakeVerifierKey(std::string_view name, std::span<const uint8_t, 32> public_key,
                            uint8_t type = kEd25519Type);

// An Ed25519 signing key for notes: the name it signs as and its 64-byte libsodium secret key.
struct NoteSigner {
  std::string name;
  SecretBuffer secret_key;  // crypto_sign_SECRETKEYBYTES
  VerifierKey verifier(uint8_t type = kEd25519Type) const;
};

// `text` (UTF-8, ending in a newline, no control character but newline) followed by a blank
// line and one signature line per signer, in order.
Result<std::string> SignNote(std::string_view text, std::span<const NoteSigner* const> signers);

struct OpenedNote {
  struct Verified {
    std::string name;
    uint8_t type = kEd25519Type;  // kCosignatureType: a witness's cosignature
    uint64_t timestamp = 0;       // a cosignature's time; 0 for a signature
  };
  std::string text;
  std::vector<Verified> verified;  // the known keys whose signature verified, in note order
};
// Opens a note as c2sp.org/signed-note says: signatures by keys not in `known` are ignored; a
// known key's signature must verify (kBadSignature names it); at least one must (else
// kUntrustedSigner). The text is returned only then. A known key of kCosignatureType verifies
// a cosignature (c2sp.org/tlog-cosignature v1) over the text, which must be a checkpoint.
Result<OpenedNote> OpenNote(std::string_view note, std::span<const VerifierKey> known);

// "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint's text: what a witness signs.
std::string CosignatureMessage(uint64_t timestamp, std::string_view checkpoint_text);
// The signature line a witness adds to a checkpoint note: key id (with type 0x04), the
// timestamp as a big-endian u64 (at most 2^63 - 1), then the Ed25519 signature.
Result<std::string> CosignatureLine(const NoteSigner& witness, uint64_t timestamp,
                                    std::string_view checkpoint_text);

// ---- Checkpoints (c2sp.org/tlog-checkpoint) ----

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Digest32 root{};
  std::vector<std::string> extensions;  // opaque lines after the root, each non-empty
};
std::string FormatCheckpoint(const Checkpoint& c);
// Strict: a non-empty origin, a canonical decimal size, a 32-byte root in canonical base64.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

// ---- Witnessing (c2sp.org/tlog-witness, add-checkpoint) ----

inline constexpr size_t kMaxWitnessProof = 63;

// The body of an add-checkpoint request: "old <size>", the consistency proof one base64 hash a
// line, an empty line, then the checkpoint note.
struct AddCheckpoint {
  uint64_t old_size = 0;
  std::vector<Digest32> proof;
  std::string note;
};
std::string FormatAddCheckpoint(const AddCheckpoint& request);
Result<AddCheckpoint> ParseAddCheckpoint(std::string_view body);

// A log a witness vouches for: its origin and the keys that sign its checkpoints.
struct WitnessedLog {
  std::string origin;
  std::vector<VerifierKey> keys;
};
// What a witness keeps per origin: the last checkpoint it cosigned.
struct WitnessedCheckpoint {
  uint64_t size = 0;
  Digest32 root{};
  std::string note;
};
struct WitnessAnswer {
  int http_status = 0;  // 200, or the spec's 400, 403, 404, 409, 422
  std::string body;     // the cosignature line, the size for a 409, or what was wrong
  std::optional<WitnessedCheckpoint> cosigned;  // to keep (durably, before answering) on 200
};
// Decides an add-checkpoint as c2sp.org/tlog-witness says: it cosigns only a checkpoint signed
// by the log's key that consistently extends `last` (the one it cosigned before for that
// origin; nullopt: none). Only the log's keys of kEd25519Type count. The caller must make this
// decision and keeping `cosigned` one atomic step per origin, or two requests could roll the log
// back.
WitnessAnswer DecideAddCheckpoint(const AddCheckpoint& request, std::span<const WitnessedLog> logs,
                                  const std::optional<WitnessedCheckpoint>& last,
                                  const NoteSigner& witness, uint64_t now);
// The origin an add-checkpoint request names (its checkpoint's first line), to find `last`.
Result<std::string> AddCheckpointOrigin(const AddCheckpoint& request);

// ---- Tiles (c2sp.org/tlog-tiles) ----

inline constexpr unsigned kTileWidth = 256;
inline constexpr size_t kMaxEntrySize = 65535;

// "tile/<L>/<N>[.p/<W>]": N in three-digit groups, all but the last prefixed with 'x'; W only
// for a partial tile (1..255; 256 is a full tile).
std::string TilePath(unsigned level, uint64_t index, unsigned width = kTileWidth);
// "tile/entries/<N>[.p/<W>]".
std::string EntriesPath(uint64_t index, unsigned width = kTileWidth);

struct TileRef {
  bool entries = false;
  unsigned level = 0;  // 0..63 (0 for entries)
  uint64_t index = 0;
  unsigned width = kTileWidth;
};
// The inverse of TilePath and EntriesPath: only the canonical spelling is accepted.
Result<TileRef> ParseTilePath(std::string_view path);

// The tiles a tree of `size` entries has, level by level (a partial tile where the level's width
// is not a multiple of 256; no empty tile); entry bundles are level 0's.
inline constexpr uint64_t kMaxListedTree = uint64_t{1} << 32;
Result<std::vector<TileRef>> TilesOfTree(uint64_t size);
// Tile `index` of `level`: hash i is the root of entries (index*256 + i) * 256^level up to
// (index*256 + i + 1) * 256^level, for the first `width` i, computed from the leaf hashes
// (levels 0 to 3: a reference for tests and for rebuilding a log's tiles from its leaves).
Result<std::vector<uint8_t>> TileContents(std::span<const Digest32> leaves, unsigned level,
                                          uint64_t index, unsigned width);

// Entry bundle: each entry as a big-endian uint16 length and its bytes.
Result<std::vector<uint8_t>> EncodeEntryBundle(std::span<const std::vector<uint8_t>> entries);
Result<std::vector<std::vector<uint8_t>>> ParseEntryBundle(std::span<const uint8_t> bundle);

// ---- A tree that grows (what a log serves its proofs and tiles from) ----

// Keeps every leaf hash and, for each tile level k >= 1, the hash of every complete subtree of
// 256^k entries: 32 bytes an entry and a 255th more, so that any subtree's hash costs at most a
// few hundred hashes however large the tree.
class MerkleTree {
 public:
  void Append(const Digest32& leaf);
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  const Digest32& leaf(uint64_t i) const { return levels_[0][i]; }
  // MTH(D[0:n]) for n <= size().
  Result<Digest32> Root(uint64_t n) const;
  // PATH(index, D[0:n]) for index < n <= size().
  Result<std::vector<Digest32>> InclusionProof(uint64_t index, uint64_t n) const;
  // PROOF(m, D[0:n]) for 0 < m <= n <= size().
  Result<std::vector<Digest32>> ConsistencyProof(uint64_t m, uint64_t n) const;
  // Tile `index` of `level` with `width` hashes, as tlog-tiles defines it; refused when the
  // tree does not have it yet (kInvalidArgument). A tile never changes once the tree has it.
  Result<std::vector<uint8_t>> Tile(unsigned level, uint64_t index, unsigned width) const;

 private:
  Digest32 RangeHash(uint64_t begin, uint64_t end) const;
  void Path(uint64_t begin, uint64_t end, uint64_t m, std::vector<Digest32>& out) const;
  void Subproof(uint64_t begin, uint64_t end, uint64_t m, bool complete,
                std::vector<Digest32>& out) const;
  std::vector<std::vector<Digest32>> levels_;  // levels_[k][i]: entries i*256^k to (i+1)*256^k
};

// ---- Proofs (c2sp.org/tlog-proof) ----

struct TlogProof {
  std::optional<std::vector<uint8_t>> extra;  // unauthenticated; Gavah writes none
  uint64_t index = 0;
  std::vector<Digest32> path;  // the inclusion proof, the leaf's sibling first
  std::string checkpoint;      // the checkpoint note, with its signatures
};
// "c2sp.org/tlog-proof@v1\n[extra <base64>\n]index <N>\n<hash>\n...\n\n<checkpoint>".
std::string FormatTlogProof(const TlogProof& proof);
// Strict: the spec's order, canonical decimals and base64, at most 63 hashes, a note that ends
// in a newline, at most kMaxNoteSize bytes. The caller verifies the note and the path.
Result<TlogProof> ParseTlogProof(std::string_view text);

}  // namespace gavah::tlog
