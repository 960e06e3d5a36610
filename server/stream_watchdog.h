// Cancels upload streams that stop making progress, so a peer that opens a stream and then says
// nothing (or only empty messages) cannot hold a thread and an upload slot indefinitely.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace gavah::server {

class StreamWatchdog {
 public:
  explicit StreamWatchdog(std::chrono::seconds idle);
  ~StreamWatchdog();

  // Registers a stream for as long as the Watch lives; Touch() on every message that moved data.
  class Watch {
   public:
    // `grace` is added to the idle time until the first Touch(): the first message of an upload
    // may be a whole envelope of up to 1 MiB, which a slow link takes minutes to carry.
    Watch(StreamWatchdog* dog, grpc::ServerContext* ctx,
          std::chrono::seconds grace = std::chrono::seconds(0));
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    void Touch();

   private:
    StreamWatchdog* dog_;
    grpc::ServerContext* ctx_;
  };

 private:
  void Run();
  std::chrono::seconds idle_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<grpc::ServerContext*, std::chrono::steady_clock::time_point> last_;  // guarded by mu_
  bool stop_ = false;                                                           // guarded by mu_
  std::thread thread_;
};

}  // namespace gavah::server
