// Deflicker: removes frame-to-frame brightness fluctuation (exposure, lamp
// and shutter flicker) of film scans. Flicker is a gain on the light: the
// gain between consecutive frames is measured as the median ratio of
// their thumbnails' cells (so content moving in or out of some cells does
// not count), chained into an exposure curve
// over the shot, and each frame is brought to the curve's trend over a
// window of neighbours (a least-squares line where the slope is
// significant, else the mean, evaluated at the frame): a fade is its own
// trend and stays. The window stops at cuts, found as a
// change of picture content (the thumbnail normalised for brightness and
// contrast, which flicker leaves alone) or a jump in mean luma larger than
// flicker makes (a flash frame is its own shot and is left as it is).
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include "preprocess/frame.hpp"
#include "preprocess/temporal_stage.hpp"

namespace r4k {

struct LumaStats {
  double mean = 0.0;
  double deviation = 0.0;
  // A small luma thumbnail (kThumbnailSize^2 cells) above black level...
  std::vector<float> cells;
  // ... and the same normalised to zero mean and unit deviation: what the
  // picture shows, whatever its exposure.
  std::vector<float> thumbnail;
  double black = 0.0;  // luma of black (16/255 for limited range)
};

inline constexpr int kThumbnailSize = 16;

// Of the frame's luma: Y' for Y'CbCr and grey frames, BT.601 luma of R'G'B'.
// The black level is 16/255 for limited-range Y'CbCr, 0 otherwise.
LumaStats luma_stats(const Frame& frame);

struct DeflickerSettings {
  // Frames on each side of the window; where the past is cut short (a cut,
  // the start), the window reaches as far ahead as has been seen, and where
  // the future is (a cut, the end), up to 2 * radius frames back.
  int radius = 25;
  double cut_jump = 0.12;      // a jump in mean luma (0..1) above this is a cut
  double cut_change = 0.6;     // mean change of the normalised thumbnail above this is a cut
  double max_gain = 1.5;       // corrections are limited to [1/max_gain, max_gain]
};

// True when frames a and b (consecutive) belong to different shots.
bool is_cut(const LumaStats& a, const LumaStats& b, const DeflickerSettings& settings);

// Log of the gain from frame a to frame b (consecutive, same shot).
double log_gain(const LumaStats& a, const LumaStats& b);

// y' = gain * y + offset on luma (and on every R'G'B' channel alike);
// offset = black * (1 - gain), so black stays black.
struct Correction {
  double gain = 1.0;
  double offset = 0.0;
};

// The correction of frame `index` of `stats` (a whole sequence, or a window
// where `index` has up to 2 * radius neighbours before it and radius after).
Correction deflicker_correction(const std::vector<LumaStats>& stats, std::size_t index,
                                const DeflickerSettings& settings);

// Applies a correction in place (values stay in [0, 1]; alpha and chroma untouched).
void apply_correction(Frame& frame, const Correction& correction);

// The deflicker as a TemporalStage: looks `radius` frames ahead, keeps the
// statistics of 2 * radius frames back; reads only
// the current picture.
class DeflickerStage : public TemporalStage {
 public:
  explicit DeflickerStage(const DeflickerSettings& settings) : settings_(settings) {}
  int lookahead() const override { return settings_.radius; }
  int context() const override { return 0; }
  int history() const override { return 2 * settings_.radius; }
  void observe(const Frame& frame) override;
  void process(const FrameWindow& window, Frame& current) override;
  void reset() override;

 private:
  DeflickerSettings settings_;
  std::deque<LumaStats> stats_;  // from frame first_ on
  std::size_t first_ = 0;        // number of the frame stats_.front() belongs to
  std::size_t next_ = 0;         // number of the next frame to process
};

}  // namespace r4k
