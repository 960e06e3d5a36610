#include "gavah/crypto/secret_buffer.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

namespace gavah {
namespace {

uint8_t* AllocateOrDie(size_t capacity) {
  // sodium_malloc needs an initialised library; sodium_init() is idempotent and cheap next to
  // the mmap and mprotect calls that follow.
  if (sodium_init() < 0) std::abort();
  // sodium_malloc(0) is legal but returns a distinct pointer; keep at least one byte so data()
  // is never null for an allocated buffer.
  void* p = sodium_malloc(capacity == 0 ? 1 : capacity);
  if (p == nullptr) std::abort();
  return static_cast<uint8_t*>(p);
}

}  // namespace

bool InitCrypto() { return sodium_init() >= 0; }

SecretBuffer::SecretBuffer(size_t size) {
  if (size == 0) return;
  data_ = AllocateOrDie(size);
  sodium_memzero(data_, size);
  size_ = capacity_ = size;
}

SecretBuffer::~SecretBuffer() { Release(); }

SecretBuffer::SecretBuffer(SecretBuffer&& other) noexcept
    : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
  other.data_ = nullptr;
  other.size_ = other.capacity_ = 0;
}

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = other.data_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  return *this;
}

SecretBuffer SecretBuffer::CopyOf(std::span<const uint8_t> bytes) {
  SecretBuffer b(bytes.size());
  if (!bytes.empty()) std::memcpy(b.data_, bytes.data(), bytes.size());
  return b;
}

void SecretBuffer::Release() {
  if (data_ != nullptr) sodium_free(data_);  // sodium_free wipes before freeing
  data_ = nullptr;
  size_ = capacity_ = 0;
}

void SecretBuffer::Reserve(size_t capacity) {
  if (capacity <= capacity_) return;
  uint8_t* fresh = AllocateOrDie(capacity);
  if (size_ > 0) std::memcpy(fresh, data_, size_);
  if (data_ != nullptr) sodium_free(data_);
  data_ = fresh;
  capacity_ = capacity;
}

void SecretBuffer::Append(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  if (size_ + bytes.size() > capacity_) {
    size_t want = capacity_ < 64 ? 64 : capacity_;
    while (want < size_ + bytes.size()) want *= 2;
    Reserve(want);
  }
  std::memcpy(data_ + size_, bytes.data(), bytes.size());
  size_ += bytes.size();
}

void SecretBuffer::Resize(size_t size) {
  if (size > capacity_) Reserve(size);
  if (size > size_) {
    sodium_memzero(data_ + size_, size - size_);
  } else if (size < size_) {
    sodium_memzero(data_ + size, size_ - size);
  }
  size_ = size;
}

void SecretBuffer::AdoptWritten(size_t n) {
  if (size_ + n > capacity_) std::abort();
  size_ += n;
}

bool SecretBuffer::Equals(std::span<const uint8_t> other) const {
  if (other.size() != size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(data_, other.data(), size_) == 0;
}

}  // namespace gavah
