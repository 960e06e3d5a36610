// The intake server's store: envelopes as ciphertext chunks in one SQLCipher database, an
// append-only log of arrivals, and unfinished uploads kept apart until complete.
// Schema and settings: docs/PROTOCOL.md, "Server store".
#pragma once

#include <sqlite3.h>

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
#include "gavah/crypto/keys.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah::server {

// Where a stored envelope sits in the log. Its receipt is the server's Ed25519 signature over
// these fields; Ed25519 is deterministic, so the signature is made whenever a receipt is asked
// for rather than stored, which keeps signing out of the commit path.
struct LogEntry {
  Digest32 id{};
  uint64_t log_index = 0;
  uint64_t received_hour = 0;
};

struct UploadState {
  bool stored = false;
  uint64_t received = 0;  // bytes held of an unfinished upload
  uint64_t total_size = 0;
  uint64_t touched_hour = 0;  // of an unfinished upload
};

// Thread-safe: every method takes the store's mutex (SQLite serialises writers anyway, and the
// server's throughput is bounded by fsync, not by this lock).
class EnvelopeStore {
 public:
  // Opens (creating with `create`) the database at `path` keyed with the raw 32-byte `key`.
  // A key that does not match the database is kInvalidArgument "database key does not match".
  //
  // `unordered` is for a relay's queue: rows get random rowids and log indexes instead of
  // increasing ones, so the database file does not keep the order in which envelopes arrived.
  static Result<std::unique_ptr<EnvelopeStore>> Open(const std::string& path,
                                                     const SecretBuffer& key, bool create,
                                                     bool unordered = false);
  ~EnvelopeStore();

  Result<UploadState> State(const Digest32& id);
  Result<std::optional<LogEntry>> FindEntry(const Digest32& id);

  // Starts an upload, or continues one at `offset` (which must equal what is held).
  // kAlreadyExists when the envelope is stored; kInvalidArgument when offset or size disagree.
  // A new upload is refused with kTooLarge when its size could not fit `quota_bytes` now, or
  // when there are `max_uploads` unfinished uploads (0: no limit). Nothing is reserved for the
  // size it announces: only appended bytes count, against the quota and against the unfinished
  // uploads' own budget (AppendChunk).
  // `exclusive` (an import from a file) refuses with kAlreadyExists when any upload of the
  // envelope exists, so two writers never interleave chunks.
  Status BeginUpload(const Digest32& id, uint64_t total_size, uint64_t offset, uint64_t hour,
                     uint64_t quota_bytes = 0, uint64_t max_uploads = 0, bool exclusive = false);
  // Appends the next bytes of an upload and commits them (synchronous=FULL). kTooLarge when they
  // would take the store past `quota_bytes` or the bytes held by all unfinished uploads past
  // `max_unfinished_bytes` (0: no limit), checked under the lock so streams cannot overshoot.
  Status AppendChunk(const Digest32& id, std::span<const uint8_t> data, uint64_t hour,
                     uint64_t quota_bytes = 0, uint64_t max_unfinished_bytes = 0);
  // Reads back the bytes held for an unfinished upload, in order (to re-hash on resume).
  Status ReadUpload(const Digest32& id,
                    const std::function<Status(std::span<const uint8_t>)>& each);
  // Makes a complete upload an envelope with the next log index and the coarse hour, in one
  // transaction, so the envelope is visible and acknowledged only once durable.
  Result<LogEntry> Complete(const Digest32& id, uint64_t hour);
  // Stores whole envelopes that arrived in one message, all in one transaction (one fsync for
  // the batch). Each gets the next log index, or its existing entry if already stored, or
  // nullopt if storing it would take the store past `quota_bytes` (0: no quota). The caller has
  // checked every id against its bytes.
  struct WholeEnvelope {
    Digest32 id{};
    std::span<const uint8_t> bytes;
  };
  Result<std::vector<std::optional<LogEntry>>> StoreWhole(std::span<const WholeEnvelope> batch,
                                                          uint64_t hour, uint64_t quota_bytes = 0);

