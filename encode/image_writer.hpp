// Writing still images without ever leaving a partial file under the final
// name (through OutputFile).
#pragma once

#include <filesystem>

#include <opencv2/core/mat.hpp>

namespace r4k::encode {

// check_output_path for still images: .png, .tif, .tiff, .jpg, .jpeg.
void check_image_output_path(const std::filesystem::path& output, const std::filesystem::path& input);

// True when the output format stores 16-bit samples (PNG, TIFF).
bool format_keeps_16_bit(const std::filesystem::path& output);

// Throws Error (nothing left under `output` or the temporary name) on failure.
void write_image_atomically(const std::filesystem::path& output, const cv::Mat& image);

}  // namespace r4k::encode
