#include "infer/frame_upscaler.hpp"

#include <algorithm>
#include <cstring>

#include <opencv2/imgproc.hpp>

#include "core/error.hpp"
#include "preprocess/pixel_convert.hpp"
#include "preprocess/ycbcr.hpp"

namespace r4k::infer {
namespace {

Tensor select_planes(const Tensor& planes, const std::vector<int>& indices) {
  const auto& shape = planes.shape();
  Tensor out({1, static_cast<int>(indices.size()), shape.h, shape.w});
  for (std::size_t i = 0; i < indices.size(); ++i) {
    std::memcpy(out.plane(0, static_cast<int>(i)), planes.plane(0, indices[i]), shape.plane_size() * sizeof(float));
  }
  return out;
}

void copy_plane(const Tensor& from, int from_plane, Tensor& to, int to_plane) {
  std::memcpy(to.plane(0, to_plane), from.plane(0, from_plane), from.shape().plane_size() * sizeof(float));
}

// R' = G' = B' at every pixel.
bool rgb_is_grey(const Tensor& planes) {
  const std::size_t n = planes.shape().plane_size();
  const float* r = planes.plane(0, 0);
  const float* g = planes.plane(0, 1);
  const float* b = planes.plane(0, 2);
  for (std::size_t i = 0; i < n; ++i) {
    if (r[i] != g[i] || g[i] != b[i]) return false;
  }
  return true;
}

std::string describe(const Frame& frame) {
  std::string text = frame.colour == FrameColour::grey ? "grey" : frame.colour == FrameColour::rgb ? "RGB" : "Y'CbCr";
  if (frame.has_alpha) text += " with alpha";
  return text;
}

}  // namespace

FrameUpscaler::FrameUpscaler(Engine& engine, UpscaleOptions options) : engine_(engine), options_(std::move(options)) {}

TilingChoice FrameUpscaler::tiling_for(int width, int height) const {
  if (width != cached_width_ || height != cached_height_) {
    cached_tiling_ = choose_tiling(engine_, width, height, options_.tile_size, options_.halo);
    cached_width_ = width;
    cached_height_ = height;
  }
  return cached_tiling_;
}

Tensor FrameUpscaler::run_model(const Tensor& planes) {
  const ModelInfo& info = engine_.info();
  const auto& shape = planes.shape();
  const TilingChoice tiling = tiling_for(shape.w, shape.h);
  const float span = info.range_max - info.range_min;
  if (info.range_min == 0.0f && span == 1.0f) return run_tiled(engine_, planes, tiling, options_.run);
  Tensor scaled = planes;
  for (std::size_t i = 0; i < shape.elements(); ++i) scaled.data()[i] = info.range_min + span * scaled.data()[i];
  Tensor out = run_tiled(engine_, scaled, tiling, options_.run);
  for (std::size_t i = 0; i < out.shape().elements(); ++i) out.data()[i] = (out.data()[i] - info.range_min) / span;
  return out;
}

Tensor FrameUpscaler::upscale_bands(const Tensor& bands) {
  const ModelInfo& info = engine_.info();
  const int count = bands.shape().c;
  if (info.colour == ModelColour::any && info.in_channels == 0) return run_model(bands);
  if (info.in_channels != count) {
    throw InputError("model '" + info.name + "' takes " + std::to_string(info.in_channels) + " channel(s) (" +
                     to_string(info.colour) + ") but the raster gives " + std::to_string(count) +
                     " band(s): choose " + std::to_string(info.in_channels) + " band(s) or another model");
  }
  if (info.colour != ModelColour::bgr) return run_model(bands);
  Tensor out = run_model(select_planes(bands, {2, 1, 0}));
  return select_planes(out, {2, 1, 0});
}

Frame FrameUpscaler::upscale(const Frame& frame) {
  const ModelInfo& info = engine_.info();
  const auto& shape = frame.planes.shape();
  const int colour_planes = frame.colour_planes();
  if (shape.c != colour_planes + (frame.has_alpha ? 1 : 0)) {
    throw Error("frame has " + std::to_string(shape.c) + " planes, expected " + describe(frame));
  }
  const int scale = info.scale;
  Frame out = empty_like(frame);

  if (frame.colour == FrameColour::ycbcr) return upscale_ycbcr(frame, std::move(out));
  if (frame.colour == FrameColour::rgb && (options_.monochrome || rgb_is_grey(frame.planes))) {
    // Upscaled as grey, written back to all three planes.
    Frame grey = frame;
    grey.colour = FrameColour::grey;
    std::vector<int> planes{0};
    if (frame.has_alpha) planes.push_back(3);
    grey.planes = select_planes(frame.planes, planes);
    if (options_.monochrome) {
      std::vector<float> storage;
      const float* luma = luma_of(frame, storage);
      std::copy(luma, luma + shape.plane_size(), grey.planes.plane(0, 0));
    }
    const Frame upscaled = upscale(grey);
    std::vector<int> order{0, 0, 0};
    if (frame.has_alpha) order.push_back(1);
    out.planes = select_planes(upscaled.planes, order);
    return out;
  }
  if (info.colour == ModelColour::any && info.in_channels == 0) {
    // Classical filters: every plane alike, alpha included.
    out.planes = run_model(frame.planes);
    return out;
  }

  std::vector<int> colour_indices;
  for (int c = 0; c < colour_planes; ++c) colour_indices.push_back(c);
  Tensor result({1, shape.c, shape.h * scale, shape.w * scale});

  switch (info.colour) {
    case ModelColour::y: {
      if (frame.colour == FrameColour::grey) {
        Tensor y = run_model(select_planes(frame.planes, {0}));
        quantise(y.data(), y.shape().elements(), frame.bits);
        copy_plane(y, 0, result, 0);
        break;
      }
      const YcbcrSpace space{YcbcrMatrix::bt601, YcbcrRange::full, frame.bits};
      Tensor ycbcr({1, 3, shape.h, shape.w});
      rgb_to_ycbcr(frame.planes.plane(0, 0), frame.planes.plane(0, 1), frame.planes.plane(0, 2), ycbcr.plane(0, 0),
                   ycbcr.plane(0, 1), ycbcr.plane(0, 2), shape.plane_size(), space);
      quantise(ycbcr.data(), ycbcr.shape().elements(), frame.bits);
      Tensor y = run_model(select_planes(ycbcr, {0}));
      Tensor chroma;
      upscale_planes(select_planes(ycbcr, {1, 2}), scale, options_.chroma_filter, chroma);
      quantise(y.data(), y.shape().elements(), frame.bits);
      quantise(chroma.data(), chroma.shape().elements(), frame.bits);
      ycbcr_to_rgb(y.plane(0, 0), chroma.plane(0, 0), chroma.plane(0, 1), result.plane(0, 0), result.plane(0, 1),
                   result.plane(0, 2), result.shape().plane_size(), space);
      break;
    }
    case ModelColour::rgb:
    case ModelColour::bgr: {
      const bool bgr = info.colour == ModelColour::bgr;
      const std::vector<int> order = frame.colour == FrameColour::grey ? std::vector<int>{0, 0, 0}
                                     : bgr                            ? std::vector<int>{2, 1, 0}
                                                                      : std::vector<int>{0, 1, 2};
      Tensor rgb = run_model(select_planes(frame.planes, order));
      if (!bgr && frame.colour == FrameColour::rgb && !frame.has_alpha) {
        out.planes = std::move(rgb);  // already the result: no copy of the large planes
        return out;
      }
      if (frame.colour == FrameColour::grey) {
        // A grey image stays grey: keep the luma of what the model made.
        const float* p0 = rgb.plane(0, 0);
        const float* p1 = rgb.plane(0, 1);
        const float* p2 = rgb.plane(0, 2);
        const float* r = bgr ? p2 : p0;
        const float* b = bgr ? p0 : p2;
        float* grey = result.plane(0, 0);
        for (std::size_t i = 0; i < result.shape().plane_size(); ++i) {
          grey[i] = 0.299f * r[i] + 0.587f * p1[i] + 0.114f * b[i];
        }
      } else {
        for (int c = 0; c < 3; ++c) copy_plane(rgb, bgr ? 2 - c : c, result, c);
      }
      break;
    }
    case ModelColour::any:
    default: {
      if (info.in_channels != colour_planes) {
        throw InputError("model '" + info.name + "' takes " + std::to_string(info.in_channels) +
                         " input channels; the image is " + describe(frame) + " (" + std::to_string(colour_planes) +
                         " colour channels)");
      }
      Tensor planes = run_model(select_planes(frame.planes, colour_indices));
      if (planes.shape().c != colour_planes) {
        throw InputError("model '" + info.name + "' gives " + std::to_string(planes.shape().c) +
                         " channels for " + std::to_string(colour_planes) + " input channels");
      }
      for (int c = 0; c < colour_planes; ++c) copy_plane(planes, c, result, c);
      break;
    }
  }

  if (frame.has_alpha) {
    Tensor alpha;
    upscale_planes(select_planes(frame.planes, {colour_planes}), scale, options_.alpha_filter, alpha);
    for (std::size_t i = 0; i < alpha.shape().elements(); ++i) alpha.data()[i] = std::clamp(alpha.data()[i], 0.0f, 1.0f);
    copy_plane(alpha, 0, result, colour_planes);
  }
  out.planes = std::move(result);
  return out;
}

}  // namespace r4k::infer

