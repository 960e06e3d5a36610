#include "envelope_store.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "gavah/crypto/intake_log.h"
#include "sqlite_stmt.h"

namespace gavah::server {
namespace {

constexpr int kSchemaVersion = 1;

}  // namespace

class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  ~StatementCache() {
    for (auto& [sql, s] : idle_) sqlite3_finalize(s);
  }
  // A statement for `sql`, which must be a string literal (the cache is keyed by its address).
  sqlite3_stmt* Take(const char* sql) {
    const auto it = idle_.find(sql);
    if (it != idle_.end()) {
      sqlite3_stmt* s = it->second;
      idle_.erase(it);
      return s;
    }
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) {
      sqlite3_finalize(s);
      return nullptr;
    }
    return s;
  }
  void Give(const char* sql, sqlite3_stmt* s) {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (!idle_.emplace(sql, s).second) sqlite3_finalize(s);  // a second one in use at once
  }

 private:
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> idle_;
};

namespace {

// A statement borrowed from the cache for one use; a statement that failed to prepare makes
// every Step() an error.
class Stmt {
 public:
  Stmt(StatementCache& cache, const char* sql) : cache_(cache), sql_(sql), s_(cache.Take(sql)) {}
  ~Stmt() {
    if (s_) cache_.Give(sql_, s_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return s_ != nullptr; }
  Stmt& Bind(int i, std::span<const uint8_t> b) {
    sqlite3_bind_blob(s_, i, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindText(int i, std::string_view t) {
    sqlite3_bind_text(s_, i, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, uint64_t v) {
    // Past INT64_MAX it would turn negative and match from the start; NULL matches nothing.
    // The services range-check network values first (sql::kMaxSqlInteger).
    if (v > sql::kMaxSqlInteger) {
      sqlite3_bind_null(s_, i);
      return *this;
    }
    sqlite3_bind_int64(s_, i, static_cast<sqlite3_int64>(v));
    return *this;
  }
  // A rowid: random and positive for an unordered store, else NULL so SQLite picks the next.
  Stmt& BindRowId(int i, bool random) {
    if (random) {
      uint64_t v = 0;
      randombytes_buf(&v, sizeof v);
      sqlite3_bind_int64(s_, i, static_cast<sqlite3_int64>((v >> 2) + 1));
    } else {
      sqlite3_bind_null(s_, i);
    }
    return *this;
  }
  int Step() { return s_ ? sqlite3_step(s_) : SQLITE_ERROR; }
  uint64_t U64(int col) { return static_cast<uint64_t>(sqlite3_column_int64(s_, col)); }
  std::span<const uint8_t> Blob(int col) {
    return {static_cast<const uint8_t*>(sqlite3_column_blob(s_, col)),
            static_cast<size_t>(sqlite3_column_bytes(s_, col))};
  }

 private:
  StatementCache& cache_;
  const char* sql_;
  sqlite3_stmt* s_;
};

Status DbError(sqlite3* db, const char* what) {
  const int rc = sqlite3_errcode(db);
  if (rc == SQLITE_FULL) return Error(ErrorCode::kTooLarge, "server storage is full");
  return Error(ErrorCode::kIo, std::string(what) + ": " + sqlite3_errmsg(db));
}

// Holds a write transaction; rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {
    ok_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~Transaction() {
    if (ok_ && !done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  bool ok() const { return ok_; }
  Status Commit() {
    done_ = true;
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Status st = DbError(db_, "commit");
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return st;
    }
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  bool ok_ = false;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<EnvelopeStore>> EnvelopeStore::Open(const std::string& path,
                                                           const SecretBuffer& key, bool create,
                                                           bool unordered) {
  if (key.size() != 32) return Error(ErrorCode::kInvalidArgument, "database key must be 32 bytes");
  sqlite3* db = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Error(ErrorCode::kIo, "cannot open the database " + path + ": " + msg);
  }
  std::unique_ptr<EnvelopeStore> store(new EnvelopeStore(db, unordered));
  // 4 KiB pages: a quarter of the per-page encryption and HMAC work of SQLCipher 3's 1 KiB
  // default when storing megabytes of chunks. Must be the same on every open.
  if (!sql::KeyRaw(db, key)) return Error(ErrorCode::kIo, "cannot key the database");
  if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) !=
      SQLITE_OK) {
    return Error(ErrorCode::kInvalidArgument, "database key does not match " + path);
  }
  GAVAH_RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  GAVAH_RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=FULL"));
  // Checkpoint every 16 MiB of WAL rather than every 1,000 pages.
  GAVAH_RETURN_IF_ERROR(store->Exec("PRAGMA wal_autocheckpoint=4096"));
  GAVAH_RETURN_IF_ERROR(store->Exec("PRAGMA foreign_keys=ON"));
  // Deleted bytes are overwritten, not left in free pages (Debian builds SQLCipher with
  // SQLITE_SECURE_DELETE; said here so that no other build differs): a deletion the investigators
  // agreed to, an abandoned upload, a relay's forwarded envelope must not be recoverable from the
  // file.
  GAVAH_RETURN_IF_ERROR(store->Exec("PRAGMA secure_delete=ON"));
  sql::WaitWhenBusy(db, 10000);
  GAVAH_RETURN_IF_ERROR(store->Exec(
      "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS envelopes(id BLOB PRIMARY KEY, size INTEGER NOT NULL,"
      "  log_index INTEGER NOT NULL UNIQUE, received_hour INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS uploads(id BLOB PRIMARY KEY, size INTEGER NOT NULL,"
      "  received INTEGER NOT NULL, next_seq INTEGER NOT NULL, touched_hour INTEGER NOT NULL);"
      // A rowid table: SQLCipher re-encrypts a WITHOUT ROWID table's megabyte rows several times
      // over as the b-tree balances, which cut chunk appends to a third (docs/BENCHMARKS.md).
      "CREATE TABLE IF NOT EXISTS chunks(owner BLOB NOT NULL, seq INTEGER NOT NULL, data BLOB NOT "
      "NULL,"
      "  UNIQUE(owner, seq));"
      "CREATE TABLE IF NOT EXISTS replies(mailbox BLOB NOT NULL, seq INTEGER NOT NULL,"
      "  posted_hour INTEGER NOT NULL, sealed BLOB NOT NULL, PRIMARY KEY(mailbox, seq))"
      "  WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS shares(seq INTEGER PRIMARY KEY, recipient BLOB NOT NULL,"
      "  sender BLOB NOT NULL, posted_hour INTEGER NOT NULL, sealed BLOB NOT NULL);"
      "CREATE INDEX IF NOT EXISTS shares_by_recipient ON shares(recipient, seq);"
      "CREATE TABLE IF NOT EXISTS deletion_marks(envelope BLOB NOT NULL, investigator BLOB NOT "
      "NULL,"
      "  hour INTEGER NOT NULL, UNIQUE(envelope, investigator));"
      "CREATE TABLE IF NOT EXISTS deletions(envelope BLOB PRIMARY KEY, hour INTEGER NOT NULL);"
      // Each investigator's signed agreement, shown with the deletion so that clients need not
      // take the server's word for it (deletion_marks, kept from before, counts for nothing).
      "CREATE TABLE IF NOT EXISTS deletion_statements(envelope BLOB NOT NULL,"
      "  investigator BLOB NOT NULL, statement BLOB NOT NULL, hour INTEGER NOT NULL,"
      "  UNIQUE(envelope, investigator));"
      "CREATE TABLE IF NOT EXISTS review_audit(seq INTEGER PRIMARY KEY, investigator BLOB NOT "
      "NULL,"
      "  call TEXT NOT NULL, hour INTEGER NOT NULL);"
      // The transparency log (docs/PROTOCOL.md 12.7): entries waiting for the next batch (random
      // rowids, so the file keeps no arrival order), the log in its order, where each envelope
      // is in it, and the log's signed state (checkpoints, what each witness cosigned).
      "CREATE TABLE IF NOT EXISTS log_pending(envelope BLOB NOT NULL, entry BLOB NOT NULL);"
      "CREATE INDEX IF NOT EXISTS log_pending_by_envelope ON log_pending(envelope);"
      "CREATE TABLE IF NOT EXISTS log_entries(idx INTEGER PRIMARY KEY, entry BLOB NOT NULL);"
      "CREATE TABLE IF NOT EXISTS log_envelopes(id BLOB PRIMARY KEY, idx INTEGER NOT NULL UNIQUE)"
      "  WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS log_state(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
      "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', 1);"));
  Stmt v(*store->stmts_, "SELECT value FROM meta WHERE key='schema_version'");
  if (!v.ok() || v.Step() != SQLITE_ROW || v.U64(0) != kSchemaVersion) {
    return Error(ErrorCode::kUnsupported, "database schema version is not supported by this build");
  }
  Stmt used(*store->stmts_,
            "SELECT COALESCE((SELECT SUM(size) FROM envelopes WHERE id NOT IN (SELECT envelope "
            "FROM deletions)), 0) + COALESCE((SELECT SUM(received) FROM uploads), 0) + "
            "COALESCE((SELECT SUM(length(sealed)) FROM replies), 0) + COALESCE((SELECT "
            "SUM(length(sealed)) FROM shares), 0)");
  if (used.Step() != SQLITE_ROW) return DbError(db, "database");
  store->used_bytes_ = used.U64(0);
  Stmt unfinished(*store->stmts_, "SELECT COALESCE(SUM(received), 0) FROM uploads");
  if (unfinished.Step() != SQLITE_ROW) return DbError(db, "database");
  store->unfinished_bytes_ = unfinished.U64(0);
  return store;
}

EnvelopeStore::EnvelopeStore(sqlite3* db, bool unordered)
    : db_(db), stmts_(new StatementCache(db)), unordered_(unordered) {}

Result<uint64_t> EnvelopeStore::NextIndex() {
  if (unordered_) {
    uint64_t v = 0;
    randombytes_buf(&v, sizeof v);
    return v >> 2;
  }
  Stmt n(*stmts_, "SELECT COALESCE(MAX(log_index) + 1, 0) FROM envelopes");
  if (n.Step() != SQLITE_ROW) return DbError(db_, "log index");
  return n.U64(0);
}

EnvelopeStore::~EnvelopeStore() {
  stmts_.reset();  // statements before the connection
  sqlite3_close(db_);
}

Status EnvelopeStore::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    return DbError(db_, "database");
  return Status::Ok();
}

Result<UploadState> EnvelopeStore::State(const Digest32& id) {
  std::lock_guard<std::mutex> lock(mu_);
  UploadState st;
  Stmt e(*stmts_, "SELECT size FROM envelopes WHERE id=?");
  e.Bind(1, id);
  if (e.Step() == SQLITE_ROW) {
    st.stored = true;
    st.total_size = e.U64(0);
    st.received = st.total_size;
    return st;
  }
  Stmt u(*stmts_, "SELECT size, received, touched_hour FROM uploads WHERE id=?");
  u.Bind(1, id);
  if (u.Step() == SQLITE_ROW) {
    st.total_size = u.U64(0);
    st.received = u.U64(1);
    st.touched_hour = u.U64(2);
  }
  return st;
}

Result<std::optional<LogEntry>> EnvelopeStore::LookupEntry(const Digest32& id) {
  Stmt e(*stmts_, "SELECT log_index, received_hour FROM envelopes WHERE id=?");
  e.Bind(1, id);
  const int rc = e.Step();
  if (rc == SQLITE_DONE) return std::optional<LogEntry>();
  if (rc != SQLITE_ROW) return DbError(db_, "read log entry");
  return std::optional<LogEntry>(LogEntry{id, e.U64(0), e.U64(1)});
}

Result<std::optional<LogEntry>> EnvelopeStore::FindEntry(const Digest32& id) {
  std::lock_guard<std::mutex> lock(mu_);
  return LookupEntry(id);
}

Status EnvelopeStore::BeginUpload(const Digest32& id, uint64_t total_size, uint64_t offset,
                                  uint64_t hour, uint64_t quota_bytes, uint64_t max_uploads,
                                  bool exclusive) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "begin upload");
  Stmt e(*stmts_, "SELECT 1 FROM envelopes WHERE id=?");
  e.Bind(1, id);
  if (e.Step() == SQLITE_ROW) return Error(ErrorCode::kAlreadyExists, "envelope is already stored");
  Stmt u(*stmts_, "SELECT size, received FROM uploads WHERE id=?");
  u.Bind(1, id);
  if (u.Step() == SQLITE_ROW) {
    if (exclusive) return Error(ErrorCode::kAlreadyExists, "an upload of it is in progress");
    if (u.U64(0) != total_size)
      return Error(ErrorCode::kInvalidArgument, "size differs from the upload in progress");
    if (u.U64(1) != offset) {
      return Error(ErrorCode::kInvalidArgument,
                   "upload resumes at " + std::to_string(u.U64(1)) + ", not at the offset given");
    }
    return tx.Commit();
  }
  if (offset != 0) return Error(ErrorCode::kInvalidArgument, "no upload in progress to resume");
  // Nothing is reserved: this only spares a witness an upload that cannot fit now. The quota
  // holds at every append (AppendChunk), so announced sizes cost the server nothing.
  if (quota_bytes != 0 && (total_size > quota_bytes || used_bytes_ > quota_bytes - total_size)) {
    return Error(ErrorCode::kTooLarge, "server storage quota is full");
  }
  if (max_uploads != 0) {
    Stmt q(*stmts_, "SELECT COUNT(*) FROM uploads");
    if (q.Step() != SQLITE_ROW) return DbError(db_, "begin upload");
    if (q.U64(0) >= max_uploads) {
      return Error(ErrorCode::kTooLarge, "too many unfinished uploads; try again later");
    }
  }
  Stmt ins(*stmts_,
           "INSERT INTO uploads(rowid, id, size, received, next_seq, touched_hour) "
           "VALUES(?,?,?,0,0,?)");
  ins.BindRowId(1, unordered_).Bind(2, id).Bind(3, total_size).Bind(4, hour);
  if (ins.Step() != SQLITE_DONE) return DbError(db_, "begin upload");
  return tx.Commit();
}

Status EnvelopeStore::AppendChunk(const Digest32& id, std::span<const uint8_t> data, uint64_t hour,
                                  uint64_t quota_bytes, uint64_t max_unfinished_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (quota_bytes != 0 && used_bytes_ + data.size() > quota_bytes) {
    return Error(ErrorCode::kTooLarge, "server storage quota is full");
  }
  if (max_unfinished_bytes != 0 && unfinished_bytes_ + data.size() > max_unfinished_bytes) {
    return Error(ErrorCode::kTooLarge, "too many unfinished uploads; try again later");
  }
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "append");
  Stmt u(*stmts_, "SELECT size, received, next_seq FROM uploads WHERE id=?");
  u.Bind(1, id);
  if (u.Step() != SQLITE_ROW) return Error(ErrorCode::kInvalidArgument, "no such upload");
  const uint64_t size = u.U64(0), received = u.U64(1), seq = u.U64(2);
  if (data.size() > size - received)
    return Error(ErrorCode::kInvalidArgument, "more data than the size announced");
  Stmt c(*stmts_, "INSERT INTO chunks(rowid, owner, seq, data) VALUES(?,?,?,?)");
  c.BindRowId(1, unordered_).Bind(2, id).Bind(3, seq).Bind(4, data);
  if (c.Step() != SQLITE_DONE) return DbError(db_, "store chunk");
  Stmt up(*stmts_, "UPDATE uploads SET received=?, next_seq=?, touched_hour=? WHERE id=?");
  up.Bind(1, received + data.size()).Bind(2, seq + 1).Bind(3, hour).Bind(4, id);
  if (up.Step() != SQLITE_DONE) return DbError(db_, "store chunk");
  GAVAH_RETURN_IF_ERROR(tx.Commit());
  used_bytes_ += data.size();
  unfinished_bytes_ += data.size();
  return Status::Ok();
}

