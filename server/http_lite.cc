#include "http_lite.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>

namespace gavah::server {
namespace {

using Clock = std::chrono::steady_clock;

bool SplitHostPort(const std::string& hp, std::string* host, std::string* port) {
  const size_t colon = hp.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == hp.size()) return false;
  *host = hp.substr(0, colon);
  *port = hp.substr(colon + 1);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']')
    *host = host->substr(1, host->size() - 2);
  return true;
}

int RemainingMs(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, RemainingMs(deadline));
    if (rc > 0) return true;
    if (rc == 0 || errno != EINTR) return false;
  }
}

bool SendAll(int fd, std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    if (!WaitFor(fd, POLLOUT, deadline)) return false;
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads a head (up to the blank line) and a body of Content-Length bytes.
struct Message {
  std::string start_line;
  std::string content_type;
  std::string body;
};
Result<Message> ReadMessage(int fd, Clock::time_point deadline, bool need_length) {
  std::string buf;
  size_t head_end = std::string::npos;
  char chunk[4096];
  while (head_end == std::string::npos) {
    if (buf.size() > kMaxHttpHead) return Error(ErrorCode::kTooLarge, "HTTP head too long");
    if (!WaitFor(fd, POLLIN, deadline)) return Error(ErrorCode::kIo, "HTTP peer too slow");
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return Error(ErrorCode::kIo, "HTTP connection closed early");
    buf.append(chunk, static_cast<size_t>(n));
    head_end = buf.find("\r\n\r\n");
  }
  if (head_end > kMaxHttpHead) return Error(ErrorCode::kTooLarge, "HTTP head too long");
  Message m;
  const std::string head = buf.substr(0, head_end);
  std::string body = buf.substr(head_end + 4);
  size_t pos = head.find("\r\n");
  m.start_line = head.substr(0, pos);
  std::optional<size_t> length;
  while (pos != std::string::npos) {
    const size_t next = head.find("\r\n", pos + 2);
    const std::string line =
        head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    pos = next;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    if (name == "content-length") {
      if (value.empty() || value.size() > 9 ||
          value.find_first_not_of("0123456789") != std::string::npos || length)
        return Error(ErrorCode::kMalformed, "bad Content-Length");
      length = std::stoul(value);
    } else if (name == "content-type") {
      m.content_type = value;
    } else if (name == "transfer-encoding") {
      return Error(ErrorCode::kUnsupported, "chunked HTTP bodies are not accepted");
    }
  }
  if (!length) {
    if (need_length) return Error(ErrorCode::kMalformed, "HTTP request without Content-Length");
    // An answer without a length runs to the end of the connection.
    for (;;) {
      if (body.size() > kMaxHttpBody) return Error(ErrorCode::kTooLarge, "HTTP body too long");
      if (!WaitFor(fd, POLLIN, deadline)) return Error(ErrorCode::kIo, "HTTP peer too slow");
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n < 0) return Error(ErrorCode::kIo, "HTTP connection failed");
      if (n == 0) break;
      body.append(chunk, static_cast<size_t>(n));
    }
    m.body = std::move(body);
    return m;
  }
  if (*length > kMaxHttpBody) return Error(ErrorCode::kTooLarge, "HTTP body too long");
  while (body.size() < *length) {
    if (!WaitFor(fd, POLLIN, deadline)) return Error(ErrorCode::kIo, "HTTP peer too slow");
    const ssize_t n =
        ::recv(fd, chunk, std::min(sizeof chunk, *length - body.size()), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return Error(ErrorCode::kIo, "HTTP connection closed early");
    body.append(chunk, static_cast<size_t>(n));
  }
  body.resize(*length);
  m.body = std::move(body);
  return m;
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 422:
      return "Unprocessable Entity";
    default:
      return "Error";
  }
}

}  // namespace

