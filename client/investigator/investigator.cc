#include "investigator.h"

#include <sys/stat.h>

#include "cli_support.h"
#include "gavah/crypto/process.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/tlog.h"

namespace gavah::investigator {
namespace {

Status Exists(const std::string& path) {
  return Error(ErrorCode::kAlreadyExists, path + " already exists; refusing to overwrite it");
}

Status Prefixed(const std::string& what, const Status& st) {
  return Error(st.code(), what + ": " + st.message());
}

Status WriteText(const std::string& path, std::string_view text, unsigned mode) {
  return cli::TryWriteNewFile(
      path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), mode);
}

Result<std::string> ReadPem(const std::string& path) {
  auto pem = ReadRegularFile(path, 8192);
  if (!pem.ok()) return pem.status();
  std::string text(pem->begin(), pem->end());
  if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    return Error(ErrorCode::kMalformed, path + " is not a PEM certificate");
  return text;
}

}  // namespace

Result<KeyPaths> FreeKeyPaths(const std::string& key_file) {
  KeyPaths p{key_file, cli::PublicPathFor(key_file)};
  struct stat st {};
  if (::lstat(p.key_file.c_str(), &st) == 0) return Exists(p.key_file);
  if (::lstat(p.public_file.c_str(), &st) == 0) return Exists(p.public_file);
  return p;
}

Result<NewKey> CreateOrganisationKey(const KeyPaths& paths, std::span<const uint8_t> passphrase) {
  const OrganisationKey key = OrganisationKey::Generate();
  auto file = EncryptKeyFile(KeyKind::kOrganisation, key.secret_seed().span(), passphrase,
                             KdfParams::Default(), 1);
  if (!file.ok()) return Prefixed(paths.key_file, file.status());
  // Read it back before trusting it with the organisation's identity.
  if (auto back = DecryptKeyFile(*file, KeyKind::kOrganisation, passphrase); !back.ok())
    return Prefixed(paths.key_file, back.status());
  GAVAH_RETURN_IF_ERROR(cli::TryWriteNewFile(paths.key_file, *file, 0600));
  GAVAH_RETURN_IF_ERROR(WriteText(paths.public_file, key.PublicText(), 0644));
  return NewKey{paths, FingerprintToText(key.fingerprint())};
}

Result<NewKey> CreateInvestigatorKey(const std::string& name, const KeyPaths& paths,
                                     std::span<const uint8_t> passphrase) {
  if (!IsValidInvestigatorName(name))
    return Error(ErrorCode::kInvalidArgument,
                 "an investigator's name must be 1-64 bytes of printable UTF-8");
  const InvestigatorSecretKey key = InvestigatorSecretKey::Generate(name);
  SecretBuffer secret = SerializeInvestigatorSecret(key);
  auto file = EncryptKeyFile(KeyKind::kInvestigator, secret.span(), passphrase,
                             KdfParams::Default(), key.version());
  if (!file.ok()) return Prefixed(paths.key_file, file.status());
  if (auto back = DecryptKeyFile(*file, KeyKind::kInvestigator, passphrase); !back.ok())
    return Prefixed(paths.key_file, back.status());
  GAVAH_RETURN_IF_ERROR(cli::TryWriteNewFile(paths.key_file, *file, 0600));
  GAVAH_RETURN_IF_ERROR(WriteText(paths.public_file, key.public_key().ToText(), 0644));
  return NewKey{paths, FingerprintToText(key.public_key().fingerprint())};
}

