// Still images as OpenCV holds them (interleaved BGR, BGRA or grey, 8/16-bit
// or float) and frames as the upscaler takes them (planar RGB(A) or grey in
// [0, 1]), both ways.
#pragma once

#include <opencv2/core.hpp>

#include "preprocess/frame.hpp"

namespace r4k {

Frame frame_from_image(const cv::Mat& image);

// `frame` back to an OpenCV image of `depth` (CV_8U, CV_16U or CV_32F).
cv::Mat image_from_frame(const Frame& frame, int depth);

}  // namespace r4k
