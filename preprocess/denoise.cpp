#include "preprocess/denoise.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/error.hpp"
#include "preprocess/motion_search.hpp"

namespace r4k {
namespace {

std::size_t area(int width, int height) { return static_cast<std::size_t>(width) * static_cast<std::size_t>(height); }

void check_neighbour(const Frame& current, const Frame& other) {
  if (other.colour != current.colour || other.planes.shape().h != current.height() ||
      other.planes.shape().w != current.width() || other.planes.shape().c < current.colour_planes() ||
      (current.colour == FrameColour::ycbcr &&
       (other.chroma.shape() != current.chroma.shape() || other.chroma_shift_x != current.chroma_shift_x ||
        other.chroma_shift_y != current.chroma_shift_y))) {
    throw Error("denoise_frame: a neighbouring frame (" + other.planes.shape().to_string() +
                ") does not match the current one (" + current.planes.shape().to_string() + ")");
  }
}

// One neighbour's plane and the field that lines it up with the current frame.
struct Neighbour {
  const float* plane;
  const MotionField* field;
};

// exp(-u^2 / 2) for u in [0, kRangeCut), kLutPerSigma steps per unit.
constexpr int kLutPerSigma = 64;
constexpr int kRangeCut = 4;
const std::array<float, kLutPerSigma * kRangeCut + 1>& range_lut() {
  static const auto lut = [] {
    std::array<float, kLutPerSigma * kRangeCut + 1> table{};
    for (std::size_t i = 0; i + 1 < table.size(); ++i) {
      const double u = static_cast<double>(i) / kLutPerSigma;
      table[i] = static_cast<float>(std::exp(-0.5 * u * u));
    }
    table.back() = 0.0f;
    return table;
  }();
  return lut;
}

void denoise_plane(float* plane, int width, int height, int shift_x, int shift_y,
                   const std::vector<Neighbour>& neighbours, double strength, bool spatial) {
  const std::size_t n = area(width, height);
  if (n == 0) return;
  const double sigma = estimate_noise(plane, width, height);
  const auto tau = static_cast<float>(strength * sigma);
  const std::size_t stride = static_cast<std::size_t>(width);

  // Temporal: weighted mean of the current plane and the compensated
  // neighbours. A neighbour's weight is 1 while its 3 x 3 mean difference is
  // within tau (noise of sigma moves that mean by about sigma / 2), falling
  // to 0 at 2 tau; a single pixel further off than 3 tau also loses weight
  // (0 at 5 tau), for fine detail the mean misses.
  std::vector<float> sum(plane, plane + n);
  std::vector<float> weights(n, 1.0f);
  std::vector<float> squares(n, 1.0f);
  std::vector<float> warped(n);
  std::vector<float> difference(n);
  std::vector<float> local(n);
  for (const Neighbour& neighbour : neighbours) {
    compensate(neighbour.plane, width, height, *neighbour.field, shift_x, shift_y, warped.data());
    for (std::size_t i = 0; i < n; ++i) difference[i] = warped[i] - plane[i];
    const cv::Mat d(height, width, CV_32F, difference.data());
    cv::Mat m(height, width, CV_32F, local.data());
    cv::blur(d, m, cv::Size(3, 3), cv::Point(-1, -1), cv::BORDER_REPLICATE);
    const float inv_tau = tau > 0.0f ? 1.0f / tau : 0.0f;
    for (std::size_t i = 0; i < n; ++i) {
      float w = 0.0f;
      if (tau > 0.0f) {
        const float g = std::abs(local[i]) * inv_tau;
        const float p = std::abs(difference[i]) * inv_tau;
        w = std::clamp(2.0f - g, 0.0f, 1.0f) * std::clamp(0.5f * (5.0f - p), 0.0f, 1.0f);
      } else if (difference[i] == 0.0f && local[i] == 0.0f) {
        w = 1.0f;
      }
      sum[i] += w * warped[i];
      weights[i] += w;
      squares[i] += w * w;
    }
  }

  if (!spatial || !(sigma > 0.0)) {
    for (std::size_t i = 0; i < n; ++i) plane[i] = sum[i] / weights[i];
    return;
  }

  // Spatial: 3 x 3 bilateral (spatial sigma 1 pixel) over the temporal
  // result, with range sigma twice the noise left in each pixel times the
  // strength.
  const int pw = width + 2;
  std::vector<float> padded(area(pw, height + 2));
  for (int y = -1; y <= height; ++y) {
    const std::size_t src = static_cast<std::size_t>(std::clamp(y, 0, height - 1)) * stride;
    float* dst = padded.data() + static_cast<std::size_t>(y + 1) * static_cast<std::size_t>(pw);
    for (int x = -1; x <= width; ++x) {
      const std::size_t i = src + static_cast<std::size_t>(std::clamp(x, 0, width - 1));
      dst[x + 1] = sum[i] / weights[i];
    }
  }
  const auto& lut = range_lut();
  constexpr float edge = 0.60653066f;    // exp(-1/2)
  constexpr float corner = 0.36787944f;  // exp(-1)
  const auto lut_last = static_cast<float>(lut.size() - 1);
  for (int y = 0; y < height; ++y) {
    const float* up = padded.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(pw) + 1;
    const float* mid = up + pw;
    const float* down = mid + pw;
    for (int x = 0; x < width; ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * stride + static_cast<std::size_t>(x);
      const float centre = mid[x];
      const float residual = static_cast<float>(sigma) * std::sqrt(squares[i]) / weights[i];
      const float range = 2.0f * static_cast<float>(strength) * residual;
      if (!(range > 0.0f)) {
        plane[i] = centre;
        continue;
      }
      const float scale = static_cast<float>(kLutPerSigma) / range;
      float total = centre;
      float norm = 1.0f;
      const auto add = [&](float v, float spatial_weight) {
        const float u = std::min(std::abs(v - centre) * scale, lut_last);
        const float w = spatial_weight * lut[static_cast<std::size_t>(u)];
        total += w * v;
        norm += w;
      };
      add(up[x - 1], corner);
      add(up[x], edge);
      add(up[x + 1], corner);
      add(mid[x - 1], edge);
      add(mid[x + 1], edge);
      add(down[x - 1], corner);
      add(down[x], edge);
      add(down[x + 1], corner);
      plane[i] = total / norm;
    }
  }
}

}  // namespace

double estimate_noise(const float* plane, int width, int height) {
  if (width < 3 || height < 3) return 0.0;
  const std::size_t stride = static_cast<std::size_t>(width);
  // The median by a histogram of the absolute responses (bins of 1/16384;
  // the last takes everything above).
  constexpr float kBinsPerUnit = 16384.0f;
  constexpr std::size_t kBins = 8192;
  std::vector<std::uint32_t> histogram(kBins, 0);
  for (int y = 1; y + 1 < height; ++y) {
    const float* up = plane + static_cast<std::size_t>(y - 1) * stride;
    const float* mid = up + stride;
    const float* down = mid + stride;
    for (int x = 1; x + 1 < width; ++x) {
      // [1 -2 1]^T [1 -2 1]: second differences along x of the rows, then along y.
      const float a = up[x - 1] - 2.0f * up[x] + up[x + 1];
      const float b = mid[x - 1] - 2.0f * mid[x] + mid[x + 1];
      const float c = down[x - 1] - 2.0f * down[x] + down[x + 1];
      const float bin = std::min(std::abs(a - 2.0f * b + c) * kBinsPerUnit, static_cast<float>(kBins - 1));
      ++histogram[static_cast<std::size_t>(bin)];
    }
  }
  const std::size_t count = area(width - 2, height - 2);
  const std::size_t half = count / 2;
  std::size_t seen = 0;
  std::size_t bin = 0;
  while (bin + 1 < kBins && seen + histogram[bin] <= half) seen += histogram[bin++];
  // Interpolated within the bin.
  const double inside = histogram[bin] ? static_cast<double>(half - seen) / histogram[bin] : 0.0;
  const double median = (static_cast<double>(bin) + inside) / kBinsPerUnit;
  // The kernel's squares sum to 36: white noise of sigma gives responses of
  // sigma 6 sigma, whose absolute values have median 0.6745 x that.
  return median / (6.0 * 0.6744897501960817);
}

void denoise_frame(const Frame* previous, Frame& current, const Frame* next, const DenoiseSettings& settings) {
  // The strength's range (0..4) is the setting's (config/settings.cpp), checked where it is given.
  const double strength = settings.strength;
  if (!(strength > 0.0) || (!settings.temporal && !settings.spatial)) return;
  const int width = current.width();
  const int height = current.height();
  if (width <= 0 || height <= 0) return;

  std::vector<const Frame*> others;
  if (settings.temporal) {
    for (const Frame* frame : {previous, next}) {
      if (frame == nullptr) continue;
      check_neighbour(current, *frame);
      others.push_back(frame);
    }
  }
  std::vector<MotionField> fields;
  fields.reserve(others.size());
  if (!others.empty()) {
    std::vector<float> current_store;
    std::vector<float> other_store;
    const float* luma = luma_of(current, current_store);
    // The dust removal's search on the same neighbours, when it made one with these settings.
    const NeighbourMotion* found = current.motion.get();
    if (found != nullptr && (found->block != settings.block || found->range != settings.search_range)) found = nullptr;
    for (const Frame* frame : others) {
      if (found != nullptr) {
        fields.push_back(frame == previous ? found->to_previous : found->to_next);
        continue;
      }
      fields.push_back(estimate_motion(luma_of(*frame, other_store), luma, width, height, settings.block,
                                       settings.search_range));
    }
  }
  const auto neighbours_of = [&](bool chroma, int c) {
    std::vector<Neighbour> list;
    for (std::size_t k = 0; k < others.size(); ++k) {
      const Frame& frame = *others[k];
      list.push_back({chroma ? frame.chroma.plane(0, c) : frame.planes.plane(0, c), &fields[k]});
    }
    return list;
  };
  for (int c = 0; c < current.colour_planes(); ++c) {
    denoise_plane(current.planes.plane(0, c), width, height, 0, 0, neighbours_of(false, c), strength,
                  settings.spatial);
  }
  if (current.colour == FrameColour::ycbcr && !current.chroma.empty()) {
    for (int c = 0; c < 2; ++c) {
      denoise_plane(current.chroma.plane(0, c), current.chroma.shape().w, current.chroma.shape().h,
                    current.chroma_shift_x, current.chroma_shift_y, neighbours_of(true, c), strength,
                    settings.spatial);
    }
  }
}

}  // namespace r4k
