// The intake's transparency log (docs/PROTOCOL.md section 12): an RFC 6962 tree over every stored
// envelope and deletion statement, integrated in shuffled batches, signed as c2sp.org checkpoints
// with the receipt key, cosigned by the bundle's witnesses, and served as tlog-tiles.
//
// The entries are kept in the store (SQLCipher) and are the log's truth; the tree is rebuilt
// from them at start (32 bytes an entry in memory) and checked against the last checkpoint the
// log signed, so a changed database is found before it is served.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "envelope_store.h"
#include "gavah/crypto/intake_log.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/tlog.h"
#include "http_lite.h"

namespace gavah::server {

struct LogWitness {
  std::string address;  // host:port of its add-checkpoint endpoint
  tlog::VerifierKey key;
};

struct LogOptions {
  // How often waiting entries join the log. One hour by default: a batch then holds everything
  // that came within the hour the entry names anyway, so the log's growth dates no envelope more
  // closely than its receipt does, and the order within the batch is random.
  uint64_t batch_seconds = 3600;
  std::vector<LogWitness> witnesses;
  size_t quorum = 0;
  // How a checkpoint reaches a witness (HttpPost, unless a test replaces it).
  std::function<Result<HttpAnswer>(const std::string& address, const std::string& path,
                                   const std::string& body)>
      post;
  // Told one line for the operator about witnesses and batches (never an envelope or a peer).
  std::function<void(const std::string&)> report;
  // For `log export` without the bundle: serve the newest cosigned checkpoint, else the newest
  // signed one.
  bool export_cosigned = false;
};

class TransparencyLog {
 public:
  // Loads the log from `store` (which it sets logging) and checks it against its last
  // checkpoint: kTampered when the entries no longer lead to what the log signed.
  static Result<std::unique_ptr<TransparencyLog>> Open(EnvelopeStore* store, const ReceiptKey& key,
                                                       LogOptions options);
  ~TransparencyLog();

  // Integrates every waiting entry, signs a checkpoint when the tree grew (or has none), and
  // submits it to the witnesses. Answers how many entries joined.
  Result<uint64_t> RunBatch(uint64_t now_unix);
  // Runs batches every batch_seconds on a thread of its own until destroyed.
  void Start();

  // The hour by which an envelope received in `hour` is in a checkpoint (the receipt's promise).
  uint64_t IncludeBy(uint64_t hour) const;
  const std::string& origin() const { return origin_; }

  // The checkpoint served: the newest with the bundle's quorum of cosignatures (the newest the
  // log signed, without witnesses). Empty before the first batch.
  std::string Checkpoint() const;
  uint64_t served_size() const;
  // A c2sp.org/tlog-proof for the envelope under the served checkpoint; empty while the envelope
  // waits for a batch or for its witnesses.
  Result<std::string> ProofFor(const Digest32& id) const;
  Result<std::vector<Digest32>> Consistency(uint64_t old_size, uint64_t new_size) const;
  // "checkpoint", a tile or an entry bundle of the served tree, by its tlog-tiles path.
  Result<std::vector<uint8_t>> Read(std::string_view path) const;
  // Writes the served tree as the static files tlog-tiles describes (checkpoint, tile/<L>/...,
  // tile/entries/...) under `dir`, created if missing.
  Status Export(const std::string& dir) const;

 private:
  TransparencyLog(EnvelopeStore* store, tlog::NoteSigner signer, LogOptions options);
  Status Load();
  // Submits `note` (size `size`) to each witness; answers the note with the cosignatures got.
  std::string Witness(const std::string& note, uint64_t size);

  EnvelopeStore* const store_;
  const tlog::NoteSigner signer_;
  const std::string origin_;
  LogOptions options_;
  std::mutex batch_mu_;  // one batch at a time
  // A plain mutex, not a reader-writer one: a flood of proof requests must not starve the batch.
  mutable std::mutex mu_;
  tlog::MerkleTree tree_;     // guarded by mu_
  std::string signed_;        // guarded by mu_: the newest checkpoint the log signed
  std::string served_;        // guarded by mu_
  uint64_t served_size_ = 0;  // guarded by mu_
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;  // guarded by stop_mu_
  std::thread thread_;
};

// The note signer of the log a receipt key keeps: the origin's name and the key.
tlog::NoteSigner LogSigner(const ReceiptKey& key);

}  // namespace gavah::server
