// gavah-investigator: organisation set-up (keys, signed bundle) and opening envelopes.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>

#include "case_store.h"
#include "cli_support.h"
#include "gavah/crypto/codename.h"
#include "gavah/crypto/deletion.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/evidence.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/process.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/released_share.h"
#include "gavah/crypto/reply.h"
#include "gavah/crypto/utf8.h"
#include "intake_client.h"
#include "investigator.h"
#include "review_client.h"
#include "testimony_dir.h"

namespace gavah::cli {
namespace {

void Print(bool json, const JsonObject& obj, const std::string& human) {
  std::cout << (json ? obj.str() + "\n" : human);
}

int OrgInit(const std::string& out, const PassphraseSource& pass, bool json) {
  const auto paths = Must(investigator::FreeKeyPaths(out), "");
  SecretBuffer passphrase = ReadPassphrase(pass, "New passphrase for " + out + ": ", true);
  const auto made = Must(investigator::CreateOrganisationKey(paths, passphrase.span()), "");
  Print(json,
        JsonObject()
            .Add("fingerprint", made.fingerprint)
            .Add("key_file", out)
            .Add("public_key_file", paths.public_file),
        "organisation key written to " + out + " (public part: " + paths.public_file + ")\n" +
            "fingerprint: " + made.fingerprint + "\n" +
            "Give this fingerprint to witnesses through a channel you trust; they pin it with "
            "--org-fingerprint.\n");
  return 0;
}

int Keygen(const std::string& name, const std::string& out, const PassphraseSource& pass,
           bool json) {
  const auto paths = Must(investigator::FreeKeyPaths(out), "");
  if (!IsValidInvestigatorName(name)) Fail("--name must be 1-64 bytes of printable UTF-8");
  SecretBuffer passphrase = ReadPassphrase(pass, "New passphrase for " + out + ": ", true);
  const auto made = Must(investigator::CreateInvestigatorKey(name, paths, passphrase.span()), "");
  Print(json,
        JsonObject()
            .Add("name", name)
            .Add("fingerprint", made.fingerprint)
            .Add("key_file", out)
            .Add("public_key_file", paths.public_file),
        "investigator key for " + name + " written to " + out + " (public part: " +
            paths.public_file + ")\n" + "fingerprint: " + made.fingerprint + "\n");
  return 0;
}

int Bundle(const investigator::BundleRequest& request, const std::string& org_key,
           const std::string& out, const PassphraseSource& pass, bool json) {
  FailIfExists(out);
  investigator::BundleRequest r = request;
  r.now = NowUnix();
  // Every rule (k, n, duplicates, pins) is checked before the passphrase is asked for.
  const BundleContents c = Must(investigator::PrepareBundle(r), "");
  const OrganisationKey org = LoadOrganisationKey(org_key, pass);
  Must(investigator::WriteBundle(c, org, out), "");
  const std::string fp = FingerprintToText(org.fingerprint());
  std::string human = "bundle written to " + out + ": any " + std::to_string(c.threshold) + " of " +
                      std::to_string(c.investigators.size()) +
                      " investigators can open testimony\n";
  for (const auto& inv : c.investigators) {
    human += "  " + inv.name + "  " + FingerprintToText(inv.fingerprint()) + "\n";
  }
  human += "signed by organisation key " + fp + "; expires " + Iso8601Date(c.expires_at) + "\n";
  Print(json,
        JsonObject()
            .Add("fingerprint", fp)
            .Add("bundle_file", out)
            .Add("threshold", c.threshold)
            .Add("investigators", c.investigators.size())
            .Add("expires_at", c.expires_at),
        human);
  return 0;
}

// What the library's operations have to say, on stderr as the tool always said it.
investigator::Hooks CliHooks() {
  investigator::Hooks h;
  h.note = [](const investigator::Note& n) {
    std::fprintf(stderr, "%s%s\n",
                 n.kind == investigator::Note::Kind::kNote ? "note: " : "gavah-investigator: ",
                 n.text.c_str());
  };
  h.cancelled = [] { return Interrupted(); };
  return h;
}

// Keys unlocked from their files, each when the operation first needs it.
std::vector<investigator::KeyRef> KeyFiles(const std::vector<std::string>& paths,
                                           const PassphraseSource& pass) {
  std::vector<investigator::KeyRef> keys;
  for (const auto& path : paths) {
    keys.push_back({path, [path, &pass]() -> Result<InvestigatorSecretKey> {
                      try {
                        return LoadInvestigatorKey(path, pass);
                      } catch (const Failure& f) {  // the library's callers get a status
                        return Error(ErrorCode::kInvalidArgument, f.message);
                      }
                    }});
  }
  return keys;
}

// The witness's consent is said every time a testimony is opened, so that no use of it can
// start without it in view.
void PrintOpened(const investigator::OpenedTestimony& o, const std::string& out, bool json) {
  const std::string hex = ToHex(o.id);
  JsonObject j;
  j.Add("envelope_id", hex).Add("out_dir", out).Add("files", o.files);
  if (o.consent) j.Add("consent", *o.consent);
  Print(json, j,
        "envelope " + hex + " verified and opened into " + out + " (" + std::to_string(o.files) +
            " files, see manifest.json)\n" +
            (o.consent ? "the witness allows: " + *o.consent + "\n"
                       : "the witness was not asked for consent: use it for the organisation's "
                         "own review only\n"));
}

int Open(const std::string& envelope, const std::vector<std::string>& key_paths,
         const std::string& out, const PassphraseSource& pass, bool json) {
  CatchInterrupts();
  const auto opened =
      Must(investigator::OpenFile(envelope, KeyFiles(key_paths, pass), out, CliHooks()), "");
  PrintOpened(opened, out, json);
  return 0;
}

// The case store at `path`, asking for its passphrase (twice when it is new).
std::unique_ptr<CaseStore> OpenCaseStore(const std::string& path, const PassphraseSource& pass,
                                         bool may_create) {
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists && !may_create) Fail(path + " does not exist; `sync` creates it");
  SecretBuffer passphrase = ReadPassphrase(
      pass,
      (exists ? "Passphrase for the case store " : "New passphrase for the case store ") + path +
          ": ",
      !exists);
  return Must(CaseStore::Open(path, passphrase.span()), path);
}

Digest32 IdArg(const std::string& hex) { return Must(investigator::ParseEnvelopeId(hex), ""); }

int Sync(const std::string& key_path, const std::string& bundle_path, const std::string& store_path,
         const PassphraseSource& pass, bool json) {
  // An expired bundle still says which server holds the organisation's testimony.
  const RecipientBundle bundle = LoadBundle(bundle_path, "", /*require_current=*/false);
  Must(investigator::CanSyncWith(bundle), "");
  const InvestigatorSecretKey key = LoadInvestigatorKey(key_path, pass);
  Must(investigator::IsInvestigatorOf(bundle, key, key_path), "");
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/true);
  CatchInterrupts();
  // A case store belongs to one organisation, and never goes back to an older bundle of it.
  Must(investigator::CheckAgainstStore(bundle, *store, bundle_path, store_path), "");
  const auto r = Must(investigator::Sync(bundle, key, *store, store_path, CliHooks()), "");
  Print(json,
        JsonObject()
            .Add("added", r.added)
            .Add("tampered", r.tampered)
            .Add("shares", r.shares)
            .Add("log_size", r.log_size)
            .Add("cosigned_by",
                 [&] {
                   std::string names;
                   for (const auto& n : r.cosigners) names += (names.empty() ? "" : ",") + n;
                   return names;
                 }())
            .Add("store", store_path),
        "synced " + std::to_string(r.added) + " new envelope(s) into " + store_path +
            (r.tampered ? " (" + std::to_string(r.tampered) + " tampered, not kept)" : "") +
            (r.shares ? "; " + std::to_string(r.shares) + " share(s) from colleagues" : "") +
            "\nthe server's log of " + std::to_string(r.log_size) +
            " entries checks out under its checkpoint" +
            (r.cosigners.empty()
                 ? std::string(" (the bundle names no witness)")
                 : ", cosigned by " + std::to_string(r.cosigners.size()) + " witness(es)") +
            "; compare checkpoints with colleagues: gavah-investigator log --checkpoint --store " +
            store_path + "\n");
  if (r.withheld) {
    Fail("sync: the server withholds " + std::to_string(r.withheld) +
         " testimony(ies) it claims deleted without the investigators' signed agreement (named "
         "above); tell your colleagues and keep every copy you hold");
  }
  return r.tampered ? 1 : 0;
}