namespace r4k::infer {

Frame FrameUpscaler::upscale_ycbcr(const Frame& frame, Frame out) {
  const ModelInfo& info = engine_.info();
  const int scale = info.scale;
  const auto& shape = frame.planes.shape();
  if (shape.c != (frame.has_alpha ? 2 : 1)) throw Error("Y'CbCr frames carry one luma plane and an optional alpha");
  const bool classic = info.colour == ModelColour::any && info.in_channels == 0;
  if (frame.has_alpha) {
    // The picture without its alpha, then the alpha with the alpha filter.
    Frame opaque = frame;
    opaque.has_alpha = false;
    opaque.planes = select_planes(frame.planes, {0});
    Frame result = upscale_ycbcr(opaque, out);
    Tensor alpha;
    upscale_planes(select_planes(frame.planes, {1}), scale,
                   classic ? *info.classic_filter : options_.alpha_filter, alpha);
    for (std::size_t i = 0; i < alpha.shape().elements(); ++i) alpha.data()[i] = std::clamp(alpha.data()[i], 0.0f, 1.0f);
    Tensor planes({1, 2, alpha.shape().h, alpha.shape().w});
    copy_plane(result.planes, 0, planes, 0);
    copy_plane(alpha, 0, planes, 1);
    result.planes = std::move(planes);
    result.has_alpha = true;
    return result;
  }
  if (options_.monochrome || chroma_is_neutral(frame.chroma.data(), frame.chroma.shape().elements(), frame.space)) {
    return upscale_grey_ycbcr(frame, std::move(out));
  }
  if (classic || info.colour == ModelColour::y) {
    out.planes = run_model(frame.planes);
    const ResampleFilter chroma_filter = classic ? *info.classic_filter : options_.chroma_filter;
    upscale_planes(frame.chroma, scale, chroma_filter, out.chroma);
    return out;
  }
  if (info.colour != ModelColour::rgb && info.colour != ModelColour::bgr) {
    throw InputError("model '" + info.name + "' takes " + std::to_string(info.in_channels) +
                     " input channels; a Y'CbCr frame gives 1 (luma) or 3 (RGB)");
  }
  // Y'CbCr -> R'G'B' with the frame's own matrix and range.
  Tensor full_chroma({1, 2, shape.h, shape.w});
  for (int c = 0; c < 2; ++c) {
    cv::Mat dst = full_chroma.plane_mat(0, c);
    cv::resize(frame.chroma.plane_mat(0, c), dst, dst.size(), 0, 0, cv::INTER_LINEAR);
  }
  Frame rgb_frame;
  rgb_frame.colour = FrameColour::rgb;
  rgb_frame.bits = 0;  // the intermediate RGB is never stored
  rgb_frame.planes.resize({1, 3, shape.h, shape.w});
  ycbcr_to_rgb(frame.planes.plane(0, 0), full_chroma.plane(0, 0), full_chroma.plane(0, 1), rgb_frame.planes.plane(0, 0),
               rgb_frame.planes.plane(0, 1), rgb_frame.planes.plane(0, 2), shape.plane_size(), frame.space);
  Frame upscaled = upscale(rgb_frame);
  const auto& big = upscaled.planes.shape();
  // R'G'B' -> Y'CbCr in place (each pixel's three values are read before any
  // is written).
  Tensor& ycbcr = upscaled.planes;
  rgb_to_ycbcr(ycbcr.plane(0, 0), ycbcr.plane(0, 1), ycbcr.plane(0, 2), ycbcr.plane(0, 0), ycbcr.plane(0, 1),
               ycbcr.plane(0, 2), big.plane_size(), frame.space);
  out.planes.resize({1, 1, big.h, big.w});
  std::memcpy(out.planes.plane(0, 0), ycbcr.plane(0, 0), big.plane_size() * sizeof(float));
  out.chroma.resize({1, 2, big.h >> frame.chroma_shift_y, big.w >> frame.chroma_shift_x});
  for (int c = 0; c < 2; ++c) {
    cv::Mat dst = out.chroma.plane_mat(0, c);
    cv::resize(ycbcr.plane_mat(0, c + 1), dst, dst.size(), 0, 0, cv::INTER_AREA);
  }
  return out;
}

}  // namespace r4k::infer