Status EnvelopeStore::ReadUpload(const Digest32& id,
                                 const std::function<Status(std::span<const uint8_t>)>& each) {
  return ReadEnvelope(id, each);
}

Status EnvelopeStore::ReadEnvelope(const Digest32& id,
                                   const std::function<Status(std::span<const uint8_t>)>& each) {
  // One chunk per lock: a long read (a resume re-hashing gigabytes, an export) must not stall
  // every other caller. Chunks are never rewritten, so reading them one by one is consistent.
  SecretBuffer chunk;  // ciphertext, but reused whatever its size
  for (uint64_t seq = 0;; ++seq) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      Stmt c(*stmts_, "SELECT data FROM chunks WHERE owner=? AND seq=?");
      c.Bind(1, id).Bind(2, seq);
      const int rc = c.Step();
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return DbError(db_, "read chunks");
      chunk.Clear();
      chunk.Append(c.Blob(0));
    }
    GAVAH_RETURN_IF_ERROR(each(chunk.span()));
  }
}

Result<LogEntry> EnvelopeStore::Complete(const Digest32& id, uint64_t hour) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "complete");
  Stmt u(*stmts_, "SELECT size, received FROM uploads WHERE id=?");
  u.Bind(1, id);
  if (u.Step() != SQLITE_ROW) return Error(ErrorCode::kInvalidArgument, "no such upload");
  const uint64_t size = u.U64(0);
  if (u.U64(1) != size) return Error(ErrorCode::kTruncated, "upload is not complete");
  GAVAH_ASSIGN_OR_RETURN(const uint64_t index, NextIndex());
  Stmt ins(*stmts_,
           "INSERT INTO envelopes(rowid, id, size, log_index, received_hour) VALUES(?,?,?,?,?)");
  ins.BindRowId(1, unordered_).Bind(2, id).Bind(3, size).Bind(4, index).Bind(5, hour);
  if (ins.Step() != SQLITE_DONE) return DbError(db_, "complete");
  GAVAH_RETURN_IF_ERROR(QueueEntry(id, tlog::EncodeEntry({tlog::EntryType::kEnvelope, id, hour})));
  Stmt del(*stmts_, "DELETE FROM uploads WHERE id=?");
  del.Bind(1, id);
  if (del.Step() != SQLITE_DONE) return DbError(db_, "complete");
  GAVAH_RETURN_IF_ERROR(tx.Commit());
  unfinished_bytes_ -= std::min(unfinished_bytes_, size);
  return LogEntry{id, index, hour};
}

