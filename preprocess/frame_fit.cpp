#include "preprocess/frame_fit.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "preprocess/ycbcr.hpp"

namespace r4k {
namespace {

// The nearest multiple of `step` (at least one step).
int aligned(double value, int step) { return std::max(step, step * static_cast<int>(std::lround(value / step))); }

// Resizes `source` into a W x H plane at (x, y) with the rest filled: in
// place when the picture lies inside the plane (pad; only the bars are
// filled), through a scaled copy that is clipped when it overflows (crop).
void place_resized(const cv::Mat& source, int w, int h, float* target, int W, int H, int x, int y, float fill,
                   ResampleFilter filter) {
  cv::Mat plane(H, W, CV_32FC1, target);
  if (x >= 0 && y >= 0 && x + w <= W && y + h <= H) {
    const auto fill_rows = [&](int from, int to) {
      if (to > from) std::fill(plane.ptr<float>(from), plane.ptr<float>(from) + static_cast<std::size_t>(to - from) * W, fill);
    };
    fill_rows(0, y);
    fill_rows(y + h, H);
    for (int row = y; row < y + h; ++row) {
      float* line = plane.ptr<float>(row);
      std::fill(line, line + x, fill);
      std::fill(line + x + w, line + W, fill);
    }
    cv::Mat region = plane(cv::Rect(x, y, w, h));
    resize_plane(source, region, filter);
    return;
  }
  cv::Mat scaled(h, w, CV_32FC1);
  resize_plane(source, scaled, filter);
  plane.setTo(fill);
  const int x0 = std::max(0, x);
  const int y0 = std::max(0, y);
  const int x1 = std::min(W, x + w);
  const int y1 = std::min(H, y + h);
  if (x1 > x0 && y1 > y0) scaled(cv::Rect(x0 - x, y0 - y, x1 - x0, y1 - y0)).copyTo(plane(cv::Rect(x0, y0, x1 - x0, y1 - y0)));
}

}  // namespace

FitGeometry compute_fit(int width, int height, int par_n, int par_d, int out_width, int out_height, FitMode mode,
                        int align_x) {
  align_x = std::max(2, align_x);
  if (width < 1 || height < 1 || out_width < 2 || out_height < 2) {
    throw InputError("cannot fit " + std::to_string(width) + "x" + std::to_string(height) + " into " +
                     std::to_string(out_width) + "x" + std::to_string(out_height));
  }
  if (par_n < 1 || par_d < 1) {
    throw InputError("pixel aspect ratio " + std::to_string(par_n) + "/" + std::to_string(par_d) + " is not valid");
  }
  // The picture as displayed, in square pixels.
  const double display_width = static_cast<double>(width) * par_n / par_d;
  const double sx = out_width / display_width;
  const double sy = static_cast<double>(out_height) / height;
  const double s = mode == FitMode::pad ? std::min(sx, sy) : std::max(sx, sy);
  FitGeometry g;
  g.scaled_width = aligned(display_width * s, align_x);
  g.scaled_height = aligned(height * s, 2);
  if (mode == FitMode::pad) {
    g.scaled_width = std::min(g.scaled_width, out_width - out_width % align_x);
    g.scaled_height = std::min(g.scaled_height, out_height - out_height % 2);
  }
  g.offset_x = (out_width - g.scaled_width) / 2 / align_x * align_x;
  g.offset_y = (out_height - g.scaled_height) / 2 / 2 * 2;
  if (mode == FitMode::crop) {
    g.offset_x = -((g.scaled_width - out_width) / 2 / align_x * align_x);
    g.offset_y = -((g.scaled_height - out_height) / 2 / 2 * 2);
  }
  return g;
}

Frame fit_frame(const Frame& frame, const FitGeometry& g, int out_width, int out_height, std::uint32_t pad_rgb,
                ResampleFilter filter) {
  const float r = static_cast<float>((pad_rgb >> 16) & 0xff) / 255.0f;
  const float gr = static_cast<float>((pad_rgb >> 8) & 0xff) / 255.0f;
  const float b = static_cast<float>(pad_rgb & 0xff) / 255.0f;
  Frame out = empty_like(frame);

  // Fill values per plane, in the frame's colour model.
  std::vector<float> fill;
  float cb = 0.5f;
  float cr = 0.5f;
  if (frame.colour == FrameColour::rgb) {
    fill = {r, gr, b};
  } else if (frame.colour == FrameColour::grey) {
    fill = {0.299f * r + 0.587f * gr + 0.114f * b};
  } else {
    float y = 0.0f;
    rgb_to_ycbcr(&r, &gr, &b, &y, &cb, &cr, 1, frame.space);
    fill = {y};
  }
  if (frame.has_alpha) fill.push_back(1.0f);

  const int planes = frame.planes.shape().c;
  out.planes.resize_for_overwrite({1, planes, out_height, out_width});  // bars and picture written whole
  for (int c = 0; c < planes; ++c) {
    place_resized(frame.planes.plane_mat(0, c), g.scaled_width, g.scaled_height, out.planes.plane(0, c), out_width,
                  out_height, g.offset_x, g.offset_y, fill[static_cast<std::size_t>(c)], filter);
  }
  if (frame.colour == FrameColour::ycbcr) {
    const int sx = frame.chroma_shift_x;
    const int sy = frame.chroma_shift_y;
    const int cw = out_width >> sx;
    const int ch = out_height >> sy;
    out.chroma.resize_for_overwrite({1, 2, ch, cw});
    for (int c = 0; c < 2; ++c) {
      place_resized(frame.chroma.plane_mat(0, c), g.scaled_width >> sx, g.scaled_height >> sy, out.chroma.plane(0, c),
                    cw, ch, g.offset_x >> sx, g.offset_y >> sy, c == 0 ? cb : cr, filter);
    }
  }
  return out;
}

}  // namespace r4k
