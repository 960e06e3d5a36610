#include "gavah/crypto/envelope.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "bytes.h"
#include "gavah/crypto/padding.h"
#include "gavah/crypto/xwing.h"
#include "payload_v2.h"

namespace gavah {
namespace {

using internal::GetBE;
using internal::Put;
using internal::PutU16;
using internal::PutU32;

constexpr uint8_t kEnvelopeMagic[6] = {'G', 'V', 'H', 'E', 'N', 'V'};
constexpr uint16_t kEnvelopeVersion = 1;
constexpr uint16_t kEnvelopeVersionXWing = 2;
constexpr size_t kMacSize = crypto_auth_BYTES;
constexpr size_t kChunkOverhead = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr size_t kCipherChunkSize = kChunkSize + kChunkOverhead;
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "GvhEnv01";
constexpr char kKdfContextV2[crypto_kdf_CONTEXTBYTES + 1] = "GvhEnv02";
// Version 2 stanza: the share's AEAD key from the X-Wing shared secret.
constexpr char kStanzaContext[] = "GvhStnz2";
static_assert(kStanzaSizeV2 == xwing::kSealOverhead + 33);
constexpr uint64_t kMacKeyId = 1;
constexpr uint64_t kPayloadKeyId = 2;
// Keeps every length sum far from overflow (1 PiB).
constexpr uint64_t kMaxPlaintext = uint64_t{1} << 50;

static_assert(sizeof(kKdfContext) - 1 == crypto_kdf_CONTEXTBYTES);
static_assert(kStanzaSize == 1 + 32 + crypto_box_SEALBYTES);

// Wipes a secretstream state however the function holding it is left.
struct StateWiper {
  crypto_secretstream_xchacha20poly1305_state* state;
  ~StateWiper() { sodium_memzero(state, sizeof *state); }
};

SecretBuffer DeriveKey(const SecretBuffer& file_key, uint64_t id, unsigned version) {
  SecretBuffer k(32);
  crypto_kdf_derive_from_key(k.data(), k.size(), id,
                             version == kEnvelopeVersionXWing ? kKdfContextV2 : kKdfContext,
                             file_key.data());
  return k;
}

// The share x || y sealed to one investigator's X-Wing key (xwing::Seal).
Status SealStanzaV2(const InvestigatorPublicKey& inv, const SecretBuffer& share_plain,
                    std::span<uint8_t, kStanzaSizeV2> stanza) {
  GAVAH_ASSIGN_OR_RETURN(auto sealed,
                         xwing::Seal(*inv.xwing_key, kStanzaContext, share_plain.span()));
  if (sealed.size() != kStanzaSizeV2) return Error(ErrorCode::kMalformed, "stanza size");
  std::memcpy(stanza.data(), sealed.data(), kStanzaSizeV2);
  return Status::Ok();
}

bool OpenStanzaV2(const xwing::DecapsulationKey& key, std::span<const uint8_t> stanza,
                  SecretBuffer& share_plain) {
  return xwing::Open(key, kStanzaContext, stanza, share_plain.span());
}

// Encrypts a plaintext stream of known total length into fixed-size secretstream chunks; the
// chunk holding the last byte carries TAG_FINAL.
class ChunkWriter {
 public:
  ChunkWriter(crypto_secretstream_xchacha20poly1305_state* state, uint64_t total, ByteSink& out)
      : state_(state), total_(total), out_(out), chunk_(kChunkSize), cipher_(kCipherChunkSize) {
    chunk_.Clear();
  }

  // Attachments are hashed by whoever reads them, here the sealing thread or a ReadAheadSource.
  static constexpr bool kHashesPlaintext = false;

  // Room in the current chunk, for readers that fill it directly.
  std::span<uint8_t> Room() { return {chunk_.data() + chunk_.size(), kChunkSize - chunk_.size()}; }

  Sha256* NewHash() { return &hashes_.emplace_back(); }
  Result<Digest32> FinalHash(Sha256& hash) { return hash.Final(); }

  Status Commit(size_t n, Sha256* hash = nullptr) {
    if (written_ + n > total_)
      return Error(ErrorCode::kInvalidArgument, "plaintext longer than declared");
    if (n > kChunkSize - chunk_.size())
      return Error(ErrorCode::kInvalidArgument, "commit beyond the room given");
    if (hash != nullptr) hash->Update({chunk_.data() + chunk_.size(), n});
    chunk_.AdoptWritten(n);
    written_ += n;
    if (chunk_.size() == kChunkSize || written_ == total_) return Flush();
    return Status::Ok();
  }

