#include <gtest/gtest.h>

#include "gavah/crypto/envelope.h"
#include "gavah/crypto/hex.h"
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
  EXPECT_EQ(decode(std::string("\x42\x01x")), ErrorCode::kMalformed);   // unknown field 8
  EXPECT_EQ(decode(std::string("\x08\x01")), ErrorCode::kMalformed);    // field 1 as varint
  EXPECT_EQ(decode(std::string("\x12\x01x\x12\x01y")), ErrorCode::kMalformed);  // language twice
  EXPECT_EQ(decode(std::string("\x32\x03xyz")), ErrorCode::kMalformed);         // short reply key
  EXPECT_EQ(decode(std::string("\x1a\x02\xc3\x28")), ErrorCode::kMalformed);    // bad UTF-8 time
  EXPECT_EQ(decode(std::string("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01")),
            ErrorCode::kMalformed);
}

// Wire bytes from hex digits, spaces ignored.
std::string Wire(std::string_view hex) {
  std::string digits;
  for (char c : hex) {
    if (c != ' ') digits.push_back(c);
  }
  const auto b = FromHex(digits).value();
  return {b.begin(), b.end()};
}

// Only the canonical encoding is a testimony record (PROTOCOL.md 3.7): each of these decodes to
// a valid testimony under a lenient protobuf reader.
TEST(TestimonyRecordTest, RefusesNonCanonicalEncodings) {
  auto decode = [](const std::string& wire) {
    SecretBuffer rec = SecretBuffer::CopyOf(Bytes(wire));
    return DecodeTestimonyRecord(rec).status().code();
  };
  const std::string text = Wire("0a 02 6869"), language = Wire("12 02 656e");
  // name "a", media_type "text", size 5
  const std::string attachment = Wire("2a 0b 0a0161 120474657874 1805");
  const std::string reply_key = Wire("32 20") + std::string(32, '\x07');
  ASSERT_EQ(decode(text + language + attachment + attachment + reply_key), ErrorCode::kOk);

  EXPECT_EQ(decode(language + text), ErrorCode::kMalformed) << "fields out of order";
  EXPECT_EQ(decode(text + reply_key + attachment), ErrorCode::kMalformed) << "out of order";
  EXPECT_EQ(decode(attachment + reply_key + attachment), ErrorCode::kMalformed)
      << "attachments apart";
  EXPECT_EQ(decode(text + text), ErrorCode::kMalformed) << "text twice";
  EXPECT_EQ(decode(Wire("0a 00")), ErrorCode::kMalformed) << "empty text";
  EXPECT_EQ(decode(text + Wire("12 00")), ErrorCode::kMalformed) << "empty language";
  EXPECT_EQ(decode(Wire("1a 00")), ErrorCode::kMalformed) << "empty event time";
  EXPECT_EQ(decode(Wire("22 00")), ErrorCode::kMalformed) << "empty event place";
  EXPECT_EQ(decode(Wire("0a 8200 6869")), ErrorCode::kMalformed) << "non-minimal length";
  EXPECT_EQ(decode(Wire("8a00 02 6869")), ErrorCode::kMalformed) << "non-minimal field key";
  EXPECT_EQ(decode(Wire("2a 0c 0a0161 120474657874 188500")), ErrorCode::kMalformed)
      << "non-minimal attachment size";
  EXPECT_EQ(decode(Wire("2a 0b 120474657874 0a0161 1805")), ErrorCode::kMalformed)
      << "attachment fields out of order";
  EXPECT_EQ(decode(Wire("2a 0b 0a0161 120474657874 1800")), ErrorCode::kMalformed)
      << "attachment size 0 written out";
  EXPECT_EQ(decode(Wire("2a 09 0a0161 120474657874")), ErrorCode::kOk)
      << "size 0 is written by omitting it";
  EXPECT_EQ(decode(Wire("2a 00")), ErrorCode::kMalformed) << "empty attachment";
}

