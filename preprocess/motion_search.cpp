#include "preprocess/motion_search.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

#include "core/error.hpp"

namespace r4k {
namespace {

// A copy of a plane with `pad` pixels of edge replication on every side, so
// that candidate blocks can be read without clamping.
class PaddedPlane {
 public:
  PaddedPlane(const float* src, int width, int height, int pad)
      : pad_(pad), stride_(static_cast<std::size_t>(width + 2 * pad)) {
    data_.resize(stride_ * static_cast<std::size_t>(height + 2 * pad));
    for (int y = -pad; y < height + pad; ++y) {
      const float* row = src + static_cast<std::size_t>(std::clamp(y, 0, height - 1)) * static_cast<std::size_t>(width);
      float* dst = data_.data() + static_cast<std::size_t>(y + pad) * stride_;
      const float left = row[0];
      const float right = row[width - 1];
      for (int x = 0; x < pad; ++x) dst[x] = left;
      std::copy(row, row + width, dst + pad);
      for (int x = width + pad; x < width + 2 * pad; ++x) dst[x] = right;
    }
  }

  // Pointer to pixel (x, y); x, y may be down to -pad.
  const float* at(int x, int y) const {
    return data_.data() + static_cast<std::size_t>(y + pad_) * stride_ + static_cast<std::size_t>(x + pad_);
  }
  std::size_t stride() const { return stride_; }

 private:
  int pad_;
  std::size_t stride_;
  std::vector<float> data_;
};

// Halves a plane (2 x 2 means; an odd last column or row is averaged with
// itself).
std::vector<float> halve(const float* src, int width, int height, int& out_width, int& out_height) {
  out_width = (width + 1) / 2;
  out_height = (height + 1) / 2;
  std::vector<float> out(static_cast<std::size_t>(out_width) * static_cast<std::size_t>(out_height));
  for (int y = 0; y < out_height; ++y) {
    const float* r0 = src + static_cast<std::size_t>(2 * y) * static_cast<std::size_t>(width);
    const float* r1 = src + static_cast<std::size_t>(std::min(2 * y + 1, height - 1)) * static_cast<std::size_t>(width);
    float* dst = out.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(out_width);
    for (int x = 0; x < out_width; ++x) {
      const int x0 = 2 * x;
      const int x1 = std::min(2 * x + 1, width - 1);
      dst[x] = 0.25f * (r0[x0] + r0[x1] + r1[x0] + r1[x1]);
    }
  }
  return out;
}

// Differences above this count as this much: a speck of dirt or an object
// that is in one frame only then adds the same to every candidate's cost
// instead of pulling the vector towards brighter (darker) surroundings.
constexpr float kDifferenceCap = 0.1f;

// Rows of 8 in eight independent sums (vectorises at -O2).
float block_sad8(const float* target, std::size_t target_stride, const float* reference, std::size_t reference_stride,
                 int bh, float stop) {
  std::array<float, 8> lanes{};
  for (int y = 0; y < bh; ++y) {
    const float* t = target + static_cast<std::size_t>(y) * target_stride;
    const float* r = reference + static_cast<std::size_t>(y) * reference_stride;
    for (std::size_t x = 0; x < 8; ++x) lanes[x] += std::min(std::abs(t[x] - r[x]), kDifferenceCap);
    if ((y & 3) == 3 && (lanes[0] + lanes[1] + lanes[2] + lanes[3]) + (lanes[4] + lanes[5] + lanes[6] + lanes[7]) > stop) {
      break;  // already worse than the best
    }
  }
  return (lanes[0] + lanes[1] + lanes[2] + lanes[3]) + (lanes[4] + lanes[5] + lanes[6] + lanes[7]);
}

// The SAD, or some value above `stop` once it is certain to exceed it.
float block_sad(const float* target, std::size_t target_stride, const float* reference, std::size_t reference_stride,
                int bw, int bh, float stop) {
  if (bw == 8) return block_sad8(target, target_stride, reference, reference_stride, bh, stop);
  float sum = 0.0f;
  for (int y = 0; y < bh; ++y) {
    const float* t = target + static_cast<std::size_t>(y) * target_stride;
    const float* r = reference + static_cast<std::size_t>(y) * reference_stride;
    float row = 0.0f;
    for (int x = 0; x < bw; ++x) row += std::min(std::abs(t[x] - r[x]), kDifferenceCap);
    sum += row;
  }
  return sum;
}

// What a block search found: the best vector, its SAD and the zero vector's.
struct Candidate {
  int dx = 0;
  int dy = 0;
  float sad = 0.0f;
  float zero_sad = 0.0f;
  int pixels = 0;
};

// Searches one block over a set of candidate vectors.
class BlockSearch {
 public:
  BlockSearch(const float* target, std::size_t target_stride, const PaddedPlane& reference, int x0, int y0, int bw,
              int bh, int range, std::vector<unsigned char>& visited)
      : target_(target + static_cast<std::size_t>(y0) * target_stride + static_cast<std::size_t>(x0)),
        target_stride_(target_stride),
        reference_(reference),
        x0_(x0),
        y0_(y0),
        bw_(bw),
        bh_(bh),
        range_(range),
        side_(2 * range + 1),
        visited_(visited) {
    visited_.assign(static_cast<std::size_t>(side_ * side_), 0);
    best_.pixels = bw * bh;
    best_.zero_sad = best_.sad = sad(0, 0, 3.0e38f);
    visited_[index(0, 0)] = 1;
  }