Result<std::vector<std::optional<LogEntry>>> EnvelopeStore::StoreWhole(
    std::span<const WholeEnvelope> batch, uint64_t hour, uint64_t quota_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "store");
  GAVAH_ASSIGN_OR_RETURN(uint64_t index, NextIndex());
  std::vector<std::optional<LogEntry>> entries;
  entries.reserve(batch.size());
  uint64_t used = used_bytes_;
  uint64_t unfinished_dropped = 0;
  for (const auto& e : batch) {
    GAVAH_ASSIGN_OR_RETURN(std::optional<LogEntry> old, LookupEntry(e.id));
    if (old) {  // stored before, or earlier in this batch
      entries.push_back(*old);
      continue;
    }
    // A whole envelope replaces any unfinished upload of the same bytes, and what it held.
    uint64_t reserved = 0;
    Stmt r(*stmts_, "SELECT received FROM uploads WHERE id=?");
    r.Bind(1, e.id);
    if (r.Step() == SQLITE_ROW) reserved = r.U64(0);
    const uint64_t after = used - reserved + e.bytes.size();
    if (quota_bytes != 0 && after > quota_bytes) {
      entries.push_back(std::nullopt);
      continue;
    }
    used = after;
    unfinished_dropped += reserved;
    Stmt dc(*stmts_, "DELETE FROM chunks WHERE owner=?");
    dc.Bind(1, e.id);
    Stmt du(*stmts_, "DELETE FROM uploads WHERE id=?");
    du.Bind(1, e.id);
    if (dc.Step() != SQLITE_DONE || du.Step() != SQLITE_DONE) return DbError(db_, "store");
    Stmt c(*stmts_, "INSERT INTO chunks(rowid, owner, seq, data) VALUES(?,?,0,?)");
    c.BindRowId(1, unordered_).Bind(2, e.id).Bind(3, e.bytes);
    if (c.Step() != SQLITE_DONE) return DbError(db_, "store");
    Stmt ins(*stmts_,
             "INSERT INTO envelopes(rowid, id, size, log_index, received_hour) VALUES(?,?,?,?,?)");
    ins.BindRowId(1, unordered_).Bind(2, e.id).Bind(3, e.bytes.size()).Bind(4, index).Bind(5, hour);
    if (ins.Step() != SQLITE_DONE) return DbError(db_, "store");
    GAVAH_RETURN_IF_ERROR(
        QueueEntry(e.id, tlog::EncodeEntry({tlog::EntryType::kEnvelope, e.id, hour})));
    entries.push_back(LogEntry{e.id, index, hour});
    if (unordered_) {
      GAVAH_ASSIGN_OR_RETURN(index, NextIndex());
    } else {
      ++index;
    }
  }
  GAVAH_RETURN_IF_ERROR(tx.Commit());
  used_bytes_ = used;
  unfinished_bytes_ -= std::min(unfinished_bytes_, unfinished_dropped);
  return entries;
}

