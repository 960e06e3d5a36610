#include "relay_book.h"

#include <array>
#include <cstring>

#include "clock.h"
#include "sqlite_stmt.h"

namespace gavah::relay {
namespace {

using sql::Stmt;

Status DbError(sqlite3* db, const std::string& what) {
  if (sqlite3_errcode(db) == SQLITE_FULL)
    return Error(ErrorCode::kTooLarge, "relay storage is full");
  return Error(ErrorCode::kIo, "relay store: " + what + ": " + sqlite3_errmsg(db));
}

template <size_t N>
bool CopyBlob(std::span<const uint8_t> b, std::array<uint8_t, N>& out) {
  if (b.size() != N) return false;
  std::memcpy(out.data(), b.data(), N);
  return true;
}

}  // namespace

Result<std::unique_ptr<RelayBook>> RelayBook::Open(const std::string& path,
                                                   const SecretBuffer& key) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Error(ErrorCode::kIo, "cannot open the relay database " + path + ": " + msg);
  }
  std::unique_ptr<RelayBook> book(new RelayBook(db));
  if (!sql::KeyRaw(db, key)) return Error(ErrorCode::kIo, "cannot key the relay database");
  if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) !=
      SQLITE_OK) {
    return Error(ErrorCode::kInvalidArgument, "database key does not match " + path);
  }
  sql::WaitWhenBusy(db, 10000);
  GAVAH_RETURN_IF_ERROR(book->Exec("PRAGMA journal_mode=WAL"));
  GAVAH_RETURN_IF_ERROR(book->Exec("PRAGMA synchronous=FULL"));
  // Deleted envelopes and receipts are overwritten, not left in free pages (this connection
  // does the deleting).
  GAVAH_RETURN_IF_ERROR(book->Exec("PRAGMA secure_delete=ON"));
  GAVAH_RETURN_IF_ERROR(book->Exec(
      "CREATE TABLE IF NOT EXISTS relay_organisations(org BLOB PRIMARY KEY, bundle BLOB NOT NULL,"
      "  failures INTEGER NOT NULL DEFAULT 0, last_success_hour INTEGER NOT NULL DEFAULT 0,"
      "  last_error TEXT NOT NULL DEFAULT '') WITHOUT ROWID;"
      // Keyed by envelope id, WITHOUT ROWID: rows sit in id order, which says nothing about
      // when or in which order envelopes came.
      // A receipt is the server's promise of inclusion; `proof` its tlog-proof once the server
      // has one (the table of an earlier release held receipts no client can check now).
      "DROP TABLE IF EXISTS relay_forwarded;"
      "CREATE TABLE IF NOT EXISTS relay_receipts(id BLOB PRIMARY KEY, include_by INTEGER NOT "
      "NULL, received_hour INTEGER NOT NULL, signature BLOB NOT NULL, forwarded_hour INTEGER "
      "NOT NULL, proof BLOB NOT NULL DEFAULT '', org BLOB NOT NULL DEFAULT x'') WITHOUT ROWID;"));
  return book;
}

RelayBook::~RelayBook() { sqlite3_close(db_); }

Status RelayBook::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    return DbError(db_, "database");
  return Status::Ok();
}

Status RelayBook::PutOrganisation(const RecipientBundle& bundle) {
  // The book keeps the newest bundle each organisation issued: an older one handed to the relay
  // later may list a server the organisation has left, or an investigator it removed.
  Stmt old(db_, "SELECT bundle FROM relay_organisations WHERE org=?");
  old.Bind(1, bundle.organisation_fingerprint());
  if (old.Step() == SQLITE_ROW) {
    const auto bytes = old.Blob(0);
    auto previous = RecipientBundle::Parse(std::vector<uint8_t>(bytes.begin(), bytes.end()));
    if (previous.ok() && bundle.contents().issued_at < previous->contents().issued_at) {
      return Error(ErrorCode::kInvalidArgument,
                   "this bundle was issued " + UtcTime(bundle.contents().issued_at) +
                       ", but the relay already serves one of the same organisation issued " +
                       UtcTime(previous->contents().issued_at) +
                       "; an older bundle is refused (it may list servers or investigators the "
                       "organisation has removed)");
    }
  }
  // SQLCipher 3.4's SQLite has no upsert; its forwarding state stays with a replaced bundle.
  Stmt u(db_, "UPDATE relay_organisations SET bundle=?2 WHERE org=?1");
  u.Bind(1, bundle.organisation_fingerprint()).Bind(2, bundle.bytes());
  if (u.Step() != SQLITE_DONE) return DbError(db_, "add organisation");
  if (sqlite3_changes(db_) > 0) return Status::Ok();
  Stmt s(db_, "INSERT INTO relay_organisations(org, bundle) VALUES(?,?)");
  s.Bind(1, bundle.organisation_fingerprint()).Bind(2, bundle.bytes());
  if (s.Step() != SQLITE_DONE) return DbError(db_, "add organisation");
  return Status::Ok();
}