TEST(TestimonyRecordTest, RefusesC1ControlsInPrintableFields) {
  auto decode = [](const std::string& wire) {
    SecretBuffer rec = SecretBuffer::CopyOf(Bytes(wire));
    return DecodeTestimonyRecord(rec).status().code();
  };
  gavah::v1::Testimony t;
  auto* a = t.add_attachments();
  a->set_name("photo\xc2\x85.jpg");  // U+0085 NEXT LINE
  a->set_media_type("image/jpeg");
  EXPECT_EQ(decode(t.SerializeAsString()), ErrorCode::kMalformed);
  a->set_name("photo\xc2\xa0.jpg");  // U+00A0 NO-BREAK SPACE is printable
  EXPECT_EQ(decode(t.SerializeAsString()), ErrorCode::kOk);
  gavah::v1::Testimony lang;
  lang.set_language("en\xc2\x80");
  EXPECT_EQ(decode(lang.SerializeAsString()), ErrorCode::kMalformed);
}

TEST(TestimonyRecordTest, ConsentIsWhatLibprotobufWritesAndReadsBack) {
  TestimonyInput in = FullInput();
  in.consent = std::vector<std::string_view>{"contact-again", "investigators", "un-mechanism"};
  SecretBuffer mine = EncodeTestimonyRecord(in);
  gavah::v1::Testimony t;
  ASSERT_TRUE(t.ParseFromString(std::string(mine.view())));
  ASSERT_EQ(t.consent_size(), 3);
  EXPECT_EQ(t.consent(1), "investigators");
  EXPECT_EQ(std::string(mine.view()), t.SerializeAsString());
  auto v = DecodeTestimonyRecord(mine);
  ASSERT_TRUE(v.ok()) << v.status().message();
  ASSERT_TRUE(v->consent.has_value());
  EXPECT_EQ(v->consent->size(), 3u);
  EXPECT_EQ((*v->consent)[2], "un-mechanism");
  // No consent field: not asked, which is not the same as asked and allowing nothing.
  in.consent.reset();
  SecretBuffer without = EncodeTestimonyRecord(in);
  EXPECT_FALSE(DecodeTestimonyRecord(without)->consent.has_value());
}

TEST(TestimonyRecordTest, RefusesConsentTheSpecForbids) {
  auto decode = [](std::vector<std::string> tokens) {
    gavah::v1::Testimony t;
    t.set_text("x");
    for (auto& tok : tokens) t.add_consent(tok);
    SecretBuffer rec = SecretBuffer::CopyOf(Bytes(t.SerializeAsString()));
    return DecodeTestimonyRecord(rec).status().code();
  };
  EXPECT_EQ(decode({"investigators"}), ErrorCode::kOk);
  EXPECT_EQ(decode({"a-later-permission"}), ErrorCode::kOk) << "unknown but well formed";
  EXPECT_EQ(decode({"un-mechanism", "investigators"}), ErrorCode::kMalformed) << "out of order";
  EXPECT_EQ(decode({"investigators", "investigators"}), ErrorCode::kMalformed) << "repeated";
  EXPECT_EQ(decode({""}), ErrorCode::kMalformed) << "empty token";
  EXPECT_EQ(decode({"Investigators"}), ErrorCode::kMalformed) << "upper case";
  EXPECT_EQ(decode({"un mechanism"}), ErrorCode::kMalformed) << "space";
  EXPECT_EQ(decode({std::string(33, 'a')}), ErrorCode::kMalformed) << "too long";
  std::vector<std::string> many;
  for (char c = 'a'; c <= 'q'; ++c) many.push_back(std::string(1, c));
  EXPECT_EQ(decode(many), ErrorCode::kMalformed) << "17 tokens";
  many.pop_back();
  EXPECT_EQ(decode(many), ErrorCode::kOk) << "16 tokens";
  // A consent token after nothing else but before the reply key breaks field order.
  gavah::v1::Testimony t;
  t.set_text("x");
  t.add_consent("investigators");
  std::string wire = t.SerializeAsString() + std::string("\x32\x20") + std::string(32, '\x01');
  SecretBuffer rec = SecretBuffer::CopyOf(Bytes(wire));
  EXPECT_EQ(DecodeTestimonyRecord(rec).status().code(), ErrorCode::kMalformed);
}