Result<HttpAnswer> HttpPost(const std::string& host_port, const std::string& path,
                            const std::string& body, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string host, port;
  if (!SplitHostPort(host_port, &host, &port))
    return Error(ErrorCode::kInvalidArgument, "not HOST:PORT: " + host_port);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr)
    return Error(ErrorCode::kIo, "cannot resolve " + host_port);
  int fd = -1;
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      ::close(fd);
      fd = -1;
      continue;
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (!WaitFor(fd, POLLOUT, deadline) ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(res);
  if (fd < 0) return Error(ErrorCode::kIo, "cannot reach " + host_port);
  const std::string request = "POST " + path + " HTTP/1.1\r\nHost: " + host_port +
                              "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  Result<Message> m = Error(ErrorCode::kIo, "cannot send to " + host_port);
  if (SendAll(fd, request, deadline)) m = ReadMessage(fd, deadline, false);
  ::close(fd);
  if (!m.ok()) return Error(ErrorCode::kIo, host_port + ": " + m.status().message());
  // "HTTP/1.1 200 OK"
  const std::string& s = m->start_line;
  if (s.size() < 12 || s.compare(0, 5, "HTTP/") != 0 || s[8] != ' ' ||
      s.find_first_not_of("0123456789", 9) != 12)
    return Error(ErrorCode::kIo, host_port + " does not answer HTTP");
  HttpAnswer a;
  a.status = std::stoi(s.substr(9, 3));
  a.content_type = m->content_type;
  a.body = std::move(m->body);
  return a;
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& listen, Handler handler,
                                                      int max_connections) {
  std::string host, port;
  if (!SplitHostPort(listen, &host, &port))
    return Error(ErrorCode::kInvalidArgument, "listen address must be HOST:PORT");
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr)
    return Error(ErrorCode::kIo, "cannot resolve " + listen);
  // Non-blocking: every thread polls it, and those that lose the race to accept must go back
  // to polling (and to seeing Stop) rather than block in accept().
  const int fd =
      ::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, res->ai_protocol);
  const int one = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const bool ok =
      fd >= 0 && ::bind(fd, res->ai_addr, res->ai_addrlen) == 0 && ::listen(fd, 64) == 0;
  ::freeaddrinfo(res);
  if (!ok) {
    if (fd >= 0) ::close(fd);
    return Error(ErrorCode::kIo, "cannot listen on " + listen + ": " + std::strerror(errno));
  }
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->listen_fd_ = fd;
  s->handler_ = std::move(handler);
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  s->port_ = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                        : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  for (int i = 0; i < max_connections; ++i)
    s->threads_.emplace_back([p = s.get()] { p->Serve(p->listen_fd_); });
  return s;
}

void HttpServer::Serve(int listen_fd) {
  while (!stop_) {
    pollfd p{listen_fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    // A whole exchange within 10 s: a peer that trickles loses its connection, not a thread.
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    auto m = ReadMessage(fd, deadline, true);
    HttpAnswer a;
    std::string method, path;
    if (m.ok()) {
      const std::string& s = m->start_line;
      const size_t sp1 = s.find(' '), sp2 = s.rfind(' ');
      if (sp1 != std::string::npos && sp2 > sp1) {
        method = s.substr(0, sp1);
        path = s.substr(sp1 + 1, sp2 - sp1 - 1);
      }
    }
    if (!m.ok()) {
      a = {m.status().code() == ErrorCode::kTooLarge ? 413 : 400, "text/plain; charset=utf-8",
           m.status().message() + "\n"};
    } else if (method.empty()) {
      a = {400, "text/plain; charset=utf-8", "bad request line\n"};
    } else {
      a = handler_(method, path, m->body);
    }
    const std::string out = "HTTP/1.1 " + std::to_string(a.status) + " " + Reason(a.status) +
                            "\r\nContent-Type: " + a.content_type +
                            "\r\nContent-Length: " + std::to_string(a.body.size()) +
                            "\r\nConnection: close\r\n\r\n" + a.body;
    SendAll(fd, out, deadline);
    ::close(fd);
  }
}

void HttpServer::Stop() {
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace gavah::server
