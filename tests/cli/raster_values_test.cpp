// The right number at every pixel of a raster: valid pixels next to nodata
// come from valid pixels only (against gdalwarp -r cubic, and against the
// same pixels with the holes holding real data), per-band nodata, internal
// masks, ranges that never clip, categorical bands, Int8, NaN/Inf, all-nodata
// rasters, 32-bit integers and doubles, RPCs, band metadata domains and GDAL
// virtual paths.
#include <gtest/gtest.h>

#include <cpl_string.h>
#include <gdal_priv.h>
#include <gdal_rat.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <set>

#include "tests/support/command_runner.hpp"
#include "tests/support/raster_fixtures.hpp"
#include "tests/support/test_paths.hpp"

namespace {

namespace fs = std::filesystem;
using r4k::testing::Outcome;
using r4k::testing::TempDir;

Outcome restore4k(const std::vector<std::string>& arguments) {
  return r4k::testing::run_command(R4K_EXECUTABLE, arguments);
}

struct Closer {
  void operator()(GDALDataset* d) const { GDALClose(d); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, Closer>;

DatasetPtr open(const fs::path& path) {
  GDALAllRegister();
  DatasetPtr dataset(static_cast<GDALDataset*>(GDALOpenEx(path.c_str(), GDAL_OF_RASTER, nullptr, nullptr, nullptr)));
  if (!dataset) throw std::runtime_error("cannot open " + path.string());
  return dataset;
}

using Plane = std::vector<double>;

// A GeoTIFF of `planes` (each width x height), 10 m UTM pixels.
DatasetPtr create(const fs::path& path, int width, int height, GDALDataType type, const std::vector<Plane>& planes,
                  std::vector<std::string> options = {}, bool geotransform = true) {
  GDALAllRegister();
  CPLStringList list;
  list.SetNameValue("TILED", "YES");
  list.SetNameValue("BLOCKXSIZE", "32");
  list.SetNameValue("BLOCKYSIZE", "32");
  for (const std::string& option : options) list.AddString(option.c_str());
  DatasetPtr dataset(GetGDALDriverManager()->GetDriverByName("GTiff")->Create(
      path.c_str(), width, height, static_cast<int>(planes.size()), type, list.List()));
  double transform[6] = {500000.0, 10.0, 0.0, 6000000.0, 0.0, -10.0};
  if (geotransform) dataset->SetGeoTransform(transform);
  for (std::size_t b = 0; b < planes.size(); ++b) {
    Plane plane = planes[b];
    if (dataset->GetRasterBand(static_cast<int>(b) + 1)
            ->RasterIO(GF_Write, 0, 0, width, height, plane.data(), width, height, GDT_Float64, 0, 0, nullptr) !=
        CE_None) {
      throw std::runtime_error("cannot write " + path.string());
    }
  }
  return dataset;
}

Plane read(const fs::path& path, int band = 1) { return r4k::testing::read_band(path, band); }

// Smooth detail (periods of 10 to 30 pixels) spanning about [low, low + span].
Plane texture(int width, int height, double low, double span, double phase = 0.0) {
  Plane plane(static_cast<std::size_t>(width) * height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double v = 0.5 + 0.22 * std::sin(0.31 * x + phase) * std::cos(0.23 * y - phase) +
                       0.18 * std::sin(0.47 * x - 0.29 * y + 2 * phase) + 0.08 * std::cos(0.61 * y + 0.17 * x);
      plane[static_cast<std::size_t>(y) * width + x] = std::round(low + span * v);
    }
  }
  return plane;
}

// Marks the pixels of `plane` (width wide) where `where(x, y)` holds.
std::vector<bool> region(int width, int height, const std::function<bool(int, int)>& where) {
  std::vector<bool> inside(static_cast<std::size_t>(width) * height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) inside[static_cast<std::size_t>(y) * width + x] = where(x, y);
  }
  return inside;
}

// Output pixels (scale 2) within `reach` output pixels of a hole, and those
// further than `far` from every hole; holes in input pixels.
struct Rings {
  std::vector<bool> near;
  std::vector<bool> far;
};
Rings rings(const std::vector<bool>& holes, int width, int height, int reach, int far) {
  const int w = 2 * width;
  const int h = 2 * height;
  Rings r{std::vector<bool>(static_cast<std::size_t>(w) * h), std::vector<bool>(static_cast<std::size_t>(w) * h)};
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      if (holes[static_cast<std::size_t>(y / 2) * width + x / 2]) continue;
      int nearest = std::numeric_limits<int>::max();
      for (int dy = -far; dy <= far; ++dy) {
        for (int dx = -far; dx <= far; ++dx) {
          const int sx = x + dx;
          const int sy = y + dy;
          if (sx < 0 || sy < 0 || sx >= w || sy >= h) continue;
          if (holes[static_cast<std::size_t>(sy / 2) * width + sx / 2]) nearest = std::min(nearest, std::max(std::abs(dx), std::abs(dy)));
        }
      }
      r.near[static_cast<std::size_t>(y) * w + x] = nearest <= reach;
      r.far[static_cast<std::size_t>(y) * w + x] = nearest > far;
    }
  }
  return r;
}

