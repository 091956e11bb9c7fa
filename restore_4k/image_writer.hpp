// Writing still images without ever leaving a partial file under the final
// name: the image is written to a hidden temporary name in the same folder
// and renamed over the output when complete.
#pragma once

#include <filesystem>

#include <opencv2/core/mat.hpp>

namespace r4k::restore {

// Checks, before any work is done, that `output` can be written: a known
// extension (.png, .tif, .tiff, .jpg, .jpeg), not a directory, its folder
// exists and is writable, and it is not the input. Throws InputError.
void check_output_path(const std::filesystem::path& output, const std::filesystem::path& input);

// True when the output format stores 16-bit samples (PNG, TIFF).
bool format_keeps_16_bit(const std::filesystem::path& output);

// Throws Error (nothing left under `output` or the temporary name) on failure.
void write_image_atomically(const std::filesystem::path& output, const cv::Mat& image);

}  // namespace r4k::restore
