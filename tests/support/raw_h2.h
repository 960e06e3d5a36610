// A bare HTTP/2 client over TLS, for attacks no gRPC library will send: gRPC messages whose
// length prefix announces far more than is ever sent. It honours flow control (an attacker
// gains nothing by breaking it: the server would close the connection) and answers SETTINGS and
// PING, nothing more.
#pragma once

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace gavah::testing {

class RawH2 {
 public:
  RawH2() = default;
  RawH2(const RawH2&) = delete;
  RawH2& operator=(const RawH2&) = delete;
  ~RawH2() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }

  bool Connect(int port) {
    ::signal(SIGPIPE, SIG_IGN);  // a connection the server closes must fail a write, not kill us
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return false;
    // A server that stops reading a connection leaves it for dead rather than block the test.
    timeval t{0, 200000};
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &t, sizeof t);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t);
    ctx_ = SSL_CTX_new(TLS_client_method());
    static const unsigned char kAlpn[] = {2, 'h', '2'};
    SSL_CTX_set_alpn_protos(ctx_, kAlpn, sizeof kAlpn);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    if (SSL_connect(ssl_) != 1) return false;
    std::string hello = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    Frame(&hello, 4, 0, 0, "");  // SETTINGS, empty
    return Write(hello);
  }

  // Opens a gRPC call to `path` and sends the 5-byte prefix of a message of `announced` bytes.
  // Answers the stream's id, or 0.
  uint32_t Open(const std::string& path, uint32_t announced) {
    const uint32_t id = next_stream_;
    next_stream_ += 2;
    std::string block;
    for (const auto& [k, v] :
         std::vector<std::pair<std::string, std::string>>{{":method", "POST"},
                                                          {":scheme", "https"},
                                                          {":path", path},
                                                          {":authority", "gavah-intake"},
                                                          {"content-type", "application/grpc"},
                                                          {"te", "trailers"}}) {
      block += '\0';  // literal header field without indexing, new name, no Huffman
      block += static_cast<char>(k.size());
      block += k;
      block += static_cast<char>(v.size());
      block += v;
    }
    std::string out;
    Frame(&out, 1, 0x4, id, block);  // HEADERS, END_HEADERS
    windows_[id] = initial_window_;
    std::string prefix(5, '\0');
    for (int i = 0; i < 4; ++i) prefix[1 + i] = static_cast<char>(announced >> (24 - 8 * i));
    if (!Write(out) || !Data(id, prefix)) return 0;
    return id;
  }

  // Sends as much of `bytes` zeros on each open stream as flow control allows, reading the
  // server's frames; answers how many bytes went out. Streams the server reset are dropped.
  uint64_t Push(size_t bytes_per_stream) {
    uint64_t sent = 0;
    if (!Read(0)) return sent;
    const std::string zeros(16384, '\0');
    for (auto& [id, window] : windows_) {
      size_t left = bytes_per_stream;
      while (left > 0 && window > 0 && connection_window_ > 0) {
        const size_t n = std::min<size_t>({left, zeros.size(), static_cast<size_t>(window),
                                           static_cast<size_t>(connection_window_)});
        if (!Data(id, zeros.substr(0, n))) return sent;
        left -= n;
        sent += n;
      }
    }
    return sent;
  }

  bool open() const { return alive_; }
  size_t streams() const { return windows_.size(); }

 private:
  static void Frame(std::string* out, uint8_t type, uint8_t flags, uint32_t stream,
                    const std::string& payload) {
    const size_t n = payload.size();
    out->push_back(static_cast<char>(n >> 16));
    out->push_back(static_cast<char>(n >> 8));
    out->push_back(static_cast<char>(n));
    out->push_back(static_cast<char>(type));
    out->push_back(static_cast<char>(flags));
    for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(stream >> (24 - 8 * i)));
    *out += payload;
  }

  bool Data(uint32_t id, const std::string& bytes) {
    std::string out;
    Frame(&out, 0, 0, id, bytes);
    windows_[id] -= static_cast<int64_t>(bytes.size());
    connection_window_ -= static_cast<int64_t>(bytes.size());
    return Write(out);
  }

  bool Write(const std::string& bytes) {
    if (!alive_) return false;
    size_t at = 0;
    while (at < bytes.size()) {
      const int n = SSL_write(ssl_, bytes.data() + at, static_cast<int>(bytes.size() - at));
      if (n <= 0) return alive_ = false;
      at += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads and handles whatever frames arrive within `timeout_ms`.
  bool Read(int timeout_ms) {
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (SSL_pending(ssl_) == 0 && ::poll(&p, 1, timeout_ms) <= 0) return alive_;
      char buf[65536];
      const int n = SSL_read(ssl_, buf, sizeof buf);
      if (n <= 0) return alive_ = false;
      in_.append(buf, static_cast<size_t>(n));
      while (in_.size() >= 9) {
        const auto* b = reinterpret_cast<const uint8_t*>(in_.data());
        const size_t len = (size_t{b[0]} << 16) | (size_t{b[1]} << 8) | b[2];
        if (in_.size() < 9 + len) break;
        const uint8_t type = b[3], flags = b[4];
        const uint32_t stream =
            ((uint32_t{b[5]} << 24) | (uint32_t{b[6]} << 16) | (uint32_t{b[7]} << 8) | b[8]) &
            0x7fffffffu;
        const std::string payload = in_.substr(9, len);
        in_.erase(0, 9 + len);
        Handle(type, flags, stream, payload);
      }
      timeout_ms = 0;
    }
  }

  void Handle(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
    const auto* p = reinterpret_cast<const uint8_t*>(payload.data());
    auto u32 = [&](size_t at) {
      return (uint32_t{p[at]} << 24) | (uint32_t{p[at + 1]} << 16) | (uint32_t{p[at + 2]} << 8) |
             p[at + 3];
    };
    if (type == 4 && (flags & 1) == 0) {  // SETTINGS: take the initial window, acknowledge
      for (size_t at = 0; at + 6 <= payload.size(); at += 6) {
        const uint16_t key = static_cast<uint16_t>((p[at] << 8) | p[at + 1]);
        if (key == 4) {
          const int64_t now = u32(at + 2);
          for (auto& [id, w] : windows_) w += now - initial_window_;
          initial_window_ = now;
        }
      }
      std::string ack;
      Frame(&ack, 4, 1, 0, "");
      Write(ack);
    } else if (type == 6 && (flags & 1) == 0) {  // PING
      std::string pong;
      Frame(&pong, 6, 1, 0, payload);
      Write(pong);
    } else if (type == 8 && payload.size() == 4) {  // WINDOW_UPDATE
      const int64_t inc = u32(0) & 0x7fffffffu;
      if (stream == 0) {
        connection_window_ += inc;
      } else if (windows_.count(stream)) {
        windows_[stream] += inc;
      }
    } else if (type == 3 || (type == 1 && (flags & 1))) {  // RST_STREAM, or trailers ending it
      windows_.erase(stream);
    } else if (type == 7) {  // GOAWAY
      alive_ = false;
    }
  }

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool alive_ = true;
  std::string in_;
  uint32_t next_stream_ = 1;
  int64_t initial_window_ = 65535;
  int64_t connection_window_ = 65535;
  std::map<uint32_t, int64_t> windows_;
};

}  // namespace gavah::testing
