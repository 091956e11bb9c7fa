// The value range that maps a raster's numbers to the [0, 1] a neural model
// takes: one map for the whole image and every band it gives the model, so
// that tiles join without seams and band ratios are kept.
//
// It never clips: `auto` is the data type's own range for Byte and Int8 and
// otherwise the exact minimum and maximum of every valid pixel of those bands,
// found by a streaming pass over the file's blocks (validity as the tile
// reader decides it: masks, nodata, NaN). A range the user gives is checked
// by the same pass: valid pixels outside it refuse the job before any work,
// saying how many and where the data really goes. Classical filters work on
// the values themselves and need no range.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decode/raster_dataset.hpp"
#include "preprocess/value_range.hpp"

namespace r4k::decode {

struct ValueScan {
  double min = 0.0;
  double max = 0.0;
  std::int64_t valid = 0;    // valid pixels seen (all bands together)
  std::int64_t outside = 0;  // of those, outside the range scanned against
};

// Every valid pixel of `bands` (1-based), block by block; `against` counts
// those outside it (nullptr: none). Memory: a few blocks.
ValueScan scan_values(RasterDataset& dataset, const std::vector<int>& bands, const ValueRange* against = nullptr);

struct ResolvedRange {
  ValueRange range;
  std::string how;  // "exact: every valid pixel of bands 1,2,3", "given: --range 0,4095", ...
};

// Throws InputError naming the file, the bands, the count and the data's own
// extent when a given range would clip valid pixels.
ResolvedRange resolve_value_range(RasterDataset& dataset, const std::vector<int>& bands, const ValueRangeSpec& spec);

}  // namespace r4k::decode
