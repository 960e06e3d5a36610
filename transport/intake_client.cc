#include "intake_client.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <thread>

#include "gavah/crypto/hex.h"
#include "gavah/crypto/pow.h"
#include "gavah/crypto/process.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "intake_status.h"

namespace gavah::transport {
namespace {

// An envelope up to kWhole bytes goes in one message (it shares a commit on the server). A
// larger one streams in kStreamChunk messages: small enough that a slow link still delivers one
// well within the server's idle time (docs/PROTOCOL.md, "Intake API"), which appends 1 MiB at a
// time whatever the message size.
constexpr size_t kWhole = 1 << 20;
constexpr size_t kStreamChunk = 64 << 10;
constexpr std::chrono::seconds kStall(120);
constexpr char kTlsName[] = "gavah-intake";  // the name every Gavah server certificate carries

}  // namespace

std::shared_ptr<grpc::Channel> MakeChannel(const BundleEndpoint& e, const SendOptions& o) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = e.tls_certificate_pem;  // the pinned certificate is the only root
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride(kTlsName);
  if (o.proxy.empty()) {
    args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);  // never a proxy from the environment by accident
  } else {
    args.SetString("grpc.http_proxy", o.proxy);
    DropProxyExemptions();  // else no_proxy could send this channel around the proxy
  }
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, (1 << 20) + 4096);  // 1 MiB of data + framing
  return grpc::CreateCustomChannel(e.address, grpc::SslCredentials(ssl), args);
}

// Server text reaches the witness's terminal: a hostile server must not be able to send escape
// sequences that rewrite what the witness sees. Keeps printable ASCII, at most 200 bytes.
std::string ServerText(const std::string& text) {
  std::string out;
  for (unsigned char c : text.substr(0, 200))
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  return out;
}

std::string Describe(const grpc::Status& st) {
  const std::string m = st.error_message();
  // Only a certificate that failed verification against the pin is a pin failure. A handshake
  // that never finishes (a server out of descriptors, a flooded link, a censor dropping packets)
  // is an unreachable server: calling it a wrong certificate would send people looking for an
  // impostor that is not there.
  if (st.error_code() == grpc::StatusCode::UNAVAILABLE &&
      (m.find("certificate verify failed") != std::string::npos ||
       m.find("CERTIFICATE_VERIFY_FAILED") != std::string::npos ||
       m.find("not in peer certificate") != std::string::npos)) {
    return "its TLS certificate does not match the bundle's pin (refusing to talk to it)";
  }
  if (st.error_code() == grpc::StatusCode::UNAVAILABLE && m == kBusyText) {
    return "it is too busy to take this now; try again in a few minutes";
  }
  if (st.error_code() == grpc::StatusCode::UNAVAILABLE ||
      st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return "cannot reach it (it may be down or overloaded, or the connection is blocked)";
  }
  return m.empty() ? "failed" : ServerText(m);
}

