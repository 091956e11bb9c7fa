// Repairing the presentation times of a constant-rate picture stream.
//
// MPEG program streams (DVDs) need not stamp every picture; GStreamer's
// decoders then guess, and after B-frames without a time they give the next
// stamped time to the pictures before it too: 1.18, 1.30, 1.30, 1.30, 1.34 s
// at 25 frames/s, where the stream shows 1.18, 1.22, 1.26, 1.30, 1.34. A run
// of equal times is resolved when the next different time arrives: when the
// run's pictures fit between the times around it at the frame rate exactly,
// they get those times (a run cannot be told apart otherwise, so it is kept
// and counted as unrepaired). Times that increase are never changed. No
// GStreamer here.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace r4k {

class FrameTimes {
 public:
  // `duration`: one frame's duration (> 0), in the times' unit.
  explicit FrameTimes(double duration) : duration_(duration) {}

  // The next picture's time (in presentation order). Returns the pictures
  // whose times are now known, in order, as (number, time): a picture is held
  // until the next one shows whether it starts a run of equal times.
  std::vector<std::pair<std::int64_t, std::int64_t>> push(std::int64_t time);
  // The end of the stream: what is still held.
  std::vector<std::pair<std::int64_t, std::int64_t>> finish();

  std::int64_t repaired() const { return repaired_; }
  std::int64_t unrepaired() const { return unrepaired_; }

 private:
  std::vector<std::pair<std::int64_t, std::int64_t>> resolve(std::optional<std::int64_t> next);

  double duration_;
  std::optional<std::int64_t> before_;  // the last time given out
  std::deque<std::int64_t> run_;        // held pictures' numbers; all have time run_time_
  std::int64_t run_time_ = 0;
  std::int64_t next_number_ = 0;
  std::int64_t repaired_ = 0;
  std::int64_t unrepaired_ = 0;
};

}  // namespace r4k
