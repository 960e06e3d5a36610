#include "payload_v2.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <system_error>

namespace gavah::internal {
namespace {

void Nonce(uint64_t index, bool last, uint8_t nonce[12]) {
  std::memset(nonce, 0, 12);
  for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<uint8_t>(index >> (8 * i));
  nonce[11] = last ? 1 : 0;
}

EVP_CIPHER_CTX* Ctx(void* p) { return static_cast<EVP_CIPHER_CTX*>(p); }

}  // namespace

ChunkCipher::ChunkCipher(std::span<const uint8_t> key)
    : ctx_(EVP_CIPHER_CTX_new()), key_(SecretBuffer::CopyOf(key)) {
  if (ctx_ == nullptr || key.size() != 32) std::abort();
}

ChunkCipher::~ChunkCipher() {
  EVP_CIPHER_CTX_free(Ctx(ctx_));  // cleanses its key schedule
}

void ChunkCipher::Seal(uint64_t index, bool last, uint8_t* p, size_t n) {
  uint8_t nonce[12];
  Nonce(index, last, nonce);
  int len = 0;
  if (EVP_EncryptInit_ex(Ctx(ctx_), EVP_chacha20_poly1305(), nullptr, key_.data(), nonce) != 1 ||
      EVP_EncryptUpdate(Ctx(ctx_), p, &len, p, static_cast<int>(n)) != 1 ||
      EVP_EncryptFinal_ex(Ctx(ctx_), p + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(Ctx(ctx_), EVP_CTRL_AEAD_GET_TAG, kV2Tag, p + n) != 1)
    std::abort();
}

bool ChunkCipher::Open(uint64_t index, bool last, uint8_t* p, size_t n) {
  uint8_t nonce[12];
  Nonce(index, last, nonce);
  int len = 0;
  uint8_t tag[kV2Tag];
  std::memcpy(tag, p + n, kV2Tag);
  if (EVP_DecryptInit_ex(Ctx(ctx_), EVP_chacha20_poly1305(), nullptr, key_.data(), nonce) != 1 ||
      EVP_CIPHER_CTX_ctrl(Ctx(ctx_), EVP_CTRL_AEAD_SET_TAG, kV2Tag, tag) != 1 ||
      EVP_DecryptUpdate(Ctx(ctx_), p, &len, p, static_cast<int>(n)) != 1)
    std::abort();
  if (EVP_DecryptFinal_ex(Ctx(ctx_), p + len, &len) != 1) {
    sodium_memzero(p, n);  // unauthenticated plaintext is never handed on
    return false;
  }
  return true;
}

// Beyond a few cores the hashing and writing threads are the limit, and each worker holds a
// megabyte of secret memory.
unsigned CryptoWorkers() { return std::clamp(std::thread::hardware_concurrency(), 1u, 8u); }

// ---- sealing ----

ParallelSealer::ParallelSealer(std::span<const uint8_t> payload_key, uint64_t total, ByteSink& out,
                               Sha256& id)
    : key_(SecretBuffer::CopyOf(payload_key)), total_(total), out_(out), id_(id) {
  const unsigned workers = CryptoWorkers();
  // Enough batches for every worker to hold one while the hasher (two: one plaintext, one
  // ciphertext), the writer and the filler hold theirs, and one of slack.
  // Their memory is taken as the filler first needs each, so a short testimony locks one batch
  // and a long one does not wait for all of them before it starts.
  batches_.resize(workers + 5);
  // A machine out of threads gets an error from the first call, not a terminated process.
  try {
    threads_.emplace_back([this] { Hasher(); });
    threads_.emplace_back([this] { Writer(); });
    for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { Worker(); });
  } catch (const std::system_error&) {
    std::lock_guard<std::mutex> lock(mu_);
    if (threads_.size() < 3) error_ = gavah::Error(ErrorCode::kIo, "cannot start threads to seal");
  }
}

ParallelSealer::~ParallelSealer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_hash_.notify_all();
  cv_seal_.notify_all();
  cv_write_.notify_all();
  for (auto& t : threads_) t.join();
}

