#include "preprocess/resample.hpp"

#include <algorithm>

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

namespace {

// Area averaging of rows: output row j covers input rows [j·r, (j+1)·r),
// r = in rows / out rows, each weighted by how much of it is covered.
void area_rows(const cv::Mat& input, cv::Mat& output) {
  const double ratio = static_cast<double>(input.rows) / output.rows;
  const int width = output.cols;
  for (int j = 0; j < output.rows; ++j) {
    const double start = j * ratio;
    const double end = std::min<double>(input.rows, (j + 1) * ratio);
    float* __restrict out = output.ptr<float>(j);
    std::fill(out, out + width, 0.0f);
    for (int i = static_cast<int>(start); i < input.rows && i < end; ++i) {
      const auto weight = static_cast<float>((std::min<double>(end, i + 1) - std::max<double>(start, i)) / ratio);
      const float* __restrict in = input.ptr<float>(i);
      for (int x = 0; x < width; ++x) out[x] += weight * in[x];
    }
  }
}

}  // namespace

void resize_plane(const cv::Mat& input, cv::Mat& output, ResampleFilter filter) {
  const bool shrink = output.cols <= input.cols && output.rows <= input.rows &&
                      (output.cols < input.cols || output.rows < input.rows);
  if (shrink && output.cols == input.cols) {
    area_rows(input, output);
    return;
  }
  cv::resize(input, output, output.size(), 0, 0, shrink ? cv::INTER_AREA : interpolation(filter));
}

void resize_planes(const Tensor& input, int width, int height, ResampleFilter filter, Tensor& output) {
  const auto& in = input.shape();
  output.resize({in.n, in.c, height, width});
  for (int n = 0; n < in.n; ++n) {
    for (int c = 0; c < in.c; ++c) {
      cv::Mat dst = output.plane_mat(n, c);
      resize_plane(input.plane_mat(n, c), dst, filter);
    }
  }
}

}  // namespace r4k
