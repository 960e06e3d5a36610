#include "gavah/crypto/reply.h"

#include <sodium.h>

#include <cstring>

#include "gavah/crypto/utf8.h"

namespace gavah {
namespace {

constexpr char kDomain[] = "gavah-reply-v1";  // with its NUL: 15 bytes
constexpr size_t kHead = sizeof kDomain + 4;
constexpr size_t kBlock = 1024;  // replies are padded so their length says little

}  // namespace

Result<std::vector<uint8_t>> SealReply(std::span<const uint8_t> text,
                                       const PublicKey32& reply_key) {
  if (text.empty() || text.size() > kMaxReplyText)
    return Error(ErrorCode::kInvalidArgument, "a reply is 1 byte to 60 KiB of text");
  if (!IsValidUtf8({reinterpret_cast<const char*>(text.data()), text.size()}))
    return Error(ErrorCode::kInvalidArgument, "a reply must be UTF-8 text");
  const size_t padded = (kHead + text.size() + kBlock - 1) / kBlock * kBlock;
  SecretBuffer plain(padded);
  std::memset(plain.data(), 0, padded);
  std::memcpy(plain.data(), kDomain, sizeof kDomain);
  const uint32_t n = static_cast<uint32_t>(text.size());
  for (int i = 0; i < 4; ++i)
    plain.data()[sizeof kDomain + i] = static_cast<uint8_t>(n >> (24 - 8 * i));
  std::memcpy(plain.data() + kHead, text.data(), text.size());
  std::vector<uint8_t> sealed(padded + crypto_box_SEALBYTES);
  if (crypto_box_seal(sealed.data(), plain.data(), padded, reply_key.data()) != 0)
    return Error(ErrorCode::kInvalidArgument, "cannot seal to this reply key");
  return sealed;
}

Result<SecretBuffer> OpenReply(std::span<const uint8_t> sealed, const ReplyKeyPair& key) {
  if (sealed.size() < crypto_box_SEALBYTES + kBlock ||
      (sealed.size() - crypto_box_SEALBYTES) % kBlock != 0 ||
      sealed.size() > crypto_box_SEALBYTES + 64 * kBlock) {
    return Error(ErrorCode::kMalformed, "a sealed reply has an impossible size");
  }
  SecretBuffer plain(sealed.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(plain.data(), sealed.data(), sealed.size(), key.public_key.data(),
                           key.secret_key.data()) != 0) {
    return Error(ErrorCode::kNotRecipient, "the reply is not for this codename");
  }
  if (std::memcmp(plain.data(), kDomain, sizeof kDomain) != 0)
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
