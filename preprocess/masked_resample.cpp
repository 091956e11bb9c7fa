#include "preprocess/masked_resample.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

#include "core/error.hpp"

namespace r4k {
namespace {

// Below this renormalised weight a result would be mostly extrapolation.
constexpr double kLeastWeight = 0.25;

struct Taps {
  int first = 0;  // input index of the first tap (before clamping to the edge)
  int count = 0;
  std::array<double, 8> weight{};
};

// OpenCV's cubic convolution kernel (a = -0.75) at fraction t of the way
// from tap 1 to tap 2.
std::array<double, 4> cubic_weights(double t) {
  constexpr double a = -0.75;
  std::array<double, 4> w{};
  w[0] = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a;
  w[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
  w[2] = ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1;
  w[3] = 1 - w[0] - w[1] - w[2];
  return w;
}

// Windowed sinc over 8 taps (Lanczos, a = 4), normalised to sum to one.
std::array<double, 8> lanczos_weights(double t) {
  std::array<double, 8> w{};
  if (t < 1e-7) {
    w[3] = 1.0;
    return w;
  }
  double sum = 0.0;
  for (int i = 0; i < 8; ++i) {
    const double d = (t + 3 - i) * std::numbers::pi;
    w[static_cast<std::size_t>(i)] = std::sin(d) * std::sin(d / 4) / (d * d / 4);
    sum += w[static_cast<std::size_t>(i)];
  }
  for (double& v : w) v /= sum;
  return w;
}

// The taps of every output coordinate along one axis of `length` inputs.
std::vector<Taps> axis_taps(int length, int scale, ResampleFilter filter) {
  std::vector<Taps> taps(static_cast<std::size_t>(length) * static_cast<std::size_t>(scale));
  for (std::size_t o = 0; o < taps.size(); ++o) {
    Taps& t = taps[o];
    if (filter == ResampleFilter::nearest) {
      t.first = static_cast<int>(o) / scale;
      t.count = 1;
      t.weight[0] = 1.0;
      continue;
    }
    const double source = (static_cast<double>(o) + 0.5) / scale - 0.5;
    const int base = static_cast<int>(std::floor(source));
    const double fraction = source - base;
    if (filter == ResampleFilter::bilinear) {
      t.first = base;
      t.count = 2;
      t.weight[0] = 1 - fraction;
      t.weight[1] = fraction;
    } else if (filter == ResampleFilter::bicubic) {
      t.first = base - 1;
      t.count = 4;
      const auto w = cubic_weights(fraction);
      std::copy(w.begin(), w.end(), t.weight.begin());
    } else {
      t.first = base - 3;
      t.count = 8;
      t.weight = lanczos_weights(fraction);
    }
  }
  return taps;
}

int clamped(int index, int length) { return std::clamp(index, 0, length - 1); }

}  // namespace

void upscale_masked(const double* values, const std::uint8_t* valid, int width, int height, int scale,
                    ResampleFilter filter, double* out_values, std::uint8_t* out_valid) {
  if (width < 1 || height < 1 || scale < 1) throw Error("upscale_masked: empty plane or scale below 1");
  const int out_width = width * scale;
  const int out_height = height * scale;
  const auto is_valid = [&](int x, int y) {
    return valid == nullptr || valid[static_cast<std::size_t>(y) * width + x] != 0;
  };
  const std::vector<Taps> across = axis_taps(width, scale, filter);
  const std::vector<Taps> down = axis_taps(height, scale, filter);

  // Horizontal pass: for every input row, the weighted sums of valid values
  // and of their weights at each output column.
  std::vector<double> sums(static_cast<std::size_t>(height) * out_width);
  std::vector<double> weights(sums.size());
  for (int y = 0; y < height; ++y) {
    const double* row = values + static_cast<std::size_t>(y) * width;
    for (int ox = 0; ox < out_width; ++ox) {
      const Taps& t = across[static_cast<std::size_t>(ox)];
      double sum = 0.0;
      double weight = 0.0;
      for (int k = 0; k < t.count; ++k) {
        const int x = clamped(t.first + k, width);
        if (!is_valid(x, y)) continue;
        sum += t.weight[static_cast<std::size_t>(k)] * row[x];
        weight += t.weight[static_cast<std::size_t>(k)];
      }
      sums[static_cast<std::size_t>(y) * out_width + ox] = sum;
      weights[static_cast<std::size_t>(y) * out_width + ox] = weight;
    }
  }

  // Vertical pass, then the ratio; nearest input for validity.
  for (int oy = 0; oy < out_height; ++oy) {
    const Taps& t = down[static_cast<std::size_t>(oy)];
    const int ny = std::min(oy / scale, height - 1);
    for (int ox = 0; ox < out_width; ++ox) {
      const int nx = std::min(ox / scale, width - 1);
      const std::size_t out = static_cast<std::size_t>(oy) * out_width + ox;
      if (!is_valid(nx, ny)) {
        out_values[out] = values[static_cast<std::size_t>(ny) * width + nx];
        out_valid[out] = 0;
        continue;
      }
      out_valid[out] = 1;
      double sum = 0.0;
      double weight = 0.0;
      for (int k = 0; k < t.count; ++k) {
        const std::size_t at = static_cast<std::size_t>(clamped(t.first + k, height)) * out_width + ox;
        sum += t.weight[static_cast<std::size_t>(k)] * sums[at];
        weight += t.weight[static_cast<std::size_t>(k)] * weights[at];
      }
      if (weight >= kLeastWeight) {
        out_values[out] = sum / weight;
        continue;
      }
      // Bilinear over the valid pixels of the 2 x 2 around the sample
      // (positive weights; the valid nearest pixel alone carries a quarter or more).
      const double sx = (ox + 0.5) / scale - 0.5;
      const double sy = (oy + 0.5) / scale - 0.5;
      const int bx = static_cast<int>(std::floor(sx));
      const int by = static_cast<int>(std::floor(sy));
      const double fx = sx - bx;
      const double fy = sy - by;
      sum = 0.0;
      weight = 0.0;
      for (int j = 0; j < 2; ++j) {
        for (int i = 0; i < 2; ++i) {
          const int x = clamped(bx + i, width);
          const int y = clamped(by + j, height);
          if (!is_valid(x, y)) continue;
          const double w = (i ? fx : 1 - fx) * (j ? fy : 1 - fy);
          sum += w * values[static_cast<std::size_t>(y) * width + x];
          weight += w;
        }
      }
      out_values[out] = weight > 0 ? sum / weight : values[static_cast<std::size_t>(ny) * width + nx];
    }
  }
}

}  // namespace r4k
