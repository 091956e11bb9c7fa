// Reading still images (PNG, TIFF, JPEG; 8- or 16-bit; grey, RGB, RGBA) with
// checks that turn missing, empty, truncated or undecodable files into
// InputErrors that name the file, instead of a crash or a silently
// grey-filled picture.
#pragma once

#include <filesystem>

#include <opencv2/core/mat.hpp>

namespace r4k::decode {

// Returns the image as OpenCV holds it: CV_8U, CV_16U or CV_32F; 1 (grey),
// 3 (BGR) or 4 (BGRA) channels.
cv::Mat read_image(const std::filesystem::path& path);

}  // namespace r4k::decode
