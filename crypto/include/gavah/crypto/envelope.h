// The sealed envelope: streaming seal and open with bounded memory whatever the size.
// Format: docs/PROTOCOL.md, "Envelope".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "gavah/crypto/bundle.h"
#include "gavah/crypto/digest.h"
#include "gavah/crypto/io.h"
#include "gavah/crypto/keys.h"
#include "gavah/crypto/secret_buffer.h"
#include "gavah/crypto/shamir.h"
#include "gavah/crypto/status.h"

namespace gavah {

inline constexpr size_t kChunkSize = 64 * 1024;  // plaintext bytes per payload chunk
// Version 1: magic 6, version 2, organisation id 16, k 1, n 1, payload length 8, stream header 24
inline constexpr size_t kFixedHeaderSize = 58;
inline constexpr size_t kStanzaSize = 1 + 32 + 48;  // x || y, sealed
// Version 2: no stream header (each chunk has its own nonce); X-Wing stanzas.
inline constexpr size_t kFixedHeaderSizeV2 = 34;
inline constexpr size_t kStanzaSizeV2 = 1120 + 1 + 32 + 16;  // X-Wing ciphertext || AEAD(x || y)
// The largest header of any version (255 version 2 stanzas).
inline constexpr size_t kMaxHeaderSize = kFixedHeaderSizeV2 + 255 * kStanzaSizeV2 + 32;
// Exact envelope size for `version`, `n` stanzas and a padded payload of `padded` bytes.
uint64_t EnvelopeSize(unsigned version, unsigned n, uint64_t padded);
inline constexpr size_t kMaxTestimonyRecord = 16 << 20;  // encoded Testimony message
inline constexpr size_t kMaxAttachments = 1024;
inline constexpr size_t kMaxTextLength = kMaxTestimonyRecord - 64 * 1024;
inline constexpr size_t kMaxNameLength = 255;
inline constexpr size_t kMaxMediaTypeLength = 127;
inline constexpr size_t kMaxLanguageLength = 35;
inline constexpr size_t kMaxEventFieldLength = 1024;
// Consent (docs/PROTOCOL.md 3.7): at most this many permissions, each a token of 1..32 bytes of
// a-z, 0-9 and '-', strictly increasing in byte order.
inline constexpr size_t kMaxConsentTokens = 16;
inline constexpr size_t kMaxConsentTokenLength = 32;
// The permissions this version asks for, in canonical (byte) order.
inline constexpr std::string_view kConsentTokens[] = {
    "contact-again",       // the organisation may contact the witness again (through replies)
    "investigators",       // use by the organisation's own investigators
    "prosecutors-courts",  // sharing with prosecutors and courts
    "quote-anonymously",   // quoting the testimony without the witness's name
    "un-mechanism",        // sharing with a UN commission of inquiry or mechanism
};
// True if `token` has the form of a consent token (known to this version or not).
bool IsConsentToken(std::string_view token);

using EnvelopeId = Digest32;

struct AttachmentInput {
  SecretBuffer name;
  SecretBuffer media_type;
  uint64_t size = 0;             // exact; the source must yield exactly this many bytes
  ByteSource* source = nullptr;  // not owned
};

struct TestimonyInput {
  SecretBuffer text;
  SecretBuffer language;
  SecretBuffer event_time;
  SecretBuffer event_place;
  std::vector<AttachmentInput> attachments;
  std::optional<PublicKey32> reply_public_key;
  // The codename's X-Wing reply key (field 8), with reply_public_key only; sealed into version 2
  // envelopes only (version 1 readers do not know the field), so SealEnvelope drops it for a
  // version 1 bundle.
  std::optional<xwing::PublicKey> reply_xwing_public_key;
  // What the witness allows, as tokens in canonical order (normally views of kConsentTokens);
  // absent: not asked (field 7 omitted). Asked and allowing only the organisation's own use is
  // {"investigators"}.
  std::optional<std::vector<std::string_view>> consent;
};

struct SealedEnvelope {
  EnvelopeId id{};
  uint64_t size = 0;
};

// Seals `input` to the bundle's investigators and streams the envelope into `out` (then calls
// out.Finish()): version 2 (X-Wing stanzas, chunks sealed on every core) when the bundle is
// version 2, else version 1. Memory stays bounded by a few batches of chunks plus the testimony
// record. Fails with kIo if an attachment yields more or fewer bytes than declared.
Result<SealedEnvelope> SealEnvelope(const RecipientBundle& bundle, TestimonyInput& input,
                                    ByteSink& out);

// The envelope header as read, before any key has been tried. Nothing in it is trusted until
// CombineShares() has checked the header MAC.
struct EnvelopeHeader {
  unsigned version = 1;
  Fingerprint organisation_id{};
  unsigned threshold = 0;
  unsigned stanza_count = 0;
  uint64_t payload_length = 0;              // padded plaintext bytes; fixes every chunk's size
  std::array<uint8_t, 24> stream_header{};  // version 1 only
  std::array<uint8_t, 32> mac{};
  std::vector<uint8_t> raw;  // every header byte, MAC included, as read

