// gavah-witness: seal testimony on this device. Nothing readable is written to disk.
#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

#include "cli_support.h"
#include "gavah/crypto/codename.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/process.h"
#include "gavah/crypto/reply.h"
#include "gavah/crypto/utf8.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "intake_client.h"
#include "media_type.h"
#include "pins.h"

namespace gavah::cli {

// Generated from client/codename_words.txt (see client/codename_words.md).
extern const char* const kCodenameWords[];
extern const size_t kCodenameWordCount;

namespace {

struct SealArgs {
  std::string bundle, org_fingerprint, text_file, codename_file, out, language;
  std::string when_file, where_file;
  std::vector<std::string> attachments;
};

SecretBuffer ReadStdinText() {
  if (::isatty(STDIN_FILENO)) {
    std::fprintf(stderr, "Type the testimony, then press Ctrl-D on a new line:\n");
  }
  SecretBuffer text;
  uint8_t buf[4096];
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      Fail(std::string("cannot read the testimony from standard input: ") + std::strerror(errno));
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > kMaxTextLength)
      Fail("the testimony text is too long");
    text.Append(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
  }
  explicit_bzero(buf, sizeof buf);
  return text;
}

// File names from the witness's disk become attachment names: keep the base name and replace
// anything that is not printable UTF-8 (the format refuses it) with '_'.
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

SecretBuffer ReadSmallSecret(const std::string& path, size_t max) {
  SecretBuffer b = ReadSecretFile(path, max + 2);
  while (!b.empty() && (b.data()[b.size() - 1] == '\n' || b.data()[b.size() - 1] == '\r'))
    b.Resize(b.size() - 1);
  if (b.size() > max) Fail(path + " is too long (limit " + std::to_string(max) + " bytes)");
  return b;
}

// Decides whether to trust the bundle's signer. A fingerprint given on the command line is
// checked by LoadBundle. Otherwise the device's pins decide: a named organisation whose pinned
// key differs is refused (a bundle forged in its name), and a first use is pinned with a
// warning to compare the fingerprint. Returns how the key was verified, for the output, and
// sets `warning` to a line to print once the envelope exists.
// Refuses a bundle older than the newest this device has seen under its organisation's pin.
void RefuseRollback(const RecipientBundle& bundle, const OrganisationPins& pins,
                    const std::string& path) {
  const std::string& name = bundle.contents().organisation_name;
  if (name.empty()) return;
  if (auto pinned = pins.Find(name);
      pinned && pinned->fingerprint == bundle.organisation_fingerprint())
    CheckNotOlder(bundle, pinned->newest_issued_at, path);
}

std::string TrustBundle(const RecipientBundle& bundle, bool explicit_fingerprint,
                        OrganisationPins& pins, std::string& warning, const std::string& path) {
  const std::string& name = bundle.contents().organisation_name;
  const std::string fp = FingerprintToText(bundle.organisation_fingerprint());
  RefuseRollback(bundle, pins, path);
  if (explicit_fingerprint) return "verified with --org-fingerprint";
  if (name.empty()) {
    warning =
        "warning: this bundle names no organisation, so its key " + fp +
        " cannot be pinned; compare it with the fingerprint the organisation published, or pass "
        "--org-fingerprint";
    return "NOT verified";
  }
  if (auto pinned = pins.Find(name)) {
    if (pinned->fingerprint != bundle.organisation_fingerprint()) {
      Fail(
          "this bundle claims to be from \"" + name + "\" but is signed by organisation key " + fp +
          ", not the key " + FingerprintToText(pinned->fingerprint) +
          " you sealed for before; if the organisation "
          "really changed its key, confirm the new fingerprint with it and pass --org-fingerprint");
    }
    return "pinned on this device";
  }
  warning =
      "first use of \"" + name + "\": its organisation key " + fp +
      " is now pinned on this device; compare it with the fingerprint the organisation published";
  return "pinned now, at first use";
}

std::span<const char* const> CodenameWords() { return {kCodenameWords, kCodenameWordCount}; }

// The reply key of the codename in `path`, once the codename checks out against the word list:
// a mistyped word would otherwise derive another key, and the replies would never be found.
// `any_words`: an earlier release took any seven or more words; reading such a mailbox is still
// possible with --legacy-codename, new testimony never is.
ReplyKeyPair ReplyKeyFrom(const std::string& path, const RecipientBundle& bundle,
                          bool any_words = false) {
  SecretBuffer raw = ReadSecretFile(path, 4096);
  if (any_words) {
    std::fprintf(stderr,
                 "note: --legacy-codename: the codename is used as written, unchecked; a "
                 "mistyped word finds no replies\n");
    return Must(DeriveReplyKey(raw.span(), bundle.organisation_fingerprint()), path);
  }
  const CheckedCodename checked = Must(CheckCodename(raw.span(), CodenameWords()), path);
  if (checked.legacy) {
    std::fprintf(stderr,
                 "note: this codename has seven words and no check words (made by an older "
                 "gavah-witness), so a mistyped word cannot be caught; it is used as written\n");
  }
  return Must(DeriveReplyKey(checked.normalised.span(), bundle.organisation_fingerprint()), path);
}

// A testimony ready to seal: its input and the open attachment files behind it.
struct PreparedTestimony {
  TestimonyInput input;
  // Declared before the sources so that it is destroyed after them: their threads stop before
  // the fds they read are closed.
  struct Fds {
    std::vector<int> fds;
    ~Fds() {
      for (int fd : fds) ::close(fd);
    }
  } fds;
  std::vector<std::unique_ptr<ReadAheadSource>> sources;
};

void Prepare(const SealArgs& a, const RecipientBundle& bundle, PreparedTestimony& t) {
  TestimonyInput& input = t.input;
  input.text = a.text_file.empty() ? ReadStdinText() : ReadSecretFile(a.text_file, kMaxTextLength);
  input.language = SecretBuffer::CopyOf(
      {reinterpret_cast<const uint8_t*>(a.language.data()), a.language.size()});
  if (!a.when_file.empty()) input.event_time = ReadSmallSecret(a.when_file, kMaxEventFieldLength);
  if (!a.where_file.empty())
    input.event_place = ReadSmallSecret(a.where_file, kMaxEventFieldLength);
  for (const auto& path : a.attachments) {
    // Non-blocking open: a FIFO given as an attachment is refused instead of waited on.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) Fail("cannot read " + path + ": " + std::strerror(errno));
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    t.fds.fds.push_back(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
      Fail("cannot attach " + path + ": not a regular file");
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    // Read and hashed on a thread of its own, so the sealing thread only encrypts.
    t.sources.push_back(std::make_unique<ReadAheadSource>(fd, path, /*hash=*/true));
    AttachmentInput att;
    att.name = AttachmentName(path);
    const std::string_view type = GuessMediaType(att.name.view());
    att.media_type =
        SecretBuffer::CopyOf({reinterpret_cast<const uint8_t*>(type.data()), type.size()});
    att.size = static_cast<uint64_t>(st.st_size);
    att.source = t.sources.back().get();
    input.attachments.push_back(std::move(att));
  }
  if (!a.codename_file.empty()) {
    input.reply_public_key = ReplyKeyFrom(a.codename_file, bundle).public_key;
  }
}

// Seals into a temporary file in `dir` and returns it; the caller links it into place.
std::pair<std::string, SealedEnvelope> SealIntoTemporary(const RecipientBundle& bundle,
                                                         PreparedTestimony& t,
                                                         const std::string& dir,
                                                         const std::string& what) {
  std::string tmp = dir + "/.gavah-seal-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) Fail("cannot write " + what + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);
  Result<SealedEnvelope> sealed = Status();
  {
    FdSink sink(fd, what);  // SealEnvelope hashes and writes on a thread of its own
    sealed = SealEnvelope(bundle, t.input, sink);
  }
  ::close(fd);
  if (!sealed.ok()) {
    ::unlink(tmp.c_str());
    Fail("seal", sealed.status());
  }
  return {tmp, sealed.value()};
}

// Links a sealed temporary file to `path`, never replacing anything there.
void LinkInto(const std::string& tmp, const std::string& path) {
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    Fail(e == EEXIST ? path + " already exists; refusing to overwrite it"
                     : "cannot write " + path + ": " + std::strerror(e));
  }
  ::unlink(tmp.c_str());
  SyncDirOf(path);
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The witness's own state: $XDG_DATA_HOME/gavah, else ~/.local/share/gavah.
std::string StateDir() {
  const std::string pins = OrganisationPins::DefaultPath();
  return pins.substr(0, pins.rfind('/'));
}

void MakePrivateDir(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      const std::string part = path.substr(0, i);
      if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
        Fail("cannot create " + part + ": " + std::strerror(errno));
    }
  }
}