Status EnvelopeStore::DropUpload(const Digest32& id) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "drop upload");
  Stmt u(*stmts_, "SELECT received FROM uploads WHERE id=?");
  u.Bind(1, id);
  if (u.Step() != SQLITE_ROW) return Status::Ok();
  const uint64_t reserved = u.U64(0);
  Stmt c(*stmts_, "DELETE FROM chunks WHERE owner=?");
  c.Bind(1, id);
  if (c.Step() != SQLITE_DONE) return DbError(db_, "drop upload");
  Stmt d(*stmts_, "DELETE FROM uploads WHERE id=?");
  d.Bind(1, id);
  if (d.Step() != SQLITE_DONE) return DbError(db_, "drop upload");
  GAVAH_RETURN_IF_ERROR(tx.Commit());
  // Never below zero: another process (a relay's import) may have appended what is dropped.
  used_bytes_ -= std::min(used_bytes_, reserved);
  unfinished_bytes_ -= std::min(unfinished_bytes_, reserved);
  return Status::Ok();
}

Result<uint64_t> EnvelopeStore::DropStaleUploads(uint64_t cutoff_hour) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "reclaim");
  Stmt r(*stmts_, "SELECT COALESCE(SUM(received), 0) FROM uploads WHERE touched_hour < ?");
  r.Bind(1, cutoff_hour);
  if (r.Step() != SQLITE_ROW) return DbError(db_, "reclaim");
  const uint64_t reserved = r.U64(0);
  Stmt c(*stmts_,
         "DELETE FROM chunks WHERE owner IN (SELECT id FROM uploads WHERE touched_hour < ?)");
  c.Bind(1, cutoff_hour);
  if (c.Step() != SQLITE_DONE) return DbError(db_, "reclaim");
  Stmt u(*stmts_, "DELETE FROM uploads WHERE touched_hour < ?");
  u.Bind(1, cutoff_hour);
  if (u.Step() != SQLITE_DONE) return DbError(db_, "reclaim");
  const uint64_t dropped = static_cast<uint64_t>(sqlite3_changes(db_));
  GAVAH_RETURN_IF_ERROR(tx.Commit());
  used_bytes_ -= std::min(used_bytes_, reserved);
  unfinished_bytes_ -= std::min(unfinished_bytes_, reserved);
  return dropped;
}

