// The video job's share of the cores between the engine and the encoder
// (restore_4k/thread_budget.hpp): few cores keep the engine on all of them
// and one encoder thread; from 8 cores the encoder gets a quarter (at most
// 8) and the engine the rest; an engine thread count given is kept.
#include <gtest/gtest.h>

#include "restore_4k/thread_budget.hpp"

namespace {

TEST(ThreadBudget, SharesTheCoresBetweenEngineAndEncoder) {
  using r4k::restore::thread_budget;
  EXPECT_EQ(thread_budget(1, 0).engine, 1);
  EXPECT_EQ(thread_budget(1, 0).encoder, 1);
  EXPECT_EQ(thread_budget(2, 0).engine, 2);
  EXPECT_EQ(thread_budget(2, 0).encoder, 1);
  EXPECT_EQ(thread_budget(4, 0).engine, 4);
  EXPECT_EQ(thread_budget(8, 0).engine, 6);
  EXPECT_EQ(thread_budget(8, 0).encoder, 2);
  EXPECT_EQ(thread_budget(16, 0).engine + thread_budget(16, 0).encoder, 16);
  EXPECT_EQ(thread_budget(64, 0).encoder, 8);
  EXPECT_EQ(thread_budget(64, 0).engine, 56);
  // engine.threads given: kept; the encoder's share still follows the cores.
  EXPECT_EQ(thread_budget(16, 3).engine, 3);
  EXPECT_EQ(thread_budget(16, 3).encoder, 4);
}

}  // namespace
