#include "preprocess/dust_removal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "preprocess/denoise.hpp"
#include "core/error.hpp"
#include "preprocess/motion_search.hpp"

namespace r4k {
namespace {

std::size_t area(int width, int height) { return static_cast<std::size_t>(width) * static_cast<std::size_t>(height); }

void check_neighbour(const Frame& current, const Frame& other, const char* which) {
  if (other.colour != current.colour || other.planes.shape().h != current.height() ||
      other.planes.shape().w != current.width() || other.planes.shape().c < current.colour_planes() ||
      (current.colour == FrameColour::ycbcr &&
       (other.chroma.shape() != current.chroma.shape() || other.chroma_shift_x != current.chroma_shift_x ||
        other.chroma_shift_y != current.chroma_shift_y))) {
    throw Error(std::string("remove_dust: the ") + which + " frame (" + other.planes.shape().to_string() +
                ") does not match the current one (" + current.planes.shape().to_string() + ")");
  }
}

// Replaces the masked samples of `plane` (width x height) with the mean of
// the two neighbours' planes compensated onto it, where those differ by less
// than `agree`.
void repair_plane(float* plane, const float* previous, const float* next, int width, int height,
                  const MotionField& to_previous, const MotionField& to_next, int shift_x, int shift_y,
                  const cv::Mat& mask, float agree) {
  const std::size_t n = area(width, height);
  std::vector<float> p(n);
  std::vector<float> q(n);
  compensate(previous, width, height, to_previous, shift_x, shift_y, p.data());
  compensate(next, width, height, to_next, shift_x, shift_y, q.data());
  for (int y = 0; y < height; ++y) {
    const unsigned char* m = mask.ptr<unsigned char>(y);
    const std::size_t row = static_cast<std::size_t>(y) * static_cast<std::size_t>(width);
    for (int x = 0; x < width; ++x) {
      const std::size_t i = row + static_cast<std::size_t>(x);
      if (m[x] && std::abs(p[i] - q[i]) < agree) plane[i] = 0.5f * (p[i] + q[i]);
    }
  }
}

// The luma mask reduced to a chroma grid: a chroma sample is repaired when
// any luma pixel it covers is.
cv::Mat chroma_mask(const cv::Mat& mask, int width, int height, int shift_x, int shift_y) {
  cv::Mat out(height, width, CV_8U, cv::Scalar(0));
  for (int y = 0; y < mask.rows; ++y) {
    const unsigned char* m = mask.ptr<unsigned char>(y);
    const int cy = y >> shift_y;
    if (cy >= height) continue;
    unsigned char* o = out.ptr<unsigned char>(cy);
    for (int x = 0; x < mask.cols; ++x) {
      const int cx = x >> shift_x;
      if (m[x] && cx < width) o[cx] = 1;
    }
  }
  return out;
}

// A rectangle of the current luma around a detection (clipped to the plane).
struct Patch {
  const float* current;
  int width, height;
  int x0, y0, x1, y1;  // [x0, x1) x [y0, y1), may reach past the plane

