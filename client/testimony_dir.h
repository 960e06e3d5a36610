// Writes an opened envelope into a directory that appears only once the whole envelope verified.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gavah/crypto/envelope.h"
#include "gavah/crypto/io.h"
#include "gavah/crypto/secret_buffer.h"

namespace gavah::cli {

// Layout of DIR (docs/PROTOCOL.md, "Opened testimony"):
//   testimony.txt            the witness's text
//   attachments/NN-<name>    each attachment, numbered in envelope order
//   manifest.json            envelope id, fields, every file's size and SHA-256
// Everything is first written into a private staging directory beside DIR (0700, files 0600)
// and renamed to DIR by Commit(); if Commit() is never reached the staging directory is removed,
// so DIR never holds a partial testimony. DIR must not exist, or be an empty directory.
class TestimonyDirectory : public TestimonySink {
 public:
  // The witness's reply key from the testimony record, once the payload has been read.
  const std::optional<PublicKey32>& reply_key() const { return reply_key_; }
  // The witness's X-Wing reply key, when the testimony carried one (version 2 envelopes).
  const std::optional<xwing::PublicKey>& reply_xwing_key() const { return reply_xwing_key_; }
  // The witness's consent tokens, comma-separated ("" when the record carries none: not asked).
  std::string ConsentText() const;
  bool has_consent() const { return consent_.has_value(); }
  static std::unique_ptr<TestimonyDirectory> Create(const std::string& dir);
  static Result<std::unique_ptr<TestimonyDirectory>> TryCreate(const std::string& dir);
  // Who is told when a half-written folder cannot be removed (it holds unverified plaintext);
  // without it, stderr.
  void OnLeftover(std::function<void(const std::string&)> tell) { on_leftover_ = std::move(tell); }
  // Writes nothing: checks instead that the existing folder `dir` holds exactly what the
  // envelope opens to (every byte of every file, manifest.json, no file more). What differs is
  // in differences() once Commit() has run; Commit() renames nothing.
  static std::unique_ptr<TestimonyDirectory> ForComparison(const std::string& dir);
  // "<path>: <what>", paths relative to DIR. Empty after Commit() when DIR matches.
  const std::vector<std::string>& differences() const { return differences_; }
  ~TestimonyDirectory() override;

  Status OnTestimony(const TestimonyView& testimony) override;
  Status OnAttachmentData(size_t index, std::span<const uint8_t> bytes) override;
  Status OnAttachmentEnd(size_t index, const Digest32& sha256) override;

  // Writes manifest.json and moves the staging directory into place.
  Status Commit(const EnvelopeId& id, const Fingerprint& organisation);
  size_t file_count() const { return 1 + attachments_.size(); }
  // "<size> <name>\n" per attachment, in order, in secret memory (names are testimony).
  SecretBuffer AttachmentList() const;

 private:
  std::function<void(const std::string&)> on_leftover_;
  explicit TestimonyDirectory(std::string dir) : dir_(std::move(dir)) {}
  Status WriteSmallFile(int dirfd, const char* name, std::span<const uint8_t> bytes);

  struct AttachmentRecord {
    SecretBuffer path;  // relative to DIR, NUL-terminated
    SecretBuffer name;
    SecretBuffer media_type;
    uint64_t size = 0;
    Digest32 sha256{};
  };

  // Compare mode: checks one existing file against the bytes or digest the envelope gives.
  void CompareFile(const std::string& rel, std::span<const uint8_t> bytes);
  void CompareDigest(const std::string& rel, uint64_t size, const Digest32& sha256);

  std::string dir_;
  bool compare_ = false;
  std::vector<std::string> differences_;
  std::string staging_;
  int staging_fd_ = -1;
  int attachments_fd_ = -1;
  bool committed_ = false;
  SecretBuffer language_, event_time_, event_place_;
  bool has_reply_key_ = false;
  std::optional<PublicKey32> reply_key_;
  std::optional<xwing::PublicKey> reply_xwing_key_;
  // The consent tokens joined by '\n'; absent when the record carries none.
  std::optional<SecretBuffer> consent_;
  uint64_t text_size_ = 0;
  Digest32 text_sha256_{};
  std::vector<AttachmentRecord> attachments_;
  int current_fd_ = -1;
  std::unique_ptr<ThreadedFdSink> current_;
};

}  // namespace gavah::cli
