// One prepared SQLite statement for one use, for the stores that need no statement cache (the
// investigator's case store, a relay's book). A statement that failed to prepare makes every
// Step() an error, which the caller reports with sqlite3_errmsg.
#pragma once

#include <sodium.h>
#include <sqlite3.h>
#include <time.h>

#include <cstdint>
#include <span>
#include <string>

#include "gavah/crypto/secret_buffer.h"

namespace gavah::sql {

// The largest integer SQLite stores; every uint64 a peer sends is checked against it.
inline constexpr uint64_t kMaxSqlInteger = INT64_MAX;

// Waits for another connection's write lock in steps of 250 µs, up to `timeout_ms`. SQLite's own
// busy timeout sleeps in steps of up to 100 ms, which starves a writer that alternates with
// another connection's short commits (a relay's intake and its forwarder share one file).
inline void WaitWhenBusy(sqlite3* db, int timeout_ms) {
  sqlite3_busy_handler(
      db,
      [](void* limit, int tries) {
        if (tries >= static_cast<int>(reinterpret_cast<intptr_t>(limit))) return 0;
        struct timespec ts {
          0, 250000
        };
        nanosleep(&ts, nullptr);
        return 1;
      },
      reinterpret_cast<void*>(static_cast<intptr_t>(timeout_ms) * 4));
}

// Keys a SQLCipher connection with a raw 32-byte key (x'...' skips SQLCipher's passphrase KDF;
// the text lives in secret memory) and sets the 4 KiB page size every Gavah database uses.
// False when SQLCipher refuses; a wrong key shows only at the first read.
inline bool KeyRaw(sqlite3* db, const SecretBuffer& key) {
  SecretBuffer raw;
  raw.Append("x'");
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
  raw.Append(std::string_view(hex, 64));
  sodium_memzero(hex, sizeof hex);
  raw.Append("'");
  return key.size() == 32 &&
         sqlite3_key(db, raw.data(), static_cast<int>(raw.size())) == SQLITE_OK &&
         sqlite3_exec(db, "PRAGMA cipher_page_size = 4096", nullptr, nullptr, nullptr) == SQLITE_OK;
}

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& Bind(int i, std::span<const uint8_t> b) {
    if (b.empty()) {
      sqlite3_bind_zeroblob(s_, i, 0);  // a null pointer would bind NULL, not an empty blob
    } else {
      sqlite3_bind_blob(s_, i, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
    }
    return *this;
  }
  Stmt& Bind(int i, const std::string& t) {
    sqlite3_bind_text(s_, i, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // SQLite integers are signed: a value past INT64_MAX would turn negative and match from the
  // start (a request "after 2^63" answering from entry 0). Callers range-check what comes from
  // the network (kMaxSqlInteger); should one slip through, it binds NULL, which matches nothing.
  Stmt& Bind(int i, uint64_t v) {
    if (v > kMaxSqlInteger) {
      sqlite3_bind_null(s_, i);
    } else {
      sqlite3_bind_int64(s_, i, static_cast<sqlite3_int64>(v));
    }
    return *this;
  }
  // Text held in secret memory, bound without a copy outside SQLite's own (wiped) allocations.
  Stmt& BindText(int i, std::span<const uint8_t> t) {
    // A null pointer would bind NULL, not the empty text.
    sqlite3_bind_text(s_, i, t.empty() ? "" : reinterpret_cast<const char*>(t.data()),
                      static_cast<int>(t.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // For the same statement once more, with new bindings.
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  bool IsNull(int c) { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  int Step() { return s_ ? sqlite3_step(s_) : SQLITE_ERROR; }
  uint64_t U64(int c) { return static_cast<uint64_t>(sqlite3_column_int64(s_, c)); }
  std::span<const uint8_t> Blob(int c) {
    return {static_cast<const uint8_t*>(sqlite3_column_blob(s_, c)),
            static_cast<size_t>(sqlite3_column_bytes(s_, c))};
  }
  std::string Text(int c) {
    const auto* t = sqlite3_column_text(s_, c);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string();
  }

 private:
  sqlite3_stmt* s_ = nullptr;
};

}  // namespace gavah::sql
