#include "forwarder.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "gavah/crypto/envelope.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/padding.h"
#include "intake_service.h"

namespace gavah::relay {
namespace {

constexpr size_t kMaxPendingMailboxes = 4096;
constexpr size_t kPendingPerConnection = 16;
constexpr size_t kMaxCachedBytes = 64u << 20;
constexpr size_t kMaxCachedMailboxes = 4096;
constexpr size_t kRepliesPerAnswer = 16;
constexpr uint64_t kMaxRepliesFetched = 256;  // a mailbox holds at most this many

std::string ShortFingerprint(const Fingerprint& fp) { return ToHex(fp).substr(0, 16); }

// A queued envelope read chunk by chunk, for Uplink::Send's random access at any offset.
class QueuedReader {
 public:
  static Result<std::shared_ptr<QueuedReader>> Open(RelayBook* q, const Digest32& id) {
    auto r = std::make_shared<QueuedReader>(q, id);
    GAVAH_ASSIGN_OR_RETURN(std::vector<uint64_t> lengths, q->ChunkLengths(id));
    uint64_t at = 0;
    for (uint64_t l : lengths) {
      r->starts_.push_back(at);
      at += l;
    }
    r->size_ = at;
    return r;
  }
  QueuedReader(RelayBook* q, const Digest32& id) : q_(q), id_(id) {}
  uint64_t size() const { return size_; }
  Status Read(uint64_t offset, std::span<uint8_t> out) {
    while (!out.empty()) {
      if (offset >= size_) return Error(ErrorCode::kTruncated, "queued envelope is short");
      const auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
      const uint64_t seq = static_cast<uint64_t>(it - starts_.begin()) - 1;
      if (!have_ || seq != seq_) {
        GAVAH_RETURN_IF_ERROR(q_->ReadChunk(id_, seq, chunk_));
        have_ = true;
        seq_ = seq;
      }
      const uint64_t within = offset - starts_[seq];
      if (within >= chunk_.size()) return Error(ErrorCode::kTruncated, "queued chunk is short");
      const size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), chunk_.size() - within));
      std::memcpy(out.data(), chunk_.data() + within, n);
      out = out.subspan(n);
      offset += n;
    }
    return Status::Ok();
  }

 private:
  RelayBook* q_;
  Digest32 id_;
  std::vector<uint64_t> starts_;
  uint64_t size_ = 0;
  SecretBuffer chunk_;  // ciphertext; reused
  bool have_ = false;
  uint64_t seq_ = 0;
};

// The size of a small envelope the organisation could receive: a padded plaintext of a
// length between 1 KiB and 64 KiB (log-uniform), as most testimonies without files are.
uint64_t CoverSize(const RecipientBundle& bundle, RoundRandom& rng) {
  std::uniform_real_distribution<double> exponent(10.0, 16.0);
  return CoverEnvelopeSize(bundle, static_cast<uint64_t>(std::exp2(exponent(rng))));
}

// A cover submission: looks like a small envelope sent in one message (a real one of up to
// 1 MiB is sent that way too, without asking its upload state first); the server reads it,
// stores nothing and answers with a receipt's shape.
bool SendCover(gavah::v1::Intake::Stub& stub, uint64_t size) {
  gavah::v1::SubmitChunk msg;
  uint8_t id[32];
  randombytes_buf(id, sizeof id);
  msg.set_envelope_id(id, sizeof id);
  msg.set_total_size(size);
  msg.set_kind(gavah::v1::SubmitChunk::COVER);
  std::string data(size, '\0');
  randombytes_buf(data.data(), data.size());
  msg.set_data(std::move(data));
  grpc::ClientContext ctx;
  // The deadline a real forward of this size gets (intake_client), so even the grpc-timeout
  // header reads the same.
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120 + size / 4096));
  gavah::v1::SubmitResponse resp;
  auto writer = stub.Submit(&ctx, &resp);
  const bool written = writer->Write(msg);
  if (written) writer->WritesDone();
  return writer->Finish().ok() && written;
}

}  // namespace

