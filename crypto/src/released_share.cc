#include "gavah/crypto/released_share.h"

#include <sodium.h>

#include <cstring>

#include "gavah/crypto/xwing.h"

namespace gavah {
namespace {

constexpr char kDomain[] = "gavah-share-v1";  // with its NUL: 15 bytes
constexpr char kDomainV2[] = "gavah-share-v2";
constexpr char kSealContext[] = "GvhShar2";
constexpr size_t kInnerSize = sizeof kDomain + 32 + 16 + 16 + 1 + 32;
constexpr size_t kSignedSize = kInnerSize + crypto_sign_BYTES;
static_assert(kReleasedShareSealedSize == kSignedSize + crypto_box_SEALBYTES);
static_assert(kReleasedShareSealedSizeV2 == kSignedSize + xwing::kSealOverhead);
static_assert(sizeof kDomainV2 == sizeof kDomain);

}  // namespace

Result<std::vector<uint8_t>> ReleaseShare(const Digest32& envelope_id, const Share& share,
                                          const InvestigatorSecretKey& from,
                                          const InvestigatorPublicKey& to) {
  if (share.x == 0 || share.y.size() != 32)
    return Error(ErrorCode::kInvalidArgument, "not a key share of an envelope");
  const bool v2 = to.xwing_key.has_value();
  SecretBuffer signed_share(kSignedSize);
  uint8_t* p = signed_share.data();
  std::memcpy(p, v2 ? kDomainV2 : kDomain, sizeof kDomain);
  p += sizeof kDomain;
  std::memcpy(p, envelope_id.data(), 32);
  p += 32;
  const Fingerprint from_fp = from.public_key().fingerprint(), to_fp = to.fingerprint();
  std::memcpy(p, from_fp.data(), 16);
  p += 16;
  std::memcpy(p, to_fp.data(), 16);
  p += 16;
  *p++ = share.x;
  std::memcpy(p, share.y.data(), 32);
  SecretBuffer sk(crypto_sign_SECRETKEYBYTES);
  PublicKey32 pk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), from.signing_seed().data());
  crypto_sign_detached(signed_share.data() + kInnerSize, nullptr, signed_share.data(), kInnerSize,
                       sk.data());
  if (v2) {
    auto sealed = xwing::Seal(*to.xwing_key, kSealContext, signed_share.span());
    if (!sealed.ok())
      return Error(ErrorCode::kInvalidArgument, "cannot seal to that investigator's key");
    return sealed;
  }
  std::vector<uint8_t> sealed(kReleasedShareSealedSize);
  if (crypto_box_seal(sealed.data(), signed_share.data(), kSignedSize, to.encryption_key.data()) !=
      0) {
    return Error(ErrorCode::kInvalidArgument, "cannot seal to that investigator's key");
  }
  return sealed;
}

Result<ReceivedShare> OpenReleasedShare(std::span<const uint8_t> sealed,
                                        const InvestigatorSecretKey& me,
                                        const RecipientBundle& bundle) {
  if (!IsReleasedShareSize(sealed.size()))
    return Error(ErrorCode::kMalformed, "a released share has the wrong size");
  const bool v2 = sealed.size() == kReleasedShareSealedSizeV2;
  if (v2 && me.version() != 2)
    return Error(ErrorCode::kNotRecipient,
                 "the share is sealed to a post-quantum key, and this key is version 1");
  SecretBuffer s(kSignedSize);
  const bool opened = v2 ? xwing::Open(me.xwing(), kSealContext, sealed, s.span())
                         : crypto_box_seal_open(s.data(), sealed.data(), sealed.size(),
                                                me.public_key().encryption_key.data(),
                                                me.encryption_secret().data()) == 0;
  if (!opened)
    return Error(ErrorCode::kNotRecipient, "the share is sealed to another investigator");
  const uint8_t* p = s.data();
  if (std::memcmp(p, v2 ? kDomainV2 : kDomain, sizeof kDomain) != 0)
    return Error(ErrorCode::kMalformed, "not a released share");
  ReceivedShare r;
  std::memcpy(r.envelope_id.data(), p + sizeof kDomain, 32);
  std::memcpy(r.from.data(), p + sizeof kDomain + 32, 16);
  Fingerprint to{};
  std::memcpy(to.data(), p + sizeof kDomain + 48, 16);
  if (to != me.public_key().fingerprint())
    return Error(ErrorCode::kNotRecipient, "the share names another investigator");
  const InvestigatorPublicKey* sender = nullptr;
  for (const auto& inv : bundle.contents().investigators) {
    if (inv.fingerprint() == r.from) sender = &inv;
  }
  if (sender == nullptr)
    return Error(ErrorCode::kBadSignature, "the share's sender is not in the bundle");
  if (crypto_sign_verify_detached(s.data() + kInnerSize, s.data(), kInnerSize,
                                  sender->signing_key.data()) != 0) {
    return Error(ErrorCode::kBadSignature, "the share's signature does not verify");
  }
  r.share.x = p[sizeof kDomain + 64];
  if (r.share.x == 0) return Error(ErrorCode::kMalformed, "the share is malformed");
  r.share.y = SecretBuffer::CopyOf(s.span().subspan(sizeof kDomain + 65, 32));
  return r;
}

}  // namespace gavah
