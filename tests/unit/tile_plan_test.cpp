#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "preprocess/tile_plan.hpp"

namespace r4k {
namespace {

// Checks the plan's contract: cores partition the image, windows lie inside
// it, share one size, and hold the core plus `halo` on every inner edge.
void check_plan(int width, int height, int tile, int halo) {
  SCOPED_TRACE(::testing::Message() << width << "x" << height << " tile " << tile << " halo " << halo);
  const TilePlan plan(width, height, tile, halo);
  const Rect image{0, 0, width, height};
  std::vector<int> covered(static_cast<std::size_t>(width) * static_cast<std::size_t>(height), 0);
  const Rect first = plan.tiles().front().window;
  const int expected_w = (tile == 0 || tile >= width) ? width : tile;
  const int expected_h = (tile == 0 || tile >= height) ? height : tile;
  EXPECT_EQ(first.width, expected_w);
  EXPECT_EQ(first.height, expected_h);
  EXPECT_EQ(static_cast<int>(plan.tiles().size()), plan.columns() * plan.rows());
  for (const Tile& t : plan.tiles()) {
    ASSERT_GT(t.core.width, 0);
    ASSERT_GT(t.core.height, 0);
    EXPECT_TRUE(image.contains(t.window));
    EXPECT_TRUE(t.window.contains(t.core));
    EXPECT_EQ(t.window.width, first.width);
    EXPECT_EQ(t.window.height, first.height);
    const Rect needed{std::max(0, t.core.x - halo), std::max(0, t.core.y - halo),
                      std::min(width, t.core.right() + halo) - std::max(0, t.core.x - halo),
                      std::min(height, t.core.bottom() + halo) - std::max(0, t.core.y - halo)};
    EXPECT_TRUE(t.window.contains(needed));
    for (int y = t.core.y; y < t.core.bottom(); ++y) {
      for (int x = t.core.x; x < t.core.right(); ++x) ++covered[static_cast<std::size_t>(y * width + x)];
    }
  }
  EXPECT_TRUE(std::all_of(covered.begin(), covered.end(), [](int count) { return count == 1; }))
      << "some pixel is not covered exactly once";
}

TEST(TilePlan, CoresPartitionTheImageForManyShapes) {
  const int sizes[][2] = {{1, 1}, {1, 7}, {7, 1}, {5, 5}, {63, 65}, {100, 37}, {300, 200}, {257, 513}};
  const int tiles[] = {0, 8, 16, 17, 64, 100, 1000};
  const int halos[] = {0, 1, 3, 7, 20};
  int checked = 0;
  for (const auto& size : sizes) {
    for (int tile : tiles) {
      for (int halo : halos) {
        const bool needs_cut = tile != 0 && (tile < size[0] || tile < size[1]);
        if (needs_cut && tile <= 2 * halo) continue;
        check_plan(size[0], size[1], tile, halo);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 150);
}

TEST(TilePlan, ImageSmallerThanTileIsOneWholeTile) {
  const TilePlan plan(40, 30, 64, 10);
  ASSERT_EQ(plan.tiles().size(), 1u);
  EXPECT_EQ(plan.tiles()[0].core, (Rect{0, 0, 40, 30}));
  EXPECT_EQ(plan.tiles()[0].window, (Rect{0, 0, 40, 30}));
}

TEST(TilePlan, OnePixelImage) {
  const TilePlan plan(1, 1, 16, 3);
  ASSERT_EQ(plan.tiles().size(), 1u);
  EXPECT_EQ(plan.tiles()[0].core, (Rect{0, 0, 1, 1}));
}

TEST(TilePlan, HaloLargerThanTheImageNeedsNoCut) {
  // A halo beyond the image is clamped: there is nothing to pad with.
  const TilePlan plan(30, 20, 0, 50);
  ASSERT_EQ(plan.tiles().size(), 1u);
  EXPECT_EQ(plan.tiles()[0].window, (Rect{0, 0, 30, 20}));
  check_plan(30, 20, 31, 50);
}

TEST(TilePlan, SizesNotDivisibleByTheTileAreBalanced) {
  const TilePlan plan(1000, 10, 100, 10);
  std::vector<int> widths;
  for (const Tile& t : plan.tiles()) widths.push_back(t.core.width);
  const auto [smallest, largest] = std::minmax_element(widths.begin(), widths.end());
  // Inner cores hold tile - 2*halo = 80 at most, end cores 90; no sliver tile.
  EXPECT_LE(*largest, 90);
  EXPECT_GE(*smallest, 70);
}

TEST(TilePlan, TileNotLargerThanTwiceTheHaloIsRejected) {
  try {
    TilePlan plan(100, 100, 20, 10);
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("tile size 20"), std::string::npos) << message;
    EXPECT_NE(message.find("halo 10"), std::string::npos) << message;
    EXPECT_NE(message.find("21"), std::string::npos) << message;
  }
  EXPECT_NO_THROW(TilePlan(100, 100, 21, 10));
}

TEST(TilePlan, RejectsEmptyImagesAndNegativeValues) {
  EXPECT_THROW(TilePlan(0, 10, 16, 1), InputError);
  EXPECT_THROW(TilePlan(10, 10, -1, 1), InputError);
  EXPECT_THROW(TilePlan(10, 10, 16, -1), InputError);
}

}  // namespace
}  // namespace r4k