Result<uint64_t> EnvelopeStore::PostReply(const Digest32& mailbox, std::span<const uint8_t> sealed,
                                          uint64_t hour, uint64_t quota_bytes) {
  if (sealed.empty() || sealed.size() > kMaxSealedReply) {
    return Error(ErrorCode::kInvalidArgument, "a sealed reply must be 1 to 65536 bytes");
  }
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "post reply");
  Stmt n(*stmts_, "SELECT COUNT(*) FROM replies WHERE mailbox=?");
  n.Bind(1, mailbox);
  if (n.Step() != SQLITE_ROW) return DbError(db_, "post reply");
  const uint64_t seq = n.U64(0);
  if (seq >= kMaxRepliesPerMailbox) return Error(ErrorCode::kTooLarge, "the mailbox is full");
  if (quota_bytes != 0 && used_bytes_ + sealed.size() > quota_bytes)
    return Error(ErrorCode::kTooLarge, "server storage quota is full");
  Stmt ins(*stmts_, "INSERT INTO replies(mailbox, seq, posted_hour, sealed) VALUES(?,?,?,?)");
  ins.Bind(1, mailbox).Bind(2, seq).Bind(3, hour).Bind(4, sealed);
  if (ins.Step() != SQLITE_DONE) return DbError(db_, "post reply");
  GAVAH_RETURN_IF_ERROR(tx.Commit());
  used_bytes_ += sealed.size();
  return seq;
}

Result<std::vector<EnvelopeStore::StoredReply>> EnvelopeStore::FetchReplies(const Digest32& mailbox,
                                                                            uint64_t after,
                                                                            size_t limit,
                                                                            bool* more) {
  std::lock_guard<std::mutex> lock(mu_);
  // One past the limit tells whether more follow without a second query.
  Stmt s(*stmts_,
         "SELECT seq, sealed FROM replies WHERE mailbox=? AND seq>=? ORDER BY seq LIMIT ?");
  s.Bind(1, mailbox).Bind(2, after).Bind(3, static_cast<uint64_t>(limit) + 1);
  std::vector<StoredReply> out;
  *more = false;
  for (;;) {
    const int rc = s.Step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return DbError(db_, "fetch replies");
    if (out.size() == limit) {
      *more = true;
      break;
    }
    const auto blob = s.Blob(1);
    out.push_back({s.U64(0), std::vector<uint8_t>(blob.begin(), blob.end())});
  }
  return out;
}

Result<std::vector<EnvelopeStore::Listed>> EnvelopeStore::List(uint64_t after, size_t limit,
                                                               bool* more) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*stmts_,
         "SELECT id, log_index, received_hour, size, (SELECT COUNT(*) FROM deletions WHERE "
         "envelope=id) FROM envelopes WHERE log_index>=? ORDER BY log_index LIMIT ?");
  s.Bind(1, after).Bind(2, static_cast<uint64_t>(limit) + 1);
  return CollectListed(&s, limit, more);
}

Result<EnvelopeStore::DeletionState> EnvelopeStore::MarkForDeletion(
    const Digest32& id, std::span<const uint8_t> investigator, std::span<const uint8_t> statement,
    std::span<const Fingerprint> current, uint64_t threshold, uint64_t hour) {
  const DeletionMark mark{id, statement};
  auto st = MarkManyForDeletion(std::span<const DeletionMark>(&mark, 1), investigator, current,
                                threshold, hour);
  if (!st.ok())
    return Error(st.status().code(), st.status().code() == ErrorCode::kInvalidArgument
                                         ? "no such envelope"
                                         : st.status().message());
  return st->front();
}