void PrintSealed(bool json, const RecipientBundle& bundle, const SealedEnvelope& sealed,
                 const std::string& file, const std::string& trust) {
  const auto& c = bundle.contents();
  const std::string id = ToHex(sealed.id);
  const std::string fp = FingerprintToText(bundle.organisation_fingerprint());
  if (json) {
    std::cout << JsonObject()
                     .Add("envelope_id", id)
                     .Add("envelope_file", file)
                     .Add("size", sealed.size)
                     .Add("org_fingerprint", fp)
                     .Add("org_key_trust", trust)
                     .Add("threshold", c.threshold)
                     .Add("investigators", c.investigators.size())
                     .str()
              << "\n";
  } else {
    std::cout << "sealed for organisation key " << fp << " (" << trust << ")"
              << (c.organisation_name.empty()
                      ? std::string()
                      : ", which calls itself \"" + c.organisation_name + "\"")
              << ": any " << c.threshold << " of " << c.investigators.size()
              << " investigators can open it\n"
              << "envelope id: " << id << "\n"
              << "written to " << file << " (" << sealed.size << " bytes)\n";
  }
}

int Seal(const SealArgs& a, bool json) {
  FailIfExists(a.out);
  const RecipientBundle bundle = LoadBundle(a.bundle, a.org_fingerprint, true);
  OrganisationPins pins = OrganisationPins::Load(OrganisationPins::DefaultPath());
  std::string trust_warning;
  const std::string trust =
      TrustBundle(bundle, !a.org_fingerprint.empty(), pins, trust_warning, a.bundle);
  PreparedTestimony t;
  Prepare(a, bundle, t);
  auto [tmp, sealed] = SealIntoTemporary(bundle, t, DirOf(a.out), a.out);
  LinkInto(tmp, a.out);
  if (!bundle.contents().organisation_name.empty()) {
    pins.Pin(bundle.contents().organisation_name, bundle.organisation_fingerprint(),
             bundle.contents().issued_at);
  }
  if (!trust_warning.empty()) std::fprintf(stderr, "%s\n", trust_warning.c_str());
  PrintSealed(json, bundle, sealed, a.out, trust);
  return 0;
}

