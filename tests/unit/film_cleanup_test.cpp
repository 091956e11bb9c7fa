// Film clean-up on synthetic footage: block motion search and compensation,
// dust and scratch removal, temporal + spatial denoising. The footage is a
// picture of gradients, shapes and fine texture, stored at 8 bits, either
// still or panning by (2, 1) pixels a frame, in grey, R'G'B' and Y'CbCr 4:2:0.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "preprocess/cleanup_stages.hpp"
#include "preprocess/deflicker.hpp"
#include "preprocess/denoise.hpp"
#include "preprocess/dust_removal.hpp"
#include "preprocess/motion_search.hpp"

namespace {

using r4k::Frame;
using r4k::FrameColour;

float quantise(double v) { return static_cast<float>(std::round(std::clamp(v, 0.0, 1.0) * 255.0) / 255.0); }

// The picture at canvas position (x, y), for colour plane k.
double picture(double x, double y, int k) {
  double v = 0.15 + 0.55 * x / 400.0 + 0.1 * std::sin(y * 0.05);
  const auto disc = [&](double cx, double cy, double r) { return (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r; };
  if (disc(110, 80, 28)) v += 0.25;
  if (x >= 150 && x < 185 && y >= 30 && y < 120) v -= 0.2;
  if (disc(70, 150, 22)) v -= 0.12;
  if (x >= 20 && x < 90 && y >= 40 && y < 60) v += 0.15;
  // Fine texture, not periodic (two incommensurate waves, one oblique).
  v += 0.012 * std::sin(0.9 * x + 0.3 * y + k) + 0.01 * std::sin(0.37 * x * 1.4142 - 0.71 * y) * std::cos(0.23 * x);
  if (k == 1) v = 0.9 * v + 0.05;
  if (k == 2) v = 0.95 - 0.8 * v;
  return v;
}

double chroma_picture(double x, double y, int k) {
  return k == 0 ? 0.5 + 0.08 * std::sin(x * 0.03) + 0.05 * std::cos(y * 0.04)
                : 0.5 - 0.06 * std::cos(x * 0.025) + 0.04 * std::sin(y * 0.05);
}

// Frame t of the footage: the canvas seen from (20 + 2t, 20 + t) when moving.
Frame make_frame(FrameColour colour, int width, int height, int t, bool moving, bool alpha = false) {
  const int ox = 20 + (moving ? 2 * t : 0);
  const int oy = 20 + (moving ? t : 0);
  Frame frame;
  frame.colour = colour;
  frame.has_alpha = alpha;
  const int planes = (colour == FrameColour::rgb ? 3 : 1) + (alpha ? 1 : 0);
  frame.planes.resize({1, planes, height, width});
  for (int c = 0; c < frame.colour_planes(); ++c) {
    float* p = frame.planes.plane(0, c);
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) p[y * width + x] = quantise(picture(x + ox, y + oy, c));
    }
  }
  if (alpha) {
    float* a = frame.planes.plane(0, planes - 1);
    for (int i = 0; i < width * height; ++i) a[i] = static_cast<float>(i % 7) / 6.0f;
  }
  if (colour == FrameColour::ycbcr) {
    frame.chroma_shift_x = 1;
    frame.chroma_shift_y = 1;
    const int cw = width >> 1;
    const int ch = height >> 1;
    frame.chroma.resize({1, 2, ch, cw});
    for (int c = 0; c < 2; ++c) {
      float* p = frame.chroma.plane(0, c);
      for (int y = 0; y < ch; ++y) {
        for (int x = 0; x < cw; ++x) {
          p[y * cw + x] = quantise(chroma_picture(2 * x + 0.5 + ox, 2 * y + 0.5 + oy, c));
        }
      }
    }
  }
  return frame;
}

struct Clip {
  Frame previous, current, next;
};

Clip make_clip(FrameColour colour, int width, int height, bool moving) {
  return {make_frame(colour, width, height, 0, moving), make_frame(colour, width, height, 1, moving),
          make_frame(colour, width, height, 2, moving)};
}

// Mean squared error over the colour planes (luma resolution).
double mse(const Frame& a, const Frame& b) {
  double sum = 0.0;
  const std::size_t n = a.planes.shape().plane_size();
  for (int c = 0; c < a.colour_planes(); ++c) {
    const float* p = a.planes.plane(0, c);
    const float* q = b.planes.plane(0, c);
    for (std::size_t i = 0; i < n; ++i) sum += (p[i] - q[i]) * (p[i] - q[i]);
  }
  return sum / static_cast<double>(n * static_cast<std::size_t>(a.colour_planes()));
}

