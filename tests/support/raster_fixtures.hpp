// Generated GeoTIFFs for the raster tests: any size, bands, data type, block
// size, nodata and georeference, with deterministic smooth-plus-noise content
// (so that super-resolution and compression do real work), and helpers that
// read rasters back through GDAL.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace r4k::testing {

struct TestRaster {
  int width = 256;
  int height = 192;
  int bands = 3;
  std::string data_type = "UInt16";
  int block = 64;               // tiled blocks of block x block; 0 = strips
  int max_value = 4000;         // content spans about [100, max_value]
  std::optional<double> nodata;  // set on every band
  // Rectangles (x, y, w, h) filled with nodata in every band.
  std::vector<std::array<int, 4>> nodata_rects;
  // Colour interpretation per band by GDAL name ("Red", "Undefined", ...);
  // empty: red, green, blue for three bands, else GDAL's default.
  std::vector<std::string> colours;
  // Rectangles (x, y, w, h) masked out by an internal per-dataset mask
  // (no mask when empty).
  std::vector<std::array<int, 4>> mask_rects;
  bool georeferenced = true;    // UTM 33N, 10 m pixels, origin (500000, 6000000)
  std::string compress = "DEFLATE";
  unsigned seed = 1;
};

void write_test_raster(const TestRaster& spec, const std::filesystem::path& path);

// Overwrites the stored (compressed) bytes of block (bx, by) of `band` in a
// tiled GeoTIFF with garbage, so that GDAL fails to decode that block only.
void corrupt_block(const std::filesystem::path& path, int band, int bx, int by);

// The per-dataset mask of band 1 (0 or 255 per pixel, row-major), and its
// GDAL mask flags.
std::vector<unsigned char> read_mask(const std::filesystem::path& path, int* flags = nullptr);

// All the pixels of one band as doubles (row-major).
std::vector<double> read_band(const std::filesystem::path& path, int band);

struct RasterSummary {
  int width = 0;
  int height = 0;
  int bands = 0;
  std::string data_type;
  std::array<double, 6> geotransform{};
  bool has_geotransform = false;
  std::string crs_wkt;
  std::vector<std::optional<double>> nodata;
  std::vector<std::string> descriptions;
  std::vector<std::string> colours;
  std::vector<double> offsets;
  std::vector<double> scales;
  std::vector<std::string> units;
  std::string metadata(const std::string& key, const std::string& domain = "") const;
  std::vector<std::pair<std::string, std::string>> items;  // "domain/key" -> value
  int overviews = 0;
  std::string layout;  // IMAGE_STRUCTURE LAYOUT (COG) or ""
  std::string compression;
};

RasterSummary summarise_raster(const std::filesystem::path& path);

}  // namespace r4k::testing