Result<std::vector<EnvelopeStore::DeletionState>> EnvelopeStore::MarkManyForDeletion(
    std::span<const DeletionMark> marks, std::span<const uint8_t> investigator,
    std::span<const Fingerprint> current, uint64_t threshold, uint64_t hour) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<DeletionState> out(marks.size());
  uint64_t freed_bytes = 0, marked_bytes = 0;
  bool freed = false;
  {  // the statements end with this block: a stepped one would hold the WAL open
    Transaction tx(db_);
    if (!tx.ok()) return DbError(db_, "mark");
    for (size_t i = 0; i < marks.size(); ++i) {
      const Digest32& id = marks[i].id;
      DeletionState& st = out[i];
      Stmt e(*stmts_, "SELECT size FROM envelopes WHERE id=?");
      e.Bind(1, id);
      if (e.Step() != SQLITE_ROW)
        return Error(ErrorCode::kInvalidArgument,
                     "mark " + std::to_string(i + 1) + ": no such envelope");
      const uint64_t size = e.U64(0);
      // secure_delete rewrites every page it frees, through the WAL: one transaction freeing
      // many gigabytes could need that much free disk, which a flood has taken.
      marked_bytes += size;
      if (marks.size() > 1 && marked_bytes > kMaxPurgeBytes)
        return Error(ErrorCode::kTooLarge, "a purge call covers at most 1 GiB of envelopes");
      Stmt d(*stmts_, "SELECT 1 FROM deletions WHERE envelope=?");
      d.Bind(1, id);
      const bool already = d.Step() == SQLITE_ROW;
      Stmt m(*stmts_,
             "INSERT OR IGNORE INTO deletion_statements(envelope, investigator, statement, hour) "
             "VALUES(?,?,?,?)");
      m.Bind(1, id).Bind(2, investigator).Bind(3, marks[i].statement).Bind(4, hour);
      if (m.Step() != SQLITE_DONE) return DbError(db_, "mark");
      // A new statement goes into the log, so that a deletion is public and checkable.
      if (logged_ && sqlite3_changes(db_) == 1) {
        tlog::IntakeEntry entry{tlog::EntryType::kDeletion, id, hour, {}};
        if (marks[i].statement.size() != entry.statement.size())
          return Error(ErrorCode::kInvalidArgument, "a deletion statement is 97 bytes");
        std::copy(marks[i].statement.begin(), marks[i].statement.end(), entry.statement.begin());
        GAVAH_RETURN_IF_ERROR(QueueEntry(id, tlog::EncodeEntry(entry)));
      }
      // Only investigators of the bundle served now count: a key the organisation removed (a
      // seized laptop, say) must not still help to erase testimony.
      Stmt n(*stmts_, "SELECT investigator FROM deletion_statements WHERE envelope=?");
      n.Bind(1, id);
      for (int rc; (rc = n.Step()) != SQLITE_DONE;) {
        if (rc != SQLITE_ROW) return DbError(db_, "mark");
        const auto who = n.Blob(0);
        for (const auto& fp : current) {
          if (who.size() == fp.size() && std::equal(who.begin(), who.end(), fp.begin())) {
            ++st.marks;
            break;
          }
        }
      }
      bool now = false;
      if (!already && threshold > 0 && st.marks >= threshold) {
        Stmt c(*stmts_, "DELETE FROM chunks WHERE owner=?");
        c.Bind(1, id);
        Stmt r(*stmts_, "INSERT INTO deletions(envelope, hour) VALUES(?,?)");
        r.Bind(1, id).Bind(2, hour);
        if (c.Step() != SQLITE_DONE || r.Step() != SQLITE_DONE) return DbError(db_, "delete");
        freed_bytes += size;
        now = freed = true;
      }
      st.deleted = already || now;
    }
    GAVAH_RETURN_IF_ERROR(tx.Commit());
  }
  if (freed) {
    used_bytes_ -= std::min(used_bytes_, freed_bytes);
    // secure_delete overwrote the pages in the database, but the WAL still holds their old
    // contents until it is checkpointed and cut. Another connection reading an old snapshot
    // (a relay's book) makes this partial; SQLite's automatic checkpoints carry on from there.
    (void)Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  return out;
}

Result<bool> EnvelopeStore::IsDeleted(const Digest32& id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt d(*stmts_, "SELECT 1 FROM deletions WHERE envelope=?");
  d.Bind(1, id);
  const int rc = d.Step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return DbError(db_, "read");
  return rc == SQLITE_ROW;
}

Status EnvelopeStore::PostShare(std::span<const uint8_t> from, std::span<const uint8_t> to,
                                std::span<const uint8_t> sealed, uint64_t hour,
                                uint64_t quota_bytes) {
  if (from.size() != 16 || to.size() != 16)
    return Error(ErrorCode::kInvalidArgument, "a fingerprint is 16 bytes");
  if (sealed.empty() || sealed.size() > kMaxSealedShare)
    return Error(ErrorCode::kInvalidArgument, "a sealed share must be 1 to 4096 bytes");
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "post share");
  Stmt n(*stmts_, "SELECT COUNT(*) FROM shares WHERE recipient=?");
  n.Bind(1, to);
  if (n.Step() != SQLITE_ROW) return DbError(db_, "post share");
  if (n.U64(0) >= kMaxSharesPerRecipient)
    return Error(ErrorCode::kTooLarge, "that investigator holds too many shares");
  if (quota_bytes != 0 && used_bytes_ + sealed.size() > quota_bytes)
    return Error(ErrorCode::kTooLarge, "server storage quota is full");
  Stmt ins(*stmts_, "INSERT INTO shares(recipient, sender, posted_hour, sealed) VALUES(?,?,?,?)");
  ins.Bind(1, to).Bind(2, from).Bind(3, hour).Bind(4, sealed);
  if (ins.Step() != SQLITE_DONE) return DbError(db_, "post share");
  GAVAH_RETURN_IF_ERROR(tx.Commit());
  used_bytes_ += sealed.size();
  return Status::Ok();
}

Result<std::vector<EnvelopeStore::StoredShare>> EnvelopeStore::FetchShares(
    std::span<const uint8_t> to, uint64_t after, size_t limit, bool* more) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(
      *stmts_,
      "SELECT seq, sender, sealed FROM shares WHERE recipient=? AND seq>=? ORDER BY seq LIMIT ?");
  s.Bind(1, to).Bind(2, after).Bind(3, static_cast<uint64_t>(limit) + 1);
  std::vector<StoredShare> out;
  *more = false;
  for (;;) {
    const int rc = s.Step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return DbError(db_, "fetch shares");
    if (out.size() == limit) {
      *more = true;
      break;
    }
    const auto from = s.Blob(1), sealed = s.Blob(2);
    out.push_back({s.U64(0), {from.begin(), from.end()}, {sealed.begin(), sealed.end()}});
  }
  return out;
}

