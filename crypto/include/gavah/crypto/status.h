// Error values that cross module boundaries. No exception leaves the crypto library.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace gavah {

// Closed set: each code is a distinct situation a user can act on. Messages never contain
// secrets or plaintext; they may name files and counts.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // caller asked for something impossible (k > n, empty passphrase, ...)
  kIo,               // a file could not be read or written
  kAlreadyExists,    // refusing to overwrite
  kMalformed,        // input is not in the documented format
  kUnsupported,      // a version or algorithm this build does not know
  kTruncated,        // input ended early
  kTampered,         // authentication failed on data that was ours to check
  kNotRecipient,     // none of the given keys can open this envelope
  kNotEnoughKeys,    // fewer shares than the threshold
  kWrongPassphrase,
  kWrongKeyKind,  // a key file of another kind (organisation vs investigator, public vs secret)
  kBadSignature,
  kUntrustedSigner,  // validly signed, but not by the pinned key
  kExpired,
  kTooLarge,
  kCancelled,  // the caller asked the operation to stop
};

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status Error(ErrorCode code, std::string message) {
  return Status(code, std::move(message));
}

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design, like absl::StatusOr
  Result(Status status) : status_(std::move(status)) {}  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace gavah

#define GAVAH_RETURN_IF_ERROR(expr) \
  do {                              \
    ::gavah::Status _st = (expr);   \
    if (!_st.ok()) return _st;      \
  } while (0)

#define GAVAH_CONCAT_INNER(a, b) a##b
#define GAVAH_CONCAT(a, b) GAVAH_CONCAT_INNER(a, b)
#define GAVAH_ASSIGN_OR_RETURN(lhs, expr) \
  GAVAH_ASSIGN_OR_RETURN_IMPL(GAVAH_CONCAT(_res_, __LINE__), lhs, expr)
#define GAVAH_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
