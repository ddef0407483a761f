// mpimap::Executor's futures: many submits in flight, get(timeout) expiring
// on a task that blocks until released, ready/wait, callbacks, as_completed,
// cancel, and shutdown with futures pending.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "executor_tasks.hpp"

namespace {

using namespace executor_test;
using namespace std::chrono_literals;

TEST(ExecutorFuture, ManySubmitsInFlight) {
  mpimap::Executor ex;
  ex.run([&] {
    std::vector<mpimap::Future<long>> futures;
    for (long i = 0; i < 5000; ++i) futures.push_back(ex.submit(square, i));
    for (long i = 0; i < 5000; ++i) EXPECT_EQ(futures[static_cast<std::size_t>(i)].get(), i * i);
    // Mixed tasks in one stream of submits.
    std::vector<mpimap::Future<long>> sums;
    std::vector<mpimap::Future<bool>> evens;
    for (long i = 0; i < 1000; ++i) {
      sums.push_back(ex.submit(add, i, 1L));
      evens.push_back(ex.apply_async(is_even, i));
    }
    for (long i = 0; i < 1000; ++i) {
      EXPECT_EQ(sums[static_cast<std::size_t>(i)].get(), i + 1);
      EXPECT_EQ(evens[static_cast<std::size_t>(i)].get(), i % 2 == 0);
    }
  });
  EXPECT_EQ(ranks_here(), world_size());
}

TEST(ExecutorFuture, GetWithTimeoutExpiresThenSucceeds) {
  mpimap::Executor ex;
  ex.run([&] {
    ReleaseFile file;
    auto blocked = ex.submit(wait_for_file, file.path);
    EXPECT_THROW(blocked.get(20ms), mpimap::TimeoutError);
    EXPECT_FALSE(blocked.wait_for(1ms));
    EXPECT_FALSE(blocked.ready());
    // Other work goes on meanwhile (alone, rank 0 would run the blocked
    // task first: calls start in the order they were made).
    if (ex.size() > 1) {
      EXPECT_EQ(ex.apply(square, 5L), 25);
    }
    file.release();
    EXPECT_EQ(blocked.get(), 1);  // untimed: alone, rank 0 runs it now
    EXPECT_TRUE(blocked.ready());
  });
}

TEST(ExecutorFuture, ReadyWaitAndCallbacks) {
  mpimap::Executor ex;
  ex.run([&] {
    long seen = 0;
    std::string error;
    auto f = ex.submit(square, 6L).then([&](long v) { seen = v; });
    auto g = ex.submit(fails_on_sevens, 7L)
                 .then([&](long) { ADD_FAILURE() << "value for a failed task"; },
                       [&](const mpimap::TaskError& e) { error = e.message(); });
    f.wait();
    g.wait();
    EXPECT_TRUE(f.ready());
    EXPECT_EQ(seen, 36);
    EXPECT_EQ(error.rfind("bad item 7 on rank ", 0), 0u) << error;
    EXPECT_THROW(g.get(), mpimap::TaskError);
    // A callback added after the end runs at once.
    long late = 0;
    f.then([&](long v) { late = v; });
    EXPECT_EQ(late, 36);
    // map_async: a future of the whole vector.
    auto m = ex.map_async(square, std::vector<long>{1, 2, 3});
    EXPECT_EQ(m.get(), (std::vector<long>{1, 4, 9}));
  });
}

TEST(ExecutorFuture, NoCallbackRunsAfterTheBodyThrew) {
  mpimap::Executor ex;
  int calls = 0, calls_at_throw = 0;  // outlive the body
  try {
    ex.run([&] {
      for (long i = 0; i < 200; ++i) ex.submit(square, i).then([&calls](long) { ++calls; });
      calls_at_throw = calls;  // those that finished inside submit() ran theirs
      throw std::runtime_error("gone");
    });
  } catch (const std::runtime_error&) {
  }
  // The calls in flight finished while the executor shut down, silently.
  EXPECT_EQ(calls, calls_at_throw);
  EXPECT_EQ(ranks_here(), world_size());
}

TEST(ExecutorFuture, AsCompletedYieldsEachOnce) {
  mpimap::Executor ex;
  ex.run([&] {
    std::vector<mpimap::Future<long>> futures;
    for (long i = 0; i < 300; ++i) futures.push_back(ex.submit(square, i));
    std::multiset<long> got, want;
    for (long i = 0; i < 300; ++i) want.insert(i * i);
    for (auto& f : mpimap::as_completed(futures)) {
      EXPECT_TRUE(f.ready());
      got.insert(f.get());
    }
    EXPECT_EQ(got, want);
  });
}

TEST(ExecutorFuture, CancelAQueuedCall) {
  mpimap::Executor ex;
  ex.run([&] {
    // Enough blocked calls that every worker's window is full and the rest
    // stay queued on rank 0.
    ReleaseFile file;
    std::vector<mpimap::Future<int>> blocked;
    for (int i = 0; i < 40 * ex.size(); ++i) blocked.push_back(ex.submit(wait_for_file, file.path));
    auto& last = blocked.back();
    EXPECT_TRUE(last.cancel());
    EXPECT_TRUE(last.cancelled());
    EXPECT_THROW(last.get(), mpimap::CancelledError);
    file.release();
    for (std::size_t i = 0; i + 1 < blocked.size(); ++i) EXPECT_EQ(blocked[i].get(), 1);
  });
}

TEST(ExecutorFuture, ShutdownWithFuturesPending) {
  for (bool cancel : {false, true}) {
    mpimap::Executor ex;
    if (!ex.is_root()) continue;
    std::vector<mpimap::Future<long>> futures;
    for (long i = 0; i < 2000; ++i) futures.push_back(ex.submit(square, i));
    ex.shutdown(/*wait=*/true, /*cancel_futures=*/cancel);
    long values = 0;
    for (long i = 0; i < 2000; ++i) {
      auto& f = futures[static_cast<std::size_t>(i)];
      EXPECT_TRUE(f.ready());
      if (f.cancelled()) {
        EXPECT_TRUE(cancel);
        EXPECT_THROW(f.get(), mpimap::CancelledError);
      } else {
        EXPECT_EQ(f.get(), i * i);
        ++values;
      }
    }
    if (!cancel) {
      EXPECT_EQ(values, 2000);
    }
    EXPECT_THROW(ex.submit(square, 1L), std::logic_error);
    ex.shutdown();  // again: nothing to do
  }
  EXPECT_EQ(ranks_here(), world_size());
}

TEST(ExecutorFuture, DestructorFinishesPendingWork) {
  std::vector<mpimap::Future<long>> futures;
  {
    mpimap::Executor ex;
    if (ex.is_root())
      for (long i = 0; i < 500; ++i) futures.push_back(ex.submit(square, i));
  }
  for (long i = 0; i < static_cast<long>(futures.size()); ++i)
    EXPECT_EQ(futures[static_cast<std::size_t>(i)].get(), i * i);
  EXPECT_EQ(ranks_here(), world_size());
}

}  // namespace
