// Reading one window of a raster's chosen bands: their values as the file
// holds them (doubles; Int8 read signed), each band's own validity, and the
// dataset mask when the raster has one: what r4krastersrc puts in each tile
// buffer (preprocess/raster_tile_planes.hpp).
//
// A pixel of a band is not valid when the band's mask says so (its own nodata
// value, a per-dataset mask, an alpha band), when its value is not finite
// (NaN, +-Inf), or when its block cannot be read.
//
// A damaged file (a block that fails to decode) does not stop the job: the
// window is read again block by block, the blocks that fail become invalid,
// and the read says which they were, so that the job can report them.
#pragma once

#include <string>
#include <vector>

#include "decode/raster_dataset.hpp"
#include "preprocess/raster_tile_planes.hpp"
#include "preprocess/tile_plan.hpp"

namespace r4k::decode {

struct TileRead {
  bool any_valid = false;            // some pixel of some band of the window is valid
  std::vector<Rect> damaged_blocks;  // source blocks (pixel rectangles) that could not be read
  std::string error;                 // GDAL's message for the first of them
};

class RasterTileReader {
 public:
  RasterTileReader(RasterDataset& dataset, std::vector<int> bands);

  // The shape of the planes `read` fills for `window`.
  RasterTileShape shape(const Rect& window) const;
  // Fills `planes` (of shape(window)).
  TileRead read(const Rect& window, const RasterTilePlanes& planes);

  const std::vector<int>& bands() const { return bands_; }

 private:
  // Reads `area` (inside `window`) of the bands and their masks into the
  // planes laid out for `window`; false on a GDAL error.
  bool read_area(const Rect& window, const Rect& area, const RasterTilePlanes& planes);

  RasterDataset& dataset_;
  std::vector<int> bands_;
  std::vector<unsigned char> damaged_;  // per window pixel: 1 where its block failed
};

}  // namespace r4k::decode
