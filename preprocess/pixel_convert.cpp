#include "preprocess/pixel_convert.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"

namespace r4k {

double max_code_value(int depth) {
  switch (depth) {
    case CV_8U:
      return 255.0;
    case CV_16U:
      return 65535.0;
    case CV_32F:
      return 1.0;
    default:
      throw InputError("unsupported pixel depth (OpenCV depth " + std::to_string(depth) +
                       "): expected 8-bit, 16-bit or 32-bit float");
  }
}

namespace {

template <typename T>
void gather_channel(const cv::Mat& image, int channel, float scale, float* out) {
  const int channels = image.channels();
  for (int y = 0; y < image.rows; ++y) {
    const T* row = image.ptr<T>(y);
    float* dst = out + static_cast<std::size_t>(y) * static_cast<std::size_t>(image.cols);
    for (int x = 0; x < image.cols; ++x) dst[x] = static_cast<float>(row[x * channels + channel]) * scale;
  }
}

template <typename T>
void scatter_channel(const float* src, int channel, double max_value, cv::Mat& image) {
  const int channels = image.channels();
  for (int y = 0; y < image.rows; ++y) {
    T* row = image.ptr<T>(y);
    const float* in = src + static_cast<std::size_t>(y) * static_cast<std::size_t>(image.cols);
    for (int x = 0; x < image.cols; ++x) {
      if constexpr (std::is_floating_point_v<T>) {
        row[x * channels + channel] = in[x];
      } else {
        const double v = std::nearbyint(std::clamp(static_cast<double>(in[x]), 0.0, 1.0) * max_value);
        row[x * channels + channel] = static_cast<T>(v);
      }
    }
  }
}

}  // namespace

Tensor to_planar(const cv::Mat& image, const std::vector<int>& channels) {
  const double max_value = max_code_value(image.depth());
  Tensor planes({1, static_cast<int>(channels.size()), image.rows, image.cols});
  const float scale = static_cast<float>(1.0 / max_value);
  for (std::size_t i = 0; i < channels.size(); ++i) {
    const int channel = channels[i];
    if (channel < 0 || channel >= image.channels()) {
      throw InputError("channel " + std::to_string(channel) + " does not exist in an image of " +
                       std::to_string(image.channels()) + " channels");
    }
    float* out = planes.plane(0, static_cast<int>(i));
    switch (image.depth()) {
      case CV_8U:
        gather_channel<std::uint8_t>(image, channel, scale, out);
        break;
      case CV_16U:
        gather_channel<std::uint16_t>(image, channel, scale, out);
        break;
      default:
        gather_channel<float>(image, channel, scale, out);
        break;
    }
  }
  return planes;
}

cv::Mat to_interleaved(const Tensor& planes, const std::vector<int>& channels, int depth) {
  const double max_value = max_code_value(depth);
  const auto& shape = planes.shape();
  cv::Mat image(shape.h, shape.w, CV_MAKETYPE(depth, static_cast<int>(channels.size())));
  for (std::size_t i = 0; i < channels.size(); ++i) {
    const float* src = planes.plane(0, channels[i]);
    switch (depth) {
      case CV_8U:
        scatter_channel<std::uint8_t>(src, static_cast<int>(i), max_value, image);
        break;
      case CV_16U:
        scatter_channel<std::uint16_t>(src, static_cast<int>(i), max_value, image);
        break;
      default:
        scatter_channel<float>(src, static_cast<int>(i), max_value, image);
        break;
    }
  }
  return image;
}

int bits_of_depth(int depth) {
  if (depth == CV_8U) return 8;
  if (depth == CV_16U) return 16;
  return 0;
}

void quantise(float* values, std::size_t count, int bits) {
  if (bits <= 0) return;
  const double max_value = static_cast<double>((1u << bits) - 1u);
  for (std::size_t i = 0; i < count; ++i) {
    const double code = std::nearbyint(std::clamp(static_cast<double>(values[i]), 0.0, 1.0) * max_value);
    values[i] = static_cast<float>(code / max_value);
  }
}

}  // namespace r4k
