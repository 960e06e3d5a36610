// The intake's work pool: under load it serves the most proven work first, in posting order
// among equals, and refuses past its bound instead of queueing without end.
#include "work_pool.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <vector>

namespace gavah::server {
namespace {

TEST(WorkPoolTest, UnderLoadHigherPriorityRunsFirstAndTheQueueIsBounded) {
  std::vector<int> order;
  std::mutex mu;
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  {
    WorkPool pool(1, 5);
    std::promise<void> started;
    ASSERT_TRUE(pool.Post([&] {
      started.set_value();
      gate.wait();  // the one worker is busy: everything else queues
    }));
    started.get_future().wait();
    auto note = [&](int n) {
      return [&, n] {
        std::lock_guard<std::mutex> lock(mu);
        order.push_back(n);
      };
    };
    ASSERT_TRUE(pool.Post(note(0), 0));
    ASSERT_TRUE(pool.Post(note(51), 5));
    ASSERT_TRUE(pool.Post(note(3), 3));
    ASSERT_TRUE(pool.Post(note(52), 5));
    ASSERT_TRUE(pool.Post(note(1), 0));
    EXPECT_FALSE(pool.Post(note(99), 9)) << "a full queue refuses, whatever the priority";
    release.set_value();
  }  // the destructor runs what is queued, then joins
  EXPECT_EQ(order, (std::vector<int>{51, 52, 3, 0, 1}));
}

}  // namespace
}  // namespace gavah::server
