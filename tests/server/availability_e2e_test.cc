// One anonymous machine trying to shut the intake, played against the real gavah-server at its
// default settings: forged uploads that announce sizes they never send, streams that never send
// a byte, streams that trickle, and a flood of connections that runs the server out of
// descriptors. After each, a real witness must still deliver.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "gavah/crypto/envelope.h"
#include "gavah/crypto/io.h"
#include "gavah/crypto/pow.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "support/process.h"
#include "support/raw_h2.h"
#include "support/server_fixture.h"
#include "support/test_support.h"

namespace gavah {
namespace {

using testing::Outcome;
using testing::ReadText;
using testing::WriteText;

class AvailabilityTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    ASSERT_EQ(Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--threshold", "1",
                   "--server", "127.0.0.1:" + std::to_string(port_), "--server-cert", "srv/tls.crt",
                   "--receipt-key", "srv/receipt.pub", "--out", "org.bundle"})
                  .exit_code,
              0);
  }

  void SetConf(const std::string& line) {
    WriteText(dir_ / "srv/server.conf", ReadText(dir_ / "srv/server.conf") + line + "\n");
  }

  // The start of a forged envelope for this organisation, as anyone who has its public bundle
  // can write one: a real header with its payload length changed to `payload` bytes, whose
  // stanzas and MAC then open nothing. *total is the size it announces.
  std::string ForgedHeader(uint64_t payload, uint64_t* total) {
    WriteText(dir_ / "f.txt", "forged");
    EXPECT_EQ(
        Wit({"seal", "--bundle", "org.bundle", "--text-file", "f.txt", "--out", "f.gvh"}).exit_code,
        0);
    std::string env = ReadText(dir_ / "f.gvh");
    const std::vector<uint8_t> whole = testing::Bytes(env);
    MemorySource whole_src(whole);
    auto sealed = ReadEnvelopeHeader(whole_src);
    EXPECT_TRUE(sealed.ok());
    std::string head = env.substr(0, sealed.ok() ? sealed->raw.size() : 0);
    for (int i = 0; i < 8; ++i) head[26 + i] = static_cast<char>(payload >> (56 - 8 * i));
    const std::vector<uint8_t> bytes = testing::Bytes(head);
    MemorySource src(bytes);
    auto h = ReadEnvelopeHeader(src);
    EXPECT_TRUE(h.ok()) << h.status().message();
    *total = h.ok() ? h->envelope_size() : 0;
    return head;
  }

  // Starts a forged upload on `stub`: the header, announcing `total` bytes, then nothing more;
  // with `pay`, with the work the server asks for, as a determined flooder would do.
  grpc::Status Forge(gavah::v1::Intake::Stub* stub, const std::string& head, uint64_t total,
                     uint32_t n, bool pay = false) {
    gavah::v1::SubmitChunk m;
    std::string id(32, '\0');
    for (int i = 0; i < 4; ++i) id[i] = static_cast<char>(n >> (8 * i));
    m.set_envelope_id(id);
    m.set_total_size(total);
    m.set_data(head);
    if (pay) {
      grpc::ClientContext actx;
      gavah::v1::AdmissionRequest req;
      gavah::v1::AdmissionResponse adm;
      EXPECT_TRUE(stub->GetAdmission(&actx, req, &adm).ok());
      PowSeed seed{};
      std::copy(adm.seed().begin(), adm.seed().end(), seed.begin());
      Digest32 d{};
      std::copy(id.begin(), id.end(), d.begin());
      const uint64_t effort = std::max<uint64_t>(1, adm.effort_per_mib()) * PowUnits(total);
      const auto nonce = PowSolve(seed, d, total, effort, nullptr);
      m.set_pow_seed_head(adm.seed().substr(0, 4));
      m.set_pow_effort(effort);
      m.set_pow_nonce(nonce->data(), nonce->size());
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    gavah::v1::SubmitResponse resp;
    auto w = stub->Submit(&ctx, &resp);
    w->Write(m);
    w->WritesDone();
    return w->Finish();
  }

  // A witness delivers a 4 KiB testimony and a 2 MiB one; how long both took, or -1.
  double Deliver(const std::string& what) {
    const auto start = std::chrono::steady_clock::now();
    WriteText(dir_ / "small.txt", std::string(4000, 's'));
    Outcome a = Wit({"submit", "--bundle", "org.bundle", "--text-file", "small.txt", "--json"});
    EXPECT_EQ(a.exit_code, 0) << what << ": " << a.err;
    Outcome b = Submitted("large", 2 << 20);
    EXPECT_EQ(b.exit_code, 0) << what << ": " << b.err;
    if (a.exit_code != 0 || b.exit_code != 0) return -1;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  Outcome Submitted(const std::string& name, size_t attachment) {
    WriteText(dir_ / (name + ".txt"), "testimony");
    WriteText(dir_ / (name + ".bin"), std::string(attachment, 'x'));
    return Wit({"submit", "--bundle", "org.bundle", "--text-file", name + ".txt", "--attach",
                name + ".bin", "--json"});
  }
};

TEST_F(AvailabilityTest, ForgedUploadsReserveNothingAndLeaveNothing) {
  // A quota the forged uploads would fill twice over if announced sizes were reserved.
  SetConf("quota_bytes = 100000000");
  StartServer();
  uint64_t total = 0;
  const std::string head = ForgedHeader(uint64_t{1} << 25, &total);  // 2^25 is a Padmé length
  ASSERT_GT(total, 32u << 20);
  auto stub = RawClient();
  for (uint32_t i = 0; i < 8; ++i) {
    EXPECT_EQ(Forge(stub.get(), head, total, i).error_code(), grpc::StatusCode::ABORTED);
  }
  EXPECT_GE(Deliver("after forged uploads"), 0);
  StopServer(SIGTERM);
  auto store = OpenStore();
  for (uint32_t i = 0; i < 8; ++i) {
    Digest32 d{};
    d[0] = static_cast<uint8_t>(i);
    EXPECT_EQ(store->State(d).value().received, 0u) << "a cut-off forged upload is not kept";
  }
  EXPECT_LT(store->BytesUsed().value(), 3u << 20) << "only the two testimonies are held";
}

TEST_F(AvailabilityTest, SilentStreamsHoldNoThreadAndWitnessesStillDeliver) {
  StartServer();
  // More silent streams than the server ever had threads, over a dozen connections.
  std::vector<std::unique_ptr<gavah::v1::Intake::Stub>> stubs;
  struct Silent {
    grpc::ClientContext ctx;
    gavah::v1::SubmitResponse resp;
    std::unique_ptr<grpc::ClientWriter<gavah::v1::SubmitChunk>> writer;
  };
  std::vector<std::unique_ptr<Silent>> silent;
  for (int c = 0; c < 12; ++c) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadText(dir_ / "srv/tls.crt");
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("gavah-intake");
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
    args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
    stubs.push_back(gavah::v1::Intake::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(port_), grpc::SslCredentials(ssl), args)));
    for (int s = 0; s < 16; ++s) {
      auto one = std::make_unique<Silent>();
      one->writer = stubs.back()->Submit(&one->ctx, &one->resp);
      silent.push_back(std::move(one));
    }
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const double took = Deliver("with 192 silent streams open");
  EXPECT_GE(took, 0);
  EXPECT_LT(took, 60);
  for (auto& s : silent) s->ctx.TryCancel();
  for (auto& s : silent) (void)s->writer->Finish();
}