double psnr(const Frame& a, const Frame& b) { return 10.0 * std::log10(1.0 / std::max(mse(a, b), 1e-12)); }

double mean_abs_difference(const r4k::Tensor& a, const r4k::Tensor& b) {
  double sum = 0.0;
  const std::size_t n = a.shape().elements();
  for (std::size_t i = 0; i < n; ++i) sum += std::abs(a.data()[i] - b.data()[i]);
  return n ? sum / static_cast<double>(n) : 0.0;
}

double max_abs_difference(const r4k::Tensor& a, const r4k::Tensor& b) {
  double most = 0.0;
  const std::size_t n = a.shape().elements();
  for (std::size_t i = 0; i < n; ++i) most = std::max(most, static_cast<double>(std::abs(a.data()[i] - b.data()[i])));
  return most;
}

void add_grain(Frame& frame, double sigma, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, sigma);
  const std::size_t n = frame.planes.shape().plane_size();
  for (int c = 0; c < frame.colour_planes(); ++c) {
    float* p = frame.planes.plane(0, c);
    for (std::size_t i = 0; i < n; ++i) p[i] = quantise(p[i] + noise(rng));
  }
}

const char* name_of(FrameColour colour) {
  return colour == FrameColour::grey ? "grey" : colour == FrameColour::rgb ? "rgb" : "ycbcr";
}

// ---------------------------------------------------------------- motion

TEST(MotionSearch, RecoversTranslationAndCompensatesInterior) {
  for (const auto& [width, height] : {std::pair{160, 120}, std::pair{161, 121}}) {
    SCOPED_TRACE(std::to_string(width) + "x" + std::to_string(height));
    const Clip clip = make_clip(FrameColour::grey, width, height, true);
    const float* prev = clip.previous.planes.plane(0, 0);
    const float* cur = clip.current.planes.plane(0, 0);
    const float* next = clip.next.planes.plane(0, 0);
    const r4k::MotionField back = r4k::estimate_motion(prev, cur, width, height);
    const r4k::MotionField forward = r4k::estimate_motion(next, cur, width, height);
    ASSERT_EQ(back.blocks_x, (width + 7) / 8);
    ASSERT_EQ(back.blocks_y, (height + 7) / 8);
    ASSERT_EQ(back.dx.size(), static_cast<std::size_t>(back.blocks_x * back.blocks_y));
    int interior = 0;
    int right = 0;
    for (int by = 1; by + 1 < back.blocks_y; ++by) {
      for (int bx = 1; bx + 1 < back.blocks_x; ++bx) {
        const std::size_t i = static_cast<std::size_t>(by * back.blocks_x + bx);
        ++interior;
        right += back.dx[i] == 2 && back.dy[i] == 1 && forward.dx[i] == -2 && forward.dy[i] == -1;
      }
    }
    EXPECT_GE(right, interior * 95 / 100) << right << " of " << interior;

    std::vector<float> warped(static_cast<std::size_t>(width * height));
    r4k::compensate(prev, width, height, back, 0, 0, warped.data());
    double worst = 0.0;
    double total = 0.0;
    int count = 0;
    for (int y = 8; y < height - 8; ++y) {
      for (int x = 8; x < width - 8; ++x) {
        const double d = std::abs(warped[static_cast<std::size_t>(y * width + x)] - cur[y * width + x]);
        worst = std::max(worst, d);
        total += d;
        ++count;
      }
    }
    EXPECT_LT(total / count, 0.5 / 255.0);
    EXPECT_LT(worst, 0.2);
  }
}

TEST(MotionSearch, StillAndFlatAreasGetTheZeroVector) {
  // Still textured footage with grain, and a flat grey plane with grain.
  Clip clip = make_clip(FrameColour::grey, 160, 120, false);
  add_grain(clip.previous, 0.03, 1);
  add_grain(clip.current, 0.03, 2);
  Frame flat_a = make_frame(FrameColour::grey, 160, 120, 0, false);
  Frame flat_b = flat_a;
  flat_a.planes.fill(0.4f);
  flat_b.planes.fill(0.4f);
  add_grain(flat_a, 0.02, 3);
  add_grain(flat_b, 0.02, 4);
  for (const auto& [reference, target] :
       {std::pair{&clip.previous, &clip.current}, std::pair{&flat_a, &flat_b}}) {
    const r4k::MotionField field =
        r4k::estimate_motion(reference->planes.plane(0, 0), target->planes.plane(0, 0), 160, 120);
    const auto zero = std::count_if(field.dx.begin(), field.dx.end(), [&, i = std::size_t{0}](int) mutable {
      const bool z = field.dx[i] == 0 && field.dy[i] == 0;
      ++i;
      return z;
    });
    EXPECT_GE(static_cast<double>(zero), 0.9 * static_cast<double>(field.dx.size()));
  }
}

