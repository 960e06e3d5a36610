#include "transparency_log.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "gavah/crypto/io.h"
#include "sqlite_stmt.h"

namespace gavah::server {
namespace {

constexpr size_t kBatchRows = 65536;  // entries moved per transaction
constexpr char kSignedKey[] = "checkpoint";
constexpr char kCosignedKey[] = "cosigned";
std::string WitnessKey(const tlog::VerifierKey& k) {
  return "witness:" + tlog::FormatVerifierKey(k);
}

// The checkpoint a note holds, when `key` signed it.
Result<tlog::Checkpoint> SignedCheckpoint(const std::string& note, const tlog::VerifierKey& key) {
  const tlog::VerifierKey keys[] = {key};
  GAVAH_ASSIGN_OR_RETURN(tlog::OpenedNote opened, tlog::OpenNote(note, keys));
  return tlog::ParseCheckpoint(opened.text);
}

// What a witness said, made safe for the operator's log: printable ASCII, at most 200 bytes.
std::string Printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 200))
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  return out;
}

std::optional<uint64_t> Decimal(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  return std::stoull(std::string(s));
}

}  // namespace

tlog::NoteSigner LogSigner(const ReceiptKey& key) {
  tlog::NoteSigner s{tlog::LogOrigin(key.public_key()), SecretBuffer(crypto_sign_SECRETKEYBYTES)};
  PublicKey32 pk{};
  crypto_sign_seed_keypair(pk.data(), s.secret_key.data(), key.secret_seed().data());
  return s;
}

TransparencyLog::TransparencyLog(EnvelopeStore* store, tlog::NoteSigner signer, LogOptions options)
    : store_(store),
      signer_(std::move(signer)),
      origin_(signer_.name),
      options_(std::move(options)) {
  if (!options_.post) {
    options_.post = [](const std::string& address, const std::string& path,
                       const std::string& body) { return HttpPost(address, path, body, 15000); };
  }
  if (!options_.report) options_.report = [](const std::string&) {};
  if (options_.batch_seconds == 0) options_.batch_seconds = 1;
}

Result<std::unique_ptr<TransparencyLog>> TransparencyLog::Open(EnvelopeStore* store,
                                                               const ReceiptKey& key,
                                                               LogOptions options) {
  std::unique_ptr<TransparencyLog> log(
      new TransparencyLog(store, LogSigner(key), std::move(options)));
  store->set_logged(true);
  GAVAH_RETURN_IF_ERROR(log->Load());
  return log;
}

Status TransparencyLog::Load() {
  // The kept checkpoints first, then the entries: a checkpoint is kept only once the entries it
  // covers are committed, so entries read after it cover it even while a server runs beside this
  // reader (`log export`).
  GAVAH_ASSIGN_OR_RETURN(const std::optional<std::string> kept_signed,
                         store_->LogState(kSignedKey));
  GAVAH_ASSIGN_OR_RETURN(const std::optional<std::string> kept_cosigned,
                         store_->LogState(kCosignedKey));
  GAVAH_RETURN_IF_ERROR(store_->ReadLog(
      0, sql::kMaxSqlInteger, [&](uint64_t index, std::span<const uint8_t> entry) -> Status {
        if (!tlog::ParseEntry(entry).ok())
          return Error(ErrorCode::kTampered,
                       "log entry " + std::to_string(index) + " in the database is damaged");
        tree_.Append(tlog::LeafHash(entry));
        return Status::Ok();
      }));
  GAVAH_RETURN_IF_ERROR(store_->QueueUnlogged().status());
  const tlog::VerifierKey own = signer_.verifier();
  // Every checkpoint kept must still follow from the entries: otherwise the database was changed
  // under the log, and serving it would sign a rewritten history.
  auto check = [&](const std::string& key, const std::optional<std::string>& note,
                   std::string* into) -> Status {
    if (!note) return Status::Ok();
    auto c = SignedCheckpoint(*note, own);
    if (!c.ok() || c->origin != origin_)
      return Error(ErrorCode::kTampered, "the log's kept " + key + " is not signed by its key");
    auto root = tree_.Root(c->size);
    if (!root.ok() || *root != c->root) {
      return Error(ErrorCode::kTampered,
                   "the log's entries no longer lead to the checkpoint it signed (size " +
                       std::to_string(c->size) + "): its database was changed");
    }
    *into = *note;
    return Status::Ok();
  };
  std::string cosigned;
  GAVAH_RETURN_IF_ERROR(check(kSignedKey, kept_signed, &signed_));
  GAVAH_RETURN_IF_ERROR(check(kCosignedKey, kept_cosigned, &cosigned));
  served_ = options_.witnesses.empty() && !options_.export_cosigned ? signed_ : cosigned;
  if (served_.empty() && options_.export_cosigned) served_ = signed_;
  if (!served_.empty()) served_size_ = SignedCheckpoint(served_, own).value().size;
  return Status::Ok();
}

