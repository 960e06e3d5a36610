#include "case_store.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "gavah/crypto/codename.h"
#include "gavah/crypto/hex.h"
#include "sqlite_stmt.h"

namespace gavah::cli {
namespace {

constexpr int kSchemaVersion = 1;
constexpr size_t kSaltSize = 16;  // SQLCipher keeps it as the file's first 16 bytes

using sql::Stmt;

Status DbError(sqlite3* db, const std::string& what) {
  return Error(ErrorCode::kIo, "case store: " + what + ": " + sqlite3_errmsg(db));
}

Status Exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return DbError(db, "database");
  return Status::Ok();
}

// A custody event is one line of custody.txt (PROTOCOL.md 10a): whatever a caller put in it
// (a folder's name, say), no control character makes it two.
std::string OneLine(std::string event) {
  for (char& c : event)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return event;
}

CaseEnvelope EnvelopeRow(Stmt& s) {
  CaseEnvelope e;
  // A row of another size leaves the id all zeros, which matches no envelope; callers check the
  // signature's size before using it.
  const auto id = s.Blob(0);
  if (id.size() == e.id.size()) std::memcpy(e.id.data(), id.data(), id.size());
  e.log_index = s.U64(1);
  e.received_hour = s.U64(2);
  e.size = s.U64(3);
  const auto sig = s.Blob(4);
  e.receipt_signature.assign(sig.begin(), sig.end());
  e.state = s.Text(5);
  return e;
}

// SQLite's own heap holds the case store's decrypted pages (its page cache), and SQLCipher
// 3.4 (Debian 12) wipes only its key and cipher buffers; `cipher_memory_security` does not exist
// before SQLCipher 4. Every block SQLite frees is therefore wiped here first. The size lives in
// a 16-byte header, so blocks stay 16-byte aligned.
void* WipingMalloc(int n) {
  if (n <= 0) return nullptr;
  auto* h = static_cast<uint64_t*>(std::malloc(static_cast<size_t>(n) + 16));
  if (h == nullptr) return nullptr;
  h[0] = static_cast<uint64_t>(n);
  return h + 2;
}
void WipingFree(void* p) {
  if (p == nullptr) return;
  auto* h = static_cast<uint64_t*>(p) - 2;
  sodium_memzero(h, static_cast<size_t>(h[0]) + 16);
  std::free(h);
}
int WipingSize(void* p) {
  return p == nullptr ? 0 : static_cast<int>(static_cast<uint64_t*>(p)[-2]);
}
void* WipingRealloc(void* p, int n) {
  if (p == nullptr) return WipingMalloc(n);
  if (n <= 0) {
    WipingFree(p);
    return nullptr;
  }
  void* q = WipingMalloc(n);
  if (q == nullptr) return nullptr;
  std::memcpy(q, p, static_cast<size_t>(std::min(n, WipingSize(p))));
  WipingFree(p);
  return q;
}
int WipingRoundup(int n) { return (n + 7) & ~7; }
int WipingInit(void*) { return SQLITE_OK; }
void WipingShutdown(void*) {}

}  // namespace

bool CaseStore::InstallWipingAllocator() {
  // Possible only before SQLite's first use in the process; the investigator's tools open the
  // case store before anything else touches SQLite.
  static const bool installed = [] {
    static const sqlite3_mem_methods methods = {WipingMalloc,   WipingFree,    WipingRealloc,
                                                WipingSize,     WipingRoundup, WipingInit,
                                                WipingShutdown, nullptr};
    return sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) == SQLITE_OK;
  }();
  return installed;
}

