#include "preprocess/frame_times.hpp"

#include <algorithm>
#include <cmath>

namespace r4k {

std::vector<std::pair<std::int64_t, std::int64_t>> FrameTimes::resolve(std::optional<std::int64_t> next) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  const auto m = static_cast<std::int64_t>(run_.size());
  if (m == 0) return out;
  // Times are rounded to the container's clock: a frame step within 2 %.
  const double tolerance = std::max(2.0, duration_ / 50.0);
  const auto steps = [&](std::int64_t from, std::int64_t to, std::int64_t n) {
    return std::abs(static_cast<double>(to - from) - static_cast<double>(n) * duration_) <= tolerance;
  };
  bool spaced = false;
  if (m > 1 && before_) {
    // The run fits between the times around it at the frame rate, or its
    // last picture is right (the end, or a jump after it) and the others precede it.
    spaced = (next && steps(*before_, *next, m + 1)) ||
             (steps(*before_, run_time_, m) && (!next || *next > run_time_));
  }
  for (std::int64_t i = 0; i < m; ++i) {
    const std::int64_t time =
        spaced ? *before_ + static_cast<std::int64_t>(std::llround(static_cast<double>(i + 1) * duration_)) : run_time_;
    out.emplace_back(run_[static_cast<std::size_t>(i)], time);
  }
  if (m > 1) (spaced ? repaired_ : unrepaired_) += m - 1;
  before_ = out.back().second;
  run_.clear();
  return out;
}

std::vector<std::pair<std::int64_t, std::int64_t>> FrameTimes::push(std::int64_t time) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  if (!run_.empty() && time != run_time_) out = resolve(time);
  if (run_.empty()) run_time_ = time;
  run_.push_back(next_number_++);
  return out;
}

std::vector<std::pair<std::int64_t, std::int64_t>> FrameTimes::finish() { return resolve(std::nullopt); }

}  // namespace r4k
