// Repairing the times a decoder guessed for unstamped pictures (preprocess/frame_times).
#include <gtest/gtest.h>

#include <vector>

#include "preprocess/frame_times.hpp"

namespace {

// Times in ms at 25 frames/s, through the repair; the times it gives out, in order.
std::vector<std::int64_t> repaired(const std::vector<std::int64_t>& times, double duration = 40.0,
                                   r4k::FrameTimes* out = nullptr) {
  r4k::FrameTimes local(duration);
  r4k::FrameTimes& repair = out != nullptr ? *out : local;
  std::vector<std::int64_t> given;
  std::int64_t expected_number = 0;
  const auto take = [&](const std::vector<std::pair<std::int64_t, std::int64_t>>& done) {
    for (const auto& [number, time] : done) {
      EXPECT_EQ(number, expected_number++) << "in order, each once";
      given.push_back(time);
    }
  };
  for (std::int64_t t : times) take(repair.push(t));
  take(repair.finish());
  EXPECT_EQ(given.size(), times.size());
  return given;
}

TEST(FrameTimes, RunsOfTheNextStampedTimeGetTheFrameRatesTimes) {
  // GStreamer's MPEG-2 decoders after unstamped B-frames of a program stream.
  r4k::FrameTimes repair(40.0);
  EXPECT_EQ(repaired({1140, 1180, 1300, 1300, 1300, 1340, 1380}, 40.0, &repair),
            (std::vector<std::int64_t>{1140, 1180, 1220, 1260, 1300, 1340, 1380}));
  EXPECT_EQ(repair.repaired(), 2);
  // The run's first is right and the next fits: the same.
  EXPECT_EQ(repaired({0, 40, 80, 80, 80, 200}), (std::vector<std::int64_t>{0, 40, 80, 120, 160, 200}));
  // At the end of the stream, a run whose last is right.
  EXPECT_EQ(repaired({0, 40, 120, 120}), (std::vector<std::int64_t>{0, 40, 80, 120}));
  // NTSC in nanoseconds (1001/30 ms per frame, the stream's times rounded):
  // the repaired time is within a nanosecond of the rate's.
  const auto ntsc = repaired({0, 33366667, 100100000, 100100000, 133466667}, 1e9 * 1001.0 / 30000.0);
  EXPECT_NEAR(static_cast<double>(ntsc[2]), 66733333.3, 1.0);
  EXPECT_EQ(ntsc[3], 100100000);
}

TEST(FrameTimes, IncreasingTimesAndRunsThatDoNotFitAreLeftAsTheyAre) {
  const std::vector<std::int64_t> clean{0, 40, 80, 120, 160};
  EXPECT_EQ(repaired(clean), clean);
  // Variable spacing (a gap in the stream) is not the decoder's guess: kept.
  const std::vector<std::int64_t> gap{0, 40, 200, 240};
  EXPECT_EQ(repaired(gap), gap);
  // A run that fits no spacing: kept, and counted as not repaired.
  r4k::FrameTimes repair(40.0);
  EXPECT_EQ(repaired({0, 40, 100, 100, 300}, 40.0, &repair), (std::vector<std::int64_t>{0, 40, 100, 100, 300}));
  EXPECT_EQ(repair.repaired(), 0);
  EXPECT_EQ(repair.unrepaired(), 1);
  // A run at the very start has nothing before it to go by.
  EXPECT_EQ(repaired({80, 80, 120}), (std::vector<std::int64_t>{80, 80, 120}));
}

}  // namespace
