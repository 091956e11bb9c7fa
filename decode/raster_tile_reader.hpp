// Reading one window of a raster's chosen bands as planar float, mapped to
// [0, 1] by the image's value range, with a validity mask: what r4krastersrc
// puts in each tile buffer.
#pragma once

#include <vector>

#include "decode/raster_dataset.hpp"
#include "preprocess/tile_plan.hpp"

namespace r4k::decode {

class RasterTileReader {
 public:
  RasterTileReader(RasterDataset& dataset, std::vector<int> bands, ValueRange range);

  // Writes bands().size() + 1 planes of window.width * window.height floats:
  // the bands, normalised, then the mask (1 = valid, 0 = nodata). A pixel is
  // nodata when the dataset's own mask says so, or when every chosen band
  // holds its nodata value; its band values are set to 0. Returns false when
  // no pixel of the window is valid. Throws Error on read failures.
  bool read(const Rect& window, float* planes);

  const std::vector<int>& bands() const { return bands_; }

 private:
  RasterDataset& dataset_;
  std::vector<int> bands_;
  ValueRange range_;
  std::vector<double> scratch_;
  std::vector<unsigned char> mask_scratch_;
};

}  // namespace r4k::decode