Forwarder::Forwarder(server::EnvelopeStore* queue, RelayBook* book, RelayBook* recorder,
                     std::vector<const RecipientBundle*> organisations, ForwarderOptions options)
    : queue_(queue),
      book_(book),
      options_(std::move(options)),
      rng_(options_.seed),
      recorder_book_(recorder) {
  transport::SendOptions send;
  send.proxy = options_.proxy;
  send.servers_only = true;  // relays forward to servers, never to other relays
  auto known = book_->Organisations();
  for (const RecipientBundle* b : organisations) {
    Upstream u;
    u.bundle = b;
    u.uplink = std::make_unique<transport::Uplink>(*b, send);
    if (known.ok()) {
      for (const auto& o : *known) {
        auto parsed = RecipientBundle::Parse(o.bundle);
        if (parsed.ok() && parsed->organisation_fingerprint() == b->organisation_fingerprint())
          u.failures = o.failures;
      }
    }
    // Failures recorded before a restart keep their backoff.
    u.next_try = std::chrono::steady_clock::now() +
                 (u.failures ? Backoff(u.failures) : std::chrono::seconds(0));
    upstreams_.emplace(b->organisation_fingerprint(), std::move(u));
  }
}

uint64_t CoverEnvelopeSize(const RecipientBundle& bundle, uint64_t length) {
  return EnvelopeSize(bundle.contents().version(),
                      static_cast<unsigned>(bundle.contents().investigators.size()),
                      PaddedLength(length));
}

RoundRandom::RoundRandom(std::optional<uint64_t> seed) {
  if (seed) seeded_.emplace(*seed);
}

RoundRandom::result_type RoundRandom::operator()() {
  if (seeded_) return (*seeded_)();
  result_type v = 0;
  randombytes_buf(&v, sizeof v);
  return v;
}

Forwarder::~Forwarder() { Stop(); }

void Forwarder::Start() {
  recorder_ = std::thread([this] { Record(); });
  thread_ = std::thread([this] { Run(); });
}

void Forwarder::Record() {
  for (;;) {
    std::vector<Receipt> batch;
    {
      std::unique_lock<std::mutex> lock(record_mu_);
      record_cv_.wait(lock, [&] { return record_stop_ || !to_record_.empty(); });
      if (to_record_.empty()) return;  // stopping, and everything recorded
      batch = std::move(to_record_.front());
      to_record_.pop_front();
    }
    // The receipts are recorded and the envelopes leave the queue in one transaction; a crash
    // before it only means forwarding again, which the server answers with the same receipt
    // and stores nothing twice.
    auto freed = recorder_book_->RecordForwarded(batch, server::CurrentHour());
    if (freed.ok()) {
      queue_->Released(*freed);
      forwarded_ += batch.size();
    } else {
      std::fprintf(stderr, "gavah-relay: cannot record receipts: %s\n",
                   freed.status().message().c_str());
      // Their envelopes stay queued and are sent again later; not at once, or a store that
      // cannot write (a full disk) would have them uploaded over and over.
      std::unique_lock<std::mutex> lock(record_mu_);
      record_cv_.wait_for(lock, std::chrono::seconds(5), [&] { return record_stop_; });
    }
    // Old WAL frames keep the order of past commits: hourly, fold them in and cut the file.
    // Done here, on the recorder's own connection, so intake's reads are not held up.
    if (const uint64_t hour = server::CurrentHour(); hour != last_checkpoint_hour_) {
      last_checkpoint_hour_ = hour;
      (void)recorder_book_->Checkpoint();
    }
    {
      std::lock_guard<std::mutex> lock(record_mu_);
      for (const auto& r : batch) in_flight_.erase(r.envelope_id);
    }
    record_cv_.notify_all();
  }
}

void Forwarder::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(record_mu_);
    record_stop_ = true;
  }
  record_cv_.notify_all();
  if (recorder_.joinable()) recorder_.join();  // after recording what was delivered
}

void Forwarder::Nudge() {
  if (options_.delay_mean_seconds > 0) return;  // rounds keep their random pace
  {
    std::lock_guard<std::mutex> lock(mu_);
    nudged_ = true;
  }
  cv_.notify_all();
}

double Forwarder::Exponential(double mean) {
  std::exponential_distribution<double> d(1.0 / mean);
  return d(rng_);
}

std::chrono::seconds Forwarder::Backoff(uint64_t failures) {
  const uint64_t cap = std::max<uint64_t>(1, options_.backoff_max_seconds);
  const uint64_t base = failures >= 20 ? cap : std::min<uint64_t>(cap, uint64_t{1} << failures);
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::chrono::seconds(std::max<uint64_t>(1, static_cast<uint64_t>(base * jitter(rng_))));
}

void Forwarder::Sleep(double seconds) {
  std::unique_lock<std::mutex> lock(mu_);
  if (seconds <= 0) {
    // Nothing to hide with no delay: wait for the next envelope (or a retry a second later).
    cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_ || nudged_; });
  } else {
    cv_.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return stop_; });
  }
  nudged_ = false;
}