Result<BundleContents> PrepareBundle(const BundleRequest& a) {
  if (a.expires_days == 0 || a.expires_days > kMaxBundleExpiryDays)
    return Error(ErrorCode::kInvalidArgument, "--expires must be 1-3650 days");
  BundleContents c;
  c.organisation_name = a.name;
  for (const auto& path : a.investigators) {
    auto bytes = ReadRegularFile(path, 4096);
    if (!bytes.ok()) return bytes.status();
    auto key = InvestigatorPublicKey::FromText(
        std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
    if (!key.ok()) return Prefixed(path, key.status());
    c.investigators.push_back(std::move(key).value());
  }
  c.threshold = a.threshold;
  // Relays come first: a witness tries endpoints in order, and a relay on an unremarkable
  // address is what a censored network should see, not a connection to the organisation.
  if (a.relays.size() != a.relay_certs.size())
    return Error(ErrorCode::kInvalidArgument,
                 "each --relay needs its own --relay-cert, given in the same order");
  for (size_t i = 0; i < a.relays.size(); ++i) {
    BundleEndpoint e;
    e.role = BundleEndpoint::Role::kRelay;
    e.address = a.relays[i];
    auto pem = ReadPem(a.relay_certs[i]);
    if (!pem.ok()) return pem.status();
    e.tls_certificate_pem = std::move(pem).value();
    c.endpoints.push_back(std::move(e));
  }
  if (!a.servers.empty()) {
    if (a.server_cert.empty())
      return Error(ErrorCode::kInvalidArgument,
                   "--server needs --server-cert, the certificate to pin");
    auto pem = ReadPem(a.server_cert);
    if (!pem.ok()) return pem.status();
    for (const auto& address : a.servers) {
      BundleEndpoint e;
      e.role = BundleEndpoint::Role::kServer;
      e.address = address;
      e.tls_certificate_pem = *pem;
      c.endpoints.push_back(std::move(e));
    }
  } else if (!a.server_cert.empty()) {
    return Error(ErrorCode::kInvalidArgument, "--server-cert needs at least one --server");
  }
  if (!a.receipt_key.empty()) {
    auto bytes = ReadRegularFile(a.receipt_key, 4096);
    if (!bytes.ok()) return bytes.status();
    auto key = ReceiptPublicKeyFromText(
        std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
    if (!key.ok()) return Prefixed(a.receipt_key, key.status());
    c.receipt_key = key.value();
  } else if (!a.servers.empty() || !a.relays.empty()) {
    return Error(
        ErrorCode::kInvalidArgument,
        "--server and --relay need --receipt-key, the server's receipt public key (receipt.pub)");
  }
  if (a.witnesses.size() != a.witness_keys.size())
    return Error(ErrorCode::kInvalidArgument,
                 "each --witness needs its own --witness-key, given in the same order");
  if (a.witness_quorum != 0 && a.witnesses.empty())
    return Error(ErrorCode::kInvalidArgument, "--witness-quorum needs at least one --witness");
  for (size_t i = 0; i < a.witnesses.size(); ++i) {
    auto bytes = ReadRegularFile(a.witness_keys[i], 4096);
    if (!bytes.ok()) return bytes.status();
    std::string text(bytes->begin(), bytes->end());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    auto key = tlog::ParseVerifierKey(text);
    if (!key.ok() || key->type != tlog::kCosignatureType)
      return Error(ErrorCode::kMalformed,
                   a.witness_keys[i] + " is not a witness's verifier key (its witness.pub)");
    c.witnesses.push_back({a.witnesses[i], text});
  }
  c.witness_quorum =
      a.witness_quorum != 0 ? a.witness_quorum : static_cast<unsigned>(c.witnesses.size());
  c.issued_at = a.now;
  c.expires_at = c.issued_at + a.expires_days * 86400;
  GAVAH_RETURN_IF_ERROR(c.Validate());
  return c;
}

Result<std::vector<uint8_t>> WriteBundle(const BundleContents& contents, const OrganisationKey& key,
                                         const std::string& out) {
  auto bytes = RecipientBundle::Create(contents, key);
  if (!bytes.ok()) return Prefixed("bundle", bytes.status());
  GAVAH_RETURN_IF_ERROR(cli::TryWriteNewFile(out, *bytes, 0644));
  return bytes;
}

}  // namespace gavah::investigator

namespace gavah::investigator {

Result<InvestigatorSecretKey> UnlockKeyFile(const std::string& path,
                                            std::span<const uint8_t> passphrase) {
  GAVAH_ASSIGN_OR_RETURN(const auto bytes, ReadRegularFile(path, 4096));
  auto kind = PeekKeyFileKind(bytes);
  if (!kind.ok()) {
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (text.starts_with("gavah-investigator-v"))
      return Error(ErrorCode::kInvalidArgument,
                   path + " is a public key; this needs the secret key file (.key)");
    return Error(kind.status().code(), path + ": " + kind.status().message());
  }
  if (*kind != KeyKind::kInvestigator)
    return Error(ErrorCode::kInvalidArgument,
                 path + " is the organisation key, not an investigator key");
  auto secret = DecryptKeyFile(bytes, KeyKind::kInvestigator, passphrase);
  if (!secret.ok()) return Error(secret.status().code(), path + ": " + secret.status().message());
  GAVAH_ASSIGN_OR_RETURN(const uint16_t version, PeekKeyFileVersion(bytes));
  auto key = ParseInvestigatorSecret(*secret, version);
  if (!key.ok()) return Error(key.status().code(), path + ": " + key.status().message());
  return key;
}

}  // namespace gavah::investigator
