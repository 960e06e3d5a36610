#include "serving.h"

#include <google/protobuf/message_lite.h>
#include <grpc/support/log.h>
#include <grpcpp/support/server_interceptor.h>
#include <sodium.h>

#include <algorithm>
#include <sstream>
#include <string_view>

#include "gavah/crypto/digest.h"
#include "gavah/crypto/hex.h"
#include "gavah/v1/intake.grpc.pb.h"
#include "intake_service.h"

namespace gavah::server {

Status CheckHealth(const std::string& listen, const std::string& cert_pem, int timeout_seconds) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Error(ErrorCode::kInvalidArgument, "listen has no port");
  std::string host = listen.substr(0, colon);
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = cert_pem;
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("gavah-intake");
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto stub = gavah::v1::Intake::NewStub(
      grpc::CreateCustomChannel(host + listen.substr(colon), grpc::SslCredentials(ssl), args));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds));
  gavah::v1::ProbeRequest req;
  gavah::v1::ProbeResponse resp;
  const grpc::Status st = stub->Probe(&ctx, req, &resp);
  if (st.ok()) return Status::Ok();
  return Error(ErrorCode::kIo, "not answering on " + listen + ": " +
                                   (st.error_message().empty() ? "no answer" : st.error_message()));
}

std::string CertPin(const std::string& pem) {
  return ToHex(Sha256Of({reinterpret_cast<const uint8_t*>(pem.data()), pem.size()}));
}

namespace {
void DropGrpcLog(gpr_log_func_args*) {}
}  // namespace

void SilenceGrpcLog() { gpr_set_log_function(DropGrpcLog); }

// Credits every call and every message the application is handed to its connection (see
// accept_guard.h): 4 KiB for a call's headers and trailers, each message's size, and for its
// framing 64 bytes and 1/128 of it. Only this project's services: their messages are protobuf.
class CreditInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit CreditInterceptor(grpc::experimental::ServerRpcInfo* info)
      : info_(info),
        ours_(std::string_view(info->method()).rfind("/gavah.v1.", 0) == 0),
        upload_(std::string_view(info->method()) == "/gavah.v1.Intake/Submit") {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA))
      CreditConnection(info_->server_context()->peer(), 4 << 10, false);
    if (ours_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      if (const void* m = methods->GetRecvMessage(); m != nullptr) {
        const uint64_t size = static_cast<const google::protobuf::MessageLite*>(m)->ByteSizeLong();
        CreditConnection(info_->server_context()->peer(), size + 64 + size / 128, upload_);
      }
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  const bool ours_, upload_;
};

class CreditInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CreditInterceptor(info);
  }
};

std::unique_ptr<grpc::Server> StartTlsServer(const std::string& listen, const SecretBuffer& key_pem,
                                             const std::string& cert_pem,
                                             const std::vector<grpc::Service*>& services,
                                             int max_threads, int streams_per_connection,
                                             const ConnectionCaps& caps, const char* name) {
  GuardConnections(caps);
  grpc::SslServerCredentialsOptions ssl;
  // gRPC takes the key as std::string and keeps its own copy, unwiped, for the server's life;
  // ours are wiped. Whoever can read this process's memory has the TLS key (THREAT_MODEL).
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair{std::string(key_pem.view()), cert_pem};
  ssl.pem_key_cert_pairs.push_back(pair);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::SslServerCredentials(ssl), &port);
  sodium_memzero(pair.private_key.data(), pair.private_key.size());
  sodium_memzero(ssl.pem_key_cert_pairs[0].private_key.data(),
                 ssl.pem_key_cert_pairs[0].private_key.size());
  for (grpc::Service* s : services) builder.RegisterService(s);
  builder.SetMaxReceiveMessageSize(2 << 20);  // 1 MiB of data per message plus framing
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, streams_per_connection);
  // Without bandwidth probing a stream's window stays at 64 KiB plus the 1 MiB gRPC grants
  // towards the message being read, so what gRPC buffers for a witness's upload while the store
  // commits stays within the unseen-byte limits (accept_guard.h). With it, windows grew past
  // 16 MiB on a long loopback upload and the connection was cut; loopback throughput is the same
  // either way, and 1 MiB per round trip is more than a Tor circuit carries.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  // Witness clients ping every 30 s so that a dead link fails instead of hanging.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Dead or idle peers are dropped instead of holding a thread and a stream for hours.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, 120000);
  // A connection that never finishes its TLS handshake holds a descriptor for 10 s, not 120.
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, 10000);
  grpc::ResourceQuota quota(name);
  quota.SetMaxThreads(max_threads);
  quota.Resize(128 << 20);  // gRPC's own buffers, in all connections together
  builder.SetResourceQuota(quota);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> credit;
  credit.push_back(std::make_unique<CreditInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(credit));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) return nullptr;
  return server;
}

}  // namespace gavah::server
