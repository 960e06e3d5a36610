// Version 2 payload: independently authenticated 64 KiB chunks (the STREAM construction), sealed
// and opened on every core. Format: docs/PROTOCOL.md 3.4.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gavah/crypto/digest.h"
#include "gavah/crypto/io.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"

namespace gavah::internal {

inline constexpr size_t kV2Chunk = 64 * 1024;
inline constexpr size_t kV2Tag = 16;
inline constexpr size_t kV2CipherChunk = kV2Chunk + kV2Tag;
inline constexpr size_t kV2ChunksPerBatch = 16;  // 1 MiB of plaintext per hand-over
inline constexpr size_t kV2BatchBytes = kV2ChunksPerBatch * kV2CipherChunk;

// Ciphertext bytes of a payload of `plaintext` bytes.
inline uint64_t V2PayloadSize(uint64_t plaintext) {
  return plaintext + ((plaintext + kV2Chunk - 1) / kV2Chunk) * kV2Tag;
}

// ChaCha20-Poly1305 (RFC 8439) of one chunk, in place, nonce = u88 big-endian index || u8 last.
// One per thread. The implementation is libcrypto's, which is the same construction as
// libsodium's crypto_aead_chacha20poly1305_ietf (tests/crypto checks they agree byte for byte)
// at about twice its speed on this project's machines.
class ChunkCipher {
 public:
  explicit ChunkCipher(std::span<const uint8_t> key);
  ~ChunkCipher();
  ChunkCipher(const ChunkCipher&) = delete;
  ChunkCipher& operator=(const ChunkCipher&) = delete;
  // `p` holds n plaintext bytes and room for the tag after them.
  void Seal(uint64_t index, bool last, uint8_t* p, size_t n);
  // `p` holds n ciphertext bytes and the tag; false (and p wiped) when it does not authenticate.
  bool Open(uint64_t index, bool last, uint8_t* p, size_t n);

 private:
  void* ctx_;  // EVP_CIPHER_CTX
  SecretBuffer key_;
};

// The machine's cores, at least one.
unsigned CryptoWorkers();

// Plaintext in (Room/Commit as ChunkWriter), ciphertext out in order. One thread hashes: the
// plaintext a Commit() names before it is sealed (an attachment's digest), and the ciphertext
// after (the envelope id), both at once (Sha256::UpdateBoth); CryptoWorkers() threads seal the
// chunks and another writes them to `out`, all from the same buffers. Bounded memory: a fixed
// pool of batches, allocated once.
class ParallelSealer {
 public:
  static constexpr bool kHashesPlaintext = true;
  ParallelSealer(std::span<const uint8_t> payload_key, uint64_t total, ByteSink& out, Sha256& id);
  ~ParallelSealer();
  std::span<uint8_t> Room();
  // A SHA-256 of plaintext to be computed on the hashing thread, owned by the sealer so that it
  // outlives the thread's use of it whatever the caller does on an error.
  Sha256* NewHash();
  // `hash`, when given, receives the n bytes before they are sealed, in order with every other
  // Commit() that names it; FinalHash() gives its digest.
  Status Commit(size_t n, Sha256* hash = nullptr);
  Status Write(std::span<const uint8_t> bytes);
  // Waits for every byte committed to `hash` so far, then finalises it.
  Result<Digest32> FinalHash(Sha256& hash);
  bool complete() const { return written_ == total_; }
  // Waits until every chunk is written and hashed; the first error of any stage.
  Status Finish();

 private:
  struct Segment {
    Sha256* hash;
    size_t offset;  // in the batch's buffer
    size_t size;
  };
  struct Batch {
    SecretBuffer buf;
    uint64_t seq = 0;
    uint64_t first_chunk = 0;
    size_t filled = 0;       // plaintext bytes
    size_t cipher_size = 0;  // bytes after sealing
    std::vector<Segment> segments;
    // 0 free, 1 filling, 2 plaintext to hash, 3 to seal, 4 sealed: id and writer pending.
    int stage = 0;
    int consumers = 0;
  };
  Status Submit();
  Status Acquire();
  void Worker();
  void Hasher();
  void Writer();
  Status Error();

  SecretBuffer key_;
  uint64_t total_;
  uint64_t written_ = 0;
  uint64_t next_chunk_ = 0;
  ByteSink& out_;
  Sha256& id_;
  std::vector<Batch> batches_;
  std::deque<Sha256> hashes_;
  // For each hash, how many batches the hasher must have done before it holds all that was
  // submitted for it. Only the filler's thread touches it.
  std::unordered_map<const Sha256*, uint64_t> hash_needs_;
  Batch* current_ = nullptr;
  uint64_t next_seq_ = 0;
  std::mutex mu_;
  // One per kind of waiter, so that a hand-over wakes only the thread it concerns.
  std::condition_variable cv_main_, cv_hash_, cv_seal_, cv_write_;
  std::deque<Batch*> to_seal_;  // guarded by mu_
  uint64_t plain_hashed_ = 0;   // guarded by mu_: batches whose plaintext is hashed
  uint64_t hashed_ = 0;         // guarded by mu_: batches in the id
  uint64_t flushed_ = 0;        // guarded by mu_: batches written
  bool stop_ = false;           // guarded by mu_
  Status error_;                // guarded by mu_
  std::vector<std::thread> threads_;
};

// Hashes plaintext into `hash`, in order.
using PlaintextHasher = std::function<void(Sha256& hash, std::span<const uint8_t> bytes)>;

// Reads a version 2 payload of `total` plaintext bytes from `in` and hands its plaintext, chunk
// by chunk in order and only once each authenticated, to `consume`. Decryption runs on
// CryptoWorkers() threads ahead of the consumer. With `id` (the envelope id so far, taken over
// from `in`), every ciphertext byte read is hashed into it before it is decrypted, on the
// caller's thread and beside the plaintext `consume` hashes through the PlaintextHasher it is
// given (Sha256::UpdateBoth); `in` is then read straight into the batches.
Status OpenParallel(
    std::span<const uint8_t> payload_key, uint64_t total, ByteSource& in, Sha256* id,
    const std::function<Status(std::span<const uint8_t>, const PlaintextHasher&)>& consume);

}  // namespace gavah::internal
