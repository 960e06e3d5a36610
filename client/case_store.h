// The investigator's case store: a SQLCipher database keyed from the investigator's passphrase
// with Argon2id, holding synced envelopes (ciphertext), their receipts, review state and the
// chain of custody. Everything after `sync` works from it offline. Format: docs/PROTOCOL.md,
// "Case store".
#pragma once

#include <sqlite3.h>

#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gavah/crypto/digest.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah::cli {

// The log index of an envelope synced before the server's log held it (PROTOCOL.md 12.10).
inline constexpr uint64_t kNotLogged = uint64_t{INT64_MAX};

struct CaseEnvelope;
// The receipt's include_by and signature as a case store keeps them (72 bytes), and back.
std::vector<uint8_t> PackReceipt(const Receipt& r);
std::optional<Receipt> UnpackReceipt(const CaseEnvelope& e);

struct CaseEnvelope {
  Digest32 id{};
  uint64_t log_index = 0;
  uint64_t received_hour = 0;
  uint64_t size = 0;
  // The witness's receipt as sync verified it (PackReceipt: u64 include_by || signature).
  std::vector<uint8_t> receipt_signature;
  std::string state;  // new, opened, annotated, replied, exported, tampered
};

struct CustodyEvent {
  uint64_t at = 0;           // Unix time, to the second: the investigator's own record
  std::string investigator;  // fingerprint text
  std::string event;         // synced, opened, annotated, replied, exported, ...
};

class CaseStore {
 public:
  // Makes SQLite wipe every block it frees (its page cache holds decrypted pages). Called by
  // Open(); true once installed, false when SQLite was already in use in this process.
  static bool InstallWipingAllocator();
  // Opens `path`, creating it when absent. A file that the passphrase does not open is
  // kWrongPassphrase and is left as it was; nothing new is created in its place.
  static Result<std::unique_ptr<CaseStore>> Open(const std::string& path,
                                                 std::span<const uint8_t> passphrase);
  ~CaseStore();

  // The next log index to ask the server for.
  Result<uint64_t> SyncCursor();
  // Bytes held of an envelope being fetched (0 if none).
  Result<uint64_t> PartialBytes(const Digest32& id);
  // Appends fetched bytes of `id` and commits them (a sync cut here resumes from them).
  Status AppendPartial(const Digest32& id, std::span<const uint8_t> data);
  // Reads the bytes of a stored or partial envelope in order.
  Status ReadBytes(const Digest32& id, const std::function<Status(std::span<const uint8_t>)>& each);
  // Records an envelope as synced (its bytes checked by the caller) or as tampered (its bytes
  // dropped), with a custody event, and moves the cursor past it; one transaction.
  Status Finish(const CaseEnvelope& e, bool tampered, const std::string& investigator,
                uint64_t now);
  // Records a listed envelope whose bytes this store does not hold, in `state` ("deleted": by k
  // signed agreements; "withheld": the server claims a deletion it cannot show), with `event` in
  // its custody, and moves the sync cursor past it like Finish.
  Status FinishWithoutBytes(const CaseEnvelope& e, const std::string& state,
                            const std::string& event, const std::string& investigator,
                            uint64_t now);
  // Envelopes fetched whole into memory and checked by the caller, recorded as Finish records
  // one, all in one transaction (a sync of thousands then commits tens of times, not
  // thousands).
  struct WholeEnvelope {
    CaseEnvelope envelope;
    std::vector<uint8_t> bytes;
  };
  Status FinishWhole(std::span<const WholeEnvelope> batch, const std::string& investigator,
                     uint64_t now);
  // Reads chunk `seq` of an envelope's bytes into *out; false past the last.
  Result<bool> ReadChunk(const Digest32& id, uint64_t seq, std::vector<uint8_t>* out);

  // Released shares as they came from the server (still sealed), and the server's cursor.
  Result<uint64_t> SharesCursor();
  Status AddShare(uint64_t server_seq, std::span<const uint8_t> sealed);
  Result<std::vector<std::vector<uint8_t>>> Shares();
  // A released share shown not to fit its envelope is kept as an empty place, so it is never
  // combined again (and the sync cursor stays where it is).
  Status SetAsideShare(std::span<const uint8_t> sealed);

