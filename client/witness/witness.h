// The witness's operations, for every front end (gavah-witness, gavah-witness-app): trust an
// organisation's bundle, seal testimony, send it or keep it in the outbox, receipts, codenames
// and replies. Nothing here prints, prompts or exits; long operations report progress through
// Hooks and stop when Hooks::cancelled says so. Formats: docs/PROTOCOL.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gavah/crypto/bundle.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/reply.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/status.h"
#include "intake_client.h"
#include "metadata.h"
#include "pins.h"

namespace gavah::witness {

using cli::OrganisationPins;
using transport::Delivery;

// What a long operation tells its front end, and how the front end stops it. Every member may
// be empty. Called on the operation's own thread.
struct Hooks {
  std::function<void(uint64_t done, uint64_t total)> progress;            // envelope bytes sent
  std::function<void(uint64_t tries, uint64_t expected)> on_work;         // admission puzzle
  std::function<void(uint64_t seconds, const std::string& why)> on_wait;  // before a new try
  std::function<bool()> cancelled;                                        // true: stop
};

// How to reach the organisation's endpoints.
struct Connection {
  std::string proxy;  // http://HOST:PORT of an HTTP CONNECT proxy (Tor), or empty
  uint64_t max_work_seconds = 300;
  uint64_t wait_seconds = 0;  // keep trying an unreachable or busy endpoint this long
};

// The witness's own state: $XDG_DATA_HOME/gavah, else ~/.local/share/gavah.
Result<std::string> StateDir();

// ---- The organisation

// The organisation pins this device keeps (an empty set when there is no file yet).
Result<OrganisationPins> LoadPins();

// Reads and verifies a bundle file (signature; the pin when `fingerprint` is given; expiry when
// `require_current`).
Result<RecipientBundle> LoadBundle(const std::string& path, const std::string& fingerprint,
                                   bool require_current);
// Refuses a bundle older than the newest this device has seen under its organisation's pin.
Status RefuseRollback(const RecipientBundle& bundle, const OrganisationPins& pins,
                      const std::string& path);

enum class Trust {
  kExplicit,  // the fingerprint was given by the witness
  kPinned,    // the same key as the pin this device keeps for the organisation's name
  kFirstUse,  // no pin yet: pinned now (by Pin()), and the witness should compare
  kUnnamed,   // the bundle names no organisation: nothing to pin
};
struct TrustDecision {
  Trust trust = Trust::kUnnamed;
  std::string label;    // how the key was verified, in words
  std::string warning;  // a line the witness must see, or empty
};
// Decides whether to trust the bundle's signer. kUntrustedSigner (with the message to show) for
// a bundle that names a pinned organisation but is signed by another key: a forgery handed out
// in the organisation's name, unless the organisation really changed its key.
Result<TrustDecision> DecideTrust(const RecipientBundle& bundle, bool explicit_fingerprint,
                                  const OrganisationPins& pins, const std::string& path);
// Records the bundle's organisation key under its name (nothing for an unnamed bundle).
Status Pin(const RecipientBundle& bundle, OrganisationPins& pins);

// ---- The testimony

struct AttachmentChoice {
  std::string path;
  // Seal a copy with identifying metadata removed, made in memory (never on disk), under the
  // name attachment-N.<extension> (a phone's file name dates the photo).
  bool clean_metadata = false;
};
struct Draft {
  SecretBuffer text, language, event_time, event_place;
  std::vector<AttachmentChoice> attachments;
  std::optional<PublicKey32> reply_key;                  // from ReplyKeyFromCodename
  std::optional<xwing::PublicKey> reply_xwing_key;       // the same codename's X-Wing key
  std::optional<std::vector<std::string_view>> consent;  // from ParseConsent or kConsentTokens
};

// A consent file: one permission a line, blank lines and lines starting with '#' ignored, each
// at most once, only the tokens this version knows (kConsentTokens). Returned in canonical
// order, as views of kConsentTokens.
Result<std::vector<std::string_view>> ParseConsent(std::span<const uint8_t> text);
// The attachment's name in the record: the file's base name, with anything that is not
// printable UTF-8 replaced by '_'.
SecretBuffer AttachmentName(const std::string& path);

// What the file at `path` reveals (metadata::Inspect), read into secret memory; kTooLarge over
// metadata::kMaxCleanBytes (such a file can only be sent as it is).
Result<metadata::Report> InspectAttachment(const std::string& path);

// A draft ready to seal: the open attachment files (read and hashed ahead on threads of their
// own) and the cleaned copies in secret memory.
class Prepared {
 public:
  ~Prepared();
  TestimonyInput& input() { return input_; }