Result<std::unique_ptr<CaseStore>> CaseStore::Open(const std::string& path,
                                                   std::span<const uint8_t> passphrase) {
  InstallWipingAllocator();
  uint8_t salt[kSaltSize];
  bool exists = false;
  {
    // No link, no FIFO: a case store is a regular file, and reading its salt must not block.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st {};
    if (fd >= 0 && (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
      ::close(fd);
      return Error(ErrorCode::kInvalidArgument, path + " is not a regular file");
    }
    if (fd < 0 && errno == ELOOP)
      return Error(ErrorCode::kInvalidArgument, path + " is a symbolic link, not a case store");
    if (fd >= 0) {
      exists = true;
      const ssize_t n = ::read(fd, salt, sizeof salt);
      ::close(fd);
      if (n != static_cast<ssize_t>(sizeof salt))
        return Error(ErrorCode::kMalformed, path + " is not a Gavah case store");
    } else if (errno != ENOENT) {
      return Error(ErrorCode::kIo, "cannot read " + path + ": " + std::strerror(errno));
    }
  }
  if (!exists) randombytes_buf(salt, sizeof salt);
  SecretBuffer key(32);
#ifdef GAVAH_CHEAP_KDF
  // The sanitizer build of the test suite only: see KdfParams::Default().
  constexpr unsigned long long kOps = crypto_pwhash_argon2id_OPSLIMIT_MIN;
  constexpr size_t kMem = crypto_pwhash_argon2id_MEMLIMIT_MIN;
#else
  constexpr unsigned long long kOps = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
  constexpr size_t kMem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
#endif
  if (crypto_pwhash(key.data(), key.size(), reinterpret_cast<const char*>(passphrase.data()),
                    passphrase.size(), salt, kOps, kMem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error(ErrorCode::kIo, "not enough memory to derive the case store's key");
  }
  sqlite3* db = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (exists ? 0 : SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return Error(ErrorCode::kIo, "cannot open " + path);
  }
  std::unique_ptr<CaseStore> store(new CaseStore(db));
  // SQLCipher's own allocations (decrypted pages, keys) are then locked in memory and wiped when
  // freed; it is a process-wide switch that stays on once set.
  GAVAH_RETURN_IF_ERROR(Exec(db, "PRAGMA cipher_memory_security = ON"));
  // Temporary tables and sort spills stay in memory, never as plaintext temporary files.
  GAVAH_RETURN_IF_ERROR(Exec(db, "PRAGMA temp_store = MEMORY"));
  // SQLCipher's raw key with an explicit salt: x'<key hex><salt hex>'.
  SecretBuffer raw;
  raw.Append("x'");
  char hex[2 * 32 + 1];
  sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
  raw.Append(std::string_view(hex, 64));
  sodium_memzero(hex, sizeof hex);
  char salt_hex[2 * kSaltSize + 1];
  sodium_bin2hex(salt_hex, sizeof salt_hex, salt, sizeof salt);
  raw.Append(std::string_view(salt_hex, 2 * kSaltSize));
  raw.Append("'");
  if (sqlite3_key(db, raw.data(), static_cast<int>(raw.size())) != SQLITE_OK)
    return Error(ErrorCode::kIo, "cannot key " + path);
  GAVAH_RETURN_IF_ERROR(Exec(db, "PRAGMA cipher_page_size = 4096"));
  if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) !=
      SQLITE_OK) {
    return Error(ErrorCode::kWrongPassphrase,
                 "wrong passphrase for the case store " + path + " (or not a case store)");
  }
  GAVAH_RETURN_IF_ERROR(Exec(db, "PRAGMA journal_mode=WAL"));
  GAVAH_RETURN_IF_ERROR(Exec(db, "PRAGMA synchronous=FULL"));
  GAVAH_RETURN_IF_ERROR(Exec(
      db,
      "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
      "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', 1);"
      "INSERT OR IGNORE INTO meta(key, value) VALUES('sync_after', 0);"
      "INSERT OR IGNORE INTO meta(key, value) VALUES('shares_after', 0);"
      "CREATE TABLE IF NOT EXISTS shares(server_seq INTEGER PRIMARY KEY, sealed BLOB NOT NULL);"
      "CREATE TABLE IF NOT EXISTS blobs(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
      "CREATE TABLE IF NOT EXISTS annotations(seq INTEGER PRIMARY KEY, envelope BLOB NOT NULL,"
      "  at INTEGER NOT NULL, kind TEXT NOT NULL, text BLOB NOT NULL);"
      "CREATE TABLE IF NOT EXISTS envelopes(id BLOB PRIMARY KEY, log_index INTEGER NOT NULL,"
      "  received_hour INTEGER NOT NULL, size INTEGER NOT NULL, receipt_signature BLOB NOT NULL,"
      "  state TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS chunks(owner BLOB NOT NULL, seq INTEGER NOT NULL, data BLOB NOT "
      "NULL, UNIQUE(owner, seq));"
      "CREATE TABLE IF NOT EXISTS custody(seq INTEGER PRIMARY KEY, envelope BLOB NOT NULL,"
      "  at INTEGER NOT NULL, investigator TEXT NOT NULL, event TEXT NOT NULL);"
      // The server's transparency log as sync checked it: every entry, in order.
      "CREATE TABLE IF NOT EXISTS log(idx INTEGER PRIMARY KEY, entry BLOB NOT NULL);"
      // Reading and search (PROTOCOL.md 10b): what opening found, the words of every opened
      // testimony (an FTS4 index that keeps no copy of the text, though its words and their
      // positions are the text's; docid is readings.docid, which VACUUM never renumbers), and
      // what still waits for colleagues' shares.
      "CREATE TABLE IF NOT EXISTS readings(docid INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE,"
      "  language TEXT NOT NULL, consent TEXT, text_size INTEGER NOT NULL,"
      "  attachments INTEGER NOT NULL);"
      "CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts4(content=\"\", body, tokenize=simple);"
      "CREATE TABLE IF NOT EXISTS waiting(id BLOB PRIMARY KEY, threshold INTEGER NOT NULL,"
      "  held INTEGER NOT NULL, released_by TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS annotations_by_envelope ON annotations(envelope);"
      "CREATE INDEX IF NOT EXISTS custody_by_envelope ON custody(envelope);"));
  // Reading tables made before readings had its own docid (never in a release): dropped and
  // made again; opening everything again fills them.
  {
    // SQLite 3.15 (SQLCipher 3.4's) has no pragma_table_info(): the pragma's rows, one a
    // column, its name second.
    Stmt cols(db, "PRAGMA table_info(readings)");
    bool has_docid = false;
    for (int rc; (rc = cols.Step()) == SQLITE_ROW;) has_docid |= cols.Text(1) == "docid";
    if (!has_docid)
      GAVAH_RETURN_IF_ERROR(Exec(db,
                                 "DROP TABLE IF EXISTS readings; DROP TABLE IF EXISTS words;"
                                 "CREATE TABLE readings(docid INTEGER PRIMARY KEY, id BLOB NOT NULL"
                                 " UNIQUE, language TEXT NOT NULL, consent TEXT, text_size INTEGER"
                                 " NOT NULL, attachments INTEGER NOT NULL);"
                                 "CREATE VIRTUAL TABLE words USING fts4(content=\"\", body,"
                                 " tokenize=simple);"));
  }
  Stmt v(db, "SELECT value FROM meta WHERE key='schema_version'");
  if (v.Step() != SQLITE_ROW || v.U64(0) != kSchemaVersion)
    return Error(ErrorCode::kUnsupported, path + ": case store version is not supported");
  return store;
}

