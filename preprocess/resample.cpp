#include "preprocess/resample.hpp"

#include <opencv2/imgproc.hpp>

#include "core/error.hpp"

namespace r4k {

int filter_radius(ResampleFilter filter) {
  switch (filter) {
    case ResampleFilter::nearest:
      return 0;
    case ResampleFilter::bilinear:
      return 1;
    case ResampleFilter::bicubic:
      return 2;
    case ResampleFilter::lanczos:
    default:
      return 4;
  }
}

std::string to_string(ResampleFilter filter) {
  switch (filter) {
    case ResampleFilter::nearest:
      return "nearest";
    case ResampleFilter::bilinear:
      return "bilinear";
    case ResampleFilter::bicubic:
      return "bicubic";
    case ResampleFilter::lanczos:
    default:
      return "lanczos";
  }
}

ResampleFilter parse_resample_filter(const std::string& name) {
  for (auto filter :
       {ResampleFilter::nearest, ResampleFilter::bilinear, ResampleFilter::bicubic, ResampleFilter::lanczos}) {
    if (name == to_string(filter)) return filter;
  }
  throw InputError("unknown resampling filter '" + name + "': expected nearest, bilinear, bicubic or lanczos");
}

namespace {

int interpolation(ResampleFilter filter) {
  switch (filter) {
    case ResampleFilter::nearest:
      return cv::INTER_NEAREST;
    case ResampleFilter::bilinear:
      return cv::INTER_LINEAR;
    case ResampleFilter::bicubic:
      return cv::INTER_CUBIC;
    case ResampleFilter::lanczos:
    default:
      return cv::INTER_LANCZOS4;
  }
}

}  // namespace

void upscale_planes(const Tensor& input, int scale, ResampleFilter filter, Tensor& output) {
  const auto& in = input.shape();
  output.resize({in.n, in.c, in.h * scale, in.w * scale});
  const cv::Size size(in.w * scale, in.h * scale);
  for (int n = 0; n < in.n; ++n) {
    for (int c = 0; c < in.c; ++c) {
      cv::Mat dst = output.plane_mat(n, c);
      cv::resize(input.plane_mat(n, c), dst, size, 0, 0, interpolation(filter));
    }
  }
}

void resize_planes(const Tensor& input, int width, int height, ResampleFilter filter, Tensor& output) {
  const auto& in = input.shape();
  output.resize({in.n, in.c, height, width});
  const bool shrink = width <= in.w && height <= in.h && (width < in.w || height < in.h);
  const int method = shrink ? cv::INTER_AREA : interpolation(filter);
  for (int n = 0; n < in.n; ++n) {
    for (int c = 0; c < in.c; ++c) {
      cv::Mat dst = output.plane_mat(n, c);
      cv::resize(input.plane_mat(n, c), dst, cv::Size(width, height), 0, 0, method);
    }
  }
}

}  // namespace r4k
