// The film clean-up elements through GstHarness on synthetic degradations of
// clean moving footage (tests/support/film_fixtures): each removes what it
// is for, keeps real changes (fades, cuts, motion), and leaves a clean,
// steady picture alone.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "pipeline/pipeline_runner.hpp"
#include "tests/support/film_fixtures.hpp"

namespace {

using r4k::test::LumaPlane;

double deviation(const std::vector<double>& values) {
  double mean = 0.0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double squares = 0.0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return std::sqrt(squares / static_cast<double>(values.size()));
}

TEST(DeflickerElement, RemovesFlickerKeepsFadeAndCut) {
  r4k::pipeline::initialise_gstreamer();
  // A 6 s shot of a moving scene fading in, a cut, a 4 s shot of another scene
  // (the first and last `radius` frames of a shot rest on a one-sided
  // window and keep more of their flicker).
  std::vector<LumaPlane> reference;
  std::vector<LumaPlane> flickering;
  std::mt19937 random(7);
  // The known gain curve: a beat of the lamp against the shutter plus
  // uneven exposure from frame to frame.
  std::uniform_real_distribution<double> uneven(-0.03, 0.03);
  const auto flicker = [&](int t) { return 0.06 * std::sin(t * 6.283185307179586 / 4.7) + uneven(random); };
  for (int t = 0; t < 250; ++t) {
    const double fade = t < 150 ? 0.5 + 0.5 * t / 150.0 : 1.0;
    const LumaPlane clean =
        t < 150 ? r4k::test::moving_scene(160, 120, t, 2, 1, 0) : r4k::test::moving_scene(160, 120, t - 150, 1, 0, 1);
    reference.push_back(r4k::test::with_gain(clean, fade));
    flickering.push_back(r4k::test::with_gain(clean, fade * (1.0 + flicker(t))));
  }
  const auto out = r4k::test::run_through("r4kdeflicker", flickering);
  ASSERT_EQ(out.size(), flickering.size());
  std::vector<double> before;
  std::vector<double> after;
  for (std::size_t t = 0; t < out.size(); ++t) {
    before.push_back(r4k::test::mean_of(flickering[t]) - r4k::test::mean_of(reference[t]));
    after.push_back(r4k::test::mean_of(out[t]) - r4k::test::mean_of(reference[t]));
  }
  const double reduction = 1.0 - deviation(after) / deviation(before);
  EXPECT_GE(reduction, 0.8) << "flicker std " << deviation(before) << " -> " << deviation(after);
  // The fade and the cut are real: each frame stays near its clean level.
  for (std::size_t t = 0; t < out.size(); ++t) {
    EXPECT_NEAR(r4k::test::mean_of(out[t]), r4k::test::mean_of(reference[t]), 0.02) << "frame " << t;
  }
  // And the picture improves on average.
  double psnr_before = 0.0;
  double psnr_after = 0.0;
  for (std::size_t t = 0; t < out.size(); ++t) {
    psnr_before += r4k::test::psnr(flickering[t], reference[t]);
    psnr_after += r4k::test::psnr(out[t], reference[t]);
  }
  EXPECT_GT(psnr_after, psnr_before + static_cast<double>(out.size()) * 3.0);
}

TEST(DeflickerElement, LeavesCleanSteadyFootageAlone) {
  r4k::pipeline::initialise_gstreamer();
  std::vector<LumaPlane> frames;
  for (int t = 0; t < 30; ++t) frames.push_back(r4k::test::moving_scene(160, 120, t, 0, 0, 0));
  const auto out = r4k::test::run_through("r4kdeflicker radius=5", frames);
  ASSERT_EQ(out.size(), frames.size());
  for (std::size_t t = 0; t < out.size(); ++t) {
    EXPECT_LE(r4k::test::mean_abs_difference(out[t], frames[t]), 1.0 / 255.0) << "frame " << t;
  }
}

TEST(DeflickerElement, FlashFrameIsLeftAsItIs) {
  r4k::pipeline::initialise_gstreamer();
  std::vector<LumaPlane> frames;
  for (int t = 0; t < 30; ++t) {
    const LumaPlane clean = r4k::test::moving_scene(160, 120, t, 2, 1, 0);
    frames.push_back(t == 15 ? r4k::test::with_gain(clean, 1.5) : clean);  // lightning
  }
  const auto out = r4k::test::run_through("r4kdeflicker", frames);
  ASSERT_EQ(out.size(), frames.size());
  EXPECT_LE(r4k::test::mean_abs_difference(out[15], frames[15]), 1.0 / 255.0);
  EXPECT_LE(r4k::test::mean_abs_difference(out[14], frames[14]), 1.0 / 255.0);
}

}  // namespace

