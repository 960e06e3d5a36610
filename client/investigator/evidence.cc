// Evidence packages: export one testimony with everything a court needs to check it, and verify
// a package with nothing but the package (PROTOCOL.md section 10).
#include "gavah/crypto/evidence.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "cli_support.h"
#include "clock.h"
#include "gavah/crypto/hex.h"
#include "gavah/crypto/intake_log.h"
#include "gavah/crypto/process.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/tlog.h"
#include "gavah/crypto/utf8.h"
#include "intake_client.h"
#include "internal.h"
#include "testimony_dir.h"

namespace gavah::investigator {

using namespace internal;

namespace {

// Every regular file under `root`, as paths relative to it, sorted. Links and special files are
// not followed; they are listed in *odd (when given) so a package cannot point outside itself.
Result<std::vector<std::string>> FilesUnder(const std::string& root,
                                            std::vector<std::string>* odd = nullptr) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const auto status = it->symlink_status(ec);
    // Lexical: relative() would resolve a link and name its target.
    const std::string rel = it->path().lexically_relative(root).generic_string();
    if (std::filesystem::is_regular_file(status)) {
      out.push_back(rel);
    } else if (!std::filesystem::is_directory(status) && odd != nullptr) {
      odd->push_back(rel);
    }
  }
  if (ec) return Error(ErrorCode::kIo, "cannot read the folder " + root + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

Result<Digest32> HashFile(const std::string& path) {
  // No links, and nothing that could block (a FIFO put in a package's place). The path may hold
  // an attachment's name, which is testimony: the message names no file.
  auto opened = OpenRegularFile(path, UINT64_MAX, nullptr);
  if (!opened.ok())
    return Error(ErrorCode::kMalformed,
                 "cannot read a file of the package: it is not a regular file");
  const int fd = opened.value();
  FdSource src(fd, path);
  Sha256 sha;
  SecretBuffer buf(1 << 20);  // the opened testimony's plaintext passes through it
  for (;;) {
    auto n = src.Read(buf.span());
    if (!n.ok()) {
      ::close(fd);
      return Prefixed("a file of the package", n.status());
    }
    if (*n == 0) break;
    sha.Update({buf.data(), *n});
  }
  ::close(fd);
  return sha.Final();
}

Status WriteText(const std::string& path, std::string_view text) {
  return cli::TryWriteNewFile(
      path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0600);
}

// Opens envelope.gvh with the package's file key and compares what it holds with testimony/.
// Returns what differs; empty when testimony/ is exactly what was sealed.
std::vector<std::string> CheckTestimonyAgainstEnvelope(const std::string& dir,
                                                       const Fingerprint& organisation,
                                                       const EnvelopeId& id) {
  std::vector<std::string> problems;
  auto key_text = ReadRegularSecretFile(dir + "/file-key.txt", 256);
  if (!key_text.ok()) return {"file-key.txt: " + key_text.status().message()};
  auto parsed_key = ParseFileKeyText(key_text->view());
  if (!parsed_key.ok()) return {"file-key.txt: " + parsed_key.status().message()};
  const SecretBuffer& file_key = parsed_key.value();
  uint64_t size = 0;
  auto fd = OpenRegularFile(dir + "/envelope.gvh", UINT64_MAX, &size);
  if (!fd.ok()) return {"envelope.gvh: " + fd.status().message()};
  ReadAheadSource in(*fd, "envelope.gvh", /*hash=*/true);
  auto header = ReadEnvelopeHeader(in);
  if (!header.ok()) {
    ::close(*fd);
    return {"envelope.gvh: " + header.status().message()};
  }
  if (header->organisation_id != organisation)
    problems.push_back("envelope.gvh: sealed for another organisation than the bundle's");
  if (!VerifyHeaderMac(*header, file_key).ok()) {
    ::close(*fd);
    problems.push_back(
        "file-key.txt: does not open envelope.gvh (the header's MAC does not verify under it): "
        "testimony/ cannot be what was sealed in it");
    return problems;
  }
  auto compare = cli::TestimonyDirectory::ForComparison(dir + "/testimony");
  const Status opened = OpenPayload(*header, file_key, in, *compare);
  auto digest = in.Digest();
  ::close(*fd);
  if (!opened.ok()) {
    problems.push_back("envelope.gvh: does not decrypt under its file key: " + opened.message());
    return problems;
  }
  if (!digest.ok() || digest.value() != id)
    problems.push_back("envelope.gvh: changed while it was read");
  if (const Status st = compare->Commit(id, header->organisation_id); !st.ok())
    problems.push_back("testimony/: " + st.message());
  for (const auto& d : compare->differences()) problems.push_back("testimony/" + d);
  return problems;
}

// The tlog-proof of `e`'s entry under the checkpoint the store's copy of the log leads to.
Result<std::string> LogProofFor(CaseStore& store, const CaseEnvelope& e,
                                const std::string& store_label) {
  tlog::MerkleTree tree;
  GAVAH_RETURN_IF_ERROR(
      Prefixed(store_label, store.ReadLog([&](uint64_t, std::span<const uint8_t> b) {
        tree.Append(tlog::LeafHash(b));
        return Status::Ok();
      })));
  GAVAH_ASSIGN_OR_RETURN(const std::string note, HeldCheckpoint(store));
  if (note.empty()) return Refused(store_label + " holds no checkpoint of the log; run sync");
  const size_t end = note.find("\n\n");
  if (end == std::string::npos) return Refused(store_label + ": its checkpoint is damaged");
  GAVAH_ASSIGN_OR_RETURN(const tlog::Checkpoint cp,
                         tlog::ParseCheckpoint(std::string_view(note).substr(0, end + 1)));
  if (e.log_index >= cp.size || cp.size > tree.size())
    return Refused(store_label + ": envelope " + ToHex(e.id) +
                   " is not under the checkpoint the store holds; run sync");
  GAVAH_ASSIGN_OR_RETURN(auto path, tree.InclusionProof(e.log_index, cp.size));
  // The entry itself rides in `extra`: whoever checks the package needs its hour to hash it.
  return tlog::FormatTlogProof(
      {tlog::EncodeEntry({tlog::EntryType::kEnvelope, e.id, e.received_hour, {}}), e.log_index,
       std::move(path), note});
}

// The index and hour of envelope `id` in the log, when `text` proves its entry (carried in
// `extra`) under a checkpoint the bundle's log key signed and its quorum of witnesses cosigned.
Result<std::pair<uint64_t, uint64_t>> CheckLogProof(const std::string& text,
                                                    const RecipientBundle& bundle,
                                                    const Digest32& id) {
  if (!bundle.contents().receipt_key) return Refused("the bundle names no log key");
  GAVAH_ASSIGN_OR_RETURN(const tlog::TlogProof proof, tlog::ParseTlogProof(text));
  std::vector<tlog::VerifierKey> witnesses;
  for (const auto& w : bundle.contents().witnesses) {
    auto k = tlog::ParseVerifierKey(w.verifier_key);
    if (k.ok()) witnesses.push_back(*k);
  }
  GAVAH_ASSIGN_OR_RETURN(const tlog::AcceptedCheckpoint cp,
                         tlog::AcceptCheckpoint(proof.checkpoint, *bundle.contents().receipt_key,
                                                witnesses, bundle.contents().witness_quorum));
  // `extra` is not trusted: it must be this envelope's entry, and the path must lead from it.
  if (!proof.extra) return Refused("the proof carries no log entry");
  auto entry = tlog::ParseEntry(*proof.extra);
  if (!entry.ok() || entry->type != tlog::EntryType::kEnvelope || entry->envelope_id != id)
    return Refused("the proof's entry is not this envelope's");
  GAVAH_RETURN_IF_ERROR(tlog::VerifyInclusion(proof.index, cp.checkpoint.size,
                                              tlog::LeafHash(*proof.extra), proof.path,
                                              cp.checkpoint.root));
  return std::make_pair(proof.index, entry->hour);
}

}  // namespace

namespace {

// One line the custody can show as it is: no control, line or paragraph separator, and no
// invisible or bidirectional mark that could make it read as something else.
bool IsOneVisibleLine(std::string_view text) {
  if (!IsValidUtf8(text)) return false;
  for (size_t i = 0; i < text.size();) {
    const uint32_t cp = NextCodePoint(text, i);
    const bool invisible = cp == 0xad || cp == 0x34f || cp == 0x61c || cp == 0x115f ||
                           cp == 0x1160 || cp == 0x180e || (cp >= 0x200b && cp <= 0x200f) ||
                           (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) ||
                           cp == 0x3164 || (cp >= 0xfe00 && cp <= 0xfe0f) || cp == 0xfeff ||
                           cp == 0xffa0 || (cp >= 0xfff9 && cp <= 0xfffb) ||
                           (cp >= 0xe0000 && cp <= 0xe0fff);
    if (IsControlCodePoint(cp) || invisible) return false;
  }
  return true;
}

}  // namespace

Status CheckExportUse(const ExportUse& use) {
  // The uses an evidence package can be for: contact-again is a permission, not a use.
  static constexpr std::string_view kUses[] = {"prosecutors-courts", "un-mechanism",
                                               "quote-anonymously", "investigators"};
  bool known = false;
  for (const auto u : kUses) known |= u == use.use;
  if (!known)
    return Refused(
        "an export is for prosecutors-courts, un-mechanism, quote-anonymously or "
        "investigators");
  if (use.reason.size() > 4096 || !IsOneVisibleLine(use.reason))
    return Refused("the reason for an export is one line of visible text, at most 4096 bytes");
  return Status::Ok();
}

Status Export(CaseStore& store, const Digest32& id, const std::vector<KeyRef>& keys,
              const std::string& out, const std::string& store_label, const Hooks& hooks,
              const ExportUse* use) {
  if (keys.empty()) return Refused("exporting needs the key that signs the manifest");
  // Without a use named, the organisation's own review: the one use every witness allows.
  const ExportUse own{"investigators", ""};
  if (use == nullptr) use = &own;
  GAVAH_RETURN_IF_ERROR(CheckExportUse(*use));
  GAVAH_ASSIGN_OR_RETURN(const CaseEnvelope e, UsableEnvelope(store, id, store_label));
  const std::string id_hex = ToHex(e.id);
  auto bundle_bytes = store.Bundle();
  if (!bundle_bytes.ok()) return Prefixed(store_label, bundle_bytes.status());
  if (bundle_bytes->empty()) return Refused(store_label + " holds no bundle; run sync first");
  auto parsed = RecipientBundle::Parse(*bundle_bytes);
  if (!parsed.ok()) return Prefixed(store_label, parsed.status());
  const RecipientBundle bundle = std::move(parsed).value();
  if (!bundle.contents().receipt_key) return Refused("the bundle names no receipt key");
  // The folder's name goes into the custody: one visible line, like the reason.
  if (!IsOneVisibleLine(out))
    return Refused("the package folder's name must be one line of visible text");
  // A taken OUT costs no passphrase (the staging folder beside it is made below).
  if (struct stat st{}; ::lstat(out.c_str(), &st) == 0)
    return Refused(out + " exists; the package goes into a new folder");
  std::optional<InvestigatorSecretKey> owned;
  GAVAH_ASSIGN_OR_RETURN(const InvestigatorSecretKey* const signing, Unlock(keys.front(), owned));
  const InvestigatorSecretKey& signer = *signing;
  // Opening needs the signer's key again: it is not unlocked twice.
  std::vector<KeyRef> opening = keys;
  opening.front().unlocked = signing;
  // The witness's consent decides before anything is written: a use they did not allow needs a
  // reason, which the chain of custody keeps. It is read from the envelope itself, in memory.
  GAVAH_ASSIGN_OR_RETURN(const std::optional<std::string> consent,
                         ConsentOf(store, e, opening, store_label, hooks));
  std::string exported = "exported for " + use->use;
  if (!ConsentAllows(consent, use->use)) {
    if (use->reason.empty())
      return Refused("the witness did not consent to " + use->use +
                     " (they allow: " + (consent ? *consent : "their own organisation's review") +
                     "); give a reason, which goes into the chain of custody");
    exported += ", which the witness did not consent to; reason: " + use->reason;
  }
  // Built beside OUT and renamed into place when whole and signed.
  GAVAH_ASSIGN_OR_RETURN(auto dir, cli::StagingDir::TryCreate(out));
  const std::string& staging = dir->path();
  {  // the original envelope, byte for byte
    const std::string path = staging + "/envelope.gvh";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Error(ErrorCode::kIo, "cannot write " + path);
    FdSink sink(fd, path);
    Status st = store.ReadBytes(e.id, [&](std::span<const uint8_t> b) {
      if (hooks.cancelled && hooks.cancelled())
        return Error(ErrorCode::kCancelled, "interrupted; nothing was written");
      return sink.Write(b);
    });
    if (st.ok()) st = sink.Finish();
    ::close(fd);
    if (st.code() == ErrorCode::kCancelled) return st;
    if (!st.ok()) return Prefixed(path, st);
  }
  GAVAH_ASSIGN_OR_RETURN(const auto from, OpeningFromStore(store, e.id, store_label));
  StoreSource in(store, e.id);
  GAVAH_ASSIGN_OR_RETURN(OpenedTestimony opened,
                         OpenIntoFolder(in, "envelope " + id_hex, opening, from->finder, e.id,
                                        staging + "/testimony", e.size, hooks, from->set_aside));
  GAVAH_RETURN_IF_ERROR(
      Prefixed(store_label, store.SetBlob("files:" + id_hex, opened.attachments.span())));
  // The file key opens this envelope only, whose plaintext the package holds anyway; with it
  // anyone can check that testimony/ is what the witness sealed (PROTOCOL.md section 10a).
  GAVAH_RETURN_IF_ERROR(
      cli::TryWriteNewFile(staging + "/file-key.txt", FileKeyText(opened.file_key).span(), 0600));
  // The server's log proves it stored this envelope: a c2sp.org/tlog-proof of its entry under
  // the checkpoint sync checked, verifiable offline by anyone with the bundle. Before the log
  // holds it, the server's signed promise to log it stands in, and says so.
  if (e.log_index != cli::kNotLogged) {
    GAVAH_ASSIGN_OR_RETURN(const std::string proof, LogProofFor(store, e, store_label));
    GAVAH_RETURN_IF_ERROR(WriteText(staging + "/log-proof.tlog-proof", proof));
  } else {
    const auto r = cli::UnpackReceipt(e);
    if (!r) return Refused(store_label + ": the stored receipt of this envelope is damaged");
    GAVAH_RETURN_IF_ERROR(WriteText(staging + "/receipt.txt",
                                    transport::ReceiptToText(*r, *bundle.contents().receipt_key)));
  }
  GAVAH_RETURN_IF_ERROR(cli::TryWriteNewFile(staging + "/bundle.gvb", *bundle_bytes, 0600));
  GAVAH_RETURN_IF_ERROR(WriteText(staging + "/investigator.pub", signer.public_key().ToText()));
  const std::string me = FingerprintToText(signer.public_key().fingerprint());
  const uint64_t now = NowUnix();
  auto events = store.Custody(e.id);
  if (!events.ok()) return Prefixed(store_label, events.status());
  std::string custody;
  for (const auto& c : *events) {
    // One event, one line, whatever an older record holds.
    std::string event = c.event;
    std::replace(event.begin(), event.end(), '\n', ' ');
    std::replace(event.begin(), event.end(), '\r', ' ');
    custody +=
        std::to_string(c.at) + " " + UtcTime(c.at) + " " + c.investigator + " " + event + "\n";
  }
  custody += std::to_string(now) + " " + UtcTime(now) + " " + me + " " + exported + "\n";
  GAVAH_RETURN_IF_ERROR(WriteText(staging + "/custody.txt", custody));
  // The manifest names the testimony's attachments: secret memory, like the testimony.
  SecretBuffer manifest;
  manifest.Append(std::string(kEvidenceManifestMagic) + "\nenvelope " + id_hex + "\nexported_at " +
                  std::to_string(now) + "\nexported_by " + me + "\n");
  GAVAH_ASSIGN_OR_RETURN(const auto files, FilesUnder(staging));
  for (const auto& f : files) {
    if (f.find('\n') != std::string::npos)
      return Error(ErrorCode::kMalformed, "an attachment's file name holds a line break");
    GAVAH_ASSIGN_OR_RETURN(const Digest32 digest, HashFile(staging + "/" + f));
    manifest.Append(ToHex(digest));
    manifest.Append("  ");
    manifest.Append(f);
    manifest.Append("\n");
  }
  GAVAH_RETURN_IF_ERROR(cli::TryWriteNewFile(staging + "/manifest.txt", manifest.span(), 0600));
  SecretBuffer sk(crypto_sign_SECRETKEYBYTES);
  PublicKey32 pk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), signer.signing_seed().data());
  std::array<uint8_t, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, manifest.data(), manifest.size(), sk.data());
  GAVAH_RETURN_IF_ERROR(WriteText(staging + "/manifest.sig", ToBase64(sig) + "\n"));
  GAVAH_RETURN_IF_ERROR(CheckCancelled(hooks));
  GAVAH_RETURN_IF_ERROR(dir->TryCommit());
  return Prefixed(store_label, store.Record(e.id, me, exported + " to " + out, "exported", now));
}

