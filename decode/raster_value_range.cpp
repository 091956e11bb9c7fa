#include "decode/raster_value_range.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "decode/raster_tile_reader.hpp"
#include "core/error.hpp"

namespace r4k::decode {
namespace {

// Pixels per window of the scan: a few blocks, whatever the file's layout.
constexpr long long kScanWindowPixels = 1 << 22;

std::string band_list(const std::vector<int>& bands) {
  std::string text;
  for (int b : bands) text += (text.empty() ? "" : ",") + std::to_string(b);
  return text;
}

std::string number(double value) {
  std::ostringstream out;
  out.precision(10);
  out << value;
  return out.str();
}

}  // namespace

ValueScan scan_values(RasterDataset& dataset, const std::vector<int>& bands, const ValueRange* against) {
  const RasterInfo& info = dataset.info();
  // Windows of whole blocks: one block wide (or the image, when blocks are
  // rows), as many block rows as fit.
  const int block_width = std::clamp(info.block_width, 1, info.width);
  const int block_height = std::clamp(info.block_height, 1, info.height);
  const int window_width = block_width < info.width ? block_width : info.width;
  const long long rows_fit = std::max<long long>(1, kScanWindowPixels / window_width / block_height);
  const int window_height = static_cast<int>(std::min<long long>(info.height, rows_fit * block_height));
  RasterTileReader reader(dataset, bands);
  std::vector<unsigned char> buffer;
  ValueScan scan;
  scan.min = std::numeric_limits<double>::infinity();
  scan.max = -std::numeric_limits<double>::infinity();
  for (int y = 0; y < info.height; y += window_height) {
    for (int x = 0; x < info.width; x += window_width) {
      const Rect window{x, y, std::min(window_width, info.width - x), std::min(window_height, info.height - y)};
      const RasterTileShape shape = reader.shape(window);
      buffer.resize(shape.bytes());
      const RasterTilePlanes planes(shape, buffer.data());
      reader.read(window, planes);  // unreadable blocks are invalid: the tiles report them
      for (int k = 0; k < shape.bands; ++k) {
        const double* values = planes.values(k);
        const std::uint8_t* valid = planes.valid(k);
        for (std::size_t i = 0; i < shape.pixels(); ++i) {
          if (valid[i] == 0) continue;
          ++scan.valid;
          scan.min = std::min(scan.min, values[i]);
          scan.max = std::max(scan.max, values[i]);
          if (against != nullptr && (values[i] < against->min || values[i] > against->max)) ++scan.outside;
        }
      }
    }
  }
  return scan;
}

ResolvedRange resolve_value_range(RasterDataset& dataset, const std::vector<int>& bands, const ValueRangeSpec& spec) {
  const RasterInfo& info = dataset.info();
  if (!spec.automatic && spec.explicit_range) {
    const ValueRange given = *spec.explicit_range;
    const ValueScan scan = scan_values(dataset, bands, &given);
    if (scan.outside > 0) {
      throw InputError(info.path.string() + ": " + std::to_string(scan.outside) + " valid pixel(s) of band(s) " +
                       band_list(bands) + " lie outside the range " + to_string(given) + " (the data goes from " +
                       number(scan.min) + " to " + number(scan.max) +
                       "): the model would be given values beyond its map; give a range that covers them (--range " +
                       number(std::min(scan.min, given.min)) + "," + number(std::max(scan.max, given.max)) +
                       ") or --range auto");
    }
    return {given, "given: --range " + to_string(given) + ", checked against every valid pixel"};
  }
  if (info.data_type == "Byte") return {ValueRange{0.0, 255.0}, "the data type's: Byte"};
  if (info.data_type == "Int8") return {ValueRange{-128.0, 127.0}, "the data type's: Int8"};
  const ValueScan scan = scan_values(dataset, bands);
  if (scan.valid == 0) return {ValueRange{0.0, 1.0}, "none: band(s) " + band_list(bands) + " hold no valid pixel"};
  ValueRange range{scan.min, scan.max};
  if (range.max <= range.min) range.max = range.min + 1.0;
  return {range, "exact: every valid pixel of band(s) " + band_list(bands)};
}

}  // namespace r4k::decode
