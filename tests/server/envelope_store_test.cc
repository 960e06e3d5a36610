#include "envelope_store.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>
#include <fstream>

#include "support/test_support.h"

namespace gavah::server {
namespace {

namespace fs = std::filesystem;

class EnvelopeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto());
    char tmpl[] = "/tmp/gavah-store-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    key_ = SecretBuffer(32);
    randombytes_buf(key_.data(), 32);
    auto s = EnvelopeStore::Open((dir_ / "store.db").string(), key_, true);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  Digest32 Id(uint8_t b) {
    Digest32 d{};
    d.fill(b);
    return d;
  }
  fs::path dir_;
  SecretBuffer key_;
  std::unique_ptr<EnvelopeStore> store_;
};

TEST_F(EnvelopeStoreTest, CompletedUploadsGetConsecutiveLogIndexesAndTheirHour) {
  for (uint8_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->BeginUpload(Id(i), 5, 0, 7200).ok());
    ASSERT_TRUE(store_->AppendChunk(Id(i), testing::Bytes("abcde"), 7200).ok());
    auto r = store_->Complete(Id(i), 7200);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->log_index, i);
    EXPECT_EQ(r->received_hour, 7200u);
    EXPECT_EQ(store_->FindEntry(Id(i)).value()->log_index, i);
  }
  EXPECT_EQ(store_->BytesUsed().value(), 15u);
  EXPECT_EQ(store_->BeginUpload(Id(0), 5, 0, 7200).code(), ErrorCode::kAlreadyExists);
  // Past INT64_MAX a log position must match nothing, never wrap to the start of the log.
  bool more = true;
  auto none = store_->List(uint64_t{1} << 63, 10, &more);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty()) << "after = 2^63 answered from entry " << (*none)[0].entry.log_index;
  EXPECT_FALSE(more);
  EXPECT_TRUE(store_->FetchReplies(Id(7), ~uint64_t{0}, 16, &more).value().empty());
}

TEST_F(EnvelopeStoreTest, AHalfUploadIsNeverVisibleAndCannotComplete) {
  ASSERT_TRUE(store_->BeginUpload(Id(9), 10, 0, 3600).ok());
  ASSERT_TRUE(store_->AppendChunk(Id(9), testing::Bytes("12345"), 3600).ok());
  EXPECT_FALSE(store_->FindEntry(Id(9)).value().has_value());
  EXPECT_EQ(store_->Complete(Id(9), 3600).status().code(), ErrorCode::kTruncated);
  EXPECT_EQ(store_->AppendChunk(Id(9), testing::Bytes("123456"), 3600).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->BeginUpload(Id(9), 10, 0, 3600).code(), ErrorCode::kInvalidArgument)
      << "wrong resume offset";
  EXPECT_TRUE(store_->BeginUpload(Id(9), 10, 5, 3600).ok());
  EXPECT_EQ(store_->BeginUpload(Id(9), 11, 5, 3600).code(), ErrorCode::kInvalidArgument)
      << "size changed";
}

TEST_F(EnvelopeStoreTest, StaleUploadsAreReclaimedAndFreshOnesKept) {
  ASSERT_TRUE(store_->BeginUpload(Id(1), 10, 0, 3600).ok());
  ASSERT_TRUE(store_->AppendChunk(Id(1), testing::Bytes("old"), 3600).ok());
  ASSERT_TRUE(store_->BeginUpload(Id(2), 10, 0, 36000).ok());
  ASSERT_TRUE(store_->AppendChunk(Id(2), testing::Bytes("new"), 36000).ok());
  EXPECT_EQ(store_->DropStaleUploads(7200).value(), 1u);
  EXPECT_EQ(store_->State(Id(1)).value().received, 0u);
  EXPECT_EQ(store_->State(Id(2)).value().received, 3u);
  size_t chunks = 0;
  ASSERT_TRUE(store_
                  ->ReadUpload(Id(1),
                               [&](std::span<const uint8_t>) {
                                 ++chunks;
                                 return Status::Ok();
                               })
                  .ok());
  EXPECT_EQ(chunks, 0u) << "the reclaimed upload's chunks are gone";
}

TEST_F(EnvelopeStoreTest, AnnouncedSizesReserveNothingOnlyAppendedBytesCount) {
  // A flood of uploads announcing large sizes must not take the quota from witnesses.
  ASSERT_TRUE(store_->BeginUpload(Id(1), 60, 0, 3600, /*quota=*/100, /*max_uploads=*/3).ok());
  ASSERT_TRUE(store_->BeginUpload(Id(2), 60, 0, 3600, 100, 3).ok()) << "60 announced, 0 held";
  EXPECT_EQ(store_->BytesUsed().value(), 0u);
  const std::vector<uint8_t> forty(40, 'x'), thirty(30, 'y');
  ASSERT_TRUE(store_->AppendChunk(Id(1), forty, 3600, 100).ok());
  ASSERT_TRUE(store_->AppendChunk(Id(2), forty, 3600, 100).ok());
  EXPECT_EQ(store_->BytesUsed().value(), 80u);
  EXPECT_EQ(store_->AppendChunk(Id(1), thirty, 3600, 100).code(), ErrorCode::kTooLarge)
      << "80 + 30 > 100: the quota holds at every append";
  EXPECT_EQ(store_->BeginUpload(Id(3), 30, 0, 3600, 100, 3).code(), ErrorCode::kTooLarge)
      << "30 cannot fit now";
  EXPECT_EQ(store_->AppendChunk(Id(1), thirty, 3600, 0, /*max_unfinished_bytes=*/100).code(),
            ErrorCode::kTooLarge)
      << "unfinished uploads have a budget of their own";
  ASSERT_TRUE(store_->BeginUpload(Id(4), 1, 0, 3600, 0, 3).ok());
  EXPECT_EQ(store_->BeginUpload(Id(5), 1, 0, 3600, 0, 3).code(), ErrorCode::kTooLarge)
      << "a fourth unfinished upload";
  EXPECT_EQ(store_->BeginUpload(Id(6), ~uint64_t{0}, 0, 3600, 100, 0).code(), ErrorCode::kTooLarge)
      << "no overflow";
  ASSERT_TRUE(store_->DropUpload(Id(2)).ok());
  EXPECT_EQ(store_->BytesUsed().value(), 40u) << "dropping gives back what it held";
  store_.reset();
  auto reopened = EnvelopeStore::Open((dir_ / "store.db").string(), key_, false);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->BytesUsed().value(), 40u) << "held bytes counted again on open";
  EXPECT_EQ((*reopened)->AppendChunk(Id(1), forty, 3600, 0, 60).code(), ErrorCode::kTooLarge)
      << "the unfinished budget is counted again on open";
}

