// gavah-witness: seal testimony on this device. Nothing readable is written to disk.
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
#include "metadata.h"
#include "witness.h"

namespace gavah::cli {
namespace {

using witness::Connection;
using witness::Hooks;

struct SealArgs {
  std::string bundle, org_fingerprint, text_file, codename_file, out, language;
  std::string when_file, where_file, consent_file;
  std::vector<std::string> attachments;
  bool clean_metadata = false;
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

SecretBuffer ReadSmallSecret(const std::string& path, size_t max) {
  SecretBuffer b = ReadSecretFile(path, max + 2);
  while (!b.empty() && (b.data()[b.size() - 1] == '\n' || b.data()[b.size() - 1] == '\r'))
    b.Resize(b.size() - 1);
  if (b.size() > max) Fail(path + " is too long (limit " + std::to_string(max) + " bytes)");
  return b;
}

// The reply key of the codename in `path`; the notes say what the witness must know about it.
ReplyKeyPair ReplyKeyFrom(const std::string& path, const RecipientBundle& bundle,
                          bool any_words = false) {
  SecretBuffer raw = ReadSecretFile(path, 4096);
  if (any_words) {
    std::fprintf(stderr,
                 "note: --legacy-codename: the codename is used as written, unchecked; a "
                 "mistyped word finds no replies\n");
  }
  auto key = Must(witness::ReplyKeyFromCodename(raw.span(), bundle, any_words), path);
  if (key.unchecked_form && !any_words) {
    std::fprintf(stderr,
                 "note: this codename has seven words and no check words (made by an older "
                 "gavah-witness), so a mistyped word cannot be caught; it is used as written\n");
  }
  return std::move(key.key);
}

std::unique_ptr<witness::Prepared> Prepare(const SealArgs& a, const RecipientBundle& bundle) {
  witness::Draft d;
  d.text = a.text_file.empty() ? ReadStdinText() : ReadSecretFile(a.text_file, kMaxTextLength);
  d.language = SecretBuffer::CopyOf(
      {reinterpret_cast<const uint8_t*>(a.language.data()), a.language.size()});
  if (!a.when_file.empty()) d.event_time = ReadSmallSecret(a.when_file, kMaxEventFieldLength);
  if (!a.where_file.empty()) d.event_place = ReadSmallSecret(a.where_file, kMaxEventFieldLength);
  for (const auto& path : a.attachments) d.attachments.push_back({path, a.clean_metadata});
  if (!a.consent_file.empty()) {
    const SecretBuffer text = ReadSecretFile(a.consent_file, 4096);
    d.consent = Must(witness::ParseConsent(text.span()), a.consent_file);
  }
  if (!a.codename_file.empty()) {
    const ReplyKeyPair key = ReplyKeyFrom(a.codename_file, bundle);
    d.reply_key = key.public_key;
    if (key.xwing) d.reply_xwing_key = key.xwing->public_key();
  }
  return Must(witness::Prepare(std::move(d)), "");
}

OrganisationPins LoadPins() { return Must(witness::LoadPins(), ""); }

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
  OrganisationPins pins = LoadPins();
  const auto trust =
      Must(witness::DecideTrust(bundle, !a.org_fingerprint.empty(), pins, a.bundle), "");
  auto t = Prepare(a, bundle);
  const SealedEnvelope sealed = Must(witness::SealToFile(bundle, *t, a.out), "");
  if (const Status st = witness::Pin(bundle, pins); !st.ok()) Fail("", st);
  if (!trust.warning.empty()) std::fprintf(stderr, "%s\n", trust.warning.c_str());
  PrintSealed(json, bundle, sealed, a.out, trust.label);
  return 0;
}

// Prints (or writes to `out`, 0600) a fresh codename: seven random words and two check words.
int Codename(const std::string& out, bool persian) {
  const auto list = persian ? witness::WordList::kPersian : witness::WordList::kEnglish;
  SecretBuffer codename = Must(witness::NewCodename(list), "");
  codename.PushBack('\n');
  const size_t count = witness::CodenameWords(list).size();
  const double bits = std::log2(static_cast<double>(count)) * kMinCodenameWords;
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

constexpr int kExitKeptInOutbox = 3;  // not delivered; the sealed envelope is kept
constexpr int kExitNothingKept = 4;   // not delivered; --amnesic kept nothing

struct SendArgs {
  std::string proxy;
  bool json = false;
  uint64_t max_work_seconds = 300;
  uint64_t wait_seconds = 0;
};

// How long to wait out an unreachable or busy server, and to work on its admission puzzle.
void AddPacingOptions(CLI::App* cmd, SendArgs& s) {
  cmd->add_option("--wait-seconds", s.wait_seconds,
                  "keep trying an unreachable or busy server this long (default 0)")
      ->check(CLI::Range(0, 86400));
  cmd->add_option("--max-work-seconds", s.max_work_seconds,
                  "how long to work on a busy server's admission puzzle (default 300)")
      ->check(CLI::Range(1, 86400));
}

Connection ConnectionOf(const SendArgs& s) {
  Connection c;
  c.proxy = s.proxy;
  c.max_work_seconds = s.max_work_seconds;
  c.wait_seconds = s.wait_seconds;
  return c;
}

// What the terminal shows while sending: the admission puzzle (updated in place on a terminal,
// said once otherwise; expected work is an average, the percentage may pass 100), the pauses
// before a new try, and a progress bar for large uploads on a terminal.
Hooks TerminalHooks(uint64_t size) {
  Hooks h;
  const bool tty = ::isatty(STDERR_FILENO);
  auto said = std::make_shared<bool>(false);
  h.on_work = [tty, said](uint64_t tries, uint64_t expected) {
    if (tty) {
      std::fprintf(stderr, "\rthe server is under load; proving work before sending: %3llu%%",
                   static_cast<unsigned long long>(tries * 100 / std::max<uint64_t>(expected, 1)));
    } else if (!*said) {
      std::fprintf(stderr, "the server is under load; proving work before sending\n");
    }
    *said = true;
  };
  h.on_wait = [](uint64_t seconds, const std::string& why) {
    std::fprintf(stderr, "not delivered yet (%s); trying again in %llu s\n", why.c_str(),
                 static_cast<unsigned long long>(seconds));
  };
  if (tty && size >= (4u << 20)) {
    h.progress = [](uint64_t done, uint64_t total) {
      std::fprintf(stderr, "\rsending: %3d%% (%llu of %llu MiB)%s",
                   static_cast<int>(done * 100 / total),
                   static_cast<unsigned long long>(done >> 20),
                   static_cast<unsigned long long>(total >> 20), done == total ? "\n" : "");
    };
  }
  h.cancelled = [] { return Interrupted(); };
  return h;
}

uint64_t FileSize(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// A relay took the envelope: it is safe with the relay, not yet with the server. What the
// witness keeps (the outbox entry) is what fetches the server's receipt later.
// `then` tells the witness how the receipt will reach them.
void PrintQueued(bool json, const witness::Delivery& d, const std::string& then) {
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

void PrintDelivered(bool json, const witness::Delivery& d, const std::string& receipt_path) {
  const std::string id = ToHex(d.receipt.envelope_id);
  if (json) {
    JsonObject o;
    o.Add("envelope_id", id)
        .Add("include_by", d.receipt.include_by)
        .Add("received_hour", d.receipt.received_hour);
    if (!receipt_path.empty()) o.Add("receipt_file", receipt_path);
    std::cout << o.str() << "\n";
  } else {
    std::cout << "delivered: envelope " << id
              << " is stored; the server's signed receipt promises it is in its log by "
              << UtcTime(d.receipt.include_by) << " (check with `gavah-witness receipt " << id
              << " --check`)\n";
    if (!receipt_path.empty()) std::cout << "receipt saved to " << receipt_path << "\n";
  }
}

int Replies(const std::string& codename_file, const std::string& bundle_path,
            const std::string& pin, const SendArgs& s, bool legacy_codename) {
  const RecipientBundle bundle = LoadBundle(bundle_path, pin, /*require_current=*/false);
  if (const Status st = witness::RefuseRollback(bundle, LoadPins(), bundle_path); !st.ok())
    Fail("", st);
  if (!s.proxy.empty()) {
    if (const Status ok = transport::CheckProxy(s.proxy); !ok.ok()) Fail("", ok);
  }
  const ReplyKeyPair key = ReplyKeyFrom(codename_file, bundle, legacy_codename);
  const auto replies = Must(witness::FetchReplies(bundle, key, ConnectionOf(s), Hooks()), "");
  if (replies.pending) {
    Fail("relay " + replies.endpoint +
             " is fetching your replies from the server; ask again in a few minutes",
         kExitKeptInOutbox);
  }
  for (const auto& line : replies.unreadable)
    std::fprintf(stderr, "gavah-witness: %s\n", line.c_str());
  for (const auto& r : replies.replies) {
    if (s.json) {
      std::cout << JsonObject().Add("seq", r.seq).Add("bytes", r.text.size()).str() << "\n";
    } else {
      std::cout << "--- reply " << r.seq << " ---\n";
    }
    const SecretBuffer safe = witness::SafeReplyText(r.text.span());
    std::cout.write(safe.view().data(), static_cast<std::streamsize>(safe.size()));
    if (safe.empty() || safe.view().back() != '\n') std::cout << "\n";
  }
  if (replies.replies.empty() && !s.json) std::cout << "no replies yet\n";
  return 0;
}

int Send(const std::string& envelope, const std::string& bundle_path, const std::string& pin,
         const SendArgs& s) {
  const RecipientBundle bundle = LoadBundle(bundle_path, pin, true);
  if (const Status st = witness::RefuseRollback(bundle, LoadPins(), bundle_path); !st.ok())
    Fail("", st);
  const int fd = Must(OpenRegularFile(envelope, UINT64_MAX, nullptr), "");
  // A damaged or foreign envelope is the witness's file's fault, not a delivery's: said plainly.
  const auto checked = Must(witness::CheckEnvelope(bundle, fd, std::nullopt), "");
  auto d =
      witness::Deliver(bundle, fd, ConnectionOf(s), TerminalHooks(FileSize(fd)), checked.first);
  ::close(fd);
  if (!d.ok()) {
    const ErrorCode code = d.status().code();
    if (code == ErrorCode::kIo || code == ErrorCode::kCancelled)
      Fail("not delivered: " + d.status().message(), kExitKeptInOutbox);
    Fail("not delivered: " + d.status().message());
  }
  if (d->queued) {
    PrintQueued(s.json, d.value(),
                "the server's receipt comes back through the relay: run `gavah-witness send " +
                    envelope + "` again later to fetch it");
    return 0;
  }
  PrintDelivered(s.json, d.value(), Must(witness::SaveReceipt(d.value(), bundle), ""));
  return 0;
}

int Submit(const SealArgs& a, const SendArgs& s, bool amnesic) {
  const RecipientBundle bundle = LoadBundle(a.bundle, a.org_fingerprint, true);
  if (!s.proxy.empty()) {
    const Status proxy_ok = transport::CheckProxy(s.proxy);
    if (!proxy_ok.ok()) Fail("", proxy_ok);  // before anything is sealed or kept
  }
  std::optional<OrganisationPins> pins;
  std::string trust_warning;
  if (!amnesic) {
    pins = LoadPins();
    trust_warning =
        Must(witness::DecideTrust(bundle, !a.org_fingerprint.empty(), *pins, a.bundle), "").warning;
  } else if (a.org_fingerprint.empty()) {
    // Amnesic mode writes no pins, but honours the ones already on this device.
    Must(witness::DecideTrust(bundle, false, LoadPins(), a.bundle), "");
    trust_warning = "warning: --amnesic pins nothing; compare the organisation key " +
                    FingerprintToText(bundle.organisation_fingerprint()) +
                    " with the published fingerprint, or pass --org-fingerprint";
  }
  auto t = Prepare(a, bundle);
  // Pinned first: if the pin cannot be written, nothing has been sealed or kept yet.
  if (pins) {
    if (const Status st = witness::Pin(bundle, *pins); !st.ok()) Fail("", st);
  }
  // The envelope's size is known only once sealed; the sum of the parts is a floor that serves
  // to decide whether a progress bar is worth showing.
  uint64_t size = t->input().text.size();
  for (const auto& att : t->input().attachments) size += att.size;
  const Hooks hooks = TerminalHooks(size);
  if (!trust_warning.empty()) std::fprintf(stderr, "%s\n", trust_warning.c_str());
  const witness::Submitted r =
      Must(witness::Submit(bundle, *t, ConnectionOf(s), hooks, amnesic), "");
  const std::string id = ToHex(r.id);
  if (!r.delivery) {
    const Status& why = r.not_delivered;
    const bool passing = why.code() == ErrorCode::kIo || why.code() == ErrorCode::kCancelled;
    if (amnesic)
      Fail("not delivered, and --amnesic kept nothing: " + why.message(), kExitNothingKept);
    if (passing) {
      Fail("not delivered (" + why.message() + "); the sealed envelope " + id +
               " waits in the outbox: gavah-witness outbox --retry",
           kExitKeptInOutbox);
    }
    Fail("not delivered: " + why.message() + " (the sealed envelope stays in the outbox)");
  }
  if (r.delivery->queued) {
    PrintQueued(s.json, *r.delivery,
                amnesic ? "no receipt will be kept on this device (--amnesic)"
                        : "it stays in the outbox until the server's receipt comes back "
                          "through the relay: run `gavah-witness outbox --retry` later");
    return 0;
  }
  PrintDelivered(s.json, *r.delivery, r.receipt_path);
  return 0;
}

int Outbox(bool retry, const SendArgs& s) {
  if (!retry) {
    const auto entries = Must(witness::ListOutbox(), "");
    if (entries.empty()) std::cout << "the outbox is empty\n";
    for (const auto& e : entries) std::cout << e.id << "  " << e.size << " bytes  waiting\n";
    return 0;
  }
  int failed = 0;
  for (const auto& r : Must(witness::RetryOutbox(ConnectionOf(s), TerminalHooks(0)), "")) {
    if (!r.delivery) {
      if (r.not_delivered.code() == ErrorCode::kMalformed) {
        std::fprintf(stderr, "%s: %s; left in the outbox\n", r.id.c_str(),
                     r.not_delivered.message().c_str());
      } else {
        std::fprintf(stderr, "%s: not delivered: %s\n", r.id.c_str(),
                     r.not_delivered.message().c_str());
      }
      ++failed;
      continue;
    }
    if (r.delivery->queued) {
      std::fprintf(stderr, "%s: held by relay %s; the server's receipt is not back yet\n",
                   r.id.c_str(), r.delivery->endpoint.c_str());
      ++failed;
      continue;
    }
    PrintDelivered(s.json, *r.delivery, r.receipt_path);
  }
  // Delivered testimony the log does not hold yet (as far as this device has seen): asked about
  // again, so that a server that drops it is caught by the same habit that sends it.
  const auto now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  bool tampered = false;
  for (const auto& c : Must(witness::CheckUnloggedReceipts(ConnectionOf(s), now), "")) {
    if (c.status.code() == ErrorCode::kIo) continue;  // unreachable: told by the sending above
    if (!c.status.ok()) {
      tampered |= c.status.code() == ErrorCode::kTampered;
      std::fprintf(stderr, "%s: the log check failed: %s\n", c.id.c_str(),
                   c.status.message().c_str());
    } else if (c.check->in_log && !s.json) {
      std::cout << "envelope " << c.id << " is now entry " << c.check->index
                << " of the server's log; the inclusion proof verifies\n";
    }
  }
  if (failed > 0)
    Fail(std::to_string(failed) + " envelope(s) still wait in the outbox", kExitKeptInOutbox);
  if (tampered) Fail("the server's log does not hold what it promised (above); keep your receipts");
  return 0;
}

int ShowReceipt(const std::string& id, bool json) {
  const auto [r, key] = Must(witness::ReadReceipt(id), "");
  if (json) {
    std::cout << JsonObject()
                     .Add("envelope_id", ToHex(r.envelope_id))
                     .Add("received_hour", r.received_hour)
                     .Add("include_by", r.include_by)
                     .AddBool("verified", true)
                     .str()
              << "\n";
  } else {
    std::cout << "envelope " << ToHex(r.envelope_id) << ": received in the hour starting "
              << UtcTime(r.received_hour) << "; the server promises it is in its log by "
              << UtcTime(r.include_by) << "; signature verified against receipt key " << ToHex(key)
              << "\n";
  }
  return 0;
}

// Fetches and verifies the envelope's inclusion proof, and the log's consistency with the
// checkpoint this device kept.
int CheckReceipt(const std::string& id, const std::string& bundle_path, const std::string& pin,
                 const SendArgs& s, bool json) {
  if (!s.proxy.empty()) {
    if (const Status ok = transport::CheckProxy(s.proxy); !ok.ok()) Fail("", ok);
  }
  std::optional<RecipientBundle> bundle;
  if (!bundle_path.empty()) bundle.emplace(Must(witness::LoadBundle(bundle_path, pin, false), ""));
  const auto now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  const witness::ReceiptCheck c =
      Must(witness::CheckReceipt(id, ConnectionOf(s), now, bundle ? &*bundle : nullptr), "");
  std::string cosigners;
  for (const auto& n : c.cosigners) cosigners += (cosigners.empty() ? "" : ", ") + n;
  if (json) {
    JsonObject o;
    o.Add("envelope_id", id)
        .AddBool("in_log", c.in_log)
        .AddBool("queued", c.queued)
        .Add("include_by", c.receipt.include_by)
        .Add("endpoint", c.endpoint);
    if (c.in_log) {
      o.Add("log_index", c.index)
          .Add("tree_size", c.tree_size)
          .Add("cosigned_by", cosigners)
          .Add("kept_size", c.kept_size);
    }
    std::cout << o.str() << "\n";
  } else if (!c.in_log) {
    std::cout << "envelope " << id
              << (c.queued
                      ? " is held by relay " + c.endpoint + "; the server's receipt is not back yet"
                      : " is not in the server's log yet")
              << "; the server promises it by " << UtcTime(c.receipt.include_by)
              << ". Check again later.\n";
  } else {
    std::cout << "envelope " << id << " is entry " << c.index << " of the server's log of "
              << c.tree_size << " entries: the inclusion proof verifies under a checkpoint signed "
              << "by the server and cosigned by "
              << (cosigners.empty() ? std::string("no witness (the bundle names none)")
                                    : "witness " + cosigners)
              << "\n";
    if (c.kept_size > 0) {
      std::cout << "the log is consistent with the checkpoint of " << c.kept_size
                << " entries this device kept from before\n";
    }
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
  cmd->add_option("--consent-file", a.consent_file,
                  "what you allow, one permission a line: investigators, un-mechanism, "
                  "prosecutors-courts, quote-anonymously, contact-again");
  cmd->add_flag("--clean-metadata", a.clean_metadata,
                "seal copies of the attachments with identifying metadata removed (see inspect)");
}

// Shows what a file says about whoever made it, and whether --clean-metadata can remove it.
int Inspect(const std::vector<std::string>& files, bool json) {
  int unreadable = 0;
  for (const auto& path : files) {
    auto bytes = ReadRegularSecretFile(path, metadata::kMaxCleanBytes);
    if (!bytes.ok()) {
      std::fprintf(stderr, "gavah-witness: %s\n", bytes.status().message().c_str());
      ++unreadable;
      continue;
    }
    auto report = metadata::Inspect(bytes->span());
    if (!report.ok()) {
      std::fprintf(stderr, "gavah-witness: %s: %s\n", path.c_str(),
                   report.status().message().c_str());
      ++unreadable;
      continue;
    }
    if (json) {
      std::string findings = "[";
      for (const auto& f : report->findings) {
        if (findings.size() > 1) findings += ",";
        findings += JsonObject()
                        .Add("kind", metadata::KindName(f.kind))
                        .Add("field", f.field)
                        .Add("value", f.value.view())
                        .str();
      }
      findings += "]";
      std::cout << JsonObject()
                       .Add("file", path)
                       .Add("format", report->format)
                       .AddBool("can_clean", report->can_clean)
                       .Add("note", report->note)
                       .AddRaw("findings", findings)
                       .str()
                << "\n";
      continue;
    }
    std::cout << path << ": " << report->format << "\n";
    if (report->findings.empty()) std::cout << "  no identifying metadata found\n";
    for (const auto& f : report->findings) {
      std::cout << "  " << metadata::KindName(f.kind) << ": " << f.field << " = ";
      std::cout.write(f.value.view().data(), static_cast<std::streamsize>(f.value.size()));
      std::cout << "\n";
    }
    if (!report->note.empty()) std::cout << "  note: " << report->note << "\n";
    std::cout << (report->can_clean
                      ? "  --clean-metadata seals a copy without it (the original keeps the most "
                        "value as evidence)\n"
                      : "  this kind of file cannot be cleaned here; send it as it is, or not at "
                        "all\n");
  }
  if (unreadable > 0) return 1;
  return 0;
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
  bool persian_codename = false;
  auto* codename = app.add_subcommand("codename", "make a new random codename for --codename-file");
  codename->add_option("--out", codename_out,
                       "write it to this file (0600) instead of printing it");
  codename->add_flag("--persian", persian_codename, "make it of Persian words");

  std::vector<std::string> inspect_files;
  auto* inspect =
      app.add_subcommand("inspect", "show the identifying metadata in files you mean to attach");
  inspect->add_option("file", inspect_files, "the files")->required();
  inspect->add_flag("--json", json, "print one JSON object per file");

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
  bool check = false;
  receipt->add_flag("--check", check,
                    "fetch the envelope's inclusion proof from the server's log and verify it");
  receipt->add_option("--bundle", bundle_path,
                      "the organisation's bundle (default: the one saved with the receipt)");
  receipt->add_option("--org-fingerprint", pin, "refuse a bundle not signed by this key");
  receipt->add_option("--proxy", send_args.proxy, "fetch through this HTTP CONNECT proxy");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (*seal) return Seal(s, json);
  if (*submit) return Submit(sub, send_args, amnesic);
  if (*send) return Send(envelope, bundle_path, pin, send_args);
  if (*outbox) return Outbox(retry, send_args);
  if (*receipt)
    return check ? CheckReceipt(receipt_id, bundle_path, pin, send_args, json)
                 : ShowReceipt(receipt_id, json);
  if (*codename) return Codename(codename_out, persian_codename);
  if (*inspect) return Inspect(inspect_files, json);
  if (*replies) return Replies(replies_codename, bundle_path, pin, send_args, legacy_codename);
  return 2;
}

}  // namespace
}  // namespace gavah::cli

int main(int argc, char** argv) {
  return gavah::cli::RunMain("gavah-witness", gavah::cli::Main, argc, argv);
}