namespace r4k::infer {

// A grey Y'CbCr frame: Y' (as R' = G' = B') through the model, then back to
// Y' with chroma exactly neutral.
Frame FrameUpscaler::upscale_grey_ycbcr(const Frame& frame, Frame out) {
  const ModelInfo& info = engine_.info();
  const bool classic = info.colour == ModelColour::any && info.in_channels == 0;
  const auto& shape = frame.planes.shape();
  Tensor luma;
  if (classic || info.colour == ModelColour::y) {
    luma = run_model(frame.planes);
  } else {
    Frame grey;
    grey.colour = FrameColour::grey;
    grey.bits = 0;
    grey.planes.resize({1, 1, shape.h, shape.w});
    luma_to_grey(frame.planes.plane(0, 0), grey.planes.plane(0, 0), shape.plane_size(), frame.space);
    luma = upscale(grey).planes;
    grey_to_luma(luma.data(), luma.data(), luma.shape().plane_size(), frame.space);
  }
  out.planes = std::move(luma);
  out.chroma.resize({1, 2, out.planes.shape().h >> frame.chroma_shift_y, out.planes.shape().w >> frame.chroma_shift_x});
  std::fill(out.chroma.data(), out.chroma.data() + out.chroma.shape().elements(), neutral_chroma(frame.space));
  return out;
}

}  // namespace r4k::infer
