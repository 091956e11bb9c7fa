// Conversions between interleaved images (cv::Mat, 8/16-bit integer or 32-bit
// float, 1 to 4 channels) and planar float tensors with values in [0, 1].
#pragma once

#include <vector>

#include <opencv2/core/mat.hpp>

#include "core/tensor.hpp"

namespace r4k {

// The largest code value of an OpenCV depth: 255 for CV_8U, 65535 for CV_16U,
// 1 for CV_32F. Throws InputError for other depths.
double max_code_value(int depth);

// Interleaved -> planar (1 x channels.size() x H x W). `channels` lists which
// source channels to take, in order (e.g. {2, 1, 0} turns BGR into RGB).
// Integer images are divided by their maximum code value.
Tensor to_planar(const cv::Mat& image, const std::vector<int>& channels);

// Planar -> interleaved of `depth`, from planes `channels` of `planes` (batch
// item 0) in order. Integer outputs are scaled, rounded to nearest and clamped.
cv::Mat to_interleaved(const Tensor& planes, const std::vector<int>& channels, int depth);

// Bits per sample of an OpenCV depth: 8, 16, or 0 for float.
int bits_of_depth(int depth);

// Rounds values in place to the code values of a `bits`-bit sample (and
// clamps to [0, 1]), as if stored at that depth and read back. bits 0: no-op.
void quantise(float* values, std::size_t count, int bits);

}  // namespace r4k