  void try_vector(int dx, int dy) {
    if (dx < -range_ || dx > range_ || dy < -range_ || dy > range_) return;
    auto& seen = visited_[index(dx, dy)];
    if (seen) return;
    seen = 1;
    const float s = sad(dx, dy, best_.sad);
    // Ties go to the shorter vector.
    const int length = std::abs(dx) + std::abs(dy);
    if (s < best_.sad || (s == best_.sad && length < std::abs(best_.dx) + std::abs(best_.dy))) {
      best_.sad = s;
      best_.dx = dx;
      best_.dy = dy;
    }
  }

  void try_around(int dx, int dy, int radius) {
    for (int vy = dy - radius; vy <= dy + radius; ++vy) {
      for (int vx = dx - radius; vx <= dx + radius; ++vx) try_vector(vx, vy);
    }
  }

  const Candidate& best() const { return best_; }

 private:
  std::size_t index(int dx, int dy) const {
    return static_cast<std::size_t>((dy + range_) * side_ + (dx + range_));
  }
  float sad(int dx, int dy, float stop) const {
    return block_sad(target_, target_stride_, reference_.at(x0_ + dx, y0_ + dy), reference_.stride(), bw_, bh_, stop);
  }

  const float* target_;
  std::size_t target_stride_;
  const PaddedPlane& reference_;
  int x0_, y0_, bw_, bh_, range_, side_;
  std::vector<unsigned char>& visited_;
  Candidate best_;
};

// The vectors kept: a block's best vector replaces the zero vector only when
// it is clearly better, by more than the SAD of a block of pure noise would
// vary among the candidates. The noise is judged from the level itself: the
// median per-pixel SAD of the blocks' best matches (for Gaussian noise the
// SAD of n pixels has a deviation of about 0.75 x its mean / sqrt(n)).
std::vector<std::array<int, 2>> decide(const std::vector<Candidate>& found) {
  std::vector<float> residual;
  residual.reserve(found.size());
  for (const Candidate& c : found) residual.push_back(c.sad / static_cast<float>(std::max(1, c.pixels)));
  float noise = 0.0f;
  if (!residual.empty()) {
    auto middle = residual.begin() + static_cast<std::ptrdiff_t>(residual.size() / 2);
    std::nth_element(residual.begin(), middle, residual.end());
    noise = *middle;
  }
  std::vector<std::array<int, 2>> vectors;
  vectors.reserve(found.size());
  for (const Candidate& c : found) {
    const auto pixels = static_cast<float>(c.pixels);
    const float margin = pixels * (0.5f / 255.0f) + 0.05f * c.zero_sad + 2.5f * noise * std::sqrt(pixels);
    if (c.sad < c.zero_sad - margin) {
      vectors.push_back({c.dx, c.dy});
    } else {
      vectors.push_back({0, 0});
    }
  }
  return vectors;
}

int blocks_along(int length, int block) { return (length + block - 1) / block; }

}  // namespace

MotionField estimate_motion(const float* reference, const float* target, int width, int height, int block,
                            int range) {
  if (width <= 0 || height <= 0 || block <= 0 || range < 0) {
    throw Error("estimate_motion: bad geometry " + std::to_string(width) + "x" + std::to_string(height) + ", block " +
                std::to_string(block) + ", range " + std::to_string(range));
  }
  MotionField field;
  field.block = block;
  field.blocks_x = blocks_along(width, block);
  field.blocks_y = blocks_along(height, block);
  const std::size_t blocks = static_cast<std::size_t>(field.blocks_x) * static_cast<std::size_t>(field.blocks_y);
  field.dx.assign(blocks, 0);
  field.dy.assign(blocks, 0);
  if (range == 0) return field;

  // Coarse level: a full search over the halved planes, blocks of `block`
  // half-size pixels (twice the size of the fine blocks, for robustness).
  int cw = 0;
  int ch = 0;
  const std::vector<float> coarse_reference = halve(reference, width, height, cw, ch);
  const std::vector<float> coarse_target = halve(target, width, height, cw, ch);
  const int coarse_range = (range + 1) / 2;
  const int coarse_bx = blocks_along(cw, block);
  const int coarse_by = blocks_along(ch, block);
  std::vector<unsigned char> visited;
  std::vector<std::array<int, 2>> coarse;
  {
    const PaddedPlane padded(coarse_reference.data(), cw, ch, coarse_range);
    std::vector<Candidate> found;
    found.reserve(static_cast<std::size_t>(coarse_bx) * static_cast<std::size_t>(coarse_by));
    for (int by = 0; by < coarse_by; ++by) {
      for (int bx = 0; bx < coarse_bx; ++bx) {
        const int x0 = bx * block;
        const int y0 = by * block;
        BlockSearch search(coarse_target.data(), static_cast<std::size_t>(cw), padded, x0, y0,
                           std::min(block, cw - x0), std::min(block, ch - y0), coarse_range, visited);
        search.try_around(0, 0, coarse_range);
        found.push_back(search.best());
      }
    }
    coarse = decide(found);
  }

  // Fine level: +-1 around twice the coarse vectors of the covering coarse
  // block and its four neighbours, the best vectors of the fine neighbours
  // already searched (left, above) and the zero vector.
  const PaddedPlane padded(reference, width, height, range);
  std::vector<Candidate> found;
  found.reserve(blocks);
  const auto coarse_at = [&](int cx, int cy) {
    cx = std::clamp(cx, 0, coarse_bx - 1);
    cy = std::clamp(cy, 0, coarse_by - 1);
    return coarse[static_cast<std::size_t>(cy) * static_cast<std::size_t>(coarse_bx) + static_cast<std::size_t>(cx)];
  };
  for (int by = 0; by < field.blocks_y; ++by) {
    for (int bx = 0; bx < field.blocks_x; ++bx) {
      const int x0 = bx * block;
      const int y0 = by * block;
      BlockSearch search(target, static_cast<std::size_t>(width), padded, x0, y0, std::min(block, width - x0),
                         std::min(block, height - y0), range, visited);
      search.try_around(0, 0, 1);
      // The coarse block covering this fine block's centre.
      const int cx = (x0 + block / 2) / (2 * block);
      const int cy = (y0 + block / 2) / (2 * block);
      constexpr std::array<std::array<int, 2>, 5> around{{{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}}};
      for (const auto& [ox, oy] : around) {
        const auto v = coarse_at(cx + ox, cy + oy);
        search.try_around(2 * v[0], 2 * v[1], 1);
      }
      const std::size_t i = static_cast<std::size_t>(by) * static_cast<std::size_t>(field.blocks_x) +
                            static_cast<std::size_t>(bx);
      if (bx > 0) search.try_around(found[i - 1].dx, found[i - 1].dy, 0);
      if (by > 0) {
        const std::size_t up = i - static_cast<std::size_t>(field.blocks_x);
        search.try_around(found[up].dx, found[up].dy, 0);
      }
      found.push_back(search.best());
    }
  }
  const std::vector<std::array<int, 2>> vectors = decide(found);
  for (std::size_t i = 0; i < blocks; ++i) {
    field.dx[i] = vectors[i][0];
    field.dy[i] = vectors[i][1];
  }
  return field;
}

void compensate(const float* reference, int width, int height, const MotionField& field, int shift_x, int shift_y,
                float* out) {
  if (width <= 0 || height <= 0) return;
  const std::size_t blocks = static_cast<std::size_t>(field.blocks_x) * static_cast<std::size_t>(field.blocks_y);
  if (field.block <= 0 || blocks == 0 || field.dx.size() != blocks || field.dy.size() != blocks || shift_x < 0 ||
      shift_y < 0) {
    throw Error("compensate: the motion field does not fit");
  }
  // The block column of each plane column.
  std::vector<int> block_column(static_cast<std::size_t>(width));
  for (int x = 0; x < width; ++x) {
    block_column[static_cast<std::size_t>(x)] = std::min((x << shift_x) / field.block, field.blocks_x - 1);
  }
  const float scale_x = 1.0f / static_cast<float>(1 << shift_x);
  const float scale_y = 1.0f / static_cast<float>(1 << shift_y);
  const int mask_x = (1 << shift_x) - 1;
  const int mask_y = (1 << shift_y) - 1;
  const auto row_at = [&](int y) {
    return reference + static_cast<std::size_t>(std::clamp(y, 0, height - 1)) * static_cast<std::size_t>(width);
  };
  for (int y = 0; y < height; ++y) {
    const int by = std::min((y << shift_y) / field.block, field.blocks_y - 1);
    const int* dxs = field.dx.data() + static_cast<std::size_t>(by) * static_cast<std::size_t>(field.blocks_x);
    const int* dys = field.dy.data() + static_cast<std::size_t>(by) * static_cast<std::size_t>(field.blocks_x);
    float* dst = out + static_cast<std::size_t>(y) * static_cast<std::size_t>(width);
    for (int x = 0; x < width; ++x) {
      const int bx = block_column[static_cast<std::size_t>(x)];
      const int dx = dxs[bx];
      const int dy = dys[bx];
      if ((dx & mask_x) == 0 && (dy & mask_y) == 0) {
        // Whole-sample vector (arithmetic shift floors, exact for multiples).
        const float* row = row_at(y + (dy >> shift_y));
        dst[x] = row[std::clamp(x + (dx >> shift_x), 0, width - 1)];
        continue;
      }
      const float sx = static_cast<float>(x) + static_cast<float>(dx) * scale_x;
      const float sy = static_cast<float>(y) + static_cast<float>(dy) * scale_y;
      const float fx0 = std::floor(sx);
      const float fy0 = std::floor(sy);
      const float fx = sx - fx0;
      const float fy = sy - fy0;
      const int x0 = static_cast<int>(fx0);
      const int y0 = static_cast<int>(fy0);
      const int xa = std::clamp(x0, 0, width - 1);
      const int xb = std::clamp(x0 + 1, 0, width - 1);
      const float* r0 = row_at(y0);
      const float* r1 = row_at(y0 + 1);
      const float top = r0[xa] + fx * (r0[xb] - r0[xa]);
      const float bottom = r1[xa] + fx * (r1[xb] - r1[xa]);
      dst[x] = top + fy * (bottom - top);
    }
  }
}

}  // namespace r4k