CaseStore::~CaseStore() { sqlite3_close(db_); }

std::vector<uint8_t> PackReceipt(const Receipt& r) {
  std::vector<uint8_t> out;
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(r.include_by >> s));
  out.insert(out.end(), r.signature.begin(), r.signature.end());
  return out;
}

std::optional<Receipt> UnpackReceipt(const CaseEnvelope& e) {
  if (e.receipt_signature.size() != 72) return std::nullopt;
  Receipt r;
  r.envelope_id = e.id;
  r.received_hour = e.received_hour;
  for (int i = 0; i < 8; ++i) r.include_by = (r.include_by << 8) | e.receipt_signature[i];
  std::copy(e.receipt_signature.begin() + 8, e.receipt_signature.end(), r.signature.begin());
  return r;
}

Result<uint64_t> CaseStore::SyncCursor() {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT value FROM meta WHERE key='sync_after'");
  if (s.Step() != SQLITE_ROW) return DbError(db_, "read");
  return s.U64(0);
}

Result<uint64_t> CaseStore::PartialBytes(const Digest32& id) {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT COALESCE(SUM(length(data)), 0) FROM chunks WHERE owner=?");
  s.Bind(1, id);
  if (s.Step() != SQLITE_ROW) return DbError(db_, "read");
  return s.U64(0);
}