// Prints (or writes to `out`, 0600) a fresh codename: seven random words and two check words.
int Codename(const std::string& out) {
  if (kCodenameWordCount < 8192) Fail("the codename word list is too short");
  SecretBuffer codename = MakeCodename(CodenameWords());
  codename.PushBack('\n');
  const double bits = std::log2(static_cast<double>(kCodenameWordCount)) * kMinCodenameWords;
  if (out.empty()) {
    (void)!::write(STDOUT_FILENO, codename.data(), codename.size());
  } else {
    WriteNewFile(out, codename.span(), 0600);
  }
  std::fprintf(stderr,
               "This codename (%zu words: %zu random ones, about %.0f bits, and %zu that check "
               "them) lets the organisation answer you. Learn it or keep it hidden; anyone who "
               "has it can read the answers.%s\n",
               kCheckedCodenameWords, kMinCodenameWords, bits, kCodenameCheckWords,
               out.empty() ? "" : (" Written to " + out + ".").c_str());
  return 0;
}

// A mailbox holds at most this many replies, numbered from 0 (docs/PROTOCOL.md 7.3).
constexpr uint64_t kMaxMailboxReplies = 256;

constexpr int kExitKeptInOutbox = 3;  // not delivered; the sealed envelope is kept
constexpr int kExitNothingKept = 4;   // not delivered; --amnesic kept nothing

struct SendArgs {
  std::string proxy;
  bool json = false;
  uint64_t max_work_seconds = 300;
  uint64_t wait_seconds = 0;
};

// A line while the tool works on an intake's admission puzzle: updated in place on a terminal,
// said once otherwise. Expected work is an average; the percentage may pass 100.
std::function<void(uint64_t, uint64_t)> WorkLine() {
  const bool tty = ::isatty(STDERR_FILENO);
  auto said = std::make_shared<bool>(false);
  return [tty, said](uint64_t tries, uint64_t expected) {
    if (tty) {
      std::fprintf(stderr, "\rthe server is under load; proving work before sending: %3llu%%",
                   static_cast<unsigned long long>(tries * 100 / std::max<uint64_t>(expected, 1)));
    } else if (!*said) {
      std::fprintf(stderr, "the server is under load; proving work before sending\n");
    }
    *said = true;
  };
}