  // Whether the patch matches `reference` (a neighbour's luma) at some
  // displacement within `radius` of the motion field's vector at its centre
  // much better (under 0.4 times the difference) than it matches
  // `compensated` (that neighbour lined up by the field).
  bool found_in(const float* reference, const float* compensated, const MotionField& field, int radius) const {
    const int ax = std::max(0, x0);
    const int ay = std::max(0, y0);
    const int bx = std::min(width, x1);
    const int by = std::min(height, y1);
    if (ax >= bx || ay >= by) return false;
    const auto at = [&](const float* plane, int x, int y) {
      return plane[static_cast<std::size_t>(std::clamp(y, 0, height - 1)) * static_cast<std::size_t>(width) +
                   static_cast<std::size_t>(std::clamp(x, 0, width - 1))];
    };
    float aligned = 0.0f;
    for (int y = ay; y < by; ++y) {
      for (int x = ax; x < bx; ++x) aligned += std::abs(at(current, x, y) - at(compensated, x, y));
    }
    const int block_x = std::min(((ax + bx) / 2) / field.block, field.blocks_x - 1);
    const int block_y = std::min(((ay + by) / 2) / field.block, field.blocks_y - 1);
    const std::size_t i = static_cast<std::size_t>(block_y) * static_cast<std::size_t>(field.blocks_x) +
                          static_cast<std::size_t>(block_x);
    const float bar = 0.4f * aligned;
    for (int vy = field.dy[i] - radius; vy <= field.dy[i] + radius; ++vy) {
      for (int vx = field.dx[i] - radius; vx <= field.dx[i] + radius; ++vx) {
        float sum = 0.0f;
        for (int y = ay; y < by && sum < bar; ++y) {
          for (int x = ax; x < bx; ++x) sum += std::abs(at(current, x, y) - at(reference, x + vx, y + vy));
        }
        if (sum < bar) return true;
      }
    }
    return false;
  }
};

}  // namespace

DustReport remove_dust(const Frame& previous, Frame& current, const Frame& next, const DustSettings& settings) {
  check_neighbour(current, previous, "previous");
  check_neighbour(current, next, "next");
  DustReport report;
  const int width = current.width();
  const int height = current.height();
  if (width > 0 && height > 0) {
    std::vector<float> previous_store, current_store, next_store;
    const float* luma_previous = luma_of(previous, previous_store);
    const float* luma_current = luma_of(current, current_store);
    const float* luma_next = luma_of(next, next_store);
    const MotionField to_previous =
        estimate_motion(luma_previous, luma_current, width, height, settings.block, settings.search_range);
    const MotionField to_next =
        estimate_motion(luma_next, luma_current, width, height, settings.block, settings.search_range);
    // Denoise lines up the same neighbours: it reuses these (Frame::motion).
    current.motion = std::make_shared<const NeighbourMotion>(
        NeighbourMotion{settings.block, settings.search_range, to_previous, to_next});
    const std::size_t n = area(width, height);
    std::vector<float> p(n);
    std::vector<float> q(n);
    compensate(luma_previous, width, height, to_previous, 0, 0, p.data());
    compensate(luma_next, width, height, to_next, 0, 0, q.data());

    const double sigma = estimate_noise(luma_current, width, height);
    const auto threshold =
        static_cast<float>(std::max(settings.threshold, settings.noise_factor * std::sqrt(2.0) * sigma));
    const auto agreement = static_cast<float>(settings.agreement);
    cv::Mat detected(height, width, CV_8U, cv::Scalar(0));
    for (int y = 0; y < height; ++y) {
      unsigned char* m = detected.ptr<unsigned char>(y);
      for (int x = 0; x < width; ++x) {
        const std::size_t i = static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x);
        const float dp = luma_current[i] - p[i];
        const float dq = luma_current[i] - q[i];
        const bool impulse = (dp > threshold && dq > threshold) || (dp < -threshold && dq < -threshold);
        if (!impulse) continue;
        const float smaller = std::min(std::abs(dp), std::abs(dq));
        if (std::abs(p[i] - q[i]) < agreement * smaller) m[x] = 1;
      }
    }

    // Drop detections too large to be dirt.
    cv::Mat labels, stats, centroids;
    const int count = cv::connectedComponentsWithStats(detected, labels, stats, centroids, 8, CV_32S);
    std::vector<unsigned char> keep(static_cast<std::size_t>(count), 1);
    keep[0] = 0;
    for (int label = 1; label < count; ++label) {
      if (stats.at<int>(label, cv::CC_STAT_AREA) > settings.max_speck_area) {
        keep[static_cast<std::size_t>(label)] = 0;
        continue;
      }
      // Content the motion search missed (a small object moving on its own)
      // is found in both neighbours somewhere near; dirt is in neither.
      const cv::Rect box(stats.at<int>(label, cv::CC_STAT_LEFT), stats.at<int>(label, cv::CC_STAT_TOP),
                         stats.at<int>(label, cv::CC_STAT_WIDTH), stats.at<int>(label, cv::CC_STAT_HEIGHT));
      const Patch patch{luma_current, width, height,
                        box.x - 1, box.y - 1, box.x + box.width + 1, box.y + box.height + 1};
      if (patch.found_in(luma_previous, p.data(), to_previous, settings.search_range) &&
          patch.found_in(luma_next, q.data(), to_next, settings.search_range)) {
        keep[static_cast<std::size_t>(label)] = 0;
      }
    }
    for (int y = 0; y < height; ++y) {
      const int* l = labels.ptr<int>(y);
      unsigned char* m = detected.ptr<unsigned char>(y);
      for (int x = 0; x < width; ++x) m[x] = keep[static_cast<std::size_t>(l[x])];
    }

    // Grow by one pixel for the specks' soft rims; the rim is taken only where
    // the neighbours agree (so that no moving edge is replaced).
    cv::Mat mask;
    cv::dilate(detected, mask, cv::Mat::ones(3, 3, CV_8U));
    for (int y = 0; y < height; ++y) {
      unsigned char* m = mask.ptr<unsigned char>(y);
      const unsigned char* d = detected.ptr<unsigned char>(y);
      for (int x = 0; x < width; ++x) {
        if (!m[x] || d[x]) continue;
        const std::size_t i = static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x);
        if (std::abs(p[i] - q[i]) >= threshold) m[x] = 0;
      }
    }
    report.repaired_pixels = static_cast<std::size_t>(cv::countNonZero(mask));

