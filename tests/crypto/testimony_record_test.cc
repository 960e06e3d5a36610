#include <gtest/gtest.h>

#include "gavah/crypto/envelope.h"
#include "gavah/v1/testimony.pb.h"
#include "support/test_support.h"

namespace gavah {
namespace {

using testing::Bytes;

TestimonyInput FullInput() {
  TestimonyInput in;
  in.text = SecretBuffer::CopyOf(Bytes("در تابستان ۱۳۶۷ ..."));
  in.language = SecretBuffer::CopyOf(Bytes("fa"));
  in.event_time = SecretBuffer::CopyOf(Bytes("summer 1988"));
  in.event_place = SecretBuffer::CopyOf(Bytes("Evin prison"));
  for (const char* name : {"photo.jpg", "empty.txt"}) {
    AttachmentInput a;
    a.name = SecretBuffer::CopyOf(Bytes(name));
    a.media_type = SecretBuffer::CopyOf(Bytes("image/jpeg"));
    a.size = std::string(name) == "empty.txt" ? 0 : 300000;
    in.attachments.push_back(std::move(a));
  }
  in.reply_public_key = PublicKey32{7};
  return in;
}

TEST(TestimonyRecordTest, HandEncodingIsByteForByteWhatLibprotobufWrites) {
  ASSERT_TRUE(InitCrypto());
  TestimonyInput in = FullInput();
  SecretBuffer mine = EncodeTestimonyRecord(in);
  gavah::v1::Testimony t;
  t.set_text(std::string(in.text.view()));
  t.set_language("fa");
  t.set_event_time("summer 1988");
  t.set_event_place("Evin prison");
  auto* a = t.add_attachments();
  a->set_name("photo.jpg");
  a->set_media_type("image/jpeg");
  a->set_size(300000);
  a = t.add_attachments();
  a->set_name("empty.txt");
  a->set_media_type("image/jpeg");
  t.set_reply_public_key(
      std::string(reinterpret_cast<const char*>(in.reply_public_key->data()), 32));
  EXPECT_EQ(std::string(mine.view()), t.SerializeAsString());
}

TEST(TestimonyRecordTest, DecodesWhatLibprotobufWrites) {
  gavah::v1::Testimony t;
  t.set_text("hello");
  t.set_event_place("Khavaran");
  auto* a = t.add_attachments();
  a->set_name("a.mp4");
  a->set_media_type("video/mp4");
  a->set_size(12);
  const std::string wire = t.SerializeAsString();
  SecretBuffer rec = SecretBuffer::CopyOf(Bytes(wire));
  auto v = DecodeTestimonyRecord(rec);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->event_place, "Khavaran");
  ASSERT_EQ(v->attachments.size(), 1u);
  EXPECT_EQ(v->attachments[0].name, "a.mp4");
  EXPECT_EQ(v->attachments[0].size, 12u);
  EXPECT_FALSE(v->reply_public_key.has_value());
}

TEST(TestimonyRecordTest, RefusesWhatTheSpecForbids) {
  auto decode = [](const std::string& wire) {
    SecretBuffer rec = SecretBuffer::CopyOf(Bytes(wire));
    return DecodeTestimonyRecord(rec).status().code();
  };
  gavah::v1::Testimony base;
  auto with_name = [&](const std::string& name) {
    gavah::v1::Testimony t;
    auto* a = t.add_attachments();
    a->set_name(name);
    a->set_media_type("image/png");
    return t.SerializeAsString();
  };
  EXPECT_EQ(decode(with_name("../etc/passwd")), ErrorCode::kMalformed);
  EXPECT_EQ(decode(with_name("..")), ErrorCode::kMalformed);
  EXPECT_EQ(decode(with_name("")), ErrorCode::kMalformed);
  EXPECT_EQ(decode(with_name("a\nb")), ErrorCode::kMalformed);
  EXPECT_EQ(decode(with_name(std::string(256, 'x'))), ErrorCode::kMalformed);
  EXPECT_EQ(decode(std::string("\x0a\x05hi")), ErrorCode::kMalformed);  // length past the end
  EXPECT_EQ(decode(std::string("\x3a\x01x")), ErrorCode::kMalformed);   // unknown field 7
  EXPECT_EQ(decode(std::string("\x08\x01")), ErrorCode::kMalformed);    // field 1 as varint
  EXPECT_EQ(decode(std::string("\x12\x01x\x12\x01y")), ErrorCode::kMalformed);  // language twice
  EXPECT_EQ(decode(std::string("\x32\x03xyz")), ErrorCode::kMalformed);         // short reply key
  EXPECT_EQ(decode(std::string("\x1a\x02\xc3\x28")), ErrorCode::kMalformed);    // bad UTF-8 time
  EXPECT_EQ(decode(std::string("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01")),
            ErrorCode::kMalformed);
}

}  // namespace
}  // namespace gavah
