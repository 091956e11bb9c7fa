#include "decode/raster_tile_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include <gdal_priv.h>

#include "preprocess/error.hpp"

namespace r4k::decode {

RasterTileReader::RasterTileReader(RasterDataset& dataset, std::vector<int> bands, ValueRange range)
    : dataset_(dataset), bands_(std::move(bands)), range_(range) {}

bool RasterTileReader::read_area(const Rect& window, const Rect& area) {
  const std::size_t pixels = static_cast<std::size_t>(window.width) * static_cast<std::size_t>(window.height);
  const std::size_t offset = static_cast<std::size_t>(area.y - window.y) * static_cast<std::size_t>(window.width) +
                             static_cast<std::size_t>(area.x - window.x);
  const auto line_space = static_cast<GSpacing>(window.width) * static_cast<GSpacing>(sizeof(double));
  CPLErrorReset();
  if (dataset_.gdal().RasterIO(GF_Read, area.x, area.y, area.width, area.height, scratch_.data() + offset, area.width,
                               area.height, GDT_Float64, static_cast<int>(bands_.size()), bands_.data(),
                               sizeof(double), line_space, static_cast<GSpacing>(pixels * sizeof(double)),
                               nullptr) != CE_None) {
    return false;
  }
  if (!dataset_.info().per_dataset_mask) return true;
  GDALRasterBand* mask_band = dataset_.gdal().GetRasterBand(bands_.front())->GetMaskBand();
  return mask_band->RasterIO(GF_Read, area.x, area.y, area.width, area.height, mask_scratch_.data() + offset,
                             area.width, area.height, GDT_Byte, 1, window.width, nullptr) == CE_None;
}

TileRead RasterTileReader::read(const Rect& window, float* planes) {
  const std::size_t pixels = static_cast<std::size_t>(window.width) * static_cast<std::size_t>(window.height);
  const int band_count = static_cast<int>(bands_.size());
  const RasterInfo& info = dataset_.info();
  scratch_.assign(pixels * static_cast<std::size_t>(band_count), 0.0);
  mask_scratch_.assign(pixels, 255);
  damaged_.assign(pixels, 0);
  TileRead result;
  if (!read_area(window, window)) {
    // Find the blocks that fail: read the window again one block at a time.
    const int bw = std::max(1, info.block_width);
    const int bh = std::max(1, info.block_height);
    for (int by = window.y / bh * bh; by < window.bottom(); by += bh) {
      for (int bx = window.x / bw * bw; bx < window.right(); bx += bw) {
        const Rect block{bx, by, std::min(bw, info.width - bx), std::min(bh, info.height - by)};
        const Rect area{std::max(block.x, window.x), std::max(block.y, window.y),
                        std::min(block.right(), window.right()) - std::max(block.x, window.x),
                        std::min(block.bottom(), window.bottom()) - std::max(block.y, window.y)};
        if (area.width <= 0 || area.height <= 0 || read_area(window, area)) continue;
        if (result.error.empty()) result.error = CPLGetLastErrorMsg();
        result.damaged_blocks.push_back(block);
        for (int y = area.y; y < area.bottom(); ++y) {
          const std::size_t row = static_cast<std::size_t>(y - window.y) * static_cast<std::size_t>(window.width);
          for (int x = area.x; x < area.right(); ++x) damaged_[row + static_cast<std::size_t>(x - window.x)] = 1;
        }
      }
    }
    if (result.damaged_blocks.empty()) {
      // The window fails as a whole but every block reads: not a damaged block.
      throw Error(info.path.string() + ": cannot read pixels " + std::to_string(window.x) + "," +
                  std::to_string(window.y) + " " + std::to_string(window.width) + "x" +
                  std::to_string(window.height) + " (" + CPLGetLastErrorMsg() + ")");
    }
  }

  float* mask = planes + pixels * static_cast<std::size_t>(band_count);
  bool every_band_has_nodata = !info.per_dataset_mask;
  for (int b : bands_) every_band_has_nodata = every_band_has_nodata && info.bands[b - 1].nodata.has_value();
  for (std::size_t i = 0; i < pixels; ++i) {
    bool valid = damaged_[i] == 0 && mask_scratch_[i] != 0;
    if (valid && every_band_has_nodata) {
      bool all_nodata = true;
      for (int k = 0; k < band_count && all_nodata; ++k) {
        const double nodata = *info.bands[static_cast<std::size_t>(bands_[static_cast<std::size_t>(k)] - 1)].nodata;
        const double value = scratch_[static_cast<std::size_t>(k) * pixels + i];
        all_nodata = value == nodata || (std::isnan(nodata) && std::isnan(value));
      }
      valid = !all_nodata;
    }
    mask[i] = valid ? 1.0f : 0.0f;
    result.any_valid = result.any_valid || valid;
  }
  for (int k = 0; k < band_count; ++k) {
    const double* source = scratch_.data() + static_cast<std::size_t>(k) * pixels;
    float* plane = planes + static_cast<std::size_t>(k) * pixels;
    for (std::size_t i = 0; i < pixels; ++i) {
      plane[i] = mask[i] == 0.0f || std::isnan(source[i]) ? 0.0f : range_.normalise(source[i]);
    }
  }
  return result;
}

}  // namespace r4k::decode
