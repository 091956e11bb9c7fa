// Classical upscaling of planar float data by an integer factor (cv::resize
// with half-pixel-centred sampling and replicated borders). Used as the
// `classic` engine, for chroma next to luma-only models, and for alpha.
#pragma once

#include <string>

#include <opencv2/core/mat.hpp>

#include "core/tensor.hpp"

namespace r4k {

enum class ResampleFilter { nearest, bilinear, bicubic, lanczos };

// Input pixels on each side that an output pixel depends on: output pixel
// s*p + j reads only inputs p - radius .. p + radius, so tiles with this much
// halo reproduce the whole-image result exactly.
int filter_radius(ResampleFilter filter);

std::string to_string(ResampleFilter filter);
// Parses "nearest", "bilinear", "bicubic", "lanczos"; throws InputError naming the value otherwise.
ResampleFilter parse_resample_filter(const std::string& name);

// Upscales every plane of `input` (n x c x h x w) into `output`
// (n x c x h*scale x w*scale), resizing `output` as needed.
void upscale_planes(const Tensor& input, int scale, ResampleFilter filter, Tensor& output);

// Resizes one plane into `output` (its size, often a region of a larger
// plane: the picture inside a fit's bars, written in place). Shrinking
// averages areas (only the rows when the width stays: a weighted sum of
// the input rows that each output row covers); enlarging uses `filter`.
void resize_plane(const cv::Mat& input, cv::Mat& output, ResampleFilter filter);

// Resizes every plane to width x height (any ratio). Shrinking uses area
// averaging (no aliasing); enlarging uses `filter`.
void resize_planes(const Tensor& input, int width, int height, ResampleFilter filter, Tensor& output);

}  // namespace r4k
