#include "decode/raster_tile_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include <gdal_priv.h>

#include "core/error.hpp"

namespace r4k::decode {
namespace {

bool is_nodata(double value, double nodata) { return value == nodata || (std::isnan(nodata) && std::isnan(value)); }

}  // namespace

RasterTileReader::RasterTileReader(RasterDataset& dataset, std::vector<int> bands)
    : dataset_(dataset), bands_(std::move(bands)) {}

RasterTileShape RasterTileReader::shape(const Rect& window) const {
  const RasterInfo& info = dataset_.info();
  return RasterTileShape{static_cast<int>(bands_.size()), window.width, window.height,
                         info.per_dataset_mask && !info.mask_from_alpha};
}

bool RasterTileReader::read_area(const Rect& window, const Rect& area, const RasterTilePlanes& planes) {
  const std::size_t offset = static_cast<std::size_t>(area.y - window.y) * static_cast<std::size_t>(window.width) +
                             static_cast<std::size_t>(area.x - window.x);
  const auto line_space = static_cast<GSpacing>(window.width) * static_cast<GSpacing>(sizeof(double));
  GDALDataset& gdal = dataset_.gdal();
  CPLErrorReset();
  for (std::size_t k = 0; k < bands_.size(); ++k) {
    GDALRasterBand* band = gdal.GetRasterBand(bands_[k]);
    if (band->RasterIO(GF_Read, area.x, area.y, area.width, area.height, planes.values(static_cast<int>(k)) + offset,
                       area.width, area.height, GDT_Float64, sizeof(double), line_space, nullptr) != CE_None) {
      return false;
    }
    const int flags = band->GetMaskFlags();
    if ((flags & (GMF_ALL_VALID | GMF_NODATA)) != 0) continue;  // decided from the values
    if (band->GetMaskBand()->RasterIO(GF_Read, area.x, area.y, area.width, area.height,
                                      planes.valid(static_cast<int>(k)) + offset, area.width, area.height, GDT_Byte,
                                      1, window.width, nullptr) != CE_None) {
      return false;
    }
  }
  if (std::uint8_t* mask = planes.mask()) {
    return gdal.GetRasterBand(bands_.front())
               ->GetMaskBand()
               ->RasterIO(GF_Read, area.x, area.y, area.width, area.height, mask + offset, area.width, area.height,
                          GDT_Byte, 1, window.width, nullptr) == CE_None;
  }
  return true;
}

TileRead RasterTileReader::read(const Rect& window, const RasterTilePlanes& planes) {
  const RasterInfo& info = dataset_.info();
  const std::size_t pixels = planes.shape().pixels();
  const int band_count = static_cast<int>(bands_.size());
  for (int k = 0; k < band_count; ++k) {
    std::fill(planes.values(k), planes.values(k) + pixels, 0.0);
    std::fill(planes.valid(k), planes.valid(k) + pixels, std::uint8_t{1});
  }
  if (std::uint8_t* mask = planes.mask()) std::fill(mask, mask + pixels, std::uint8_t{255});
  damaged_.assign(pixels, 0);
  TileRead result;
  if (!read_area(window, window, planes)) {
    // Find the blocks that fail: read the window again one block at a time.
    const int bw = std::max(1, info.block_width);
    const int bh = std::max(1, info.block_height);
    for (int by = window.y / bh * bh; by < window.bottom(); by += bh) {
      for (int bx = window.x / bw * bw; bx < window.right(); bx += bw) {
        const Rect block{bx, by, std::min(bw, info.width - bx), std::min(bh, info.height - by)};
        const Rect area{std::max(block.x, window.x), std::max(block.y, window.y),
                        std::min(block.right(), window.right()) - std::max(block.x, window.x),
                        std::min(block.bottom(), window.bottom()) - std::max(block.y, window.y)};
        if (area.width <= 0 || area.height <= 0 || read_area(window, area, planes)) continue;
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

  for (int k = 0; k < band_count; ++k) {
    const RasterBandInfo& band = info.bands[static_cast<std::size_t>(bands_[static_cast<std::size_t>(k)] - 1)];
    const int flags = dataset_.gdal().GetRasterBand(bands_[static_cast<std::size_t>(k)])->GetMaskFlags();
    const bool by_nodata = (flags & GMF_NODATA) != 0 && band.nodata.has_value();
    double* values = planes.values(k);
    std::uint8_t* valid = planes.valid(k);
    // What an unreadable pixel goes out as: the band's nodata, else NaN or 0.
    const double unreadable =
        band.nodata.value_or(info.data_type.rfind("Float", 0) == 0 ? std::nan("") : 0.0);
    for (std::size_t i = 0; i < pixels; ++i) {
      if (damaged_[i] != 0) {
        values[i] = unreadable;
        valid[i] = 0;
        continue;
      }
      // GDAL 3.6 holds Int8 as Byte marked SIGNEDBYTE: the same bits, signed.
      if (info.data_type == "Int8" && values[i] > 127) values[i] -= 256;
      bool ok = valid[i] != 0 && std::isfinite(values[i]);
      if (ok && by_nodata) ok = !is_nodata(values[i], *band.nodata);
      valid[i] = ok ? 1 : 0;
      result.any_valid = result.any_valid || ok;
    }
  }
  if (std::uint8_t* mask = planes.mask()) {
    for (std::size_t i = 0; i < pixels; ++i) {
      if (damaged_[i] != 0) mask[i] = 0;
    }
  }
  return result;
}

}  // namespace r4k::decode