// How long to wait out an unreachable or busy server, and to work on its admission puzzle.
void AddPacingOptions(CLI::App* cmd, SendArgs& s) {
  cmd->add_option("--wait-seconds", s.wait_seconds,
                  "keep trying an unreachable or busy server this long (default 0)")
      ->check(CLI::Range(0, 86400));
  cmd->add_option("--max-work-seconds", s.max_work_seconds,
                  "how long to work on a busy server's admission puzzle (default 300)")
      ->check(CLI::Range(1, 86400));
}

SendOptions Options(const SendArgs& s) {
  SendOptions o;
  o.proxy = s.proxy;
  o.on_work = WorkLine();
  o.max_work_seconds = s.max_work_seconds;
  o.wait_seconds = s.wait_seconds;
  o.on_wait = [](uint64_t seconds, const std::string& why) {
    std::fprintf(stderr, "not delivered yet (%s); trying again in %llu s\n", why.c_str(),
                 static_cast<unsigned long long>(seconds));
  };
  return o;
}

// Progress on a terminal for large uploads; nothing when stderr is not a terminal.
std::function<void(uint64_t, uint64_t)> ProgressBar(uint64_t size) {
  if (!::isatty(STDERR_FILENO) || size < (4u << 20)) return nullptr;
  return [](uint64_t done, uint64_t total) {
    std::fprintf(stderr, "\rsending: %3d%% (%llu of %llu MiB)%s",
                 static_cast<int>(done * 100 / total), static_cast<unsigned long long>(done >> 20),
                 static_cast<unsigned long long>(total >> 20), done == total ? "\n" : "");
  };
}

// Sends the envelope in `fd`. `sealed_id` is the id from sealing it just now, which saves
// hashing the file again (a wrong one only makes the server refuse the upload).
// Returns the delivery, or the status after printing nothing.
Result<Delivery> Deliver(const RecipientBundle& bundle, int fd, const SendArgs& s,
                         std::optional<EnvelopeId> sealed_id = std::nullopt) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) Fail(std::string("cannot read the envelope: ") + std::strerror(errno));
  EnvelopeId id{};
  if (sealed_id) {
    id = *sealed_id;
  } else {
    FdSource src(fd, "the envelope");
    ::lseek(fd, 0, SEEK_SET);
    id = Must(ComputeEnvelopeId(src), "envelope");
  }
  // Only envelopes for this bundle's organisation go to its servers.
  ::lseek(fd, 0, SEEK_SET);
  FdSource hsrc(fd, "the envelope");
  const EnvelopeHeader h = Must(ReadEnvelopeHeader(hsrc), "envelope");
  if (h.organisation_id != bundle.organisation_fingerprint())
    Fail("this envelope is for another organisation than the bundle's");
  if (h.envelope_size() != static_cast<uint64_t>(st.st_size))
    Fail("the envelope is truncated or has extra bytes");
  SendOptions o = Options(s);
  o.progress = ProgressBar(static_cast<uint64_t>(st.st_size));
  return SendEnvelope(bundle, fd, id, static_cast<uint64_t>(st.st_size), o);
}

std::string SaveReceipt(const Delivery& d, const RecipientBundle& bundle) {
  const std::string dir = StateDir() + "/receipts";
  MakePrivateDir(dir);
  const std::string path = dir + "/" + ToHex(d.receipt.envelope_id) + ".receipt";
  ::unlink(path.c_str());  // a re-send gets the same receipt; keep the newest copy
  WriteNewFile(path, ReceiptToText(d.receipt, *bundle.contents().receipt_key), 0600);
  return path;
}

// A relay took the envelope: it is safe with the relay, not yet with the server. What the
// witness keeps (the outbox entry) is what fetches the server's receipt later.
// `then` tells the witness how the receipt will reach them.
void PrintQueued(bool json, const Delivery& d, const std::string& then) {
  const auto& id = d.receipt.envelope_id;
  if (json) {
    std::cout << JsonObject()
                     .Add("envelope_id", ToHex(id))
                     .Add("status", "queued")
                     .Add("relay", d.endpoint)
                     .str()
              << "\n";
  } else {
    std::cout << "handed over: relay " << d.endpoint << " holds envelope " << ToHex(id)
              << " and will forward it to the server\n";
    std::cout << then << "\n";
  }
}

