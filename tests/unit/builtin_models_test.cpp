// restore4k's own trained models (models/*.onnx, builtin:NAME; the -int8
// ones made from them by `restore4k models compress`): each loads through
// every backend that runs it (OpenCV does not run per-channel QDQ), gives the same picture on each, runs
// tiled with exact output, stays within its size and cost budget, and beats
// the engine's bicubic on Set5 by at least 1 dB (a floor that catches a broken
// export or a wrong colour order).
#include <gtest/gtest.h>

#include <filesystem>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "infer/model_loader.hpp"
#include "infer/model_spec.hpp"
#include "infer/tiled_inference.hpp"
#include "preprocess/pixel_convert.hpp"
#include "restore_4k/sr_evaluation.hpp"
#include "tests/support/tensor_checks.hpp"
#include "tests/support/test_paths.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<std::string> trained_models() {
  std::vector<std::string> names;
  for (const auto& name : r4k::infer::builtin_model_names()) {
    if (fs::exists(r4k::infer::builtin_models_dir() / (name + ".onnx"))) names.push_back(name);
  }
  return names;
}

r4k::Tensor picture(int height, int width) {
  cv::Mat noise(height, width, CV_32FC3);
  cv::RNG rng(11);
  rng.fill(noise, cv::RNG::UNIFORM, 0.0, 1.0);
  cv::GaussianBlur(noise, noise, cv::Size(0, 0), 1.2);
  cv::normalize(noise, noise, 0.0, 1.0, cv::NORM_MINMAX);
  return r4k::to_planar(noise, {0, 1, 2});
}

r4k::Tensor run(r4k::infer::Engine& engine, const r4k::Tensor& image, int tile) {
  const auto& shape = image.shape();
  return r4k::infer::run_tiled(engine, image, r4k::infer::choose_tiling(engine.info(), shape.w, shape.h, tile, -1), {});
}

TEST(BuiltinModels, LoadOnEveryBackendTiledExactWithinBudget) {
  const auto names = trained_models();
  if (names.empty()) GTEST_SKIP() << "no trained models in " << r4k::infer::builtin_models_dir();
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    const fs::path file = r4k::infer::builtin_models_dir() / (name + ".onnx");
    EXPECT_LT(fs::file_size(file), 2u * 1024u * 1024u) << "under 2 MB";
    EXPECT_TRUE(fs::exists(r4k::infer::builtin_models_dir() / (name + ".md"))) << "a model card";
    const r4k::Tensor image = picture(67, 91);
    r4k::Tensor reference;
    const auto backends = r4k::infer::backends_for(*r4k::infer::load_model("builtin:" + name, {}));
    EXPECT_EQ(backends.front(), "onednn");
    for (const std::string& backend : backends) {
      r4k::infer::EngineOptions options;
      options.backend = backend;
      auto engine = r4k::infer::load_model("builtin:" + name, options);
      const auto& info = engine->info();
      EXPECT_EQ(info.in_channels, 3);
      EXPECT_GT(info.receptive_field, 0);
      EXPECT_LT(info.flops_per_pixel, 0.3e6) << "under 0.3 MFLOP per input pixel";
      const r4k::Tensor whole = run(*engine, image, 0);
      const r4k::Tensor tiled = run(*engine, image, 40);
      EXPECT_LE(r4k::testing::max_abs_difference(whole, tiled), 1e-4f) << backend << ": tiled = whole";
      if (reference.empty()) {
        reference = whole;
      } else {
        EXPECT_LE(r4k::testing::max_abs_difference(reference, whole), 2e-3f) << backend << " agrees with onednn";
      }
    }
  }
}

TEST(BuiltinModels, BeatBicubicOnSet5ByOneDecibel) {
  const auto names = trained_models();
  if (names.empty()) GTEST_SKIP() << "no trained models in " << r4k::infer::builtin_models_dir();
  const auto set5 = r4k::testing::shared_dir() / "data/sr-bench/Set5";
  if (!fs::exists(set5)) GTEST_SKIP() << "shared test data missing: " << set5;
  for (const auto& name : names) {
    r4k::restore::EvalOptions options;
    options.model = "builtin:" + name;
    options.film = name.rfind("film", 0) == 0;  // the film model is for degraded input
    const auto score = r4k::restore::evaluate_set(set5, options);
    // Clean models: bicubic + 1 dB; the film model on film-degraded input
    // must beat bicubic (measured +0.55 dB on Set5).
    EXPECT_GE(score.psnr, score.bicubic_psnr + (options.film ? 0.3 : 1.0)) << name << ": " << score.psnr << " dB vs bicubic "
                                                    << score.bicubic_psnr;
  }
}

// A flat grey field under fine grain (white noise, 5 codes): the film model
// must leave it no less flat than bicubic does (no texture made up from the
// grain), where the clean model sharpens the grain into texture.
TEST(BuiltinModels, FilmModelKeepsGrainyFlatAreasFlat) {
  if (!fs::exists(r4k::infer::builtin_models_dir() / "film-x4.onnx")) GTEST_SKIP() << "no film-x4";
  cv::Mat field(64, 64, CV_32FC3, cv::Scalar::all(0.5));
  cv::Mat grain(field.size(), CV_32FC3);
  cv::RNG rng(5);
  rng.fill(grain, cv::RNG::NORMAL, 0.0, 5.0 / 255.0);
  const r4k::Tensor input = r4k::to_planar(field + grain, {0, 1, 2});
  const auto spread = [&](const std::string& model) {
    auto engine = r4k::infer::load_model(model, {});
    const cv::Mat out = r4k::to_interleaved(run(*engine, input, 0), {0, 1, 2}, CV_8U);
    cv::Scalar mean, deviation;
    cv::meanStdDev(out(cv::Rect(32, 32, 192, 192)), mean, deviation);  // borders left out
    EXPECT_NEAR(mean[0], 127.5, 3.0) << model << " keeps the level";
    return (deviation[0] + deviation[1] + deviation[2]) / 3.0;
  };
  const double film = spread("builtin:film-x4");
  const double bicubic = spread("builtin:bicubic-x4");
  const double clean = spread("builtin:clean-x4");
  // Measured: film-x4 4.12 codes, bicubic 4.31, clean-x4 5.84 (it sharpens the grain into texture).
  EXPECT_LT(film, bicubic) << "film-x4 " << film << " codes, bicubic " << bicubic;
  EXPECT_LT(film, 0.85 * clean) << "film-x4 " << film << " codes, clean-x4 " << clean;
}

}  // namespace