namespace {

Receipt FromProto(const gavah::v1::Receipt& p, bool* ok) {
  Receipt r;
  *ok = p.envelope_id().size() == 32 && p.signature().size() == 64;
  if (*ok) {
    std::memcpy(r.envelope_id.data(), p.envelope_id().data(), 32);
    std::memcpy(r.signature.data(), p.signature().data(), 64);
  }
  r.include_by = p.include_by();
  r.received_hour = p.received_hour();
  return r;
}

// The upload was cut or started from a stale offset (an earlier stream of ours was still
// finishing): ask the server where it stands and go on from there.
constexpr ErrorCode kAskStateAgain = ErrorCode::kTruncated;
// The endpoint asks for proof of work before it takes the envelope.
constexpr ErrorCode kSolveFirst = ErrorCode::kNotEnoughKeys;

// One endpoint: resume where the server stands, stream the rest, verify the receipt.
// nullopt: a relay queued the envelope and holds no receipt yet.
// A proof of work for one envelope at one endpoint (docs/PROTOCOL.md, "Admission").
struct Proof {
  std::string seed_head;
  uint64_t effort = 0;
  PowNonce nonce{};
};

// The endpoint asked for work: fetch its seed and effort and solve, within o.max_work_seconds.
Status Solve(gavah::v1::Intake::Stub& stub, const Digest32& id, uint64_t size, const SendOptions& o,
             const std::string& address, Proof* proof) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  gavah::v1::AdmissionRequest req;
  gavah::v1::AdmissionResponse resp;
  const grpc::Status st = stub.GetAdmission(&ctx, req, &resp);
  if (!st.ok()) return Error(ErrorCode::kIo, address + ": " + Describe(st));
  if (resp.seed().size() != kPowSeedSize || resp.effort_per_mib() > kPowMaxEffort) {
    return Error(ErrorCode::kIo, address + " sent a malformed admission answer");
  }
  PowSeed seed{};
  std::memcpy(seed.data(), resp.seed().data(), seed.size());
  const uint64_t units = PowUnits(size);
  const uint64_t per_mib = std::max<uint64_t>(resp.effort_per_mib(), 1);
  const uint64_t effort = per_mib > kPowMaxEffort / units ? kPowMaxEffort : per_mib * units;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.max_work_seconds);
  if (o.on_work) o.on_work(0, effort);
  bool cancelled = false;
  auto nonce = PowSolve(seed, id, size, effort, [&](uint64_t tries) {
    if (o.on_work) o.on_work(tries, effort);
    cancelled = o.cancelled && o.cancelled();
    return !cancelled && std::chrono::steady_clock::now() < deadline;
  });
  if (cancelled) return Error(ErrorCode::kCancelled, "cancelled");
  if (!nonce) {
    return Error(ErrorCode::kIo, address + " is under heavy load and asks for more work than " +
                                     std::to_string(o.max_work_seconds) +
                                     " s allow; try later, or allow more time");
  }
  proof->seed_head = resp.seed().substr(0, 4);
  proof->effort = effort;
  proof->nonce = *nonce;
  return Status::Ok();
}