void Forwarder::Run() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
    }
    const size_t sent = Round();
    FetchPendingReplies();
    FetchProofs();
    const uint64_t hour = server::CurrentHour();
    if (hour != last_prune_hour_) {
      last_prune_hour_ = hour;
      (void)book_->PruneForwarded(hour - std::min(hour, options_.receipt_days * 24 * 3600));
      if (hour > options_.upload_timeout_hours * 3600)
        (void)queue_->DropStaleUploads(hour - options_.upload_timeout_hours * 3600);
    }
    if (options_.delay_mean_seconds > 0) {
      Sleep(Exponential(options_.delay_mean_seconds));
    } else if (sent == 0) {
      Sleep(0);  // nothing was waiting: until the next envelope
    }            // else: more may be waiting; no delay means no pause
  }
}

size_t Forwarder::Round() {
  const auto now = std::chrono::steady_clock::now();
  // Every server backing off: nothing could be sent, so do not sample (a long queue during an
  // outage would otherwise be scanned every round).
  if (std::all_of(upstreams_.begin(), upstreams_.end(),
                  [&](const auto& u) { return now < u.second.next_try; })) {
    return 0;
  }
  // Envelopes of up to 1 MiB (one message upstream) come with the sample; larger ones are read
  // chunk by chunk while they are sent.
  // Envelopes delivered and not yet recorded, as of before the sample: one recorded (and so
  // removed from in_flight_) after this copy is also gone from the sample, so checking both
  // never lets a delivered envelope be sent again.
  std::set<Digest32> flying;
  {
    // At most a few rounds' receipts wait to be recorded: forwarding never runs far ahead of
    // what is durably known to be delivered.
    std::unique_lock<std::mutex> lock(record_mu_);
    record_cv_.wait(lock, [&] { return in_flight_.size() <= 2 * options_.batch_max; });
    flying = in_flight_;
  }
  constexpr uint64_t kInline = 1 << 20;
  constexpr uint64_t kInlineBudget = 64u << 20;  // bytes held by one round at most
  auto sample = book_->Sample(options_.batch_max, kInline, kInlineBudget);
  if (!sample.ok()) {
    std::fprintf(stderr, "gavah-relay: cannot read the queue: %s\n",
                 sample.status().message().c_str());
    return 0;
  }
  std::shuffle(sample->begin(), sample->end(), rng_);

  struct Task {
    Upstream* up = nullptr;
    Digest32 id{};
    uint64_t size = 0;  // of the envelope, or of the cover
    bool cover = false;
    SecretBuffer bytes;  // a small envelope's ciphertext
  };
  std::vector<Task> tasks;
  for (auto& q : *sample) {
    const auto it = upstreams_.find(q.organisation);
    if (it == upstreams_.end() || now < it->second.next_try) continue;
    {
      std::lock_guard<std::mutex> lock(record_mu_);
      if (flying.count(q.id) || in_flight_.count(q.id)) continue;  // being recorded
    }
    if (const auto aside = set_aside_.find(q.id); aside != set_aside_.end()) {
      if (now < aside->second) continue;
      set_aside_.erase(aside);
    }
    tasks.push_back(Task{&it->second, q.id, q.size, false, std::move(q.bytes)});
  }
  // Cover goes to every organisation whose server is not backing off, even with an empty queue,
  // so that rounds look alike whatever arrived. With no delay there is no timing to hide.
  if (options_.delay_mean_seconds > 0) {
    for (auto& [fp, up] : upstreams_) {
      if (now < up.next_try || up.uplink->targets().empty()) continue;
      const auto real = static_cast<unsigned>(
          std::count_if(tasks.begin(), tasks.end(), [&](const Task& t) { return t.up == &up; }));
      for (unsigned i = real; i < options_.cover_round_size; ++i) {
        tasks.push_back(Task{&up, {}, CoverSize(*up.bundle, rng_), true, SecretBuffer()});
      }
    }
    std::shuffle(tasks.begin(), tasks.end(), rng_);
  }
  if (tasks.empty()) return 0;

  std::mutex done_mu;
  std::vector<Receipt> delivered;
  std::map<Upstream*, std::string> failed;  // guarded by done_mu
  std::vector<Digest32> refused;            // guarded by done_mu
  std::set<Upstream*> succeeded;            // guarded by done_mu
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (;;) {
      const size_t i = next++;
      if (i >= tasks.size()) return;
      Task& t = tasks[i];
      {
        std::lock_guard<std::mutex> lock(done_mu);
        if (failed.count(t.up)) continue;  // its server is down: keep the rest for later
      }
      if (t.cover) {
        (void)SendCover(*t.up->uplink->targets().front().stub, t.size);
        continue;
      }
      transport::EnvelopeReader read;
      if (!t.bytes.empty()) {
        if (t.bytes.size() != t.size) {
          std::lock_guard<std::mutex> lock(done_mu);
          refused.push_back(t.id);
          continue;
        }
        const SecretBuffer* bytes = &t.bytes;
        read = [bytes](uint64_t offset, std::span<uint8_t> out) -> Status {
          if (offset > bytes->size() || out.size() > bytes->size() - offset)
            return Error(ErrorCode::kTruncated, "queued envelope is short");
          std::memcpy(out.data(), bytes->data() + offset, out.size());
          return Status::Ok();
        };
      } else {
        auto reader = QueuedReader::Open(book_, t.id);
        if (!reader.ok() || (*reader)->size() != t.size) {
          std::fprintf(stderr, "gavah-relay: a queued envelope cannot be read; left queued\n");
          std::lock_guard<std::mutex> lock(done_mu);
          refused.push_back(t.id);
          continue;
        }
        read = [r = *reader](uint64_t offset, std::span<uint8_t> out) {
          return r->Read(offset, out);
        };
      }
      auto d = t.up->uplink->Send(read, t.id, t.size);
      t.bytes = SecretBuffer();
      std::lock_guard<std::mutex> lock(done_mu);
      if (d.ok() && !d->queued) {
        delivered.push_back(d->receipt);
        succeeded.insert(t.up);
      } else if (d.ok()) {
        failed[t.up] = "the upstream endpoint is a relay, not a server";
      } else if ((d.status().code() == ErrorCode::kIo ||
                  d.status().code() == ErrorCode::kTooLarge) &&
                 // The server's words for an envelope over its size limit (a RESOURCE_EXHAUSTED
                 // like a full disk, but about this envelope only).
                 d.status().message().find("larger than") == std::string::npos) {
        // Unreachable, or its storage full: the organisation's server, not this envelope.
        failed[t.up] = d.status().message();
      } else {
        // This envelope refused (too large for the server, malformed) or answered with a
        // receipt that does not verify: kept, never dropped, set aside for an hour so it cannot
        // stall the others, and reported; the organisation must look at its server or bundle.
        refused.push_back(t.id);
        std::fprintf(stderr, "gavah-relay: organisation %s: an envelope was not accepted: %s\n",
                     ShortFingerprint(t.up->bundle->organisation_fingerprint()).c_str(),
                     d.status().message().c_str());
      }
    }
  };
  std::vector<std::thread> workers;
  const unsigned n =
      std::max(1u, std::min<unsigned>(options_.streams, static_cast<unsigned>(tasks.size())));
  for (unsigned i = 0; i < n; ++i) workers.emplace_back(work);
  for (auto& w : workers) w.join();

  const uint64_t hour = server::CurrentHour();
  constexpr size_t kMaxSetAside = 100000;
  for (const auto& id : refused) {
    if (set_aside_.size() < kMaxSetAside)
      set_aside_[id] = std::chrono::steady_clock::now() + std::chrono::hours(1);
  }
  const size_t delivered_count = delivered.size();
  if (!delivered.empty()) {
    {
      std::lock_guard<std::mutex> lock(record_mu_);
      for (const auto& r : delivered) in_flight_.insert(r.envelope_id);
      to_record_.push_back(std::move(delivered));
    }
    record_cv_.notify_all();
  }
  for (auto& [fp, up] : upstreams_) {
    const auto f = failed.find(&up);
    if (f != failed.end()) {
      ++up.failures;
      const auto wait = Backoff(up.failures);
      up.next_try = std::chrono::steady_clock::now() + wait;
      (void)book_->RecordUpstream(fp, false, f->second, hour);
      if (!up.reported_down) {
        std::fprintf(stderr,
                     "gavah-relay: organisation %s: server unreachable (%s); the queue holds, "
                     "retrying with backoff up to %llu s\n",
                     ShortFingerprint(fp).c_str(), f->second.c_str(),
                     static_cast<unsigned long long>(options_.backoff_max_seconds));
        up.reported_down = true;
      }
    } else if (succeeded.count(&up)) {
      if (up.failures > 0 || up.reported_down) {
        std::fprintf(stderr, "gavah-relay: organisation %s: server reachable again\n",
                     ShortFingerprint(fp).c_str());
      }
      // Written when something changed (a recovery, a new hour), not after every round.
      if (up.failures > 0 || up.last_success_hour != hour) {
        (void)book_->RecordUpstream(fp, true, "", hour);
        up.last_success_hour = hour;
      }
      up.failures = 0;
      up.reported_down = false;
    }
  }
  // Only deliveries count as progress: a round that could send nothing (unreadable, refused,
  // server down) must not start the next one at once.
  return delivered_count;
}

