// Colour conversion to BT.709/BT.2020: the primaries matrices against the
// published ones, round trips, and grey kept exactly grey.
#include <gtest/gtest.h>

#include "preprocess/colour_conversion.hpp"

namespace r4k {
namespace {

Frame rgb_pixel(float r, float g, float b) {
  Frame frame;
  frame.colour = FrameColour::rgb;
  frame.bits = 0;
  frame.planes.resize({1, 3, 1, 1});
  frame.planes.plane(0, 0)[0] = r;
  frame.planes.plane(0, 1)[0] = g;
  frame.planes.plane(0, 2)[0] = b;
  return frame;
}

// In linear light the conversion is the primaries matrix itself: SMPTE 170M
// to BT.709, derived from the two sets of chromaticities and D65 by the
// method of SMPTE RP 177 (to six places; columns = the source's red, green,
// blue).
TEST(ColourConversion, Smpte170mToBt709IsThePublishedMatrix) {
  Colourimetry from{YcbcrMatrix::bt601, YcbcrRange::full, ColourPrimaries::smpte170m, TransferFunction::linear};
  Colourimetry to{YcbcrMatrix::bt709, YcbcrRange::full, ColourPrimaries::bt709, TransferFunction::linear};
  const float expected[3][3] = {{0.939542f, 0.050181f, 0.010277f},
                                {0.017772f, 0.965793f, 0.016435f},
                                {-0.001622f, -0.004370f, 1.005991f}};
  for (int column = 0; column < 3; ++column) {
    SCOPED_TRACE(column);
    const Frame in = rgb_pixel(column == 0 ? 0.5f : 0.0f, column == 1 ? 0.5f : 0.0f, column == 2 ? 0.5f : 0.0f);
    const Frame out = convert_colour(in, from, to);
    for (int row = 0; row < 3; ++row) {
      EXPECT_NEAR(out.planes.plane(0, row)[0], 0.5f * expected[row][column], 2e-4f) << row;
    }
  }
}

TEST(ColourConversion, TheSameColourimetryIsTheIdentityAndRoundTripsReturn) {
  Colourimetry bt601{YcbcrMatrix::bt601, YcbcrRange::limited, ColourPrimaries::bt470bg, TransferFunction::bt709};
  Colourimetry bt709{YcbcrMatrix::bt709, YcbcrRange::limited, ColourPrimaries::bt709, TransferFunction::bt709};
  Frame frame;
  frame.colour = FrameColour::ycbcr;
  frame.bits = 10;
  frame.space = {YcbcrMatrix::bt601, YcbcrRange::limited, 10};
  frame.planes.resize({1, 1, 4, 4});
  frame.chroma.resize({1, 2, 4, 4});
  for (int i = 0; i < 16; ++i) {
    frame.planes.data()[i] = static_cast<float>(100 + 40 * i) / 1023.0f;
    frame.chroma.plane(0, 0)[i] = static_cast<float>(400 + 15 * i) / 1023.0f;
    frame.chroma.plane(0, 1)[i] = static_cast<float>(620 - 12 * i) / 1023.0f;
  }
  const Frame same = convert_colour(frame, bt601, bt601);
  for (int i = 0; i < 16; ++i) EXPECT_NEAR(same.planes.data()[i], frame.planes.data()[i], 1e-6f);
  const Frame there = convert_colour(frame, bt601, bt709);
  const Frame back = convert_colour(there, bt709, bt601);
  for (int i = 0; i < 16; ++i) {
    EXPECT_NEAR(back.planes.data()[i], frame.planes.data()[i], 2e-4f) << i;
    EXPECT_NEAR(back.chroma.plane(0, 0)[i], frame.chroma.plane(0, 0)[i], 2e-4f) << i;
    EXPECT_NEAR(back.chroma.plane(0, 1)[i], frame.chroma.plane(0, 1)[i], 2e-4f) << i;
  }
  // And the conversion did change the colours (BT.601 to BT.709 moves chroma).
  EXPECT_GT(std::abs(there.chroma.plane(0, 0)[5] - frame.chroma.plane(0, 0)[5]), 1e-3f);
}

TEST(ColourConversion, GreyStaysExactlyGrey) {
  Colourimetry from{YcbcrMatrix::bt601, YcbcrRange::limited, ColourPrimaries::smpte170m, TransferFunction::bt709};
  Colourimetry to{YcbcrMatrix::bt2020, YcbcrRange::limited, ColourPrimaries::bt2020, TransferFunction::bt709};
  Frame frame;
  frame.colour = FrameColour::ycbcr;
  frame.bits = 8;
  frame.space = {YcbcrMatrix::bt601, YcbcrRange::limited, 8};
  frame.chroma_shift_x = 1;
  frame.chroma_shift_y = 1;
  frame.planes.resize({1, 1, 4, 8});
  frame.chroma.resize({1, 2, 2, 4});
  for (int i = 0; i < 32; ++i) frame.planes.data()[i] = static_cast<float>(16 + 7 * i) / 255.0f;
  const float zero = neutral_chroma(frame.space);
  for (int i = 0; i < 16; ++i) frame.chroma.data()[i] = zero;
  const Frame out = convert_colour(frame, from, to);
  for (int i = 0; i < 16; ++i) ASSERT_EQ(out.chroma.data()[i], zero);
  // Limited to limited: the same luma codes.
  for (int i = 0; i < 32; ++i) EXPECT_NEAR(out.planes.data()[i], frame.planes.data()[i], 1e-6f);
  // R'G'B' grey too.
  const Frame grey = convert_colour(rgb_pixel(0.3f, 0.3f, 0.3f), from, to);
  EXPECT_EQ(grey.planes.plane(0, 0)[0], 0.3f);
  EXPECT_EQ(grey.planes.plane(0, 1)[0], 0.3f);
  EXPECT_EQ(grey.planes.plane(0, 2)[0], 0.3f);
}

}  // namespace
}  // namespace r4k
