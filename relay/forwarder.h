// Forwards a relay's queue upstream so that arrival at the server says little about when and in
// which order envelopes reached the relay (docs/PROTOCOL.md, "Relays"): rounds start after
// exponentially distributed pauses; each round takes a random sample of the queue, shuffles it,
// mixes in cover submissions, and sends everything over a few parallel streams. An envelope
// leaves the queue only once the server's receipt for it has been verified and recorded.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "envelope_store.h"
#include "gavah/crypto/bundle.h"
#include "gavah/v1/intake.pb.h"
#include "intake_client.h"
#include "relay_book.h"

namespace gavah::relay {

struct ForwarderOptions {
  double delay_mean_seconds = 5;  // mean pause between rounds; 0 = forward at once
  size_t batch_max = 64;          // envelopes per round at most
  unsigned streams = 4;           // parallel upstream sends
  // Each round carries at least this many submissions per organisation, cover making up the
  // difference, so a round with one real envelope looks like a round with none.
  unsigned cover_round_size = 2;
  uint64_t backoff_max_seconds = 900;
  uint64_t receipt_days = 30;  // how long forwarded receipts stay fetchable here
  uint64_t upload_timeout_hours = 24;
  std::string proxy;             // http://HOST:PORT, or direct
  std::optional<uint64_t> seed;  // tests only: reproducible pauses and shuffles
};

// The size of a real envelope for `bundle` whose plaintext, padded, is PaddedLength(length):
// what a cover submission imitates (docs/PROTOCOL.md 8.3).
uint64_t CoverEnvelopeSize(const RecipientBundle& bundle, uint64_t length);

// The relay's randomness for pauses, samples and shuffles: libsodium's generator, or a seeded
// Mersenne Twister only when a test asked for reproducibility.
class RoundRandom {
 public:
  using result_type = uint64_t;
  explicit RoundRandom(std::optional<uint64_t> seed);
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return UINT64_MAX; }
  result_type operator()();

 private:
  std::optional<std::mt19937_64> seeded_;
};

class Forwarder {
 public:
  // Pointers are not owned and outlive the forwarder. `organisations` are the served bundles.
  // `recorder` is another connection to the same file (never `book` itself: its transactions
  // would take in the round thread's writes), on which receipts are recorded while `book`
  // samples the next round.
  Forwarder(server::EnvelopeStore* queue, RelayBook* book, RelayBook* recorder,
            std::vector<const RecipientBundle*> organisations, ForwarderOptions options);
  ~Forwarder();
  void Start();
  void Stop();
  // A new envelope is queued: with no delay, the next round starts now.
  void Nudge();

  // Replies for a witness's mailbox, from what an earlier round fetched. Never asks the server
  // while the witness waits (the two requests could be matched by their timing): false means
  // the mailbox is now on the list for the next round, and the witness should ask again.
  // `peer` (the connection, memory only) bounds how many mailboxes one connection can have
  // waiting, so a flood of made-up mailboxes cannot crowd out a real one.
  // The organisation's server's log, passed on as it answers (public data, asked while the
  // witness waits: it names no envelope).
  Result<std::vector<uint8_t>> ReadLog(const Fingerprint& organisation, const std::string& path);
  Result<std::vector<Digest32>> LogConsistency(const Fingerprint& organisation, uint64_t old_size,
                                               uint64_t new_size);
  bool Replies(const Fingerprint& organisation, const Digest32& mailbox, uint64_t after,
               const std::string& peer, gavah::v1::FetchRepliesResponse* out);

  uint64_t forwarded_count() const { return forwarded_; }

 private:
  struct Upstream {
    const RecipientBundle* bundle;
    std::unique_ptr<transport::Uplink> uplink;
    uint64_t failures = 0;
    std::chrono::steady_clock::time_point next_try{};
    bool reported_down = false;
    uint64_t last_success_hour = 0;  // as last written to the book
  };
  void Run();
  // Records delivered receipts (and removes their envelopes) while the next round sends.
  void Record();
  // Answers how many envelopes it tried to send.
  size_t Round();
  void FetchPendingReplies();
  // Fetches, in each round, the servers' inclusion proofs of a few forwarded envelopes that
  // have none yet, so a witness asking the relay never makes it ask about that envelope then.
  void FetchProofs();
  void Sleep(double seconds);
  double Exponential(double mean);
  std::chrono::seconds Backoff(uint64_t failures);

  server::EnvelopeStore* queue_;
  RelayBook* book_;
  ForwarderOptions options_;
  // Changed by the round thread only; the log calls read the uplinks, which never change.
  std::map<Fingerprint, Upstream> upstreams_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;    // guarded by mu_
  bool nudged_ = false;  // guarded by mu_
  RoundRandom rng_;      // round thread only
  std::thread thread_;
  std::atomic<uint64_t> forwarded_{0};
  RelayBook* recorder_book_;
  std::mutex record_mu_;
  std::condition_variable record_cv_;
  std::deque<std::vector<Receipt>> to_record_;  // guarded by record_mu_
  std::set<Digest32> in_flight_;       // delivered, not yet recorded; guarded by record_mu_
  bool record_stop_ = false;           // guarded by record_mu_
  uint64_t last_checkpoint_hour_ = 0;  // recorder thread only
  std::thread recorder_;
  // Envelopes a server refused (not an outage), skipped until the time given; memory only.
  std::map<Digest32, std::chrono::steady_clock::time_point> set_aside_;  // round thread only
  uint64_t last_prune_hour_ = 0;

  // Mailboxes witnesses asked for, and what the last rounds fetched; memory only, bounded.
  struct Cached {
    std::vector<std::pair<uint64_t, std::string>> replies;  // seq, sealed
    std::chrono::steady_clock::time_point fetched;
    size_t bytes = 0;
  };
  using MailboxKey = std::pair<Fingerprint, Digest32>;
  std::mutex replies_mu_;
  // Mailboxes waiting for a round, first in first out, with who asked; evicted at random when
  // full. A std::set would serve ids in byte order, so made-up ids starting with zero bytes
  // would always go first.
  struct Waiting {
    MailboxKey key;
    std::string peer;
  };
  void QueueLocked(const MailboxKey& key, const std::string& peer);  // REQUIRES: replies_mu_
  std::deque<Waiting> pending_;                                      // guarded by replies_mu_
  std::set<MailboxKey> pending_keys_;                                // guarded by replies_mu_
  std::map<std::string, size_t> pending_per_peer_;                   // guarded by replies_mu_
  std::map<MailboxKey, Cached> cache_;                               // guarded by replies_mu_
  size_t cache_bytes_ = 0;                                           // guarded by replies_mu_
};

}  // namespace gavah::relay
