#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "preprocess/resample.hpp"
#include "preprocess/tile_stitcher.hpp"
#include "tests/support/tensor_checks.hpp"

namespace r4k {
namespace {

using r4k::testing::max_abs_difference;

Tensor random_image(int channels, int height, int width, unsigned seed) {
  return r4k::testing::random_tensor({1, channels, height, width}, seed);
}

Tensor crop(const Tensor& image, const Rect& window) {
  Tensor out({1, image.shape().c, window.height, window.width});
  for (int c = 0; c < image.shape().c; ++c) {
    for (int y = 0; y < window.height; ++y) {
      for (int x = 0; x < window.width; ++x) {
        out.plane(0, c)[y * window.width + x] = image.plane(0, c)[(window.y + y) * image.shape().w + window.x + x];
      }
    }
  }
  return out;
}

// Stitches tiles cut from `whole` (already upscaled) and returns the result.
Tensor stitch_from(const Tensor& source, int scale, int tile, int halo, int feather) {
  const TilePlan plan(source.shape().w, source.shape().h, tile, halo);
  Tensor whole;
  upscale_planes(source, scale, ResampleFilter::nearest, whole);
  TileStitcher stitcher(plan, scale, source.shape().c, feather);
  for (const Tile& t : plan.tiles()) {
    const Rect scaled{t.window.x * scale, t.window.y * scale, t.window.width * scale, t.window.height * scale};
    const Tensor part = crop(whole, scaled);
    stitcher.add(t, part.data());
  }
  return stitcher.finish();
}

TEST(TileStitcher, CutModeReassemblesTheImageExactly) {
  const Tensor source = random_image(3, 45, 70, 1);
  Tensor whole;
  upscale_planes(source, 2, ResampleFilter::nearest, whole);
  const Tensor stitched = stitch_from(source, 2, 20, 4, 0);
  ASSERT_EQ(stitched.shape(), whole.shape());
  EXPECT_EQ(max_abs_difference(stitched, whole), 0.0f);
}

TEST(TileStitcher, CutModeWritesEveryOutputPixelOnce) {
  // Each tile writes its index + 1; a pixel left at 0 or written by a
  // neighbour's window would show up as a wrong value.
  const TilePlan plan(37, 29, 16, 3);
  const int scale = 3;
  TileStitcher stitcher(plan, scale, 1, 0);
  for (const Tile& t : plan.tiles()) {
    std::vector<float> values(static_cast<std::size_t>(t.window.width * scale * t.window.height * scale),
                              static_cast<float>(t.index + 1));
    stitcher.add(t, values.data());
  }
  const Tensor out = stitcher.finish();
  for (const Tile& t : plan.tiles()) {
    for (int y = t.core.y * scale; y < t.core.bottom() * scale; ++y) {
      for (int x = t.core.x * scale; x < t.core.right() * scale; ++x) {
        ASSERT_EQ(out.plane(0, 0)[y * out.shape().w + x], static_cast<float>(t.index + 1)) << x << "," << y;
      }
    }
  }
}

TEST(TileStitcher, FeatherWeightsSumToOne) {
  for (float t = -0.5f; t <= 1.5f; t += 0.01f) EXPECT_NEAR(raised_cosine(t) + raised_cosine(1.0f - t), 1.0f, 1e-6f);
  EXPECT_EQ(raised_cosine(0.0f), 0.0f);
  EXPECT_EQ(raised_cosine(1.0f), 1.0f);
}

TEST(TileStitcher, FeatheringConsistentTilesGivesTheImage) {
  // When tiles agree on the overlap, blending must not change anything.
  const Tensor source = random_image(2, 50, 61, 2);
  Tensor whole;
  upscale_planes(source, 2, ResampleFilter::nearest, whole);
  const Tensor stitched = stitch_from(source, 2, 24, 5, 5);
  EXPECT_LT(max_abs_difference(stitched, whole), 1e-5f);
}

}  // namespace
}  // namespace r4k