TEST(TestimonyRecordTest, TheXWingReplyKeyIsField8AndOnlyWithTheReplyKey) {
  ASSERT_TRUE(InitCrypto());
  TestimonyInput in = FullInput();
  const auto key = InvestigatorSecretKey::Generate("reply").public_key().xwing_key;
  in.reply_xwing_public_key = key;
  SecretBuffer mine = EncodeTestimonyRecord(in);
  gavah::v1::Testimony t;
  ASSERT_TRUE(t.ParseFromString(std::string(mine.view())));
  EXPECT_EQ(t.reply_xwing_public_key(),
            std::string(reinterpret_cast<const char*>(key->data()), key->size()));
  EXPECT_EQ(std::string(mine.view()), t.SerializeAsString()) << "what libprotobuf writes";
  auto view = DecodeTestimonyRecord(mine);
  ASSERT_TRUE(view.ok()) << view.status().message();
  EXPECT_EQ(view->reply_xwing_public_key, key);
  // Without field 6 it could name no mailbox; with another size it is no X-Wing key.
  t.clear_reply_public_key();
  EXPECT_FALSE(DecodeTestimonyRecord(SecretBuffer::CopyOf(Bytes(t.SerializeAsString()))).ok());
  t.set_reply_public_key(std::string(32, '\x07'));
  t.set_reply_xwing_public_key(std::string(1215, 'x'));
  EXPECT_FALSE(DecodeTestimonyRecord(SecretBuffer::CopyOf(Bytes(t.SerializeAsString()))).ok());
  // Field 9 is unknown.
  std::string bad = std::string(mine.view()) + std::string("\x4a\x01x", 3);
  EXPECT_FALSE(DecodeTestimonyRecord(SecretBuffer::CopyOf(Bytes(bad))).ok());
}

TEST(TestimonyRecordTest, AVersion1EnvelopeLeavesTheXWingReplyKeyOut) {
  // Version 1 readers do not know field 8, so a version 1 envelope must not carry it.
  auto v1 = testing::MakeOrg(1, 1, 1);
  auto v2 = testing::MakeOrg(1, 1, 2);
  for (auto* org : {&v1, &v2}) {
    TestimonyInput in;
    in.text = SecretBuffer::CopyOf(Bytes("t"));
    in.reply_public_key = PublicKey32{9};
    in.reply_xwing_public_key = InvestigatorSecretKey::Generate("r").public_key().xwing_key;
    MemorySink out;
    ASSERT_TRUE(SealEnvelope(org->bundle, in, out).ok());
    testing::CollectingSink sink;
    ASSERT_TRUE(testing::OpenWith(out.data, {&org->investigators[0]}, sink).ok());
    EXPECT_EQ(sink.reply_key, PublicKey32{9});
    EXPECT_EQ(sink.has_reply_xwing_key, org == &v2);
  }
}

TEST(TestimonyRecordTest, SealRefusesAnEmptyConsentAndABadToken) {
  ASSERT_TRUE(InitCrypto());
  const testing::Org org = testing::MakeOrg(1, 1);
  for (auto consent : {std::vector<std::string_view>{}, std::vector<std::string_view>{"Bad!"}}) {
    TestimonyInput in;
    in.text = SecretBuffer::CopyOf(Bytes("x"));
    in.consent = consent;
    MemorySink sink;
    auto sealed = SealEnvelope(org.bundle, in, sink);
    EXPECT_EQ(sealed.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(sink.data.empty()) << "nothing written before the input is checked";
  }
}

}  // namespace
}  // namespace gavah
