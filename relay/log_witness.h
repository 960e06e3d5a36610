// A witness of Gavah's transparency logs (c2sp.org/tlog-witness add-checkpoint, cosigning with
// c2sp.org/tlog-cosignature v1): it cosigns a checkpoint only when it consistently extends the
// last one it cosigned for that log, and keeps that checkpoint durably before it answers, so a
// server cannot show two histories to people who check with the same witnesses.
//
// The witness's folder: witness.key (the Ed25519 seed, 0600), witness.pub (its verifier key),
// witness.conf (listen, name), and logs/<SHA-256 of the origin>, one cosigned note per log,
// replaced atomically (written beside it, synced, renamed, folder synced).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gavah/crypto/keys.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"
#include "gavah/crypto/tlog.h"
#include "http_lite.h"

namespace gavah::relay {

class LogWitness {
 public:
  // At most this many logs are kept: a standalone witness takes any Gavah log, whose origin
  // names its key, and must not let strangers fill its disk.
  static constexpr size_t kMaxLogs = 1024;

  // Creates the folder `dir` (which must not exist) with a new key. `name` empty: a name made
  // from the key. Answers the verifier key text written to witness.pub.
  static Result<std::string> Init(const std::string& dir, const std::string& name,
                                  const std::string& listen);
  // `seed`: witness.key's contents. `logs`: the receipt keys whose logs it witnesses; empty: any
  // Gavah log.
  static Result<std::unique_ptr<LogWitness>> Open(const std::string& dir, const SecretBuffer& seed,
                                                  std::vector<PublicKey32> logs = {});

  // Answers one HTTP request: POST /add-checkpoint.
  server::HttpAnswer Handle(const std::string& method, const std::string& path,
                            const std::string& body, uint64_t now_unix);
  const tlog::VerifierKey& key() const { return key_; }
  const std::string& listen() const { return listen_; }

 private:
  LogWitness() = default;

 public:
  ~LogWitness();
  LogWitness(const LogWitness&) = delete;
  LogWitness& operator=(const LogWitness&) = delete;

 private:
  Result<std::optional<tlog::WitnessedCheckpoint>> Last(const std::string& origin) const;
  Status Keep(const std::string& origin, const tlog::WitnessedCheckpoint& c);
  std::string dir_, listen_;
  tlog::NoteSigner signer_;
  tlog::VerifierKey key_;
  std::vector<PublicKey32> logs_;
  std::mutex mu_;     // one decision and its write at a time: no rollback by racing requests
  int lock_fd_ = -1;  // witness.key, locked: one process per witness folder
};

}  // namespace gavah::relay