  Status Write(std::span<const uint8_t> bytes) {
    while (!bytes.empty()) {
      auto room = Room();
      const size_t n = std::min(room.size(), bytes.size());
      std::memcpy(room.data(), bytes.data(), n);
      bytes = bytes.subspan(n);
      GAVAH_RETURN_IF_ERROR(Commit(n));
    }
    return Status::Ok();
  }

  bool complete() const { return written_ == total_ && chunk_.empty(); }
  Status Finish() { return Status::Ok(); }  // errors surface at each write

 private:
  Status Flush() {
    const uint8_t tag = written_ == total_ ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                           : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    unsigned long long clen = 0;
    crypto_secretstream_xchacha20poly1305_push(state_, cipher_.data(), &clen, chunk_.data(),
                                               chunk_.size(), nullptr, 0, tag);
    const std::span<const uint8_t> c(cipher_.data(), clen);
    chunk_.Clear();
    return out_.Write(c);
  }

  crypto_secretstream_xchacha20poly1305_state* state_;
  uint64_t total_;
  uint64_t written_ = 0;
  ByteSink& out_;
  SecretBuffer chunk_;
  std::vector<uint8_t> cipher_;  // ciphertext only
  std::deque<Sha256> hashes_;
};

Status ValidateInput(const TestimonyInput& in) {
  if (in.text.size() > kMaxTextLength)
    return Error(ErrorCode::kTooLarge, "testimony text is too long");
  if (in.attachments.size() > kMaxAttachments) {
    return Error(ErrorCode::kTooLarge, "at most 1024 attachments fit in one envelope");
  }
  if (in.consent && in.consent->empty()) {
    // Nothing in the record could say "asked, allowed nothing"; use by the organisation's own
    // investigators is what a witness who submits at all allows.
    return Error(ErrorCode::kInvalidArgument, "consent given with no permission in it");
  }
  // The decoder holds every rule; running it on our own record checks them all in one place.
  SecretBuffer record = EncodeTestimonyRecord(in);
  if (record.size() > kMaxTestimonyRecord)
    return Error(ErrorCode::kTooLarge, "testimony is too large");
  auto view = DecodeTestimonyRecord(record);
  if (!view.ok()) return Error(ErrorCode::kInvalidArgument, view.status().message());
  for (const auto& a : in.attachments) {
    if (a.source == nullptr) return Error(ErrorCode::kInvalidArgument, "attachment has no source");
  }
  return Status::Ok();
}

}  // namespace

namespace {

// Writes the plaintext stream (3.5) into `w`: length, record, each attachment and its SHA-256,
// zero padding up to `padded`.
template <typename Writer>
Status WritePlaintext(Writer& w, SecretBuffer& record, TestimonyInput& input, uint64_t logical,
                      uint64_t padded) {
  uint8_t len[4] = {static_cast<uint8_t>(record.size() >> 24),
                    static_cast<uint8_t>(record.size() >> 16),
                    static_cast<uint8_t>(record.size() >> 8), static_cast<uint8_t>(record.size())};
  GAVAH_RETURN_IF_ERROR(w.Write(len));
  GAVAH_RETURN_IF_ERROR(w.Write(record.span()));
  record = SecretBuffer();

  for (size_t i = 0; i < input.attachments.size(); ++i) {
    auto& a = input.attachments[i];
    // A writer that hashes beside its encryption reads straight into its own buffers.
    if (Writer::kHashesPlaintext) a.source->PreferDirectReads();
    Sha256* sha = a.source->ComputesSha256() ? nullptr : w.NewHash();
    uint64_t remaining = a.size;
    while (remaining > 0) {
      auto room = w.Room();
      if (room.empty()) return w.Finish();  // a stage failed: its error
      if (room.size() > remaining) room = room.first(remaining);
      GAVAH_ASSIGN_OR_RETURN(size_t n, a.source->Read(room));
      if (n == 0) return Error(ErrorCode::kIo, "an attachment shrank while it was being sealed");
      GAVAH_RETURN_IF_ERROR(w.Commit(n, sha));
      remaining -= n;
    }
    uint8_t probe;
    GAVAH_ASSIGN_OR_RETURN(size_t extra, a.source->Read(std::span(&probe, 1)));
    sodium_memzero(&probe, 1);
    if (extra != 0) return Error(ErrorCode::kIo, "an attachment grew while it was being sealed");
    Digest32 digest{};
    if (sha != nullptr) {
      GAVAH_ASSIGN_OR_RETURN(digest, w.FinalHash(*sha));
    } else {
      GAVAH_ASSIGN_OR_RETURN(digest, a.source->Digest());
    }
    GAVAH_RETURN_IF_ERROR(w.Write(digest));
  }
  static const uint8_t kZeros[4096] = {};
  for (uint64_t left = padded - logical; left > 0;) {
    const size_t n = std::min<uint64_t>(left, sizeof kZeros);
    GAVAH_RETURN_IF_ERROR(w.Write(std::span(kZeros, n)));
    left -= n;
  }
  if (!w.complete()) return Error(ErrorCode::kInvalidArgument, "plaintext shorter than declared");
  return Status::Ok();
}

}  // namespace

uint64_t EnvelopeSize(unsigned version, unsigned n, uint64_t padded) {
  const uint64_t chunks = (padded + kChunkSize - 1) / kChunkSize;
  if (version == kEnvelopeVersionXWing)
    return kFixedHeaderSizeV2 + n * kStanzaSizeV2 + kMacSize + padded + chunks * internal::kV2Tag;
  return kFixedHeaderSize + n * kStanzaSize + kMacSize + padded + chunks * kChunkOverhead;
}

Result<SealedEnvelope> SealEnvelope(const RecipientBundle& bundle, TestimonyInput& input,
                                    ByteSink& out) {
  const auto& c = bundle.contents();
  const unsigned version = c.version() == 2 ? kEnvelopeVersionXWing : kEnvelopeVersion;
  if (version == kEnvelopeVersion) input.reply_xwing_public_key.reset();
  GAVAH_RETURN_IF_ERROR(ValidateInput(input));
  SecretBuffer record = EncodeTestimonyRecord(input);
  uint64_t logical = 4 + record.size();
  for (const auto& a : input.attachments) {
    if (a.size > kMaxPlaintext || logical > kMaxPlaintext - a.size - 32) {
      return Error(ErrorCode::kTooLarge, "attachments are too large");
    }
    logical += a.size + 32;
  }
  const uint64_t padded = PaddedLength(logical);
  const unsigned n = static_cast<unsigned>(c.investigators.size());

  SecretBuffer file_key(32);
  crypto_kdf_keygen(file_key.data());
  auto shares = ShamirSplit(file_key.span(), c.threshold, n);
  if (!shares.ok()) return shares.status();

  std::vector<uint8_t> header;
  header.reserve((version == kEnvelopeVersionXWing ? kFixedHeaderSizeV2 + n * kStanzaSizeV2
                                                   : kFixedHeaderSize + n * kStanzaSize) +
                 kMacSize);
  Put(header, kEnvelopeMagic);
  PutU16(header, static_cast<uint16_t>(version));
  Put(header, bundle.organisation_fingerprint());
  header.push_back(static_cast<uint8_t>(c.threshold));
  header.push_back(static_cast<uint8_t>(n));
  internal::PutU64(header, padded);
  crypto_secretstream_xchacha20poly1305_state state;
  StateWiper wipe_state{&state};
  SecretBuffer payload_key = DeriveKey(file_key, kPayloadKeyId, version);
  if (version == kEnvelopeVersion) {
    uint8_t stream_header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_init_push(&state, stream_header, payload_key.data());
    Put(header, stream_header);
  }
  for (size_t i = 0; i < n; ++i) {
    SecretBuffer share_plain(33);
    share_plain.data()[0] = shares.value()[i].x;
    std::memcpy(share_plain.data() + 1, shares.value()[i].y.data(), 32);
    const auto& inv = c.investigators[i];
    if (version == kEnvelopeVersionXWing) {
      std::array<uint8_t, kStanzaSizeV2> stanza{};
      if (!SealStanzaV2(inv, share_plain, stanza).ok()) {
        return Error(ErrorCode::kInvalidArgument,
                     "investigator " + inv.name + " has an unusable post-quantum key");
      }
      Put(header, stanza);
      continue;
    }
    uint8_t stanza[kStanzaSize] = {};
    if (crypto_box_seal(stanza, share_plain.data(), share_plain.size(),
                        inv.encryption_key.data()) != 0) {
      return Error(ErrorCode::kInvalidArgument,
                   "investigator " + inv.name + " has an unusable encryption key");
    }
    Put(header, stanza);
  }
  SecretBuffer mac_key = DeriveKey(file_key, kMacKeyId, version);
  uint8_t mac[kMacSize];
  crypto_auth(mac, header.data(), header.size(), mac_key.data());
  Put(header, mac);

  // Self-check: our own reader must accept the header and its MAC under this file key.
  {
    MemorySource src(header);
    auto parsed = ReadEnvelopeHeader(src);
    if (!parsed.ok() || crypto_auth_verify(parsed->mac.data(), parsed->raw.data(),
                                           parsed->raw.size() - kMacSize, mac_key.data()) != 0) {
      return Error(ErrorCode::kTampered, "sealed header failed its own verification");
    }
  }

  SealedEnvelope result;
  result.size = EnvelopeSize(version, n, padded);
  if (version == kEnvelopeVersionXWing) {
    // The header, then chunks sealed on every core, hashed and written from the same buffers.
    Sha256 id;
    id.Update(header);
    GAVAH_RETURN_IF_ERROR(out.Write(header));
    {
      internal::ParallelSealer w(payload_key.span(), padded, out, id);
      GAVAH_RETURN_IF_ERROR(WritePlaintext(w, record, input, logical, padded));
      GAVAH_RETURN_IF_ERROR(w.Finish());
    }
    GAVAH_RETURN_IF_ERROR(out.Finish());
    result.id = id.Final();
    return result;
  }

  // The envelope id is hashed on a stage of its own so that it overlaps with encryption.
  Sha256 id;  // only the stage's thread touches it until hashing.Finish() returns
  ThreadedStage hashing(
      [&id, &out](std::span<const uint8_t> b) {
        id.Update(b);
        return out.Write(b);
      },
      [&out] { return out.Finish(); });
  GAVAH_RETURN_IF_ERROR(hashing.Write(header));
  ChunkWriter w(&state, padded, hashing);
  GAVAH_RETURN_IF_ERROR(WritePlaintext(w, record, input, logical, padded));
  GAVAH_RETURN_IF_ERROR(hashing.Finish());
  result.id = id.Final();
  return result;
}

Result<EnvelopeHeader> ReadEnvelopeHeader(ByteSource& in) {
  EnvelopeHeader h;
  // The shorter fixed part first (version 2's); version 1 reads the rest of its own.
  h.raw.resize(kFixedHeaderSizeV2);
  GAVAH_ASSIGN_OR_RETURN(size_t got, in.Read(h.raw));
  if (got == 0) return Error(ErrorCode::kTruncated, "envelope is empty");
  if (std::memcmp(h.raw.data(), kEnvelopeMagic, std::min<size_t>(got, 6)) != 0) {
    return Error(ErrorCode::kMalformed, "is not a Gavah envelope");
  }
  if (got < 8) return Error(ErrorCode::kTruncated, "envelope is truncated");
  const uint64_t version = GetBE(std::span(h.raw).subspan(6, 2));
  if (version != kEnvelopeVersion && version != kEnvelopeVersionXWing) {
    return Error(ErrorCode::kUnsupported, "envelope version is not supported by this build");
  }
  h.version = static_cast<unsigned>(version);
  const size_t fixed = version == kEnvelopeVersionXWing ? kFixedHeaderSizeV2 : kFixedHeaderSize;
  const size_t stanza_size = version == kEnvelopeVersionXWing ? kStanzaSizeV2 : kStanzaSize;
  if (got < kFixedHeaderSizeV2) return Error(ErrorCode::kTruncated, "envelope is truncated");
  if (fixed > kFixedHeaderSizeV2) {
    h.raw.resize(fixed);
    GAVAH_ASSIGN_OR_RETURN(got, in.Read(std::span(h.raw).subspan(kFixedHeaderSizeV2)));
    if (got < fixed - kFixedHeaderSizeV2)
      return Error(ErrorCode::kTruncated, "envelope is truncated");
  }
  std::memcpy(h.organisation_id.data(), h.raw.data() + 8, 16);
  h.threshold = h.raw[24];
  const unsigned n = h.raw[25];
  if (n == 0 || h.threshold == 0 || h.threshold > n) {
    return Error(ErrorCode::kMalformed, "envelope header has an impossible threshold");
  }
  h.stanza_count = n;
  h.payload_length = GetBE(std::span(h.raw).subspan(26, 8));
  if (h.payload_length < kMinPaddedLength || h.payload_length > kMaxPlaintext ||
      PaddedLength(h.payload_length) != h.payload_length) {
    return Error(ErrorCode::kMalformed, "envelope header has an impossible payload length");
  }
  if (version == kEnvelopeVersion) std::memcpy(h.stream_header.data(), h.raw.data() + 34, 24);
  const size_t rest = n * stanza_size + kMacSize;
  h.raw.resize(fixed + rest);
  GAVAH_ASSIGN_OR_RETURN(got, in.Read(std::span(h.raw).subspan(fixed)));
  if (got < rest) return Error(ErrorCode::kTruncated, "envelope is truncated");
  std::memcpy(h.mac.data(), h.raw.data() + h.raw.size() - kMacSize, kMacSize);
  return h;
}

std::span<const uint8_t> EnvelopeHeader::stanza(size_t i) const {
  const bool v2 = version == kEnvelopeVersionXWing;
  const size_t size = v2 ? kStanzaSizeV2 : kStanzaSize;
  return std::span(raw).subspan((v2 ? kFixedHeaderSizeV2 : kFixedHeaderSize) + i * size, size);
}

uint64_t EnvelopeHeader::envelope_size() const {
  return EnvelopeSize(version, stanza_count, payload_length);
}

Result<Share> OpenShare(const EnvelopeHeader& header, const InvestigatorSecretKey& key) {
  SecretBuffer plain(33);
  if (header.version == kEnvelopeVersionXWing && key.version() != 2)
    return Error(ErrorCode::kNotRecipient,
                 "is not a recipient of this envelope (it is sealed to post-quantum keys, and "
                 "this key is version 1)");
  for (size_t i = 0; i < header.stanza_count; ++i) {
    const auto stanza = header.stanza(i);
    const bool opened = header.version == kEnvelopeVersionXWing
                            ? OpenStanzaV2(key.xwing(), stanza, plain)
                            : crypto_box_seal_open(plain.data(), stanza.data(), stanza.size(),
                                                   key.public_key().encryption_key.data(),
                                                   key.encryption_secret().data()) == 0;
    if (opened) {
      if (plain.data()[0] == 0)
        return Error(ErrorCode::kMalformed, "envelope holds a malformed key share");
      Share s;
      s.x = plain.data()[0];
      s.y = SecretBuffer::CopyOf(plain.span().subspan(1));
      return s;
    }
  }
  return Error(ErrorCode::kNotRecipient, "is not a recipient of this envelope");
}

Result<SecretBuffer> CombineShares(const EnvelopeHeader& header, std::span<const Share> shares) {
  if (shares.size() < header.threshold) {
    // Tell a raised threshold from a genuine shortage: if these shares verify the MAC over the
    // header with a lower threshold byte, someone altered it to send investigators looking for
    // keys they do not need.
    if (auto key = ShamirCombine(shares); key.ok() && key->size() == 32) {
      SecretBuffer mac_key = DeriveKey(key.value(), kMacKeyId, header.version);
      std::vector<uint8_t> probe(header.raw.begin(), header.raw.end() - kMacSize);
      for (size_t k = 1; k <= shares.size(); ++k) {
        probe[24] = static_cast<uint8_t>(k);
        if (crypto_auth_verify(header.mac.data(), probe.data(), probe.size(), mac_key.data()) ==
            0) {
          return Error(ErrorCode::kTampered,
                       "envelope header was altered (its threshold was raised)");
        }
      }
    }
    return Error(ErrorCode::kNotEnoughKeys,
                 "this envelope needs " + std::to_string(header.threshold) +
                     " investigator keys; the keys given open " + std::to_string(shares.size()));
  }
  auto key = ShamirCombine(shares);
  if (!key.ok())
    return Error(ErrorCode::kTampered, "envelope key shares are inconsistent (altered?)");
  if (key->size() != 32)
    return Error(ErrorCode::kMalformed, "envelope key share has the wrong size");
  GAVAH_RETURN_IF_ERROR(VerifyHeaderMac(header, key.value()));
  return std::move(key).value();
}

Status VerifyHeaderMac(const EnvelopeHeader& header, const SecretBuffer& file_key) {
  if (file_key.size() != 32) return Error(ErrorCode::kMalformed, "a file key is 32 bytes");
  if (header.raw.size() < kMacSize) return Error(ErrorCode::kMalformed, "header too short");
  SecretBuffer mac_key = DeriveKey(file_key, kMacKeyId, header.version);
  if (crypto_auth_verify(header.mac.data(), header.raw.data(), header.raw.size() - kMacSize,
                         mac_key.data()) != 0) {
    return Error(ErrorCode::kTampered, "envelope header was altered or damaged");
  }
  return Status::Ok();
}

namespace {

// The file key the shares at `pick` give, if it verifies the header MAC.
std::optional<SecretBuffer> TrySubset(const EnvelopeHeader& header, std::span<const Share> shares,
                                      std::span<const size_t> pick) {
  auto key = ShamirCombine(shares, pick);
  if (!key.ok() || key->size() != 32 || !VerifyHeaderMac(header, key.value()).ok())
    return std::nullopt;
  return std::move(key).value();
}

}  // namespace

Result<CombinedKey> CombineSharesRobust(const EnvelopeHeader& header, std::span<const Share> all,
                                        size_t searched) {
  const size_t k = header.threshold;
  const std::span<const Share> shares = all.first(std::min(searched, all.size()));
  if (k == 0 || shares.size() < k) {
    GAVAH_ASSIGN_OR_RETURN(SecretBuffer key, CombineShares(header, shares));
    CombinedKey out;
    out.file_key = std::move(key);
    return out;
  }
  CombinedKey out;
  std::vector<size_t> pick(k);
  for (size_t i = 0; i < k; ++i) pick[i] = i;
  bool exhausted = false;
  auto distinct_x = [&] {
    for (size_t i = 0; i < k; ++i)
      for (size_t j = 0; j < i; ++j)
        if (shares[pick[i]].x == shares[pick[j]].x) return false;
    return true;
  };
  uint64_t visited = 0;  // subsets looked at, combinable or not: bounded too
  for (;;) {
    // A subset with a repeated x cannot be combined: skipped without counting against the bound.
    ++visited;
    const bool combinable = distinct_x();
    if (combinable) ++out.subsets_tried;
    if (auto key = combinable ? TrySubset(header, shares, pick) : std::nullopt) {
      out.file_key = std::move(*key);
      out.used = pick;
      break;
    }
    // Next k-subset in lexicographic order.
    size_t i = k;
    while (i > 0 && pick[i - 1] == shares.size() - k + (i - 1)) --i;
    if (i == 0) {
      exhausted = true;
      break;
    }
    ++pick[i - 1];
    for (size_t j = i; j < k; ++j) pick[j] = pick[j - 1] + 1;
    if (out.subsets_tried >= kMaxShareSubsets || visited >= 64 * kMaxShareSubsets) break;
  }
  if (out.used.empty()) {
    if (exhausted)
      return Error(ErrorCode::kTampered,
                   "envelope header was altered or damaged (no " + std::to_string(k) + " of the " +
                       std::to_string(shares.size()) + " key shares at hand open it)");
    return Error(ErrorCode::kTampered,
                 "none of the first " + std::to_string(out.subsets_tried) + " combinations of " +
                     std::to_string(k) + " of the " + std::to_string(shares.size()) +
                     " key shares at hand opens the envelope; the search stopped there");
  }
  // Every share left out is checked against k-1 that are known good.
  std::vector<size_t> probe(out.used.begin(), out.used.end() - 1);
  probe.push_back(0);
  for (size_t j = 0; j < all.size(); ++j) {
    if (std::find(out.used.begin(), out.used.end(), j) != out.used.end()) continue;
    // Same x as a good share: the same share again, or a wrong one.
    const auto same_x = std::find_if(out.used.begin(), out.used.end(),
                                     [&](size_t u) { return all[u].x == all[j].x; });
    if (same_x != out.used.end()) {
      if (!all[*same_x].y.Equals(all[j].y.span())) out.misfits.push_back(j);
      continue;
    }
    probe.back() = j;
    if (!TrySubset(header, all, probe)) out.misfits.push_back(j);
  }
  return out;
}

namespace {

// Walks the decrypted plaintext stream: length, record, each attachment and its digest, padding.
class PlaintextParser {
 public:
  explicit PlaintextParser(TestimonySink& sink) : sink_(sink) {}