Result<std::vector<Organisation>> RelayBook::Organisations() {
  Stmt s(db_,
         "SELECT bundle, failures, last_success_hour, last_error FROM relay_organisations ORDER "
         "BY org");
  std::vector<Organisation> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    Organisation o;
    const auto b = s.Blob(0);
    o.bundle.assign(b.begin(), b.end());
    o.failures = s.U64(1);
    o.last_success_hour = s.U64(2);
    o.last_error = s.Text(3);
    out.push_back(std::move(o));
  }
  if (rc != SQLITE_DONE) return DbError(db_, "read organisations");
  return out;
}

Status RelayBook::RecordUpstream(const Fingerprint& org, bool ok, const std::string& error,
                                 uint64_t hour) {
  Stmt s(db_, ok ? "UPDATE relay_organisations SET failures=0, last_success_hour=?2, "
                   "last_error='' WHERE org=?1"
                 : "UPDATE relay_organisations SET failures=failures+1, last_error=?3 WHERE "
                   "org=?1");
  s.Bind(1, org);
  if (ok) {
    s.Bind(2, hour);
  } else {
    s.Bind(3, error.substr(0, 300));
  }
  if (s.Step() != SQLITE_DONE) return DbError(db_, "record upstream");
  return Status::Ok();
}

Result<uint64_t> RelayBook::RecordForwarded(const std::vector<Receipt>& receipts, uint64_t hour) {
  if (receipts.empty()) return uint64_t{0};
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
    return DbError(db_, "record receipts");
  auto fail = [&] {
    Status st = DbError(db_, "record receipts");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  };
  uint64_t freed = 0;
  for (const auto& r : receipts) {
    // Whose envelope it was (bytes 8..23 of its header, PROTOCOL 3.1), so that its proof is asked
    // of that organisation's server alone; from the receipt already held when forwarded twice.
    std::vector<uint8_t> org;
    {
      Stmt o(db_,
             "SELECT COALESCE((SELECT substr(data, 9, 16) FROM chunks WHERE owner=?1 AND seq=0), "
             "(SELECT org FROM relay_receipts WHERE id=?1), x'')");
      o.Bind(1, r.envelope_id);
      if (o.Step() != SQLITE_ROW) return fail();
      org.assign(o.Blob(0).begin(), o.Blob(0).end());
    }
    Stmt s(db_,
           "INSERT OR REPLACE INTO relay_receipts(id, include_by, received_hour, signature, "
           "forwarded_hour, org) VALUES(?,?,?,?,?,?)");
    s.Bind(1, r.envelope_id).Bind(2, r.include_by).Bind(3, r.received_hour).Bind(4, r.signature);
    s.Bind(5, hour).Bind(6, org);
    if (s.Step() != SQLITE_DONE) return fail();
    Stmt size(db_, "SELECT size FROM envelopes WHERE id=?");
    size.Bind(1, r.envelope_id);
    const int rc = size.Step();
    if (rc == SQLITE_DONE) continue;  // removed already (forwarded twice)
    if (rc != SQLITE_ROW) return fail();
    freed += size.U64(0);
    Stmt c(db_, "DELETE FROM chunks WHERE owner=?");
    c.Bind(1, r.envelope_id);
    Stmt e(db_, "DELETE FROM envelopes WHERE id=?");
    e.Bind(1, r.envelope_id);
    if (c.Step() != SQLITE_DONE || e.Step() != SQLITE_DONE) return fail();
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail();
  return freed;
}

Result<std::optional<Receipt>> RelayBook::FindForwarded(const Digest32& id) {
  Stmt s(db_, "SELECT include_by, received_hour, signature FROM relay_receipts WHERE id=?");
  s.Bind(1, id);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Receipt>();
  if (rc != SQLITE_ROW) return DbError(db_, "read receipt");
  Receipt r;
  r.envelope_id = id;
  r.include_by = s.U64(0);
  r.received_hour = s.U64(1);
  if (!CopyBlob(s.Blob(2), r.signature))
    return Error(ErrorCode::kMalformed, "stored receipt is damaged");
  return std::optional<Receipt>(r);
}

Result<std::string> RelayBook::ForwardedProof(const Digest32& id) {
  Stmt s(db_, "SELECT proof FROM relay_receipts WHERE id=?");
  s.Bind(1, id);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::string();
  if (rc != SQLITE_ROW) return DbError(db_, "read receipt");
  const auto b = s.Blob(0);
  return std::string(b.begin(), b.end());
}

Result<std::vector<std::pair<Digest32, Fingerprint>>> RelayBook::ForwardedWithoutProof(
    size_t limit) {
  Stmt s(db_,
         "SELECT id, org FROM relay_receipts WHERE length(proof)=0 AND length(org)=16 ORDER BY "
         "random() LIMIT ?");
  s.Bind(1, static_cast<uint64_t>(limit));
  std::vector<std::pair<Digest32, Fingerprint>> out;
  for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
    if (rc != SQLITE_ROW) return DbError(db_, "read receipts");
    Digest32 id{};
    Fingerprint org{};
    if (!CopyBlob(s.Blob(0), id) || !CopyBlob(s.Blob(1), org))
      return Error(ErrorCode::kMalformed, "stored receipt is damaged");
    out.emplace_back(id, org);
  }
  return out;
}