  // Named values kept encrypted in the store: "bundle" (the last sync's), "owner" (the
  // fingerprint of the investigator who syncs it), "reply:<id hex>" (a witness's reply key).
  // The server's transparency log as sync checked it (PROTOCOL.md 12.10): its entries and
  // the checkpoint they lead to (Blob("log_checkpoint")).
  Result<uint64_t> LogSize();
  // Records where the log holds an envelope synced before it, and moves the cursor past it.
  Status SetLogIndex(const Digest32& id, uint64_t index);
  Status ReadLog(const std::function<Status(uint64_t index, std::span<const uint8_t>)>& each);
  // Appends entries from `first` (the log's size here) and keeps `checkpoint`, in one step.
  Status ExtendLog(uint64_t first, std::span<const std::vector<uint8_t>> entries,
                   std::string_view checkpoint);
  Status SetBlob(const std::string& key, std::span<const uint8_t> value);
  Result<std::vector<uint8_t>> Blob(const std::string& key);  // empty if absent
  Result<SecretBuffer> SecretBlob(const std::string& key);    // for testimony-derived values
  Status SetBundle(std::span<const uint8_t> bundle) { return SetBlob("bundle", bundle); }
  Result<std::vector<uint8_t>> Bundle() { return Blob("bundle"); }

  // Annotations: kind "note" or "tag".
  struct Annotation {
    uint64_t at = 0;
    std::string kind;
    SecretBuffer text;
  };
  Status Annotate(const Digest32& id, const std::string& kind, std::span<const uint8_t> text,
                  const std::string& investigator, uint64_t now);
  Result<std::vector<Annotation>> Annotations(const Digest32& id);

  // Adds a custody event and, when `state` is not empty, sets the review state.
  Status Record(const Digest32& id, const std::string& investigator, const std::string& event,
                const std::string& state, uint64_t now);

  // Drops the bytes held for `id` (a damaged fetch), keeping its row and custody.
  Status DropBytes(const Digest32& id);
  Result<std::vector<CaseEnvelope>> List();
  Result<std::optional<CaseEnvelope>> Find(const Digest32& id);
  Result<std::vector<CustodyEvent>> Custody(const Digest32& id);

  // ---- Reading and search (PROTOCOL.md 10b)

  // A testimony opened for reading: what the case list shows of it and what search finds.
  struct Reading {
    Digest32 id{};
    std::string language;                // as the witness's record gives it ("": not given)
    std::optional<std::string> consent;  // tokens, comma-separated; none: not asked
    uint64_t text_size = 0, attachments = 0;
    SecretBuffer folded;              // FoldForSearch of the text, place, time and file names
    SecretBuffer files;               // "<size> <name>\n" per attachment
    std::vector<uint8_t> reply_keys;  // X25519 key, then the X-Wing key when given; or none
  };
  // Makes a batch of opened testimonies searchable, records `event` in each one's custody and
  // moves new ones to "opened"; one transaction, so a batch is indexed whole or not at all.
  Status Index(std::span<const Reading> batch, const std::string& investigator,
               const std::string& event, uint64_t now);
  Result<bool> Indexed(const Digest32& id);
  // Records that the shares at hand do not open `id` yet: `held` of `threshold`, from the
  // colleagues `released_by` (fingerprints, comma-separated).
  Status SetWaiting(const Digest32& id, uint64_t threshold, uint64_t held,
                    const std::string& released_by);

  struct Row {
    CaseEnvelope envelope;
    bool indexed = false;
    std::string language;
    std::optional<std::string> consent;
    uint64_t attachments = 0;
    uint64_t threshold = 0, held = 0;  // threshold 0: not known to wait for shares
    std::string released_by;
    SecretBuffer tags;  // separated by U+001F
  };
  // Empty members match everything; `text` as typed (folded here with FoldForSearch), each
  // word the beginning of a word.
  struct RowFilter {
    std::string state;
    SecretBuffer tag;
    uint64_t from_hour = 0, to_hour = UINT64_MAX;
    SecretBuffer text;
  };
  // Newest first.
  Result<std::vector<Row>> Rows(const RowFilter& filter);

 private:
  // One listed envelope recorded: its row in `state`, `event` in its custody, the cursor past it.
  Status Conclude(const CaseEnvelope& e, const std::string& state, const std::string& event,
                  bool drop_bytes, const std::string& investigator, uint64_t now);
  explicit CaseStore(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  // Every method is one step with its own transaction; the desk calls them from its window and
  // from the thread that syncs, and one step must never fall inside another's transaction.
  std::recursive_mutex mu_;
};

}  // namespace gavah::cli