  // Stanza i, a view into raw.
  std::span<const uint8_t> stanza(size_t i) const;
  // Exact size of the whole envelope this header announces (servers check uploads against it).
  uint64_t envelope_size() const;
};

// Reads and checks the header's framing (magic, version, counts). Consumes exactly the header.
Result<EnvelopeHeader> ReadEnvelopeHeader(ByteSource& in);

// The share sealed to `key`, or kNotRecipient. A version 2 envelope needs a key with an X-Wing
// part (kNotRecipient for one without, which cannot be among its recipients).
Result<Share> OpenShare(const EnvelopeHeader& header, const InvestigatorSecretKey& key);

// Recovers the file key from at least `threshold` distinct shares and verifies the header MAC
// with it. kNotEnoughKeys with fewer shares; kTampered when the MAC does not verify.
Result<SecretBuffer> CombineShares(const EnvelopeHeader& header, std::span<const Share> shares);

// kTampered unless the header MAC verifies under `file_key`: the check CombineShares() ends with,
// for a holder of the file key alone (an evidence package carries it, PROTOCOL.md section 10a).
Status VerifyHeaderMac(const EnvelopeHeader& header, const SecretBuffer& file_key);

// CombineShares() for shares of mixed provenance (the investigator's own, colleagues' released
// ones), tried in the order given, so the caller puts its own first. Exactly k are combined: the
// first k, then, while the header MAC fails, other k-subsets, at most kMaxShareSubsets of them.
// Once a subset verifies, every other share is tried with k-1 good ones and, if the MAC then
// fails, listed in `misfits`. kTampered only when no k-subset verified (the message says when
// the bound stopped the search first); kNotEnoughKeys with fewer than k shares.
inline constexpr uint64_t kMaxShareSubsets = 20000;
struct CombinedKey {
  SecretBuffer file_key;
  std::vector<size_t> used;     // indexes of the k shares that verified
  std::vector<size_t> misfits;  // indexes of shares that do not fit the polynomial
  uint64_t subsets_tried = 0;
};
// Only the first `searched` shares take part in the subset search; the others (shares a
// colleague released earlier and has since replaced, say) are only checked for `misfits`, so
// however many there are they cost one combination each, never a larger search.
Result<CombinedKey> CombineSharesRobust(const EnvelopeHeader& header, std::span<const Share> shares,
                                        size_t searched = SIZE_MAX);

// What the plaintext stream says, as views into secret memory owned by the opener. Valid only
// during the TestimonySink callback that receives it.
struct TestimonyView {
  struct Attachment {
    std::string_view name;
    std::string_view media_type;
    uint64_t size = 0;
  };
  std::span<const uint8_t> text;
  std::string_view language;
  std::string_view event_time;
  std::string_view event_place;
  std::vector<Attachment> attachments;
  std::optional<PublicKey32> reply_public_key;
  std::optional<xwing::PublicKey> reply_xwing_public_key;
  // Absent when the record carries no consent field; otherwise its tokens, in order.
  std::optional<std::vector<std::string_view>> consent;
};

// Receives an envelope's plaintext as it is decrypted. Data arrives authenticated chunk by chunk,
// but the envelope as a whole is valid only once OpenPayload() returns OK: a sink must keep
// what it received provisional until then.
class TestimonySink {
 public:
  virtual ~TestimonySink() = default;
  virtual Status OnTestimony(const TestimonyView& testimony) = 0;
  virtual Status OnAttachmentData(size_t index, std::span<const uint8_t> bytes) = 0;
  // Called after the attachment's bytes, once its SHA-256 matched the one the witness sealed.
  virtual Status OnAttachmentEnd(size_t index, const Digest32& sha256) = 0;
};

// Decrypts the payload that follows the header and checks every rule of the plaintext stream
// (record, digests, padding, final tag, nothing after it). The envelope id is whoever reads the
// bytes' business: ReadAheadSource computes it on its own thread.
Status OpenPayload(const EnvelopeHeader& header, const SecretBuffer& file_key, ByteSource& in,
                   TestimonySink& sink);

// Computes an envelope's id without any key (SHA-256 of all its bytes).
Result<EnvelopeId> ComputeEnvelopeId(ByteSource& in);

// Runs the plaintext-stream rules over already-decrypted bytes, as OpenPayload does after each
// chunk. For fuzzing: a malicious sealer controls these bytes completely.
Status ParsePlaintextStream(std::span<const uint8_t> plaintext, TestimonySink& sink);

// Encoding of the Testimony record (protobuf wire format, written and read by hand so that
// plaintext never leaves SecretBuffers). Exposed for tests and fuzzing.
SecretBuffer EncodeTestimonyRecord(const TestimonyInput& input);
// Views point into `record`. Only the canonical encoding that EncodeTestimonyRecord writes is
// accepted (PROTOCOL.md 3.7): fields in order, no empty field written out, minimal varints.
Result<TestimonyView> DecodeTestimonyRecord(const SecretBuffer& record);

}  // namespace gavah