TEST(MotionSearch, CompensatesSubsampledChroma) {
  const Clip clip = make_clip(FrameColour::ycbcr, 161, 121, true);
  const r4k::MotionField back = r4k::estimate_motion(clip.previous.planes.plane(0, 0),
                                                     clip.current.planes.plane(0, 0), 161, 121);
  const int cw = clip.current.chroma.shape().w;
  const int ch = clip.current.chroma.shape().h;
  ASSERT_EQ(cw, 80);
  ASSERT_EQ(ch, 60);
  std::vector<float> warped(static_cast<std::size_t>(cw * ch));
  for (int c = 0; c < 2; ++c) {
    r4k::compensate(clip.previous.chroma.plane(0, c), cw, ch, back, 1, 1, warped.data());
    const float* cur = clip.current.chroma.plane(0, c);
    double worst = 0.0;
    for (int y = 4; y < ch - 4; ++y) {
      for (int x = 4; x < cw - 4; ++x) {
        worst = std::max(worst, static_cast<double>(std::abs(warped[static_cast<std::size_t>(y * cw + x)] - cur[y * cw + x])));
      }
    }
    EXPECT_LT(worst, 2.5 / 255.0);  // half-sample vertical vector, interpolated
  }
}

// ---------------------------------------------------------------- dust

struct Speck {
  std::vector<int> pixels;  // luma indices
};

// Specks of 2-6 pixels across, brighter or darker than the picture by at
// least 0.25, at least 12 pixels apart and 10 from the edges.
std::vector<Speck> add_dust(Frame& frame, int count, std::uint32_t seed) {
  const int width = frame.width();
  const int height = frame.height();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> px(10, width - 11);
  std::uniform_int_distribution<int> py(10, height - 11);
  std::uniform_real_distribution<double> radius(0.8, 2.9);
  std::uniform_real_distribution<double> contrast(0.25, 0.45);
  std::uniform_int_distribution<int> jitter(-1, 1);
  std::vector<Speck> specks;
  std::vector<std::pair<int, int>> centres;
  while (static_cast<int>(specks.size()) < count) {
    const int cx = px(rng);
    const int cy = py(rng);
    if (std::any_of(centres.begin(), centres.end(),
                    [&](auto c) { return std::abs(c.first - cx) < 12 && std::abs(c.second - cy) < 12; })) {
      continue;
    }
    centres.emplace_back(cx, cy);
    // A blob: two overlapping discs.
    const double r1 = radius(rng);
    const double r2 = radius(rng);
    const int jx = jitter(rng);
    const int jy = jitter(rng);
    const double c = contrast(rng);
    Speck speck;
    for (int y = cy - 4; y <= cy + 4; ++y) {
      for (int x = cx - 4; x <= cx + 4; ++x) {
        const double d1 = std::hypot(x - cx, y - cy);
        const double d2 = std::hypot(x - cx - jx, y - cy - jy);
        if (d1 <= r1 || d2 <= r2 * 0.8) speck.pixels.push_back(y * width + x);
      }
    }
    const float* luma = frame.planes.plane(0, 0);
    const double sign = luma[cy * width + cx] < 0.5 ? 1.0 : -1.0;
    for (int c2 = 0; c2 < frame.colour_planes(); ++c2) {
      float* p = frame.planes.plane(0, c2);
      for (int i : speck.pixels) p[i] = quantise(p[i] + sign * c);
    }
    specks.push_back(std::move(speck));
  }
  return specks;
}

