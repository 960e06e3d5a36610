// SecretBuffer: the only place keys, shares, passphrases and plaintext live.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace gavah {

// Move-only bytes in sodium_malloc memory (guard pages, mlock where allowed), wiped and freed on
// destruction. Has a size and a capacity so it can grow for streamed plaintext; growing moves the
// bytes to a fresh allocation and wipes the old one. Not thread-safe; one owner at a time.
class SecretBuffer {
 public:
  SecretBuffer() = default;
  // Zero-filled buffer of `size` bytes. Aborts if memory cannot be had: a secret must never
  // silently fall back to ordinary memory.
  explicit SecretBuffer(size_t size);
  ~SecretBuffer();
  SecretBuffer(SecretBuffer&& other) noexcept;
  SecretBuffer& operator=(SecretBuffer&& other) noexcept;
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;

  static SecretBuffer CopyOf(std::span<const uint8_t> bytes);

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<uint8_t> span() { return {data_, size_}; }
  std::span<const uint8_t> span() const { return {data_, size_}; }
  // The one greppable way to see the bytes as text; the view dies with the buffer.
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }

  void Append(std::span<const uint8_t> bytes);
  void Append(std::string_view text) {
    Append({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  }
  void PushBack(uint8_t byte) { Append(std::span<const uint8_t>(&byte, 1)); }
  // Shrinks or zero-extends the logical size.
  void Resize(size_t size);
  void Reserve(size_t capacity);
  size_t capacity() const { return capacity_; }
  // The n bytes already written at data() + size() become part of the contents, for readers
  // that fill spare capacity in place. Requires size() + n <= capacity().
  void AdoptWritten(size_t n);
  void Clear() { Resize(0); }
  // Empties the buffer without wiping it, for a buffer its owner refills at once (the read-ahead
  // and pipeline buffers, recycled a megabyte at a time): wiping every refill cost a tenth of a
  // seal. The old bytes stay in this secret memory until overwritten or freed (which wipes).
  void Rewind() { size_ = 0; }

  // Constant-time comparison of contents (sizes are not secret).
  bool Equals(std::span<const uint8_t> other) const;

 private:
  void Release();
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Must be called once before any other function of the library; safe to call again.
// Returns false if libsodium cannot initialise (no entropy source).
bool InitCrypto();

}  // namespace gavah