  // Deletes an unfinished upload and its chunks.
  Status DropUpload(const Digest32& id);
  // Deletes every unfinished upload last touched before `cutoff_hour`; returns how many.
  Result<uint64_t> DropStaleUploads(uint64_t cutoff_hour);

  // Reply mailboxes. A mailbox holds at most kMaxRepliesPerMailbox sealed replies, each at
  // most kMaxSealedReply bytes; PostReply answers the reply's seq in its mailbox.
  static constexpr size_t kMaxSealedReply = 64 * 1024;
  static constexpr uint64_t kMaxRepliesPerMailbox = 256;
  // Replies and shares count against `quota_bytes` (0: none) like envelopes, so no review key
  // can fill the disk that intake needs.
  Result<uint64_t> PostReply(const Digest32& mailbox, std::span<const uint8_t> sealed,
                             uint64_t hour, uint64_t quota_bytes = 0);
  struct StoredReply {
    uint64_t seq = 0;
    std::vector<uint8_t> sealed;
  };
  // Up to `limit` replies with seq >= `after`, in order; *more says whether others follow.
  Result<std::vector<StoredReply>> FetchReplies(const Digest32& mailbox, uint64_t after,
                                                size_t limit, bool* more);

  // Stored envelopes with log_index >= `after`, in log order, at most `limit`.
  struct Listed {
    LogEntry entry;
    uint64_t size = 0;
    bool deleted = false;
    std::vector<std::vector<uint8_t>> statements;  // deletion statements, when deleted
  };
  Result<std::vector<Listed>> List(uint64_t after, size_t limit, bool* more);

  // Key shares investigators leave for each other (fingerprints of 16 bytes; sealed at most
  // kMaxSealedShare bytes). A recipient holds at most kMaxSharesPerRecipient.
  static constexpr size_t kMaxSealedShare = 4096;
  static constexpr uint64_t kMaxSharesPerRecipient = 100000;
  Status PostShare(std::span<const uint8_t> from, std::span<const uint8_t> to,
                   std::span<const uint8_t> sealed, uint64_t hour, uint64_t quota_bytes = 0);
  struct StoredShare {
    uint64_t seq = 0;
    std::vector<uint8_t> from;
    std::vector<uint8_t> sealed;
  };
  Result<std::vector<StoredShare>> FetchShares(std::span<const uint8_t> to, uint64_t after,
                                               size_t limit, bool* more);

  // Records `investigator`'s signed agreement (`statement`, checked by the caller) to delete
  // envelope `id`'s bytes; once `threshold` distinct investigators agree, deletes them in the
  // same transaction (the log entry and the statements stay). kInvalidArgument for an envelope
  // that is not stored. Answers the marks so far.
  struct DeletionState {
    uint64_t marks = 0;
    bool deleted = false;
  };
  // Only statements by the investigators in `current` (the served bundle's) count.
  Result<DeletionState> MarkForDeletion(const Digest32& id, std::span<const uint8_t> investigator,
                                        std::span<const uint8_t> statement,
                                        std::span<const Fingerprint> current, uint64_t threshold,
                                        uint64_t hour);
  // The same for many envelopes in one transaction: every mark is recorded, or none (then
  // kInvalidArgument names the first envelope not stored by its place in `marks`, kTooLarge
  // when more than one mark covers over kMaxPurgeBytes).
  static constexpr uint64_t kMaxPurgeBytes = uint64_t{1} << 30;
  struct DeletionMark {
    Digest32 id{};
    std::span<const uint8_t> statement;
  };
  Result<std::vector<DeletionState>> MarkManyForDeletion(std::span<const DeletionMark> marks,
                                                         std::span<const uint8_t> investigator,
                                                         std::span<const Fingerprint> current,
                                                         uint64_t threshold, uint64_t hour);
  Result<bool> IsDeleted(const Digest32& id);

  // The log index the next stored envelope gets (MAX + 1; random when unordered).
  Result<uint64_t> NextLogIndex();
  // Bytes of envelopes received in each hour since `since_hour` (deleted ones included: they
  // were taken in their window): what the intake's storage window counts after a restart.
  Result<std::vector<std::pair<uint64_t, uint64_t>>> StoredPerHour(uint64_t since_hour);
  // A durable commit that changes nothing (rewrites the schema version): what cover waits for
  // when no real envelope is being committed. Answers NextLogIndex().
  Result<uint64_t> Touch();

