#include "gavah/crypto/bundle.h"

#include <sodium.h>

#include <cstring>
#include <set>

#include "bytes.h"
#include "gavah/crypto/tlog.h"
#include "gavah/crypto/utf8.h"
#include "gavah/v1/bundle.pb.h"

namespace gavah {
namespace {

using internal::GetBE;
using internal::Put;
using internal::PutU16;
using internal::PutU32;

constexpr uint8_t kBundleMagic[6] = {'G', 'V', 'H', 'B', 'D', 'L'};
constexpr uint16_t kBundleVersion = 1;
constexpr uint16_t kBundleVersionXWing = 2;
constexpr size_t kPrefixSize = 6 + 2 + 32 + 4;
constexpr size_t kSignatureSize = crypto_sign_BYTES;
constexpr char kSignatureContext[] = "gavah-bundle-v1";  // signed with its NUL

std::vector<uint8_t> SignedMessage(std::span<const uint8_t> signed_part) {
  std::vector<uint8_t> m;
  m.reserve(sizeof kSignatureContext + signed_part.size());
  Put(m, std::span(reinterpret_cast<const uint8_t*>(kSignatureContext), sizeof kSignatureContext));
  Put(m, signed_part);
  return m;
}

bool ValidAddress(const std::string& a) {
  if (a.empty() || a.size() > 255) return false;
  for (unsigned char c : a) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  const size_t colon = a.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == a.size()) return false;
  if (a[colon + 1] == '0') return false;  // canonical: no leading zeros, no port 0
  unsigned long port = 0;
  for (size_t i = colon + 1; i < a.size(); ++i) {
    if (a[i] < '0' || a[i] > '9') return false;
    port = port * 10 + static_cast<unsigned>(a[i] - '0');
    if (port > 65535) return false;
  }
  return port > 0;
}

// The body's one encoding: libprotobuf's serialization of a message without unknown fields, which
// writes fields in field-number order, each once, default values omitted, minimal varints.
std::string EncodeBody(const BundleContents& c) {
  gavah::v1::BundleBody body;
  body.set_organisation_name(c.organisation_name);
  body.set_issued_at(c.issued_at);
  body.set_expires_at(c.expires_at);
  body.set_threshold(c.threshold);
  for (const auto& inv : c.investigators) {
    auto* p = body.add_investigators();
    p->set_name(inv.name);
    p->set_encryption_public_key(inv.encryption_key.data(), 32);
    p->set_signing_public_key(inv.signing_key.data(), 32);
    if (inv.xwing_key) p->set_xwing_public_key(inv.xwing_key->data(), inv.xwing_key->size());
  }
  for (const auto& e : c.endpoints) {
    auto* p = body.add_endpoints();
    p->set_role(e.role == BundleEndpoint::Role::kServer ? gavah::v1::Endpoint::SERVER
                                                        : gavah::v1::Endpoint::RELAY);
    p->set_address(e.address);
    p->set_tls_certificate_pem(e.tls_certificate_pem);
  }
  if (c.receipt_key) body.set_receipt_public_key(c.receipt_key->data(), 32);
  body.set_max_envelope_bytes(c.max_envelope_bytes);
  for (const auto& w : c.witnesses) {
    auto* p = body.add_witnesses();
    p->set_address(w.address);
    p->set_verifier_key(w.verifier_key);
  }
  body.set_witness_quorum(c.witness_quorum);
  std::string encoded;
  if (!body.SerializeToString(&encoded)) encoded.clear();
  return encoded;
}

}  // namespace

