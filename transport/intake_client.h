// Sends an envelope to the bundle's intake endpoints over pinned TLS, resuming an interrupted
// upload, and verifies the server's signed receipt.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "gavah/crypto/bundle.h"
#include "gavah/crypto/digest.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/status.h"
#include "gavah/v1/intake.grpc.pb.h"

namespace gavah::transport {

struct SendOptions {
  // http://HOST:PORT of an HTTP CONNECT proxy (Tor's HTTPTunnelPort). Empty: connect directly,
  // ignoring any proxy environment variables.
  std::string proxy;
  // Called with bytes sent so far and the total, for a progress bar.
  std::function<void(uint64_t, uint64_t)> progress;
  // Only the bundle's servers, never its relays, and every submission marked RELAYED so that it
  // encodes like the relay's cover (a relay forwarding upstream).
  bool servers_only = false;
  // When an intake under load asks for proof of work (docs/PROTOCOL.md, "Admission"): called
  // every 65,536 tries with the tries so far and the expected number; the search gives up
  // after `max_work_seconds`.
  std::function<void(uint64_t tries, uint64_t expected)> on_work;
  uint64_t max_work_seconds = 300;
  // SendEnvelope, when no endpoint could be reached or all were busy: keep trying, with pauses
  // of 1, 2, 4 ... seconds, for up to this long before giving up (0: give up at once). `on_wait`
  // is told each pause. (Uplink::Send tries once: a relay has its own backoff.)
  uint64_t wait_seconds = 0;
  std::function<void(uint64_t seconds, const std::string& why)> on_wait;
  // Asked between messages, work batches and pauses; true stops the send with kCancelled (an
  // upload cut this way resumes where it stopped, as after a broken connection).
  std::function<bool()> cancelled;
};

// A channel to `e` over TLS pinned to its certificate, through `o.proxy` when set.
std::shared_ptr<grpc::Channel> MakeChannel(const BundleEndpoint& e, const SendOptions& o);
// Text from a server, made safe to print: printable ASCII, at most 200 bytes.
std::string ServerText(const std::string& text);
// One phrase for a failed call: unreachable, wrong pin, or the server's (cleaned) words.
std::string Describe(const grpc::Status& st);

// kInvalidArgument unless `proxy` is exactly http://HOST:PORT.
Status CheckProxy(const std::string& proxy);

struct Delivery {
  Receipt receipt;       // verified; meaningless when `queued`
  std::string endpoint;  // the address that took it
  // A relay holds the envelope durably and will forward it; the server's receipt is fetched
  // later (the envelope is not delivered yet).
  bool queued = false;
};

// Reads exactly out.size() bytes of the envelope at `offset`.
using EnvelopeReader = std::function<Status(uint64_t offset, std::span<uint8_t> out)>;

// Tries each endpoint (servers and relays) in bundle order. Error codes: kIo when no endpoint
// could be reached or all failed (the caller keeps the envelope to retry), kBadSignature for a
// receipt that does not verify, kInvalidArgument when a server refused the envelope itself.
Result<Delivery> SendEnvelope(const RecipientBundle& bundle, const EnvelopeReader& read,
                              const Digest32& id, uint64_t size, const SendOptions& options);
Result<Delivery> SendEnvelope(const RecipientBundle& bundle, int fd, const Digest32& id,
                              uint64_t size, const SendOptions& options);

// The bundle's endpoints with one channel each, kept for many sends (a relay forwarding a queue
// reuses its TLS connections). Thread-safe.
class Uplink {
 public:
  Uplink(const RecipientBundle& bundle, SendOptions options);
  // As SendEnvelope.
  Result<Delivery> Send(const EnvelopeReader& read, const Digest32& id, uint64_t size) const;
  struct Target {
    BundleEndpoint endpoint;
    std::unique_ptr<gavah::v1::Intake::Stub> stub;
  };
  // The endpoints in bundle order (only servers with options.servers_only).
  const std::vector<Target>& targets() const { return targets_; }

 private:
  Result<Delivery> SendOnce(const EnvelopeReader& read, const Digest32& id, uint64_t size) const;
  const RecipientBundle& bundle_;
  SendOptions options_;
  std::vector<Target> targets_;
};

// ---- The transparency log, as any endpoint of the bundle serves it (a relay passes it on).

struct ProofAnswer {
  std::string endpoint;  // the address that answered
  bool queued = false;   // a relay holds the envelope and has no receipt yet
  std::string proof;     // the c2sp.org/tlog-proof text; empty while not in a served checkpoint
};
// Asks the bundle's endpoints in order for the envelope's inclusion proof, until one answers.
// kIo when none could be reached; kInvalidArgument when the one that answered holds no such
// envelope.
Result<ProofAnswer> FetchProof(const RecipientBundle& bundle, const Digest32& id,
                               const SendOptions& options);
// PROOF(old_size, new_size) from the endpoint at `address` (one of the bundle's).
Result<std::vector<Digest32>> FetchConsistency(const RecipientBundle& bundle,
                                               const std::string& address, uint64_t old_size,
                                               uint64_t new_size, const SendOptions& options);
// A path of the log ("checkpoint", "tile/...") from the endpoint at `address`, or from the first
// that answers when `address` is empty.
Result<std::vector<uint8_t>> FetchLog(const RecipientBundle& bundle, const std::string& address,
                                      const std::string& path, const SendOptions& options);

// Receipt files: the text format lives in gavah/crypto/receipt.h (no gRPC, so it can be fuzzed).
using gavah::ReceiptFromText;
using gavah::ReceiptToText;

}  // namespace gavah::transport