  // `hasher`, when given, hashes attachment plaintext (beside the envelope id).
  Status Feed(std::span<const uint8_t> in, const internal::PlaintextHasher* hasher = nullptr) {
    total_ += in.size();
    while (!in.empty()) {
      switch (state_) {
        case State::kLength: {
          if (!Gather(in, 4)) break;
          const uint64_t len = GetBE(small_.span());
          small_.Clear();
          if (len > kMaxTestimonyRecord) return Malformed("testimony record is too large");
          record_len_ = len;
          record_.Reserve(len);
          state_ = State::kRecord;
          if (len == 0) GAVAH_RETURN_IF_ERROR(EndRecord());
          break;
        }
        case State::kRecord: {
          const size_t n = std::min<uint64_t>(in.size(), record_len_ - record_.size());
          record_.Append(in.first(n));
          in = in.subspan(n);
          if (record_.size() == record_len_) GAVAH_RETURN_IF_ERROR(EndRecord());
          break;
        }
        case State::kAttachment: {
          const size_t n = std::min<uint64_t>(in.size(), remaining_);
          if (hasher != nullptr) {
            (*hasher)(*sha_, in.first(n));
          } else {
            sha_->Update(in.first(n));
          }
          GAVAH_RETURN_IF_ERROR(sink_.OnAttachmentData(index_, in.first(n)));
          in = in.subspan(n);
          remaining_ -= n;
          if (remaining_ == 0) state_ = State::kDigest;
          break;
        }
        case State::kDigest: {
          if (!Gather(in, 32)) break;
          const Digest32 computed = sha_->Final();
          if (!small_.Equals(computed))
            return Malformed("an attachment does not match its SHA-256");
          small_.Clear();
          GAVAH_RETURN_IF_ERROR(sink_.OnAttachmentEnd(index_, computed));
          ++index_;
          GAVAH_RETURN_IF_ERROR(StartAttachment());
          break;
        }
        case State::kPadding: {
          uint8_t acc = 0;
          for (uint8_t b : in) acc |= b;
          if (acc != 0) return Malformed("padding is not zero");
          in = {};
          break;
        }
      }
      in = in.subspan(consumed_);
      consumed_ = 0;
    }
    return Status::Ok();
  }