void Forwarder::QueueLocked(const MailboxKey& key, const std::string& peer) {
  // An empty peer is a mailbox put back for the next round: it was admitted already.
  if (pending_keys_.count(key)) return;
  if (!peer.empty() && pending_per_peer_[peer] >= kPendingPerConnection) return;
  if (pending_.size() >= kMaxPendingMailboxes) {
    // Full: one waiting at random makes room, so a flood cannot keep every new one out.
    const auto victim =
        pending_.begin() + randombytes_uniform(static_cast<uint32_t>(pending_.size()));
    pending_keys_.erase(victim->key);
    if (!victim->peer.empty() && --pending_per_peer_[victim->peer] == 0) {
      pending_per_peer_.erase(victim->peer);
    }
    pending_.erase(victim);
  }
  if (!peer.empty()) ++pending_per_peer_[peer];
  pending_keys_.insert(key);
  pending_.push_back(Waiting{key, peer});
}

bool Forwarder::Replies(const Fingerprint& organisation, const Digest32& mailbox, uint64_t after,
                        const std::string& peer, gavah::v1::FetchRepliesResponse* out) {
  const MailboxKey key{organisation, mailbox};
  // Fresh for a few rounds; then asked again, so new replies show up.
  const auto ttl = std::chrono::duration<double>(std::max(600.0, 3 * options_.delay_mean_seconds));
  {
    std::lock_guard<std::mutex> lock(replies_mu_);
    const auto it = cache_.find(key);
    if (it != cache_.end() && std::chrono::steady_clock::now() - it->second.fetched < ttl) {
      size_t n = 0;
      for (const auto& [seq, sealed] : it->second.replies) {
        if (seq < after) continue;
        if (n == kRepliesPerAnswer) {
          out->set_more(true);
          break;
        }
        auto* r = out->add_replies();
        r->set_seq(seq);
        r->set_sealed(sealed);
        ++n;
      }
      return true;
    }
    QueueLocked(key, peer);
  }
  Nudge();
  return false;
}

