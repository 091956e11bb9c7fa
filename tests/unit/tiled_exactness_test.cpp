// Tiled output equals whole-image output when the halo is the receptive field.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "infer/frame_upscaler.hpp"
#include "infer/model_loader.hpp"
#include "infer/tiled_inference.hpp"
#include "preprocess/pixel_convert.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/tensor_checks.hpp"
#include "tests/support/test_paths.hpp"

namespace r4k::infer {
namespace {

using r4k::testing::max_abs_difference;
using r4k::testing::TempDir;

// A smooth random image (natural-image-like statistics, so that rounding ties
// in 8-bit are as rare as on real pictures).
Tensor smooth_image(int channels, int height, int width, unsigned seed) {
  cv::Mat noise(height, width, CV_32FC(channels));
  cv::RNG rng(seed);
  rng.fill(noise, cv::RNG::UNIFORM, 0.0, 1.0);
  cv::GaussianBlur(noise, noise, cv::Size(0, 0), 1.5);
  cv::normalize(noise, noise, 0.0, 1.0, cv::NORM_MINMAX);
  std::vector<int> order;
  for (int c = 0; c < channels; ++c) order.push_back(c);
  return to_planar(noise, order);
}

Tensor upscale(Engine& engine, const Tensor& image, int tile, int halo, int batch = 1) {
  TiledRunOptions options;
  options.batch = batch;
  const auto& shape = image.shape();
  return run_tiled(engine, image, choose_tiling(engine.info(), shape.w, shape.h, tile, halo), options);
}

struct EightBitComparison {
  double worst = 0.0;
  double fraction_different = 0.0;
};

EightBitComparison compare_8bit(const Tensor& a, const Tensor& b) {
  std::vector<int> order;
  for (int c = 0; c < a.shape().c; ++c) order.push_back(c);
  const cv::Mat a8 = to_interleaved(a, order, CV_8U);
  const cv::Mat b8 = to_interleaved(b, order, CV_8U);
  cv::Mat diff;
  cv::absdiff(a8, b8, diff);
  EightBitComparison result;
  result.worst = cv::norm(diff.reshape(1), cv::NORM_INF);
  result.fraction_different =
      static_cast<double>(cv::countNonZero(diff.reshape(1))) / static_cast<double>(diff.total() * diff.channels());
  return result;
}

class SrvggExactness : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    r4k::testing::write_srvgg({}, dir_->path() / "srvgg_x4.onnx");  // 64 features, 16 convolutions
    engine_ = load_model((dir_->path() / "srvgg_x4.onnx").string()).release();
  }
  static void TearDownTestSuite() {
    delete engine_;
    delete dir_;
  }
  static TempDir* dir_;
  static Engine* engine_;
};
TempDir* SrvggExactness::dir_ = nullptr;
Engine* SrvggExactness::engine_ = nullptr;

TEST_F(SrvggExactness, Tile64WithAutomaticHaloEqualsWholeImage) {
  ASSERT_GT(engine_->info().receptive_field, 0);
  const Tensor image = smooth_image(3, 101, 150, 3);  // not divisible by any tile
  const Tensor whole = upscale(*engine_, image, 0, -1);
  const Tensor tiled = upscale(*engine_, image, 64, -1);
  const TilingChoice choice = choose_tiling(engine_->info(), 150, 101, 64, -1);
  ASSERT_TRUE(choice.exact);
  EXPECT_GT(TilePlan(150, 101, choice.tile_size, choice.halo).tiles().size(), 4u);
  EXPECT_LE(max_abs_difference(whole, tiled), 1e-5f);
  const auto eight_bit = compare_8bit(whole, tiled);
  EXPECT_LE(eight_bit.worst, 1.0);
  EXPECT_LE(eight_bit.fraction_different, 1e-4);
}

TEST_F(SrvggExactness, BatchesGiveTheSameResult) {
  const Tensor image = smooth_image(3, 70, 90, 4);
  const Tensor one = upscale(*engine_, image, 48, -1, 1);
  const Tensor four = upscale(*engine_, image, 48, -1, 4);
  EXPECT_LE(max_abs_difference(one, four), 1e-5f);
}

TEST_F(SrvggExactness, SmallHaloIsBlendedNotCut) {
  const Tensor image = smooth_image(3, 64, 96, 5);
  const Tensor whole = upscale(*engine_, image, 0, -1);
  const int halo = 3;
  const Tensor blended = upscale(*engine_, image, 40, halo);
  TilingChoice cut = choose_tiling(engine_->info(), 96, 64, 40, halo);
  ASSERT_FALSE(cut.exact);
  ASSERT_EQ(cut.feather, halo);
  cut.feather = 0;
  const Tensor hard = run_tiled(*engine_, image, cut, {});
  double blended_error = 0.0;
  double cut_error = 0.0;
  for (std::size_t i = 0; i < whole.shape().elements(); ++i) {
    blended_error += std::abs(blended.data()[i] - whole.data()[i]);
    cut_error += std::abs(hard.data()[i] - whole.data()[i]);
  }
  EXPECT_GT(cut_error, 0.0) << "a halo below the receptive field should not be exact";
  EXPECT_LT(blended_error, cut_error);
}

