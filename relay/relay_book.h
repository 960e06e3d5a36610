// What a relay keeps besides its queue, in the same SQLCipher file: the organisations it serves
// (their signed bundles and how forwarding to them goes) and, for a while, the server receipts
// of envelopes it has forwarded, so witnesses can fetch them here. Nothing in it records a
// sender, an exact time, or the order in which envelopes arrived.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gavah/crypto/bundle.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah::relay {

struct Organisation {
  std::vector<uint8_t> bundle;     // the signed bundle file
  uint64_t failures = 0;           // upstream failures in a row (backoff)
  uint64_t last_success_hour = 0;  // 0 = never
  std::string last_error;          // the last upstream failure, already made safe to print
};

struct QueueStats {
  Fingerprint organisation{};
  uint64_t envelopes = 0;
  uint64_t bytes = 0;
  uint64_t oldest_hour = 0;
};

class RelayBook {
 public:
  // Opens the relay's database at `path` (keyed with the raw 32-byte `key`), creating the
  // relay's tables if needed. The queue's own tables belong to EnvelopeStore.
  static Result<std::unique_ptr<RelayBook>> Open(const std::string& path, const SecretBuffer& key);
  ~RelayBook();

  // Adds a bundle, or replaces the one of the same organisation.
  Status PutOrganisation(const RecipientBundle& bundle);
  Result<std::vector<Organisation>> Organisations();
  // Records the outcome of a round of forwarding for one organisation.
  Status RecordUpstream(const Fingerprint& org, bool ok, const std::string& error, uint64_t hour);

  // Server receipts of forwarded envelopes (verified before they get here) are recorded and
  // those envelopes deleted from the queue, in one transaction. Answers the bytes freed.
  Result<uint64_t> RecordForwarded(const std::vector<Receipt>& receipts, uint64_t hour);
  Result<std::optional<Receipt>> FindForwarded(const Digest32& id);
  // The server's inclusion proof (c2sp.org/tlog-proof) for a forwarded envelope, once fetched
  // (empty before), and up to `limit` envelopes still without one, in random order, each with
  // its organisation.
  Result<std::string> ForwardedProof(const Digest32& id);
  Result<std::vector<std::pair<Digest32, Fingerprint>>> ForwardedWithoutProof(size_t limit);
  Status SetForwardedProof(const Digest32& id, const std::string& proof);
  // Forgets receipts of envelopes forwarded before `cutoff_hour`; returns how many.
  Result<uint64_t> PruneForwarded(uint64_t cutoff_hour);

  // Up to `limit` queued envelopes picked at random (SQLite's random()), each with its
  // organisation id and, when it is at most `inline_max` bytes and stored whole, its bytes. Read
  // on this connection, so a round never waits behind the queue's commits (WAL readers do not).
  struct Sampled {
    Digest32 id{};
    uint64_t size = 0;
    Fingerprint organisation{};
    SecretBuffer bytes;  // ciphertext; empty unless small
  };
  // At most `inline_budget` bytes in all come inline; the rest are read while sent.
  Result<std::vector<Sampled>> Sample(size_t limit, uint64_t inline_max, uint64_t inline_budget);
  // Checkpoints the WAL into the database and truncates it.
  Status Checkpoint();
  // A queued envelope's chunk lengths in order, and one chunk.
  Result<std::vector<uint64_t>> ChunkLengths(const Digest32& id);
  Status ReadChunk(const Digest32& id, uint64_t seq, SecretBuffer& out);

  // Per organisation: queued envelopes, their bytes and the oldest one's hour (read from each
  // envelope's header: the queue itself stores no organisation).
  Result<std::vector<QueueStats>> Queue();
  // Uploads begun and not finished, and forwarded receipts held.
  Result<uint64_t> UnfinishedUploads();
  Result<uint64_t> ForwardedHeld();

 private:
  explicit RelayBook(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql);
  sqlite3* db_;
};

}  // namespace gavah::relay
