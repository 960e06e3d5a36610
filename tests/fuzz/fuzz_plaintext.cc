// The decrypted plaintext stream and testimony record: a malicious sealer controls every byte
// of it, and the investigator's tool must survive whatever it says.
#include <cstdint>

#include "gavah/crypto/envelope.h"

namespace {

class DiscardingSink : public gavah::TestimonySink {
 public:
  gavah::Status OnTestimony(const gavah::TestimonyView& t) override {
    for (const auto& a : t.attachments) total_ += a.name.size() + a.media_type.size();
    return gavah::Status::Ok();
  }
  gavah::Status OnAttachmentData(size_t, std::span<const uint8_t> bytes) override {
    total_ += bytes.size();
    return gavah::Status::Ok();
  }
  gavah::Status OnAttachmentEnd(size_t, const gavah::Digest32&) override {
    return gavah::Status::Ok();
  }

 private:
  size_t total_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool ready = gavah::InitCrypto();
  (void)ready;
  DiscardingSink sink;
  (void)gavah::ParsePlaintextStream(std::span<const uint8_t>(data, size), sink);
  gavah::SecretBuffer record = gavah::SecretBuffer::CopyOf(std::span<const uint8_t>(data, size));
  (void)gavah::DecodeTestimonyRecord(record);
  return 0;
}