Result<std::optional<Receipt>> SendTo(gavah::v1::Intake::Stub& stub, const EnvelopeReader& read,
                                      const Digest32& id, uint64_t size,
                                      const PublicKey32& receipt_key, const SendOptions& o,
                                      const std::string& address, const Proof& proof) {
  const std::string id_bytes(reinterpret_cast<const char*>(id.data()), id.size());
  gavah::v1::UploadStateRequest sreq;
  sreq.set_envelope_id(id_bytes);
  gavah::v1::UploadStateResponse state;
  // An envelope that fits one message is sent whole at once: the server answers one already
  // stored with its receipt and replaces any half upload of it, so asking first would only cost
  // a round trip on a slow link.
  if (size > kWhole) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    ctx.set_wait_for_ready(false);
    const grpc::Status st = stub.GetUploadState(&ctx, sreq, &state);
    if (!st.ok()) return Error(ErrorCode::kIo, address + ": " + Describe(st));
  }
  gavah::v1::Receipt proto;
  if (state.stored()) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    gavah::v1::ReceiptRequest rreq;
    rreq.set_envelope_id(id_bytes);
    gavah::v1::ReceiptResponse resp;
    const grpc::Status st = stub.GetReceipt(&ctx, rreq, &resp);
    if (!st.ok()) return Error(ErrorCode::kIo, address + ": " + Describe(st));
    if (!resp.has_receipt() && resp.queued()) return std::optional<Receipt>();
    proto = resp.receipt();
  } else {
    uint64_t offset = state.received() <= size ? state.received() : 0;
    // A whole envelope that fits one message: a deadline bounds it (kStall plus time for 4 KiB/s,
    // as the server allows the first message), and no watchdog thread is needed (a relay
    // forwarding thousands of small envelopes would spend more on threads than on them). A
    // resume keeps the watchdog: the server first re-hashes what it holds.
    const bool one_message = offset == 0 && size <= kWhole;
    const size_t chunk = one_message ? kWhole : kStreamChunk;
    grpc::ClientContext ctx;
    if (one_message) {
      ctx.set_deadline(std::chrono::system_clock::now() + kStall +
                       std::chrono::seconds(size / 4096));
    }
    gavah::v1::SubmitResponse resp;
    auto writer = stub.Submit(&ctx, &resp);
    // A server that stops reading without closing the connection would block Write() forever
    // (keepalive pings still pass): cancel when nothing has moved for kStall.
    std::mutex watch_mu;
    std::condition_variable watch_cv;
    bool watch_done = false;
    auto last_progress = std::chrono::steady_clock::now();
    bool stalled = false;
    std::thread watchdog;
    if (!one_message)
      watchdog = std::thread([&] {
        std::unique_lock<std::mutex> lock(watch_mu);
        while (!watch_done) {
          if (std::chrono::steady_clock::now() - last_progress > kStall) {
            stalled = true;
            ctx.TryCancel();
            return;
          }
          if (o.cancelled && o.cancelled()) {  // a Write() blocked on a slow link
            ctx.TryCancel();
            return;
          }
          watch_cv.wait_for(lock, std::chrono::seconds(1));
        }
      });
    struct StopWatchdog {
      std::mutex& mu;
      std::condition_variable& cv;
      bool& done;
      std::thread& t;
      ~StopWatchdog() {
        {
          std::lock_guard<std::mutex> lock(mu);
          done = true;
        }
        cv.notify_all();
        if (t.joinable()) t.join();
      }
    } stop_watchdog{watch_mu, watch_cv, watch_done, watchdog};
    std::vector<char> buf(static_cast<size_t>(std::min<uint64_t>(chunk, size - offset)));
    bool first = true;
    uint64_t pos = offset;
    bool write_failed = false;
    bool cancelled = false;
    while (pos < size || first) {
      if (o.cancelled && o.cancelled()) {
        cancelled = true;
        ctx.TryCancel();
        break;
      }
      const size_t want = static_cast<size_t>(std::min<uint64_t>(chunk, size - pos));
      const size_t got = want;
      GAVAH_RETURN_IF_ERROR(read(pos, {reinterpret_cast<uint8_t*>(buf.data()), want}));
      gavah::v1::SubmitChunk msg;
      if (first) {
        msg.set_envelope_id(id_bytes);
        msg.set_total_size(size);
        msg.set_offset(offset);
        if (o.servers_only) msg.set_kind(gavah::v1::SubmitChunk::RELAYED);
        if (proof.effort != 0) {
          msg.set_pow_seed_head(proof.seed_head);
          msg.set_pow_effort(proof.effort);
          msg.set_pow_nonce(proof.nonce.data(), proof.nonce.size());
        }
        first = false;
      }
      msg.set_data(buf.data(), got);
      if (!writer->Write(msg)) {
        write_failed = true;
        break;
      }
      pos += got;
      {
        std::lock_guard<std::mutex> lock(watch_mu);
        last_progress = std::chrono::steady_clock::now();
      }
      if (o.progress) o.progress(pos, size);
    }
    if (!write_failed) writer->WritesDone();
    const grpc::Status st = writer->Finish();
    {
      std::lock_guard<std::mutex> lock(watch_mu);
      if (stalled) {
        return Error(ErrorCode::kIo, address + ": the upload made no progress for " +
                                         std::to_string(kStall.count()) + " s; stopped");
      }
    }
    // A Stop that came after the server answered changes nothing: the receipt counts.
    if (!st.ok() && (cancelled || (o.cancelled && o.cancelled())))
      return Error(ErrorCode::kCancelled, "cancelled");
    if (!st.ok()) {
      if (st.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
        return Error(ErrorCode::kInvalidArgument,
                     address + " refused the envelope: " + ServerText(st.error_message()));
      }
      if (st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
          st.error_message() == kPowNeededText) {
        return Error(kSolveFirst, address + ": asks for proof of work");
      }
      if (st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        return Error(ErrorCode::kTooLarge, address + ": " + ServerText(st.error_message()));
      }
      if (st.error_code() == grpc::StatusCode::ABORTED ||
          st.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
        return Error(kAskStateAgain, address + ": " + Describe(st));
      }
      return Error(ErrorCode::kIo, address + ": " + Describe(st));
    }
    if (!resp.has_receipt() && resp.queued()) return std::optional<Receipt>();
    proto = resp.receipt();
  }
  bool well_formed = false;
  const Receipt r = FromProto(proto, &well_formed);
  if (!well_formed)
    return Error(ErrorCode::kBadSignature, address + " sent a malformed receipt; not delivered");
  const Status verified = VerifyReceipt(r, receipt_key, id);
  if (!verified.ok())
    return Error(ErrorCode::kBadSignature, address + ": " + verified.message() + "; not delivered");
  return std::optional<Receipt>(r);
}

}  // namespace

