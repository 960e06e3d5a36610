#include "gavah/crypto/envelope.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include "gavah/crypto/hex.h"
#include "gavah/crypto/padding.h"
#include "support/test_support.h"

namespace gavah {
namespace {

using testing::CollectingSink;
using testing::MakeOrg;
using testing::OpenFrom;
using testing::OpenWith;
using testing::Pattern;
using testing::SealForTest;

// Every test runs on both envelope versions: 1 (X25519 stanzas, secretstream) and 2 (X-Wing
// stanzas, independently authenticated chunks), so each bad input of one is tried on the other.
class EnvelopeTest : public ::testing::TestWithParam<unsigned> {
 protected:
  static void SetUpTestSuite() {
    orgs_[0] = new testing::Org(MakeOrg(3, 2, 1));
    orgs_[1] = new testing::Org(MakeOrg(3, 2, 2));
  }
  static void TearDownTestSuite() {
    delete orgs_[0];
    delete orgs_[1];
  }
  const testing::Org* org() const { return orgs_[GetParam() - 1]; }
  std::vector<const InvestigatorSecretKey*> Keys(std::initializer_list<int> idx) {
    std::vector<const InvestigatorSecretKey*> out;
    for (int i : idx) out.push_back(&org()->investigators[i]);
    return out;
  }
  // Header bytes for n stanzas, and the bytes each chunk adds, in this version.
  size_t Header(size_t n) const {
    return GetParam() == 2 ? kFixedHeaderSizeV2 + n * kStanzaSizeV2 + 32
                           : kFixedHeaderSize + n * kStanzaSize + 32;
  }
  size_t Tag() const { return GetParam() == 2 ? 16 : 17; }
  static testing::Org* orgs_[2];
};
testing::Org* EnvelopeTest::orgs_[2] = {nullptr, nullptr};

// Attachment size whose plaintext stream is exactly `total` bytes, so its last chunk is full.
size_t SizeForExactTotal(uint64_t total) {
  TestimonyInput in;
  in.text = SecretBuffer::CopyOf(testing::Bytes("t"));
  in.language = SecretBuffer::CopyOf(testing::Bytes("fa"));
  AttachmentInput a;
  a.name = SecretBuffer::CopyOf(testing::Bytes("a"));
  a.media_type = SecretBuffer::CopyOf(testing::Bytes("application/octet-stream"));
  size_t size = total;
  for (int i = 0; i < 4; ++i) {
    a.size = size;
    in.attachments.clear();
    AttachmentInput copy;
    copy.name = SecretBuffer::CopyOf(a.name.span());
    copy.media_type = SecretBuffer::CopyOf(a.media_type.span());
    copy.size = size;
    in.attachments.push_back(std::move(copy));
    size = total - 4 - EncodeTestimonyRecord(in).size() - 32;
  }
  return size;
}

TEST_P(EnvelopeTest, RoundTripsAttachmentsOfEverySizeThatMatters) {
  const size_t exact = SizeForExactTotal(2 * kChunkSize);
  for (size_t size : {size_t{0}, size_t{1}, kChunkSize - 1, kChunkSize, kChunkSize + 1, exact - 1,
                      exact, exact + 1, size_t{5} * 1024 * 1024 + 3}) {
    auto data = Pattern(size, static_cast<uint8_t>(size));
    auto sealed = SealForTest(org()->bundle, "t", {{"a", data}});
    CollectingSink sink;
    Status st = OpenWith(sealed.envelope, Keys({0, 2}), sink);
    ASSERT_TRUE(st.ok()) << size << ": " << st.message();
    ASSERT_EQ(sink.data.size(), 1u);
    EXPECT_EQ(sink.data[0], data) << size;
    EXPECT_EQ(sink.digests[0], Sha256Of(data));
    EXPECT_EQ(sealed.id, Sha256Of(sealed.envelope));
  }
}

TEST_P(EnvelopeTest, ExactChunkMultipleEndsWithAFullFinalChunk) {
  const size_t exact = SizeForExactTotal(2 * kChunkSize);
  auto sealed = SealForTest(org()->bundle, "t", {{"a", Pattern(exact, 1)}});
  const size_t header = Header(3);
  EXPECT_EQ(sealed.envelope.size(), header + 2 * (kChunkSize + Tag()));
}

TEST_P(EnvelopeTest, TextFieldsAndReplyKeyArriveIntact) {
  PublicKey32 reply{};
  reply[0] = 42;
  const std::string text(3 * kChunkSize + 5, 'x');
  auto sealed = SealForTest(org()->bundle, text,
                            {{"one.jpg", Pattern(10, 1)}, {"two.mp4", Pattern(0, 2)}}, reply);
  CollectingSink sink;
  ASSERT_TRUE(OpenWith(sealed.envelope, Keys({1, 2}), sink).ok());
  EXPECT_EQ(sink.text, text);
  EXPECT_EQ(sink.language, "fa");
  EXPECT_EQ(sink.names, (std::vector<std::string>{"one.jpg", "two.mp4"}));
  EXPECT_EQ(sink.reply_key, reply);
}

TEST_P(EnvelopeTest, SizeIsPaddedSoShortTestimoniesLookAlike) {
  auto a = SealForTest(org()->bundle, "yes");
  auto b = SealForTest(org()->bundle, std::string(3000, 'y'));
  EXPECT_EQ(a.envelope.size(), b.envelope.size());
}

TEST_P(EnvelopeTest, PlaintextNeverAppearsInTheEnvelope) {
  const std::string marker = "MARKER-KHAVARAN-1988";
  auto sealed = SealForTest(org()->bundle, marker, {{marker + ".jpg", testing::Bytes(marker)}});
  const std::string env(sealed.envelope.begin(), sealed.envelope.end());
  EXPECT_EQ(env.find(marker), std::string::npos);
}

TEST_P(EnvelopeTest, OneKeyOfTwoOfThreeIsNotEnough) {
  auto sealed = SealForTest(org()->bundle, "t");
  CollectingSink sink;
  Status st = OpenWith(sealed.envelope, Keys({1}), sink);
  EXPECT_EQ(st.code(), ErrorCode::kNotEnoughKeys);
  EXPECT_NE(st.message().find("needs 2"), std::string::npos) << st.message();
  EXPECT_TRUE(sink.text.empty());
}

TEST_P(EnvelopeTest, KeyOfAnotherOrganisationIsNotARecipient) {
  auto other = MakeOrg(1, 1, GetParam());
  auto sealed = SealForTest(org()->bundle, "t");
  CollectingSink sink;
  EXPECT_EQ(OpenWith(sealed.envelope, {&other.investigators[0]}, sink).code(),
            ErrorCode::kNotRecipient);
}

TEST_P(EnvelopeTest, EveryFlippedHeaderByteIsRefusedBeforeAnyPlaintext) {
  auto sealed = SealForTest(org()->bundle, "secret", {{"a", Pattern(1000, 3)}});
  const size_t header = Header(3);
  // Every byte of the fixed part and the MAC; in version 2's large stanzas (three X-Wing
  // decapsulations a try) every fifth byte, which reaches both parts of each.
  for (size_t i = 0; i < header;
       i += GetParam() == 2 && i >= kFixedHeaderSizeV2 && i < header - 33 ? 5 : 1) {
    auto bad = sealed.envelope;
    bad[i] ^= 0x40;
    CollectingSink sink;
    Status st = OpenWith(bad, Keys({0, 1, 2}), sink);
    EXPECT_FALSE(st.ok()) << "byte " << i;
    EXPECT_TRUE(sink.text.empty()) << "byte " << i;
  }
}

TEST_P(EnvelopeTest, FlippedPayloadBytesAreTampering) {
  auto sealed = SealForTest(org()->bundle, "t", {{"a", Pattern(3 * kChunkSize, 4)}});
  const size_t header = Header(3);
  for (size_t i = header; i < sealed.envelope.size(); i += 4099) {
    auto bad = sealed.envelope;
    bad[i] ^= 0x01;
    CollectingSink sink;
    EXPECT_EQ(OpenWith(bad, Keys({0, 1}), sink).code(), ErrorCode::kTampered) << i;
  }
  auto bad = sealed.envelope;
  bad.back() ^= 0x80;
  CollectingSink sink;
  EXPECT_EQ(OpenWith(bad, Keys({0, 1}), sink).code(), ErrorCode::kTampered);
}

TEST_P(EnvelopeTest, EveryTruncationIsRefused) {
  auto sealed = SealForTest(org()->bundle, "t", {{"a", Pattern(2 * kChunkSize, 5)}});
  const size_t header = Header(3);
  const size_t n = sealed.envelope.size();
  for (size_t cut :
       {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{49}, header - 1, header, header + 1,
        header + kChunkSize + Tag(), header + kChunkSize + Tag() - 1, n - Tag(), n - 1}) {
    std::vector<uint8_t> part(sealed.envelope.begin(), sealed.envelope.begin() + cut);
    CollectingSink sink;
    Status st = OpenWith(part, Keys({0, 1}), sink);
    EXPECT_FALSE(st.ok()) << cut;
    if (cut >= 1) {
      EXPECT_EQ(st.code(), ErrorCode::kTruncated) << cut << ": " << st.message();
    }
  }
}

TEST_P(EnvelopeTest, AFewBytesOfMagicAreTruncationNotJunk) {
  auto sealed = SealForTest(org()->bundle, "t");
  for (size_t cut = 1; cut < 8; ++cut) {
    std::vector<uint8_t> part(sealed.envelope.begin(), sealed.envelope.begin() + cut);
    CollectingSink sink;
    EXPECT_EQ(OpenWith(part, Keys({0, 1}), sink).code(), ErrorCode::kTruncated) << cut;
  }
}

TEST_P(EnvelopeTest, BytesAfterTheFinalChunkAreRefused) {
  auto sealed = SealForTest(org()->bundle, "t");
  sealed.envelope.push_back(0);
  CollectingSink sink;
  EXPECT_EQ(OpenWith(sealed.envelope, Keys({0, 1}), sink).code(), ErrorCode::kMalformed);
}

TEST_P(EnvelopeTest, NotAnEnvelopeAndUnknownVersionsAreNamed) {
  CollectingSink sink;
  EXPECT_EQ(OpenWith(testing::Bytes("hello world, this is not an envelope at all........"),
                     Keys({0}), sink)
                .code(),
            ErrorCode::kMalformed);
  auto sealed = SealForTest(org()->bundle, "t");
  EXPECT_EQ(sealed.envelope[7], GetParam());
  for (uint8_t unknown : {0, 3, 255}) {
    sealed.envelope[7] = unknown;
    EXPECT_EQ(OpenWith(sealed.envelope, Keys({0, 1}), sink).code(), ErrorCode::kUnsupported);
  }
}

TEST_P(EnvelopeTest, AttachmentThatChangesWhileSealingFails) {
  TestimonyInput in;
  auto data = Pattern(1000, 1);
  MemorySource src(data);
  AttachmentInput a;
  a.name = SecretBuffer::CopyOf(testing::Bytes("a"));
  a.media_type = SecretBuffer::CopyOf(testing::Bytes("x/y"));
  a.size = 1001;  // one more than there is: the file shrank
  a.source = &src;
  in.attachments.push_back(std::move(a));
  MemorySink out;
  EXPECT_EQ(SealEnvelope(org()->bundle, in, out).status().code(), ErrorCode::kIo);

  TestimonyInput in2;
  MemorySource src2(data);
  AttachmentInput b;
  b.name = SecretBuffer::CopyOf(testing::Bytes("a"));
  b.media_type = SecretBuffer::CopyOf(testing::Bytes("x/y"));
  b.size = 999;  // the file grew
  b.source = &src2;
  in2.attachments.push_back(std::move(b));
  MemorySink out2;
  EXPECT_EQ(SealEnvelope(org()->bundle, in2, out2).status().code(), ErrorCode::kIo);
}

TEST_P(EnvelopeTest, SealRefusesInvalidAttachmentNames) {
  TestimonyInput in;
  AttachmentInput a;
  MemorySource src({});
  a.name = SecretBuffer::CopyOf(testing::Bytes("../x"));
  a.media_type = SecretBuffer::CopyOf(testing::Bytes("x/y"));
  a.source = &src;
  in.attachments.push_back(std::move(a));
  MemorySink out;
  EXPECT_EQ(SealEnvelope(org()->bundle, in, out).status().code(), ErrorCode::kInvalidArgument);
}

TEST_P(EnvelopeTest, ComputeEnvelopeIdMatchesTheSealedId) {
  auto sealed = SealForTest(org()->bundle, "t", {{"a", Pattern(100000, 9)}});
  MemorySource in(sealed.envelope);
  EXPECT_EQ(ComputeEnvelopeId(in).value(), sealed.id);
}

// A hostile relabelling: a version 2 envelope read as version 1 (its 1169-byte stanzas taken
// for 81-byte ones) and a version 1 envelope read as version 2. Neither releases plaintext.
TEST_P(EnvelopeTest, AnEnvelopeRelabelledAsTheOtherVersionIsRefused) {
  auto sealed = SealForTest(org()->bundle, "relabelled", {{"a", Pattern(70000, 8)}});
  sealed.envelope[7] = GetParam() == 2 ? 1 : 2;
  CollectingSink sink;
  const Status st = OpenWith(sealed.envelope, Keys({0, 1, 2}), sink);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(sink.text.empty()) << st.message();
  EXPECT_TRUE(sink.data.empty());
}

// Two full chunks of the same size swapped: only the index in each chunk's nonce (version 2) or
// the chain (version 1) refuses it.
TEST_P(EnvelopeTest, TwoChunksOfTheSameSizeSwappedAreTampering) {
  auto sealed = SealForTest(org()->bundle, "t", {{"a", Pattern(3 * kChunkSize, 6)}});
  const size_t header = Header(3), chunk = kChunkSize + Tag();
  ASSERT_GT(sealed.envelope.size(), header + 2 * chunk);
  auto bad = sealed.envelope;
  std::swap_ranges(bad.begin() + header, bad.begin() + header + chunk,
                   bad.begin() + header + chunk);
  CollectingSink sink;
  EXPECT_EQ(OpenWith(bad, Keys({0, 1}), sink).code(), ErrorCode::kTampered);
  EXPECT_TRUE(sink.data.empty() || sink.data[0].empty());
}

// Input for SealEnvelope with attachments read as a witness's files are (a ReadAheadSource over
// an fd: in version 2 the sealer reads it in place and hashes it on its hashing thread) or from
// memory, alternately.
struct FileInput {
  TestimonyInput in;
  std::vector<std::unique_ptr<ByteSource>> sources;
  std::vector<int> fds;
  ~FileInput() {
    sources.clear();
    for (int fd : fds) ::close(fd);
  }
};

void AddAttachment(FileInput& f, const std::vector<uint8_t>& data, bool from_file) {
  if (from_file) {
    const int fd = ::memfd_create("attachment", MFD_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ASSERT_EQ(::lseek(fd, 0, SEEK_SET), 0);
    f.fds.push_back(fd);
    f.sources.push_back(std::make_unique<ReadAheadSource>(fd, "attachment", /*hash=*/true));
  } else {
    f.sources.push_back(std::make_unique<MemorySource>(data));
  }
  AttachmentInput a;
  a.name = SecretBuffer::CopyOf(testing::Bytes("a" + std::to_string(f.in.attachments.size())));
  a.media_type = SecretBuffer::CopyOf(testing::Bytes("application/octet-stream"));
  a.size = data.size();
  a.source = f.sources.back().get();
  f.in.attachments.push_back(std::move(a));
}

// Attachments that start and end inside chunks and inside batches (16 chunks), one after the
// other in the same batch, each as long as a batch or longer: every one keeps its own digest,
// whichever thread computed it.
TEST_P(EnvelopeTest, ManyAttachmentsAcrossChunksAndBatchesKeepTheirOwnDigests) {
  const size_t mib = 1 << 20;
  const std::vector<size_t> sizes = {1,       kChunkSize - 1, 0,   kChunkSize + 1, 3, mib - 7,
                                     mib + 9, 5 * mib / 2,    100, 2 * mib};
  std::vector<std::vector<uint8_t>> data;
  for (size_t i = 0; i < sizes.size(); ++i)
    data.push_back(Pattern(sizes[i], static_cast<uint8_t>(i + 1)));
  // On the SHA extensions (where the machine has them) and on libcrypto.
  for (bool libcrypto : {false, true}) {
    internal::Sha256ForceLibcrypto(libcrypto);
    FileInput f;
    f.in.text = SecretBuffer::CopyOf(testing::Bytes("many"));
    f.in.language = SecretBuffer::CopyOf(testing::Bytes("fa"));
    for (size_t i = 0; i < sizes.size(); ++i) AddAttachment(f, data[i], i % 2 == 0);
    MemorySink out;
    auto sealed = SealEnvelope(org()->bundle, f.in, out);
    internal::Sha256ForceLibcrypto(false);
    ASSERT_TRUE(sealed.ok()) << sealed.status().message();
    EXPECT_EQ(sealed->id, Sha256Of(out.data)) << libcrypto;
    CollectingSink sink;
    ASSERT_TRUE(OpenWith(out.data, Keys({1, 2}), sink).ok());
    ASSERT_EQ(sink.data.size(), sizes.size());
    for (size_t i = 0; i < sizes.size(); ++i) {
      EXPECT_EQ(sink.data[i], data[i]) << i;
      EXPECT_EQ(sink.digests[i], Sha256Of(data[i])) << i;
    }
  }
}

// Opened from a file as the investigator's tools open it (a ReadAheadSource that hands its hash
// over, in version 2, so the id is hashed beside the attachments' digests): the id is the file's
// SHA-256, and a changed, missing or extra byte is refused as from memory.
TEST_P(EnvelopeTest, FromAFileTheIdIsTheFilesSha256AndBadBytesAreStillRefused) {
  const auto big = Pattern((3 << 20) + 5, 4), small = Pattern(70000, 5);
  const auto sealed = SealForTest(org()->bundle, "from a file", {{"a", big}, {"b", small}});
  auto open_file = [&](const std::vector<uint8_t>& bytes, CollectingSink& sink,
                       Digest32* id) -> Status {
    const int fd = ::memfd_create("envelope", MFD_CLOEXEC);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::lseek(fd, 0, SEEK_SET);
    Status st;
    {
      ReadAheadSource in(fd, "envelope", /*hash=*/true);
      st = OpenFrom(in, Keys({0, 2}), sink);
      if (st.ok() && id != nullptr) *id = in.Digest().value();
    }
    ::close(fd);
    return st;
  };
  CollectingSink sink;
  Digest32 id{};
  ASSERT_TRUE(open_file(sealed.envelope, sink, &id).ok());
  EXPECT_EQ(id, Sha256Of(sealed.envelope));
  EXPECT_EQ(id, sealed.id);
  ASSERT_EQ(sink.data.size(), 2u);
  EXPECT_EQ(sink.data[0], big);
  EXPECT_EQ(sink.data[1], small);
  EXPECT_EQ(sink.digests[0], Sha256Of(big));
  EXPECT_EQ(sink.digests[1], Sha256Of(small));

  auto flipped = sealed.envelope;
  flipped[flipped.size() / 2] ^= 1;
  CollectingSink s1;
  EXPECT_EQ(open_file(flipped, s1, nullptr).code(), ErrorCode::kTampered);
  auto truncated = sealed.envelope;
  truncated.pop_back();
  CollectingSink s2;
  EXPECT_EQ(open_file(truncated, s2, nullptr).code(), ErrorCode::kTruncated);
  auto extended = sealed.envelope;
  extended.push_back(0);
  CollectingSink s3;
  EXPECT_EQ(open_file(extended, s3, nullptr).code(), ErrorCode::kMalformed);
}

// An envelope for 60 investigators, whose header (70,206 bytes in version 2) is too long to be
// read in place: the ReadAheadSource then hashes it on its own thread and cannot hand the id
// over, and the open takes the other path. The id is still the file's SHA-256.
TEST_P(EnvelopeTest, AHeaderTooLongToReadInPlaceStillGivesTheFilesId) {
  static const testing::Org* wide[2] = {new testing::Org(MakeOrg(60, 2, 1)),
                                        new testing::Org(MakeOrg(60, 2, 2))};
  const testing::Org& org60 = *wide[GetParam() - 1];
  const auto data = Pattern((2 << 20) + 11, 6);
  const auto sealed = SealForTest(org60.bundle, "sixty", {{"a", data}});
  const int fd = ::memfd_create("envelope", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, sealed.envelope.data(), sealed.envelope.size()),
            static_cast<ssize_t>(sealed.envelope.size()));
  ::lseek(fd, 0, SEEK_SET);
  {
    ReadAheadSource in(fd, "envelope", /*hash=*/true);
    CollectingSink sink;
    const std::vector<const InvestigatorSecretKey*> keys = {&org60.investigators[7],
                                                            &org60.investigators[59]};
    ASSERT_TRUE(OpenFrom(in, keys, sink).ok());
    ASSERT_EQ(sink.data.size(), 1u);
    EXPECT_EQ(sink.data[0], data);
    EXPECT_EQ(in.Digest().value(), Sha256Of(sealed.envelope));
  }
  ::close(fd);
}

// A file that grows after its end was read: nothing more is read, the digest is of what was
// read, and it comes back at once (a reader started after the end would read the writer's bytes
// and then wait for buffers nobody frees).
TEST(ReadAheadSourceTest, AfterTheEndNothingAppendedIsReadOrHashed) {
  const int fd = ::memfd_create("growing", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  const auto first = Pattern(10, 1);
  ASSERT_EQ(::write(fd, first.data(), first.size()), 10);
  ::lseek(fd, 0, SEEK_SET);
  {
    ReadAheadSource in(fd, "growing", /*hash=*/true);
    std::vector<uint8_t> buf(100);
    ASSERT_EQ(in.Read(buf).value(), 10u);
    const auto more = Pattern(9 << 20, 2);  // more than the reader's 8 buffers
    // Another process appending: the file grows, this fd's offset stays where the reader is.
    ASSERT_EQ(::pwrite(fd, more.data(), more.size(), 10), static_cast<ssize_t>(more.size()));
    std::vector<uint8_t> big(1 << 20);
    EXPECT_EQ(in.Read(big).value(), 0u);
    // Time for a reader thread, were one started, to read and hash what was appended.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(in.Digest().value(), Sha256Of(first));
  }
  ::close(fd);
}

// A consumer that asks to read in place after bytes were already read and hashed here: the
// source keeps its hash, which covers every byte.
TEST(ReadAheadSourceTest, AskingForDirectReadsLateKeepsTheSourcesOwnDigest) {
  const int fd = ::memfd_create("late", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  const auto data = Pattern(200000, 3);
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ::lseek(fd, 0, SEEK_SET);
  {
    ReadAheadSource in(fd, "late", /*hash=*/true);
    std::vector<uint8_t> head(100), rest(data.size());
    ASSERT_EQ(in.Read(head).value(), 100u);
    in.PreferDirectReads();
    EXPECT_TRUE(in.ComputesSha256());
    EXPECT_EQ(in.Read(rest).value(), data.size() - 100);
    EXPECT_EQ(in.Digest().value(), Sha256Of(data));
  }
  ::close(fd);
}

// Refuses everything after a given number of bytes, as a full disk does.
class FullDisk : public ByteSink {
 public:
  explicit FullDisk(size_t room) : room_(room) {}
  Status Write(std::span<const uint8_t> bytes) override {
    if (bytes.size() > room_) return Error(ErrorCode::kIo, "no space left on device");
    room_ -= bytes.size();
    return Status::Ok();
  }
  Status Finish() override { return Status::Ok(); }

 private:
  size_t room_;
};

// Yields `good` bytes, then fails, as a failing disk does under the attachment.
class FailingSource : public ByteSource {
 public:
  explicit FailingSource(size_t good) : good_(good) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (good_ == 0) return Error(ErrorCode::kIo, "input/output error");
    const size_t n = std::min(good_, out.size());
    std::fill_n(out.data(), n, uint8_t{7});
    good_ -= n;
    return n;
  }

 private:
  size_t good_;
};

// A failure at either end of the pipeline, early, in the middle or near the end, is the seal's
// error: no hang, no crash, no success. (Run under AddressSanitizer too: the hashing thread must
// never touch a digest its caller has already dropped.)
TEST_P(EnvelopeTest, AFailingDiskOnEitherSideIsTheSealsErrorNeverAHang) {
  const size_t size = 6 << 20;
  const auto data = Pattern(size, 3);
  // Just past the header: the first batch is what fails.
  for (size_t room : {Header(3) + 100, size_t{1} << 20, size_t{3} << 20, size - 1000}) {
    FileInput f;
    f.in.text = SecretBuffer::CopyOf(testing::Bytes("t"));
    AddAttachment(f, data, true);
    FullDisk out(room);
    auto sealed = SealEnvelope(org()->bundle, f.in, out);
    ASSERT_FALSE(sealed.ok()) << room;
    EXPECT_EQ(sealed.status().code(), ErrorCode::kIo);
    EXPECT_NE(sealed.status().message().find("no space"), std::string::npos);
  }
  for (size_t good : {size_t{0}, size_t{70000}, size_t{3} << 20, size - 1}) {
    TestimonyInput in;
    in.text = SecretBuffer::CopyOf(testing::Bytes("t"));
    FailingSource src(good);
    AttachmentInput a;
    a.name = SecretBuffer::CopyOf(testing::Bytes("a"));
    a.media_type = SecretBuffer::CopyOf(testing::Bytes("x/y"));
    a.size = size;
    a.source = &src;
    in.attachments.push_back(std::move(a));
    MemorySink out;
    auto sealed = SealEnvelope(org()->bundle, in, out);
    ASSERT_FALSE(sealed.ok()) << good;
    EXPECT_EQ(sealed.status().code(), ErrorCode::kIo);
    EXPECT_NE(sealed.status().message().find("input/output"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, EnvelopeTest, ::testing::Values(1u, 2u),
                         [](const auto& info) { return "V" + std::to_string(info.param); });

}  // namespace
}  // namespace gavah
