// Cancels upload streams that stop making progress, so that a peer that opens a stream and then
// says nothing, or trickles a byte now and then, cannot hold an upload slot and its memory.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace gavah::server {

struct StreamPace {
  std::chrono::seconds first_message{600};  // the first message may be a whole 1 MiB envelope
  std::chrono::seconds idle{120};           // the longest wait for any later message
  uint64_t min_bytes_per_second = 512;      // averaged over the time spent waiting for data
};

class StreamWatchdog {
 public:
  explicit StreamWatchdog(StreamPace pace);
  ~StreamWatchdog();

  // Registers a stream for as long as the Watch lives. Only the time the server spends waiting
  // for the peer counts (Reading() to Arrived()), so a busy server never cancels a witness.
  class Watch {
   public:
    Watch(StreamWatchdog* dog, grpc::ServerContextBase* ctx);
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    void Reading();
    void Arrived(uint64_t bytes);

   private:
    StreamWatchdog* dog_;
    grpc::ServerContextBase* ctx_;
  };

 private:
  struct Entry {
    bool reading = false;
    bool first = true;  // no message yet
    std::chrono::steady_clock::time_point since{};
    std::chrono::steady_clock::duration waited{};  // before `since`, for data after the first
    uint64_t bytes = 0;                            // after the first message
  };
  void Run();
  const StreamPace pace_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<grpc::ServerContextBase*, Entry> streams_;  // guarded by mu_
  bool stop_ = false;                                  // guarded by mu_
  std::thread thread_;
};

}  // namespace gavah::server
