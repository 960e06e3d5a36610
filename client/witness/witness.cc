#include "witness.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "cli_support.h"
#include "gavah/crypto/codename.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/intake_log.h"
#include "gavah/crypto/io.h"
#include "gavah/crypto/process.h"
#include "gavah/crypto/tlog.h"
#include "gavah/crypto/utf8.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "media_type.h"
#include "metadata.h"

namespace gavah::witness {

// Generated from client/codename_words.txt and client/codename_words_fa.txt (see
// client/codename_words.md).
extern const char* const kCodenameWords[];
extern const size_t kCodenameWordCount;
extern const char* const kCodenameWordsFa[];
extern const size_t kCodenameWordCountFa;

namespace {

Status Io(const std::string& what) {
  return Error(ErrorCode::kIo, what + ": " + std::strerror(errno));
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Seals into a temporary file in `dir`; the caller links it into place.
Result<std::pair<std::string, SealedEnvelope>> SealIntoTemporary(const RecipientBundle& bundle,
                                                                 Prepared& t,
                                                                 const std::string& dir,
                                                                 const std::string& what) {
  std::string tmp = dir + "/.gavah-seal-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return Io("cannot write " + what);
  ::fchmod(fd, 0600);
  Result<SealedEnvelope> sealed = Status();
  {
    FdSink sink(fd, what);  // SealEnvelope hashes and writes on a thread of its own
    sealed = SealEnvelope(bundle, t.input(), sink);
  }
  ::close(fd);
  if (!sealed.ok()) {
    ::unlink(tmp.c_str());
    return Error(sealed.status().code(), "seal: " + sealed.status().message());
  }
  return std::make_pair(tmp, sealed.value());
}

// Links a sealed temporary file to `path`, never replacing anything there.
Status LinkInto(const std::string& tmp, const std::string& path) {
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    if (e == EEXIST)
      return Error(ErrorCode::kAlreadyExists, path + " already exists; refusing to overwrite it");
    return Error(ErrorCode::kIo, "cannot write " + path + ": " + std::strerror(e));
  }
  ::unlink(tmp.c_str());
  return cli::TrySyncDirOf(path);
}

transport::SendOptions Options(const Connection& c, const Hooks& h) {
  transport::SendOptions o;
  o.proxy = c.proxy;
  o.on_work = h.on_work;
  o.max_work_seconds = c.max_work_seconds;
  o.wait_seconds = c.wait_seconds;
  o.on_wait = h.on_wait;
  o.progress = h.progress;
  o.cancelled = h.cancelled;
  return o;
}

bool IsHexId(const std::string& id) {
  return id.size() == 64 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

Result<std::string> StateDir() {
  auto pins = OrganisationPins::TryDefaultPath();
  if (!pins.ok()) return pins.status();
  return pins->substr(0, pins->rfind('/'));
}

Result<OrganisationPins> LoadPins() {
  auto path = OrganisationPins::TryDefaultPath();
  if (!path.ok()) return path.status();
  return OrganisationPins::TryLoad(path.value());
}

Result<RecipientBundle> LoadBundle(const std::string& path, const std::string& fingerprint,
                                   bool require_current) {
  return cli::TryLoadBundle(path, fingerprint, require_current);
}

Status RefuseRollback(const RecipientBundle& bundle, const OrganisationPins& pins,
                      const std::string& path) {
  const std::string& name = bundle.contents().organisation_name;
  if (name.empty()) return Status::Ok();
  if (auto pinned = pins.Find(name);
      pinned && pinned->fingerprint == bundle.organisation_fingerprint())
    return cli::TryCheckNotOlder(bundle, pinned->newest_issued_at, path);
  return Status::Ok();
}

Result<TrustDecision> DecideTrust(const RecipientBundle& bundle, bool explicit_fingerprint,
                                  const OrganisationPins& pins, const std::string& path) {
  const std::string& name = bundle.contents().organisation_name;
  const std::string fp = FingerprintToText(bundle.organisation_fingerprint());
  GAVAH_RETURN_IF_ERROR(RefuseRollback(bundle, pins, path));
  TrustDecision d;
  if (explicit_fingerprint) {
    d.trust = Trust::kExplicit;
    d.label = "verified with --org-fingerprint";
    return d;
  }
  if (name.empty()) {
    d.trust = Trust::kUnnamed;
    d.label = "NOT verified";
    d.warning =
        "warning: this bundle names no organisation, so its key " + fp +
        " cannot be pinned; compare it with the fingerprint the organisation published, or pass "
        "--org-fingerprint";
    return d;
  }
  if (auto pinned = pins.Find(name)) {
    if (pinned->fingerprint != bundle.organisation_fingerprint()) {
      return Error(
          ErrorCode::kUntrustedSigner,
          "this bundle claims to be from \"" + name + "\" but is signed by organisation key " + fp +
              ", not the key " + FingerprintToText(pinned->fingerprint) +
              " you sealed for before; if the organisation really changed its key, confirm the "
              "new fingerprint with it and pass --org-fingerprint");
    }
    d.trust = Trust::kPinned;
    d.label = "pinned on this device";
    return d;
  }
  d.trust = Trust::kFirstUse;
  d.label = "pinned now, at first use";
  d.warning =
      "first use of \"" + name + "\": its organisation key " + fp +
      " is now pinned on this device; compare it with the fingerprint the organisation published";
  return d;
}

Status Pin(const RecipientBundle& bundle, OrganisationPins& pins) {
  if (bundle.contents().organisation_name.empty()) return Status::Ok();
  return pins.TryPin(bundle.contents().organisation_name, bundle.organisation_fingerprint(),
                     bundle.contents().issued_at);
}

Result<std::vector<std::string_view>> ParseConsent(std::span<const uint8_t> text) {
  const std::string_view all(reinterpret_cast<const char*>(text.data()), text.size());
  std::vector<bool> given(std::size(kConsentTokens), false);
  size_t line_no = 0;
  for (size_t at = 0; at < all.size();) {
    const size_t nl = std::min(all.find('\n', at), all.size());
    std::string_view line = all.substr(at, nl - at);
    at = nl + 1;
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    size_t i = 0;
    while (i < std::size(kConsentTokens) && kConsentTokens[i] != line) ++i;
    if (i == std::size(kConsentTokens)) {
      std::string known;
      for (const auto t : kConsentTokens) known += (known.empty() ? "" : ", ") + std::string(t);
      // The line is shown only when it has a token's form: it might otherwise be testimony
      // pasted into the wrong file.
      const std::string shown = IsConsentToken(line) ? " \"" + std::string(line) + "\"" : "";
      return Error(ErrorCode::kInvalidArgument, "line " + std::to_string(line_no) +
                                                    ": unknown permission" + shown +
                                                    " (known: " + known + ")");
    }
    if (given[i])
      return Error(ErrorCode::kInvalidArgument, "line " + std::to_string(line_no) + ": \"" +
                                                    std::string(line) + "\" is given twice");
    given[i] = true;
  }
  std::vector<std::string_view> out;
  for (size_t i = 0; i < given.size(); ++i)
    if (given[i]) out.push_back(kConsentTokens[i]);
  if (out.empty())
    return Error(ErrorCode::kInvalidArgument,
                 "no permission given; a witness who allows nothing else gives \"investigators\"");
  return out;
}

SecretBuffer AttachmentName(const std::string& path) {
  std::string_view base = path;
  while (base.size() > 1 && base.back() == '/') base.remove_suffix(1);
  if (const size_t slash = base.rfind('/'); slash != std::string_view::npos)
    base.remove_prefix(slash + 1);
  SecretBuffer name;
  for (size_t i = 0; i < base.size() && name.size() < kMaxNameLength - 4;) {
    const auto c = static_cast<unsigned char>(base[i]);
    const size_t len = c < 0x80             ? 1
                       : (c & 0xe0) == 0xc0 ? 2
                       : (c & 0xf0) == 0xe0 ? 3
                       : (c & 0xf8) == 0xf0 ? 4
                                            : 0;
    if (len > 0 && i + len <= base.size() && IsPrintableUtf8(base.substr(i, len)) && c != '\\') {
      name.Append(base.substr(i, len));
      i += len;
    } else {
      name.PushBack('_');
      ++i;
    }
  }
  if (name.empty() || name.view() == "." || name.view() == "..") {
    name = SecretBuffer::CopyOf({reinterpret_cast<const uint8_t*>("attachment"), 10});
  }
  return name;
}

Result<metadata::Report> InspectAttachment(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return Error(ErrorCode::kInvalidArgument, "cannot read " + path + ": not a regular file");
  if (static_cast<uint64_t>(st.st_size) > metadata::kMaxCleanBytes)
    return Error(ErrorCode::kTooLarge, path + ": too large to examine in memory");
  auto bytes = ReadRegularSecretFile(path, metadata::kMaxCleanBytes);
  if (!bytes.ok()) return bytes.status();
  return metadata::Inspect(bytes->span());
}

Prepared::~Prepared() {
  // The sources' threads stop before the fds they read are closed.
  sources_.clear();
  for (int fd : fds_) ::close(fd);
}

Result<std::unique_ptr<Prepared>> Prepare(Draft draft) {
  std::unique_ptr<Prepared> t(new Prepared());
  TestimonyInput& input = t->input_;
  input.text = std::move(draft.text);
  input.language = std::move(draft.language);
  input.event_time = std::move(draft.event_time);
  input.event_place = std::move(draft.event_place);
  input.reply_public_key = draft.reply_key;
  if (draft.reply_key) input.reply_xwing_public_key = draft.reply_xwing_key;
  input.consent = std::move(draft.consent);
  if (input.consent && !input.reply_public_key &&
      std::find(input.consent->begin(), input.consent->end(), "contact-again") !=
          input.consent->end())
    return Error(ErrorCode::kInvalidArgument,
                 "contact-again is allowed, but without a codename no reply can reach you: add "
                 "one, or leave contact-again out");
  // The cleaned copies are kept in one vector that never reallocates while sources point in.
  t->cleaned_.reserve(draft.attachments.size());
  for (const auto& choice : draft.attachments) {
    const std::string& path = choice.path;
    // Non-blocking open: a FIFO given as an attachment is refused instead of waited on.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return Io("cannot read " + path);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    t->fds_.push_back(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
      return Error(ErrorCode::kInvalidArgument, "cannot attach " + path + ": not a regular file");
    AttachmentInput att;
    att.name = AttachmentName(path);
    if (choice.clean_metadata) {
      // A phone's file name is metadata too (IMG_20230715_142301.jpg dates the photo and names
      // the maker): a cleaned copy goes as attachment-N with the original's extension.
      const std::string_view original = att.name.view();
      std::string ext;
      if (const size_t dot = original.rfind('.'); dot != std::string_view::npos) {
        for (char c : original.substr(dot + 1)) {
          if (ext.size() == 5 || !std::isalnum(static_cast<unsigned char>(c))) break;
          ext += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
      }
      const std::string neutral = "attachment-" + std::to_string(input.attachments.size() + 1) +
                                  (ext.empty() ? "" : "." + ext);
      att.name =
          SecretBuffer::CopyOf({reinterpret_cast<const uint8_t*>(neutral.data()), neutral.size()});
    }
    const std::string_view type = cli::GuessMediaType(att.name.view());
    att.media_type =
        SecretBuffer::CopyOf({reinterpret_cast<const uint8_t*>(type.data()), type.size()});
    if (choice.clean_metadata) {
      if (static_cast<uint64_t>(st.st_size) > metadata::kMaxCleanBytes)
        return Error(ErrorCode::kTooLarge, path + ": too large to clean in memory (limit " +
                                               std::to_string(metadata::kMaxCleanBytes >> 20) +
                                               " MiB); send the original or a smaller copy");
      auto original = ReadRegularSecretFile(path, metadata::kMaxCleanBytes);
      if (!original.ok()) return original.status();
      auto cleaned = metadata::Clean(original->span());
      if (!cleaned.ok())
        return Error(cleaned.status().code(), path + ": " + cleaned.status().message());
      t->cleaned_.push_back(std::move(cleaned).value());
      const SecretBuffer& copy = t->cleaned_.back();
      att.size = copy.size();
      t->sources_.push_back(std::make_unique<MemorySource>(copy.span()));
    } else {
      ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      // Read and hashed on a thread of its own, so the sealing thread only encrypts.
      t->sources_.push_back(std::make_unique<ReadAheadSource>(fd, path, /*hash=*/true));
      att.size = static_cast<uint64_t>(st.st_size);
    }
    att.source = t->sources_.back().get();
    input.attachments.push_back(std::move(att));
  }
  return t;
}

Result<SealedEnvelope> SealToFile(const RecipientBundle& bundle, Prepared& testimony,
                                  const std::string& out) {
  struct stat st {};
  if (::lstat(out.c_str(), &st) == 0)
    return Error(ErrorCode::kAlreadyExists, out + " already exists; refusing to overwrite it");
  auto sealed = SealIntoTemporary(bundle, testimony, DirOf(out), out);
  if (!sealed.ok()) return sealed.status();
  GAVAH_RETURN_IF_ERROR(LinkInto(sealed->first, out));
  return sealed->second;
}

Result<std::pair<EnvelopeId, uint64_t>> CheckEnvelope(const RecipientBundle& bundle, int fd,
                                                      std::optional<EnvelopeId> sealed_id) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Io("cannot read the envelope");
  EnvelopeId id{};
  if (sealed_id) {
    id = *sealed_id;
  } else {
    FdSource src(fd, "the envelope");
    ::lseek(fd, 0, SEEK_SET);
    auto computed = ComputeEnvelopeId(src);
    if (!computed.ok())
      return Error(computed.status().code(), "envelope: " + computed.status().message());
    id = computed.value();
  }
  // Only envelopes for this bundle's organisation go to its servers.
  ::lseek(fd, 0, SEEK_SET);
  FdSource hsrc(fd, "the envelope");
  auto h = ReadEnvelopeHeader(hsrc);
  if (!h.ok()) return Error(h.status().code(), "envelope: " + h.status().message());
  if (h->organisation_id != bundle.organisation_fingerprint())
    return Error(ErrorCode::kInvalidArgument,
                 "this envelope is for another organisation than the bundle's");
  if (h->envelope_size() != static_cast<uint64_t>(st.st_size))
    return Error(ErrorCode::kInvalidArgument, "the envelope is truncated or has extra bytes");
  return std::make_pair(id, static_cast<uint64_t>(st.st_size));
}

Result<Delivery> Deliver(const RecipientBundle& bundle, int fd, const Connection& connection,
                         const Hooks& hooks, std::optional<EnvelopeId> sealed_id) {
  auto checked = CheckEnvelope(bundle, fd, sealed_id);
  if (!checked.ok()) return checked.status();
  return transport::SendEnvelope(bundle, fd, checked->first, checked->second,
                                 Options(connection, hooks));
}

Result<std::string> SaveReceipt(const Delivery& d, const RecipientBundle& bundle) {
  auto state = StateDir();
  if (!state.ok()) return state.status();
  const std::string dir = *state + "/receipts";
  GAVAH_RETURN_IF_ERROR(cli::MakePrivateDirs(dir));
  const std::string path = dir + "/" + ToHex(d.receipt.envelope_id) + ".receipt";
  ::unlink(path.c_str());  // a re-send gets the same receipt; keep the newest copy
  const std::string text = transport::ReceiptToText(d.receipt, *bundle.contents().receipt_key);
  // The bundle beside it says where to ask for the inclusion proof and whose signatures count.
  GAVAH_RETURN_IF_ERROR(cli::TryReplaceFile(dir + "/" + ToHex(d.receipt.envelope_id) + ".bundle",
                                            bundle.bytes(), 0600));
  GAVAH_RETURN_IF_ERROR(cli::TryWriteNewFile(
      path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0600));
  return path;
}

Result<Submitted> Submit(const RecipientBundle& bundle, Prepared& testimony,
                         const Connection& connection, const Hooks& hooks, bool amnesic) {
  if (!connection.proxy.empty()) GAVAH_RETURN_IF_ERROR(transport::CheckProxy(connection.proxy));
  Submitted out;
  if (amnesic) {
    // Sealed into memory only: nothing about this testimony touches the disk.
    const int fd = ::memfd_create("gavah", MFD_CLOEXEC);
    if (fd < 0) return Io("cannot make an in-memory file");
    Result<SealedEnvelope> sealed = Status();
    {
      FdSink sink(fd, "memory");
      sealed = SealEnvelope(bundle, testimony.input(), sink);
    }
    if (!sealed.ok()) {
      ::close(fd);
      return Error(sealed.status().code(), "seal: " + sealed.status().message());
    }
    out.id = sealed->id;
    auto d = Deliver(bundle, fd, connection, hooks, sealed->id);
    ::close(fd);
    if (d.ok()) {
      out.delivery = std::move(d).value();
    } else {
      out.not_delivered = d.status();
    }
    return out;
  }
  // Into the outbox before the first byte is sent, with the bundle that says where it goes.
  auto state = StateDir();
  if (!state.ok()) return state.status();
  const std::string outbox = *state + "/outbox";
  GAVAH_RETURN_IF_ERROR(cli::MakePrivateDirs(outbox));
  auto sealed = SealIntoTemporary(bundle, testimony, outbox, "the outbox");
  if (!sealed.ok()) return sealed.status();
  out.id = sealed->second.id;
  const std::string base = outbox + "/" + ToHex(out.id);
  ::unlink((base + ".bundle").c_str());
  if (Status st = cli::TryWriteNewFile(base + ".bundle", bundle.bytes(), 0600); !st.ok()) {
    ::unlink(sealed->first.c_str());
    return st;
  }
  ::unlink((base + ".gvh").c_str());
  if (Status st = LinkInto(sealed->first, base + ".gvh"); !st.ok()) {
    ::unlink((base + ".bundle").c_str());  // no bundle without its envelope
    return st;
  }
  out.in_outbox = true;
  auto opened = OpenRegularFile(base + ".gvh", UINT64_MAX, nullptr);
  if (!opened.ok()) {
    out.not_delivered = opened.status();
    return out;
  }
  auto d = Deliver(bundle, opened.value(), connection, hooks, out.id);
  ::close(opened.value());
  if (!d.ok()) {
    out.not_delivered = d.status();
    return out;
  }
  out.delivery = std::move(d).value();
  if (out.delivery->queued) return out;  // stays until the server's receipt comes back
  auto receipt = SaveReceipt(*out.delivery, bundle);
  if (!receipt.ok()) {
    // Delivered, but without a saved receipt the outbox keeps it: a retry fetches the receipt.
    out.not_delivered = receipt.status();
    out.delivery.reset();
    return out;
  }
  out.receipt_path = receipt.value();
  ::unlink((base + ".gvh").c_str());
  ::unlink((base + ".bundle").c_str());
  out.in_outbox = false;
  return out;
}

Result<std::vector<OutboxEntry>> ListOutbox() {
  auto state = StateDir();
  if (!state.ok()) return state.status();
  const std::string outbox = *state + "/outbox";
  std::vector<OutboxEntry> entries;
  if (DIR* d = ::opendir(outbox.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() == 64 + 4 && name.compare(64, 4, ".gvh") == 0 &&
          IsHexId(name.substr(0, 64))) {
        struct stat st {};
        ::stat((outbox + "/" + name).c_str(), &st);
        entries.push_back({name.substr(0, 64), static_cast<uint64_t>(st.st_size)});
      }
    }
    ::closedir(d);
  }
  std::sort(entries.begin(), entries.end(),
            [](const OutboxEntry& a, const OutboxEntry& b) { return a.id < b.id; });
  return entries;
}

Result<std::vector<Retried>> RetryOutbox(const Connection& connection, const Hooks& hooks) {
  auto entries = ListOutbox();
  if (!entries.ok()) return entries.status();
  auto state = StateDir();
  if (!state.ok()) return state.status();
  const std::string outbox = state.value() + "/outbox";
  std::vector<Retried> out;
  for (const auto& entry : *entries) {
    if (hooks.cancelled && hooks.cancelled()) break;
    Retried r;
    r.id = entry.id;
    const std::string base = outbox + "/" + entry.id;
    auto bytes = ReadRegularFile(base + ".bundle", 8 + 32 + 4 + kMaxBundleBodyV2 + 64);
    auto bundle = bytes.ok() ? RecipientBundle::Parse(bytes.value())
                             : Result<RecipientBundle>(bytes.status());
    if (!bundle.ok()) {
      r.not_delivered = Error(ErrorCode::kMalformed, "its saved bundle is damaged");
      out.push_back(std::move(r));
      continue;
    }
    auto opened = OpenRegularFile(base + ".gvh", UINT64_MAX, nullptr);
    if (!opened.ok()) continue;  // sent meanwhile by another run
    auto d = Deliver(bundle.value(), opened.value(), connection, hooks);
    ::close(opened.value());
    if (!d.ok()) {
      r.not_delivered = d.status();
    } else if (d->queued) {
      r.delivery = std::move(d).value();
    } else {
      auto receipt = SaveReceipt(d.value(), bundle.value());
      if (!receipt.ok()) {
        r.not_delivered = receipt.status();
      } else {
        r.delivery = std::move(d).value();
        r.receipt_path = receipt.value();
        ::unlink((base + ".gvh").c_str());
        ::unlink((base + ".bundle").c_str());
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::pair<Receipt, PublicKey32>> ReadReceipt(const std::string& id) {
  if (!IsHexId(id))
    return Error(ErrorCode::kInvalidArgument, "an envelope id is 64 lower-case hexadecimal digits");
  auto state = StateDir();
  if (!state.ok()) return state.status();
  const std::string path = *state + "/receipts/" + id + ".receipt";
  auto bytes = ReadRegularFile(path, 4096);
  if (!bytes.ok()) return bytes.status();
  auto parsed = transport::ReceiptFromText(
      std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
  if (!parsed.ok()) return Error(parsed.status().code(), path + ": " + parsed.status().message());
  const auto& [r, key] = parsed.value();
  if (const Status st = VerifyReceipt(r, key, r.envelope_id); !st.ok())
    return Error(st.code(), path + ": " + st.message());
  return parsed;
}

Result<std::vector<std::string>> ListReceipts() {
  auto state = StateDir();
  if (!state.ok()) return state.status();
  std::vector<std::string> ids;
  if (DIR* d = ::opendir((*state + "/receipts").c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() == 64 + 8 && name.compare(64, 8, ".receipt") == 0 &&
          IsHexId(name.substr(0, 64)))
        ids.push_back(name.substr(0, 64));
    }
    ::closedir(d);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::span<const char* const> CodenameWords(WordList list) {
  if (list == WordList::kPersian) return {kCodenameWordsFa, kCodenameWordCountFa};
  return {kCodenameWords, kCodenameWordCount};
}

Result<SecretBuffer> NewCodename(WordList list) {
  const auto words = CodenameWords(list);
  if (words.size() < 2048)
    return Error(ErrorCode::kInvalidArgument, "the codename word list is too short");
  return MakeCodename(words);
}

Result<CodenameKey> ReplyKeyFromCodename(std::span<const uint8_t> codename,
                                         const RecipientBundle& bundle, bool any_words) {
  CodenameKey out;
  if (any_words) {
    // Made before section 6.2, so derived with the rules of then.
    auto key =
        DeriveReplyKey(codename, bundle.organisation_fingerprint(), CodenameRules::kAsciiOnly);
    if (!key.ok()) return key.status();
    out.key = std::move(key).value();
    out.unchecked_form = true;
    return out;
  }
  // The list is the one the codename's first letter belongs to, once normalised (a no-break
  // space or a direction mark pasted in front says nothing about the language).
  auto normalised = NormaliseCodename(codename);
  if (!normalised.ok()) return normalised.status();
  const bool latin = static_cast<unsigned char>(normalised->view().front()) < 0x80;
  auto checked = CheckCodename(
      codename,
      CodenameWords(latin || kCodenameWordCountFa == 0 ? WordList::kEnglish : WordList::kPersian));
  if (!checked.ok()) return checked.status();
  auto key = DeriveReplyKey(checked->normalised.span(), bundle.organisation_fingerprint());
  if (!key.ok()) return key.status();
  out.key = std::move(key).value();
  out.unchecked_form = checked->legacy;
  return out;
}

Result<Replies> FetchReplies(const RecipientBundle& bundle, const ReplyKeyPair& key,
                             const Connection& connection, const Hooks& hooks) {
  if (!connection.proxy.empty()) GAVAH_RETURN_IF_ERROR(transport::CheckProxy(connection.proxy));
  // A mailbox holds at most this many replies, numbered from 0 (docs/PROTOCOL.md 7.3).
  constexpr uint64_t kMaxMailboxReplies = 256;
  const Digest32 mailbox = MailboxId(key.public_key);
  const auto& org = bundle.organisation_fingerprint();
  const transport::SendOptions o = Options(connection, hooks);
  std::string errors;
  for (const auto& e : bundle.contents().endpoints) {
    if (hooks.cancelled && hooks.cancelled()) return Error(ErrorCode::kCancelled, "cancelled");
    auto stub = gavah::v1::Intake::NewStub(transport::MakeChannel(e, o));
    Replies out;
    out.endpoint = e.address;
    uint64_t after = 0;
    bool failed = false;
    for (bool more = true; more;) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
      gavah::v1::FetchRepliesRequest req;
      req.set_mailbox_id(mailbox.data(), mailbox.size());
      req.set_after(after);
      req.set_organisation_id(org.data(), org.size());
      gavah::v1::FetchRepliesResponse resp;
      const grpc::Status st = stub->FetchReplies(&ctx, req, &resp);
      if (!st.ok()) {
        errors += (errors.empty() ? "" : "; ") + e.address + ": " + transport::Describe(st);
        failed = true;
        break;
      }
      if (resp.pending()) {
        out.pending = true;
        return out;
      }
      more = resp.more() && resp.replies_size() > 0;
      for (const auto& r : resp.replies()) {
        // In order and bounded, or a hostile endpoint could keep the witness asking forever.
        if (r.seq() < after || r.seq() >= kMaxMailboxReplies) {
          errors += (errors.empty() ? "" : "; ") + e.address + ": replies out of order";
          failed = true;
          more = false;
          break;
        }
        after = r.seq() + 1;
        auto text = OpenReply(
            {reinterpret_cast<const uint8_t*>(r.sealed().data()), r.sealed().size()}, key);
        if (!text.ok()) {
          out.unreadable.push_back("reply " + std::to_string(r.seq()) +
                                   " cannot be read: " + text.status().message());
          continue;
        }
        out.replies.push_back({r.seq(), std::move(text).value()});
      }
    }
    if (failed) continue;
    return out;
  }
  return Error(ErrorCode::kIo,
               "could not fetch replies: " +
                   (errors.empty() ? "the bundle lists no server or relay" : errors));
}

SecretBuffer SafeReplyText(std::span<const uint8_t> text) {
  const std::string_view s(reinterpret_cast<const char*>(text.data()), text.size());
  SecretBuffer out;
  out.Reserve(text.size() + 1);
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const uint32_t cp = NextCodePoint(s, i);
    const bool control = (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7f && cp <= 0x9f);
    const bool reorders = (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
    if (control || reorders) {
      out.PushBack('?');
    } else {
      out.Append(s.substr(start, i - start));
    }
  }
  return out;
}

namespace {

Result<std::string> KeptCheckpointPath(const RecipientBundle& bundle) {
  if (!bundle.contents().receipt_key)
    return Error(ErrorCode::kInvalidArgument, "the bundle names no receipt key, so no log");
  auto state = StateDir();
  if (!state.ok()) return state.status();
  const std::string origin = tlog::LogOrigin(*bundle.contents().receipt_key);
  const Digest32 h =
      Sha256Of(std::span(reinterpret_cast<const uint8_t*>(origin.data()), origin.size()));
  return *state + "/logs/" + ToHex(h) + ".checkpoint";
}

std::vector<tlog::VerifierKey> WitnessKeys(const RecipientBundle& bundle) {
  std::vector<tlog::VerifierKey> keys;
  for (const auto& w : bundle.contents().witnesses) {
    auto k = tlog::ParseVerifierKey(w.verifier_key);
    if (k.ok()) keys.push_back(*k);  // Validate() refused a bundle with a bad one
  }
  return keys;
}

}  // namespace

Result<std::string> KeptCheckpoint(const RecipientBundle& bundle) {
  GAVAH_ASSIGN_OR_RETURN(const std::string path, KeptCheckpointPath(bundle));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::string();
  GAVAH_ASSIGN_OR_RETURN(auto bytes, ReadRegularFile(path, tlog::kMaxNoteSize));
  return std::string(bytes.begin(), bytes.end());
}

Result<ReceiptCheck> CheckReceipt(const std::string& id, const Connection& connection,
                                  uint64_t now_unix, const RecipientBundle* given) {
  GAVAH_ASSIGN_OR_RETURN(auto saved, ReadReceipt(id));
  ReceiptCheck out;
  out.receipt = saved.first;
  std::optional<RecipientBundle> loaded;
  if (given == nullptr) {
    GAVAH_ASSIGN_OR_RETURN(const std::string state, StateDir());
    const std::string path = state + "/receipts/" + id + ".bundle";
    auto bytes = ReadRegularFile(path, 8 + 32 + 4 + kMaxBundleBodyV2 + 64);
    if (!bytes.ok())
      return Error(ErrorCode::kInvalidArgument,
                   "no bundle is saved with this receipt; give the organisation's with --bundle");
    auto b = RecipientBundle::Parse(*bytes);
    if (!b.ok()) return Error(b.status().code(), path + ": " + b.status().message());
    loaded.emplace(std::move(*b));
    given = &*loaded;
  }
  const RecipientBundle& bundle = *given;
  const auto& log_key = bundle.contents().receipt_key;
  if (!log_key || *log_key != saved.second)
    return Error(ErrorCode::kUntrustedSigner,
                 "the receipt is signed by another key than the bundle's receipt key");
  transport::SendOptions o;
  o.proxy = connection.proxy;
  auto fetched = transport::FetchProof(bundle, out.receipt.envelope_id, o);
  // A server that answers it holds no such envelope denies its own signed receipt.
  const bool denied = !fetched.ok() && fetched.status().code() == ErrorCode::kInvalidArgument;
  if (!fetched.ok() && !denied) return fetched.status();
  const transport::ProofAnswer answer = denied ? transport::ProofAnswer{} : *fetched;
  out.endpoint = answer.endpoint;
  out.queued = answer.queued;
  const std::string when = UtcTime(out.receipt.include_by);
  // Where the log held it at an earlier check: it must stay there.
  GAVAH_ASSIGN_OR_RETURN(const std::string state_dir, StateDir());
  const std::string seen_path = state_dir + "/receipts/" + id + ".logged";
  std::optional<uint64_t> seen_index;
  if (struct stat st{}; ::stat(seen_path.c_str(), &st) == 0) {
    GAVAH_ASSIGN_OR_RETURN(auto bytes, ReadRegularFile(seen_path, 64));
    const std::string text(bytes.begin(), bytes.end());
    if (text.empty() || text.find_first_not_of("0123456789\n") != std::string::npos ||
        text.size() > 19)
      return Error(ErrorCode::kMalformed, seen_path + " is damaged");
    seen_index = std::stoull(text);
  }
  // A relay's "queued" excuses nothing here: this device holds the server's signed receipt.
  if (answer.proof.empty() && seen_index) {
    return Error(ErrorCode::kTampered,
                 "the server's log held envelope " + id + " as entry " +
                     std::to_string(*seen_index) +
                     " when this device checked it before, and now does not hold it: the server "
                     "dropped it from its log");
  }
  if (denied) {
    return Error(ErrorCode::kTampered,
                 "the server says it holds no envelope " + id +
                     ", though it signed a receipt for it (received in the hour from " +
                     UtcTime(out.receipt.received_hour) +
                     "): it dropped it. Keep the receipt: it is the server's signed promise");
  }
  if (answer.proof.empty()) {
    if (now_unix >= out.receipt.include_by) {
      return Error(ErrorCode::kTampered,
                   "the server promised to have envelope " + id + " in its log by " + when +
                       " and has not: it dropped the envelope or hides it. Keep the receipt: it "
                       "is the server's signed promise");
    }
    return out;
  }
  GAVAH_ASSIGN_OR_RETURN(const tlog::TlogProof proof, tlog::ParseTlogProof(answer.proof));
  const auto witnesses = WitnessKeys(bundle);
  GAVAH_ASSIGN_OR_RETURN(const tlog::AcceptedCheckpoint cp,
                         tlog::AcceptCheckpoint(proof.checkpoint, *log_key, witnesses,
                                                bundle.contents().witness_quorum));
  const auto leaf = tlog::LeafHash(tlog::EncodeEntry(
      {tlog::EntryType::kEnvelope, out.receipt.envelope_id, out.receipt.received_hour, {}}));
  if (const Status st = tlog::VerifyInclusion(proof.index, cp.checkpoint.size, leaf, proof.path,
                                              cp.checkpoint.root);
      !st.ok()) {
    return Error(ErrorCode::kTampered, "the log's checkpoint of size " +
                                           std::to_string(cp.checkpoint.size) +
                                           " does not hold envelope " + id + " at entry " +
                                           std::to_string(proof.index) + " as the server claims (" +
                                           st.message() + "): the server dropped or renumbered it");
  }
  if (seen_index && *seen_index != proof.index) {
    return Error(ErrorCode::kTampered,
                 "the server's log held envelope " + id + " as entry " +
                     std::to_string(*seen_index) +
                     " when this device checked it before, and now as entry " +
                     std::to_string(proof.index) + ": the server renumbered its log");
  }
  out.in_log = true;
  out.index = proof.index;
  out.tree_size = cp.checkpoint.size;
  out.cosigners = cp.cosigners;
  // The checkpoint kept from before: this one must extend it, or it this one. Locked, so that a
  // check running at once (outbox --retry and receipt --check) cannot put back a smaller one.
  GAVAH_ASSIGN_OR_RETURN(const std::string kept_path, KeptCheckpointPath(bundle));
  GAVAH_RETURN_IF_ERROR(cli::MakePrivateDirs(DirOf(kept_path)));
  const int lock_fd =
      ::open((DirOf(kept_path) + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX) != 0) {
    if (lock_fd >= 0) ::close(lock_fd);
    return Io("cannot lock " + DirOf(kept_path));
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{lock_fd};
  GAVAH_ASSIGN_OR_RETURN(const std::string kept_note, KeptCheckpoint(bundle));
  std::string keep = cp.note;
  if (!kept_note.empty()) {
    GAVAH_ASSIGN_OR_RETURN(const tlog::AcceptedCheckpoint kept,
                           tlog::AcceptCheckpoint(kept_note, *log_key, {}, 0));
    out.kept_size = kept.checkpoint.size;
    const bool newer = cp.checkpoint.size >= kept.checkpoint.size;
    const auto& older = newer ? kept.checkpoint : cp.checkpoint;
    const auto& larger = newer ? cp.checkpoint : kept.checkpoint;
    std::vector<Digest32> link;
    if (older.size > 0 && older.size < larger.size) {
      GAVAH_ASSIGN_OR_RETURN(
          link, transport::FetchConsistency(bundle, answer.endpoint, older.size, larger.size, o));
    }
    GAVAH_RETURN_IF_ERROR(tlog::CheckExtends(older, larger, link));
    if (!newer) keep = kept_note;
  }
  const std::string& path = kept_path;
  GAVAH_RETURN_IF_ERROR(cli::TryReplaceFile(
      path, std::span(reinterpret_cast<const uint8_t*>(keep.data()), keep.size()), 0600));
  if (!seen_index) {
    const std::string index = std::to_string(proof.index) + "\n";
    GAVAH_RETURN_IF_ERROR(cli::TryReplaceFile(
        seen_path, std::span(reinterpret_cast<const uint8_t*>(index.data()), index.size()), 0600));
  }
  return out;
}

Result<std::vector<LogCheck>> CheckUnloggedReceipts(const Connection& connection,
                                                    uint64_t now_unix) {
  GAVAH_ASSIGN_OR_RETURN(const std::string state, StateDir());
  GAVAH_ASSIGN_OR_RETURN(const auto ids, ListReceipts());
  std::vector<LogCheck> out;
  for (const auto& id : ids) {
    struct stat st {};
    if (::stat((state + "/receipts/" + id + ".logged").c_str(), &st) == 0) continue;
    LogCheck c{id, Status::Ok(), std::nullopt};
    auto r = CheckReceipt(id, connection, now_unix);
    if (r.ok()) {
      c.check = std::move(*r);
    } else {
      c.status = r.status();
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace gavah::witness