TEST_F(EnvelopeStoreTest, WholeEnvelopesCountAgainstTheQuotaInsideTheirTransaction) {
  const std::vector<uint8_t> a(100, 'a'), b(100, 'b'), c(100, 'c');
  ASSERT_TRUE(store_->BeginUpload(Id(2), 100, 0, 3600).ok());  // b's own upload, replaced below
  const EnvelopeStore::WholeEnvelope batch[] = {{Id(1), a}, {Id(2), b}, {Id(3), c}};
  auto entries = store_->StoreWhole(batch, 3600, /*quota_bytes=*/250);
  ASSERT_TRUE(entries.ok()) << entries.status().message();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_TRUE((*entries)[0].has_value());
  EXPECT_TRUE((*entries)[1].has_value()) << "its upload's reservation is freed, not counted twice";
  EXPECT_FALSE((*entries)[2].has_value()) << "100 + 100 + 100 > 250";
  EXPECT_EQ((*entries)[1]->log_index, 1u);
  EXPECT_FALSE(store_->FindEntry(Id(3)).value().has_value());
  EXPECT_EQ(store_->BytesUsed().value(), 200u);
  ASSERT_TRUE(store_->BeginUpload(Id(4), 30, 0, 3600).ok());
  EXPECT_EQ(store_->BytesUsed().value(), 200u) << "an announced size reserves nothing";
  ASSERT_TRUE(store_->AppendChunk(Id(4), std::vector<uint8_t>(30, 'd'), 3600).ok());
  EXPECT_EQ(store_->BytesUsed().value(), 230u);
  ASSERT_TRUE(store_->DropUpload(Id(4)).ok());
  EXPECT_EQ(store_->BytesUsed().value(), 200u);
  ASSERT_TRUE(store_->BeginUpload(Id(5), 40, 0, 3600).ok());
  ASSERT_TRUE(store_->AppendChunk(Id(5), std::vector<uint8_t>(40, 'e'), 3600).ok());
  store_.reset();  // the count is rebuilt from the tables on open
  auto reopened = EnvelopeStore::Open((dir_ / "store.db").string(), key_, false);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->BytesUsed().value(), 240u);
  EXPECT_EQ((*reopened)->DropStaleUploads(7200).value(), 1u);
  EXPECT_EQ((*reopened)->BytesUsed().value(), 200u);
}

TEST_F(EnvelopeStoreTest, RepliesAndSharesCountAgainstTheQuota) {
  Digest32 mailbox{};
  mailbox.fill(3);
  const std::vector<uint8_t> reply(1000, 'r'), share(257, 's');
  const std::vector<uint8_t> a(16, 'a'), b(16, 'b');
  ASSERT_TRUE(store_->PostReply(mailbox, reply, 0, /*quota_bytes=*/1500).ok());
  EXPECT_EQ(store_->BytesUsed().value(), 1000u);
  EXPECT_EQ(store_->PostReply(mailbox, reply, 0, 1500).status().code(), ErrorCode::kTooLarge);
  ASSERT_TRUE(store_->PostShare(a, b, share, 0, 1500).ok());
  EXPECT_EQ(store_->BytesUsed().value(), 1257u);
  EXPECT_EQ(store_->PostShare(a, b, share, 0, 1500).code(), ErrorCode::kTooLarge);
  EXPECT_EQ(store_->BeginUpload(Id(1), 300, 0, 0, 1500).code(), ErrorCode::kTooLarge)
      << "envelopes and replies share one quota";
  store_.reset();
  auto reopened = EnvelopeStore::Open((dir_ / "store.db").string(), key_, false);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->BytesUsed().value(), 1257u) << "counted again on open";
}

TEST_F(EnvelopeStoreTest, TheWrongKeyIsRefusedAndTheFileIsNotPlainSqlite) {
  ASSERT_TRUE(store_->BeginUpload(Id(1), 3, 0, 3600).ok());
  store_.reset();
  SecretBuffer wrong(32);
  auto s = EnvelopeStore::Open((dir_ / "store.db").string(), wrong, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("database key does not match"), std::string::npos);
  std::ifstream f(dir_ / "store.db", std::ios::binary);
  std::string head(16, '\0');
  f.read(head.data(), 16);
  EXPECT_NE(head.rfind("SQLite format 3", 0), 0u);
  EXPECT_TRUE(EnvelopeStore::Open((dir_ / "store.db").string(), key_, false).ok());
}

}  // namespace
}  // namespace gavah::server
