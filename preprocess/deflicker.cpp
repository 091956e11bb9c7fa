#include "preprocess/deflicker.hpp"

#include <algorithm>
#include <cmath>

namespace r4k {

namespace {

// The trend of value(i), i in [first, last], at `at`: the least-squares line
// where its slope is clearly there (a fade: |slope| above 3 standard errors,
// the errors measured from the scatter about the line), else the mean. A
// line extrapolated to the ends of a short window follows the flicker more
// than a mean does, so the mean is kept unless the data say it is a ramp.
template <typename Value>
double trend_at(std::size_t first, std::size_t last, std::size_t at, Value value) {
  const double n = static_cast<double>(last - first + 1);
  double st = 0.0;
  double sv = 0.0;
  for (std::size_t i = first; i <= last; ++i) {
    st += static_cast<double>(i);
    sv += value(i);
  }
  const double mean_t = st / n;
  const double mean_v = sv / n;
  // Short shots: their average.
  if (last - first + 1 < 5) return mean_v;
  double stt = 0.0;
  double stv = 0.0;
  for (std::size_t i = first; i <= last; ++i) {
    const double t = static_cast<double>(i) - mean_t;
    stt += t * t;
    stv += t * (value(i) - mean_v);
  }
  const double slope = stv / stt;
  double scatter = 0.0;
  for (std::size_t i = first; i <= last; ++i) {
    const double residual = value(i) - (mean_v + slope * (static_cast<double>(i) - mean_t));
    scatter += residual * residual;
  }
  const double standard_error = std::sqrt(scatter / (n - 2.0) / stt);
  if (std::abs(slope) <= 3.0 * standard_error) return mean_v;
  return mean_v + slope * (static_cast<double>(at) - mean_t);
}

}  // namespace

LumaStats luma_stats(const Frame& frame) {
  LumaStats stats;
  const int width = frame.width();
  const int height = frame.height();
  if (width <= 0 || height <= 0) return stats;
  const std::size_t count = frame.planes.shape().plane_size();
  std::vector<double> cells(static_cast<std::size_t>(kThumbnailSize * kThumbnailSize), 0.0);
  std::vector<int> cell_count(cells.size(), 0);
  std::vector<float> storage;
  const float* luma = luma_of(frame, storage);
  double sum = 0.0;
  double squares = 0.0;
  for (int y = 0; y < height; ++y) {
    const int cy = y * kThumbnailSize / height;
    for (int x = 0; x < width; ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x);
      const double v = luma[i];
      sum += v;
      squares += v * v;
      const std::size_t cell = static_cast<std::size_t>(cy * kThumbnailSize + x * kThumbnailSize / width);
      cells[cell] += v;
      ++cell_count[cell];
    }
  }
  stats.mean = sum / static_cast<double>(count);
  stats.deviation = std::sqrt(std::max(0.0, squares / static_cast<double>(count) - stats.mean * stats.mean));
  stats.black = frame.colour == FrameColour::ycbcr && frame.space.range == YcbcrRange::limited ? 16.0 / 255.0 : 0.0;
  stats.cells.resize(cells.size());
  stats.thumbnail.resize(cells.size());
  const double scale = stats.deviation > 1e-6 ? 1.0 / stats.deviation : 0.0;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const double cell_mean = cell_count[c] > 0 ? cells[c] / cell_count[c] : stats.mean;
    stats.cells[c] = static_cast<float>(cell_mean - stats.black);
    stats.thumbnail[c] = static_cast<float>((cell_mean - stats.mean) * scale);
  }
  return stats;
}

bool is_cut(const LumaStats& a, const LumaStats& b, const DeflickerSettings& settings) {
  if (std::abs(a.mean - b.mean) > settings.cut_jump) return true;
  // Nearly flat pictures (black between shots, the end of a fade) have no
  // content to compare: only the jump in mean tells.
  if (a.deviation < 0.01 || b.deviation < 0.01 || a.thumbnail.size() != b.thumbnail.size()) return false;
  double change = 0.0;
  for (std::size_t i = 0; i < a.thumbnail.size(); ++i) change += std::abs(a.thumbnail[i] - b.thumbnail[i]);
  return change / static_cast<double>(a.thumbnail.size()) > settings.cut_change;
}