Status BundleContents::Validate() const {
  if (organisation_name.size() > 128 || !IsPrintableUtf8(organisation_name)) {
    return Error(ErrorCode::kMalformed,
                 "organisation name must be at most 128 bytes of printable UTF-8");
  }
  if (investigators.empty())
    return Error(ErrorCode::kInvalidArgument, "a bundle needs at least one investigator");
  if (investigators.size() > kMaxInvestigators) {
    return Error(ErrorCode::kInvalidArgument, "a bundle holds at most 255 investigators");
  }
  if (threshold < 1 || threshold > investigators.size()) {
    return Error(ErrorCode::kInvalidArgument,
                 "threshold must be between 1 and the number of investigators (" +
                     std::to_string(investigators.size()) + ")");
  }
  std::set<PublicKey32> enc, sig;
  std::set<xwing::PublicKey> pq;
  for (const auto& inv : investigators) {
    if (inv.name.empty() || inv.name.size() > 64 || !IsPrintableUtf8(inv.name)) {
      return Error(ErrorCode::kMalformed,
                   "investigator name must be 1-64 bytes of printable UTF-8");
    }
    if (!inv.IsUsable()) {
      return Error(ErrorCode::kMalformed,
                   "investigator " + inv.name + " has an unusable public key");
    }
    if (inv.xwing_key.has_value() != investigators[0].xwing_key.has_value()) {
      // A mixed bundle would seal version 1 envelopes whose stanzas a quantum computer opens,
      // or leave some investigators out of version 2.
      return Error(ErrorCode::kInvalidArgument,
                   "investigator " + inv.name +
                       (inv.xwing_key ? " has a post-quantum (version 2) key and others do not"
                                      : " has a version 1 key without the post-quantum part; "
                                        "every investigator of a bundle needs a key of the same "
                                        "version (make new keys with keygen)"));
    }
    if (!enc.insert(inv.encryption_key).second || !sig.insert(inv.signing_key).second ||
        (inv.xwing_key && !pq.insert(*inv.xwing_key).second)) {
      return Error(ErrorCode::kInvalidArgument, "the same investigator key is listed twice");
    }
  }
  if (expires_at <= issued_at)
    return Error(ErrorCode::kMalformed, "bundle expires before it is issued");
  if (endpoints.size() > 32)
    return Error(ErrorCode::kMalformed, "a bundle lists at most 32 endpoints");
  for (const auto& e : endpoints) {
    if (e.role != BundleEndpoint::Role::kServer && e.role != BundleEndpoint::Role::kRelay) {
      return Error(ErrorCode::kMalformed, "endpoint has an unknown role");
    }
    if (!ValidAddress(e.address))
      return Error(ErrorCode::kMalformed, "endpoint address must be host:port");
    if (e.tls_certificate_pem.empty() || e.tls_certificate_pem.size() > 8192) {
      return Error(ErrorCode::kMalformed, "endpoint certificate must be 1-8192 bytes of PEM");
    }
  }
  if (witnesses.size() > kMaxWitnesses)
    return Error(ErrorCode::kInvalidArgument, "a bundle lists at most 16 witnesses");
  if (!witnesses.empty() && !receipt_key)
    return Error(ErrorCode::kInvalidArgument,
                 "witnesses cosign the server's log, which needs the server's receipt key");
  if (witness_quorum > witnesses.size() || (!witnesses.empty() && witness_quorum == 0)) {
    return Error(ErrorCode::kInvalidArgument,
                 "the witness quorum must be between 1 and the number of witnesses (" +
                     std::to_string(witnesses.size()) + ")");
  }
  std::set<std::string> witness_names;
  for (const auto& w : witnesses) {
    if (!ValidAddress(w.address))
      return Error(ErrorCode::kMalformed, "witness address must be host:port");
    auto key = tlog::ParseVerifierKey(w.verifier_key);
    if (!key.ok() || key->type != tlog::kCosignatureType)
      return Error(ErrorCode::kMalformed,
                   "witness key is not a cosignature verifier key (name+id+key, type 0x04)");
    if (!witness_names.insert(key->name).second)
      return Error(ErrorCode::kInvalidArgument, "the same witness is listed twice");
  }
  return Status::Ok();
}

