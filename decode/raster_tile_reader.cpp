#include "decode/raster_tile_reader.hpp"

#include <cmath>
#include <cstddef>

#include <gdal_priv.h>

#include "preprocess/error.hpp"

namespace r4k::decode {

RasterTileReader::RasterTileReader(RasterDataset& dataset, std::vector<int> bands, ValueRange range)
    : dataset_(dataset), bands_(std::move(bands)), range_(range) {}

bool RasterTileReader::read(const Rect& window, float* planes) {
  const std::size_t pixels = static_cast<std::size_t>(window.width) * static_cast<std::size_t>(window.height);
  const int band_count = static_cast<int>(bands_.size());
  scratch_.resize(pixels * static_cast<std::size_t>(band_count));
  const auto band_space = static_cast<GSpacing>(pixels * sizeof(double));
  CPLErrorReset();
  if (dataset_.gdal().RasterIO(GF_Read, window.x, window.y, window.width, window.height, scratch_.data(), window.width,
                               window.height, GDT_Float64, band_count, bands_.data(), sizeof(double),
                               static_cast<GSpacing>(window.width) * static_cast<GSpacing>(sizeof(double)),
                               band_space, nullptr) != CE_None) {
    const char* message = CPLGetLastErrorMsg();
    throw Error(dataset_.info().path.string() + ": cannot read pixels " + std::to_string(window.x) + "," +
                std::to_string(window.y) + " " + std::to_string(window.width) + "x" + std::to_string(window.height) +
                " (" + (message != nullptr ? message : "") + "): the file may be truncated or corrupt");
  }
  const RasterInfo& info = dataset_.info();
  float* mask = planes + pixels * static_cast<std::size_t>(band_count);
  for (std::size_t i = 0; i < pixels; ++i) mask[i] = 1.0f;

  if (info.per_dataset_mask) {
    mask_scratch_.resize(pixels);
    GDALRasterBand* mask_band = dataset_.gdal().GetRasterBand(bands_.front())->GetMaskBand();
    if (mask_band->RasterIO(GF_Read, window.x, window.y, window.width, window.height, mask_scratch_.data(),
                            window.width, window.height, GDT_Byte, 0, 0, nullptr) != CE_None) {
      throw Error(info.path.string() + ": cannot read the mask (" + CPLGetLastErrorMsg() + ")");
    }
    for (std::size_t i = 0; i < pixels; ++i) {
      if (mask_scratch_[i] == 0) mask[i] = 0.0f;
    }
  } else {
    bool every_band_has_nodata = true;
    for (int b : bands_) every_band_has_nodata = every_band_has_nodata && info.bands[b - 1].nodata.has_value();
    if (every_band_has_nodata) {
      for (std::size_t i = 0; i < pixels; ++i) {
        bool all_nodata = true;
        for (int k = 0; k < band_count && all_nodata; ++k) {
          const double nodata = *info.bands[bands_[k] - 1].nodata;
          const double value = scratch_[static_cast<std::size_t>(k) * pixels + i];
          all_nodata = value == nodata || (std::isnan(nodata) && std::isnan(value));
        }
        if (all_nodata) mask[i] = 0.0f;
      }
    }
  }

  bool any_valid = false;
  for (int k = 0; k < band_count; ++k) {
    const double* source = scratch_.data() + static_cast<std::size_t>(k) * pixels;
    float* plane = planes + static_cast<std::size_t>(k) * pixels;
    for (std::size_t i = 0; i < pixels; ++i) {
      if (mask[i] == 0.0f || std::isnan(source[i])) {
        plane[i] = 0.0f;
      } else {
        plane[i] = range_.normalise(source[i]);
      }
    }
  }
  for (std::size_t i = 0; i < pixels && !any_valid; ++i) any_valid = mask[i] != 0.0f;
  return any_valid;
}

}  // namespace r4k::decode