  Status Finish() {
    if (state_ != State::kPadding) return Malformed("testimony stream ends early");
    if (total_ != PaddedLength(logical_)) return Malformed("padding has the wrong length");
    return Status::Ok();
  }

 private:
  enum class State { kLength, kRecord, kAttachment, kDigest, kPadding };

  static Status Malformed(const char* what) { return Error(ErrorCode::kMalformed, what); }

  // Moves bytes from `in` into small_ until it holds `want`; marks them consumed.
  bool Gather(std::span<const uint8_t> in, size_t want) {
    const size_t n = std::min(in.size(), want - small_.size());
    small_.Append(in.first(n));
    consumed_ = n;
    return small_.size() == want;
  }

  Status EndRecord() {
    logical_ = 4 + record_len_;
    auto view = DecodeTestimonyRecord(record_);
    if (!view.ok()) return view.status();
    view_ = std::move(view).value();
    for (const auto& a : view_.attachments) {
      if (a.size > kMaxPlaintext || logical_ > kMaxPlaintext - a.size - 32) {
        return Malformed("attachments are too large");
      }
      logical_ += a.size + 32;
    }
    GAVAH_RETURN_IF_ERROR(sink_.OnTestimony(view_));
    index_ = 0;
    return StartAttachment();
  }

  Status StartAttachment() {
    if (index_ == view_.attachments.size()) {
      state_ = State::kPadding;
      return Status::Ok();
    }
    sha_ = std::make_unique<Sha256>();
    remaining_ = view_.attachments[index_].size;
    state_ = remaining_ == 0 ? State::kDigest : State::kAttachment;
    return Status::Ok();
  }