 private:
  friend Result<std::unique_ptr<Prepared>> Prepare(Draft draft);
  Prepared() = default;
  TestimonyInput input_;
  std::vector<int> fds_;
  std::vector<SecretBuffer> cleaned_;
  std::vector<std::unique_ptr<ByteSource>> sources_;
};
Result<std::unique_ptr<Prepared>> Prepare(Draft draft);

// Seals into `out`, which must not exist (a temporary file beside it, linked into place when
// complete, so a failure leaves nothing at `out`).
Result<SealedEnvelope> SealToFile(const RecipientBundle& bundle, Prepared& testimony,
                                  const std::string& out);

// ---- Sending

// Checks that the envelope in `fd` is whole and for this bundle's organisation; its id (hashed
// unless `sealed_id` gives it) and size.
Result<std::pair<EnvelopeId, uint64_t>> CheckEnvelope(const RecipientBundle& bundle, int fd,
                                                      std::optional<EnvelopeId> sealed_id);
// Sends the envelope in `fd` (checked with CheckEnvelope first).
// `sealed_id`: the id from sealing it just now, which saves hashing the file again.
Result<Delivery> Deliver(const RecipientBundle& bundle, int fd, const Connection& connection,
                         const Hooks& hooks, std::optional<EnvelopeId> sealed_id = std::nullopt);
// Saves a verified receipt under StateDir()/receipts; returns its path.
Result<std::string> SaveReceipt(const Delivery& delivery, const RecipientBundle& bundle);

// What became of a testimony after sealing. Errors before sealing (the bundle, the files, the
// pins) are the Result's; once sealed the outcome is always told here.
struct Submitted {
  EnvelopeId id{};
  std::optional<Delivery> delivery;  // set when delivered or handed to a relay (queued)
  std::string receipt_path;          // when delivered and not amnesic
  Status not_delivered;              // why, when there is no delivery
  bool in_outbox = false;            // the sealed envelope waits in the outbox (always when queued)
};
// Seals and sends. Not amnesic: the envelope goes into the outbox (with the bundle) before the
// first byte is sent and leaves it when the server's receipt is saved. Amnesic: sealed into
// memory only; nothing about this testimony touches the disk, and a failure keeps nothing.
// The caller has already decided trust and pinned (see DecideTrust, Pin).
Result<Submitted> Submit(const RecipientBundle& bundle, Prepared& testimony,
                         const Connection& connection, const Hooks& hooks, bool amnesic);

struct OutboxEntry {
  std::string id;  // 64 hex digits
  uint64_t size = 0;
};
Result<std::vector<OutboxEntry>> ListOutbox();
struct Retried {
  std::string id;
  std::optional<Delivery> delivery;
  std::string receipt_path;
  Status not_delivered;
};
// Tries every envelope in the outbox once, in id order; delivered ones leave it.
Result<std::vector<Retried>> RetryOutbox(const Connection& connection, const Hooks& hooks);

// A saved receipt, re-verified. `id`: 64 lower-case hex digits.
Result<std::pair<Receipt, PublicKey32>> ReadReceipt(const std::string& id);
// The ids of every saved receipt, sorted.
Result<std::vector<std::string>> ListReceipts();

// ---- The server's transparency log

struct ReceiptCheck {
  Receipt receipt;         // the saved promise, re-verified
  std::string endpoint;    // who answered
  bool queued = false;     // a relay holds the envelope; the server's receipt is not back yet
  bool in_log = false;     // false: not in a served checkpoint yet (promised by include_by)
  uint64_t index = 0;      // the envelope's entry in the log
  uint64_t tree_size = 0;  // of the checkpoint the proof is under
  std::vector<std::string> cosigners;  // the bundle's witnesses that cosigned it
  uint64_t kept_size = 0;  // the checkpoint this device kept before (0: none); consistent
};
// Fetches the envelope's inclusion proof (through the bundle's endpoints, relays first) and
// verifies it offline: the log's signature and the bundle's quorum of witness cosignatures on
// the checkpoint, and the path from the envelope's entry to its root. Then checks that this
// checkpoint and the one this device kept for the log extend one another, and keeps the larger.
// kTampered names what the server did: an envelope missing from the log after the hour it
// promised, a proof that does not lead to the checkpoint, a log that is not consistent with the
// one it showed before. `bundle`: the bundle saved with the receipt when null.
Result<ReceiptCheck> CheckReceipt(const std::string& id, const Connection& connection,
                                  uint64_t now_unix, const RecipientBundle* bundle = nullptr);
// CheckReceipt for every saved receipt whose envelope this device has not yet seen in the log
// (what `outbox --retry` does after sending): each outcome, in id order.
struct LogCheck {
  std::string id;
  Status status;                      // why the check failed (kTampered: what the server did)
  std::optional<ReceiptCheck> check;  // when it ran
};
Result<std::vector<LogCheck>> CheckUnloggedReceipts(const Connection& connection,
                                                    uint64_t now_unix);
// The checkpoint this device keeps for the log of `bundle`'s server (empty: none yet).
Result<std::string> KeptCheckpoint(const RecipientBundle& bundle);

// ---- Codenames and replies

enum class WordList { kEnglish, kPersian };
std::span<const char* const> CodenameWords(WordList list = WordList::kEnglish);
// Seven random words and two check words, from `list`.
Result<SecretBuffer> NewCodename(WordList list = WordList::kEnglish);
struct CodenameKey {
  ReplyKeyPair key;
  // Seven words without check words (an older release): a mistyped word cannot be caught.
  bool unchecked_form = false;
};
// The reply key of a codename, once it checks out against a word list (a mistyped word would
// derive another key, and the replies would never be found). `any_words`: an earlier release
// took any seven or more words; such a codename is used as written, unchecked.
Result<CodenameKey> ReplyKeyFromCodename(std::span<const uint8_t> codename,
                                         const RecipientBundle& bundle, bool any_words = false);

struct Reply {
  uint64_t seq = 0;
  SecretBuffer text;  // valid UTF-8, as the investigator wrote it
};
struct Replies {
  std::vector<Reply> replies;
  std::vector<std::string> unreadable;  // one line per reply that could not be opened
  std::string endpoint;                 // the server or relay that answered
  // A relay is fetching the replies from the server in its next round, never while the witness
  // waits (so the two requests cannot be matched by their timing): ask again in a few minutes.
  bool pending = false;
};
// Fetches and opens every reply in the codename's mailbox from the first endpoint that answers.
Result<Replies> FetchReplies(const RecipientBundle& bundle, const ReplyKeyPair& key,
                             const Connection& connection, const Hooks& hooks);
// Reply text made safe to show: control characters (C0 but new line and tab, DEL, C1) and
// bidirectional overrides and isolates become '?', so a reply cannot rewrite or reorder what the
// screen shows. The marks Persian text uses (ZWNJ, LRM, RLM) pass.
SecretBuffer SafeReplyText(std::span<const uint8_t> text);

}  // namespace gavah::witness