// The checkpoint of the server's log this store holds, printed as the note it is, so colleagues
// can compare theirs: two different ones of the same size mean the server shows two logs.
int LogCheckpoint(const std::string& store_path, const PassphraseSource& pass) {
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  const std::string note = Must(investigator::HeldCheckpoint(*store), store_path);
  if (note.empty()) Fail(store_path + " holds no checkpoint of the server's log yet; run sync");
  std::cout << note;
  return 0;
}

int OpenStored(const std::string& id_hex, const std::string& store_path,
               const std::vector<std::string>& key_paths, const std::string& out,
               const PassphraseSource& pass, bool json) {
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  const Digest32 id = IdArg(id_hex);
  CatchInterrupts();
  const auto opened = Must(
      investigator::OpenStored(*store, id, KeyFiles(key_paths, pass), out, store_path, CliHooks()),
      "");
  PrintOpened(opened, out, json);
  return 0;
}

// A command line that does not say what to do: one line, exit 2, as the parser's own errors.
int UsageError(const std::string& what) {
  std::fprintf(stderr, "gavah-investigator: %s\n", what.c_str());
  return 2;
}

// Every testimony of the store opened at once with keys unlocked once, with progress.
int OpenAllCmd(const std::string& store_path, const std::vector<std::string>& key_paths,
               const PassphraseSource& pass, bool json) {
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  std::vector<InvestigatorSecretKey> unlocked;
  unlocked.reserve(key_paths.size());
  for (const auto& path : key_paths) unlocked.push_back(LoadInvestigatorKey(path, pass));
  std::vector<investigator::KeyRef> refs;
  for (size_t i = 0; i < unlocked.size(); ++i)
    refs.push_back({key_paths[i], nullptr, &unlocked[i]});
  CatchInterrupts();
  investigator::Hooks hooks = CliHooks();
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  uint64_t shown = 0;
  hooks.progress = [&](uint64_t done, uint64_t total) {
    // A line each tenth of the way (or in place on a terminal), not one per testimony.
    if (done != total && done < shown + std::max<uint64_t>(1, total / (tty ? 100 : 10))) return;
    shown = done;
    std::fprintf(stderr, tty ? "\ropened %llu of %llu%s" : "opened %llu of %llu%s\n",
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                 tty && done == total ? "\n" : "");
  };
  const auto r = Must(investigator::OpenAll(*store, refs, store_path, hooks), "");
  Print(json,
        JsonObject()
            .Add("opened", r.opened)
            .Add("already", r.already)
            .Add("waiting", r.waiting)
            .Add("not_for_these_keys", r.not_for_us)
            .Add("unusable", r.unusable)
            .Add("failed", r.failed)
            .Add("store", store_path),
        "opened " + std::to_string(r.opened) +
            " testimony(ies) in memory and indexed them for "
            "search in " +
            store_path +
            (r.already ? "; " + std::to_string(r.already) + " were opened before" : "") +
            (r.waiting ? "; " + std::to_string(r.waiting) +
                             " need more shares from colleagues (see: gavah-investigator list)"
                       : "") +
            (r.not_for_us ? "; " + std::to_string(r.not_for_us) + " are not for these keys" : "") +
            (r.unusable ? "; " + std::to_string(r.unusable) +
                              " are tampered, withheld or deleted, and were not opened"
                        : "") +
            "\n");
  if (r.failed) Fail(std::to_string(r.failed) + " testimony(ies) would not open (named above)");
  return 0;
}

