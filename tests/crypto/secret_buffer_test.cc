#include "gavah/crypto/secret_buffer.h"

#include <gtest/gtest.h>

#include <cstring>

namespace gavah {
namespace {

TEST(SecretBufferTest, StartsZeroedAndGrowsKeepingContents) {
  ASSERT_TRUE(InitCrypto());
  SecretBuffer b(16);
  for (size_t i = 0; i < b.size(); ++i) EXPECT_EQ(b.data()[i], 0);
  b.Append(std::string_view("abc"));
  for (int i = 0; i < 1000; ++i) b.PushBack(static_cast<uint8_t>(i));
  EXPECT_EQ(b.size(), 16u + 3 + 1000);
  EXPECT_EQ(b.view().substr(16, 3), "abc");
  EXPECT_EQ(b.data()[16 + 3 + 999], static_cast<uint8_t>(999));
}

TEST(SecretBufferTest, MoveLeavesSourceEmpty) {
  SecretBuffer a =
      SecretBuffer::CopyOf(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("key"), 3));
  SecretBuffer b = std::move(a);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the contract under test
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(b.view(), "key");
}

TEST(SecretBufferTest, EqualsComparesContentsAndSize) {
  SecretBuffer a =
      SecretBuffer::CopyOf(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("abcd"), 4));
  const uint8_t same[] = {'a', 'b', 'c', 'd'};
  const uint8_t other[] = {'a', 'b', 'c', 'e'};
  EXPECT_TRUE(a.Equals(same));
  EXPECT_FALSE(a.Equals(other));
  EXPECT_FALSE(a.Equals(std::span<const uint8_t>(same, 3)));
}

TEST(SecretBufferTest, ShrinkingWipesTheTail) {
  SecretBuffer a(8);
  std::memset(a.data(), 0xAA, 8);
  a.Resize(2);
  a.Resize(8);
  for (size_t i = 2; i < 8; ++i) EXPECT_EQ(a.data()[i], 0) << i;
}

TEST(SecretBufferTest, AdoptWrittenKeepsBytesWrittenInPlace) {
  SecretBuffer a;
  a.Reserve(16);
  std::memcpy(a.data(), "hello", 5);
  a.AdoptWritten(5);
  EXPECT_EQ(a.view(), "hello");
}

}  // namespace
}  // namespace gavah