TEST(DustRemoval, RemovesSpecksFromMovingContentAndLeavesTheRest) {
  for (const FrameColour colour : {FrameColour::grey, FrameColour::rgb, FrameColour::ycbcr}) {
    for (const auto& [width, height] : {std::pair{160, 120}, std::pair{161, 121}}) {
      SCOPED_TRACE(std::string(name_of(colour)) + " " + std::to_string(width) + "x" + std::to_string(height));
      Clip clip = make_clip(colour, width, height, true);
      const Frame clean = clip.current;
      const std::vector<Speck> specks = add_dust(clip.current, 16, 11);
      add_dust(clip.previous, 10, 12);  // other frames have their own dirt
      add_dust(clip.next, 10, 13);
      const r4k::DustReport report = r4k::remove_dust(clip.previous, clip.current, clip.next, r4k::DustSettings{});
      EXPECT_GT(report.repaired_pixels, 0u);
      EXPECT_EQ(report.scratch_columns, 0);

      std::vector<unsigned char> is_dust(static_cast<std::size_t>(width * height), 0);
      int removed = 0;
      for (const Speck& speck : specks) {
        double error = 0.0;
        for (int i : speck.pixels) {
          is_dust[static_cast<std::size_t>(i)] = 1;
          for (int c = 0; c < clean.colour_planes(); ++c) {
            error += std::abs(clip.current.planes.plane(0, c)[i] - clean.planes.plane(0, c)[i]);
          }
        }
        removed += error / static_cast<double>(speck.pixels.size() * static_cast<std::size_t>(clean.colour_planes())) < 0.02;
      }
      EXPECT_GE(removed * 10, static_cast<int>(specks.size()) * 9) << removed << " of " << specks.size();

      int changed = 0;
      int others = 0;
      for (int i = 0; i < width * height; ++i) {
        if (is_dust[static_cast<std::size_t>(i)]) continue;
        ++others;
        bool differs = false;
        for (int c = 0; c < clean.colour_planes(); ++c) {
          differs = differs || std::abs(clip.current.planes.plane(0, c)[i] - clean.planes.plane(0, c)[i]) > 2.0 / 255.0;
        }
        changed += differs;
      }
      EXPECT_LE(changed, others / 200) << changed << " of " << others << " clean pixels changed";
      if (colour == FrameColour::ycbcr) {
        EXPECT_LT(max_abs_difference(clip.current.chroma, clean.chroma), 3.0 / 255.0);
      }
    }
  }
}

TEST(DustRemoval, CleanFootageAndAlphaAreLeftAlone) {
  for (const bool moving : {false, true}) {
    Clip clip = make_clip(FrameColour::rgb, 160, 120, moving);
    clip.previous = make_frame(FrameColour::rgb, 160, 120, 0, moving, true);
    clip.current = make_frame(FrameColour::rgb, 160, 120, 1, moving, true);
    clip.next = make_frame(FrameColour::rgb, 160, 120, 2, moving, true);
    const Frame clean = clip.current;
    const r4k::DustReport report = r4k::remove_dust(clip.previous, clip.current, clip.next, r4k::DustSettings{});
    EXPECT_EQ(report.repaired_pixels, 0u) << "moving " << moving;
    EXPECT_EQ(max_abs_difference(clip.current.planes, clean.planes), 0.0);

    // Dust present: alpha still untouched.
    add_dust(clip.current, 8, 5);
    const Frame dusty = clip.current;
    r4k::remove_dust(clip.previous, clip.current, clip.next, r4k::DustSettings{});
    const float* a = clip.current.planes.plane(0, 3);
    const float* b = dusty.planes.plane(0, 3);
    EXPECT_TRUE(std::equal(a, a + 160 * 120, b));
  }
}

TEST(DustRemoval, ObjectMovingAgainstTheGrainIsNotTakenForDust) {
  // A small bright square that moves differently from the background (right
  // by 5 pixels a frame while the picture pans): present in every frame, so
  // not dust, whatever the motion search makes of it.
  Clip clip = make_clip(FrameColour::grey, 160, 120, true);
  Frame* frames[] = {&clip.previous, &clip.current, &clip.next};
  for (int t = 0; t < 3; ++t) {
    float* p = frames[t]->planes.plane(0, 0);
    for (int y = 60; y < 65; ++y) {
      for (int x = 60 + 5 * t; x < 65 + 5 * t; ++x) p[y * 160 + x] = 0.95f;
    }
  }
  const Frame before = clip.current;
  r4k::remove_dust(clip.previous, clip.current, clip.next, r4k::DustSettings{});
  const float* p = clip.current.planes.plane(0, 0);
  const float* q = before.planes.plane(0, 0);
  double error = 0.0;
  for (int y = 60; y < 65; ++y) {
    for (int x = 65; x < 70; ++x) error += std::abs(p[y * 160 + x] - q[y * 160 + x]);
  }
  EXPECT_LT(error / 25.0, 0.02);
}

