// The relay's parts on their own: cover sizes against real envelopes, a queue that keeps no
// arrival order, and the per-connection limiter.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "accept_guard.h"
#include "envelope_store.h"
#include "forwarder.h"
#include "intake_service.h"
#include "relay_book.h"
#include "sqlite_stmt.h"
#include "support/test_support.h"

namespace gavah {
namespace {

namespace fs = std::filesystem;

TEST(RelayCover, CoverHasTheSizeOfARealEnvelopeWithTheSamePaddedPlaintext) {
  ASSERT_TRUE(InitCrypto());
  for (unsigned n : {1u, 3u}) {
    const testing::Org org = testing::MakeOrg(n, 1);
    for (size_t text : {10u, 1000u, 5000u, 20000u, 60000u}) {
      const auto sealed = testing::SealForTest(org.bundle, std::string(text, 'w'));
      MemorySource src(sealed.envelope);
      auto h = ReadEnvelopeHeader(src);
      ASSERT_TRUE(h.ok());
      // The payload length is a fixed point of the padding, so a cover drawn at that length
      // has exactly this envelope's size.
      EXPECT_EQ(relay::CoverEnvelopeSize(org.bundle, h->payload_length), sealed.envelope.size())
          << "n=" << n << " text=" << text;
    }
  }
}

TEST(RelayQueue, RowsAndLogIndexesKeepNoArrivalOrder) {
  ASSERT_TRUE(InitCrypto());
  const fs::path dir = fs::temp_directory_path() / ("gavah-relay-unit-" + std::to_string(getpid()));
  fs::create_directories(dir);
  SecretBuffer key(32);
  randombytes_buf(key.data(), key.size());
  const std::string path = (dir / "queue.db").string();
  std::vector<Digest32> arrived;
  {
    auto q = server::EnvelopeStore::Open(path, key, true, /*unordered=*/true);
    ASSERT_TRUE(q.ok()) << q.status().message();
    for (int i = 0; i < 40; ++i) {
      std::vector<uint8_t> bytes(100, static_cast<uint8_t>(i));
      const Digest32 id = Sha256Of(bytes);
      const server::EnvelopeStore::WholeEnvelope e{id, bytes};
      ASSERT_TRUE((*q)->StoreWhole({&e, 1}, 0).ok());
      arrived.push_back(id);
    }
    // A chunked upload gets random rows too.
    std::vector<uint8_t> big(3000, 0xee);
    const Digest32 id = Sha256Of(big);
    ASSERT_TRUE((*q)->BeginUpload(id, big.size(), 0, 0).ok());
    for (int c = 0; c < 3; ++c)
      ASSERT_TRUE((*q)->AppendChunk(id, {big.data() + c * 1000, 1000}, 0).ok());
    ASSERT_TRUE((*q)->Complete(id, 0).ok());
    // The book reads the queue on its own connection: chunks as stored, and a sample that
    // carries small envelopes whole with their organisation id (bytes 8..23).
    auto book = relay::RelayBook::Open(path, key);
    ASSERT_TRUE(book.ok()) << book.status().message();
    auto lengths = (*book)->ChunkLengths(id);
    ASSERT_TRUE(lengths.ok());
    EXPECT_EQ(*lengths, (std::vector<uint64_t>{1000, 1000, 1000}));
    // Recording a forwarded receipt takes the envelope out of the queue in the same transaction.
    Receipt r;
    r.envelope_id = arrived[0];
    auto freed = (*book)->RecordForwarded({r}, 3600);
    ASSERT_TRUE(freed.ok());
    EXPECT_EQ(*freed, 100u);
    auto left = (*q)->FindEntry(arrived[0]);
    ASSERT_TRUE(left.ok());
    EXPECT_FALSE(left->has_value());
    auto kept = (*book)->FindForwarded(arrived[0]);
    ASSERT_TRUE(kept.ok() && kept->has_value());
    auto sample = (*book)->Sample(100, 1000, 1 << 20);
    ASSERT_TRUE(sample.ok());
    EXPECT_EQ(sample->size(), 40u);
    for (const auto& e : *sample) {
      EXPECT_EQ(e.organisation[0], e.size == 3000 ? 0xee : e.bytes.data()[8]);
      EXPECT_EQ(e.bytes.size(), e.size == 3000 ? 0u : 100u) << "only small envelopes come whole";
    }
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_TRUE(sql::KeyRaw(db, key));
  auto order = [&](const char* q) {
    std::vector<Digest32> ids;
    sql::Stmt s(db, q);
    while (s.Step() == SQLITE_ROW) {
      Digest32 id{};
      const auto b = s.Blob(0);
      if (b.size() == 32) std::copy(b.begin(), b.end(), id.begin());
      ids.push_back(id);
    }
    return ids;
  };
  std::vector<Digest32> expected(arrived.begin() + 1, arrived.end());
  const auto by_rowid = order("SELECT id FROM envelopes WHERE length(id)=32 ORDER BY rowid");
  const auto by_index = order("SELECT id FROM envelopes ORDER BY log_index");
  const auto chunk_rows = order("SELECT owner FROM chunks WHERE seq=0 ORDER BY rowid");
  ASSERT_EQ(by_rowid.size(), expected.size() + 1);
  auto filtered = [&](std::vector<Digest32> v) {
    std::erase_if(v, [&](const Digest32& d) {
      return std::find(expected.begin(), expected.end(), d) == expected.end();
    });
    return v;
  };
  // 39! orders: arrival order by chance is out of the question.
  EXPECT_NE(filtered(by_rowid), expected);
  EXPECT_NE(filtered(by_index), expected);
  EXPECT_NE(filtered(chunk_rows), expected);
  sqlite3_close(db);
  fs::remove_all(dir);
}

TEST(ConnectionLimiter, RefusesCallsBeyondTheRatePerConnectionOnly) {
  server::ConnectionLimiter limiter(5, 0);
  int admitted = 0;
  for (int i = 0; i < 30; ++i) admitted += limiter.AdmitCall("ipv4:127.0.0.1:1000");
  // A burst of two seconds' worth, plus what refilled while looping (far under a second).
  EXPECT_GE(admitted, 10);
  EXPECT_LE(admitted, 12);
  EXPECT_TRUE(limiter.AdmitCall("ipv4:127.0.0.1:1001")) << "another connection has its own bucket";
  server::ConnectionLimiter off(0, 0);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(off.AdmitCall("x"));
}

TEST(ConnectionLimiter, WhenFullOfActiveConnectionsNewOnesAreRefusedAndKnownOnesServed) {
  server::ConnectionLimiter limiter(1000, 0);
  for (size_t i = 0; i < server::ConnectionLimiter::kMaxConnections; ++i)
    ASSERT_TRUE(limiter.AdmitCall("ipv4:10.0.0.1:" + std::to_string(i)));
  EXPECT_FALSE(limiter.AdmitCall("ipv4:10.0.0.2:1")) << "a flood of connections is not untracked";
  EXPECT_TRUE(limiter.AdmitCall("ipv4:10.0.0.1:7")) << "a known connection keeps its bucket";
}

TEST(RelayQueue, QuotaCountNeverWrapsWhenAnotherProcessReservedWhatIsDropped) {
  ASSERT_TRUE(InitCrypto());
  const fs::path dir = fs::temp_directory_path() / ("gavah-relay-wrap-" + std::to_string(getpid()));
  fs::create_directories(dir);
  SecretBuffer key(32);
  randombytes_buf(key.data(), key.size());
  const std::string path = (dir / "queue.db").string();
  auto relay = server::EnvelopeStore::Open(path, key, true, true);
  ASSERT_TRUE(relay.ok());
  // `gavah-relay import` in another process begins an upload the running relay never counted.
  auto import = server::EnvelopeStore::Open(path, key, false, true);
  ASSERT_TRUE(import.ok());
  Digest32 id{};
  id.fill(7);
  ASSERT_TRUE((*import)->BeginUpload(id, 5000, 0, 0).ok());
  // The running relay reclaims it as abandoned: its count must stay at zero, not wrap.
  auto dropped = (*relay)->DropStaleUploads(3600);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 1u);
  EXPECT_EQ((*relay)->BytesUsed().value(), 0u);
  std::vector<uint8_t> bytes(100, 1);
  const Digest32 small = Sha256Of(bytes);
  const server::EnvelopeStore::WholeEnvelope e{small, bytes};
  auto stored = (*relay)->StoreWhole({&e, 1}, 0, /*quota_bytes=*/1000);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE((*stored)[0].has_value()) << "a wrapped count would refuse everything as over quota";
  relay->reset();
  import->reset();
  fs::remove_all(dir);
}

TEST(ConnectionLimiter, SourcesAreAddressesWithoutPortsAndLoopbackIsNone) {
  // New connections from one address share its source limit; Tor and local relays (loopback)
  // are many people behind one address, so they are not limited as one.
  EXPECT_EQ(server::SourceOf("ipv4:203.0.113.7:41000"), "ipv4:203.0.113.7");
  EXPECT_EQ(server::SourceOf("ipv4:203.0.113.7:41001"), server::SourceOf("ipv4:203.0.113.7:9"));
  EXPECT_EQ(server::SourceOf("ipv6:[2001:db8::1]:443"), "ipv6:[2001:db8::1]");
  EXPECT_EQ(server::SourceOf("ipv4:127.0.0.1:5000"), "");
  EXPECT_EQ(server::SourceOf("ipv4:127.8.9.1:5000"), "");
  EXPECT_EQ(server::SourceOf("ipv6:[::1]:5000"), "");
  EXPECT_EQ(server::SourceOf("ipv6:[::ffff:127.0.0.1]:5000"), "");
  // As gRPC 1.51 writes IPv6 peers: the brackets percent-encoded.
  EXPECT_EQ(server::SourceOf("ipv6:%5B::1%5D:5000"), "");
  EXPECT_EQ(server::SourceOf("ipv6:%5B2001:db8::1%5D:443"), "ipv6:[2001:db8::1]");
  server::ConnectionLimiter per_source(10, 0);
  int admitted = 0;
  for (int port = 0; port < 100; ++port) {
    admitted += per_source.AdmitCall(server::SourceOf("ipv4:203.0.113.7:" + std::to_string(port)));
  }
  EXPECT_EQ(admitted, 20) << "a burst of two seconds' worth, however many connections";
}

TEST(ConnectionLimiter, SlowsBytesBeyondTheRate) {
  // The limiter says how long to hold the next read (no thread sleeps on it).
  server::ConnectionLimiter limiter(0, 100000);
  EXPECT_EQ(limiter.ThrottleBytes("c", 200000).count(), 0) << "the burst allowance";
  const auto wait = limiter.ThrottleBytes("c", 50000);  // half a second more
  EXPECT_GE(wait.count(), 400);
  EXPECT_LE(wait.count(), 600);
  EXPECT_EQ(limiter.ThrottleBytes("other", 1000).count(), 0) << "per connection";
  EXPECT_LE(limiter.ThrottleBytes("c", 100000000).count(), 10000) << "at most 10 s at a time";
}

}  // namespace
}  // namespace gavah

