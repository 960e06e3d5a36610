// Shared helpers for the tests: bundles and keys without key files, envelopes in memory.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gavah/crypto/bundle.h"
#include "gavah/crypto/envelope.h"
#include "gavah/crypto/keys.h"

namespace gavah::testing {

struct Org {
  OrganisationKey org_key;
  std::vector<InvestigatorSecretKey> investigators;
  RecipientBundle bundle;
};

// n investigators named inv0..inv{n-1}, threshold k, valid for a year from a fixed date; with
// version 2 keys (and so a version 2 bundle) unless `version` is 1.
Org MakeOrg(unsigned n, unsigned k, unsigned version = 2);

std::vector<uint8_t> Bytes(std::string_view s);

// A validly signed bundle that expired in 2020, with one investigator; the command line cannot
// make one. Returns the bundle file's bytes as a string, and the investigator's public key.
std::string ExpiredBundle(InvestigatorPublicKey* investigator = nullptr);
std::vector<uint8_t> Pattern(size_t size, uint8_t seed);

// A testimony with the given text and attachments (name, bytes) sealed for `bundle`.
struct SealedInMemory {
  std::vector<uint8_t> envelope;
  EnvelopeId id{};
};
SealedInMemory SealForTest(
    const RecipientBundle& bundle, std::string_view text,
    const std::vector<std::pair<std::string, std::vector<uint8_t>>>& attachments = {},
    std::optional<PublicKey32> reply_key = std::nullopt);

// Collects what an open produces.
class CollectingSink : public TestimonySink {
 public:
  Status OnTestimony(const TestimonyView& t) override;
  Status OnAttachmentData(size_t index, std::span<const uint8_t> bytes) override;
  Status OnAttachmentEnd(size_t index, const Digest32& sha256) override;

  std::string text, language, event_time, event_place;
  std::optional<PublicKey32> reply_key;
  bool has_reply_xwing_key = false;
  std::vector<std::string> names, media_types;
  std::vector<std::vector<uint8_t>> data;
  std::vector<Digest32> digests;
};

// Opens with the given investigators' keys; returns the status and fills `sink`.
Status OpenWith(std::span<const uint8_t> envelope,
                const std::vector<const InvestigatorSecretKey*>& keys, CollectingSink& sink);
// The same from any source (a ReadAheadSource over a file, as the investigator's tools read).
Status OpenFrom(ByteSource& in, const std::vector<const InvestigatorSecretKey*>& keys,
                CollectingSink& sink);

}  // namespace gavah::testing