void PrintDelivered(bool json, const Delivery& d, const std::string& receipt_path) {
  const std::string id = ToHex(d.receipt.envelope_id);
  if (json) {
    JsonObject o;
    o.Add("envelope_id", id)
        .Add("log_index", d.receipt.log_index)
        .Add("received_hour", d.receipt.received_hour);
    if (!receipt_path.empty()) o.Add("receipt_file", receipt_path);
    std::cout << o.str() << "\n";
  } else {
    std::cout << "delivered: envelope " << id << " is entry " << d.receipt.log_index
              << " of the server's log; the receipt is signed and verified\n";
    if (!receipt_path.empty()) std::cout << "receipt saved to " << receipt_path << "\n";
  }
}

// Reply text (valid UTF-8, checked when opened) reaches the witness's terminal: control
// characters (C0 but new line and tab, DEL, C1) and bidirectional overrides and isolates are
// shown as '?', so a reply cannot rewrite or reorder what the screen shows. Marks Persian text
// uses (ZWNJ, LRM, RLM) pass.
void PrintReplyText(std::span<const uint8_t> text) {
  const std::string_view s(reinterpret_cast<const char*>(text.data()), text.size());
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const uint32_t cp = NextCodePoint(s, i);
    const bool control = (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7f && cp <= 0x9f);
    const bool reorders = (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
    if (control || reorders) {
      std::fputc('?', stdout);
    } else {
      std::fwrite(s.data() + start, 1, i - start, stdout);
    }
  }
  if (text.empty() || text.back() != '\n') std::fputc('\n', stdout);
}

int Replies(const std::string& codename_file, const std::string& bundle_path,
            const std::string& pin, const SendArgs& s, bool legacy_codename) {
  const RecipientBundle bundle = LoadBundle(bundle_path, pin, /*require_current=*/false);
  RefuseRollback(bundle, OrganisationPins::Load(OrganisationPins::DefaultPath()), bundle_path);
  if (!s.proxy.empty()) {
    if (const Status ok = CheckProxy(s.proxy); !ok.ok()) Fail("", ok);
  }
  const ReplyKeyPair key = ReplyKeyFrom(codename_file, bundle, legacy_codename);
  const Digest32 mailbox = MailboxId(key.public_key);
  const auto& org = bundle.organisation_fingerprint();
  SendOptions o;
  o.proxy = s.proxy;
  std::string errors;
  for (const auto& e : bundle.contents().endpoints) {
    auto stub = gavah::v1::Intake::NewStub(MakeChannel(e, o));
    uint64_t after = 0, shown = 0;
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
        errors += (errors.empty() ? "" : "; ") + e.address + ": " + Describe(st);
        failed = true;
        break;
      }
      if (resp.pending()) {
        // The relay asks the server in its next round, never while the witness waits, so the
        // two requests cannot be matched by their timing.
        Fail("relay " + e.address +
                 " is fetching your replies from the server; ask again in a few minutes",
             kExitKeptInOutbox);
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
          std::fprintf(stderr, "gavah-witness: reply %llu cannot be read: %s\n",
                       static_cast<unsigned long long>(r.seq()), text.status().message().c_str());
          continue;
        }
        ++shown;
        if (s.json) {
          std::cout << JsonObject().Add("seq", r.seq()).Add("bytes", text->size()).str() << "\n";
        } else {
          std::printf("--- reply %llu ---\n", static_cast<unsigned long long>(r.seq()));
        }
        PrintReplyText(text->span());
      }
    }
    if (failed) continue;
    if (shown == 0 && !s.json) std::printf("no replies yet\n");
    return 0;
  }
  Fail("could not fetch replies: " +
       (errors.empty() ? "the bundle lists no server or relay" : errors));
  return 1;
}

