// Colour conversion to BT.709/BT.2020: the primaries matrices against the
// published ones, round trips, and grey kept exactly grey.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "preprocess/colour_conversion.hpp"
#include "preprocess/transfer_curve.hpp"

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


// The vectorised curves against the published formulas in double precision:
// BT.709's both ways (film-4k's conversion) on [-0.2, 1.2], every sample of
// the 4- and 8-lane kernels and the scalar tail.
TEST(TransferCurve, Bt709CurvesMatchTheFormulasToAMillionth) {
  const TransferCurve decode{.threshold = 0.081f, .slope = 1.0f / 4.5f, .beta = 1.0f / 1.099f,
                             .gamma = 0.099f / 1.099f, .power = 1.0f / 0.45f};
  const TransferCurve encode{.threshold = 0.018f, .slope = 4.5f, .alpha = 1.099f, .power = 0.45f, .delta = -0.099f};
  const auto formula_decode = [](double v) {
    const double a = std::fabs(v);
    return std::copysign(a < 0.081 ? a / 4.5 : std::pow((a + 0.099) / 1.099, 1.0 / 0.45), v);
  };
  const auto formula_encode = [](double v) {
    const double a = std::fabs(v);
    return std::copysign(a < 0.018 ? 4.5 * a : 1.099 * std::pow(a, 0.45) - 0.099, v);
  };
  // Identity primaries: the planes decode and encode, so each sample goes through both kernels.
  const PrimariesMatrix identity{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
  const TransferCurve none{.identity = true};
  const std::size_t count = 14003;  // not a multiple of 8: the tail too
  std::vector<float> r(count), g(count), b(count);
  for (std::size_t i = 0; i < count; ++i) r[i] = g[i] = b[i] = -0.2f + 1.4f * static_cast<float>(i) / (count - 1);
  const std::vector<float> input = r;
  convert_primaries(r.data(), g.data(), b.data(), count, decode, identity, none);
  double decode_error = 0, encode_error = 0;
  for (std::size_t i = 0; i < count; ++i) {
    decode_error = std::max(decode_error, std::fabs(r[i] - formula_decode(input[i])));
  }
  r = g = b = input;
  convert_primaries(r.data(), g.data(), b.data(), count, none, identity, encode);
  for (std::size_t i = 0; i < count; ++i) {
    encode_error = std::max(encode_error, std::fabs(b[i] - formula_encode(input[i])));
  }
  EXPECT_LT(decode_error, 1e-6);
  EXPECT_LT(encode_error, 1e-6);
  EXPECT_NEAR(decode(0.5f), formula_decode(0.5), 1e-6);
}

}  // namespace
}  // namespace r4k