struct Error {
  double max = 0.0;
  double mean = 0.0;
};
Error error_over(const Plane& a, const Plane& b, const std::vector<bool>& where) {
  Error e;
  int count = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!where[i]) continue;
    e.max = std::max(e.max, std::abs(a[i] - b[i]));
    e.mean += std::abs(a[i] - b[i]);
    ++count;
  }
  if (count > 0) e.mean /= count;
  return e;
}

void gdalwarp_x2(const fs::path& in, const fs::path& out) {
  const Outcome warp = r4k::testing::run_command(
      "gdalwarp", {"-q", "-overwrite", "-r", "cubic", "-tr", "5", "5", in.string(), out.string()});
  ASSERT_EQ(warp.exit_code, 0) << warp.output;
}

// The ramp beside a block of nodata: on valid pixels next to it the
// classical x2 is as close to gdalwarp -r cubic as it is far from it.
TEST(RasterValues, NextToNodataAsCloseToGdalwarpAsFarFromIt) {
  TempDir dir;
  const int n = 128;
  Plane ramp(static_cast<std::size_t>(n) * n);
  const auto hole = region(n, n, [](int x, int y) { return x >= 40 && x < 90 && y >= 40 && y < 90; });
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) ramp[static_cast<std::size_t>(y) * n + x] = hole[static_cast<std::size_t>(y) * n + x] ? 0 : 1000 + 8 * x;
  }
  create(dir / "ramp.tif", n, n, GDT_UInt16, {ramp})->GetRasterBand(1)->SetNoDataValue(0);
  const Outcome run = restore4k({"raster", (dir / "ramp.tif").string(), (dir / "x2.tif").string(), "--model",
                                 "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  gdalwarp_x2(dir / "ramp.tif", dir / "warp.tif");
  const Plane ours = read(dir / "x2.tif");
  const Plane gdal = read(dir / "warp.tif");
  const Rings r = rings(hole, n, n, 3, 8);
  const Error near = error_over(ours, gdal, r.near);
  const Error far = error_over(ours, gdal, r.far);
  std::printf("ramp vs gdalwarp -r cubic: next to nodata max %.2f mean %.3f, far from it max %.2f mean %.3f\n",
              near.max, near.mean, far.max, far.mean);
  EXPECT_LE(near.max, far.max + 0.5);
  EXPECT_LE(near.max, 2.0);
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const bool in_hole = hole[(i / (2 * n) / 2) * n + (i % (2 * n)) / 2];
    ASSERT_EQ(ours[i] == 0, in_hole) << "pixel " << i << ": nodata stays nodata, valid pixels never become it";
  }
}