TransparencyLog::~TransparencyLog() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TransparencyLog::Start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(stop_mu_);
    while (!stop_) {
      lock.unlock();
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch());
      auto r = RunBatch(static_cast<uint64_t>(now.count()));
      if (!r.ok()) options_.report("the log's batch failed: " + r.status().message());
      lock.lock();
      stop_cv_.wait_for(lock, std::chrono::seconds(options_.batch_seconds), [&] { return stop_; });
    }
  });
}

uint64_t TransparencyLog::IncludeBy(uint64_t hour) const {
  // The batch that takes it ends within batch_seconds of arrival, whenever in the hour it came,
  // plus an hour for the batch's own work and its witnesses.
  const uint64_t hours = (options_.batch_seconds + 3599) / 3600;
  return hour + 3600 * (2 + hours);
}

Result<uint64_t> TransparencyLog::RunBatch(uint64_t) {
  std::lock_guard<std::mutex> batch(batch_mu_);
  uint64_t added = 0;
  for (;;) {
    uint64_t size = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      size = tree_.size();
    }
    GAVAH_ASSIGN_OR_RETURN(auto entries, store_->IntegratePending(size, kBatchRows));
    if (entries.empty()) break;
    std::unique_lock<std::mutex> lock(mu_);
    for (const auto& e : entries) tree_.Append(tlog::LeafHash(e));
    added += entries.size();
  }
  std::string note;
  uint64_t size = 0;
  {
    std::unique_lock<std::mutex> lock(mu_);
    size = tree_.size();
    note = signed_;
    const bool current =
        !signed_.empty() && SignedCheckpoint(signed_, signer_.verifier()).value().size == size;
    if (current && (options_.witnesses.empty() || served_size_ == size)) return added;
  }
  const tlog::VerifierKey own = signer_.verifier();
  if (note.empty() || SignedCheckpoint(note, own).value().size != size) {
    std::unique_lock<std::mutex> lock(mu_);
    GAVAH_ASSIGN_OR_RETURN(const Digest32 root, tree_.Root(size));
    const std::string text = tlog::FormatCheckpoint({origin_, size, root, {}});
    const tlog::NoteSigner* signers[] = {&signer_};
    GAVAH_ASSIGN_OR_RETURN(note, tlog::SignNote(text, signers));
    lock.unlock();
    GAVAH_RETURN_IF_ERROR(store_->SetLogState(kSignedKey, note));
    std::unique_lock<std::mutex> wlock(mu_);
    signed_ = note;
    if (options_.witnesses.empty()) {
      served_ = note;
      served_size_ = size;
    }
  }
  if (options_.witnesses.empty()) return added;
  const std::string cosigned = Witness(note, size);
  const tlog::VerifierKey log_key = own;
  std::vector<tlog::VerifierKey> keys;
  for (const auto& w : options_.witnesses) keys.push_back(w.key);
  PublicKey32 pk{};
  std::copy(log_key.public_key.begin(), log_key.public_key.end(), pk.begin());
  auto accepted = tlog::AcceptCheckpoint(cosigned, pk, keys, options_.quorum);
  if (!accepted.ok()) {
    options_.report("the checkpoint of size " + std::to_string(size) +
                    " is not served yet: " + accepted.status().message());
    return added;
  }
  GAVAH_RETURN_IF_ERROR(store_->SetLogState(kCosignedKey, cosigned));
  std::unique_lock<std::mutex> wlock(mu_);
  served_ = cosigned;
  served_size_ = size;
  return added;
}

std::string TransparencyLog::Witness(const std::string& note, uint64_t size) {
  std::string out = note;
  for (const auto& w : options_.witnesses) {
    const std::string name = w.key.name;
    auto kept = store_->LogState(WitnessKey(w.key));
    uint64_t old = 0;
    if (kept.ok() && kept->has_value()) old = Decimal(**kept).value_or(0);
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (old > size) {
        options_.report("witness " + name + " has cosigned a larger tree (" + std::to_string(old) +
                        ") than this log holds (" + std::to_string(size) + ")");
        break;
      }
      tlog::AddCheckpoint req{old, {}, note};
      if (old > 0 && old < size) {
        std::unique_lock<std::mutex> lock(mu_);
        auto proof = tree_.ConsistencyProof(old, size);
        if (!proof.ok()) break;
        req.proof = std::move(*proof);
      }
      auto answer = options_.post(w.address, "/add-checkpoint", tlog::FormatAddCheckpoint(req));
      if (!answer.ok()) {
        options_.report("witness " + name + " could not be reached: " + answer.status().message());
        break;
      }
      if (answer->status == 409) {  // it last cosigned another size: try again from there
        const auto theirs = Decimal(answer->body);
        if (!theirs) break;
        old = *theirs;
        continue;
      }
      if (answer->status != 200) {
        options_.report("witness " + name + " refused the checkpoint of size " +
                        std::to_string(size) + " (HTTP " + std::to_string(answer->status) +
                        "): " + Printable(answer->body));
        break;
      }
      // Only lines that verify as this witness's cosignature of this checkpoint are kept.
      const tlog::VerifierKey keys[] = {w.key};
      std::string_view body = answer->body;
      size_t lines = 0;
      bool got = false;
      while (!body.empty() && lines++ < 8) {
        const size_t nl = body.find('\n');
        if (nl == std::string_view::npos) break;
        const std::string line(body.substr(0, nl + 1));
        body.remove_prefix(nl + 1);
        if (tlog::OpenNote(note + line, keys).ok()) {
          out += line;
          got = true;
        }
      }
      if (got) {
        (void)store_->SetLogState(WitnessKey(w.key), std::to_string(size));
      } else {
        options_.report("witness " + name + " answered without a valid cosignature");
      }
      break;
    }
  }
  return out;
}