int ReleaseShareCmd(const std::string& id_hex, const std::string& key_path,
                    const std::string& to_path, const std::string& bundle_path,
                    const std::string& store_path, bool yes, const PassphraseSource& pass,
                    bool json) {
  const RecipientBundle bundle = LoadBundle(bundle_path, "", /*require_current=*/false);
  const auto to = Must(InvestigatorPublicKey::FromText([&] {
                         const auto b = ReadSmallFile(to_path, 4096);
                         return std::string(b.begin(), b.end());
                       }()),
                       to_path);
  bool listed = false;
  for (const auto& inv : bundle.contents().investigators)
    listed |= inv.fingerprint() == to.fingerprint();
  if (!listed) Fail(to_path + " is not an investigator of this bundle");
  const Digest32 id = IdArg(id_hex);
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  Must(investigator::CheckAgainstStore(bundle, *store, bundle_path, store_path), "");
  Must(investigator::UsableEnvelope(*store, id, store_path), "");
  const InvestigatorSecretKey key = LoadInvestigatorKey(key_path, pass);
  const auto release = Must(
      investigator::PrepareRelease(*store, id, key, key_path, bundle, to, to_path, store_path), "");
  const CaseEnvelope& e = release.envelope;
  // Whoever releases sees which testimony it is for, and to whom, before anything is sent.
  std::fprintf(stderr,
               "Releasing your key share of envelope %s (log entry %llu, received %s, %llu "
               "bytes) to %s (%s).\n",
               id_hex.c_str(), static_cast<unsigned long long>(e.log_index),
               Iso8601Date(e.received_hour).c_str(), static_cast<unsigned long long>(e.size),
               release.to.name.c_str(), FingerprintToText(release.to.fingerprint()).c_str());
  // At a terminal the investigator confirms; a script has the line above in its log.
  if (!yes && ::isatty(STDIN_FILENO)) {
    std::fprintf(stderr, "Type yes to release it: ");
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "yes") Fail("not released");
  }
  Must(investigator::Release(release, key, bundle, *store, store_path), "");
  Print(json, JsonObject().Add("envelope_id", id_hex).Add("to", release.to.name),
        "share released to " + release.to.name + "; they receive it with their next sync\n");
  return 0;
}