double log_gain(const LumaStats& a, const LumaStats& b) {
  // Cells dark in either frame say little about a ratio.
  std::vector<double> ratios;
  ratios.reserve(a.cells.size());
  for (std::size_t i = 0; i < a.cells.size() && i < b.cells.size(); ++i) {
    if (a.cells[i] > 0.03f && b.cells[i] > 0.03f) ratios.push_back(std::log(b.cells[i] / a.cells[i]));
  }
  if (ratios.size() < 4) {
    const double ma = a.mean - a.black;
    const double mb = b.mean - b.black;
    return ma > 1e-3 && mb > 1e-3 ? std::log(mb / ma) : 0.0;
  }
  // The median: content moving in or out of some cells does not move it.
  const auto middle = ratios.begin() + static_cast<std::ptrdiff_t>(ratios.size() / 2);
  std::nth_element(ratios.begin(), middle, ratios.end());
  return *middle;
}

Correction deflicker_correction(const std::vector<LumaStats>& stats, std::size_t index,
                                const DeflickerSettings& settings) {
  if (index >= stats.size()) return {};
  const std::size_t radius = static_cast<std::size_t>(std::max(0, settings.radius));
  // The shot around `index`: `radius` frames each side; where one side is
  // cut short (a cut, the end of the stream), the other reaches further so
  // that the trend still rests on 2 * radius + 1 frames.
  std::size_t last = index;
  while (last + 1 < stats.size() && last - index < radius && !is_cut(stats[last], stats[last + 1], settings)) {
    ++last;
  }
  std::size_t first = index;
  while (first > 0 && index - first < 2 * radius - (last - index) && !is_cut(stats[first - 1], stats[first], settings)) {
    --first;
  }
  while (last + 1 < stats.size() && last - first < 2 * radius && last - index < 2 * radius &&
         !is_cut(stats[last], stats[last + 1], settings)) {
    ++last;
  }
  // The exposure curve over the window relative to its first frame
  // (accumulated in logs, so that the ratios chain), and its trend taken in
  // light: a fade is a linear ramp of exposure.
  std::vector<double> curve(last - first + 1, 1.0);
  double log_exposure = 0.0;
  for (std::size_t i = first + 1; i <= last; ++i) {
    log_exposure += log_gain(stats[i - 1], stats[i]);
    curve[i - first] = std::exp(log_exposure);
  }
  const double trend = trend_at(first, last, index, [&](std::size_t i) { return curve[i - first]; });
  Correction correction;
  correction.gain = std::clamp(trend / curve[index - first], 1.0 / settings.max_gain, settings.max_gain);
  correction.offset = stats[index].black * (1.0 - correction.gain);
  return correction;
}

void apply_correction(Frame& frame, const Correction& correction) {
  if (correction.gain == 1.0 && correction.offset == 0.0) return;
  const auto gain = static_cast<float>(correction.gain);
  const auto offset = static_cast<float>(correction.offset);
  const std::size_t count = frame.planes.shape().plane_size();
  for (int c = 0; c < frame.colour_planes(); ++c) {
    float* p = frame.planes.plane(0, c);
    for (std::size_t i = 0; i < count; ++i) p[i] = std::clamp(gain * p[i] + offset, 0.0f, 1.0f);
  }
}

void DeflickerStage::observe(const Frame& frame) { stats_.push_back(luma_stats(frame)); }

void DeflickerStage::process(const FrameWindow&, Frame& current) {
  // The window: up to 2 * radius frames before frame next_ and radius after
  // (deflicker_correction picks its part of it).
  const std::size_t radius = static_cast<std::size_t>(std::max(0, settings_.radius));
  const std::size_t begin = next_ > first_ + 2 * radius ? next_ - 2 * radius : first_;
  const std::size_t end = std::min(first_ + stats_.size(), next_ + radius + 1);
  const std::vector<LumaStats> window(stats_.begin() + static_cast<std::ptrdiff_t>(begin - first_),
                                      stats_.begin() + static_cast<std::ptrdiff_t>(end - first_));
  apply_correction(current, deflicker_correction(window, next_ - begin, settings_));
  ++next_;
  // Forget what no later window reaches.
  while (next_ > first_ + 2 * radius) {
    stats_.pop_front();
    ++first_;
  }
}

void DeflickerStage::reset() {
  stats_.clear();
  first_ = 0;
  next_ = 0;
}

}  // namespace r4k
