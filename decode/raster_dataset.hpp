// Raster datasets through GDAL: opening with errors that name the file, what
// restore4k needs to know about a raster (size, type, blocks, bands, nodata,
// georeference), band lists.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "preprocess/value_range.hpp"

class GDALDataset;

namespace r4k::decode {

struct RasterBandInfo {
  std::string description;
  std::string colour;  // GDAL's colour interpretation name ("Red", "Gray", "Undefined", "Palette", "Alpha")
  bool colour_table = false;  // the band's values index a colour table (a palette)
  std::optional<double> nodata;
  double offset = 0.0;
  double scale = 1.0;
  std::string unit;
};

struct RasterInfo {
  std::filesystem::path path;
  int width = 0;
  int height = 0;
  // GDAL's name: Byte, UInt16, Int16, UInt32, Int32, Float32, Float64; and
  // Int8 (GDAL 3.6 stores it as Byte marked PIXELTYPE=SIGNEDBYTE).
  std::string data_type;
  int block_width = 0;
  int block_height = 0;
  bool georeferenced = false;  // a geotransform, ground control points or RPCs
  std::array<double, 6> geotransform{0, 1, 0, 0, 0, 1};
  bool has_geotransform = false;
  std::string crs_wkt;
  bool per_dataset_mask = false;  // an internal mask or alpha band covers all bands
  bool mask_from_alpha = false;   // ... and it is the alpha band's
  std::vector<RasterBandInfo> bands;
};

// Registers GDAL's drivers once and caps GDAL's block cache at 64 MiB
// (unless GDAL_CACHEMAX is set); safe to call from any thread.
void initialise_gdal();

// An open GDAL dataset (read-only), closed when it goes away.
class RasterDataset {
 public:
  // `path` is a file or anything GDAL opens by name (/vsizip/..., a
  // subdataset such as GTIFF_DIR:2:scene.tif). Throws InputError naming it
  // when it is missing, not a raster, truncated or has a data type restore4k
  // cannot handle (complex numbers).
  explicit RasterDataset(const std::filesystem::path& path);
  ~RasterDataset();
  RasterDataset(const RasterDataset&) = delete;
  RasterDataset& operator=(const RasterDataset&) = delete;

  const RasterInfo& info() const { return info_; }
  GDALDataset& gdal() { return *dataset_; }
  // An item of the default metadata domain ("" when absent).
  std::string metadata_item(const std::string& key) const;
  // The values of `band` (1-based) in a window, row by row, as doubles; throws
  // InputError naming the file and band when GDAL cannot read them.
  std::vector<double> read_window(int band, int x, int y, int width, int height);

 private:
  RasterInfo info_;
  std::unique_ptr<GDALDataset, void (*)(GDALDataset*)> dataset_;
};

// "4,3,2" -> {4, 3, 2} (1-based, as GDAL numbers bands). Empty text gives
// the first `default_count` bands (all when 0). Throws InputError naming the
// index that does not exist in `path`.
std::vector<int> parse_band_list(const std::string& text, int band_count, int default_count,
                                 const std::filesystem::path& path);

// Bytes per sample of a data type name (as RasterInfo::data_type); throws
// InputError for others.
int data_type_size(const std::string& data_type);

// Whether every value of the data type is exact in a float (32-bit): Byte,
// Int8, UInt16, Int16 and Float32 are; Int32, UInt32 and Float64 are not.
bool exact_in_float(const std::string& data_type);

}  // namespace r4k::decode
