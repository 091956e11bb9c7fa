#include "preprocess/cleanup_stages.hpp"

namespace r4k {

void DustStage::process(const FrameWindow& window, Frame& current) {
  const Frame* previous = window.at(-1);
  const Frame* next = window.at(1);
  if (dust_ && previous != nullptr && next != nullptr) {
    // Repairs the scratches too when they are asked for.
    const DustReport report = remove_dust(*previous, current, *next, settings_);
    totals_.repaired_pixels += report.repaired_pixels;
    totals_.scratch_columns += report.scratch_columns;
  } else if (settings_.scratches) {
    totals_.scratch_columns += repair_scratches(current, settings_);
  }
}

void DenoiseStage::process(const FrameWindow& window, Frame& current) {
  if (settings_.strength <= 0.0) return;
  if (!settings_.temporal) {
    denoise_frame(nullptr, current, nullptr, settings_);
    return;
  }
  denoise_frame(window.at(-1), current, window.at(1), settings_);
}

}  // namespace r4k