Status CheckProxy(const std::string& proxy) {
  // gRPC quietly connects directly when it does not understand a proxy URI, which would expose
  // the witness's address: accept exactly http://HOST:PORT.
  static constexpr std::string_view kScheme = "http://";
  if (proxy.compare(0, kScheme.size(), kScheme) != 0) {
    return Error(
        ErrorCode::kInvalidArgument,
        "--proxy must be http://HOST:PORT (an HTTP CONNECT proxy such as Tor's HTTPTunnelPort)");
  }
  const std::string rest = proxy.substr(kScheme.size());
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size() ||
      rest.find('/') != std::string::npos || rest.find('@') != std::string::npos ||
      rest.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
    return Error(ErrorCode::kInvalidArgument, "--proxy must be http://HOST:PORT");
  }
  return Status::Ok();
}

Result<Delivery> SendEnvelope(const RecipientBundle& bundle, int fd, const Digest32& id,
                              uint64_t size, const SendOptions& options) {
  const EnvelopeReader read = [fd](uint64_t offset, std::span<uint8_t> out) -> Status {
    size_t got = 0;
    while (got < out.size()) {
      const ssize_t n =
          ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        return Error(ErrorCode::kIo, "cannot read the envelope: " +
                                         std::string(n < 0 ? std::strerror(errno) : "it shrank"));
      got += static_cast<size_t>(n);
    }
    return Status::Ok();
  };
  return SendEnvelope(bundle, read, id, size, options);
}