Status CaseStore::AppendPartial(const Digest32& id, std::span<const uint8_t> data) {
  const std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO chunks(owner, seq, data) VALUES(?1, (SELECT COUNT(*) FROM chunks WHERE "
         "owner=?1), ?2)");
  s.Bind(1, id).Bind(2, data);
  if (s.Step() != SQLITE_DONE) return DbError(db_, "store");
  return Status::Ok();
}

Status CaseStore::ReadBytes(const Digest32& id,
                            const std::function<Status(std::span<const uint8_t>)>& each) {
  // Chunk by chunk, each under the lock but `each` outside it: an export writing a large
  // envelope to a slow disk must not hold the desk's window waiting.
  std::vector<uint8_t> chunk;
  for (uint64_t seq = 0;; ++seq) {
    GAVAH_ASSIGN_OR_RETURN(const bool more, ReadChunk(id, seq, &chunk));
    if (!more) return Status::Ok();
    GAVAH_RETURN_IF_ERROR(each(chunk));
  }
}

Status CaseStore::Finish(const CaseEnvelope& e, bool tampered, const std::string& investigator,
                         uint64_t now) {
  const std::lock_guard lock(mu_);
  return Conclude(e, tampered ? "tampered" : "new",
                  tampered ? "synced: did not match its id, bytes dropped" : "synced",
                  /*drop_bytes=*/tampered, investigator, now);
}

Status CaseStore::FinishWithoutBytes(const CaseEnvelope& e, const std::string& state,
                                     const std::string& event, const std::string& investigator,
                                     uint64_t now) {
  const std::lock_guard lock(mu_);
  return Conclude(e, state, event, /*drop_bytes=*/true, investigator, now);
}

Status CaseStore::FinishWhole(std::span<const WholeEnvelope> batch, const std::string& investigator,
                              uint64_t now) {
  const std::lock_guard lock(mu_);
  if (batch.empty()) return Status::Ok();
  GAVAH_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  auto fail = [&](const char* what) {
    Status st = DbError(db_, what);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  };
  {
    Stmt chunk(db_, "INSERT INTO chunks(owner, seq, data) VALUES(?,?,?)");
    Stmt ins(db_,
             "INSERT OR IGNORE INTO envelopes(id, log_index, received_hour, size, "
             "receipt_signature, state) VALUES(?,?,?,?,?,'new')");
    Stmt c(db_, "INSERT INTO custody(envelope, at, investigator, event) VALUES(?,?,?,'synced')");
    Stmt m(db_, "UPDATE meta SET value=MAX(value, ?) WHERE key='sync_after'");
    for (const WholeEnvelope& w : batch) {
      const CaseEnvelope& e = w.envelope;
      // Rows of at most 1 MiB, as a fetch stores them.
      constexpr size_t kRow = size_t{1} << 20;
      for (size_t at = 0, seq = 0; at < w.bytes.size(); at += kRow, ++seq) {
        chunk.Reset();
        chunk.Bind(1, e.id).Bind(2, uint64_t{seq});
        chunk.Bind(3, std::span(w.bytes).subspan(at, std::min(kRow, w.bytes.size() - at)));
        if (chunk.Step() != SQLITE_DONE) return fail("store");
      }
      ins.Reset();
      ins.Bind(1, e.id)
          .Bind(2, e.log_index)
          .Bind(3, e.received_hour)
          .Bind(4, e.size)
          .Bind(5, e.receipt_signature);
      c.Reset();
      c.Bind(1, e.id).Bind(2, now).Bind(3, investigator);
      if (ins.Step() != SQLITE_DONE || c.Step() != SQLITE_DONE) return fail("store");
      if (e.log_index != kNotLogged) {
        m.Reset();
        m.Bind(1, e.log_index + 1);
        if (m.Step() != SQLITE_DONE) return fail("store");
      }
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  return Status::Ok();
}

Status CaseStore::Conclude(const CaseEnvelope& e, const std::string& state,
                           const std::string& event, bool drop_bytes,
                           const std::string& investigator, uint64_t now) {
  GAVAH_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  auto fail = [&](const char* what) {
    Status st = DbError(db_, what);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  };
  {  // the statements end before the commit
    if (drop_bytes) {
      Stmt d(db_, "DELETE FROM chunks WHERE owner=?");
      d.Bind(1, e.id);
      if (d.Step() != SQLITE_DONE) return fail("store");
    }
    Stmt ins(db_,
             "INSERT OR IGNORE INTO envelopes(id, log_index, received_hour, size, "
             "receipt_signature, state) VALUES(?,?,?,?,?,?)");
    ins.Bind(1, e.id)
        .Bind(2, e.log_index)
        .Bind(3, e.received_hour)
        .Bind(4, e.size)
        .Bind(5, e.receipt_signature)
        .Bind(6, state);
    if (ins.Step() != SQLITE_DONE) return fail("store");
    Stmt c(db_, "INSERT INTO custody(envelope, at, investigator, event) VALUES(?,?,?,?)");
    c.Bind(1, e.id).Bind(2, now).Bind(3, investigator).Bind(4, OneLine(event));
    if (c.Step() != SQLITE_DONE) return fail("store");
    // An envelope not in the log yet leaves the cursor: its entry is listed when it is.
    if (e.log_index != kNotLogged) {
      Stmt m(db_, "UPDATE meta SET value=MAX(value, ?) WHERE key='sync_after'");
      m.Bind(1, e.log_index + 1);
      if (m.Step() != SQLITE_DONE) return fail("store");
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  return Status::Ok();
}

Result<bool> CaseStore::ReadChunk(const Digest32& id, uint64_t seq, std::vector<uint8_t>* out) {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT data FROM chunks WHERE owner=? AND seq=?");
  s.Bind(1, id).Bind(2, seq);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return false;
  if (rc != SQLITE_ROW) return DbError(db_, "read");
  const auto b = s.Blob(0);
  out->assign(b.begin(), b.end());
  return true;
}

Result<uint64_t> CaseStore::SharesCursor() {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT value FROM meta WHERE key='shares_after'");
  if (s.Step() != SQLITE_ROW) return DbError(db_, "read");
  return s.U64(0);
}

Status CaseStore::AddShare(uint64_t server_seq, std::span<const uint8_t> sealed) {
  const std::lock_guard lock(mu_);
  GAVAH_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  Stmt ins(db_, "INSERT OR IGNORE INTO shares(server_seq, sealed) VALUES(?,?)");
  ins.Bind(1, server_seq).Bind(2, sealed);
  Stmt m(db_, "UPDATE meta SET value=MAX(value, ?) WHERE key='shares_after'");
  m.Bind(1, server_seq + 1);
  if (ins.Step() != SQLITE_DONE || m.Step() != SQLITE_DONE ||
      sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Status st = DbError(db_, "store");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  }
  return Status::Ok();
}

Result<std::vector<std::vector<uint8_t>>> CaseStore::Shares() {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT sealed FROM shares ORDER BY server_seq");
  std::vector<std::vector<uint8_t>> out;
  for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
    if (rc != SQLITE_ROW) return DbError(db_, "read");
    const auto b = s.Blob(0);
    out.emplace_back(b.begin(), b.end());
  }
  return out;
}

Status CaseStore::SetAsideShare(std::span<const uint8_t> sealed) {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "UPDATE shares SET sealed=x'' WHERE sealed=?");
  s.Bind(1, sealed);
  if (s.Step() != SQLITE_DONE) return DbError(db_, "store");
  return Status::Ok();
}

Status CaseStore::SetLogIndex(const Digest32& id, uint64_t index) {
  const std::lock_guard lock(mu_);
  GAVAH_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  auto fail = [&](const char* what) {
    Status st = DbError(db_, what);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  };
  {
    Stmt u(db_, "UPDATE envelopes SET log_index=? WHERE id=?");
    u.Bind(1, index).Bind(2, id);
    if (u.Step() != SQLITE_DONE) return fail("store");
    Stmt m(db_, "UPDATE meta SET value=MAX(value, ?) WHERE key='sync_after'");
    m.Bind(1, index + 1);
    if (m.Step() != SQLITE_DONE) return fail("store");
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  return Status::Ok();
}

Result<uint64_t> CaseStore::LogSize() {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT COALESCE(MAX(idx) + 1, 0) FROM log");
  if (s.Step() != SQLITE_ROW) return DbError(db_, "read");
  return s.U64(0);
}

Status CaseStore::ReadLog(const std::function<Status(uint64_t, std::span<const uint8_t>)>& each) {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT idx, entry FROM log ORDER BY idx");
  uint64_t expect = 0;
  for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
    if (rc != SQLITE_ROW) return DbError(db_, "read");
    if (s.U64(0) != expect) return Error(ErrorCode::kIo, "the store's copy of the log has a gap");
    GAVAH_RETURN_IF_ERROR(each(expect++, s.Blob(1)));
  }
  return Status::Ok();
}

Status CaseStore::ExtendLog(uint64_t first, std::span<const std::vector<uint8_t>> entries,
                            std::string_view checkpoint) {
  const std::lock_guard lock(mu_);
  GAVAH_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  auto fail = [&](const char* what) {
    Status st = DbError(db_, what);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  };
  {
    for (size_t i = 0; i < entries.size(); ++i) {
      Stmt ins(db_, "INSERT INTO log(idx, entry) VALUES(?,?)");
      ins.Bind(1, first + i).Bind(2, entries[i]);
      if (ins.Step() != SQLITE_DONE) return fail("store");
    }
    Stmt c(db_, "INSERT OR REPLACE INTO blobs(key, value) VALUES('log_checkpoint', ?)");
    c.Bind(1, std::span(reinterpret_cast<const uint8_t*>(checkpoint.data()), checkpoint.size()));
    if (c.Step() != SQLITE_DONE) return fail("store");
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  return Status::Ok();
}

Status CaseStore::SetBlob(const std::string& key, std::span<const uint8_t> value) {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "INSERT OR REPLACE INTO blobs(key, value) VALUES(?, ?)");
  s.Bind(1, key).Bind(2, value);
  if (s.Step() != SQLITE_DONE) return DbError(db_, "store");
  return Status::Ok();
}

Status CaseStore::Annotate(const Digest32& id, const std::string& kind,
                           std::span<const uint8_t> text, const std::string& investigator,
                           uint64_t now) {
  const std::lock_guard lock(mu_);
  GAVAH_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  Stmt a(db_, "INSERT INTO annotations(envelope, at, kind, text) VALUES(?,?,?,?)");
  a.Bind(1, id).Bind(2, now).Bind(3, kind).Bind(4, text);
  bool ok = a.Step() == SQLITE_DONE;
  Stmt c(db_, "INSERT INTO custody(envelope, at, investigator, event) VALUES(?,?,?,?)");
  c.Bind(1, id).Bind(2, now).Bind(3, investigator).Bind(4, std::string("annotated (") + kind + ")");
  ok = ok && c.Step() == SQLITE_DONE;
  // Annotating does not hide that a testimony was replied to or exported.
  Stmt u(db_, "UPDATE envelopes SET state='annotated' WHERE id=? AND state IN ('new', 'opened')");
  u.Bind(1, id);
  ok = ok && u.Step() == SQLITE_DONE;
  if (!ok || sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Status st = DbError(db_, "store");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  }
  return Status::Ok();
}

Result<std::vector<CaseStore::Annotation>> CaseStore::Annotations(const Digest32& id) {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT at, kind, text FROM annotations WHERE envelope=? ORDER BY seq");
  s.Bind(1, id);
  std::vector<Annotation> out;
  for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
    if (rc != SQLITE_ROW) return DbError(db_, "read");
    out.push_back({s.U64(0), s.Text(1), SecretBuffer::CopyOf(s.Blob(2))});
  }
  return out;
}

Result<SecretBuffer> CaseStore::SecretBlob(const std::string& key) {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT value FROM blobs WHERE key=?");
  s.Bind(1, key);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return SecretBuffer();
  if (rc != SQLITE_ROW) return DbError(db_, "read");
  return SecretBuffer::CopyOf(s.Blob(0));
}

Result<std::vector<uint8_t>> CaseStore::Blob(const std::string& key) {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT value FROM blobs WHERE key=?");
  s.Bind(1, key);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::vector<uint8_t>();
  if (rc != SQLITE_ROW) return DbError(db_, "read");
  const auto b = s.Blob(0);
  return std::vector<uint8_t>(b.begin(), b.end());
}

Status CaseStore::Record(const Digest32& id, const std::string& investigator,
                         const std::string& event, const std::string& state, uint64_t now) {
  const std::lock_guard lock(mu_);
  GAVAH_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  Stmt c(db_, "INSERT INTO custody(envelope, at, investigator, event) VALUES(?,?,?,?)");
  c.Bind(1, id).Bind(2, now).Bind(3, investigator).Bind(4, OneLine(event));
  bool ok = c.Step() == SQLITE_DONE;
  if (ok && !state.empty()) {
    Stmt u(db_, "UPDATE envelopes SET state=? WHERE id=?");
    u.Bind(1, state).Bind(2, id);
    ok = u.Step() == SQLITE_DONE;
  }
  if (!ok || sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Status st = DbError(db_, "store");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  }
  return Status::Ok();
}

Status CaseStore::DropBytes(const Digest32& id) {
  const std::lock_guard lock(mu_);
  Stmt d(db_, "DELETE FROM chunks WHERE owner=?");
  d.Bind(1, id);
  if (d.Step() != SQLITE_DONE) return DbError(db_, "store");
  return Status::Ok();
}

Result<std::vector<CaseEnvelope>> CaseStore::List() {
  const std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT id, log_index, received_hour, size, receipt_signature, state FROM envelopes "
         "ORDER BY log_index");
  std::vector<CaseEnvelope> out;
  for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
    if (rc != SQLITE_ROW) return DbError(db_, "read");
    out.push_back(EnvelopeRow(s));
  }
  return out;
}