int Send(const std::string& envelope, const std::string& bundle_path, const std::string& pin,
         const SendArgs& s) {
  const RecipientBundle bundle = LoadBundle(bundle_path, pin, true);
  RefuseRollback(bundle, OrganisationPins::Load(OrganisationPins::DefaultPath()), bundle_path);
  const int fd = Must(OpenRegularFile(envelope, UINT64_MAX, nullptr), "");
  auto d = Deliver(bundle, fd, s);
  ::close(fd);
  if (!d.ok()) {
    if (d.status().code() == ErrorCode::kIo)
      Fail("not delivered: " + d.status().message(), kExitKeptInOutbox);
    Fail("not delivered: " + d.status().message());
  }
  if (d->queued) {
    PrintQueued(s.json, d.value(),
                "the server's receipt comes back through the relay: run `gavah-witness send " +
                    envelope + "` again later to fetch it");
    return 0;
  }
  PrintDelivered(s.json, d.value(), SaveReceipt(d.value(), bundle));
  return 0;
}

int Submit(const SealArgs& a, const SendArgs& s, bool amnesic) {
  const RecipientBundle bundle = LoadBundle(a.bundle, a.org_fingerprint, true);
  if (!s.proxy.empty()) {
    const Status proxy_ok = CheckProxy(s.proxy);
    if (!proxy_ok.ok()) Fail("", proxy_ok);  // before anything is sealed or kept
  }
  std::optional<OrganisationPins> pins;
  std::string trust_warning;
  if (!amnesic) {
    pins = OrganisationPins::Load(OrganisationPins::DefaultPath());
    TrustBundle(bundle, !a.org_fingerprint.empty(), *pins, trust_warning, a.bundle);
  } else if (a.org_fingerprint.empty()) {
    // Amnesic mode writes no pins, but honours the ones already on this device.
    OrganisationPins existing = OrganisationPins::Load(OrganisationPins::DefaultPath());
    std::string ignored;
    TrustBundle(bundle, false, existing, ignored, a.bundle);
    trust_warning = "warning: --amnesic pins nothing; compare the organisation key " +
                    FingerprintToText(bundle.organisation_fingerprint()) +
                    " with the published fingerprint, or pass --org-fingerprint";
  }
  PreparedTestimony t;
  Prepare(a, bundle, t);
  if (amnesic) {
    // Sealed into memory only: nothing about this testimony touches the disk.
    const int fd = ::memfd_create("gavah", MFD_CLOEXEC);
    if (fd < 0) Fail(std::string("cannot make an in-memory file: ") + std::strerror(errno));
    FdSink sink(fd, "memory");
    auto sealed = SealEnvelope(bundle, t.input, sink);
    if (!sealed.ok()) Fail("seal", sealed.status());
    if (!trust_warning.empty()) std::fprintf(stderr, "%s\n", trust_warning.c_str());
    auto d = Deliver(bundle, fd, s, sealed->id);
    ::close(fd);
    if (!d.ok())
      Fail("not delivered, and --amnesic kept nothing: " + d.status().message(), kExitNothingKept);
    if (d->queued) {
      PrintQueued(s.json, d.value(), "no receipt will be kept on this device (--amnesic)");
      return 0;
    }
    PrintDelivered(s.json, d.value(), "");
    return 0;
  }
  // Pinned first: if the pin cannot be written, nothing has been sealed or kept yet.
  if (!bundle.contents().organisation_name.empty())
    pins->Pin(bundle.contents().organisation_name, bundle.organisation_fingerprint(),
              bundle.contents().issued_at);
  // Into the outbox before the first byte is sent, with the bundle that says where it goes.
  const std::string outbox = StateDir() + "/outbox";
  MakePrivateDir(outbox);
  auto [tmp, sealed] = SealIntoTemporary(bundle, t, outbox, "the outbox");
  const std::string base = outbox + "/" + ToHex(sealed.id);
  ::unlink((base + ".bundle").c_str());
  WriteNewFile(base + ".bundle", bundle.bytes(), 0600);
  ::unlink((base + ".gvh").c_str());
  LinkInto(tmp, base + ".gvh");
  if (!trust_warning.empty()) std::fprintf(stderr, "%s\n", trust_warning.c_str());
  const int fd = Must(OpenRegularFile(base + ".gvh", UINT64_MAX, nullptr), "the outbox");
  auto d = Deliver(bundle, fd, s, sealed.id);
  ::close(fd);
  if (!d.ok()) {
    if (d.status().code() == ErrorCode::kIo) {
      Fail("not delivered (" + d.status().message() + "); the sealed envelope " + ToHex(sealed.id) +
               " waits in the outbox: gavah-witness outbox --retry",
           kExitKeptInOutbox);
    }
    Fail("not delivered: " + d.status().message() + " (the sealed envelope stays in the outbox)");
  }
  if (d->queued) {  // stays in the outbox until the server's receipt comes back
    PrintQueued(s.json, d.value(),
                "it stays in the outbox until the server's receipt comes back through the relay: "
                "run `gavah-witness outbox --retry` later");
    return 0;
  }
  const std::string receipt = SaveReceipt(d.value(), bundle);
  ::unlink((base + ".gvh").c_str());
  ::unlink((base + ".bundle").c_str());
  PrintDelivered(s.json, d.value(), receipt);
  return 0;
}