// Valid pixels next to holes, against the same pixels when the holes hold
// real data: restore4k's classical x2 is at least as close as gdalwarp's
// cubic is to its own; a neural model's (the holes filled from their border)
// within a few percent of the range.
TEST(RasterValues, NextToHolesCloseToWhatRealDataWouldGive) {
  TempDir dir;
  const int n = 160;
  Plane full = texture(n, n, 1000, 3000);
  // The extremes outside the holes: both rasters get the same value range.
  full[0] = 900;
  full[1] = 4100;
  const auto hole = region(n, n, [](int x, int y) {
    return (x - 80) * (x - 80) + (y - 80) * (y - 80) < 30 * 30 || (y > 12 && y < 30 && x > 110 && x < 150);
  });
  Plane holed = full;
  for (std::size_t i = 0; i < holed.size(); ++i) {
    if (hole[i]) holed[i] = 0;
  }
  for (const auto& [name, plane] : {std::pair<std::string, Plane>{"full", full}, {"holes", holed}}) {
    auto dataset = create(dir / (name + "1.tif"), n, n, GDT_UInt16, {plane});
    if (name == "holes") dataset->GetRasterBand(1)->SetNoDataValue(0);
    auto rgb = create(dir / (name + "3.tif"), n, n, GDT_UInt16, {plane, plane, plane});
    for (int b = 1; b <= 3 && name == "holes"; ++b) rgb->GetRasterBand(b)->SetNoDataValue(0);
  }
  const Rings r = rings(hole, n, n, 2, 30);
  for (const char* model : {"builtin:bicubic-x2", "builtin:clean-x2"}) {
    const bool neural = std::string(model) == "builtin:clean-x2";
    const std::string bands = neural ? "3" : "1";
    for (const char* name : {"full", "holes"}) {
      const Outcome run = restore4k({"raster", (dir / (name + bands + ".tif")).string(),
                                     (dir / (std::string(name) + "_x2.tif")).string(), "--model", model});
      ASSERT_EQ(run.exit_code, 0) << run.output;
    }
    const Error ours = error_over(read(dir / "holes_x2.tif"), read(dir / "full_x2.tif"), r.near);
    EXPECT_EQ(error_over(read(dir / "holes_x2.tif"), read(dir / "full_x2.tif"), r.far).max, 0.0)
        << "far from the holes nothing changes";
    if (!neural) {
      gdalwarp_x2(dir / "full1.tif", dir / "full_warp.tif");
      gdalwarp_x2(dir / "holes1.tif", dir / "holes_warp.tif");
      const Error gdal = error_over(read(dir / "holes_warp.tif"), read(dir / "full_warp.tif"), r.near);
      std::printf("within 2 px of holes, against real data: restore4k bicubic max %.0f mean %.1f; gdalwarp -r "
                  "cubic max %.0f mean %.1f\n",
                  ours.max, ours.mean, gdal.max, gdal.mean);
      EXPECT_LE(ours.mean, gdal.mean);
      EXPECT_LE(ours.max, gdal.max);
    } else {
      std::printf("within 2 px of holes, against real data: builtin:clean-x2 max %.0f mean %.1f (range 3000)\n",
                  ours.max, ours.mean);
      EXPECT_LT(ours.mean, 0.015 * 3000);
      EXPECT_LT(ours.max, 0.15 * 3000);
    }
  }
}