namespace {

using r4k::test::LumaPlane;

// Moving footage (2, 1) px per frame; dust on frames 2..9, different on each.
TEST(DustbustElement, RemovesSpecksWithoutTouchingMovingContent) {
  r4k::pipeline::initialise_gstreamer();
  std::vector<LumaPlane> clean;
  std::vector<LumaPlane> dusty;
  std::vector<std::vector<std::uint8_t>> masks;
  for (int t = 0; t < 12; ++t) {
    clean.push_back(r4k::test::moving_scene(160, 120, t, 2, 1, 0));
    std::vector<std::uint8_t> mask(clean.back().pixels.size(), 0);
    dusty.push_back(t >= 2 && t < 10 ? r4k::test::with_dust(clean.back(), 12, 100u + static_cast<unsigned>(t), &mask)
                                     : clean.back());
    masks.push_back(mask);
  }
  const auto out = r4k::test::run_through("r4kdustbust", dusty);
  ASSERT_EQ(out.size(), dusty.size());
  std::size_t speck_pixels = 0;
  std::size_t restored = 0;
  std::size_t other_pixels = 0;
  std::size_t changed = 0;
  double psnr_before = 0.0;
  double psnr_after = 0.0;
  for (std::size_t t = 2; t < 10; ++t) {
    psnr_before += r4k::test::psnr(dusty[t], clean[t]);
    psnr_after += r4k::test::psnr(out[t], clean[t]);
    for (std::size_t i = 0; i < clean[t].pixels.size(); ++i) {
      const int error = std::abs(static_cast<int>(out[t].pixels[i]) - clean[t].pixels[i]);
      if (masks[t][i] != 0) {
        ++speck_pixels;
        if (error <= 8) ++restored;
      } else {
        ++other_pixels;
        if (std::abs(static_cast<int>(out[t].pixels[i]) - dusty[t].pixels[i]) > 2) ++changed;
      }
    }
  }
  ASSERT_GT(speck_pixels, 100u);
  EXPECT_GE(static_cast<double>(restored) / static_cast<double>(speck_pixels), 0.9)
      << restored << " of " << speck_pixels << " dust pixels restored";
  EXPECT_LE(static_cast<double>(changed) / static_cast<double>(other_pixels), 0.005)
      << changed << " of " << other_pixels << " clean pixels changed by more than 2/255";
  EXPECT_GT(psnr_after, psnr_before + 8.0 * 5.0);
}

TEST(DustbustElement, RepairsVerticalScratch) {
  r4k::pipeline::initialise_gstreamer();
  std::vector<LumaPlane> clean;
  std::vector<LumaPlane> scratched;
  for (int t = 0; t < 6; ++t) {
    clean.push_back(r4k::test::moving_scene(160, 120, t, 2, 1, 0));
    scratched.push_back(r4k::test::with_scratch(clean.back(), 53, 2, 50));
  }
  const auto out = r4k::test::run_through("r4kdustbust dust=false scratches=true", scratched);
  ASSERT_EQ(out.size(), scratched.size());
  for (std::size_t t = 0; t < out.size(); ++t) {
    EXPECT_GT(r4k::test::psnr(out[t], clean[t]), r4k::test::psnr(scratched[t], clean[t]) + 3.0) << "frame " << t;
  }
}

TEST(DenoiseElement, RemovesGrainOnMovingContent) {
  r4k::pipeline::initialise_gstreamer();
  std::vector<LumaPlane> clean;
  std::vector<LumaPlane> grainy;
  for (int t = 0; t < 8; ++t) {
    clean.push_back(r4k::test::moving_scene(160, 120, t, 2, 1, 0));
    grainy.push_back(r4k::test::with_grain(clean.back(), 0.03, 200u + static_cast<unsigned>(t)));
  }
  const auto out = r4k::test::run_through("r4kdenoise", grainy);
  ASSERT_EQ(out.size(), grainy.size());
  for (std::size_t t = 0; t < out.size(); ++t) {
    EXPECT_GT(r4k::test::psnr(out[t], clean[t]), r4k::test::psnr(grainy[t], clean[t]) + 2.0) << "frame " << t;
  }
}

// No stage changes a clean, steady input by more than 1/255 on average.
TEST(FilmCleanupElements, LeaveCleanSteadyFootageAlone) {
  r4k::pipeline::initialise_gstreamer();
  std::vector<LumaPlane> frames;
  for (int t = 0; t < 8; ++t) frames.push_back(r4k::test::moving_scene(160, 120, 0, 0, 0, t < 4 ? 0 : 1));
  for (const char* stage : {"r4kdustbust scratches=true", "r4kdenoise", "r4kdeflicker"}) {
    const auto out = r4k::test::run_through(stage, frames);
    ASSERT_EQ(out.size(), frames.size()) << stage;
    for (std::size_t t = 0; t < out.size(); ++t) {
      EXPECT_LE(r4k::test::mean_abs_difference(out[t], frames[t]), 1.0 / 255.0) << stage << " frame " << t;
    }
  }
}

}  // namespace