// ---------------------------------------------------------------- scratches

void add_scratch(Frame& frame, int x0, int columns, double delta) {
  const int width = frame.width();
  for (int c = 0; c < frame.colour_planes(); ++c) {
    float* p = frame.planes.plane(0, c);
    for (int y = 4; y < frame.height() - 6; ++y) {
      for (int x = x0; x < x0 + columns; ++x) p[y * width + x] = quantise(p[y * width + x] + delta);
    }
  }
}

TEST(ScratchRepair, FindsAndRepairsVerticalScratches) {
  for (const FrameColour colour : {FrameColour::grey, FrameColour::rgb, FrameColour::ycbcr}) {
    SCOPED_TRACE(name_of(colour));
    Frame frame = make_frame(colour, 161, 121, 1, true);
    const Frame clean = frame;
    add_scratch(frame, 40, 1, 0.3);     // thin bright
    add_scratch(frame, 97, 2, -0.25);   // dark, two columns
    add_scratch(frame, 131, 1, -0.12);  // faint
    const double before = psnr(frame, clean);
    r4k::DustSettings settings;
    const int columns = r4k::repair_scratches(frame, settings);
    EXPECT_GE(columns, 4);
    EXPECT_LE(columns, 10);
    const double after = psnr(frame, clean);
    EXPECT_GE(after, before + 3.0) << before << " dB -> " << after << " dB";
    EXPECT_GE(after, 38.0);
    // Away from the scratches nothing changed.
    for (int c = 0; c < frame.colour_planes(); ++c) {
      const float* p = frame.planes.plane(0, c);
      const float* q = clean.planes.plane(0, c);
      for (int y = 0; y < 121; ++y) {
        for (const int x : {10, 60, 80, 115, 150}) ASSERT_EQ(p[y * 161 + x], q[y * 161 + x]);
      }
    }
  }
}

TEST(ScratchRepair, RemoveDustRepairsScratchesWhenAsked) {
  Clip clip = make_clip(FrameColour::grey, 160, 120, true);
  // A scratch that persists: in all three frames at the same column.
  for (Frame* f : {&clip.previous, &clip.current, &clip.next}) add_scratch(*f, 70, 2, 0.3);
  r4k::DustSettings settings;
  settings.scratches = true;
  const r4k::DustReport report = r4k::remove_dust(clip.previous, clip.current, clip.next, settings);
  EXPECT_GE(report.scratch_columns, 2);
  EXPECT_LE(report.scratch_columns, 4);
}

TEST(ScratchRepair, LeavesCleanPicturesAndBarPatternsAlone) {
  // The test picture, and vertical bars 12 pixels wide with texture and grain.
  Frame picture = make_frame(FrameColour::grey, 160, 120, 1, true);
  Frame bars = picture;
  float* p = bars.planes.plane(0, 0);
  for (int y = 0; y < 120; ++y) {
    for (int x = 0; x < 160; ++x) {
      p[y * 160 + x] = quantise(((x / 12) % 2 ? 0.7 : 0.3) + 0.1 * x / 160.0 + 0.02 * std::sin(0.9 * x) * std::sin(0.7 * y));
    }
  }
  Frame grainy_bars = bars;
  add_grain(grainy_bars, 0.03, 21);
  for (Frame* frame : {&picture, &bars, &grainy_bars}) {
    const Frame before = *frame;
    EXPECT_EQ(r4k::repair_scratches(*frame, r4k::DustSettings{}), 0);
    EXPECT_LE(mean_abs_difference(frame->planes, before.planes), 1.0 / 255.0);
  }
}

// ---------------------------------------------------------------- denoise

TEST(Denoise, EstimatesNoiseSigma) {
  for (const double sigma : {0.01, 0.03, 0.05}) {
    Frame frame = make_frame(FrameColour::grey, 160, 120, 0, false);
    add_grain(frame, sigma, 7);
    const double estimate = r4k::estimate_noise(frame.planes.plane(0, 0), 160, 120);
    EXPECT_NEAR(estimate, sigma, 0.2 * sigma) << "sigma " << sigma;
  }
  const Frame clean = make_frame(FrameColour::grey, 160, 120, 0, false);
  EXPECT_LT(r4k::estimate_noise(clean.planes.plane(0, 0), 160, 120), 0.004);
  EXPECT_EQ(r4k::estimate_noise(clean.planes.plane(0, 0), 2, 2), 0.0);
}

