// The investigator's operations, for every front end (gavah-investigator, and the desk to come).
// Nothing here prints, prompts or exits: passphrases come in as secret bytes, keys come in
// unlocked, and the caller says what to show. Formats: docs/PROTOCOL.md.
//
// Operations that take a case store take it open (the front end asks for its passphrase), and
// keys either unlocked or as a KeyRef, unlocked only once the envelope's header has been checked.
// Every message is a sentence a person can act on; a front end shows it as it is.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "case_store.h"
#include "gavah/crypto/bundle.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/io.h"
#include "gavah/crypto/keys.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/shamir.h"
#include "gavah/crypto/status.h"

namespace gavah::investigator {

// Where a new key goes: `key_file` and its public half beside it (section 1.3), neither of which
// may exist. Checked before any passphrase is asked for.
struct KeyPaths {
  std::string key_file, public_file;
};
Result<KeyPaths> FreeKeyPaths(const std::string& key_file);

struct NewKey {
  KeyPaths paths;
  std::string fingerprint;  // 32 hex digits
};
// A fresh organisation signing key, encrypted under `passphrase`, read back before it is kept.
Result<NewKey> CreateOrganisationKey(const KeyPaths& paths, std::span<const uint8_t> passphrase);
// A fresh investigator key pair for `name` (1-64 bytes of printable UTF-8).
Result<NewKey> CreateInvestigatorKey(const std::string& name, const KeyPaths& paths,
                                     std::span<const uint8_t> passphrase);

// The investigator key in the key file `path`, unlocked with `passphrase` (kWrongPassphrase when
// it does not unlock it).
Result<InvestigatorSecretKey> UnlockKeyFile(const std::string& path,
                                            std::span<const uint8_t> passphrase);

inline constexpr uint64_t kMaxBundleExpiryDays = 3650;
struct BundleRequest {
  std::string name;                        // the organisation's name, shown to witnesses
  std::vector<std::string> investigators;  // .pub files
  unsigned threshold = 0;
  std::vector<std::string> servers, relays, relay_certs;
  std::string server_cert, receipt_key;  // PEM file; receipt.pub
  // The log's witnesses: HOST:PORT and witness.pub file, in pairs, and how many must cosign.
  std::vector<std::string> witnesses, witness_keys;
  unsigned witness_quorum = 0;  // 0: all of them
  uint64_t expires_days = 365;
  uint64_t now = 0;  // issued_at, Unix seconds
};
// The bundle's contents, with every rule checked (k, n, duplicates, pins, receipt key) before the
// organisation key is unlocked. Relays come first: a witness tries endpoints in order.
Result<BundleContents> PrepareBundle(const BundleRequest& request);
// Signs `contents` and writes the bundle to `out` (0644), which must not exist.
Result<std::vector<uint8_t>> WriteBundle(const BundleContents& contents, const OrganisationKey& key,
                                         const std::string& out);

// ---- What a long operation tells its front end, and how the front end stops it

// Something the person should know that does not stop the operation. A kWarning is about
// testimony at risk (tampered, withheld, a share that does not fit); a kNote is information.
struct Note {
  enum class Kind { kNote, kWarning };
  Kind kind = Kind::kNote;
  std::string text;
};

// Every member may be empty. Called on the operation's own thread.
struct Hooks {
  std::function<void(const Note&)> note;
  // open and export: envelope bytes read of `total`; sync: log entries handled (total 0:
  // not known yet); purge: envelopes agreed of `total`.
  std::function<void(uint64_t done, uint64_t total)> progress;
  std::function<bool()> cancelled;  // true: stop at the next step, leaving nothing half made
};

using cli::CaseEnvelope;
using cli::CaseStore;

// An envelope id as people type it: 64 hexadecimal digits.
Result<Digest32> ParseEnvelopeId(const std::string& hex);

// A key the operation may need, unlocked only when it is needed (after the envelope's header
// has been checked, so that junk costs no passphrase).
struct KeyRef {
  std::string label;  // how messages name it: its file
  std::function<Result<InvestigatorSecretKey>()> unlock;
  // A key already unlocked (the desk unlocks once per session); used instead of unlock().
  const InvestigatorSecretKey* unlocked = nullptr;
};

// ---- Opening testimony

struct OpenedTestimony {
  EnvelopeId id{};
  size_t files = 0;                    // in the folder, manifest.json's count
  std::optional<std::string> consent;  // what the witness allows (PROTOCOL 3.7); none: not asked
  std::vector<std::string> who;        // fingerprints of the keys that were unlocked
  std::optional<PublicKey32> reply_key;
  std::optional<xwing::PublicKey> reply_xwing_key;  // version 2 testimony: replies go to it
  SecretBuffer attachments;  // names and sizes, TestimonyDirectory::AttachmentList()
  SecretBuffer file_key;     // opens this envelope only (an evidence package carries it)
};

// Verifies and decrypts the envelope file `envelope` into the new folder `out`.
Result<OpenedTestimony> OpenFile(const std::string& envelope, const std::vector<KeyRef>& keys,
                                 const std::string& out, const Hooks& hooks);

// Checks that `bundle` may be used with `store`: of the store's organisation and not older than
// the bundle the store last synced with (which may list someone the organisation removed).
Status CheckAgainstStore(const RecipientBundle& bundle, CaseStore& store,
                         const std::string& bundle_label, const std::string& store_label);

// Envelope `id` of the store, refused when the store holds none of its bytes or they did not
// match its id.
Result<CaseEnvelope> UsableEnvelope(CaseStore& store, const Digest32& id,
                                    const std::string& store_label);

// Opens envelope `id` of the store into `out` with the keys and the shares colleagues released,
// and records it in the envelope's custody. A released share that does not fit is set aside.
Result<OpenedTestimony> OpenStored(CaseStore& store, const Digest32& id,
                                   const std::vector<KeyRef>& keys, const std::string& out,
                                   const std::string& store_label, const Hooks& hooks);

// ---- Sync

struct SyncReport {
  uint64_t added = 0;       // envelopes that arrived whole (or arrived whole again)
  uint64_t tampered = 0;    // envelopes whose bytes do not match their id: not kept
  uint64_t withheld = 0;    // claimed deleted without k signed agreements
  uint64_t shares = 0;      // shares colleagues released to this investigator
  uint64_t log_size = 0;    // entries of the server's log checked, under its served checkpoint
  uint64_t pending = 0;     // envelopes taken before the log holds them (checked later)
  uint64_t not_logged = 0;  // envelopes held that the log does not hold yet
  std::vector<std::string> cosigners;  // the witnesses that cosigned that checkpoint
};

// The checkpoint of the server's log a case store holds, as sync checked it (empty: none yet),
// for investigators to compare with each other.
Result<std::string> HeldCheckpoint(CaseStore& store);

// Refuses a bundle that names no receipt key (sync checks every receipt against it).
Status CanSyncWith(const RecipientBundle& bundle);
// Refuses a key that is not an investigator of the bundle.
Status IsInvestigatorOf(const RecipientBundle& bundle, const InvestigatorSecretKey& key,
                        const std::string& key_label);

// Pulls every envelope the server lists after the store's cursor into the store, checking each
// against its id and receipt; fetches damaged ones again; asks again about any the server
// withholds; keeps the shares colleagues released. A log that is cut, renumbered or has a gap is
// an error. Tampered and withheld testimony are counted and named in notes.
Result<SyncReport> Sync(const RecipientBundle& bundle, const InvestigatorSecretKey& key,
                        CaseStore& store, const std::string& store_label, const Hooks& hooks);

// ---- Working on a testimony

// A key share ready to be released: who it goes to and which testimony it is for, to be shown
// before Release sends it.
struct ShareToRelease {
  CaseEnvelope envelope;
  InvestigatorPublicKey to;
  Share share;
};
Result<ShareToRelease> PrepareRelease(CaseStore& store, const Digest32& id,
                                      const InvestigatorSecretKey& key,
                                      const std::string& key_label, const RecipientBundle& bundle,
                                      const InvestigatorPublicKey& to, const std::string& to_label,
                                      const std::string& store_label);
// Seals the share to the colleague, posts it, and records it in the custody.
Status Release(const ShareToRelease& release, const InvestigatorSecretKey& key,
               const RecipientBundle& bundle, CaseStore& store, const std::string& store_label);

// A note or a tag: 1 byte to 64 KiB of UTF-8.
Status CheckAnnotation(const std::string& kind, const SecretBuffer& text);
Status Annotate(CaseStore& store, const Digest32& id, const std::string& kind,
                const SecretBuffer& text, const std::string& store_label);

// A reply sealed to the witness's reply key, which the store learnt when it opened the
// testimony.
struct SealedReply {
  CaseEnvelope envelope;
  PublicKey32 reply_key{};  // names the mailbox; the reply is sealed to the X-Wing key when known
  std::vector<uint8_t> sealed;
};
Result<SealedReply> PrepareReply(CaseStore& store, const Digest32& id, const SecretBuffer& text,
                                 const std::string& store_label);
// Leaves it in the witness's mailbox; the server's sequence number.
Result<uint64_t> SendReply(const SealedReply& reply, const InvestigatorSecretKey& key,
                           const RecipientBundle& bundle, CaseStore& store,
                           const std::string& store_label);

// One envelope as the store knows it: state, custody, attachments (once opened), annotations.
struct EnvelopeDetails {
  CaseEnvelope envelope;
  std::vector<cli::CustodyEvent> custody;
  SecretBuffer attachments;  // empty until opened from this store
  std::vector<CaseStore::Annotation> annotations;
};
Result<EnvelopeDetails> Details(CaseStore& store, const Digest32& id,
                                const std::string& store_label);

// ---- Evidence packages (PROTOCOL.md section 10)

// What an export is for: a consent token of PROTOCOL.md 3.7 ("prosecutors-courts",
// "un-mechanism", "quote-anonymously", "investigators"), and, when the witness did not consent
// to it, the investigator's reason, which goes into the chain of custody.
struct ExportUse {
  std::string use;
  std::string reason;
};
// True when the witness's consent (as OpenedTestimony gives it) covers `use`. A witness who was
// not asked allows the organisation's own review only.
bool ConsentAllows(const std::optional<std::string>& consent, const std::string& use);
// Refuses a use other than prosecutors-courts, un-mechanism, quote-anonymously and
// investigators, and a reason that is not one line of visible text of at most 4096 bytes.
Status CheckExportUse(const ExportUse& use);

// Writes the signed package for envelope `id` into the new folder `out`: the envelope, its
// receipt, the opened testimony, the file key, the bundle, the custody and a manifest signed by
// the first key. The witness's consent is checked against `use` (none: "investigators", the
// organisation's own review) before anything is written; a use they did not consent to needs a
// reason. The use (and reason) are the custody's "exported" event.
Status Export(CaseStore& store, const Digest32& id, const std::vector<KeyRef>& keys,
              const std::string& out, const std::string& store_label, const Hooks& hooks,
              const ExportUse* use = nullptr);

struct VerifiedPackage {
  std::vector<std::string> problems;  // empty: verified
  std::string envelope_id, organisation, signer_name, signer_fingerprint;
  uint64_t files = 0, testimony_files = 0, log_index = 0, received_hour = 0, exported_at = 0;
  // In the server's log (log_index), or only promised to be by `promised_by` when exported.
  bool in_log = false;
  uint64_t promised_by = 0;
  bool pinned = false;
};
// Checks a package with nothing but the package, and `pinned` when given (whose organisation,
// investigators and receipt key then count, not the package's copy).
Result<VerifiedPackage> VerifyExport(const std::string& dir, const RecipientBundle* pinned,
                                     const std::string& pinned_label);

// ---- Reading in memory, opening everything at once, the case list (PROTOCOL.md 10b)

// How much of the attachments a reading holds in memory for preview. An attachment past them
// is named and sized but not held: the investigator exports it to see it.
struct ReadLimits {
  uint64_t per_attachment = uint64_t{64} << 20;
  uint64_t total = uint64_t{256} << 20;
};
struct ReadAttachment {
  SecretBuffer name, media_type;
  uint64_t size = 0;
  bool held = false;  // its bytes are in `bytes`, verified
  SecretBuffer bytes;
};
struct ReadTestimony {
  OpenedTestimony opened;
  SecretBuffer text, language, event_time, event_place;
  std::vector<ReadAttachment> attachments;
};
// Opens envelope `id` of the store in memory only (nothing is written but the store's record
// of it): verified whole before anything is returned. Indexes it for search the first time and
// records the reading in its custody.
Result<ReadTestimony> Read(CaseStore& store, const Digest32& id, const std::vector<KeyRef>& keys,
                           const ReadLimits& limits, const std::string& store_label,
                           const Hooks& hooks);

struct OpenAllReport {
  uint64_t opened = 0;      // opened now and indexed for search
  uint64_t already = 0;     // opened before
  uint64_t waiting = 0;     // need more shares than are at hand
  uint64_t not_for_us = 0;  // none of the keys is a recipient
  uint64_t unusable = 0;    // tampered, withheld or deleted: nothing to open
  uint64_t failed = 0;      // would not open (named in a warning)
};
// Opens, in memory, every envelope of the store the keys (all unlocked) and the shares
// colleagues released can open, and indexes each for search, in batches of one transaction
// each; records how many shares each of the others still needs. Progress: envelopes done of
// those to try. A stop keeps every batch finished before it.
Result<OpenAllReport> OpenAll(CaseStore& store, const std::vector<KeyRef>& keys,
                              const std::string& store_label, const Hooks& hooks);

// The case list, newest first. `text` is matched as typed (FoldForSearch), each word as the
// beginning of a word of an opened testimony.
struct CaseFilter {
  std::string state;
  SecretBuffer tag;
  uint64_t from_hour = 0, to_hour = UINT64_MAX;
  SecretBuffer text;
};
Result<std::vector<CaseStore::Row>> ListCases(CaseStore& store, const CaseFilter& filter,
                                              const std::string& store_label);
// The names of the investigators who could release a share `row` still needs: the bundle's,
// but for `me` (a fingerprint) and those who released one.
std::vector<std::string> WhoToAsk(const RecipientBundle& bundle, const std::string& me,
                                  const CaseStore::Row& row);

// ---- Deletion (PROTOCOL.md section 9.4)

struct MarkResult {
  uint64_t marks = 0, threshold = 0;
  bool deleted = false;
};
Result<MarkResult> MarkDelete(const RecipientBundle& bundle, const InvestigatorSecretKey& key,
                              const Digest32& id);

struct PurgeRange {
  uint64_t from_entry = 0, to_entry = 0, min_size = 0, max_size = UINT64_MAX;
};
// What a purge would agree to delete: the new envelopes of the range no one here has worked on
// (opened, annotated, answered, exported, shared); those are `kept`.
struct PurgePlan {
  std::vector<CaseEnvelope> chosen;
  uint64_t bytes = 0, kept = 0, first_hour = UINT64_MAX, last_hour = 0;
};
Result<PurgePlan> PlanPurge(CaseStore& store, const PurgeRange& range,
                            const std::string& store_label);
struct PurgeResult {
  uint64_t deleted = 0, threshold = 0;
};
// Agrees, in batches within the server's limits, to delete every envelope of the plan, and
// records each agreement in its custody.
Result<PurgeResult> Purge(const PurgePlan& plan, const RecipientBundle& bundle,
                          const InvestigatorSecretKey& key, CaseStore& store,
                          const std::string& store_label, const Hooks& hooks);

}  // namespace gavah::investigator
