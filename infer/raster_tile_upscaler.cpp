#include "infer/raster_tile_upscaler.hpp"

#include <algorithm>
#include <cstring>

#include "core/error.hpp"
#include "preprocess/masked_resample.hpp"
#include "preprocess/nodata_fill.hpp"

namespace r4k::infer {
namespace {

// The fill radius when a model does not say how far it sees.
constexpr int kDefaultFillRadius = 16;

bool is_classical(const Engine& engine) { return engine.info().format == ModelFormat::classic; }

}  // namespace

RasterTileUpscaler::RasterTileUpscaler(Engine& engine, RasterBandRoles roles, ValueRange range, int batch)
    : engine_(engine), roles_(std::move(roles)), range_(range) {
  UpscaleOptions options;
  options.tile_size = 65536;  // each window whole: it already has its halo
  options.halo = 0;
  options.run.batch = batch;
  upscaler_ = std::make_unique<FrameUpscaler>(engine_, options);
}

int RasterTileUpscaler::scale() const { return engine_.info().scale; }

int RasterTileUpscaler::fill_radius(const Engine& engine) {
  if (is_classical(engine)) return 0;
  return engine.info().receptive_field > 0 ? engine.info().receptive_field : kDefaultFillRadius;
}

void RasterTileUpscaler::upscale_model_group(const TileMeta& meta, const RasterTilePlanes& in,
                                             const std::vector<int>& group,
                                             std::vector<std::vector<double>>& planes) {
  const int width = meta.window.width;
  const int height = meta.window.height;
  const std::size_t pixels = static_cast<std::size_t>(width) * height;
  Tensor bands({1, static_cast<int>(group.size()), height, width});
  for (std::size_t k = 0; k < group.size(); ++k) {
    const double* values = in.values(group[k]);
    const std::uint8_t* valid = in.valid(group[k]);
    float* plane = bands.plane(0, static_cast<int>(k));
    for (std::size_t i = 0; i < pixels; ++i) plane[i] = valid[i] != 0 ? range_.normalise(values[i]) : 0.0f;
    fill_invalid(plane, valid, width, height, fill_radius(engine_), 0.5f);
  }
  const Tensor result = upscaler_->upscale_bands(bands);
  const int s = scale();
  const std::size_t up_pixels = pixels * static_cast<std::size_t>(s) * s;
  std::vector<std::uint8_t> valid(up_pixels);
  for (std::size_t k = 0; k < group.size(); ++k) {
    // Nearest first: validity, and the values of pixels that have none.
    std::vector<double>& plane = planes[static_cast<std::size_t>(group[k])];
    upscale_masked(in.values(group[k]), in.valid(group[k]), width, height, s, ResampleFilter::nearest, plane.data(),
                   valid.data());
    const float* model = result.plane(0, static_cast<int>(k));
    for (std::size_t i = 0; i < up_pixels; ++i) {
      if (valid[i] != 0) plane[i] = range_.denormalise(model[i]);
    }
  }
}

void RasterTileUpscaler::upscale(const TileMeta& meta, const RasterTilePlanes& in, const RasterTilePlanes& out) {
  const int s = scale();
  const int width = meta.window.width;
  const int height = meta.window.height;
  const int up_width = width * s;
  const std::size_t up_pixels = static_cast<std::size_t>(up_width) * height * s;
  const int bands = in.shape().bands;
  if (out.shape().bands != bands || out.shape().dataset_mask != in.shape().dataset_mask ||
      out.shape().width != meta.core.width * s || out.shape().height != meta.core.height * s) {
    throw Error("raster tile " + std::to_string(meta.index) + ": the output planes do not fit the scaled core");
  }
  std::vector<std::vector<double>> planes(static_cast<std::size_t>(bands), std::vector<double>(up_pixels));
  std::vector<std::uint8_t> valid(up_pixels);
  // Scaled window -> output core, one band: values, and validity recomputed
  // nearest (cheap, and the same for every filter).
  const Rect core = meta.core_in_window();
  const auto crop_band = [&](int band) {
    const double* from = planes[static_cast<std::size_t>(band)].data();
    for (int y = 0; y < out.shape().height; ++y) {
      const std::size_t row = static_cast<std::size_t>(core.y * s + y) * up_width + core.x * s;
      std::memcpy(out.values(band) + static_cast<std::size_t>(y) * out.shape().width, from + row,
                  static_cast<std::size_t>(out.shape().width) * sizeof(double));
      const std::uint8_t* in_valid = in.valid(band);
      std::uint8_t* target = out.valid(band) + static_cast<std::size_t>(y) * out.shape().width;
      const std::size_t in_row = static_cast<std::size_t>(core.y + y / s) * width + core.x;
      for (int x = 0; x < out.shape().width; ++x) target[x] = in_valid[in_row + static_cast<std::size_t>(x / s)];
    }
  };
  const auto resample = [&](int band, ResampleFilter filter) {
    upscale_masked(in.values(band), in.valid(band), width, height, s, filter,
                   planes[static_cast<std::size_t>(band)].data(), valid.data());
  };

  if (meta.empty) {
    // Nothing valid in the core: every pixel keeps its nearest input value.
    for (int b = 0; b < bands; ++b) resample(b, ResampleFilter::nearest);
  } else {
    if (is_classical(engine_)) {
      const ResampleFilter filter = engine_.info().classic_filter.value_or(ResampleFilter::bicubic);
      for (const auto& group : roles_.model_groups) {
        for (int band : group) resample(band, filter);
      }
    } else {
      for (const auto& group : roles_.model_groups) upscale_model_group(meta, in, group, planes);
    }
    for (int band : roles_.classical) resample(band, kOtherBandsFilter);
    for (int band : roles_.nearest) resample(band, ResampleFilter::nearest);
  }
  for (int b = 0; b < bands; ++b) crop_band(b);
  if (std::uint8_t* mask = out.mask()) {
    const std::uint8_t* in_mask = in.mask();
    for (int y = 0; y < out.shape().height; ++y) {
      const std::size_t in_row = static_cast<std::size_t>(core.y + y / s) * width + core.x;
      for (int x = 0; x < out.shape().width; ++x) {
        mask[static_cast<std::size_t>(y) * out.shape().width + x] = in_mask[in_row + static_cast<std::size_t>(x / s)];
      }
    }
  }
}

}  // namespace r4k::infer
