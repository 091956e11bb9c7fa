#include "preprocess/tile_stitcher.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>

#include "core/error.hpp"

namespace r4k {

float raised_cosine(float t) {
  const float clamped = std::clamp(t, 0.0f, 1.0f);
  return 0.5f - 0.5f * std::cos(std::numbers::pi_v<float> * clamped);
}

namespace {

// Weights along one axis of a tile, for output pixels [out_begin, out_end).
// Inner core boundaries get a ramp 2*feather input pixels wide centred on the
// boundary; the neighbour's ramp is its complement, so weights sum to one.
std::vector<float> axis_weights(int out_begin, int out_end, int core_begin, int core_end, int image_length,
                                int scale, int feather) {
  std::vector<float> weights;
  weights.reserve(static_cast<std::size_t>(out_end - out_begin));
  const float width = 2.0f * static_cast<float>(feather);
  for (int o = out_begin; o < out_end; ++o) {
    const float u = (static_cast<float>(o) + 0.5f) / static_cast<float>(scale);
    float w = 1.0f;
    if (core_begin > 0) w *= raised_cosine((u - static_cast<float>(core_begin - feather)) / width);
    if (core_end < image_length) w *= 1.0f - raised_cosine((u - static_cast<float>(core_end - feather)) / width);
    weights.push_back(w);
  }
  return weights;
}

}  // namespace

TileStitcher::TileStitcher(const TilePlan& plan, int scale, int channels, int feather)
    : plan_(plan), scale_(scale), channels_(channels), feather_(feather) {
  if (scale < 1) throw InputError("scale must be at least 1, got " + std::to_string(scale));
  if (feather < 0) throw InputError("feather must not be negative, got " + std::to_string(feather));
  output_.resize({1, channels, plan.height() * scale, plan.width() * scale});
  if (feather_ > 0) {
    output_.fill(0.0f);
    weight_sum_.resize({1, 1, plan.height() * scale, plan.width() * scale});
    weight_sum_.fill(0.0f);
  }
}

void TileStitcher::add(const Tile& tile, const float* tile_output) {
  if (feather_ > 0) {
    add_feathered(tile, tile_output);
  } else {
    add_cut(tile, tile_output);
  }
}

void TileStitcher::add_cut(const Tile& tile, const float* tile_output) {
  const std::size_t tile_w = static_cast<std::size_t>(tile.window.width * scale_);
  const std::size_t tile_plane = tile_w * static_cast<std::size_t>(tile.window.height * scale_);
  const std::size_t out_w = static_cast<std::size_t>(output_.shape().w);
  const int x0 = (tile.core.x - tile.window.x) * scale_;
  const int y0 = (tile.core.y - tile.window.y) * scale_;
  const std::size_t row_bytes = static_cast<std::size_t>(tile.core.width * scale_) * sizeof(float);
  for (int c = 0; c < channels_; ++c) {
    const float* src = tile_output + static_cast<std::size_t>(c) * tile_plane;
    float* dst = output_.plane(0, c);
    for (int y = 0; y < tile.core.height * scale_; ++y) {
      const std::size_t src_row = static_cast<std::size_t>(y0 + y) * tile_w + static_cast<std::size_t>(x0);
      const std::size_t dst_row =
          static_cast<std::size_t>(tile.core.y * scale_ + y) * out_w + static_cast<std::size_t>(tile.core.x * scale_);
      std::memcpy(dst + dst_row, src + src_row, row_bytes);
    }
  }
}

void TileStitcher::add_feathered(const Tile& tile, const float* tile_output) {
  // The region this tile contributes to: its core widened by the feather on
  // inner edges, which the plan guarantees lies inside the window.
  const int left = std::max(tile.core.x - feather_, tile.window.x);
  const int right = std::min(tile.core.right() + feather_, tile.window.right());
  const int top = std::max(tile.core.y - feather_, tile.window.y);
  const int bottom = std::min(tile.core.bottom() + feather_, tile.window.bottom());
  const auto wx = axis_weights(left * scale_, right * scale_, tile.core.x, tile.core.right(), plan_.width(), scale_,
                               feather_);
  const auto wy = axis_weights(top * scale_, bottom * scale_, tile.core.y, tile.core.bottom(), plan_.height(),
                               scale_, feather_);
  const std::size_t tile_w = static_cast<std::size_t>(tile.window.width * scale_);
  const std::size_t tile_plane = tile_w * static_cast<std::size_t>(tile.window.height * scale_);
  const std::size_t out_w = static_cast<std::size_t>(output_.shape().w);
  float* weight_sum = weight_sum_.plane(0, 0);
  for (int y = top * scale_; y < bottom * scale_; ++y) {
    const float row_weight = wy[static_cast<std::size_t>(y - top * scale_)];
    const std::size_t src_row = static_cast<std::size_t>(y - tile.window.y * scale_) * tile_w;
    const std::size_t dst_row = static_cast<std::size_t>(y) * out_w;
    for (int x = left * scale_; x < right * scale_; ++x) {
      const float w = row_weight * wx[static_cast<std::size_t>(x - left * scale_)];
      const std::size_t s = src_row + static_cast<std::size_t>(x - tile.window.x * scale_);
      const std::size_t d = dst_row + static_cast<std::size_t>(x);
      for (int c = 0; c < channels_; ++c) {
        output_.plane(0, c)[d] += w * tile_output[static_cast<std::size_t>(c) * tile_plane + s];
      }
      weight_sum[d] += w;
    }
  }
}

Tensor TileStitcher::finish() {
  if (feather_ > 0) {
    const float* weight_sum = weight_sum_.plane(0, 0);
    const std::size_t pixels = output_.shape().plane_size();
    for (int c = 0; c < channels_; ++c) {
      float* plane = output_.plane(0, c);
      for (std::size_t i = 0; i < pixels; ++i) {
        if (weight_sum[i] > 0.0f) plane[i] /= weight_sum[i];
      }
    }
  }
  return std::move(output_);
}

}  // namespace r4k