Status ParallelSealer::Error() {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

Status ParallelSealer::Acquire() {
  Batch& b = batches_[next_seq_ % batches_.size()];
  std::unique_lock<std::mutex> lock(mu_);
  cv_main_.wait(lock, [&] { return b.stage == 0 || !error_.ok(); });
  if (!error_.ok()) return error_;
  lock.unlock();
  if (b.buf.size() == 0) {
    b.buf = SecretBuffer(kV2BatchBytes);
    b.segments.reserve(kV2ChunksPerBatch + 2);
  }
  lock.lock();
  b.stage = 1;
  b.seq = next_seq_++;
  b.first_chunk = next_chunk_;
  b.filled = 0;
  b.segments.clear();
  current_ = &b;
  return Status::Ok();
}

std::span<uint8_t> ParallelSealer::Room() {
  if (current_ == nullptr && !Acquire().ok()) return {};
  // Chunk slots are kV2CipherChunk apart so the tags land between them and the batch is the
  // ciphertext as it is written.
  const size_t chunk = current_->filled / kV2Chunk;
  const size_t in_chunk = current_->filled % kV2Chunk;
  return {current_->buf.data() + chunk * kV2CipherChunk + in_chunk, kV2Chunk - in_chunk};
}

Status ParallelSealer::Commit(size_t n, Sha256* hash) {
  if (current_ == nullptr) return Error();
  if (written_ + n > total_)
    return gavah::Error(ErrorCode::kInvalidArgument, "plaintext longer than declared");
  if (n > kV2Chunk - current_->filled % kV2Chunk)
    return gavah::Error(ErrorCode::kInvalidArgument, "commit beyond the room given");
  if (hash != nullptr && n > 0) {
    const size_t offset =
        current_->filled / kV2Chunk * kV2CipherChunk + current_->filled % kV2Chunk;
    auto& segs = current_->segments;
    if (!segs.empty() && segs.back().hash == hash &&
        segs.back().offset + segs.back().size == offset)
      segs.back().size += n;
    else
      segs.push_back({hash, offset, n});
  }
  current_->filled += n;
  written_ += n;
  if (current_->filled == kV2ChunksPerBatch * kV2Chunk || written_ == total_) return Submit();
  return Status::Ok();
}

Status ParallelSealer::Write(std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    auto room = Room();
    if (room.empty()) return Error();
    const size_t n = std::min(room.size(), bytes.size());
    std::memcpy(room.data(), bytes.data(), n);
    bytes = bytes.subspan(n);
    GAVAH_RETURN_IF_ERROR(Commit(n));
  }
  return Status::Ok();
}

Sha256* ParallelSealer::NewHash() { return &hashes_.emplace_back(); }

Result<Digest32> ParallelSealer::FinalHash(Sha256& hash) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    const auto need = hash_needs_.find(&hash);
    const uint64_t batches = need == hash_needs_.end() ? 0 : need->second;
    cv_main_.wait(lock, [&] { return plain_hashed_ >= batches || !error_.ok(); });
    if (!error_.ok()) return error_;
  }
  // What the batch being filled holds for `hash` comes after everything hashed so far.
  if (current_ != nullptr) {
    auto& segs = current_->segments;
    for (const auto& s : segs) {
      if (s.hash == &hash) hash.Update({current_->buf.data() + s.offset, s.size});
    }
    std::erase_if(segs, [&](const Segment& s) { return s.hash == &hash; });
  }
  return hash.Final();
}

Status ParallelSealer::Submit() {
  Batch* b = current_;
  current_ = nullptr;
  const size_t chunks = (b->filled + kV2Chunk - 1) / kV2Chunk;
  next_chunk_ += chunks;
  b->cipher_size = b->filled + chunks * kV2Tag;
  for (const auto& seg : b->segments) hash_needs_[seg.hash] = b->seq + 1;
  {
    std::lock_guard<std::mutex> lock(mu_);
    b->stage = 2;
  }
  cv_hash_.notify_one();
  return Status::Ok();
}

