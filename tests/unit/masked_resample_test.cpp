// Upscaling around invalid pixels (preprocess/masked_resample) and filling
// them for models (preprocess/nodata_fill).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "preprocess/masked_resample.hpp"
#include "preprocess/nodata_fill.hpp"
#include "preprocess/resample.hpp"
#include "core/tensor.hpp"

namespace {

using r4k::ResampleFilter;

std::vector<double> noise(int width, int height, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> value(100.0, 900.0);
  std::vector<double> plane(static_cast<std::size_t>(width) * height);
  for (double& v : plane) v = value(rng);
  return plane;
}

// All valid: the same result as the plain filter (OpenCV's kernels).
TEST(MaskedResample, WithEveryPixelValidItIsThePlainFilter) {
  const int width = 23;
  const int height = 17;
  const auto values = noise(width, height, 1);
  for (const ResampleFilter filter :
       {ResampleFilter::nearest, ResampleFilter::bilinear, ResampleFilter::bicubic, ResampleFilter::lanczos}) {
    for (const int scale : {2, 3, 4}) {
      r4k::Tensor input({1, 1, height, width});
      for (std::size_t i = 0; i < values.size(); ++i) input.plane(0, 0)[i] = static_cast<float>(values[i]);
      r4k::Tensor plain;
      r4k::upscale_planes(input, scale, filter, plain);
      std::vector<double> out(values.size() * static_cast<std::size_t>(scale * scale));
      std::vector<std::uint8_t> valid(out.size());
      r4k::upscale_masked(values.data(), nullptr, width, height, scale, filter, out.data(), valid.data());
      double worst = 0.0;
      for (std::size_t i = 0; i < out.size(); ++i) {
        ASSERT_EQ(valid[i], 1);
        worst = std::max(worst, std::abs(out[i] - plain.plane(0, 0)[i]));
      }
      // OpenCV computes in float (and fixed-point tables for Lanczos).
      EXPECT_LT(worst, 2e-3) << r4k::to_string(filter) << " x" << scale;
    }
  }
}

// A constant area beside a hole stays exactly that constant (the hole's
// value never leaks in); the hole stays invalid and keeps its value.
TEST(MaskedResample, ValidPixelsNeverTakeInvalidValues) {
  const int width = 20;
  const int height = 16;
  std::vector<double> values(static_cast<std::size_t>(width) * height, 200.0);
  std::vector<std::uint8_t> valid(values.size(), 1);
  for (int y = 5; y < 11; ++y) {
    for (int x = 6; x < 13; ++x) {
      values[static_cast<std::size_t>(y) * width + x] = -9999.0;
      valid[static_cast<std::size_t>(y) * width + x] = 0;
    }
  }
  values[0] = std::nan("");  // NaN, invalid: stays NaN, spreads nowhere
  valid[0] = 0;
  for (const ResampleFilter filter : {ResampleFilter::bilinear, ResampleFilter::bicubic, ResampleFilter::lanczos}) {
    std::vector<double> out(values.size() * 4);
    std::vector<std::uint8_t> out_valid(out.size());
    r4k::upscale_masked(values.data(), valid.data(), width, height, 2, filter, out.data(), out_valid.data());
    for (int y = 0; y < 2 * height; ++y) {
      for (int x = 0; x < 2 * width; ++x) {
        const std::size_t at = static_cast<std::size_t>(y) * 2 * width + x;
        const std::size_t source = static_cast<std::size_t>(y / 2) * width + x / 2;
        ASSERT_EQ(out_valid[at], valid[source]) << x << "," << y;
        if (valid[source] != 0) {
          ASSERT_NEAR(out[at], 200.0, 1e-9) << r4k::to_string(filter) << " at " << x << "," << y;
        } else if (source == 0) {
          ASSERT_TRUE(std::isnan(out[at]));
        } else {
          ASSERT_EQ(out[at], -9999.0);
        }
      }
    }
  }
}

// The fill continues the nearest valid values, stays within reach and
// touches no valid pixel.
TEST(NodataFill, GrowsFromTheValidBorderWithinTheRadius) {
  const int width = 30;
  const int height = 10;
  std::vector<float> values(static_cast<std::size_t>(width) * height);
  std::vector<std::uint8_t> valid(values.size(), 0);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < 10; ++x) {
      values[static_cast<std::size_t>(y) * width + x] = 0.25f + 0.01f * static_cast<float>(y);
      valid[static_cast<std::size_t>(y) * width + x] = 1;
    }
    for (int x = 10; x < width; ++x) values[static_cast<std::size_t>(y) * width + x] = -5.0f;  // the nodata value
  }
  const auto before = values;
  r4k::fill_invalid(values.data(), valid.data(), width, height, 6, 0.5f);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const std::size_t at = static_cast<std::size_t>(y) * width + x;
      if (x < 10) {
        EXPECT_EQ(values[at], before[at]);
      } else if (x < 16) {
        // Between the nearest valid values of the rows around it.
        EXPECT_GE(values[at], 0.25f - 1e-6f);
        EXPECT_LE(values[at], 0.25f + 0.01f * static_cast<float>(height - 1) + 1e-6f);
      } else {
        EXPECT_EQ(values[at], 0.5f) << "beyond the radius: the far value";
      }
    }
  }
  // Next to the border, a row takes its own row's value (edges weigh most).
  EXPECT_NEAR(values[static_cast<std::size_t>(5) * width + 10], 0.30f, 0.006f);
}

}  // namespace