namespace gavah {
namespace {

// A connection's bytes are credited by gRPC's peer string and counted by its accepted address:
// the two keys must meet, or every large upload would be cut (accept_guard.h).
TEST(UnseenBytes, PeerStringsAndAcceptedAddressesGiveTheSameKey) {
  sockaddr_storage v4{};
  auto* a4 = reinterpret_cast<sockaddr_in*>(&v4);
  a4->sin_family = AF_INET;
  a4->sin_port = htons(41000);
  inet_pton(AF_INET, "203.0.113.7", &a4->sin_addr);
  const std::string k4 = server::SockKeyForTest(v4);
  EXPECT_EQ(server::PeerKeyForTest("ipv4:203.0.113.7:41000"), k4);
  EXPECT_NE(server::PeerKeyForTest("ipv4:203.0.113.7:41001"), k4);
  sockaddr_storage mapped{};
  auto* m6 = reinterpret_cast<sockaddr_in6*>(&mapped);
  m6->sin6_family = AF_INET6;
  m6->sin6_port = htons(41000);
  inet_pton(AF_INET6, "::ffff:203.0.113.7", &m6->sin6_addr);
  EXPECT_EQ(server::SockKeyForTest(mapped), k4) << "an IPv4 client of a [::] listener";
  sockaddr_storage v6{};
  auto* a6 = reinterpret_cast<sockaddr_in6*>(&v6);
  a6->sin6_family = AF_INET6;
  a6->sin6_port = htons(443);
  a6->sin6_scope_id = 2;
  inet_pton(AF_INET6, "fe80::1", &a6->sin6_addr);
  const std::string k6 = server::SockKeyForTest(v6);
  EXPECT_EQ(server::PeerKeyForTest("ipv6:[fe80::1]:443"), k6);
  EXPECT_EQ(server::PeerKeyForTest("ipv6:%5Bfe80::1%5D:443"), k6);
  EXPECT_EQ(server::PeerKeyForTest("ipv6:%5Bfe80::1%25eth0%5D:443"), k6);
  EXPECT_EQ(server::PeerKeyForTest("unix:/tmp/x"), "");
  EXPECT_EQ(server::PeerKeyForTest("ipv4:not-an-address:1"), "");
  EXPECT_EQ(server::PeerKeyForTest("ipv6:%zz"), "");
}

}  // namespace
}  // namespace gavah