void ParallelSealer::Hasher() {
  uint64_t plain_seq = 0, id_seq = 0;
  for (;;) {
    Batch* p = nullptr;  // plaintext to hash, then to seal
    Batch* c = nullptr;  // ciphertext for the id
    bool failed;
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto at = [&](uint64_t seq, int stage) {
        Batch& b = batches_[seq % batches_.size()];
        return b.stage == stage && b.seq == seq ? &b : nullptr;
      };
      cv_hash_.wait(lock, [&] {
        p = at(plain_seq, 2);
        c = at(id_seq, 4);
        // Plaintext alone waits for the ciphertext being sealed when the workers have other
        // batches queued meanwhile: hashed as a pair, the two cost little more than one.
        if (p != nullptr && c == nullptr && !to_seal_.empty() && at(id_seq, 3) != nullptr &&
            !stop_ && error_.ok())
          return false;
        return p != nullptr || c != nullptr || stop_;
      });
      if (p == nullptr && c == nullptr) return;
      failed = !error_.ok();
    }
    // After an error nothing more is hashed; the batches still move on so that no stage waits.
    if (!failed) {
      std::span<const uint8_t> cipher;
      if (c != nullptr) cipher = {c->buf.data(), c->cipher_size};
      if (p != nullptr) {
        for (const auto& s : p->segments) {
          const size_t n = std::min(s.size, cipher.size());
          Sha256::UpdateBoth(*s.hash, {p->buf.data() + s.offset, s.size}, id_, cipher.first(n));
          cipher = cipher.subspan(n);
        }
      }
      if (!cipher.empty()) id_.Update(cipher);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (p != nullptr) {
        p->stage = 3;
        to_seal_.push_back(p);
        plain_hashed_ = ++plain_seq;
      }
      if (c != nullptr) {
        hashed_ = ++id_seq;
        if (--c->consumers == 0) c->stage = 0;
      }
    }
    if (p != nullptr) cv_seal_.notify_one();
    // The filler waits for a free batch or, to finish an attachment's digest, for its plaintext.
    cv_main_.notify_one();
  }
}

void ParallelSealer::Worker() {
  ChunkCipher cipher(key_.span());
  const uint64_t last_chunk = (total_ + kV2Chunk - 1) / kV2Chunk - 1;
  for (;;) {
    Batch* b;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_seal_.wait(lock, [&] { return !to_seal_.empty() || stop_; });
      if (to_seal_.empty()) return;
      b = to_seal_.front();
      to_seal_.pop_front();
    }
    size_t left = b->filled;
    for (size_t j = 0; left > 0; ++j) {
      const size_t n = std::min(left, kV2Chunk);
      const uint64_t index = b->first_chunk + j;
      cipher.Seal(index, index == last_chunk, b->buf.data() + j * kV2CipherChunk, n);
      left -= n;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      b->stage = 4;
      b->consumers = 2;
    }
    cv_hash_.notify_one();
    cv_write_.notify_one();
  }
}

void ParallelSealer::Writer() {
  for (uint64_t seq = 0;; ++seq) {
    Batch& b = batches_[seq % batches_.size()];
    bool failed;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_write_.wait(lock, [&] { return (b.stage == 4 && b.seq == seq) || stop_; });
      if (!(b.stage == 4 && b.seq == seq)) return;
      failed = !error_.ok();
    }
    Status st;
    if (!failed) st = out_.Write({b.buf.data(), b.cipher_size});
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!st.ok() && error_.ok()) error_ = st;
      flushed_ = seq + 1;
      if (--b.consumers == 0) b.stage = 0;
    }
    // An error must reach the filler and the hasher, which may be waiting for this batch.
    cv_main_.notify_one();
    if (!st.ok()) cv_hash_.notify_one();
  }
}