  // Another connection (a relay's book) deleted `bytes` of stored envelopes: counts them out of
  // the quota.
  void Released(uint64_t bytes);

  // The review audit trail: which investigator made which call, at the hour.
  Status Audit(std::span<const uint8_t> investigator, std::string_view call, uint64_t hour);
  struct AuditEntry {
    std::vector<uint8_t> investigator;
    std::string call;
    uint64_t hour = 0;
  };
  Result<std::vector<AuditEntry>> AuditTrail();

  // Bytes of stored envelopes, replies and shares plus the bytes unfinished uploads hold: what the
  // quota counts. Kept in memory from commit to commit, so checking it costs no table scan.
  Result<uint64_t> BytesUsed();
  // ---- The transparency log (docs/PROTOCOL.md 12.7). Off unless set_logged(true) (a server;
  // never a relay): then every stored envelope and every new deletion statement is queued, in
  // the transaction that stores it, for the next batch.
  void set_logged(bool logged) { logged_ = logged; }
  // Queues stored envelopes that are neither in the log nor waiting for it (a store from before
  // the log); answers how many.
  Result<uint64_t> QueueUnlogged();
  // Moves up to `limit` waiting entries, in random order, into the log from `first_index` (which
  // must be the log's size) in one transaction; answers them in their new order.
  Result<std::vector<std::vector<uint8_t>>> IntegratePending(uint64_t first_index, size_t limit);
  // The log's entries with begin <= index < end, in order.
  Status ReadLog(uint64_t begin, uint64_t end,
                 const std::function<Status(uint64_t index, std::span<const uint8_t>)>& each);
  Result<std::optional<uint64_t>> LogIndexOf(const Digest32& id);
  // The log's signed state by name (checkpoints, witnesses' sizes), kept durably.
  Result<std::optional<std::string>> LogState(const std::string& key);
  Status SetLogState(const std::string& key, std::string_view value);
  // Stored envelopes in the log with index >= `after`, in log order (entry.log_index is the
  // index in the log), at most `limit`.
  Result<std::vector<Listed>> ListLogged(uint64_t after, size_t limit, bool* more);
  // Stored envelopes not in the log yet, in id order after `after` (nullopt: from the first).
  Result<std::vector<Listed>> ListUnlogged(const std::optional<Digest32>& after, size_t limit,
                                           bool* more);

  // For tests and the investigator service: the envelope's bytes in order.
  Status ReadEnvelope(const Digest32& id,
                      const std::function<Status(std::span<const uint8_t>)>& each);

 private:
  explicit EnvelopeStore(sqlite3* db, bool unordered);
  // Binds a fresh random rowid (unordered) or NULL (SQLite assigns the next) at `i`.
  void BindRowId(sqlite3_stmt* s, int i) const;
  // The log index for the next new envelope: MAX + 1, or random when unordered.
  Result<uint64_t> NextIndex();
  Status Exec(const char* sql);
  // REQUIRES: mu_ is held. `stmt` is this file's statement type, stepping listing rows.
  Result<std::vector<Listed>> CollectListed(void* stmt, size_t limit, bool* more);
  // Queues a log entry when logged_. REQUIRES: mu_ is held, in a transaction.
  Status QueueEntry(const Digest32& id, std::span<const uint8_t> entry);
  // REQUIRES: mu_ is held.
  Result<std::optional<LogEntry>> LookupEntry(const Digest32& id);
  std::mutex mu_;
  sqlite3* db_;
  // Prepared statements kept for reuse (preparing them anew was a tenth of the server's work
  // per small submission). Guarded by mu_.
  std::unique_ptr<class StatementCache> stmts_;
  uint64_t used_bytes_ = 0;        // guarded by mu_; changed only after a commit succeeded
  uint64_t unfinished_bytes_ = 0;  // guarded by mu_: bytes appended to unfinished uploads
  const bool unordered_;
  bool logged_ = false;
};

}  // namespace gavah::server
