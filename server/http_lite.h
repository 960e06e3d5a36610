// The little HTTP/1.1 that c2sp.org/tlog-witness needs: a log POSTs add-checkpoint to a witness
// and reads its answer. Plain TCP: everything sent is a public checkpoint or a signature over
// one, checked by its reader whatever the transport. Every size and wait is bounded, so a slow
// or hostile peer costs one connection for a few seconds and no more.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gavah/crypto/status.h"

namespace gavah::server {

inline constexpr size_t kMaxHttpHead = 8 * 1024;
inline constexpr size_t kMaxHttpBody = 1 << 20;

struct HttpAnswer {
  int status = 0;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// POSTs `body` to http://HOST:PORT`path` and reads the answer (at most kMaxHttpBody), within
// `timeout_ms` for the whole exchange. kIo when the peer cannot be reached or answers no HTTP.
Result<HttpAnswer> HttpPost(const std::string& host_port, const std::string& path,
                            const std::string& body, int timeout_ms);

// Answers HTTP requests one connection at a time per thread, at most `max_connections` at once
// (more wait in the kernel's backlog), one request per connection.
class HttpServer {
 public:
  using Handler = std::function<HttpAnswer(const std::string& method, const std::string& path,
                                           const std::string& body)>;
  ~HttpServer();
  // Listens on HOST:PORT (port 0 picks one: see port()).
  static Result<std::unique_ptr<HttpServer>> Start(const std::string& listen, Handler handler,
                                                   int max_connections = 16);
  int port() const { return port_; }
  void Stop();

 private:
  HttpServer() = default;
  void Serve(int fd);
  int listen_fd_ = -1;
  int port_ = 0;
  Handler handler_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace gavah::server