std::string TransparencyLog::Checkpoint() const {
  std::unique_lock<std::mutex> lock(mu_);
  return served_;
}

uint64_t TransparencyLog::served_size() const {
  std::unique_lock<std::mutex> lock(mu_);
  return served_size_;
}

Result<std::string> TransparencyLog::ProofFor(const Digest32& id) const {
  GAVAH_ASSIGN_OR_RETURN(std::optional<uint64_t> index, store_->LogIndexOf(id));
  std::unique_lock<std::mutex> lock(mu_);
  if (!index || *index >= served_size_) return std::string();
  GAVAH_ASSIGN_OR_RETURN(auto path, tree_.InclusionProof(*index, served_size_));
  return tlog::FormatTlogProof({std::nullopt, *index, std::move(path), served_});
}

Result<std::vector<Digest32>> TransparencyLog::Consistency(uint64_t old_size,
                                                           uint64_t new_size) const {
  std::unique_lock<std::mutex> lock(mu_);
  if (new_size > served_size_)
    return Error(ErrorCode::kInvalidArgument, "the served log is not that large");
  return tree_.ConsistencyProof(old_size, new_size);
}

Result<std::vector<uint8_t>> TransparencyLog::Read(std::string_view path) const {
  if (path == "checkpoint") {
    const std::string c = Checkpoint();
    if (c.empty()) return Error(ErrorCode::kInvalidArgument, "the log has no checkpoint yet");
    return std::vector<uint8_t>(c.begin(), c.end());
  }
  GAVAH_ASSIGN_OR_RETURN(const tlog::TileRef ref, tlog::ParseTilePath(path));
  const uint64_t served = served_size();
  const auto missing = Error(ErrorCode::kInvalidArgument, "the served log has no such tile");
  // Entries a tile covers: (index * 256 + width) * 256^level, checked before it can overflow.
  uint64_t covered = ref.index * tlog::kTileWidth + ref.width;
  if (ref.index > served / tlog::kTileWidth) return missing;
  for (unsigned l = 0; l < ref.level; ++l) {
    if (covered > served / tlog::kTileWidth) return missing;
    covered *= tlog::kTileWidth;
  }
  if (covered > served) return missing;
  if (!ref.entries) {
    std::unique_lock<std::mutex> lock(mu_);
    return tree_.Tile(ref.level, ref.index, ref.width);
  }
  std::vector<std::vector<uint8_t>> entries;
  const uint64_t first = ref.index * tlog::kTileWidth;
  GAVAH_RETURN_IF_ERROR(
      store_->ReadLog(first, first + ref.width, [&](uint64_t, std::span<const uint8_t> e) {
        entries.emplace_back(e.begin(), e.end());
        return Status::Ok();
      }));
  if (entries.size() != ref.width) return Error(ErrorCode::kIo, "the log's entries are missing");
  return tlog::EncodeEntryBundle(entries);
}

Status TransparencyLog::Export(const std::string& dir) const {
  const std::string checkpoint = Checkpoint();
  if (checkpoint.empty())
    return Error(ErrorCode::kInvalidArgument, "the log has no checkpoint yet");
  std::error_code ec;
  auto write = [&](const std::string& rel, std::span<const uint8_t> bytes) -> Status {
    const std::filesystem::path p = std::filesystem::path(dir) / rel;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) return Error(ErrorCode::kIo, "cannot create " + p.parent_path().string());
    FILE* f = std::fopen(p.c_str(), "wbx");
    if (f == nullptr) return Error(ErrorCode::kIo, "cannot write " + p.string());
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (std::fclose(f) != 0 || !ok) return Error(ErrorCode::kIo, "cannot write " + p.string());
    return Status::Ok();
  };
  GAVAH_RETURN_IF_ERROR(
      write("checkpoint",
            std::span(reinterpret_cast<const uint8_t*>(checkpoint.data()), checkpoint.size())));
  GAVAH_ASSIGN_OR_RETURN(const auto tiles, tlog::TilesOfTree(served_size()));
  for (const auto& t : tiles) {
    const std::string path = tlog::TilePath(t.level, t.index, t.width);
    GAVAH_ASSIGN_OR_RETURN(const auto bytes, Read(path));
    GAVAH_RETURN_IF_ERROR(write(path, bytes));
    if (t.level == 0) {
      const std::string entries = tlog::EntriesPath(t.index, t.width);
      GAVAH_ASSIGN_OR_RETURN(const auto bundle, Read(entries));
      GAVAH_RETURN_IF_ERROR(write(entries, bundle));
    }
  }
  return Status::Ok();
}

}  // namespace gavah::server
