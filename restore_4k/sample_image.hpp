// A synthetic test chart (zone plate, text, edges at several angles, colour
// and grey ramps) for the demo and for trying models without any data.
#pragma once

#include <opencv2/core/mat.hpp>

namespace r4k::restore {

// 8-bit BGR, deterministic.
cv::Mat make_sample_image(int width, int height);

}  // namespace r4k::restore