// Each band its own nodata value (a VRT, as GeoTIFF holds one for all).
TEST(RasterValues, EachBandKeepsItsOwnNodata) {
  TempDir dir;
  const int n = 64;
  Plane a = texture(n, n, 1000, 500);
  Plane b = texture(n, n, -500, 100, 1.0);
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      if (x >= 5 && x < 25 && y >= 5 && y < 25) a[static_cast<std::size_t>(y) * n + x] = -9999;
      if (x >= 30 && x < 60 && y >= 30 && y < 50) b[static_cast<std::size_t>(y) * n + x] = -32768;
    }
  }
  create(dir / "a.tif", n, n, GDT_Float32, {a});
  create(dir / "b.tif", n, n, GDT_Float32, {b});
  std::ofstream(dir / "both.vrt") << "<VRTDataset rasterXSize=\"64\" rasterYSize=\"64\">\n"
                                     "  <GeoTransform>500000, 10, 0, 6000000, 0, -10</GeoTransform>\n"
                                  << "  <VRTRasterBand dataType=\"Float32\" band=\"1\"><NoDataValue>-9999</NoDataValue>"
                                     "<SimpleSource><SourceFilename relativeToVRT=\"1\">a.tif</SourceFilename>"
                                     "<SourceBand>1</SourceBand></SimpleSource></VRTRasterBand>\n"
                                  << "  <VRTRasterBand dataType=\"Float32\" band=\"2\"><NoDataValue>-32768</NoDataValue>"
                                     "<SimpleSource><SourceFilename relativeToVRT=\"1\">b.tif</SourceFilename>"
                                     "<SourceBand>1</SourceBand></SimpleSource></VRTRasterBand>\n"
                                  << "</VRTDataset>\n";
  const Outcome run = restore4k({"raster", (dir / "both.vrt").string(), (dir / "x2.tif").string(), "--model",
                                 "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto summary = r4k::testing::summarise_raster(dir / "x2.tif");
  ASSERT_EQ(summary.nodata.size(), 2u);
  EXPECT_EQ(summary.nodata[0], -9999.0);
  EXPECT_EQ(summary.nodata[1], -32768.0);
  for (const auto& [band, nodata, count, low, high] :
       {std::tuple<int, double, int, double, double>{1, -9999.0, 4 * 20 * 20, 1000, 1500},
        {2, -32768.0, 4 * 30 * 20, -500, -400}}) {
    const Plane out = read(dir / "x2.tif", band);
    int nodata_pixels = 0;
    double valid_min = std::numeric_limits<double>::infinity();
    for (const double v : out) {
      if (v == nodata) {
        ++nodata_pixels;
      } else {
        valid_min = std::min(valid_min, v);
        ASSERT_LE(v, high + 50) << "band " << band;
      }
    }
    EXPECT_EQ(nodata_pixels, count) << "band " << band;
    EXPECT_GE(valid_min, low - 50) << "band " << band << ": the other band's nodata is no value here";
  }
}

// An internal mask without a nodata value: masked pixels stay masked and
// give nothing to their neighbours (a constant stays that constant).
TEST(RasterValues, AMaskWithoutNodataLeavesTheValidPixelsAlone) {
  TempDir dir;
  const int n = 64;
  Plane constant(static_cast<std::size_t>(n) * n, 200.0);
  const auto hole = region(n, n, [](int x, int y) { return x >= 20 && x < 40 && y >= 20 && y < 40; });
  for (std::size_t i = 0; i < constant.size(); ++i) {
    if (hole[i]) constant[i] = 0;
  }
  {
    auto dataset = create(dir / "masked.tif", n, n, GDT_Byte, {constant});
    ASSERT_EQ(dataset->CreateMaskBand(GMF_PER_DATASET), CE_None);
    std::vector<std::uint8_t> mask(constant.size());
    for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = hole[i] ? 0 : 255;
    ASSERT_EQ(dataset->GetRasterBand(1)->GetMaskBand()->RasterIO(GF_Write, 0, 0, n, n, mask.data(), n, n, GDT_Byte, 0,
                                                                  0, nullptr),
              CE_None);
  }
  const Outcome run = restore4k({"raster", (dir / "masked.tif").string(), (dir / "x2.tif").string(), "--model",
                                 "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  int flags = 0;
  const auto mask = r4k::testing::read_mask(dir / "x2.tif", &flags);
  EXPECT_EQ(flags, GMF_PER_DATASET);
  const Plane out = read(dir / "x2.tif");
  int masked = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (mask[i] == 0) {
      ++masked;
    } else {
      ASSERT_EQ(out[i], 200.0) << "pixel " << i;
    }
  }
  EXPECT_EQ(masked, 4 * 20 * 20);
}

// A neural model's range covers every valid value (bright targets of 60000
// in a scene of 1000..4000 are not clipped); a range given that would clip
// is refused before any work.
TEST(RasterValues, ANeuralModelsRangeNeverClips) {
  TempDir dir;
  const int n = 96;
  Plane scene = texture(n, n, 1000, 3000);
  for (int y = 40; y < 46; ++y) {
    for (int x = 40; x < 46; ++x) scene[static_cast<std::size_t>(y) * n + x] = 60000;
  }
  create(dir / "bright.tif", n, n, GDT_UInt16, {scene, scene, scene});
  const Outcome run = restore4k({"raster", (dir / "bright.tif").string(), (dir / "x2.tif").string(), "--model",
                                 "builtin:clean-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  double low = std::numeric_limits<double>::infinity();
  for (const double v : scene) low = std::min(low, v);
  const auto summary = r4k::testing::summarise_raster(dir / "x2.tif");
  char expected[64];
  std::snprintf(expected, sizeof expected, "%.0f,60000 (exact", low);
  EXPECT_EQ(summary.metadata("RESTORE4K_RANGE").rfind(expected, 0), 0u) << summary.metadata("RESTORE4K_RANGE");
  const Plane out = read(dir / "x2.tif");
  EXPECT_GT(out[static_cast<std::size_t>(86) * 2 * n + 86], 50000.0) << "the target keeps its brightness";
  const Outcome given = restore4k({"raster", (dir / "bright.tif").string(), (dir / "given.tif").string(), "--model",
                                   "builtin:clean-x2", "--range", "0,4095"});
  EXPECT_EQ(given.exit_code, 2) << given.output;
  EXPECT_NE(given.output.find("108 valid pixel(s) of band(s) 1,2,3 lie outside the range 0,4095"), std::string::npos)
      << given.output;
  EXPECT_FALSE(fs::exists(dir / "given.tif"));
}

// Classes stay classes: a palette band and a band named categorical are
// upscaled nearest with their colour table, names and attribute table;
// a neural model is refused for a raster of classes only.
TEST(RasterValues, CategoricalBandsStayClasses) {
  TempDir dir;
  const int n = 64;
  Plane classes(static_cast<std::size_t>(n) * n);
  Plane codes(classes.size());
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      classes[static_cast<std::size_t>(y) * n + x] = ((x / 8 + y / 8) % 2 == 0) ? 1 : 9;
      codes[static_cast<std::size_t>(y) * n + x] = (x / 5 + y / 7) % 3;
    }
  }
  {
    auto palette = create(dir / "landcover.tif", n, n, GDT_Byte, {classes});
    GDALColorTable table;
    const GDALColorEntry green{0, 128, 0, 255};
    const GDALColorEntry blue{0, 0, 255, 255};
    table.SetColorEntry(1, &green);
    table.SetColorEntry(9, &blue);
    palette->GetRasterBand(1)->SetColorTable(&table);
    palette->GetRasterBand(1)->SetColorInterpretation(GCI_PaletteIndex);
    auto named = create(dir / "named.tif", n, n, GDT_Byte, {codes, texture(n, n, 10, 200)});
    GDALRasterBand* band = named->GetRasterBand(1);
    const char* names[] = {"water", "forest", "urban", nullptr};
    band->SetCategoryNames(const_cast<char**>(names));
    GDALDefaultRasterAttributeTable rat;
    rat.CreateColumn("Value", GFT_Integer, GFU_MinMax);
    rat.CreateColumn("Name", GFT_String, GFU_Name);
    for (int row = 0; row < 3; ++row) {
      rat.SetValue(row, 0, row);
      rat.SetValue(row, 1, names[row]);
    }
    band->SetDefaultRAT(&rat);
    named->GetRasterBand(2)->SetMetadataItem("WAVELENGTH", "665", "SENSOR");
  }
  Outcome run = restore4k({"raster", (dir / "landcover.tif").string(), (dir / "lc_x2.tif").string(), "--model",
                           "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("band(s) 1 hold classes or alpha: upscaled nearest"), std::string::npos) << run.output;
  const Plane out = read(dir / "lc_x2.tif");
  EXPECT_EQ(std::set<double>(out.begin(), out.end()), (std::set<double>{1, 9}));
  {
    auto dataset = open(dir / "lc_x2.tif");
    const GDALColorTable* table = dataset->GetRasterBand(1)->GetColorTable();
    ASSERT_NE(table, nullptr);
    EXPECT_EQ(table->GetColorEntry(9)->c3, 255);
    EXPECT_EQ(dataset->GetRasterBand(1)->GetColorInterpretation(), GCI_PaletteIndex);
  }
  run = restore4k({"raster", (dir / "landcover.tif").string(), (dir / "lc_nn.tif").string(), "--model",
                   "builtin:clean-x2"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("band(s) 1 are categorical or alpha: upscaled nearest, never by a model"),
            std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(dir / "lc_nn.tif"));

  run = restore4k({"raster", (dir / "named.tif").string(), (dir / "named_x2.tif").string(), "--model",
                   "builtin:bicubic-x2", "--categorical", "1"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const Plane named = read(dir / "named_x2.tif");
  EXPECT_EQ(std::set<double>(named.begin(), named.end()), (std::set<double>{0, 1, 2}));
  auto dataset = open(dir / "named_x2.tif");
  dataset->GetMetadata();  // GTiff reads its side file (names, attribute table) on the first metadata request
  char** names = dataset->GetRasterBand(1)->GetCategoryNames();
  ASSERT_NE(names, nullptr);
  EXPECT_STREQ(names[2], "urban");
  const GDALRasterAttributeTable* rat = dataset->GetRasterBand(1)->GetDefaultRAT();
  ASSERT_NE(rat, nullptr);
  EXPECT_EQ(rat->GetRowCount(), 3);
  EXPECT_STREQ(rat->GetValueAsString(1, 1), "forest");
  const char* wavelength = dataset->GetRasterBand(2)->GetMetadataItem("WAVELENGTH", "SENSOR");
  ASSERT_NE(wavelength, nullptr) << "band metadata domains are kept";
  EXPECT_STREQ(wavelength, "665");
  EXPECT_EQ(dataset->GetMetadataItem("RESTORE4K_NEAREST_BANDS"), std::string("1"));
}

// Int8 (GDAL 3.6: Byte marked SIGNEDBYTE) is read signed and written so.
TEST(RasterValues, SignedBytesStaySigned) {
  TempDir dir;
  const int n = 64;
  const Plane signed_values = texture(n, n, -100, 200);
  Plane stored(signed_values.size());
  for (std::size_t i = 0; i < stored.size(); ++i) stored[i] = signed_values[i] < 0 ? signed_values[i] + 256 : signed_values[i];
  create(dir / "int8.tif", n, n, GDT_Byte, {stored}, {"PIXELTYPE=SIGNEDBYTE"});
  for (const char* model : {"builtin:nearest-x2", "builtin:bicubic-x2"}) {
    const Outcome run =
        restore4k({"raster", (dir / "int8.tif").string(), (dir / "x2.tif").string(), "--model", model});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    auto dataset = open(dir / "x2.tif");
    EXPECT_STREQ(dataset->GetRasterBand(1)->GetMetadataItem("PIXELTYPE", "IMAGE_STRUCTURE"), "SIGNEDBYTE");
    const Plane out = read(dir / "x2.tif");
    double worst = 0.0;
    for (int y = 0; y < 2 * n; ++y) {
      for (int x = 0; x < 2 * n; ++x) {
        const double raw = out[static_cast<std::size_t>(y) * 2 * n + x];
        const double value = raw > 127 ? raw - 256 : raw;
        worst = std::max(worst, std::abs(value - signed_values[static_cast<std::size_t>(y / 2) * n + x / 2]));
      }
    }
    if (std::string(model) == "builtin:nearest-x2") {
      EXPECT_EQ(worst, 0.0);
    } else {
      EXPECT_LT(worst, 40.0) << "no value wraps around";
    }
  }
}

// NaN and +-Inf in a float raster without nodata are no values: they stay
// where they were, spread nowhere, and the rest is computed from real values.
TEST(RasterValues, NanAndInfinityStayWhereTheyWere) {
  TempDir dir;
  const int n = 64;
  Plane values = texture(n, n, 208, 100);
  for (int y = 20; y < 30; ++y) {
    for (int x = 20; x < 30; ++x) values[static_cast<std::size_t>(y) * n + x] = std::nan("");
  }
  for (int y = 5; y < 7; ++y) {
    for (int x = 50; x < 52; ++x) values[static_cast<std::size_t>(y) * n + x] = std::numeric_limits<double>::infinity();
  }
  create(dir / "float.tif", n, n, GDT_Float32, {values, values, values});  // 3 bands: clean-x2 takes RGB
  // Classical: valid pixels stay within the data's neighbourhood. Neural
  // (which failed before with "no valid pixels to take a value range"): the
  // range is the valid pixels' own, and NaN/Inf are neither spread nor filled.
  for (const char* model : {"builtin:bicubic-x2", "builtin:clean-x2"}) {
    SCOPED_TRACE(model);
    const bool neural = std::string(model) == "builtin:clean-x2";
    const fs::path output = dir / (std::string(neural ? "neural" : "classical") + ".tif");
    const Outcome run = restore4k({"raster", (dir / "float.tif").string(), output.string(), "--model", model});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const Plane out = read(output);
    int nans = 0;
    int infinities = 0;
    for (int y = 0; y < 2 * n; ++y) {
      for (int x = 0; x < 2 * n; ++x) {
        const double v = out[static_cast<std::size_t>(y) * 2 * n + x];
        const double source = values[static_cast<std::size_t>(y / 2) * n + x / 2];
        if (std::isnan(source)) {
          ASSERT_TRUE(std::isnan(v));
          ++nans;
        } else if (std::isinf(source)) {
          ASSERT_TRUE(std::isinf(v));
          ++infinities;
        } else {
          ASSERT_TRUE(std::isfinite(v)) << x << "," << y;
          // A neural model may sharpen past the data a little; never by the
          // data's whole span, as a fill taken for data would.
          ASSERT_GE(v, neural ? 160.0 : 200.0) << x << "," << y << ": no value invented below the data";
          ASSERT_LE(v, neural ? 356.0 : 316.0) << x << "," << y;
        }
      }
    }
    EXPECT_EQ(nans, 400);
    EXPECT_EQ(infinities, 16);
    if (neural) {
      const std::string range = r4k::testing::summarise_raster(output).metadata("RESTORE4K_RANGE");
      EXPECT_NE(range.find("exact"), std::string::npos) << range;
      EXPECT_EQ(range.find("inf"), std::string::npos) << range;
      EXPECT_EQ(range.find("nan"), std::string::npos) << range;
    }
  }
}

// A raster with no valid pixel gives an all-nodata raster, classical or neural.
TEST(RasterValues, AllNodataGivesAllNodata) {
  TempDir dir;
  const int n = 48;
  const Plane zeros(static_cast<std::size_t>(n) * n, 0.0);
  {
    auto dataset = create(dir / "empty.tif", n, n, GDT_UInt16, {zeros, zeros, zeros});
    for (int b = 1; b <= 3; ++b) dataset->GetRasterBand(b)->SetNoDataValue(0);
  }
  for (const char* model : {"builtin:bicubic-x2", "builtin:clean-x2"}) {
    const Outcome run =
        restore4k({"raster", (dir / "empty.tif").string(), (dir / "x2.tif").string(), "--model", model});
    ASSERT_EQ(run.exit_code, 0) << model << ": " << run.output;
    const auto summary = r4k::testing::summarise_raster(dir / "x2.tif");
    EXPECT_EQ(summary.width, 2 * n);
    EXPECT_EQ(summary.nodata[0], 0.0);
    for (int b = 1; b <= 3; ++b) {
      const Plane out = read(dir / "x2.tif", b);
      EXPECT_EQ(std::set<double>(out.begin(), out.end()), std::set<double>{0.0}) << model << " band " << b;
    }
  }
}

// Int32 spanning -2e9..2e9 and Float64 spanning -1e3..1e3, each with fine
// detail: the classical filters keep them to their own resolution. The same
// detail without the offsets gives the same result less the offsets, away
// from the step between them (float32 over the whole span would be ~250 DN
// off on Int32 and lose the Float64 detail altogether).
TEST(RasterValues, WideIntegersAndDoublesAreExactForClassicalFilters) {
  TempDir dir;
  const int n = 64;
  const Plane detail = texture(n, n, 0, 1000);
  for (const auto& [name, type, scale, offset, tolerance] :
       {std::tuple<std::string, GDALDataType, double, double, double>{"int32", GDT_Int32, 1.0, 2.0e9, 1.0},
        {"float64", GDT_Float64, 1e-7, 1.0e3, 1e-10}}) {
    SCOPED_TRACE(name);
    const auto offset_at = [&, offset = offset](int x) { return x < n / 2 ? -offset : offset; };
    Plane small(detail.size());
    Plane wide(detail.size());
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) {
        const std::size_t i = static_cast<std::size_t>(y) * n + x;
        small[i] = scale * detail[i];
        wide[i] = offset_at(x) + small[i];
      }
    }
    create(dir / (name + "_small.tif"), n, n, type, {small});
    create(dir / (name + "_wide.tif"), n, n, type, {wide});
    for (const char* which : {"_small", "_wide"}) {
      const Outcome run = restore4k({"raster", (dir / (name + which + ".tif")).string(),
                                     (dir / (name + which + "_x2.tif")).string(), "--model", "builtin:bicubic-x2"});
      ASSERT_EQ(run.exit_code, 0) << run.output;
    }
    const Plane a = read(dir / (name + "_small_x2.tif"));
    const Plane b = read(dir / (name + "_wide_x2.tif"));
    double worst = 0.0;
    double spread = 0.0;
    for (int y = 0; y < 2 * n; ++y) {
      for (int x = 0; x < 2 * n; ++x) {
        if (std::abs(x - n) < 8) continue;  // the step between the halves rings, as it should
        const std::size_t i = static_cast<std::size_t>(y) * 2 * n + x;
        worst = std::max(worst, std::abs(b[i] - offset_at(x / 2) - a[i]));
        spread = std::max(spread, std::abs(a[i] - a.front()));
      }
    }
    EXPECT_LE(worst, tolerance);
    EXPECT_GT(spread, 100 * tolerance) << "the detail is there to keep";
  }
}

// Rational polynomial coefficients are a georeference: rescaled, a ground
// point falls on twice its pixel coordinates.
TEST(RasterValues, RpcsAreRescaled) {
  TempDir dir;
  const int n = 64;
  {
    auto dataset = create(dir / "rpc.tif", n, n, GDT_UInt16, {texture(n, n, 100, 1000)}, {}, false);
    CPLStringList rpc;
    rpc.SetNameValue("LINE_OFF", "32");
    rpc.SetNameValue("SAMP_OFF", "32");
    rpc.SetNameValue("LAT_OFF", "54.1");
    rpc.SetNameValue("LONG_OFF", "15.0");
    rpc.SetNameValue("HEIGHT_OFF", "100");
    rpc.SetNameValue("LINE_SCALE", "32");
    rpc.SetNameValue("SAMP_SCALE", "32");
    rpc.SetNameValue("LAT_SCALE", "0.01");
    rpc.SetNameValue("LONG_SCALE", "0.01");
    rpc.SetNameValue("HEIGHT_SCALE", "100");
    std::string zeros;
    for (int i = 0; i < 17; ++i) zeros += " 0";
    rpc.SetNameValue("LINE_NUM_COEFF", ("0 0 -1" + zeros).c_str());
    rpc.SetNameValue("LINE_DEN_COEFF", ("1 0 0" + zeros).c_str());
    rpc.SetNameValue("SAMP_NUM_COEFF", ("0 1 0" + zeros).c_str());
    rpc.SetNameValue("SAMP_DEN_COEFF", ("1 0 0" + zeros).c_str());
    dataset->SetMetadata(rpc.List(), "RPC");
  }
  const Outcome run = restore4k({"raster", (dir / "rpc.tif").string(), (dir / "x2.tif").string(), "--model",
                                 "builtin:bicubic-x2"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.find("no georeference"), std::string::npos) << run.output;
  const auto pixel_of = [&](const fs::path& file) {
    const fs::path point = dir / "point.txt";
    std::ofstream(point) << "15.005 54.103 100\n";
    const Outcome t = r4k::testing::run_command("sh", {"-c", "gdaltransform -rpc -i '" + file.string() + "' < '" +
                                                             point.string() + "'"});
    double x = 0;
    double y = 0;
    std::sscanf(t.output.c_str(), "%lf %lf", &x, &y);
    return std::pair<double, double>{x, y};
  };
  const auto [x1, y1] = pixel_of(dir / "rpc.tif");
  const auto [x2, y2] = pixel_of(dir / "x2.tif");
  EXPECT_GT(x1, 1.0);
  EXPECT_NEAR(x2, 2 * x1, 1e-6);
  EXPECT_NEAR(y2, 2 * y1, 1e-6);
}

// GDAL's own names for data: virtual file systems and subdatasets.
TEST(RasterValues, GdalVirtualPathsAndSubdatasetsOpen) {
  TempDir dir;
  const int n = 32;
  create(dir / "scene.tif", n, n, GDT_UInt16, {texture(n, n, 100, 1000)});
  const Outcome tar = r4k::testing::run_command("tar", {"-C", dir.path().string(), "-cf",
                                                        (dir / "scenes.tar").string(), "scene.tif"});
  ASSERT_EQ(tar.exit_code, 0) << tar.output;
  const Outcome plain = restore4k({"raster", (dir / "scene.tif").string(), (dir / "plain.tif").string(), "--model",
                                   "builtin:nearest-x2"});
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  for (const std::string& name :
       {"/vsitar/" + (dir / "scenes.tar").string() + "/scene.tif", "GTIFF_DIR:1:" + (dir / "scene.tif").string()}) {
    SCOPED_TRACE(name);
    const Outcome run = restore4k({"raster", name, (dir / "x2.tif").string(), "--model", "builtin:nearest-x2"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(read(dir / "x2.tif"), read(dir / "plain.tif"));
    EXPECT_EQ(r4k::testing::summarise_raster(dir / "x2.tif").width, 2 * n);
  }
  const Outcome missing =
      restore4k({"raster", "/vsitar/" + (dir / "scenes.tar").string() + "/nothing.tif", (dir / "no.tif").string()});
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("nothing.tif"), std::string::npos) << missing.output;
}

}  // namespace