    if (report.repaired_pixels > 0) {
      for (int c = 0; c < current.colour_planes(); ++c) {
        repair_plane(current.planes.plane(0, c), previous.planes.plane(0, c), next.planes.plane(0, c), width, height,
                     to_previous, to_next, 0, 0, mask, std::numeric_limits<float>::infinity());
      }
      // Chroma: a sample is repaired only where the compensated neighbours
      // agree on it too (the vectors come from luma).
      if (current.colour == FrameColour::ycbcr && !current.chroma.empty()) {
        const int cw = current.chroma.shape().w;
        const int ch = current.chroma.shape().h;
        const cv::Mat cmask = chroma_mask(mask, cw, ch, current.chroma_shift_x, current.chroma_shift_y);
        for (int c = 0; c < 2; ++c) {
          repair_plane(current.chroma.plane(0, c), previous.chroma.plane(0, c), next.chroma.plane(0, c), cw, ch,
                       to_previous, to_next, current.chroma_shift_x, current.chroma_shift_y, cmask, threshold);
        }
      }
    }
  }
  if (settings.scratches) report.scratch_columns = repair_scratches(current, settings);
  return report;
}

int repair_scratches(Frame& current, const DustSettings& settings) {
  const int width = current.width();
  const int height = current.height();
  const int max_width = std::max(1, settings.max_scratch_width);
  constexpr int gap = 2;  // side columns are this far from the band (skips a soft edge)
  if (height <= 0 || width < max_width + 2 * gap + 2) return 0;
  std::vector<float> store;
  const float* luma = luma_of(current, store);
  const std::size_t stride = static_cast<std::size_t>(width);

  // Luma averaged down each column over 9 rows: keeps vertical lines, cuts
  // grain by three.
  constexpr int half = 4;
  std::vector<float> smooth(area(width, height));
  {
    std::vector<double> sum(stride, 0.0);
    int first = 0;
    int last = -1;  // rows [first, last] are in `sum`
    for (int y = 0; y < height; ++y) {
      const int want_first = std::max(0, y - half);
      const int want_last = std::min(height - 1, y + half);
      while (last < want_last) {
        ++last;
        const float* row = luma + static_cast<std::size_t>(last) * stride;
        for (std::size_t x = 0; x < stride; ++x) sum[x] += row[x];
      }
      while (first < want_first) {
        const float* row = luma + static_cast<std::size_t>(first) * stride;
        for (std::size_t x = 0; x < stride; ++x) sum[x] -= row[x];
        ++first;
      }
      const double inv = 1.0 / static_cast<double>(last - first + 1);
      float* out = smooth.data() + static_cast<std::size_t>(y) * stride;
      for (std::size_t x = 0; x < stride; ++x) out[x] = static_cast<float>(sum[x] * inv);
    }
  }

  // The signed contrast of band [a, a + w) against the columns `gap` away on
  // both sides, in row y of the smoothed luma; 0 unless brighter (darker)
  // than both.
  const auto ridge = [&](int a, int w, int y) {
    const float* row = smooth.data() + static_cast<std::size_t>(y) * stride;
    float mid = 0.0f;
    for (int x = a; x < a + w; ++x) mid += row[x];
    mid /= static_cast<float>(w);
    const float left = mid - row[a - gap];
    const float right = mid - row[a + w - 1 + gap];
    if (left > 0.0f && right > 0.0f) return std::min(left, right);
    if (left < 0.0f && right < 0.0f) return std::max(left, right);
    return 0.0f;
  };

  // Candidate bands: same-sign contrast above the bar in enough rows.
  const auto contrast = static_cast<float>(settings.scratch_contrast);
  const double needed = settings.scratch_coverage * static_cast<double>(height);
  std::vector<int> sign_of(stride, 0);  // +1 / -1 where a candidate covers the column
  for (int w = 1; w <= max_width; ++w) {
    for (int a = gap; a + w - 1 + gap < width; ++a) {
      int positive = 0;
      int negative = 0;
      for (int y = 0; y < height; ++y) {
        const float r = ridge(a, w, y);
        positive += r >= contrast;
        negative += r <= -contrast;
      }
      int sign = 0;
      if (positive >= needed && positive > negative) sign = 1;
      if (negative >= needed && negative > positive) sign = -1;
      if (sign == 0) continue;
      for (int x = a; x < a + w; ++x) {
        auto& s = sign_of[static_cast<std::size_t>(x)];
        s = (s == 0 || s == sign) ? sign : 2;  // 2: conflicting signs
      }
    }
  }

  int repaired = 0;
  const int cplanes = current.colour_planes();
  for (int s = 0; s < width;) {
    if (sign_of[static_cast<std::size_t>(s)] == 0) {
      ++s;
      continue;
    }
    int e = s;
    while (e + 1 < width && sign_of[static_cast<std::size_t>(e + 1)] != 0) ++e;
    const int region_start = s;
    const int region_end = e;
    s = e + 1;
    const int sign = sign_of[static_cast<std::size_t>(region_start)];
    // Candidates overlapping a line reach at most max_width - 1 columns past
    // it on each side; a wider region is a broad feature, not a scratch.
    if (region_end - region_start + 1 > 3 * max_width - 2 || sign == 2 ||
        std::any_of(sign_of.begin() + region_start, sign_of.begin() + region_end + 1,
                    [&](int v) { return v != sign; })) {
      continue;
    }
    // The line itself: the region's columns standing out from the straight
    // line between the columns just outside the region by at least a fifth
    // of the strongest (takes the soft edges, leaves clean columns alone).
    const int outer_left = region_start - 1;
    const int outer_right = region_end + 1;
    std::vector<double> deviation(static_cast<std::size_t>(region_end - region_start + 1), 0.0);
    for (int y = 0; y < height; ++y) {
      const float* row = smooth.data() + static_cast<std::size_t>(y) * stride;
      for (int x = region_start; x <= region_end; ++x) {
        const float t = static_cast<float>(x - outer_left) / static_cast<float>(outer_right - outer_left);
        const float base = row[outer_left] + t * (row[outer_right] - row[outer_left]);
        deviation[static_cast<std::size_t>(x - region_start)] += static_cast<double>(sign) * (row[x] - base);
      }
    }
    const double peak = *std::max_element(deviation.begin(), deviation.end());
    if (peak <= 0.0) continue;
    int band_start = region_end;
    int band_end = region_start;
    for (int x = region_start; x <= region_end; ++x) {
      if (deviation[static_cast<std::size_t>(x - region_start)] >= 0.2 * peak) {
        band_start = std::min(band_start, x);
        band_end = std::max(band_end, x);
      }
    }
    if (band_end - band_start + 1 > max_width + 2) continue;  // the line and a soft edge on each side at most
    const int left = band_start - 1;
    const int right = band_end + 1;

    // Rows where the band shows (at least half the contrast bar), grown by
    // the smoothing radius to close gaps.
    std::vector<unsigned char> rows(static_cast<std::size_t>(height), 0);
    for (int y = 0; y < height; ++y) {
      const float* row = smooth.data() + static_cast<std::size_t>(y) * stride;
      float mid = 0.0f;
      for (int x = band_start; x <= band_end; ++x) mid += row[x];
      mid /= static_cast<float>(band_end - band_start + 1);
      const float base = 0.5f * (row[left] + row[right]);
      if (static_cast<float>(sign) * (mid - base) >= 0.5f * contrast) {
        for (int k = std::max(0, y - half); k <= std::min(height - 1, y + half); ++k) {
          rows[static_cast<std::size_t>(k)] = 1;
        }
      }
    }

    const auto interpolate = [](float* plane, std::size_t plane_stride, int y, int from, int to, int lo, int hi) {
      float* row = plane + static_cast<std::size_t>(y) * plane_stride;
      const float a = row[from];
      const float b = row[to];
      for (int x = lo; x <= hi; ++x) {
        const float t = static_cast<float>(x - from) / static_cast<float>(to - from);
        row[x] = a + t * (b - a);
      }
    };
    for (int y = 0; y < height; ++y) {
      if (!rows[static_cast<std::size_t>(y)]) continue;
      for (int c = 0; c < cplanes; ++c) interpolate(current.planes.plane(0, c), stride, y, left, right, band_start, band_end);
    }
    if (current.colour == FrameColour::ycbcr && !current.chroma.empty()) {
      const int cw = current.chroma.shape().w;
      const int ch = current.chroma.shape().h;
      const int sx = current.chroma_shift_x;
      const int sy = current.chroma_shift_y;
      const int lo = band_start >> sx;
      const int hi = std::min(cw - 1, band_end >> sx);
      const int from = lo - 1;
      const int to = hi + 1;
      if (from >= 0 && to < cw) {
        for (int cy = 0; cy < ch; ++cy) {
          // A chroma row is repaired when any luma row it covers is.
          bool any = false;
          for (int y = cy << sy; y < std::min(height, (cy + 1) << sy); ++y) any = any || rows[static_cast<std::size_t>(y)];
          if (!any) continue;
          for (int c = 0; c < 2; ++c) {
            interpolate(current.chroma.plane(0, c), static_cast<std::size_t>(cw), cy, from, to, lo, hi);
          }
        }
      }
    }
    repaired += band_end - band_start + 1;
  }
  return repaired;
}

}  // namespace r4k
