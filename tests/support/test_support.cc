#include "support/test_support.h"

namespace gavah::testing {

Org MakeOrg(unsigned n, unsigned k, unsigned version) {
  EXPECT_TRUE(InitCrypto());
  OrganisationKey org = OrganisationKey::Generate();
  std::vector<InvestigatorSecretKey> invs;
  BundleContents c;
  c.organisation_name = "Test organisation";
  c.issued_at = 1'760'000'000;
  c.expires_at = c.issued_at + 365 * 86400;
  c.threshold = k;
  for (unsigned i = 0; i < n; ++i) {
    const std::string name = "inv" + std::to_string(i);
    invs.push_back(version == 1 ? InvestigatorSecretKey::GenerateVersion1(name)
                                : InvestigatorSecretKey::Generate(name));
    c.investigators.push_back(invs.back().public_key());
  }
  auto bytes = RecipientBundle::Create(c, org);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  auto bundle = RecipientBundle::Parse(bytes.value());
  EXPECT_TRUE(bundle.ok()) << bundle.status().message();
  return Org{std::move(org), std::move(invs), std::move(bundle).value()};
}

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::string ExpiredBundle(InvestigatorPublicKey* investigator) {
  EXPECT_TRUE(InitCrypto());
  const OrganisationKey org = OrganisationKey::Generate();
  BundleContents c;
  c.issued_at = 1'600'000'000;
  c.expires_at = 1'600'086'400;
  c.threshold = 1;
  c.investigators.push_back(InvestigatorSecretKey::Generate("a").public_key());
  if (investigator != nullptr) *investigator = c.investigators[0];
  auto bytes = RecipientBundle::Create(c, org);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : std::string();
}

std::vector<uint8_t> Pattern(size_t size, uint8_t seed) {
  std::vector<uint8_t> v(size);
  uint32_t x = 2654435761u * (seed + 1u);
  for (auto& b : v) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 24);
  }
  return v;
}

SealedInMemory SealForTest(
    const RecipientBundle& bundle, std::string_view text,
    const std::vector<std::pair<std::string, std::vector<uint8_t>>>& attachments,
    std::optional<PublicKey32> reply_key) {
  TestimonyInput in;
  in.text = SecretBuffer::CopyOf(Bytes(text));
  in.language = SecretBuffer::CopyOf(Bytes("fa"));
  in.reply_public_key = reply_key;
  std::vector<std::unique_ptr<MemorySource>> sources;
  for (const auto& [name, data] : attachments) {
    sources.push_back(std::make_unique<MemorySource>(data));
    AttachmentInput a;
    a.name = SecretBuffer::CopyOf(Bytes(name));
    a.media_type = SecretBuffer::CopyOf(Bytes("application/octet-stream"));
    a.size = data.size();
    a.source = sources.back().get();
    in.attachments.push_back(std::move(a));
  }
  MemorySink sink;
  auto sealed = SealEnvelope(bundle, in, sink);
  EXPECT_TRUE(sealed.ok()) << sealed.status().message();
  SealedInMemory out;
  out.envelope = std::move(sink.data);
  if (sealed.ok()) {
    out.id = sealed->id;
    EXPECT_EQ(sealed->size, out.envelope.size());
  }
  return out;
}

Status CollectingSink::OnTestimony(const TestimonyView& t) {
  text.assign(reinterpret_cast<const char*>(t.text.data()), t.text.size());
  language = t.language;
  event_time = t.event_time;
  event_place = t.event_place;
  reply_key = t.reply_public_key;
  has_reply_xwing_key = t.reply_xwing_public_key.has_value();
  for (const auto& a : t.attachments) {
    names.emplace_back(a.name);
    media_types.emplace_back(a.media_type);
    data.emplace_back();
  }
  return Status::Ok();
}

Status CollectingSink::OnAttachmentData(size_t index, std::span<const uint8_t> bytes) {
  data.at(index).insert(data.at(index).end(), bytes.begin(), bytes.end());
  return Status::Ok();
}

Status CollectingSink::OnAttachmentEnd(size_t index, const Digest32& sha256) {
  EXPECT_EQ(index, digests.size());
  digests.push_back(sha256);
  return Status::Ok();
}

Status OpenWith(std::span<const uint8_t> envelope,
                const std::vector<const InvestigatorSecretKey*>& keys, CollectingSink& sink) {
  MemorySource in(envelope);
  return OpenFrom(in, keys, sink);
}

Status OpenFrom(ByteSource& in, const std::vector<const InvestigatorSecretKey*>& keys,
                CollectingSink& sink) {
  auto header = ReadEnvelopeHeader(in);
  if (!header.ok()) return header.status();
  std::vector<Share> shares;
  for (const auto* k : keys) {
    auto s = OpenShare(header.value(), *k);
    if (s.ok()) {
      shares.push_back(std::move(s).value());
    } else if (s.status().code() != ErrorCode::kNotRecipient) {
      return s.status();
    }
  }
  if (shares.empty()) return Error(ErrorCode::kNotRecipient, "no key opens a share");
  auto key = CombineShares(header.value(), shares);
  if (!key.ok()) return key.status();
  return OpenPayload(header.value(), key.value(), in, sink);
}

}  // namespace gavah::testing