TEST(TiledExactness, FixedShapeModelRunsOnItsOwnWindows) {
  TempDir dir;
  r4k::testing::SrvggSpec spec;
  spec.features = 16;
  spec.convs = 3;
  spec.scale = 2;
  r4k::testing::write_srvgg(spec, dir / "dynamic.onnx");
  spec.dynamic_shape = false;
  spec.fixed_height = 32;
  spec.fixed_width = 32;
  r4k::testing::write_srvgg(spec, dir / "fixed.onnx");  // same seed: same weights
  auto dynamic = load_model((dir / "dynamic.onnx").string());
  auto fixed = load_model((dir / "fixed.onnx").string());
  EXPECT_EQ(fixed->info().fixed_width, 32);
  EXPECT_EQ(fixed->info().receptive_field, 5);
  const Tensor image = smooth_image(3, 50, 77, 6);
  EXPECT_LE(max_abs_difference(upscale(*dynamic, image, 0, -1), upscale(*fixed, image, 0, -1)), 1e-5f);
}

TEST(TiledExactness, EspcnLumaModel) {
  TempDir dir;
  r4k::testing::write_espcn({}, dir / "espcn.onnx");
  auto engine = load_model((dir / "espcn.onnx").string());
  const Tensor image = smooth_image(1, 57, 83, 7);
  EXPECT_LE(max_abs_difference(upscale(*engine, image, 0, -1), upscale(*engine, image, 20, -1)), 1e-5f);
}

TEST(TiledExactness, ClassicalFiltersAreExactWithTheirRadius) {
  for (const char* spec : {"builtin:bicubic-x3", "builtin:lanczos-x2", "builtin:bilinear-x4"}) {
    SCOPED_TRACE(spec);
    auto engine = load_model(spec);
    const Tensor image = smooth_image(3, 45, 38, 8);
    EXPECT_LE(max_abs_difference(upscale(*engine, image, 0, -1), upscale(*engine, image, 16, -1)), 1e-6f);
  }
}

TEST(TiledExactness, ThirdPartyTensorflowModelTiled) {
  const auto path = r4k::testing::shared_dir() / "models/third_party/FSRCNN_x4.pb";
  R4K_REQUIRE_SHARED(path);
  auto engine = load_model(path.string());
  const Tensor image = smooth_image(1, 90, 70, 9);
  const Tensor whole = upscale(*engine, image, 0, -1);
  const Tensor tiled = upscale(*engine, image, 32, -1);
  EXPECT_LE(max_abs_difference(whole, tiled), 1e-5f);
}

// The automatic window: SD frames whole; larger pictures cut at the size
// (256..512) whose windows, overlap included, cover the fewest pixels.
TEST(AutomaticTiling, WholeSdFramesAndTheCheapestWindowAboveThat) {
  ModelInfo info;
  info.scale = 4;
  info.receptive_field = 10;
  EXPECT_EQ(choose_tiling(info, 720, 576, 0, -1).tile_size, 0) << "an SD frame runs whole";
  EXPECT_EQ(choose_tiling(info, 1024, 512, 0, -1).tile_size, 0);
  const auto covered = [](int width, int height, int tile) { return TilePlan(width, height, tile, 10).window_pixels(); };
  for (const auto& [width, height] : std::vector<std::pair<int, int>>{{1920, 1080}, {1440, 1080}, {4000, 3000}}) {
    const TilingChoice choice = choose_tiling(info, width, height, 0, -1);
    SCOPED_TRACE(std::to_string(width) + "x" + std::to_string(height) + ": tile " +
                 std::to_string(choice.tile_size));
    EXPECT_GE(choice.tile_size, 256);
    EXPECT_LE(choice.tile_size, 512);
    EXPECT_TRUE(choice.exact);
    for (int other = 256; other <= 512; other += 8) {
      EXPECT_LE(covered(width, height, choice.tile_size), covered(width, height, other)) << "tile " << other;
    }
  }
  // Better than the fixed 256 of before on an HD frame.
  EXPECT_LT(covered(1920, 1080, choose_tiling(info, 1920, 1080, 0, -1).tile_size), covered(1920, 1080, 256));
}

}  // namespace
}  // namespace r4k::infer