Result<std::optional<CaseEnvelope>> CaseStore::Find(const Digest32& id) {
  const std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT id, log_index, received_hour, size, receipt_signature, state FROM envelopes "
         "WHERE id=?");
  s.Bind(1, id);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<CaseEnvelope>();
  if (rc != SQLITE_ROW) return DbError(db_, "read");
  return std::optional<CaseEnvelope>(EnvelopeRow(s));
}

Result<std::vector<CustodyEvent>> CaseStore::Custody(const Digest32& id) {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT at, investigator, event FROM custody WHERE envelope=? ORDER BY seq");
  s.Bind(1, id);
  std::vector<CustodyEvent> out;
  for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
    if (rc != SQLITE_ROW) return DbError(db_, "read");
    out.push_back({s.U64(0), s.Text(1), s.Text(2)});
  }
  return out;
}

Status CaseStore::Index(std::span<const Reading> batch, const std::string& investigator,
                        const std::string& event, uint64_t now) {
  const std::lock_guard lock(mu_);
  GAVAH_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  auto fail = [&](const char* what) {
    Status st = DbError(db_, what);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  };
  {
    Stmt r(db_,
           "INSERT OR IGNORE INTO readings(id, language, consent, text_size, attachments) "
           "VALUES(?,?,?,?,?)");
    Stmt w(db_, "INSERT INTO words(docid, body) VALUES(?, ?)");
    Stmt c(db_, "INSERT INTO custody(envelope, at, investigator, event) VALUES(?,?,?,?)");
    Stmt u(db_, "UPDATE envelopes SET state='opened' WHERE id=? AND state='new'");
    Stmt d(db_, "DELETE FROM waiting WHERE id=?");
    Stmt b(db_, "INSERT OR REPLACE INTO blobs(key, value) VALUES(?, ?)");
    for (const Reading& e : batch) {
      r.Reset();
      r.Bind(1, e.id).Bind(2, e.language).Bind(4, e.text_size).Bind(5, e.attachments);
      if (e.consent) r.Bind(3, *e.consent);
      if (r.Step() != SQLITE_DONE) return fail("store");
      if (sqlite3_changes(db_) == 0) continue;  // indexed before
      const auto docid = static_cast<uint64_t>(sqlite3_last_insert_rowid(db_));
      w.Reset();
      w.Bind(1, docid).BindText(2, e.folded.span());
      c.Reset();
      c.Bind(1, e.id).Bind(2, now).Bind(3, investigator).Bind(4, OneLine(event));
      u.Reset();
      u.Bind(1, e.id);
      d.Reset();
      d.Bind(1, e.id);
      if (w.Step() != SQLITE_DONE || c.Step() != SQLITE_DONE || u.Step() != SQLITE_DONE ||
          d.Step() != SQLITE_DONE)
        return fail("store");
      const std::string hex = ToHex(e.id);
      b.Reset();
      b.Bind(1, "files:" + hex).Bind(2, e.files.span());
      if (b.Step() != SQLITE_DONE) return fail("store");
      if (!e.reply_keys.empty()) {
        b.Reset();
        b.Bind(1, "reply:" + hex).Bind(2, e.reply_keys);
        if (b.Step() != SQLITE_DONE) return fail("store");
      }
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  return Status::Ok();
}

Result<bool> CaseStore::Indexed(const Digest32& id) {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT 1 FROM readings WHERE id=?");
  s.Bind(1, id);
  const int rc = s.Step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return DbError(db_, "read");
  return rc == SQLITE_ROW;
}

Status CaseStore::SetWaiting(const Digest32& id, uint64_t threshold, uint64_t held,
                             const std::string& released_by) {
  const std::lock_guard lock(mu_);
  Stmt s(db_, "INSERT OR REPLACE INTO waiting(id, threshold, held, released_by) VALUES(?,?,?,?)");
  s.Bind(1, id).Bind(2, threshold).Bind(3, held).Bind(4, released_by);
  if (s.Step() != SQLITE_DONE) return DbError(db_, "store");
  return Status::Ok();
}

Result<std::vector<CaseStore::Row>> CaseStore::Rows(const RowFilter& filter) {
  const std::lock_guard lock(mu_);
  // The words, each as a prefix term: "گوهر" finds "گوهردشت", as a person typing expects.
  // Folded here, whatever the caller did: folding leaves no search syntax in the query.
  const SecretBuffer folded = FoldForSearch(filter.text.span());
  SecretBuffer match;
  for (size_t i = 0; i < folded.size(); ++i) {
    const uint8_t c = folded.data()[i];
    if (c == ' ') {
      match.Append("* ");
    } else {
      match.PushBack(c);
    }
  }
  if (!match.empty()) match.Append("*");
  Stmt s(db_,
         "SELECT e.id, e.log_index, e.received_hour, e.size, e.receipt_signature, e.state,"
         " r.id IS NOT NULL, COALESCE(r.language, ''), r.consent, COALESCE(r.attachments, 0),"
         " COALESCE(w.threshold, 0), COALESCE(w.held, 0), COALESCE(w.released_by, ''),"
         " (SELECT group_concat(CAST(a.text AS TEXT), char(31)) FROM annotations a"
         "   WHERE a.envelope=e.id AND a.kind='tag')"
         " FROM envelopes e LEFT JOIN readings r ON r.id=e.id LEFT JOIN waiting w ON w.id=e.id"
         " WHERE (?1 = '' OR e.state=?1)"
         " AND (length(?2) = 0 OR EXISTS(SELECT 1 FROM annotations a WHERE a.envelope=e.id"
         "   AND a.kind='tag' AND a.text=?2))"
         " AND e.received_hour >= ?3 AND (?4 IS NULL OR e.received_hour <= ?4)"
         " AND (length(?5) = 0 OR r.docid IN (SELECT docid FROM words WHERE words MATCH ?5))"
         " ORDER BY e.received_hour DESC, e.log_index DESC");
  s.Bind(1, filter.state).Bind(2, filter.tag.span()).Bind(3, filter.from_hour);
  s.Bind(4, filter.to_hour).BindText(5, match.span());
  std::vector<Row> out;
  for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
    if (rc != SQLITE_ROW) return DbError(db_, "read");
    Row row;
    row.envelope = EnvelopeRow(s);
    row.indexed = s.U64(6) != 0;
    row.language = s.Text(7);
    if (!s.IsNull(8)) row.consent = s.Text(8);
    row.attachments = s.U64(9);
    row.threshold = s.U64(10);
    row.held = s.U64(11);
    row.released_by = s.Text(12);
    row.tags = SecretBuffer::CopyOf(s.Blob(13));
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace gavah::cli