TEST(Denoise, RemovesGrainFromMovingContent) {
  for (const FrameColour colour : {FrameColour::grey, FrameColour::rgb, FrameColour::ycbcr}) {
    for (const auto& [width, height] : {std::pair{160, 120}, std::pair{161, 121}}) {
      SCOPED_TRACE(std::string(name_of(colour)) + " " + std::to_string(width) + "x" + std::to_string(height));
      Clip clip = make_clip(colour, width, height, true);
      const Frame clean = clip.current;
      add_grain(clip.previous, 0.03, 31);
      add_grain(clip.current, 0.03, 32);
      add_grain(clip.next, 0.03, 33);
      const double before = psnr(clip.current, clean);
      Frame both = clip.current;
      r4k::denoise_frame(&clip.previous, both, &clip.next, r4k::DenoiseSettings{});
      const double after = psnr(both, clean);
      EXPECT_GE(after, before + 2.0) << before << " dB -> " << after << " dB";
      if (colour == FrameColour::ycbcr) {
        EXPECT_LT(mean_abs_difference(both.chroma, clean.chroma), 0.5 / 255.0);  // chroma was clean
      }

      // First frame of a sequence: only the next neighbour.
      Frame first = clip.current;
      r4k::denoise_frame(nullptr, first, &clip.next, r4k::DenoiseSettings{});
      EXPECT_GE(psnr(first, clean), before + 2.0);
      // Spatial only.
      Frame alone = clip.current;
      r4k::DenoiseSettings spatial;
      spatial.temporal = false;
      r4k::denoise_frame(&clip.previous, alone, &clip.next, spatial);
      EXPECT_GE(psnr(alone, clean), before + 0.5);
      // Off.
      Frame off = clip.current;
      r4k::DenoiseSettings none;
      none.strength = 0.0;
      r4k::denoise_frame(&clip.previous, off, &clip.next, none);
      EXPECT_EQ(max_abs_difference(off.planes, clip.current.planes), 0.0);
    }
  }
}

// One motion search per frame pair: dust removal leaves the fields it
// searched with the frame, and denoise lines the neighbours up with them
// instead of searching again (with other search settings it searches).
TEST(Denoise, ReusesTheDustRemovalsMotionFields) {
  Clip clip = make_clip(FrameColour::ycbcr, 160, 120, true);
  add_grain(clip.previous, 0.03, 51);
  add_grain(clip.current, 0.03, 52);
  add_grain(clip.next, 0.03, 53);
  std::vector<float> a, b;
  const r4k::MotionField expected = r4k::estimate_motion(r4k::luma_of(clip.previous, a),
                                                         r4k::luma_of(clip.current, b), 160, 120);
  Frame dusted = clip.current;
  r4k::remove_dust(clip.previous, dusted, clip.next, r4k::DustSettings{});
  ASSERT_NE(dusted.motion, nullptr);
  EXPECT_EQ(dusted.motion->to_previous.dx, expected.dx);
  EXPECT_EQ(dusted.motion->to_previous.dy, expected.dy);
  bool moves = false;
  for (const int dx : expected.dx) moves = moves || dx != 0;
  ASSERT_TRUE(moves) << "the clip must move for the fields to matter";

  // Fields that say "nothing moved": a denoise that uses them differs from one that searches.
  Frame planted = dusted;
  auto still = std::make_shared<r4k::NeighbourMotion>(*dusted.motion);
  std::fill(still->to_previous.dx.begin(), still->to_previous.dx.end(), 0);
  std::fill(still->to_previous.dy.begin(), still->to_previous.dy.end(), 0);
  std::fill(still->to_next.dx.begin(), still->to_next.dx.end(), 0);
  std::fill(still->to_next.dy.begin(), still->to_next.dy.end(), 0);
  planted.motion = still;
  Frame searched = dusted;
  searched.motion.reset();
  r4k::denoise_frame(&clip.previous, planted, &clip.next, r4k::DenoiseSettings{});
  r4k::denoise_frame(&clip.previous, searched, &clip.next, r4k::DenoiseSettings{});
  EXPECT_GT(max_abs_difference(planted.planes, searched.planes), 0.01);
  // Searched with another block size: not reused.
  Frame other = dusted;
  other.motion = still;
  auto changed = std::make_shared<r4k::NeighbourMotion>(*still);
  changed->block = 16;
  other.motion = changed;
  r4k::denoise_frame(&clip.previous, other, &clip.next, r4k::DenoiseSettings{});
  EXPECT_EQ(max_abs_difference(other.planes, searched.planes), 0.0);
}