void Forwarder::FetchPendingReplies() {
  // A bounded number per round, each with a short deadline, within a time budget: anyone can
  // ask for made-up mailboxes, and that must not hold up forwarding.
  constexpr size_t kFetchesPerRound = 32;
  const auto budget_end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::vector<MailboxKey> want;
  {
    std::lock_guard<std::mutex> lock(replies_mu_);
    while (!pending_.empty() && want.size() < kFetchesPerRound) {
      const Waiting w = pending_.front();
      pending_.pop_front();
      pending_keys_.erase(w.key);
      if (!w.peer.empty() && --pending_per_peer_[w.peer] == 0) pending_per_peer_.erase(w.peer);
      want.push_back(w.key);
    }
  }
  for (const auto& key : want) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
    }
    if (std::chrono::steady_clock::now() > budget_end) {
      std::lock_guard<std::mutex> lock(replies_mu_);
      QueueLocked(key, "");  // next round, at the back
      continue;
    }
    const auto up = upstreams_.find(key.first);
    if (up == upstreams_.end() || up->second.uplink->targets().empty()) continue;
    Cached c;
    bool ok = false;
    for (const auto& t : up->second.uplink->targets()) {
      c = Cached{};
      uint64_t after = 0;
      ok = true;
      for (bool more = true; more && c.replies.size() < kMaxRepliesFetched;) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        gavah::v1::FetchRepliesRequest req;
        req.set_mailbox_id(key.second.data(), key.second.size());
        req.set_after(after);
        gavah::v1::FetchRepliesResponse resp;
        if (!t.stub->FetchReplies(&ctx, req, &resp).ok()) {
          ok = false;
          break;
        }
        more = resp.more() && resp.replies_size() > 0;
        for (const auto& r : resp.replies()) {
          if (r.seq() < after || r.sealed().size() > server::EnvelopeStore::kMaxSealedReply) {
            more = false;  // out of order or oversized: stop trusting this answer
            break;
          }
          after = r.seq() + 1;
          c.bytes += r.sealed().size();
          c.replies.emplace_back(r.seq(), r.sealed());
        }
      }
      if (ok) break;
    }
    if (!ok) {
      std::lock_guard<std::mutex> lock(replies_mu_);
      QueueLocked(key, "");  // next round, at the back
      continue;
    }
    c.fetched = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(replies_mu_);
    if (auto old = cache_.find(key); old != cache_.end()) {
      cache_bytes_ -= old->second.bytes;
      cache_.erase(old);
    }
    // Oldest out first until the new answer fits.
    while (!cache_.empty() &&
           (cache_bytes_ + c.bytes > kMaxCachedBytes || cache_.size() >= kMaxCachedMailboxes)) {
      auto oldest = std::min_element(
          cache_.begin(), cache_.end(),
          [](const auto& a, const auto& b) { return a.second.fetched < b.second.fetched; });
      cache_bytes_ -= oldest->second.bytes;
      cache_.erase(oldest);
    }
    cache_bytes_ += c.bytes;
    cache_.emplace(key, std::move(c));
  }
}