Result<VerifiedPackage> VerifyExport(const std::string& dir, const RecipientBundle* pinned,
                                     const std::string& pinned_label) {
  VerifiedPackage v;
  auto& problems = v.problems;
  auto read_text = [&](const std::string& name) -> Result<std::string> {
    GAVAH_ASSIGN_OR_RETURN(const auto b, ReadRegularFile(dir + "/" + name, 16 << 20));
    return std::string(b.begin(), b.end());
  };
  // The manifest names the attachments, which are testimony: secret memory.
  GAVAH_ASSIGN_OR_RETURN(const SecretBuffer manifest,
                         ReadRegularSecretFile(dir + "/manifest.txt", 16 << 20));
  GAVAH_ASSIGN_OR_RETURN(std::string sig_text, read_text("manifest.sig"));
  while (!sig_text.empty() && (sig_text.back() == '\n' || sig_text.back() == '\r'))
    sig_text.pop_back();
  const auto sig = FromBase64(sig_text);
  GAVAH_ASSIGN_OR_RETURN(const std::string signer_text, read_text("investigator.pub"));
  auto signer_parsed = InvestigatorPublicKey::FromText(signer_text);
  if (!signer_parsed.ok()) return Prefixed(dir + "/investigator.pub", signer_parsed.status());
  const InvestigatorPublicKey signer = std::move(signer_parsed).value();
  GAVAH_ASSIGN_OR_RETURN(const auto bundle_bytes, ReadRegularFile(dir + "/bundle.gvb", 1 << 20));
  auto bundle_parsed = RecipientBundle::Parse(bundle_bytes);
  if (!bundle_parsed.ok()) return Prefixed(dir + "/bundle.gvb", bundle_parsed.status());
  const RecipientBundle bundle = std::move(bundle_parsed).value();
  // Trust comes from outside the package: the organisation's bundle given by the caller, whose
  // investigators and receipt key then count, not the package's copy.
  v.pinned = pinned != nullptr;
  if (pinned && pinned->organisation_fingerprint() != bundle.organisation_fingerprint())
    problems.push_back("bundle.gvb is not signed by the organisation of " + pinned_label);
  const RecipientBundle& trusted = pinned ? *pinned : bundle;
  bool listed = false;
  for (const auto& inv : trusted.contents().investigators)
    listed |= inv.signing_key == signer.signing_key && inv.encryption_key == signer.encryption_key;
  if (!listed) {
    problems.push_back(std::string("investigator.pub is not an investigator of ") +
                       (pinned ? pinned_label : "bundle.gvb"));
  }
  if (pinned && pinned->contents().receipt_key != bundle.contents().receipt_key)
    problems.push_back("bundle.gvb names another receipt key than " + pinned_label);
  if (!sig || sig->size() != crypto_sign_BYTES ||
      crypto_sign_verify_detached(sig->data(), manifest.data(), manifest.size(),
                                  signer.signing_key.data()) != 0) {
    problems.push_back("manifest.sig: the manifest's signature does not verify");
  }
  auto parsed_manifest = ParseEvidenceManifest(manifest.view());
  if (!parsed_manifest.ok()) return Prefixed(dir + "/manifest.txt", parsed_manifest.status());
  const EvidenceManifest& m = *parsed_manifest;
  if (m.exported_by != FingerprintToText(signer.fingerprint()))
    problems.push_back(
        "manifest.txt: exported_by names another investigator than investigator.pub");
  std::set<std::string> named;
  for (const auto& [digest, path_view] : m.files) {
    const std::string path(path_view);
    named.insert(path);
    const std::string full = dir + "/" + path;
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      problems.push_back(path + ": missing");
      continue;
    }
    GAVAH_ASSIGN_OR_RETURN(const Digest32 actual, HashFile(full));
    if (ToHex(actual) != digest)
      problems.push_back(path + ": altered (its SHA-256 differs from the manifest)");
  }
  const bool has_proof = named.count("log-proof.tlog-proof") != 0;
  if (!has_proof && !named.count("receipt.txt"))
    problems.push_back("log-proof.tlog-proof: not in the manifest (nor the server's receipt)");
  for (const char* required :
       {"envelope.gvh", "bundle.gvb", "investigator.pub", "custody.txt", "file-key.txt"}) {
    if (!named.count(required)) problems.push_back(std::string(required) + ": not in the manifest");
  }
  std::vector<std::string> odd;
  GAVAH_ASSIGN_OR_RETURN(const auto present, FilesUnder(dir, &odd));
  for (const auto& f : present) {
    if (f != "manifest.txt" && f != "manifest.sig" && !named.count(f))
      problems.push_back(f + ": not in the manifest");
  }
  for (const auto& f : odd) problems.push_back(f + ": a link or special file, not allowed");
  // The envelope is the one the id and the server's receipt name.
  const std::string id_hex(m.id_hex);
  const auto id_bytes = FromHex(id_hex);
  if (!id_bytes || id_bytes->size() != 32)
    return Error(ErrorCode::kMalformed, dir + "/manifest.txt names no envelope id");
  Digest32 id{};
  std::memcpy(id.data(), id_bytes->data(), 32);
  GAVAH_ASSIGN_OR_RETURN(const Digest32 envelope_digest, HashFile(dir + "/envelope.gvh"));
  const bool envelope_ok = envelope_digest == id;
  if (!envelope_ok) problems.push_back("envelope.gvh: does not match the envelope id " + id_hex);
  Result<std::pair<uint64_t, uint64_t>> logged = Refused("no log proof");
  if (has_proof) {
    GAVAH_ASSIGN_OR_RETURN(const std::string proof_text, read_text("log-proof.tlog-proof"));
    logged = CheckLogProof(proof_text, trusted, id);
    if (!logged.ok()) problems.push_back("log-proof.tlog-proof: " + logged.status().message());
  } else if (named.count("receipt.txt")) {
    GAVAH_ASSIGN_OR_RETURN(const std::string receipt_text, read_text("receipt.txt"));
    auto receipt = transport::ReceiptFromText(receipt_text);
    const auto& receipt_key = trusted.contents().receipt_key;
    if (!receipt.ok() || !receipt_key || receipt->second != *receipt_key ||
        !VerifyReceipt(receipt->first, *receipt_key, id).ok()) {
      problems.push_back("receipt.txt: not a valid server receipt for this envelope");
    } else {
      v.received_hour = receipt->first.received_hour;
      v.promised_by = receipt->first.include_by;
    }
  }
  // The testimony itself: decrypted from the envelope and compared, byte for byte.
  if (envelope_ok) {
    const auto differ = CheckTestimonyAgainstEnvelope(dir, trusted.organisation_fingerprint(), id);
    problems.insert(problems.end(), differ.begin(), differ.end());
    for (const auto& f : named) v.testimony_files += f.starts_with("testimony/") ? 1 : 0;
  }
  v.envelope_id = id_hex;
  v.files = named.size();
  v.organisation = FingerprintToText(trusted.organisation_fingerprint());
  v.signer_name = signer.name;
  v.signer_fingerprint = FingerprintToText(signer.fingerprint());
  v.exported_at = m.exported_at;
  if (logged.ok()) {
    v.in_log = true;
    v.log_index = logged->first;
    v.received_hour = logged->second;
  }
  return v;
}

}  // namespace gavah::investigator