TEST(Denoise, KeepsMotionTheSearchCannotFollow) {
  // The next frame is a different picture (a cut): averaging it in would
  // ghost it into the current one.
  Clip clip = make_clip(FrameColour::grey, 160, 120, true);
  const Frame clean = clip.current;
  float* n = clip.next.planes.plane(0, 0);
  for (int i = 0; i < 160 * 120; ++i) n[i] = 1.0f - n[i];
  add_grain(clip.current, 0.03, 41);
  add_grain(clip.previous, 0.03, 42);
  const double before = psnr(clip.current, clean);
  r4k::denoise_frame(&clip.previous, clip.current, &clip.next, r4k::DenoiseSettings{});
  EXPECT_GE(psnr(clip.current, clean), before + 2.0);
}

TEST(Denoise, CleanInputIsEssentiallyUnchanged) {
  for (const FrameColour colour : {FrameColour::grey, FrameColour::rgb, FrameColour::ycbcr}) {
    for (const bool moving : {false, true}) {
      SCOPED_TRACE(std::string(name_of(colour)) + (moving ? " moving" : " still"));
      Clip clip = make_clip(colour, 161, 121, moving);
      clip.current = make_frame(colour, 161, 121, 1, moving, colour == FrameColour::rgb);
      const Frame clean = clip.current;
      r4k::denoise_frame(&clip.previous, clip.current, &clip.next, r4k::DenoiseSettings{});
      EXPECT_LE(mean_abs_difference(clip.current.planes, clean.planes), 1.0 / 255.0);
      if (colour == FrameColour::ycbcr) {
        EXPECT_LE(mean_abs_difference(clip.current.chroma, clean.chroma), 1.0 / 255.0);
      }
      if (colour == FrameColour::rgb) {
        const float* a = clip.current.planes.plane(0, 3);
        const float* b = clean.planes.plane(0, 3);
        EXPECT_TRUE(std::equal(a, a + 161 * 121, b));
      }
    }
  }
}

}  // namespace

