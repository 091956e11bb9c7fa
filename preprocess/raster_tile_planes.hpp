// RasterTilePlanes: how one tile of a raster is laid out in memory as it
// travels from the reader through upscaling to the writer.
//
// Values are the raster's own numbers (physical units, not normalised) as
// doubles, so that every GDAL data type up to Int32/UInt32/Float64 is held
// exactly. Each band has its own validity plane (1 = a value, 0 = nodata,
// masked, not finite or unreadable): a band's nodata is its own. A pixel that
// is not valid keeps the value it came with (its nodata value, NaN, ...) so
// that it goes out as it came. A raster with a mask of its own (a per-dataset
// mask, not nodata values and not an alpha band) has one more plane: that
// mask (0 or 255), which goes out as the output's mask band.
//
// Layout of a buffer over a window of W x H pixels with B bands:
//   B planes of W*H doubles (values), then B planes of W*H bytes (validity),
//   then, with a dataset mask, one plane of W*H bytes (the mask).
#pragma once

#include <cstddef>
#include <cstdint>

namespace r4k {

struct RasterTileShape {
  int bands = 0;
  int width = 0;
  int height = 0;
  bool dataset_mask = false;

  std::size_t pixels() const { return static_cast<std::size_t>(width) * static_cast<std::size_t>(height); }
  std::size_t bytes() const {
    return pixels() * (static_cast<std::size_t>(bands) * (sizeof(double) + 1) + (dataset_mask ? 1 : 0));
  }
};

// A view of one tile buffer (it owns nothing).
class RasterTilePlanes {
 public:
  RasterTilePlanes(RasterTileShape shape, void* data) : shape_(shape), data_(static_cast<std::uint8_t*>(data)) {}

  const RasterTileShape& shape() const { return shape_; }
  double* values(int band) const {
    return reinterpret_cast<double*>(data_) + static_cast<std::size_t>(band) * shape_.pixels();
  }
  std::uint8_t* valid(int band) const {
    return data_ + shape_.pixels() * (static_cast<std::size_t>(shape_.bands) * sizeof(double) +
                                      static_cast<std::size_t>(band));
  }
  // The dataset mask plane; nullptr when the shape has none.
  std::uint8_t* mask() const {
    return shape_.dataset_mask ? data_ + shape_.pixels() * static_cast<std::size_t>(shape_.bands) * (sizeof(double) + 1)
                               : nullptr;
  }

 private:
  RasterTileShape shape_;
  std::uint8_t* data_;
};

}  // namespace r4k