int Outbox(bool retry, const SendArgs& s) {
  const std::string outbox = StateDir() + "/outbox";
  std::vector<std::string> ids;
  if (DIR* d = ::opendir(outbox.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() == 64 + 4 && name.compare(64, 4, ".gvh") == 0)
        ids.push_back(name.substr(0, 64));
    }
    ::closedir(d);
  }
  std::sort(ids.begin(), ids.end());
  if (!retry) {
    if (ids.empty()) std::cout << "the outbox is empty\n";
    for (const auto& id : ids) {
      struct stat st {};
      ::stat((outbox + "/" + id + ".gvh").c_str(), &st);
      std::cout << id << "  " << st.st_size << " bytes  waiting\n";
    }
    return 0;
  }
  int failed = 0;
  for (const auto& id : ids) {
    const std::string base = outbox + "/" + id;
    const auto bytes = ReadSmallFile(base + ".bundle", 8 + 32 + 4 + kMaxBundleBody + 64);
    auto bundle = RecipientBundle::Parse(bytes);
    if (!bundle.ok()) {
      std::fprintf(stderr, "%s: its saved bundle is damaged; left in the outbox\n", id.c_str());
      ++failed;
      continue;
    }
    auto opened = OpenRegularFile(base + ".gvh", UINT64_MAX, nullptr);
    if (!opened.ok()) continue;
    const int fd = opened.value();
    auto d = Deliver(bundle.value(), fd, s);
    ::close(fd);
    if (!d.ok()) {
      std::fprintf(stderr, "%s: not delivered: %s\n", id.c_str(), d.status().message().c_str());
      ++failed;
      continue;
    }
    if (d->queued) {
      std::fprintf(stderr, "%s: held by relay %s; the server's receipt is not back yet\n",
                   id.c_str(), d->endpoint.c_str());
      ++failed;
      continue;
    }
    const std::string receipt = SaveReceipt(d.value(), bundle.value());
    ::unlink((base + ".gvh").c_str());
    ::unlink((base + ".bundle").c_str());
    PrintDelivered(s.json, d.value(), receipt);
  }
  if (failed > 0)
    Fail(std::to_string(failed) + " envelope(s) still wait in the outbox", kExitKeptInOutbox);
  return 0;
}

int ShowReceipt(const std::string& id, bool json) {
  if (id.size() != 64 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
    Fail("an envelope id is 64 lower-case hexadecimal digits");
  }
  const std::string path = StateDir() + "/receipts/" + id + ".receipt";
  const auto bytes = ReadSmallFile(path, 4096);
  auto parsed = Must(
      ReceiptFromText(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())),
      path);
  const auto& [r, key] = parsed;
  const Status st = VerifyReceipt(r, key, r.envelope_id);
  if (!st.ok()) Fail(path, st);
  if (json) {
    std::cout << JsonObject()
                     .Add("envelope_id", ToHex(r.envelope_id))
                     .Add("log_index", r.log_index)
                     .Add("received_hour", r.received_hour)
                     .AddBool("verified", true)
                     .str()
              << "\n";
  } else {
    std::cout << "envelope " << ToHex(r.envelope_id) << ": entry " << r.log_index
              << " of the server's log, received in the hour starting " << UtcTime(r.received_hour)
              << "; signature verified against receipt key " << ToHex(key) << "\n";
  }
  return 0;
}

// The options that say what to seal and for whom; `seal` and `submit` share them.
void AddTestimonyOptions(CLI::App* cmd, SealArgs& a) {
  cmd->add_option("--bundle", a.bundle, "the organisation's signed bundle")->required();
  cmd->add_option("--org-fingerprint", a.org_fingerprint,
                  "refuse a bundle not signed by this organisation key");
  cmd->add_option("--text-file", a.text_file, "the testimony text (default: standard input)");
  cmd->add_option("--attach", a.attachments, "a file to include (repeat for more)");
  cmd->add_option("--codename-file", a.codename_file,
                  "your codename, so investigators can reply to you");
  cmd->add_option("--language", a.language, "language of the text, e.g. fa or en");
  cmd->add_option("--when-file", a.when_file,
                  "when the events happened, as you would say it (from a file)");
  cmd->add_option("--where-file", a.where_file,
                  "where the events happened, as you would say it (from a file)");
}

