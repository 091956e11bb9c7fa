// TileMeta: where a tile of a large raster belongs. It travels with each tile
// from the raster source through super-resolution to the raster sink, so that
// every stage knows the tile's place without holding the image.
//
// Rectangles are in the pixel grid of the image at the tile's current scale:
// `window` is what the buffer holds (core plus halo), `core` the pixels this
// tile is responsible for. Cores partition the image.
#pragma once

#include "preprocess/tile_plan.hpp"

namespace r4k {

struct TileMeta {
  int image_width = 0;
  int image_height = 0;
  Rect window;
  Rect core;
  int index = 0;
  int count = 0;
  int scale = 1;       // of this grid relative to the source raster
  bool empty = false;  // every pixel is nodata: nothing to compute
  bool damaged = false;  // some of its source blocks could not be read: those pixels are nodata

  bool operator==(const TileMeta&) const = default;

  // The meta after upscaling by `factor` and cropping the halo: window = core.
  TileMeta scaled_core(int factor) const {
    TileMeta out = *this;
    out.image_width = image_width * factor;
    out.image_height = image_height * factor;
    out.core = Rect{core.x * factor, core.y * factor, core.width * factor, core.height * factor};
    out.window = out.core;
    out.scale = scale * factor;
    return out;
  }
  // The core's position inside the window.
  Rect core_in_window() const { return Rect{core.x - window.x, core.y - window.y, core.width, core.height}; }
};

}  // namespace r4k