Status EnvelopeStore::Audit(std::span<const uint8_t> investigator, std::string_view call,
                            uint64_t hour) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt ins(*stmts_, "INSERT INTO review_audit(investigator, call, hour) VALUES(?,?,?)");
  ins.Bind(1, investigator)
      .Bind(2, std::span(reinterpret_cast<const uint8_t*>(call.data()), call.size()))
      .Bind(3, hour);
  if (ins.Step() != SQLITE_DONE) return DbError(db_, "audit");
  return Status::Ok();
}

Result<std::vector<EnvelopeStore::AuditEntry>> EnvelopeStore::AuditTrail() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*stmts_, "SELECT investigator, call, hour FROM review_audit ORDER BY seq");
  std::vector<AuditEntry> out;
  for (;;) {
    const int rc = s.Step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return DbError(db_, "audit");
    const auto who = s.Blob(0), call = s.Blob(1);
    out.push_back({{who.begin(), who.end()}, {call.begin(), call.end()}, s.U64(2)});
  }
  return out;
}

Result<std::vector<std::pair<uint64_t, uint64_t>>> EnvelopeStore::StoredPerHour(
    uint64_t since_hour) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*stmts_,
         "SELECT received_hour, SUM(size) FROM envelopes WHERE received_hour >= ? "
         "GROUP BY received_hour");
  s.Bind(1, since_hour);
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (int rc = s.Step(); rc != SQLITE_DONE; rc = s.Step()) {
    if (rc != SQLITE_ROW) return DbError(db_, "read the storage window");
    out.emplace_back(s.U64(0), s.U64(1));
  }
  return out;
}

Result<uint64_t> EnvelopeStore::NextLogIndex() {
  std::lock_guard<std::mutex> lock(mu_);
  return NextIndex();
}

Result<uint64_t> EnvelopeStore::Touch() {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "commit");
  Stmt t(*stmts_, "UPDATE meta SET value=value WHERE key='schema_version'");
  if (t.Step() != SQLITE_DONE) return DbError(db_, "commit");
  GAVAH_RETURN_IF_ERROR(tx.Commit());
  return NextIndex();
}

void EnvelopeStore::Released(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  used_bytes_ -= std::min(used_bytes_, bytes);
}

Result<uint64_t> EnvelopeStore::BytesUsed() {
  std::lock_guard<std::mutex> lock(mu_);
  return used_bytes_;
}

}  // namespace gavah::server

namespace gavah::server {

Status EnvelopeStore::QueueEntry(const Digest32& id, std::span<const uint8_t> entry) {
  if (!logged_) return Status::Ok();
  Stmt q(*stmts_, "INSERT INTO log_pending(rowid, envelope, entry) VALUES(?,?,?)");
  q.BindRowId(1, true).Bind(2, id).Bind(3, entry);
  if (q.Step() != SQLITE_DONE) return DbError(db_, "log");
  return Status::Ok();
}

Result<uint64_t> EnvelopeStore::QueueUnlogged() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!logged_) return uint64_t{0};
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "log");
  std::vector<std::pair<Digest32, uint64_t>> missing;
  {
    Stmt s(*stmts_,
           "SELECT id, received_hour FROM envelopes WHERE id NOT IN (SELECT id FROM "
           "log_envelopes) AND id NOT IN (SELECT envelope FROM log_pending) ORDER BY id");
    for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return DbError(db_, "log");
      Digest32 id{};
      if (s.Blob(0).size() != id.size()) return Error(ErrorCode::kIo, "a damaged envelope row");
      std::copy(s.Blob(0).begin(), s.Blob(0).end(), id.begin());
      missing.emplace_back(id, s.U64(1));
    }
  }
  for (const auto& [id, hour] : missing)
    GAVAH_RETURN_IF_ERROR(
        QueueEntry(id, tlog::EncodeEntry({tlog::EntryType::kEnvelope, id, hour})));
  GAVAH_RETURN_IF_ERROR(tx.Commit());
  return static_cast<uint64_t>(missing.size());
}

Result<std::vector<std::vector<uint8_t>>> EnvelopeStore::IntegratePending(uint64_t first_index,
                                                                          size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  if (!tx.ok()) return DbError(db_, "log");
  {
    Stmt n(*stmts_, "SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries");
    if (n.Step() != SQLITE_ROW) return DbError(db_, "log");
    if (n.U64(0) != first_index)
      return Error(ErrorCode::kInvalidArgument, "the log in the database is not the one in memory");
  }
  struct Row {
    uint64_t rowid;
    Digest32 id;
    std::vector<uint8_t> entry;
  };
  std::vector<Row> rows;
  {
    // Random rowids: the first `limit` by rowid are a random choice of the pending entries.
    Stmt s(*stmts_, "SELECT rowid, envelope, entry FROM log_pending ORDER BY rowid LIMIT ?");
    s.Bind(1, static_cast<uint64_t>(limit));
    for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return DbError(db_, "log");
      Row r{s.U64(0), {}, {}};
      if (s.Blob(1).size() != r.id.size()) return Error(ErrorCode::kIo, "a damaged log row");
      std::copy(s.Blob(1).begin(), s.Blob(1).end(), r.id.begin());
      r.entry.assign(s.Blob(2).begin(), s.Blob(2).end());
      rows.push_back(std::move(r));
    }
  }
  // Shuffled within the batch (Fisher-Yates with libsodium's uniform draw): the log's order says
  // nothing of the order of arrival.
  for (size_t i = rows.size(); i > 1; --i) {
    const size_t j = randombytes_uniform(static_cast<uint32_t>(i));
    std::swap(rows[i - 1], rows[j]);
  }
  std::vector<std::vector<uint8_t>> out;
  out.reserve(rows.size());
  uint64_t idx = first_index;
  for (auto& r : rows) {
    Stmt ins(*stmts_, "INSERT INTO log_entries(idx, entry) VALUES(?,?)");
    ins.Bind(1, idx).Bind(2, r.entry);
    if (ins.Step() != SQLITE_DONE) return DbError(db_, "log");
    if (!r.entry.empty() && r.entry[0] == static_cast<uint8_t>(tlog::EntryType::kEnvelope)) {
      Stmt e(*stmts_, "INSERT INTO log_envelopes(id, idx) VALUES(?,?)");
      e.Bind(1, r.id).Bind(2, idx);
      if (e.Step() != SQLITE_DONE) return DbError(db_, "log");
    }
    Stmt del(*stmts_, "DELETE FROM log_pending WHERE rowid=?");
    del.Bind(1, r.rowid);
    if (del.Step() != SQLITE_DONE) return DbError(db_, "log");
    out.push_back(std::move(r.entry));
    ++idx;
  }
  GAVAH_RETURN_IF_ERROR(tx.Commit());
  return out;
}