  TestimonySink& sink_;
  State state_ = State::kLength;
  SecretBuffer small_;
  SecretBuffer record_;
  uint64_t record_len_ = 0;
  TestimonyView view_;
  size_t index_ = 0;
  uint64_t remaining_ = 0;
  std::unique_ptr<Sha256> sha_;
  uint64_t logical_ = 0;
  uint64_t total_ = 0;
  size_t consumed_ = 0;
};

}  // namespace

Status OpenPayload(const EnvelopeHeader& header, const SecretBuffer& file_key, ByteSource& in,
                   TestimonySink& sink) {
  SecretBuffer payload_key = DeriveKey(file_key, kPayloadKeyId, header.version);
  if (header.version == kEnvelopeVersionXWing) {
    PlaintextParser parser(sink);
    // Where the source hands its envelope id over, the id and the attachments' digests are
    // hashed together on this thread.
    Sha256* id = in.TakeOverSha256();
    GAVAH_RETURN_IF_ERROR(internal::OpenParallel(
        payload_key.span(), header.payload_length, in, id,
        [&parser](std::span<const uint8_t> plain, const internal::PlaintextHasher& hasher) {
          return parser.Feed(plain, &hasher);
        }));
    return parser.Finish();
  }
  crypto_secretstream_xchacha20poly1305_state state;
  StateWiper wipe_state{&state};
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, header.stream_header.data(),
                                                      payload_key.data()) != 0) {
    return Error(ErrorCode::kMalformed, "envelope stream header is invalid");
  }
  PlaintextParser parser(sink);
  std::vector<uint8_t> cipher(kCipherChunkSize);
  SecretBuffer plain(kChunkSize);
  // The header fixes every chunk's size, so a short read is truncation, a complete chunk that
  // fails is tampering, and bytes after the last chunk are never mistaken for part of it.
  const uint64_t chunks = (header.payload_length + kChunkSize - 1) / kChunkSize;
  for (uint64_t chunk = 0; chunk < chunks; ++chunk) {
    const bool last = chunk + 1 == chunks;
    const size_t plain_size =
        last ? static_cast<size_t>(header.payload_length - chunk * kChunkSize) : kChunkSize;
    const size_t want = plain_size + kChunkOverhead;
    GAVAH_ASSIGN_OR_RETURN(size_t n, in.Read(std::span(cipher).first(want)));
    if (n < want) return Error(ErrorCode::kTruncated, "envelope is truncated");
    unsigned long long mlen = 0;
    uint8_t tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&state, plain.data(), &mlen, &tag, cipher.data(),
                                                   n, nullptr, 0) != 0) {
      return Error(ErrorCode::kTampered, "envelope was altered or damaged (chunk " +
                                             std::to_string(chunk) + " fails authentication)");
    }
    const uint8_t expected_tag = last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                      : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    if (tag != expected_tag)
      return Error(ErrorCode::kMalformed, "envelope chunk has the wrong tag");
    GAVAH_RETURN_IF_ERROR(parser.Feed(plain.span().first(mlen)));
  }
  uint8_t probe;
  GAVAH_ASSIGN_OR_RETURN(size_t extra, in.Read(std::span(&probe, 1)));
  if (extra != 0) return Error(ErrorCode::kMalformed, "envelope has data after its final chunk");
  return parser.Finish();
}

Status ParsePlaintextStream(std::span<const uint8_t> plaintext, TestimonySink& sink) {
  PlaintextParser parser(sink);
  while (!plaintext.empty()) {
    const size_t n = std::min(plaintext.size(), kChunkSize);
    GAVAH_RETURN_IF_ERROR(parser.Feed(plaintext.first(n)));
    plaintext = plaintext.subspan(n);
  }
  return parser.Finish();
}

Result<EnvelopeId> ComputeEnvelopeId(ByteSource& in) {
  Sha256 id;
  std::vector<uint8_t> buf(1 << 20);
  for (;;) {
    GAVAH_ASSIGN_OR_RETURN(size_t n, in.Read(buf));
    if (n == 0) break;
    id.Update(std::span(buf).first(n));
  }
  return id.Final();
}

}  // namespace gavah