Status ParallelSealer::Finish() {
  if (current_ != nullptr && current_->filled > 0) GAVAH_RETURN_IF_ERROR(Submit());
  if (current_ != nullptr) {
    // Taken but never filled: give it back, or the later stages would wait for it forever.
    std::lock_guard<std::mutex> lock(mu_);
    current_->stage = 0;
    current_ = nullptr;
    --next_seq_;
  }
  std::unique_lock<std::mutex> lock(mu_);
  cv_main_.wait(lock,
                [&] { return (hashed_ == next_seq_ && flushed_ == next_seq_) || !error_.ok(); });
  return error_;
}

// ---- opening ----

Status OpenParallel(
    std::span<const uint8_t> payload_key, uint64_t total, ByteSource& in, Sha256* id,
    const std::function<Status(std::span<const uint8_t>, const PlaintextHasher&)>& consume) {
  struct Slot {
    SecretBuffer buf;  // taken when first used
    uint64_t first_chunk = 0;
    size_t plain = 0;   // plaintext bytes in the batch
    size_t cipher = 0;  // ciphertext bytes read into it
    size_t hashed = 0;  // of those, bytes hashed into the id
    int state = 0;      // 0 free, 4 read (id owed), 1 queued, 2 opened, 3 failed
    uint64_t failed_chunk = 0;
  };
  const uint64_t chunks = (total + kV2Chunk - 1) / kV2Chunk;
  // A payload of one batch (every testimony without large attachments) is opened on this
  // thread: two threads started and joined would cost more than its decryption.
  const unsigned workers = chunks <= kV2ChunksPerBatch ? 0 : CryptoWorkers();
  // Beside the workers' batches: the one being consumed, the one whose ciphertext is being
  // hashed beside it, and one read ahead.
  std::vector<Slot> slots(workers + 3);
  std::mutex mu;
  std::condition_variable cv_work, cv_done;
  std::deque<Slot*> queue;
  bool stop = false;

  // The slot's chunks opened in place: 2 when they all authenticate, 3 (and the chunk) if not.
  auto open_slot = [&](ChunkCipher& cipher, Slot* s) {
    size_t left = s->plain;
    for (size_t j = 0; left > 0; ++j) {
      const size_t n = std::min(left, kV2Chunk);
      const uint64_t index = s->first_chunk + j;
      if (!cipher.Open(index, index + 1 == chunks, s->buf.data() + j * kV2CipherChunk, n)) {
        s->failed_chunk = index;
        return 3;
      }
      left -= n;
    }
    return 2;
  };
  auto work = [&] {
    ChunkCipher cipher(payload_key);
    for (;;) {
      Slot* s;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv_work.wait(lock, [&] { return !queue.empty() || stop; });
        if (queue.empty()) return;
        s = queue.front();
        queue.pop_front();
      }
      const int state = open_slot(cipher, s);
      {
        std::lock_guard<std::mutex> lock(mu);
        s->state = state;
      }
      cv_done.notify_one();  // only the caller's thread waits for opened batches
    }
  };
  std::optional<ChunkCipher> here;  // the cipher of this thread, without workers
  std::vector<std::thread> threads;
  struct Joiner {
    std::vector<std::thread>& t;
    std::mutex& mu;
    std::condition_variable& cv;
    bool& stop;
    ~Joiner() {
      {
        std::lock_guard<std::mutex> lock(mu);
        stop = true;
      }
      cv.notify_all();
      for (auto& x : t) x.join();
    }
  } joiner{threads, mu, cv_work, stop};
  try {
    for (unsigned i = 0; i < workers; ++i) threads.emplace_back(work);
  } catch (const std::system_error&) {
    if (threads.empty()) return gavah::Error(ErrorCode::kIo, "cannot start threads to open");
  }

  uint64_t read_chunk = 0, done_chunk = 0;
  size_t read_seq = 0, hash_seq = 0, done_seq = 0;
  auto enqueue = [&](Slot& s) {
    if (workers == 0) {
      if (!here) here.emplace(payload_key);
      const int state = open_slot(*here, &s);
      std::lock_guard<std::mutex> lock(mu);
      s.state = state;
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      s.state = 1;
      queue.push_back(&s);
    }
    cv_work.notify_one();
  };
  // The id owes the ciphertext of slots hash_seq..read_seq-1, in order; a slot goes to the
  // workers once all of its ciphertext is in the id, as decryption overwrites it.
  auto hashed = [&](Slot& c, size_t n) {
    c.hashed += n;
    if (c.hashed == c.cipher) {
      enqueue(c);
      ++hash_seq;
    }
  };
  const PlaintextHasher hasher = [&](Sha256& h, std::span<const uint8_t> bytes) {
    while (!bytes.empty()) {
      if (id == nullptr || hash_seq == read_seq) {
        h.Update(bytes);
        return;
      }
      Slot& c = slots[hash_seq % slots.size()];
      const std::span<const uint8_t> owed(c.buf.data() + c.hashed, c.cipher - c.hashed);
      const size_t n = std::min(bytes.size(), owed.size());
      Sha256::UpdateBoth(h, bytes.first(n), *id, owed.first(n));
      hashed(c, n);
      bytes = bytes.subspan(n);
    }
  };

  while (done_chunk < chunks) {
    // Read ahead into every free slot; the header fixed every chunk's size, so a short read is
    // truncation and never mistaken for a last chunk.
    while (read_chunk < chunks) {
      Slot& s = slots[read_seq % slots.size()];
      {
        std::lock_guard<std::mutex> lock(mu);
        if (s.state != 0) break;
      }
      const uint64_t n_chunks = std::min<uint64_t>(kV2ChunksPerBatch, chunks - read_chunk);
      const uint64_t plain = std::min<uint64_t>(n_chunks * kV2Chunk, total - read_chunk * kV2Chunk);
      const size_t want = static_cast<size_t>(plain + n_chunks * kV2Tag);
      // Locked memory as large as the batch, not a whole batch's worth for a 4 KiB testimony.
      if (s.buf.size() < want) s.buf = SecretBuffer(want);
      GAVAH_ASSIGN_OR_RETURN(size_t got, in.Read(s.buf.span().first(want)));
      if (got < want) return gavah::Error(ErrorCode::kTruncated, "envelope is truncated");
      s.first_chunk = read_chunk;
      s.plain = static_cast<size_t>(plain);
      s.cipher = want;
      s.hashed = 0;
      read_chunk += n_chunks;
      ++read_seq;
      if (id == nullptr) {
        enqueue(s);
      } else {
        std::lock_guard<std::mutex> lock(mu);
        s.state = 4;
      }
    }
    // The next batch to consume and the one after are with the workers: what pairing with
    // plaintext has not yet hashed of them is hashed alone.
    while (id != nullptr && hash_seq < read_seq && hash_seq <= done_seq + 1) {
      Slot& c = slots[hash_seq % slots.size()];
      id->Update({c.buf.data() + c.hashed, c.cipher - c.hashed});
      hashed(c, c.cipher - c.hashed);
    }
    Slot& s = slots[done_seq % slots.size()];
    {
      std::unique_lock<std::mutex> lock(mu);
      cv_done.wait(lock, [&] { return s.state == 2 || s.state == 3; });
    }
    if (s.state == 3) {
      return gavah::Error(ErrorCode::kTampered, "envelope was altered or damaged (chunk " +
                                                    std::to_string(s.failed_chunk) +
                                                    " fails authentication)");
    }
    size_t left = s.plain;
    for (size_t j = 0; left > 0; ++j) {
      const size_t n = std::min(left, kV2Chunk);
      GAVAH_RETURN_IF_ERROR(
          consume(std::span<const uint8_t>(s.buf.data() + j * kV2CipherChunk, n), hasher));
      left -= n;
    }
    done_chunk += (s.plain + kV2Chunk - 1) / kV2Chunk;
    ++done_seq;
    {
      std::lock_guard<std::mutex> lock(mu);
      s.state = 0;
    }
  }
  uint8_t probe;
  GAVAH_ASSIGN_OR_RETURN(size_t extra, in.Read(std::span(&probe, 1)));
  if (extra != 0)
    return gavah::Error(ErrorCode::kMalformed, "envelope has data after its final chunk");
  return Status::Ok();
}

}  // namespace gavah::internal
