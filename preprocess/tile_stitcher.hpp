// TileStitcher: assembles upscaled tiles into the output image.
//
// With feather == 0 each tile's scaled core is cut out and copied: every
// output pixel is written exactly once. This is exact when the plan's halo is
// at least the model's receptive field. With feather > 0 (a halo below the
// receptive field) neighbouring tiles overlap by `feather` input pixels on each
// side of a core boundary and are blended with complementary raised-cosine
// weights, so no seam is visible where the cut would not be exact.
#pragma once

#include "core/tensor.hpp"
#include "preprocess/tile_plan.hpp"

namespace r4k {

class TileStitcher {
 public:
  TileStitcher(const TilePlan& plan, int scale, int channels, int feather);

  // `tile_output` holds `channels` planes of (scale * window) pixels.
  void add(const Tile& tile, const float* tile_output);

  // The assembled 1 x channels x (scale*H) x (scale*W) image. Call once.
  Tensor finish();

  int scale() const { return scale_; }

 private:
  void add_cut(const Tile& tile, const float* tile_output);
  void add_feathered(const Tile& tile, const float* tile_output);

  const TilePlan& plan_;
  int scale_;
  int channels_;
  int feather_;
  Tensor output_;
  Tensor weight_sum_;  // feather mode only
};

// Raised-cosine ramp: 0 at t <= 0, 1 at t >= 1, smooth in between; r(t) + r(1 - t) == 1.
float raised_cosine(float t);

}  // namespace r4k