Result<std::vector<uint8_t>> RecipientBundle::Create(const BundleContents& c,
                                                     const OrganisationKey& org_key) {
  GAVAH_RETURN_IF_ERROR(c.Validate());
  const std::string encoded = EncodeBody(c);
  const uint16_t version = c.version();
  if (encoded.empty() ||
      encoded.size() > (version == kBundleVersionXWing ? kMaxBundleBodyV2 : kMaxBundleBody)) {
    return Error(ErrorCode::kTooLarge, "bundle is too large");
  }
  std::vector<uint8_t> out;
  out.reserve(kPrefixSize + encoded.size() + kSignatureSize);
  Put(out, kBundleMagic);
  PutU16(out, version);
  Put(out, org_key.public_key());
  PutU32(out, static_cast<uint32_t>(encoded.size()));
  Put(out, std::span(reinterpret_cast<const uint8_t*>(encoded.data()), encoded.size()));
  const auto sig = org_key.Sign(SignedMessage(out));
  Put(out, sig);
  // Verify what we are about to hand out, as minisign does.
  auto check = Parse(out, org_key.fingerprint());
  if (!check.ok())
    return Error(ErrorCode::kBadSignature, "fresh bundle failed its own verification");
  return out;
}

Result<RecipientBundle> RecipientBundle::Parse(std::span<const uint8_t> bytes,
                                               const std::optional<Fingerprint>& pinned) {
  if (bytes.size() < 6 || std::memcmp(bytes.data(), kBundleMagic, 6) != 0) {
    return Error(ErrorCode::kMalformed, "is not a Gavah organisation bundle");
  }
  if (bytes.size() < kPrefixSize) return Error(ErrorCode::kTruncated, "bundle is truncated");
  const uint64_t version = GetBE(bytes.subspan(6, 2));
  if (version != kBundleVersion && version != kBundleVersionXWing) {
    return Error(ErrorCode::kUnsupported, "bundle version is not supported by this build");
  }
  const uint64_t body_len = GetBE(bytes.subspan(40, 4));
  if (body_len == 0 ||
      body_len > (version == kBundleVersionXWing ? kMaxBundleBodyV2 : kMaxBundleBody)) {
    return Error(ErrorCode::kMalformed, "bundle body length is out of range");
  }
  if (bytes.size() < kPrefixSize + body_len + kSignatureSize) {
    return Error(ErrorCode::kBadSignature, "bundle signature is missing (file truncated?)");
  }
  if (bytes.size() > kPrefixSize + body_len + kSignatureSize) {
    return Error(ErrorCode::kMalformed, "bundle has trailing bytes");
  }
  RecipientBundle b;
  std::memcpy(b.org_key_.data(), bytes.data() + 8, 32);
  const auto signed_part = bytes.first(kPrefixSize + body_len);
  const auto msg = SignedMessage(signed_part);
  if (crypto_sign_verify_detached(bytes.data() + kPrefixSize + body_len, msg.data(), msg.size(),
                                  b.org_key_.data()) != 0) {
    return Error(ErrorCode::kBadSignature, "bundle signature does not verify (altered or damaged)");
  }
  if (pinned && sodium_memcmp(pinned->data(), b.organisation_fingerprint().data(), 16) != 0) {
    return Error(ErrorCode::kUntrustedSigner, "bundle is signed by organisation key " +
                                                  FingerprintToText(b.organisation_fingerprint()) +
                                                  ", not the pinned one " +
                                                  FingerprintToText(*pinned));
  }
  // Only now, with the signer known, is the body worth parsing.
  gavah::v1::BundleBody body;
  if (!body.ParseFromArray(bytes.data() + kPrefixSize, static_cast<int>(body_len))) {
    return Error(ErrorCode::kMalformed, "bundle body is not well formed");
  }
  auto& c = b.contents_;
  c.organisation_name = body.organisation_name();
  c.issued_at = body.issued_at();
  c.expires_at = body.expires_at();
  if (body.threshold() > kMaxInvestigators)
    return Error(ErrorCode::kMalformed, "bundle threshold is out of range");
  c.threshold = body.threshold();
  if (body.investigators_size() > static_cast<int>(kMaxInvestigators)) {
    return Error(ErrorCode::kMalformed, "bundle lists too many investigators");
  }
  for (const auto& p : body.investigators()) {
    if (p.encryption_public_key().size() != 32 || p.signing_public_key().size() != 32) {
      return Error(ErrorCode::kMalformed, "bundle holds an investigator key of the wrong size");
    }
    InvestigatorPublicKey k;
    k.name = p.name();
    std::memcpy(k.encryption_key.data(), p.encryption_public_key().data(), 32);
    std::memcpy(k.signing_key.data(), p.signing_public_key().data(), 32);
    // Version 2 lists an X-Wing key for every investigator; version 1 has no such field.
    if (version == kBundleVersionXWing) {
      if (p.xwing_public_key().size() != xwing::kPublicKeySize)
        return Error(ErrorCode::kMalformed,
                     "bundle holds an investigator without a post-quantum key, or one of the "
                     "wrong size");
      k.xwing_key.emplace();
      std::memcpy(k.xwing_key->data(), p.xwing_public_key().data(), xwing::kPublicKeySize);
    } else if (!p.xwing_public_key().empty()) {
      return Error(ErrorCode::kMalformed,
                   "bundle body is not in canonical form (a field version 1 does not have)");
    }
    c.investigators.push_back(std::move(k));
  }
  for (const auto& p : body.endpoints()) {
    BundleEndpoint e;
    if (p.role() == gavah::v1::Endpoint::SERVER) {
      e.role = BundleEndpoint::Role::kServer;
    } else if (p.role() == gavah::v1::Endpoint::RELAY) {
      e.role = BundleEndpoint::Role::kRelay;
    } else {
      return Error(ErrorCode::kMalformed, "bundle endpoint has an unknown role");
    }
    e.address = p.address();
    e.tls_certificate_pem = p.tls_certificate_pem();
    c.endpoints.push_back(std::move(e));
  }
  if (!body.receipt_public_key().empty()) {
    if (body.receipt_public_key().size() != 32 ||
        crypto_core_ed25519_is_valid_point(
            reinterpret_cast<const uint8_t*>(body.receipt_public_key().data())) != 1) {
      return Error(ErrorCode::kMalformed, "bundle receipt key is not a valid Ed25519 key");
    }
    PublicKey32 rk{};
    std::memcpy(rk.data(), body.receipt_public_key().data(), 32);
    c.receipt_key = rk;
  }
  c.max_envelope_bytes = body.max_envelope_bytes();
  if (body.witnesses_size() > static_cast<int>(kMaxWitnesses))
    return Error(ErrorCode::kInvalidArgument, "a bundle lists at most 16 witnesses");
  for (const auto& w : body.witnesses()) c.witnesses.push_back({w.address(), w.verifier_key()});
  c.witness_quorum = body.witness_quorum();
  GAVAH_RETURN_IF_ERROR(c.Validate());
  // libprotobuf's parser is lenient (it skips unknown fields, takes the last of a repeated field,
  // accepts fields in any order and over-long varints), so the body must be the one encoding of
  // what was read: anything else would let two readers, or a reader and a signer's tooling, see
  // different bundles in the same signed bytes.
  const std::string canonical = EncodeBody(c);
  if (canonical.size() != body_len ||
      std::memcmp(canonical.data(), bytes.data() + kPrefixSize, body_len) != 0) {
    return Error(ErrorCode::kMalformed,
                 "bundle body is not in canonical form (unknown, repeated or out-of-order field, "
                 "or a non-minimal encoding)");
  }
  b.bytes_.assign(bytes.begin(), bytes.end());
  return b;
}

Status RecipientBundle::CheckCurrent(uint64_t now_unix) const {
  if (now_unix >= contents_.expires_at) {
    return Error(ErrorCode::kExpired, "bundle has expired; ask the organisation for a current one");
  }
  return Status::Ok();
}

}  // namespace gavah