namespace {

// A grey frame of a fixed textured picture at exposure `gain`.
r4k::Frame exposed(double gain, int picture = 0) {
  r4k::Frame frame;
  frame.colour = r4k::FrameColour::grey;
  frame.planes.resize({1, 1, 48, 64});
  float* p = frame.planes.plane(0, 0);
  for (int y = 0; y < 48; ++y) {
    for (int x = 0; x < 64; ++x) {
      const double v = picture == 0 ? 0.3 + 0.2 * std::sin(x * 0.3) * std::cos(y * 0.2) : 0.5 + 0.3 * ((x / 8 + y / 8) % 2);
      p[y * 64 + x] = static_cast<float>(v * gain);
    }
  }
  return frame;
}

TEST(DeflickerCorrection, FadeIsKeptFlickerRemovedCutsSeparateShots) {
  r4k::DeflickerSettings settings;
  settings.radius = 10;
  // A clean fade: every frame is on its trend, no correction.
  std::vector<r4k::LumaStats> fade;
  for (int t = 0; t < 21; ++t) fade.push_back(r4k::luma_stats(exposed(0.5 + 0.02 * t)));
  for (std::size_t i : {0u, 10u, 20u}) {
    EXPECT_NEAR(r4k::deflicker_correction(fade, i, settings).gain, 1.0, 1e-3) << i;
  }
  // A steady shot with one frame 10 % too bright: brought back (the mean of the window is nearly 1).
  std::vector<r4k::LumaStats> steady;
  for (int t = 0; t < 21; ++t) steady.push_back(r4k::luma_stats(exposed(t == 10 ? 1.1 : 1.0)));
  EXPECT_NEAR(r4k::deflicker_correction(steady, 10, settings).gain, 1.0 / 1.1, 0.01);
  // A cut to another picture 10 % darker overall: each side keeps its own level.
  std::vector<r4k::LumaStats> cut;
  for (int t = 0; t < 21; ++t) cut.push_back(r4k::luma_stats(t < 10 ? exposed(1.0, 0) : exposed(0.9, 1)));
  EXPECT_TRUE(r4k::is_cut(cut[9], cut[10], settings));
  EXPECT_FALSE(r4k::is_cut(steady[9], steady[10], settings));  // flicker is not a cut
  EXPECT_NEAR(r4k::deflicker_correction(cut, 9, settings).gain, 1.0, 1e-3);
  EXPECT_NEAR(r4k::deflicker_correction(cut, 10, settings).gain, 1.0, 1e-3);
}

// Drives a stage as the r4k temporal elements do, over frames [from, end)
// of `clip` (a stream whose decoding starts at `from`): its outputs in order.
std::vector<r4k::Frame> drive(r4k::TemporalStage& stage, const std::vector<r4k::Frame>& clip, std::size_t from) {
  std::deque<std::shared_ptr<const r4k::Frame>> window;
  std::vector<r4k::Frame> out;
  std::size_t first = from;  // clip number of window.front()
  std::size_t next = from;   // the next to process
  const auto process = [&] {
    r4k::Frame current = clip[next];
    stage.process(r4k::FrameWindow(window, next - first), current);
    out.push_back(std::move(current));
    ++next;
    while (next - first > static_cast<std::size_t>(stage.context())) {
      window.pop_front();
      ++first;
    }
  };
  for (std::size_t i = from; i < clip.size(); ++i) {
    stage.observe(clip[i]);
    window.push_back(std::make_shared<const r4k::Frame>(clip[i]));
    if (i >= next + static_cast<std::size_t>(stage.lookahead())) process();
  }
  while (next < clip.size()) process();
  return out;
}

// A film split over machines decodes each segment history() frames early:
// from there on every output equals the whole-stream run's bit for bit,
// although the deflicker chains exposure over the shot; a frame less and
// the first output differs.
TEST(TemporalStages, OutputDependsOnlyOnTheWindowNotOnWhereDecodingBegan) {
  std::mt19937 random(7);
  std::uniform_real_distribution<double> flicker(0.85, 1.15);
  std::vector<r4k::Frame> clip;
  for (int t = 0; t < 60; ++t) {
    r4k::Frame frame = exposed(flicker(random), t < 40 ? 0 : 1);  // a cut at 40
    add_grain(frame, 0.02, static_cast<std::uint32_t>(t));
    // A dark speck of dust in every frame, somewhere else each time.
    const int x = 8 + (t * 17) % 48;
    const int y = 8 + (t * 11) % 32;
    for (int dy = 0; dy < 3; ++dy) {
      for (int dx = 0; dx < 3; ++dx) frame.planes.plane(0, 0)[(y + dy) * 64 + x + dx] = 0.02f;
    }
    clip.push_back(std::move(frame));
  }
  r4k::DeflickerSettings deflicker;
  deflicker.radius = 5;
  const auto make = [&](int which) -> std::unique_ptr<r4k::TemporalStage> {
    if (which == 0) return std::make_unique<r4k::DeflickerStage>(deflicker);
    if (which == 1) return std::make_unique<r4k::DustStage>(r4k::DustSettings{}, true);
    return std::make_unique<r4k::DenoiseStage>(r4k::DenoiseSettings{});
  };
  for (int which = 0; which < 3; ++which) {
    SCOPED_TRACE(which);
    const auto whole = drive(*make(which), clip, 0);
    ASSERT_EQ(whole.size(), clip.size());
    const std::size_t history = static_cast<std::size_t>(make(which)->history());
    EXPECT_EQ(history, which == 0 ? 10u : 1u);
    for (std::size_t from : {std::size_t{7}, std::size_t{23}, std::size_t{36}, clip.size() - 1 - history}) {
      const auto part = drive(*make(which), clip, from);
      for (std::size_t i = from + history; i < clip.size(); ++i) {
        ASSERT_EQ(max_abs_difference(part[i - from].planes, whole[i].planes), 0.0) << "frame " << i << " from " << from;
      }
    }
    // The bound is tight: decoded one frame later, a frame is not the same
    // (the deflicker's last frame, whose future is cut short, needs its whole
    // history; dust and denoise need the previous frame everywhere).
    const std::size_t target = which == 0 ? clip.size() - 1 : 8;
    const std::size_t late_from = target + 1 - history;
    const auto late = drive(*make(which), clip, late_from);
    EXPECT_GT(max_abs_difference(late[target - late_from].planes, whole[target].planes), 0.0);
  }
}

}  // namespace