// What gRPC buffers for a witness's upload while the store commits stays within a connection's
// unseen-byte limit, here lowered to 3 MiB: with gRPC's bandwidth probing on, windows grew past
// the default 16 MiB on a long upload and the connection was cut. The sync that downloads it is
// not cut either.
TEST_F(AvailabilityTest, ALongUploadAndItsSyncStayWithinTheUnseenByteLimit) {
  SetConf("unseen_bytes_per_connection = 3145728");
  StartServer();
  Outcome sent = Submitted("long", 48 << 20);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  Outcome sync = Inv({"sync", "--key", "a.key", "--bundle", "org.bundle", "--store", "a.db"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_NE(Inv({"list", "--store", "a.db"}).out.find(testing::Field(sent.out, "envelope_id")),
            std::string::npos);
}

// Review calls have capacity of their own: with the intake flooded by silent streams, forged
// uploads and tricklers, an investigator still syncs what a witness sent.
TEST_F(AvailabilityTest, AnInvestigatorSyncsWhileTheIntakeIsFlooded) {
  StartServer();
  Outcome sent = Submitted("before", 1 << 20);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  std::atomic<bool> stop{false};
  std::vector<std::thread> flood;
  uint64_t total = 0;
  const std::string head = ForgedHeader(uint64_t{1} << 24, &total);
  for (int t = 0; t < 12; ++t) {
    flood.emplace_back([&, t] {
      auto stub = RawClient();
      struct Silent {
        grpc::ClientContext ctx;
        gavah::v1::SubmitResponse resp;
        std::unique_ptr<grpc::ClientWriter<gavah::v1::SubmitChunk>> writer;
      };
      std::vector<std::unique_ptr<Silent>> silent;
      // 180 streams that never send a byte, 15 on each connection: the one stream a
      // connection has left (16 at the default) carries forged uploads.
      for (int s = 0; s < 15; ++s) {
        auto one = std::make_unique<Silent>();
        one->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(180));
        one->writer = stub->Submit(&one->ctx, &one->resp);
        silent.push_back(std::move(one));
      }
      for (uint32_t n = 0; !stop; ++n) {  // and forged uploads, one after another
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        gavah::v1::SubmitResponse resp;
        auto w = stub->Submit(&ctx, &resp);
        gavah::v1::SubmitChunk m;
        std::string id(32, static_cast<char>('a' + t));
        for (int i = 0; i < 4; ++i) id[i] = static_cast<char>(n >> (8 * i));
        m.set_envelope_id(id);
        m.set_total_size(total);
        m.set_data(head);
        gavah::v1::SubmitChunk byte;
        byte.set_data(std::string(64, 'b'));
        for (int i = 0; i < 20 && w->Write(i == 0 ? m : byte) && !stop; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        ctx.TryCancel();
        (void)w->Finish();
      }
      for (auto& s : silent) s->ctx.TryCancel();
      for (auto& s : silent) (void)s->writer->Finish();
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const auto start = std::chrono::steady_clock::now();
  Outcome sync = Inv({"sync", "--key", "a.key", "--bundle", "org.bundle", "--store", "a.db"});
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stop = true;
  for (auto& t : flood) t.join();
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_LT(took, 60);
  const std::string listed = Inv({"list", "--store", "a.db", "--json"}).out;
  EXPECT_NE(listed.find(testing::Field(sent.out, "envelope_id")), std::string::npos) << listed;
}

// AddressSanitizer's shadow memory and quarantine make a sanitized server's RSS say nothing
// about its buffers.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRssMeans = false;
#else
constexpr bool kRssMeans = true;
#endif

// The server's peak resident memory so far, from the kernel.
uint64_t PeakRssMib(pid_t pid) {
  const std::string status = ReadText("/proc/" + std::to_string(pid) + "/status");
  const size_t at = status.find("VmHWM:");
  return at == std::string::npos ? 0 : std::stoull(status.substr(at + 6)) / 1024;
}

// Streams whose gRPC message announces 4 GiB and then sends as fast as flow control lets them,
// 16 on each of 64 connections (one source's cap): the server's memory stays bounded and
// witnesses get in. gRPC keeps granting a stream waiting for a message window towards the
// length it announces, before the server sees a byte of it; until connections were held to
// what reached the application (accept_guard.h), this took the server to 523-630 MiB.
TEST_F(AvailabilityTest, MessagesAnnouncingFourGibibytesCostBoundedMemory) {
  StartServer();
  std::vector<std::unique_ptr<testing::RawH2>> conns;
  for (int c = 0; c < 64; ++c) {
    auto h2 = std::make_unique<testing::RawH2>();
    ASSERT_TRUE(h2->Connect(port_));
    for (int s = 0; s < 16; ++s) h2->Open("/gavah.v1.Intake/Submit", 0xffffffffu);
    conns.push_back(std::move(h2));
  }
  uint64_t sent = 0;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(15)) {
    for (auto& h2 : conns) sent += h2->Push(1 << 20);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const uint64_t peak = PeakRssMib(server_);
  std::printf("sent %llu MiB on 1024 streams announcing 4 GiB each; server peak RSS %llu MiB\n",
              static_cast<unsigned long long>(sent >> 20), static_cast<unsigned long long>(peak));
  EXPECT_GT(sent, uint64_t{1} << 20) << "the attack never got going";
  if (kRssMeans) {
    EXPECT_LT(peak, 256u);
  }
  const double took = Deliver("with 1024 streams announcing 4 GiB");
  EXPECT_GE(took, 0);
  EXPECT_LT(took, 60);
  if (kRssMeans) {
    EXPECT_LT(PeakRssMib(server_), 256u);
  }
}

TEST_F(AvailabilityTest, TricklingAndSilentStreamsAreCutOff) {
  SetConf("stream_idle_seconds = 3");
  SetConf("stream_first_message_seconds = 3");
  SetConf("stream_min_bytes_per_second = 1024");
  StartServer();
  auto stub = RawClient();
  {  // never a first message
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    gavah::v1::SubmitResponse resp;
    auto w = stub->Submit(&ctx, &resp);
    const grpc::Status st = w->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::CANCELLED) << st.error_message();
  }
  {  // a real upload's header, then a byte every half second: moving, but far below 1 KiB/s
    uint64_t total = 0;
    const std::string head = ForgedHeader(uint64_t{1} << 22, &total);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    gavah::v1::SubmitResponse resp;
    auto w = stub->Submit(&ctx, &resp);
    gavah::v1::SubmitChunk m;
    m.set_envelope_id(std::string(32, 't'));
    m.set_total_size(total);
    m.set_data(head);
    ASSERT_TRUE(w->Write(m));
    const auto start = std::chrono::steady_clock::now();
    gavah::v1::SubmitChunk byte;
    byte.set_data("b");
    while (w->Write(byte) && std::chrono::steady_clock::now() - start < std::chrono::seconds(25)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    const grpc::Status st = w->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::CANCELLED) << st.error_message();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20))
        << "a trickle must be cut off, not served until the client gives up";
  }
  EXPECT_GE(Deliver("after the trickle"), 0);
}

TEST_F(AvailabilityTest, UnderRaisedEffortWitnessesProveWorkAndFloodersWithoutItAreRefused) {
  SetConf("pow_min_effort = 20000");  // as if under load: every submission must prove work
  StartServer();
  auto stub = RawClient();
  {
    grpc::ClientContext ctx;
    gavah::v1::AdmissionRequest req;
    gavah::v1::AdmissionResponse resp;
    ASSERT_TRUE(stub->GetAdmission(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.seed().size(), 32u);
    EXPECT_EQ(resp.effort_per_mib(), 20000u);
  }
  // A valid envelope without work, and one with work done for another envelope.
  WriteText(dir_ / "v.txt", "valid but unpaid");
  ASSERT_EQ(
      Wit({"seal", "--bundle", "org.bundle", "--text-file", "v.txt", "--out", "v.gvh"}).exit_code,
      0);
  const std::string env = ReadText(dir_ / "v.gvh");
  const Digest32 id = Sha256Of(testing::Bytes(env));
  gavah::v1::SubmitChunk m;
  m.set_envelope_id(std::string(id.begin(), id.end()));
  m.set_total_size(env.size());
  m.set_data(env);
  auto raw = [&](const gavah::v1::SubmitChunk& msg) {
    grpc::ClientContext ctx;
    gavah::v1::SubmitResponse resp;
    auto w = stub->Submit(&ctx, &resp);
    w->Write(msg);
    w->WritesDone();
    return w->Finish();
  };
  grpc::Status unpaid = raw(m);
  EXPECT_EQ(unpaid.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(unpaid.error_message().find("proof of work"), std::string::npos);
  {
    grpc::ClientContext ctx;
    gavah::v1::AdmissionRequest req;
    gavah::v1::AdmissionResponse resp;
    ASSERT_TRUE(stub->GetAdmission(&ctx, req, &resp).ok());
    PowSeed seed{};
    std::copy(resp.seed().begin(), resp.seed().end(), seed.begin());
    Digest32 other = id;
    other[0] ^= 1;
    const auto nonce = PowSolve(seed, other, env.size(), 20000, nullptr);
    ASSERT_TRUE(nonce.has_value());
    m.set_pow_seed_head(resp.seed().substr(0, 4));
    m.set_pow_effort(20000);
    m.set_pow_nonce(nonce->data(), nonce->size());
    EXPECT_EQ(raw(m).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << "work for another envelope does not pay for this one";
    const auto paid = PowSolve(seed, id, env.size(), 20000, nullptr);
    m.set_pow_nonce(paid->data(), paid->size());
    EXPECT_TRUE(raw(m).ok()) << "the same envelope with its own work is taken";
  }
  // The witness tool solves on its own, for a small and a large testimony.
  EXPECT_GE(Deliver("with effort raised"), 0);
  Outcome big = Submitted("again", 3 << 20);
  EXPECT_NE(big.err.find("proving work"), std::string::npos) << big.err;
  StopServer(SIGTERM);
  bool more = false;
  EXPECT_EQ(OpenStore()->List(0, 100, &more).value().size(), 4u);
}

TEST_F(AvailabilityTest, TheEffortRisesUnderLoadAndFallsBackToZeroWhenIdle) {
  SetConf("pow_period_seconds = 1");
  SetConf("max_active_uploads = 1");
  StartServer();
  auto stub = RawClient();
  auto effort = [&] {
    grpc::ClientContext ctx;
    gavah::v1::AdmissionRequest req;
    gavah::v1::AdmissionResponse resp;
    EXPECT_TRUE(stub->GetAdmission(&ctx, req, &resp).ok());
    return resp.effort_per_mib();
  };
  EXPECT_EQ(effort(), 0u) << "idle: no work asked";
  uint64_t total = 0;
  const std::string head = ForgedHeader(uint64_t{1} << 26, &total);
  // One upload holds the only slot, moving fast enough (640 KiB/s) not to be the one cancelled
  // for a newcomer; every other is turned away for load, again and again.
  grpc::ClientContext hold_ctx;
  gavah::v1::SubmitResponse hold_resp;
  auto hold = stub->Submit(&hold_ctx, &hold_resp);
  gavah::v1::SubmitChunk first;
  first.set_envelope_id(std::string(32, 'h'));
  first.set_total_size(total);
  first.set_data(head);
  ASSERT_TRUE(hold->Write(first));
  std::atomic<bool> holding{true};
  std::thread mover([&] {
    gavah::v1::SubmitChunk data;
    data.set_data(std::string(64 << 10, 'd'));
    while (holding && hold->Write(data))
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  });
  uint64_t peak = 0;
  // Bounded by time, not by tries: on a loaded machine each paid try takes longer, and fewer
  // of them fall into each period.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(40);
  for (int i = 0; peak < 64 && std::chrono::steady_clock::now() < until; ++i) {
    EXPECT_NE(Forge(stub.get(), head, total, 1000 + i, /*pay=*/true).error_code(),
              grpc::StatusCode::OK);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    peak = std::max(peak, effort());
  }
  EXPECT_GE(peak, 64u) << "the effort doubles every period with load";
  holding = false;
  hold_ctx.TryCancel();
  mover.join();
  (void)hold->Finish();
  bool back = false;
  for (int i = 0; i < 40 && !back; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    back = effort() == 0;
  }
  EXPECT_TRUE(back) << "and halves back to zero once the load is gone";
}

TEST_F(AvailabilityTest, AWitnessGivesUpOnTooMuchWorkWithAClearMessage) {
  SetConf("pow_min_effort = 4194304");  // the most an intake asks: seconds per MiB here
  StartServer();
  // 20 MiB at the most effort is tens of seconds of work here; allowed one, the witness stops
  // with a clear message and keeps the sealed testimony in the outbox.
  WriteText(dir_ / "heavy.txt", "testimony");
  WriteText(dir_ / "heavy.bin", std::string(20 << 20, 'h'));
  const auto start = std::chrono::steady_clock::now();
  Outcome r = Wit({"submit", "--bundle", "org.bundle", "--text-file", "heavy.txt", "--attach",
                   "heavy.bin", "--max-work-seconds", "1"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("asks for more work than 1 s allow"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("outbox"), std::string::npos) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST_F(AvailabilityTest, AFloodOfValidEnvelopesStopsAtTheWindowAndSmallTestimoniesStillGetIn) {
  // A window of 3 MB, with a reserve of 100 kB that only envelopes up to 20 kB may use.
  SetConf("window_bytes = 3000000");
  SetConf("window_reserve_bytes = 100000");
  SetConf("window_small_bytes = 20000");
  StartServer();
  EXPECT_EQ(Submitted("first", 2 << 20).exit_code, 0);
  Outcome over = Submitted("flood", 2 << 20);
  EXPECT_EQ(over.exit_code, 3) << over.err;
  EXPECT_NE(over.err.find("taken all the testimony it can for now"), std::string::npos) << over.err;
  WriteText(dir_ / "small.txt", "a short testimony still gets in");
  Outcome small = Wit({"submit", "--bundle", "org.bundle", "--text-file", "small.txt"});
  EXPECT_EQ(small.exit_code, 0) << "the reserve is for small testimonies: " << small.err;
  // A restart does not open a new window: what was taken is counted from the store.
  StopServer(SIGTERM);
  StartServer();
  Outcome again = Wit({"outbox", "--retry"});
  EXPECT_EQ(again.exit_code, 3) << again.err;
  EXPECT_NE(again.err.find("taken all the testimony it can for now"), std::string::npos)
      << again.err;
}

TEST_F(AvailabilityTest, TheHealthCheckFailsUnlessTheServerAnswers) {
  Outcome down = Srv({"health", "--data", "srv", "--timeout", "2"});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("not answering"), std::string::npos) << down.err;
  StartServer();
  Outcome up = Srv({"health", "--data", "srv"});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(up.out, "ok\n");
}

TEST_F(AvailabilityTest, HugeCursorsAreRefusedNotReadAsTheStartOfTheLog) {
  StartServer();
  auto stub = RawClient();
  grpc::ClientContext ctx;
  gavah::v1::FetchRepliesRequest req;
  req.set_mailbox_id(std::string(32, 'm'));
  req.set_after(~uint64_t{0});
  gavah::v1::FetchRepliesResponse resp;
  EXPECT_EQ(stub->FetchReplies(&ctx, req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AvailabilityTest, AServerThatNeverAnswersIsUnreachableNotAnImpostor) {
  // Accepts connections (the kernel does, into the backlog) and never speaks TLS: what a server
  // out of descriptors, or a censor that lets the SYN through and drops the rest, looks like.
  const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(s, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(s, 16), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ASSERT_EQ(Inv({"bundle", "--org-key", "org.key", "--investigator", "a.pub", "--threshold", "1",
                 "--server", "127.0.0.1:" + std::to_string(ntohs(a.sin_port)), "--server-cert",
                 "srv/tls.crt", "--receipt-key", "srv/receipt.pub", "--out", "mute.bundle"})
                .exit_code,
            0);
  WriteText(dir_ / "t.txt", "testimony");
  Outcome r = Wit({"submit", "--bundle", "mute.bundle", "--text-file", "t.txt", "--amnesic"});
  ::close(s);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("cannot reach it"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("certificate"), std::string::npos)
      << "not a certificate mismatch: " << r.err;
}

TEST_F(AvailabilityTest, TricklersHoldingEveryUploadSlotMakeWayForAWitness) {
  SetConf("max_active_uploads = 2");
  StartServer();
  uint64_t total = 0;
  const std::string head = ForgedHeader(uint64_t{1} << 24, &total);
  std::atomic<bool> stop{false};
  std::vector<std::thread> tricklers;
  for (int t = 0; t < 2; ++t) {
    tricklers.emplace_back([&, t] {
      auto stub = RawClient();
      while (!stop) {
        grpc::ClientContext ctx;
        gavah::v1::SubmitResponse resp;
        auto w = stub->Submit(&ctx, &resp);
        gavah::v1::SubmitChunk m;
        m.set_envelope_id(std::string(32, static_cast<char>('p' + t)));
        m.set_total_size(total);
        m.set_data(head);
        gavah::v1::SubmitChunk byte;
        byte.set_data("b");
        for (bool ok = w->Write(m); ok && !stop; ok = w->Write(byte)) {
          std::this_thread::sleep_for(std::chrono::milliseconds(500));
        }
        ctx.TryCancel();
        (void)w->Finish();
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(6));  // both slots held, long enough to judge
  Outcome r = Submitted("witness", 3 << 20);
  stop = true;
  for (auto& t : tricklers) t.join();
  EXPECT_EQ(r.exit_code, 0) << "the slowest upload must make room: " << r.err;
}

TEST_F(AvailabilityTest, AWitnessWaitsOutAServerThatIsNotUpYet) {
  WriteText(dir_ / "t.txt", "sent as soon as the server answers");
  std::thread late([&] {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    StartServer();
  });
  Outcome r =
      Wit({"submit", "--bundle", "org.bundle", "--text-file", "t.txt", "--wait-seconds", "30"});
  late.join();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("trying again in"), std::string::npos) << r.err;
}

TEST_F(AvailabilityTest, RunningOutOfDescriptorsIsSurvived) {
  // systemd's default limit, smaller here: 256 descriptors, and a flood of 400 connects.
  server_ = testing::Spawn(
      dir_, "/usr/bin/prlimit",
      {"--nofile=256:256", GAVAH_SERVER, "run", "--data", "srv", "--bundle", "org.bundle"}, env_,
      dir_ / "server.log");
  ASSERT_TRUE(testing::WaitForPort(port_, 20)) << ReadText(dir_ / "server.log");
  std::vector<int> held;
  for (int i = 0; i < 400; ++i) {
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(s, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      held.push_back(s);
    } else {
      ::close(s);
    }
  }
  EXPECT_GT(held.size(), 256u) << "the flood must have outnumbered the server's descriptors";
  std::this_thread::sleep_for(std::chrono::seconds(3));
  for (int s : held) ::close(s);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_EQ(::kill(server_, 0), 0) << "the server died";
  Outcome health = Srv({"health", "--data", "srv"});
  EXPECT_EQ(health.exit_code, 0) << "a supervisor's check must see it answering: " << health.err;
  const double took = Deliver("after running out of descriptors");
  EXPECT_GE(took, 0) << ReadText(dir_ / "server.log");
  EXPECT_LT(took, 60);
}

}  // namespace
}  // namespace gavah