Result<Delivery> SendEnvelope(const RecipientBundle& bundle, const EnvelopeReader& read,
                              const Digest32& id, uint64_t size, const SendOptions& options) {
  if (!options.proxy.empty()) {
    GAVAH_RETURN_IF_ERROR(CheckProxy(options.proxy));
  }
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(options.wait_seconds);
  for (uint64_t pause = 1;; pause = std::min<uint64_t>(pause * 2, 16)) {
    // New channels each time: one that failed to connect may sit in gRPC's reconnect backoff
    // long after the server is back.
    auto r = Uplink(bundle, options).Send(read, id, size);
    // Only a passing failure is worth waiting out: unreachable, busy, full for now.
    if (r.ok() || r.status().code() != ErrorCode::kIo ||
        std::chrono::steady_clock::now() + std::chrono::seconds(pause) > give_up) {
      return r;
    }
    if (options.on_wait) options.on_wait(pause, r.status().message());
    for (uint64_t tenth = 0; tenth < pause * 10; ++tenth) {
      if (options.cancelled && options.cancelled())
        return Error(ErrorCode::kCancelled, "cancelled");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

Uplink::Uplink(const RecipientBundle& bundle, SendOptions options)
    : bundle_(bundle), options_(std::move(options)) {
  for (const auto& e : bundle.contents().endpoints) {
    if (options_.servers_only && e.role != BundleEndpoint::Role::kServer) continue;
    targets_.push_back(Target{e, gavah::v1::Intake::NewStub(MakeChannel(e, options_))});
  }
}

Result<Delivery> Uplink::Send(const EnvelopeReader& read, const Digest32& id, uint64_t size) const {
  return SendOnce(read, id, size);
}

Result<Delivery> Uplink::SendOnce(const EnvelopeReader& read, const Digest32& id,
                                  uint64_t size) const {
  const auto& c = bundle_.contents();
  if (!c.receipt_key)
    return Error(ErrorCode::kInvalidArgument,
                 "the bundle names no receipt key, so no delivery could be verified");
  if (targets_.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 options_.servers_only ? "the bundle lists no server to send to"
                                       : "the bundle lists no server or relay to send to");
  }
  std::string errors;
  for (const auto& t : targets_) {
    const std::string& address = t.endpoint.address;
    Proof proof;
    auto r = SendTo(*t.stub, read, id, size, *c.receipt_key, options_, address, proof);
    for (int again = 0;
         again < 4 && (r.status().code() == kAskStateAgain || r.status().code() == kSolveFirst);
         ++again) {
      if (r.status().code() == kSolveFirst) {
        // The effort may rise between asking and sending: solve again, at most a few times.
        if (Status solved = Solve(*t.stub, id, size, options_, address, &proof); !solved.ok()) {
          r = solved;
          break;
        }
      }
      r = SendTo(*t.stub, read, id, size, *c.receipt_key, options_, address, proof);
    }
    if (r.status().code() == kSolveFirst) {
      r = Error(ErrorCode::kIo, address + " kept asking for more work; try later");
    }
    if (r.ok()) {
      Delivery d;
      d.endpoint = address;
      if (r->has_value()) {
        d.receipt = **r;
      } else {
        d.queued = true;
        d.receipt.envelope_id = id;  // only the id: there is no receipt yet
      }
      return d;
    }
    // A full server is a passing state and another endpoint may have room: go on, and leave
    // the envelope waiting for a retry if none takes it.
    if (r.status().code() == ErrorCode::kBadSignature ||
        r.status().code() == ErrorCode::kInvalidArgument ||
        r.status().code() == ErrorCode::kCancelled) {
      return r.status();
    }
    errors += (errors.empty() ? "" : "; ") + r.status().message();
  }
  return Error(ErrorCode::kIo, errors);
}

namespace {

// Calls `call` on each endpoint of the bundle in order (only `address` when given) until one
// answers; kIo naming the last failure when none does.
template <typename Call>
Status EachEndpoint(const RecipientBundle& bundle, const std::string& address,
                    const SendOptions& options, Call call) {
  if (!options.proxy.empty()) GAVAH_RETURN_IF_ERROR(CheckProxy(options.proxy));
  std::string last = "the bundle lists no endpoint";
  for (const auto& e : bundle.contents().endpoints) {
    if (!address.empty() && e.address != address) continue;
    if (options.servers_only && e.role != BundleEndpoint::Role::kServer) continue;
    auto stub = gavah::v1::Intake::NewStub(MakeChannel(e, options));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    const grpc::Status st = call(*stub, ctx, e.address);
    if (st.ok()) return Status::Ok();
    if (st.error_code() == grpc::StatusCode::NOT_FOUND ||
        st.error_code() == grpc::StatusCode::INVALID_ARGUMENT)
      return Error(ErrorCode::kInvalidArgument, e.address + ": " + Describe(st));
    last = e.address + ": " + Describe(st);
  }
  if (!address.empty() && last == "the bundle lists no endpoint")
    return Error(ErrorCode::kInvalidArgument, address + " is not an endpoint of the bundle");
  return Error(ErrorCode::kIo, last);
}

constexpr size_t kMaxProofText = 64 * 1024;

}  // namespace

Result<ProofAnswer> FetchProof(const RecipientBundle& bundle, const Digest32& id,
                               const SendOptions& options) {
  if (!options.proxy.empty()) GAVAH_RETURN_IF_ERROR(CheckProxy(options.proxy));
  gavah::v1::ReceiptRequest req;
  req.set_envelope_id(id.data(), id.size());
  std::optional<ProofAnswer> held;  // a relay that still holds it queued
  std::string last = "the bundle lists no endpoint";
  for (const auto& e : bundle.contents().endpoints) {
    if (options.servers_only && e.role != BundleEndpoint::Role::kServer) continue;
    const bool relay = e.role == BundleEndpoint::Role::kRelay;
    auto stub = gavah::v1::Intake::NewStub(MakeChannel(e, options));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    gavah::v1::ReceiptResponse resp;
    const grpc::Status st = stub->GetReceipt(&ctx, req, &resp);
    if (st.error_code() == grpc::StatusCode::NOT_FOUND ||
        st.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      // Only the server's word denies the envelope: a relay may never have carried it, or
      // have forgotten it (receipt_days).
      if (!relay) return Error(ErrorCode::kInvalidArgument, e.address + ": " + Describe(st));
      last = e.address + ": " + Describe(st);
      continue;
    }
    if (!st.ok()) {
      last = e.address + ": " + Describe(st);
      continue;
    }
    if (resp.proof().size() > kMaxProofText)
      return Error(ErrorCode::kMalformed, e.address + ": the proof is too large");
    // "Queued" is a relay's word only, and says nothing of the server's log: ask on.
    if (resp.queued() && !resp.has_receipt()) {
      if (relay && !held) held = ProofAnswer{e.address, true, ""};
      continue;
    }
    return ProofAnswer{e.address, false, resp.proof()};
  }
  if (held) return *held;
  return Error(ErrorCode::kIo, last);
}

Result<std::vector<Digest32>> FetchConsistency(const RecipientBundle& bundle,
                                               const std::string& address, uint64_t old_size,
                                               uint64_t new_size, const SendOptions& options) {
  std::vector<Digest32> out;
  gavah::v1::LogConsistencyRequest req;
  req.set_old_size(old_size);
  req.set_new_size(new_size);
  const Fingerprint org = bundle.organisation_fingerprint();
  req.set_organisation_id(org.data(), org.size());
  GAVAH_RETURN_IF_ERROR(EachEndpoint(
      bundle, address, options,
      [&](gavah::v1::Intake::Stub& stub, grpc::ClientContext& ctx, const std::string&) {
        gavah::v1::LogConsistencyResponse resp;
        grpc::Status st = stub.GetLogConsistency(&ctx, req, &resp);
        if (!st.ok()) return st;
        if (resp.proof_size() > 63)
          return grpc::Status(grpc::StatusCode::DATA_LOSS, "a consistency proof of over 63 hashes");
        for (const auto& h : resp.proof()) {
          if (h.size() != 32)
            return grpc::Status(grpc::StatusCode::DATA_LOSS, "a proof hash is not 32 bytes");
          Digest32 d{};
          std::memcpy(d.data(), h.data(), 32);
          out.push_back(d);
        }
        return st;
      }));
  return out;
}

Result<std::vector<uint8_t>> FetchLog(const RecipientBundle& bundle, const std::string& address,
                                      const std::string& path, const SendOptions& options) {
  std::vector<uint8_t> out;
  gavah::v1::GetLogRequest req;
  req.set_path(path);
  const Fingerprint org = bundle.organisation_fingerprint();
  req.set_organisation_id(org.data(), org.size());
  GAVAH_RETURN_IF_ERROR(EachEndpoint(
      bundle, address, options,
      [&](gavah::v1::Intake::Stub& stub, grpc::ClientContext& ctx, const std::string&) {
        gavah::v1::GetLogResponse resp;
        grpc::Status st = stub.GetLog(&ctx, req, &resp);
        if (st.ok()) out.assign(resp.data().begin(), resp.data().end());
        return st;
      }));
  return out;
}

}  // namespace gavah::transport
