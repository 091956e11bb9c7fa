// Fitting pictures into fixed frames: geometry for the common film cases and
// the pad colour in each colour model.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "preprocess/frame_fit.hpp"

namespace {

using r4k::FitMode;

TEST(FitGeometry, CommonArchiveCases) {
  // PAL 4:3 (PAR 16/15) into UHD: pillarbox.
  auto g = r4k::compute_fit(720, 576, 16, 15, 3840, 2160, FitMode::pad);
  EXPECT_EQ(g.scaled_width, 2880);
  EXPECT_EQ(g.scaled_height, 2160);
  EXPECT_EQ(g.offset_x, 480);
  EXPECT_EQ(g.offset_y, 0);
  // Anamorphic PAL 16:9 (PAR 64/45): the whole frame.
  g = r4k::compute_fit(720, 576, 64, 45, 3840, 2160, FitMode::pad);
  EXPECT_EQ(g.scaled_width, 3840);
  EXPECT_EQ(g.scaled_height, 2160);
  EXPECT_EQ(g.offset_x, 0);
  // Scope 2.39:1 into DCI 4K: letterbox, centred, even.
  g = r4k::compute_fit(2048, 858, 1, 1, 4096, 2160, FitMode::pad);
  EXPECT_EQ(g.scaled_width, 4096);
  EXPECT_EQ(g.scaled_height, 1716);
  EXPECT_EQ(g.offset_y, 222);
  // Crop: 4:3 filling UHD, top and bottom cut.
  g = r4k::compute_fit(720, 576, 16, 15, 3840, 2160, FitMode::crop);
  EXPECT_EQ(g.scaled_width, 3840);
  EXPECT_EQ(g.scaled_height, 2880);
  EXPECT_EQ(g.offset_y, -360);
  EXPECT_THROW(r4k::compute_fit(0, 576, 1, 1, 3840, 2160, FitMode::pad), r4k::InputError);
  EXPECT_THROW(r4k::compute_fit(720, 576, 0, 1, 3840, 2160, FitMode::pad), r4k::InputError);
}

TEST(FitFrame, PadColourInEachColourModelAndPictureInTheMiddle) {
  r4k::Frame frame;
  frame.colour = r4k::FrameColour::ycbcr;
  frame.space = r4k::YcbcrSpace{r4k::YcbcrMatrix::bt709, r4k::YcbcrRange::limited, 8};
  frame.chroma_shift_x = 1;
  frame.chroma_shift_y = 1;
  frame.planes.resize({1, 1, 40, 40});
  frame.planes.fill(0.7f);
  frame.chroma.resize({1, 2, 20, 20});
  frame.chroma.fill(0.5f);
  const auto g = r4k::compute_fit(40, 40, 1, 1, 80, 40, FitMode::pad);
  const r4k::Frame out = r4k::fit_frame(frame, g, 80, 40, 0xffffff, r4k::ResampleFilter::lanczos);
  ASSERT_EQ(out.planes.shape(), (r4k::TensorShape{1, 1, 40, 80}));
  ASSERT_EQ(out.chroma.shape(), (r4k::TensorShape{1, 2, 20, 40}));
  // White bars: limited-range Y' of white is 235/255; chroma neutral.
  EXPECT_NEAR(out.planes.plane(0, 0)[0], 235.0f / 255.0f, 1e-3);
  EXPECT_NEAR(out.planes.plane(0, 0)[79], 235.0f / 255.0f, 1e-3);
  EXPECT_NEAR(out.chroma.plane(0, 0)[0], 0.5f, 2e-3);
  // The picture in the middle, unchanged in level.
  EXPECT_NEAR(out.planes.plane(0, 0)[20 * 80 + 40], 0.7f, 1e-4);
  EXPECT_NEAR(out.planes.plane(0, 0)[20 * 80 + 20], 0.7f, 1e-4);

  r4k::Frame rgb;
  rgb.colour = r4k::FrameColour::rgb;
  rgb.planes.resize({1, 3, 10, 10});
  rgb.planes.fill(0.25f);
  const auto out_rgb =
      r4k::fit_frame(rgb, r4k::compute_fit(10, 10, 1, 1, 10, 20, FitMode::pad), 10, 20, 0xff8000,
                     r4k::ResampleFilter::bicubic);
  EXPECT_FLOAT_EQ(out_rgb.planes.plane(0, 0)[0], 1.0f);
  EXPECT_NEAR(out_rgb.planes.plane(0, 1)[0], 128.0f / 255.0f, 1e-6);
  EXPECT_FLOAT_EQ(out_rgb.planes.plane(0, 2)[0], 0.0f);
  EXPECT_NEAR(out_rgb.planes.plane(0, 0)[10 * 10 + 5], 0.25f, 1e-4);
}

}  // namespace
