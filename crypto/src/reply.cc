#include "gavah/crypto/reply.h"

#include <sodium.h>

#include <cstring>

#include "gavah/crypto/utf8.h"

namespace gavah {
namespace {

constexpr char kDomain[] = "gavah-reply-v1";  // with its NUL: 15 bytes
constexpr char kDomainV2[] = "gavah-reply-v2";
constexpr char kSealContext[] = "GvhRply2";
constexpr size_t kHead = sizeof kDomain + 4;
constexpr size_t kBlock = 1024;  // replies are padded so their length says little
static_assert(sizeof kDomainV2 == sizeof kDomain);

// The sizes a sealed reply of each version can have: overhead + 1..64 blocks. The overheads
// (48 and 1136) differ by 1088, not a multiple of 1024, so a size names its version.
bool SizeFits(size_t size, size_t overhead) {
  return size >= overhead + kBlock && (size - overhead) % kBlock == 0 &&
         size <= overhead + 64 * kBlock;
}

}  // namespace

Result<std::vector<uint8_t>> SealReply(std::span<const uint8_t> text, const PublicKey32& reply_key,
                                       const xwing::PublicKey* xwing_reply_key) {
  if (text.empty() || text.size() > kMaxReplyText)
    return Error(ErrorCode::kInvalidArgument, "a reply is 1 byte to 60 KiB of text");
  if (!IsValidUtf8({reinterpret_cast<const char*>(text.data()), text.size()}))
    return Error(ErrorCode::kInvalidArgument, "a reply must be UTF-8 text");
  const size_t padded = (kHead + text.size() + kBlock - 1) / kBlock * kBlock;
  SecretBuffer plain(padded);
  std::memset(plain.data(), 0, padded);
  std::memcpy(plain.data(), xwing_reply_key != nullptr ? kDomainV2 : kDomain, sizeof kDomain);
  const uint32_t n = static_cast<uint32_t>(text.size());
  for (int i = 0; i < 4; ++i)
    plain.data()[sizeof kDomain + i] = static_cast<uint8_t>(n >> (24 - 8 * i));
  std::memcpy(plain.data() + kHead, text.data(), text.size());
  if (xwing_reply_key != nullptr) {
    auto sealed = xwing::Seal(*xwing_reply_key, kSealContext, plain.span());
    if (!sealed.ok()) return Error(ErrorCode::kInvalidArgument, "cannot seal to this reply key");
    return sealed;
  }
  std::vector<uint8_t> sealed(padded + crypto_box_SEALBYTES);
  if (crypto_box_seal(sealed.data(), plain.data(), padded, reply_key.data()) != 0)
    return Error(ErrorCode::kInvalidArgument, "cannot seal to this reply key");
  return sealed;
}

Result<SecretBuffer> OpenReply(std::span<const uint8_t> sealed, const ReplyKeyPair& key) {
  const bool v2 = SizeFits(sealed.size(), xwing::kSealOverhead);
  if (!v2 && !SizeFits(sealed.size(), crypto_box_SEALBYTES))
    return Error(ErrorCode::kMalformed, "a sealed reply has an impossible size");
  if (v2 && key.xwing == nullptr)
    return Error(ErrorCode::kNotRecipient, "the reply is not for this codename");
  SecretBuffer plain(sealed.size() - (v2 ? xwing::kSealOverhead : crypto_box_SEALBYTES));
  const bool opened = v2 ? xwing::Open(*key.xwing, kSealContext, sealed, plain.span())
                         : crypto_box_seal_open(plain.data(), sealed.data(), sealed.size(),
                                                key.public_key.data(), key.secret_key.data()) == 0;
  if (!opened) return Error(ErrorCode::kNotRecipient, "the reply is not for this codename");
  if (std::memcmp(plain.data(), v2 ? kDomainV2 : kDomain, sizeof kDomain) != 0)
    return Error(ErrorCode::kMalformed, "not a Gavah reply");
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = (n << 8) | plain.data()[sizeof kDomain + i];
  if (n == 0 || n > kMaxReplyText || kHead + n > plain.size())
    return Error(ErrorCode::kMalformed, "the reply's length is wrong");
  for (size_t i = kHead + n; i < plain.size(); ++i) {
    if (plain.data()[i] != 0)
      return Error(ErrorCode::kMalformed, "the reply's padding is not zero");
  }
  if (!IsValidUtf8({reinterpret_cast<const char*>(plain.data() + kHead), n}))
    return Error(ErrorCode::kMalformed, "the reply is not UTF-8 text");
  return SecretBuffer::CopyOf(plain.span().subspan(kHead, n));
}

}  // namespace gavah
