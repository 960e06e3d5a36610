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

TEST_F(EnvelopeStoreTest, QuotaAndUnfinishedUploadLimitsAreCheckedAtomically) {
  ASSERT_TRUE(store_->BeginUpload(Id(1), 60, 0, 3600, /*quota=*/100, /*max_uploads=*/2).ok());
  EXPECT_EQ(store_->BeginUpload(Id(2), 41, 0, 3600, 100, 2).code(), ErrorCode::kTooLarge)
      << "60 + 41 > 100";
  ASSERT_TRUE(store_->BeginUpload(Id(3), 40, 0, 3600, 100, 2).ok());
  EXPECT_EQ(store_->BeginUpload(Id(4), 1, 0, 3600, 0, 2).code(), ErrorCode::kTooLarge)
      << "a third unfinished upload";
  EXPECT_EQ(store_->BeginUpload(Id(5), ~uint64_t{0}, 0, 3600, 100, 0).code(), ErrorCode::kTooLarge)
      << "no overflow";
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
  EXPECT_EQ(store_->BytesUsed().value(), 230u);
  ASSERT_TRUE(store_->DropUpload(Id(4)).ok());
  EXPECT_EQ(store_->BytesUsed().value(), 200u);
  ASSERT_TRUE(store_->BeginUpload(Id(5), 40, 0, 3600).ok());
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
