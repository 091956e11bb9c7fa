#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "core/error.hpp"
#include "preprocess/pixel_convert.hpp"

namespace r4k {
namespace {

TEST(PixelConvert, EightBitRoundTripIsLossless) {
  cv::Mat image(7, 5, CV_8UC3);
  cv::randu(image, 0, 256);
  const Tensor planes = to_planar(image, {2, 1, 0});
  EXPECT_EQ(planes.shape(), (TensorShape{1, 3, 7, 5}));
  EXPECT_FLOAT_EQ(planes.plane(0, 0)[0], image.at<cv::Vec3b>(0, 0)[2] / 255.0f);
  const cv::Mat back = to_interleaved(planes, {2, 1, 0}, CV_8U);
  EXPECT_EQ(cv::norm(image, back, cv::NORM_INF), 0.0);
}

TEST(PixelConvert, SixteenBitRoundTripIsLossless) {
  cv::Mat image(4, 9, CV_16UC4);
  cv::randu(image, 0, 65536);
  const Tensor planes = to_planar(image, {0, 1, 2, 3});
  const cv::Mat back = to_interleaved(planes, {0, 1, 2, 3}, CV_16U);
  EXPECT_EQ(back.type(), CV_16UC4);
  EXPECT_EQ(cv::norm(image, back, cv::NORM_INF), 0.0);
}

TEST(PixelConvert, OutputIsRoundedAndClamped) {
  Tensor planes({1, 1, 1, 4});
  const float values[] = {-0.2f, 0.5f / 255.0f + 1e-4f, 1.0f / 255.0f * 0.49f, 1.7f};
  std::copy(std::begin(values), std::end(values), planes.data());
  const cv::Mat out = to_interleaved(planes, {0}, CV_8U);
  EXPECT_EQ(out.at<std::uint8_t>(0, 0), 0);
  EXPECT_EQ(out.at<std::uint8_t>(0, 1), 1);
  EXPECT_EQ(out.at<std::uint8_t>(0, 2), 0);
  EXPECT_EQ(out.at<std::uint8_t>(0, 3), 255);
}

TEST(PixelConvert, QuantiseMatchesStoringAtTheDepth) {
  float values[] = {0.1234f, 0.5f, 0.99999f};
  quantise(values, 3, 8);
  EXPECT_FLOAT_EQ(values[0], 31.0f / 255.0f);
  EXPECT_FLOAT_EQ(values[1], 128.0f / 255.0f);
  EXPECT_FLOAT_EQ(values[2], 1.0f);
  float ten[] = {0.5f};
  quantise(ten, 1, 10);
  EXPECT_FLOAT_EQ(ten[0], 512.0f / 1023.0f);
}

TEST(PixelConvert, RejectsMissingChannelsAndDepths) {
  cv::Mat grey(3, 3, CV_8UC1, cv::Scalar(1));
  EXPECT_THROW(to_planar(grey, {1}), InputError);
  cv::Mat signed_image(3, 3, CV_16SC1, cv::Scalar(1));
  EXPECT_THROW(to_planar(signed_image, {0}), InputError);
}

}  // namespace
}  // namespace r4k