void Forwarder::FetchProofs() {
  constexpr size_t kProofsPerRound = 32;
  constexpr size_t kMaxProof = 64 * 1024;
  auto ids = book_->ForwardedWithoutProof(kProofsPerRound);
  if (!ids.ok()) return;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [id, org] : *ids) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
    }
    // Only the envelope's own organisation's server is asked, and not while it is backing off.
    const auto up = upstreams_.find(org);
    if (up == upstreams_.end() || now < up->second.next_try) continue;
    for (const auto& t : up->second.uplink->targets()) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      gavah::v1::ReceiptRequest req;
      req.set_envelope_id(id.data(), id.size());
      gavah::v1::ReceiptResponse resp;
      if (!t.stub->GetReceipt(&ctx, req, &resp).ok()) continue;
      if (!resp.proof().empty() && resp.proof().size() <= kMaxProof)
        (void)book_->SetForwardedProof(id, resp.proof());
      break;
    }
  }
}

Result<std::vector<uint8_t>> Forwarder::ReadLog(const Fingerprint& organisation,
                                                const std::string& path) {
  const auto up = upstreams_.find(organisation);
  if (up == upstreams_.end()) return Error(ErrorCode::kInvalidArgument, "no such organisation");
  std::string last = "no server";
  for (const auto& t : up->second.uplink->targets()) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    gavah::v1::GetLogRequest req;
    req.set_path(path);
    gavah::v1::GetLogResponse resp;
    const grpc::Status st = t.stub->GetLog(&ctx, req, &resp);
    if (st.ok()) return std::vector<uint8_t>(resp.data().begin(), resp.data().end());
    if (st.error_code() == grpc::StatusCode::NOT_FOUND)
      return Error(ErrorCode::kInvalidArgument, "the served log has no such path");
    last = st.error_message();
  }
  return Error(ErrorCode::kIo, "the organisation's server did not answer");
}

Result<std::vector<Digest32>> Forwarder::LogConsistency(const Fingerprint& organisation,
                                                        uint64_t old_size, uint64_t new_size) {
  const auto up = upstreams_.find(organisation);
  if (up == upstreams_.end()) return Error(ErrorCode::kInvalidArgument, "no such organisation");
  for (const auto& t : up->second.uplink->targets()) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    gavah::v1::LogConsistencyRequest req;
    req.set_old_size(old_size);
    req.set_new_size(new_size);
    gavah::v1::LogConsistencyResponse resp;
    const grpc::Status st = t.stub->GetLogConsistency(&ctx, req, &resp);
    if (st.error_code() == grpc::StatusCode::INVALID_ARGUMENT)
      return Error(ErrorCode::kInvalidArgument, "no consistency proof between those sizes");
    if (!st.ok() || resp.proof_size() > 63) continue;
    std::vector<Digest32> out;
    for (const auto& h : resp.proof()) {
      if (h.size() != 32) return Error(ErrorCode::kMalformed, "a proof hash is not 32 bytes");
      Digest32 d{};
      std::copy(h.begin(), h.end(), d.begin());
      out.push_back(d);
    }
    return out;
  }
  return Error(ErrorCode::kIo, "the organisation's server did not answer");
}

}  // namespace gavah::relay
