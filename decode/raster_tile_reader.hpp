// Reading one window of a raster's chosen bands as planar float, mapped to
// [0, 1] by the image's value range, with a validity mask: what r4krastersrc
// puts in each tile buffer.
//
// A damaged file (a block that fails to decode) does not stop the job: the
// window is read again block by block, the blocks that fail become nodata,
// and the read says which they were, so that the job can report them.
#pragma once

#include <string>
#include <vector>

#include "decode/raster_dataset.hpp"
#include "preprocess/tile_plan.hpp"

namespace r4k::decode {

struct TileRead {
  bool any_valid = false;            // some pixel of the window is valid
  std::vector<Rect> damaged_blocks;  // source blocks (pixel rectangles) that could not be read
  std::string error;                 // GDAL's message for the first of them
};

class RasterTileReader {
 public:
  RasterTileReader(RasterDataset& dataset, std::vector<int> bands, ValueRange range);

  // Writes bands().size() + 1 planes of window.width * window.height floats:
  // the bands, normalised, then the mask (1 = valid, 0 = nodata). A pixel is
  // nodata when the dataset's own mask says so, when every chosen band holds
  // its nodata value, or when its block cannot be read; its band values are
  // set to 0.
  TileRead read(const Rect& window, float* planes);

  const std::vector<int>& bands() const { return bands_; }

 private:
  // Reads `area` (inside `window`) of the bands and the dataset mask into
  // the scratch buffers laid out for `window`; false on a GDAL error.
  bool read_area(const Rect& window, const Rect& area);

  RasterDataset& dataset_;
  std::vector<int> bands_;
  ValueRange range_;
  std::vector<double> scratch_;
  std::vector<unsigned char> mask_scratch_;
  std::vector<unsigned char> damaged_;  // per window pixel: 1 where its block failed
};

}  // namespace r4k::decode