// The annotation comes from TEXT or, kept off the command line, from --text-file.
int Annotate(const std::string& kind, const std::string& id_hex, const std::string& arg_text,
             const std::string& text_file, const std::string& store_path,
             const PassphraseSource& pass, bool json) {
  if (arg_text.empty() == text_file.empty())
    Fail("give the " + kind + " as an argument or with --text-file, not both");
  SecretBuffer text = text_file.empty()
                          ? SecretBuffer::CopyOf(std::span(
                                reinterpret_cast<const uint8_t*>(arg_text.data()), arg_text.size()))
                          : ReadSecretFile(text_file, 64 * 1024);
  Must(investigator::CheckAnnotation(kind, text), "");
  const Digest32 id = IdArg(id_hex);
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  Must(investigator::Annotate(*store, id, kind, text, store_path), "");
  Print(json, JsonObject().Add("envelope_id", id_hex).Add(kind, "added"),
        kind + " added to " + id_hex + "\n");
  return 0;
}

int ReplyCmd(const std::string& id_hex, const std::string& text_file, const std::string& key_path,
             const std::string& bundle_path, const std::string& store_path,
             const PassphraseSource& pass, bool json) {
  const RecipientBundle bundle = LoadBundle(bundle_path, "", /*require_current=*/false);
  const SecretBuffer text = ReadSecretFile(text_file, kMaxReplyText);
  const Digest32 id = IdArg(id_hex);
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  Must(investigator::CheckAgainstStore(bundle, *store, bundle_path, store_path), "");
  const auto reply = Must(investigator::PrepareReply(*store, id, text, store_path), "");
  const InvestigatorSecretKey key = LoadInvestigatorKey(key_path, pass);
  const uint64_t seq = Must(investigator::SendReply(reply, key, bundle, *store, store_path), "");
  Print(json, JsonObject().Add("envelope_id", id_hex).Add("reply", seq),
        "reply left in the witness's mailbox; they read it with gavah-witness replies\n");
  return 0;
}

int ExportCmd(const std::string& id_hex, const std::vector<std::string>& key_paths,
              const std::string& out, const std::string& store_path,
              const investigator::ExportUse& use, const PassphraseSource& pass, bool json) {
  FailIfExists(out);
  const Digest32 id = IdArg(id_hex);
  Must(investigator::CheckExportUse(use), "");
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  CatchInterrupts();
  Must(investigator::Export(*store, id, KeyFiles(key_paths, pass), out, store_path, CliHooks(),
                            &use),
       "");
  Print(json, JsonObject().Add("envelope_id", id_hex).Add("out_dir", out),
        "evidence package for " + id_hex + " written to " + out +
            " (manifest signed by you; check it with verify-export)\n");
  return 0;
}

int VerifyExport(const std::string& dir, const std::string& pinned_bundle, bool json) {
  std::optional<RecipientBundle> pinned;
  if (!pinned_bundle.empty()) pinned = LoadBundle(pinned_bundle, "", /*require_current=*/false);
  const auto v =
      Must(investigator::VerifyExport(dir, pinned ? &*pinned : nullptr, pinned_bundle), "");
  if (!v.problems.empty()) {
    for (const auto& p : v.problems) std::fprintf(stderr, "gavah-investigator: %s\n", p.c_str());
    std::fprintf(stderr, "gavah-investigator: the evidence package is NOT verified\n");
    return 1;
  }
  Print(
      json,
      JsonObject()
          .Add("envelope_id", v.envelope_id)
          .Add("files", v.files)
          .Add("testimony_files", v.testimony_files)
          .AddBool("in_log", v.in_log)
          .Add("log_index", v.log_index)
          .Add("received_hour", v.received_hour)
          .Add("organisation", v.organisation)
          .Add("signer", v.signer_fingerprint)
          .Add("exported_at", v.exported_at)
          .Add("pinned", v.pinned ? "yes" : "no"),
      "evidence package verified: envelope " + v.envelope_id + "\n" +
          "  the testimony is exactly what was sealed in envelope.gvh: it opens under the "
          "package's file key to exactly its testimony/ (" +
          std::to_string(v.testimony_files) + " files, every byte and every field compared)\n" +
          (v.in_log ? "  in the server's transparency log as entry " + std::to_string(v.log_index) +
                          ", received in the hour starting " + UtcTime(v.received_hour) +
                          "; the inclusion proof verifies under a checkpoint the server signed" +
                          " and the bundle's witnesses cosigned\n"
                    : "  received by the server in the hour starting " + UtcTime(v.received_hour) +
                          "; its signed receipt promises it in the server's log by " +
                          UtcTime(v.promised_by) +
                          " (not yet in the log when exported: export again after a sync for "
                          "the log's proof)\n") +
          "  exported by " + v.signer_name + " (" + v.signer_fingerprint + ") on " +
          UtcTime(v.exported_at) + ", an investigator of the bundle; " + std::to_string(v.files) +
          " files intact under the signed manifest\n" + "  organisation " + v.organisation +
          (v.pinned ? " (pinned by " + pinned_bundle + ")\n"
                    : ": NOT pinned; compare this fingerprint with the one the organisation "
                      "published, or pass --bundle\n"));
  return 0;
}