Status EnvelopeStore::ReadLog(
    uint64_t begin, uint64_t end,
    const std::function<Status(uint64_t, std::span<const uint8_t>)>& each) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*stmts_, "SELECT idx, entry FROM log_entries WHERE idx>=? AND idx<? ORDER BY idx");
  s.Bind(1, begin).Bind(2, end);
  uint64_t expect = begin;
  for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
    if (rc != SQLITE_ROW) return DbError(db_, "log");
    if (s.U64(0) != expect) return Error(ErrorCode::kIo, "the log in the database has a gap");
    GAVAH_RETURN_IF_ERROR(each(expect, s.Blob(1)));
    ++expect;
  }
  return Status::Ok();
}

Result<std::optional<uint64_t>> EnvelopeStore::LogIndexOf(const Digest32& id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*stmts_, "SELECT idx FROM log_envelopes WHERE id=?");
  s.Bind(1, id);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<uint64_t>();
  if (rc != SQLITE_ROW) return DbError(db_, "log");
  return std::optional<uint64_t>(s.U64(0));
}

Result<std::optional<std::string>> EnvelopeStore::LogState(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*stmts_, "SELECT value FROM log_state WHERE key=?");
  s.BindText(1, key);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return DbError(db_, "log");
  const auto b = s.Blob(0);
  return std::optional<std::string>(std::string(b.begin(), b.end()));
}

Status EnvelopeStore::SetLogState(const std::string& key, std::string_view value) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*stmts_, "INSERT OR REPLACE INTO log_state(key, value) VALUES(?,?)");
  s.BindText(1, key).Bind(2,
                          std::span(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
  if (s.Step() != SQLITE_DONE) return DbError(db_, "log");
  return Status::Ok();
}

// Rows of (id, index, hour, size, deleted) into Listed, with each deleted one's statements.
// REQUIRES: the store's mutex is held.
Result<std::vector<EnvelopeStore::Listed>> EnvelopeStore::CollectListed(void* stmt, size_t limit,
                                                                        bool* more) {
  Stmt& s = *static_cast<Stmt*>(stmt);
  std::vector<Listed> out;
  *more = false;
  for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
    if (rc != SQLITE_ROW) return DbError(db_, "list");
    if (out.size() == limit) {
      *more = true;
      break;
    }
    Listed l;
    if (s.Blob(0).size() != l.entry.id.size()) return Error(ErrorCode::kIo, "a damaged row");
    std::copy(s.Blob(0).begin(), s.Blob(0).end(), l.entry.id.begin());
    l.entry.log_index = s.U64(1);
    l.entry.received_hour = s.U64(2);
    l.size = s.U64(3);
    l.deleted = s.U64(4) != 0;
    out.push_back(std::move(l));
  }
  for (auto& l : out) {
    if (!l.deleted) continue;
    Stmt d(*stmts_, "SELECT statement FROM deletion_statements WHERE envelope=? LIMIT 255");
    d.Bind(1, l.entry.id);
    for (int rc; (rc = d.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return DbError(db_, "list");
      l.statements.emplace_back(d.Blob(0).begin(), d.Blob(0).end());
    }
  }
  return out;
}

Result<std::vector<EnvelopeStore::Listed>> EnvelopeStore::ListLogged(uint64_t after, size_t limit,
                                                                     bool* more) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*stmts_,
         "SELECT e.id, l.idx, e.received_hour, e.size, (SELECT COUNT(*) FROM deletions WHERE "
         "envelope=e.id) FROM log_envelopes l JOIN envelopes e ON e.id=l.id WHERE l.idx>=? "
         "ORDER BY l.idx LIMIT ?");
  s.Bind(1, after).Bind(2, static_cast<uint64_t>(limit) + 1);
  return CollectListed(&s, limit, more);
}

Result<std::vector<EnvelopeStore::Listed>> EnvelopeStore::ListUnlogged(
    const std::optional<Digest32>& after, size_t limit, bool* more) {
  std::lock_guard<std::mutex> lock(mu_);
  static constexpr char kFirst[] =
      "SELECT e.id, 0, e.received_hour, e.size, (SELECT COUNT(*) FROM deletions WHERE "
      "envelope=e.id) FROM envelopes e WHERE e.id NOT IN (SELECT id FROM log_envelopes) "
      "ORDER BY e.id LIMIT ?";
  static constexpr char kAfter[] =
      "SELECT e.id, 0, e.received_hour, e.size, (SELECT COUNT(*) FROM deletions WHERE "
      "envelope=e.id) FROM envelopes e WHERE e.id NOT IN (SELECT id FROM log_envelopes) AND "
      "e.id>? ORDER BY e.id LIMIT ?";
  Stmt s(*stmts_, after ? kAfter : kFirst);
  if (after) {
    s.Bind(1, *after).Bind(2, static_cast<uint64_t>(limit) + 1);
  } else {
    s.Bind(1, static_cast<uint64_t>(limit) + 1);
  }
  return CollectListed(&s, limit, more);
}

}  // namespace gavah::server