int Main(int argc, char** argv) {
  CLI::App app{
      "gavah-witness: seal testimony so that only the organisation's investigators can read it"};
  app.require_subcommand(1);
  bool json = false;

  SealArgs s;
  auto* seal = app.add_subcommand("seal", "seal testimony into an envelope file, offline");
  AddTestimonyOptions(seal, s);
  seal->add_option("--out", s.out, "the envelope file to write")->required();
  seal->add_flag("--json", json, "print the result as one JSON object");

  SealArgs sub;
  SendArgs send_args;
  bool amnesic = false;
  auto* submit = app.add_subcommand("submit", "seal testimony and send it to the organisation");
  AddTestimonyOptions(submit, sub);
  submit->add_option("--proxy", send_args.proxy,
                     "send through this HTTP CONNECT proxy, e.g. Tor's http://127.0.0.1:9080");
  AddPacingOptions(submit, send_args);
  submit->add_flag("--amnesic", amnesic, "keep nothing on disk: no outbox, no receipt, no pins");
  submit->add_flag("--json", send_args.json, "print the result as one JSON object");

  std::string envelope, bundle_path, pin;
  auto* send = app.add_subcommand("send", "send an envelope sealed earlier");
  send->add_option("envelope", envelope, "the envelope file")->required();
  send->add_option("--bundle", bundle_path, "the organisation's signed bundle")->required();
  send->add_option("--org-fingerprint", pin, "refuse a bundle not signed by this organisation key");
  send->add_option("--proxy", send_args.proxy, "send through this HTTP CONNECT proxy");
  AddPacingOptions(send, send_args);
  send->add_flag("--json", send_args.json, "print the result as one JSON object");

  bool retry = false;
  auto* outbox = app.add_subcommand("outbox", "list envelopes waiting to be sent");
  outbox->add_flag("--retry", retry, "send them now");
  outbox->add_option("--proxy", send_args.proxy, "send through this HTTP CONNECT proxy");
  AddPacingOptions(outbox, send_args);
  outbox->add_flag("--json", send_args.json, "print each delivery as one JSON object");

  std::string codename_out;
  auto* codename = app.add_subcommand("codename", "make a new random codename for --codename-file");
  codename->add_option("--out", codename_out,
                       "write it to this file (0600) instead of printing it");

  std::string replies_codename;
  bool legacy_codename = false;
  auto* replies = app.add_subcommand("replies", "fetch and read the organisation's replies to you");
  replies
      ->add_option("--codename-file", replies_codename, "the codename you gave with your testimony")
      ->required();
  replies->add_option("--bundle", bundle_path, "the organisation's signed bundle")->required();
  replies->add_option("--org-fingerprint", pin, "refuse a bundle not signed by this key");
  replies->add_option("--proxy", send_args.proxy, "fetch through this HTTP CONNECT proxy");
  replies->add_flag("--json", send_args.json, "print the replies as JSON lines");
  replies->add_flag("--legacy-codename", legacy_codename,
                    "use a codename made before codenames were checked (any 7 or more words)");

  std::string receipt_id;
  auto* receipt = app.add_subcommand("receipt", "show and re-verify a saved receipt");
  receipt->add_option("id", receipt_id, "the envelope id")->required();
  receipt->add_flag("--json", json, "print the result as one JSON object");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (*seal) return Seal(s, json);
  if (*submit) return Submit(sub, send_args, amnesic);
  if (*send) return Send(envelope, bundle_path, pin, send_args);
  if (*outbox) return Outbox(retry, send_args);
  if (*receipt) return ShowReceipt(receipt_id, json);
  if (*codename) return Codename(codename_out);
  if (*replies) return Replies(replies_codename, bundle_path, pin, send_args, legacy_codename);
  return 2;
}

}  // namespace
}  // namespace gavah::cli

int main(int argc, char** argv) {
  return gavah::cli::RunMain("gavah-witness", gavah::cli::Main, argc, argv);
}