int MarkDelete(const std::string& id_hex, const std::string& key_path,
               const std::string& bundle_path, const PassphraseSource& pass, bool json) {
  const RecipientBundle bundle = LoadBundle(bundle_path, "", /*require_current=*/false);
  const Digest32 id = IdArg(id_hex);
  const InvestigatorSecretKey key = LoadInvestigatorKey(key_path, pass);
  const auto r = Must(investigator::MarkDelete(bundle, key, id), "");
  Print(json,
        JsonObject()
            .Add("envelope_id", id_hex)
            .Add("marks", r.marks)
            .Add("threshold", r.threshold)
            .Add("deleted", r.deleted ? "yes" : "no"),
        r.deleted ? "envelope " + id_hex +
                        " is deleted from the server (its log entry and receipt remain)\n"
                  : std::to_string(r.marks) + " of " + std::to_string(r.threshold) +
                        " investigators agree to delete envelope " + id_hex +
                        "; nothing is deleted until " + std::to_string(r.threshold) + " agree\n");
  return 0;
}

struct PurgeArgs {
  std::string key, bundle, store;
  investigator::PurgeRange range;
  bool yes = false;
};

// Agrees to delete, in batches, every envelope of a recognised flood: those this store synced
// in a range of log entries and sizes, except any this investigator has looked at. Each is
// deleted once k investigators have agreed to it, as with mark-delete (PROTOCOL 9.4).
int Purge(const PurgeArgs& a, const PassphraseSource& pass, bool json) {
  const auto& range = a.range;
  if (range.from_entry > range.to_entry) Fail("--from-entry must not be after --to-entry", 2);
  if (range.min_size > range.max_size) Fail("--min-size must not be above --max-size", 2);
  const RecipientBundle bundle = LoadBundle(a.bundle, "", /*require_current=*/false);
  auto store = OpenCaseStore(a.store, pass, /*may_create=*/false);
  Must(investigator::CheckAgainstStore(bundle, *store, a.bundle, a.store), "");
  const auto plan = Must(investigator::PlanPurge(*store, range, a.store), "");
  const std::string what = std::to_string(plan.chosen.size()) + " envelopes (" +
                           std::to_string(plan.bytes) + " bytes) of log entries " +
                           std::to_string(range.from_entry) + " to " +
                           std::to_string(range.to_entry) +
                           (plan.chosen.empty() ? std::string()
                                                : ", received from " + UtcTime(plan.first_hour) +
                                                      " to " + UtcTime(plan.last_hour + 3599));
  const std::string kept_line =
      plan.kept == 0
          ? std::string()
          : std::to_string(plan.kept) + " in that range are kept: you have opened or shared them\n";
  if (!a.yes || plan.chosen.empty()) {
    Print(
        json,
        JsonObject()
            .Add("envelopes", plan.chosen.size())
            .Add("bytes", plan.bytes)
            .Add("kept", plan.kept)
            .Add("sent", "no"),
        "a purge would agree to delete " + what + "\n" + kept_line +
            (plan.chosen.empty() ? "nothing to purge\n"
                                 : "nothing was sent: check `list`, then run again with --yes\n"));
    return 0;
  }
  const InvestigatorSecretKey key = LoadInvestigatorKey(a.key, pass);
  investigator::Hooks hooks = CliHooks();
  if (!json) {
    hooks.progress = [](uint64_t done, uint64_t total) {
      std::fprintf(stderr, "gavah-investigator: purge: agreed for %llu of %llu envelopes\n",
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    };
  }
  const auto r = Must(investigator::Purge(plan, bundle, key, *store, a.store, hooks), "");
  Print(json,
        JsonObject()
            .Add("envelopes", plan.chosen.size())
            .Add("bytes", plan.bytes)
            .Add("kept", plan.kept)
            .Add("deleted", r.deleted)
            .Add("threshold", r.threshold)
            .Add("sent", "yes"),
        "you agreed to delete " + what + "\n" + kept_line + std::to_string(r.deleted) +
            " of them are deleted from the server (their log entries and receipts remain); " +
            std::to_string(plan.chosen.size() - r.deleted) + " wait until " +
            std::to_string(r.threshold) + " investigators agree\n");
  return 0;
}

int List(const std::string& store_path, const PassphraseSource& pass, bool json) {
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  const auto all = Must(store->List(), store_path);
  if (json) {
    std::string out = "[";
    for (const auto& e : all) {
      out += (out.size() > 1 ? "," : "") + JsonObject()
                                               .Add("envelope_id", ToHex(e.id))
                                               .Add("log_index", e.log_index)
                                               .Add("received_hour", e.received_hour)
                                               .Add("size", e.size)
                                               .Add("state", e.state)
                                               .str();
    }
    std::cout << out << "]\n";
    return 0;
  }
  for (const auto& e : all) {
    std::cout << e.log_index << "  " << ToHex(e.id) << "  " << e.state << "  " << e.size
              << " bytes  received " << Iso8601Date(e.received_hour) << "\n";
  }
  if (all.empty()) std::cout << "the case store holds no envelopes yet; run sync\n";
  return 0;
}

int Show(const std::string& id_hex, const std::string& store_path, const PassphraseSource& pass,
         bool json) {
  const Digest32 id = IdArg(id_hex);
  auto store = OpenCaseStore(store_path, pass, /*may_create=*/false);
  const auto d = Must(investigator::Details(*store, id, store_path), "");
  const CaseEnvelope& found = d.envelope;
  if (json) {
    std::cout << JsonObject()
                     .Add("envelope_id", id_hex)
                     .Add("log_index", found.log_index)
                     .Add("received_hour", found.received_hour)
                     .Add("size", found.size)
                     .Add("state", found.state)
                     .Add("custody_events", d.custody.size())
                     .str()
              << "\n";
    return 0;
  }
  std::cout << "envelope " << id_hex << "\n  log entry " << found.log_index << ", received "
            << Iso8601Date(found.received_hour) << ", " << found.size << " bytes, " << found.state
            << "\n  custody:\n";
  for (const auto& c : d.custody)
    std::cout << "    " << UtcTime(c.at) << "  " << c.investigator << "  " << c.event << "\n";
  const SecretBuffer& files = d.attachments;
  if (files.size() > 0) {
    std::cout << "  attachments (size in bytes, name):\n    ";
    for (size_t i = 0; i < files.size(); ++i) {
      const char ch = static_cast<char>(files.data()[i]);
      std::cout << ch;
      if (ch == '\n' && i + 1 < files.size()) std::cout << "    ";
    }
  } else if (found.state != "new" && found.state != "tampered") {
    std::cout << "  attachments: none\n";
  }
  if (!d.annotations.empty()) std::cout << "  annotations:\n";
  for (const auto& n : d.annotations) {
    std::cout << "    " << n.kind << ": ";
    std::cout.write(reinterpret_cast<const char*>(n.text.data()),
                    static_cast<std::streamsize>(n.text.size()));
    std::cout << "\n";
  }
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{"gavah-investigator: set up an organisation and open sealed testimony"};
  app.require_subcommand(1);
  PassphraseSource pass;
  bool json = false;
  auto common = [&](CLI::App* sub) {
    sub->add_option("--passphrase-file", pass.file,
                    "read the passphrase from FILE (else GAVAH_PASSPHRASE, else prompt)");
    sub->add_flag("--json", json, "print the result as one JSON object");
  };

  std::string out;
  auto* org_init = app.add_subcommand("org-init", "create the organisation's signing key");
  org_init
      ->add_option("--out", out, "secret key file to write (ORG.key); ORG.pub is written beside it")
      ->required();
  common(org_init);

  std::string name;
  auto* keygen = app.add_subcommand("keygen", "create an investigator's key pair");
  keygen->add_option("--name", name, "the investigator's name as colleagues know it")->required();
  keygen
      ->add_option("--out", out,
                   "secret key file to write (NAME.key); NAME.pub is written beside it")
      ->required();
  common(keygen);

  investigator::BundleRequest b;
  std::string bundle_org_key, bundle_out;
  auto* bundle =
      app.add_subcommand("bundle", "sign the bundle that tells witnesses whom to seal for");
  bundle->add_option("--org-key", bundle_org_key, "the organisation key file")->required();
  bundle
      ->add_option("--investigator", b.investigators,
                   "an investigator's .pub file (repeat for each)")
      ->required();
  bundle
      ->add_option("--threshold", b.threshold,
                   "how many investigators must join to open a testimony")
      ->required();
  bundle->add_option("--expires", b.expires_days, "days until the bundle expires (default 365)");
  bundle->add_option("--name", b.name, "the organisation's name, shown to witnesses");
  bundle->add_option("--server", b.servers,
                     "an intake server's HOST:PORT or ONION:PORT (repeat for more)");
  bundle->add_option("--server-cert", b.server_cert,
                     "the servers' TLS certificate (tls.crt), pinned");
  bundle->add_option("--relay", b.relays,
                     "a relay's HOST:PORT or ONION:PORT (repeat for more; tried before servers)");
  bundle->add_option(
      "--relay-cert", b.relay_certs,
      "that relay's TLS certificate (its tls.crt), pinned; one per --relay, in order");
  bundle->add_option("--receipt-key", b.receipt_key,
                     "the server's receipt public key (receipt.pub)");
  bundle->add_option("--witness", b.witnesses,
                     "a witness of the server's log, HOST:PORT (repeat for more)");
  bundle->add_option("--witness-key", b.witness_keys,
                     "that witness's verifier key (its witness.pub); one per --witness, in order");
  bundle->add_option("--witness-quorum", b.witness_quorum,
                     "how many witnesses must cosign a checkpoint (default: all)");
  bundle->add_option("--out", bundle_out, "bundle file to write")->required();
  common(bundle);

  std::string envelope;
  std::vector<std::string> keys;
  bool open_all = false;
  auto* open = app.add_subcommand("open", "verify and decrypt an envelope into a new folder");
  open->add_option("envelope", envelope, "the envelope file, or its id with --store");
  open->add_option("--key", keys, "an investigator key file (repeat up to the threshold)")
      ->required();
  open->add_option("--out", out, "folder to create for the testimony");
  open->add_flag("--all", open_all,
                 "with --store: open every testimony the keys and released shares can, in "
                 "memory, and make it searchable in the store (nothing is written outside it)");
  common(open);

  std::string sync_key, bundle_path, store_path, show_id;
  auto* sync = app.add_subcommand(
      "sync", "pull new envelopes from the server into the encrypted case store");
  sync->add_option("--key", sync_key, "your investigator key file")->required();
  sync->add_option("--bundle", bundle_path, "the organisation bundle")->required();
  sync->add_option("--store", store_path, "the case store (created on first sync)")->required();
  common(sync);
  open->add_option("--store", store_path,
                   "open envelope ID from this case store, with shares colleagues released");
  std::string release_to;
  bool release_yes = false;
  auto* release = app.add_subcommand(
      "release-share", "send your key share of a testimony to a colleague, sealed to them");
  release->add_option("id", show_id, "the envelope id")->required();
  release->add_option("--key", sync_key, "your investigator key file")->required();
  release->add_option("--to", release_to, "the colleague's .pub file")->required();
  release->add_option("--bundle", bundle_path, "the organisation bundle")->required();
  release->add_option("--store", store_path, "your case store")->required();
  release->add_flag("--yes", release_yes,
                    "release without asking at a terminal (the envelope is still shown)");
  common(release);
  auto* export_cmd = app.add_subcommand(
      "export", "write a signed evidence package: envelope, receipt, files, manifest, custody");
  export_cmd->add_option("id", show_id, "the envelope id")->required();
  export_cmd
      ->add_option("--key", keys,
                   "your key file (signs the manifest); repeat with colleagues' up to k")
      ->required();
  export_cmd->add_option("--out", out, "the package folder to create")->required();
  investigator::ExportUse export_use{"investigators", ""};
  export_cmd->add_option("--use", export_use.use,
                         "what it is for, a consent token: prosecutors-courts, un-mechanism, "
                         "quote-anonymously or investigators (the default)");
  export_cmd->add_option("--reason", export_use.reason,
                         "why, when the witness did not consent to that use (kept in the chain "
                         "of custody)");
  export_cmd->add_option("--store", store_path, "your case store")->required();
  common(export_cmd);
  std::string verify_dir;
  auto* verify = app.add_subcommand(
      "verify-export", "check an evidence package with nothing but the package (and --bundle)");
  verify->add_option("dir", verify_dir, "the package folder")->required();
  verify->add_option("--bundle", bundle_path, "require the organisation of this bundle");
  verify->add_flag("--json", json, "print the result as one JSON object");
  auto* mark_delete = app.add_subcommand(
      "mark-delete", "agree that the server delete a testimony (k investigators must agree)");
  mark_delete->add_option("id", show_id, "the envelope id")->required();
  mark_delete->add_option("--key", sync_key, "your investigator key file")->required();
  mark_delete->add_option("--bundle", bundle_path, "the organisation bundle")->required();
  common(mark_delete);
  PurgeArgs purge_args;
  auto* purge = app.add_subcommand(
      "purge", "agree to delete a flood you recognise: new envelopes in a range of log entries");
  purge->add_option("--key", purge_args.key, "your investigator key file")->required();
  purge->add_option("--bundle", purge_args.bundle, "the organisation bundle")->required();
  purge->add_option("--store", purge_args.store, "your case store, synced")->required();
  purge->add_option("--from-entry", purge_args.range.from_entry, "the flood's first log entry")
      ->required();
  purge->add_option("--to-entry", purge_args.range.to_entry, "its last log entry")->required();
  purge->add_option("--min-size", purge_args.range.min_size,
                    "only envelopes of at least these bytes");
  purge->add_option("--max-size", purge_args.range.max_size,
                    "only envelopes of at most these bytes");
  purge->add_flag("--yes", purge_args.yes,
                  "send the agreement (without it, only say what would be agreed to)");
  common(purge);
  std::string note_text, reply_text_file;
  auto* note = app.add_subcommand("note", "add a note to a testimony, kept encrypted in the store");
  note->add_option("id", show_id, "the envelope id")->required();
  note->add_option("text", note_text, "the note (or --text-file)");
  note->add_option("--text-file", reply_text_file, "read the note from this file instead");
  note->add_option("--store", store_path, "the case store")->required();
  common(note);
  auto* tag = app.add_subcommand("tag", "tag a testimony, kept encrypted in the store");
  tag->add_option("id", show_id, "the envelope id")->required();
  tag->add_option("tag", note_text, "the tag")->required();
  tag->add_option("--store", store_path, "the case store")->required();
  common(tag);
  auto* reply = app.add_subcommand("reply", "answer the witness, sealed to their reply key");
  reply->add_option("id", show_id, "the envelope id")->required();
  reply->add_option("--text-file", reply_text_file, "the reply's text")->required();
  reply->add_option("--key", sync_key, "your investigator key file")->required();
  reply->add_option("--bundle", bundle_path, "the organisation bundle")->required();
  reply->add_option("--store", store_path, "your case store")->required();
  common(reply);
  auto* list = app.add_subcommand("list", "what the case store holds, and its review state");
  list->add_option("--store", store_path, "the case store")->required();
  common(list);
  auto* show = app.add_subcommand("show", "one envelope in the case store and its custody");
  show->add_option("id", show_id, "the envelope id")->required();
  show->add_option("--store", store_path, "the case store")->required();
  common(show);

  bool log_checkpoint = false;
  auto* logcmd =
      app.add_subcommand("log", "the server's transparency log as this store checked it");
  logcmd->add_flag("--checkpoint", log_checkpoint, "print the checkpoint the store holds")
      ->required();
  logcmd->add_option("--store", store_path, "the case store")->required();
  common(logcmd);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (*logcmd) return LogCheckpoint(store_path, pass);
  if (*org_init) return OrgInit(out, pass, json);
  if (*keygen) return Keygen(name, out, pass, json);
  if (*bundle) return Bundle(b, bundle_org_key, bundle_out, pass, json);
  if (*export_cmd) return ExportCmd(show_id, keys, out, store_path, export_use, pass, json);
  if (*verify) return VerifyExport(verify_dir, bundle_path, json);
  if (*purge) return Purge(purge_args, pass, json);
  if (*mark_delete) return MarkDelete(show_id, sync_key, bundle_path, pass, json);
  if (*note) return Annotate("note", show_id, note_text, reply_text_file, store_path, pass, json);
  if (*tag) return Annotate("tag", show_id, note_text, "", store_path, pass, json);
  if (*reply) {
    return ReplyCmd(show_id, reply_text_file, sync_key, bundle_path, store_path, pass, json);
  }
  if (*open) {
    if (open_all) {
      if (store_path.empty() || !envelope.empty() || !out.empty())
        return UsageError("open --all takes --store and --key, and no envelope or --out");
      return OpenAllCmd(store_path, keys, pass, json);
    }
    if (envelope.empty() || out.empty())
      return UsageError("open needs an envelope (or its id with --store) and --out");
  }
  if (*open && !store_path.empty()) return OpenStored(envelope, store_path, keys, out, pass, json);
  if (*open) return Open(envelope, keys, out, pass, json);
  if (*release) {
    return ReleaseShareCmd(show_id, sync_key, release_to, bundle_path, store_path, release_yes,
                           pass, json);
  }
  if (*sync) return Sync(sync_key, bundle_path, store_path, pass, json);
  if (*list) return List(store_path, pass, json);
  if (*show) return Show(show_id, store_path, pass, json);
  return 2;
}

}  // namespace
}  // namespace gavah::cli

int main(int argc, char** argv) {
  // Before anything can touch SQLite: the case store's decrypted pages are wiped when freed.
  if (!gavah::cli::CaseStore::InstallWipingAllocator()) {
    std::fprintf(stderr, "gavah-investigator: cannot make SQLite wipe the memory it frees\n");
    return 1;
  }
  return gavah::cli::RunMain("gavah-investigator", gavah::cli::Main, argc, argv);
}
