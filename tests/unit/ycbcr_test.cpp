#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "preprocess/pixel_convert.hpp"
#include "preprocess/ycbcr.hpp"

namespace r4k {
namespace {

struct Ycc {
  float y, cb, cr;
};

Ycc convert(float r, float g, float b, const YcbcrSpace& space) {
  Ycc out{};
  rgb_to_ycbcr(&r, &g, &b, &out.y, &out.cb, &out.cr, 1, space);
  return out;
}

TEST(Ycbcr, LimitedRangeEightBitReferenceCodes) {
  // Reference codes from the standard equations: Y' = 16 + 219 E'y,
  // C = 128 + 224 E'c (ITU-R BT.601/709/2020, 8-bit).
  for (auto matrix : {YcbcrMatrix::bt601, YcbcrMatrix::bt709, YcbcrMatrix::bt2020}) {
    const YcbcrSpace space{matrix, YcbcrRange::limited, 8};
    const Ycc white = convert(1, 1, 1, space);
    EXPECT_NEAR(white.y * 255.0f, 235.0f, 1e-3f) << to_string(matrix);
    EXPECT_NEAR(white.cb * 255.0f, 128.0f, 1e-3f);
    EXPECT_NEAR(white.cr * 255.0f, 128.0f, 1e-3f);
    const Ycc black = convert(0, 0, 0, space);
    EXPECT_NEAR(black.y * 255.0f, 16.0f, 1e-3f);
  }
  // BT.709 red: E'y = 0.2126, E'cr = 0.5 -> Y' 62.56, Cr 240; E'cb = -0.2126 / 1.8556.
  const Ycc red709 = convert(1, 0, 0, {YcbcrMatrix::bt709, YcbcrRange::limited, 8});
  EXPECT_NEAR(red709.y * 255.0f, 16.0f + 219.0f * 0.2126f, 1e-3f);
  EXPECT_NEAR(red709.cr * 255.0f, 240.0f, 1e-3f);
  EXPECT_NEAR(red709.cb * 255.0f, 128.0f - 224.0f * 0.2126f / 1.8556f, 1e-3f);
  // BT.2020 blue: E'y = 0.0593, E'cb = 0.5.
  const Ycc blue2020 = convert(0, 0, 1, {YcbcrMatrix::bt2020, YcbcrRange::limited, 8});
  EXPECT_NEAR(blue2020.y * 255.0f, 16.0f + 219.0f * 0.0593f, 1e-3f);
  EXPECT_NEAR(blue2020.cb * 255.0f, 240.0f, 1e-3f);
}

TEST(Ycbcr, TenBitLimitedRangeUsesScaledCodes) {
  const YcbcrSpace space{YcbcrMatrix::bt709, YcbcrRange::limited, 10};
  const Ycc white = convert(1, 1, 1, space);
  EXPECT_NEAR(white.y * 1023.0f, 940.0f, 1e-2f);
  EXPECT_NEAR(white.cb * 1023.0f, 512.0f, 1e-2f);
  EXPECT_NEAR(convert(0, 0, 0, space).y * 1023.0f, 64.0f, 1e-2f);
}

TEST(Ycbcr, RoundTripIsIdentityForEveryMatrixAndRange) {
  std::vector<float> r, g, b;
  for (int i = 0; i < 1000; ++i) {
    r.push_back(static_cast<float>(i % 10) / 9.0f);
    g.push_back(static_cast<float>((i / 10) % 10) / 9.0f);
    b.push_back(static_cast<float>(i / 100) / 9.0f);
  }
  for (auto matrix : {YcbcrMatrix::bt601, YcbcrMatrix::bt709, YcbcrMatrix::bt2020}) {
    for (auto range : {YcbcrRange::full, YcbcrRange::limited}) {
      for (int depth : {0, 8, 10, 16}) {
        const YcbcrSpace space{matrix, range, depth};
        std::vector<float> y(r.size()), cb(r.size()), cr(r.size()), r2(r.size()), g2(r.size()), b2(r.size());
        rgb_to_ycbcr(r.data(), g.data(), b.data(), y.data(), cb.data(), cr.data(), r.size(), space);
        ycbcr_to_rgb(y.data(), cb.data(), cr.data(), r2.data(), g2.data(), b2.data(), r.size(), space);
        for (std::size_t i = 0; i < r.size(); ++i) {
          ASSERT_NEAR(r2[i], r[i], 1e-5f);
          ASSERT_NEAR(g2[i], g[i], 1e-5f);
          ASSERT_NEAR(b2[i], b[i], 1e-5f);
        }
      }
    }
  }
}

TEST(Ycbcr, FullRangeBt601AgreesWithOpenCvYCrCb) {
  // OpenCV's YCrCb is full-range BT.601 with chroma zero at code 128: the one
  // case where it is a valid reference.
  cv::Mat bgr(16, 16, CV_8UC3);
  cv::randu(bgr, 0, 256);
  cv::Mat reference;
  cv::cvtColor(bgr, reference, cv::COLOR_BGR2YCrCb);
  const Tensor rgb = to_planar(bgr, {2, 1, 0});
  Tensor ycc({1, 3, 16, 16});
  rgb_to_ycbcr(rgb.plane(0, 0), rgb.plane(0, 1), rgb.plane(0, 2), ycc.plane(0, 0), ycc.plane(0, 1), ycc.plane(0, 2),
               256, {YcbcrMatrix::bt601, YcbcrRange::full, 8});
  const cv::Mat ours = to_interleaved(ycc, {0, 2, 1}, CV_8U);  // Y, Cr, Cb like OpenCV
  EXPECT_LE(cv::norm(ours, reference, cv::NORM_INF), 1.0);
}

}  // namespace
}  // namespace r4k