Status RelayBook::SetForwardedProof(const Digest32& id, const std::string& proof) {
  Stmt s(db_, "UPDATE relay_receipts SET proof=? WHERE id=?");
  s.Bind(1, std::span(reinterpret_cast<const uint8_t*>(proof.data()), proof.size())).Bind(2, id);
  if (s.Step() != SQLITE_DONE) return DbError(db_, "record proof");
  return Status::Ok();
}

Result<uint64_t> RelayBook::PruneForwarded(uint64_t cutoff_hour) {
  Stmt s(db_, "DELETE FROM relay_receipts WHERE forwarded_hour < ?");
  s.Bind(1, cutoff_hour);
  if (s.Step() != SQLITE_DONE) return DbError(db_, "prune receipts");
  return static_cast<uint64_t>(sqlite3_changes(db_));
}

Status RelayBook::Checkpoint() { return Exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

Result<std::vector<RelayBook::Sampled>> RelayBook::Sample(size_t limit, uint64_t inline_max,
                                                          uint64_t inline_budget) {
  // Ids first, from the small envelopes table only: sorting the chunks themselves by random()
  // would read (and decrypt) every queued byte each round.
  std::vector<Sampled> out;
  {
    Stmt s(db_, "SELECT id, size FROM envelopes ORDER BY random() LIMIT ?");
    s.Bind(1, static_cast<uint64_t>(limit));
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      Sampled q;
      if (!CopyBlob(s.Blob(0), q.id)) continue;
      q.size = s.U64(1);
      out.push_back(std::move(q));
    }
    if (rc != SQLITE_DONE) return DbError(db_, "sample the queue");
  }
  // Chunk 0 always holds the whole header (intake refuses a first message without it), so the
  // organisation id is bytes 8..23 of it (PROTOCOL 3.1).
  std::vector<Sampled> read;
  uint64_t inlined = 0;
  for (auto& q : out) {
    if (inlined + q.size > inline_budget) inline_max = 0;
    Stmt c(db_,
           "SELECT substr(data, 9, 16), CASE WHEN length(data) = ?2 AND ?2 <= ?3 THEN data END "
           "FROM chunks WHERE owner = ?1 AND seq = 0");
    c.Bind(1, q.id).Bind(2, q.size).Bind(3, inline_max);
    const int rc = c.Step();
    if (rc == SQLITE_DONE) continue;  // forwarded and removed meanwhile
    if (rc != SQLITE_ROW) return DbError(db_, "sample the queue");
    if (!CopyBlob(c.Blob(0), q.organisation)) continue;
    if (const auto b = c.Blob(1); !b.empty()) {
      q.bytes.Append(b);
      inlined += b.size();
    }
    read.push_back(std::move(q));
  }
  return read;
}

Result<std::vector<uint64_t>> RelayBook::ChunkLengths(const Digest32& id) {
  Stmt s(db_, "SELECT length(data) FROM chunks WHERE owner=? ORDER BY seq");
  s.Bind(1, id);
  std::vector<uint64_t> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(s.U64(0));
  if (rc != SQLITE_DONE) return DbError(db_, "read chunks");
  return out;
}

Status RelayBook::ReadChunk(const Digest32& id, uint64_t seq, SecretBuffer& out) {
  Stmt c(db_, "SELECT data FROM chunks WHERE owner=? AND seq=?");
  c.Bind(1, id).Bind(2, seq);
  const int rc = c.Step();
  if (rc == SQLITE_DONE) return Error(ErrorCode::kTruncated, "chunk missing");
  if (rc != SQLITE_ROW) return DbError(db_, "read chunks");
  out.Clear();
  out.Append(c.Blob(0));
  return Status::Ok();
}

Result<std::vector<QueueStats>> RelayBook::Queue() {
  // Bytes 8..23 of every envelope are its organisation id (PROTOCOL 3.1); chunk 0 always holds
  // the whole header, because intake refuses a first message without it.
  Stmt s(db_,
         "SELECT substr(c.data, 9, 16) AS org, COUNT(*), SUM(e.size), MIN(e.received_hour) FROM "
         "envelopes e JOIN chunks c ON c.owner = e.id AND c.seq = 0 GROUP BY org ORDER BY org");
  std::vector<QueueStats> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    QueueStats q;
    if (!CopyBlob(s.Blob(0), q.organisation)) continue;
    q.envelopes = s.U64(1);
    q.bytes = s.U64(2);
    q.oldest_hour = s.U64(3);
    out.push_back(q);
  }
  if (rc != SQLITE_DONE) return DbError(db_, "read the queue");
  return out;
}

Result<uint64_t> RelayBook::UnfinishedUploads() {
  Stmt s(db_, "SELECT COUNT(*) FROM uploads");
  if (s.Step() != SQLITE_ROW) return DbError(db_, "read the queue");
  return s.U64(0);
}

Result<uint64_t> RelayBook::ForwardedHeld() {
  Stmt s(db_, "SELECT COUNT(*) FROM relay_receipts");
  if (s.Step() != SQLITE_ROW) return DbError(db_, "read receipts");
  return s.U64(0);
}

}  // namespace gavah::relay
