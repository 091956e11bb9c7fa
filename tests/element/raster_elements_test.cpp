// r4krastersrc -> r4ksuperres -> r4krastersink, in process: tiles carry their
// meta, tiled output equals whole-image output, georeference and nodata are
// kept, COG output is a COG.
#include <gst/check/gstharness.h>
#include <gtest/gtest.h>

#include <cmath>

#include "pipeline/pipeline_runner.hpp"
#include "pipeline/raster_tile.hpp"
#include "core/error.hpp"
#include "tests/support/raster_fixtures.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/test_paths.hpp"

namespace {

namespace fs = std::filesystem;
using r4k::testing::TempDir;
using r4k::testing::TestRaster;

class RasterElements : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { r4k::pipeline::initialise_gstreamer(); }
};

// Runs src ! superres ! sink with extra properties for each.
void upscale(const fs::path& input, const fs::path& output, const std::string& model,
             const std::vector<std::string>& src_properties, const std::vector<std::string>& sink_properties = {}) {
  r4k::pipeline::PipelineArguments arguments{"r4krastersrc", "location=" + input.string()};
  arguments.insert(arguments.end(), src_properties.begin(), src_properties.end());
  for (const char* item : {"!", "queue", "max-size-buffers=2", "!", "r4ksuperres"}) arguments.emplace_back(item);
  arguments.push_back("model=" + model);
  for (const char* item : {"!", "queue", "max-size-buffers=2", "!", "r4krastersink"}) arguments.emplace_back(item);
  arguments.push_back("location=" + output.string());
  arguments.insert(arguments.end(), sink_properties.begin(), sink_properties.end());
  r4k::pipeline::run_pipeline(arguments, {});
}

TEST_F(RasterElements, SourceTilesCarryTheirMetaAndEmptyTilesAreMarked) {
  TempDir dir;
  TestRaster spec;
  spec.width = 100;
  spec.height = 70;
  spec.block = 32;
  spec.nodata = 0;
  spec.nodata_rects = {{0, 0, 32, 32}};  // exactly the first core
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  GstHarness* h = gst_harness_new("r4krastersrc");
  g_object_set(h->element, "location", (dir / "in.tif").c_str(), "tile-size", 40u, "halo", 4, nullptr);
  gst_harness_play(h);
  std::vector<int> covered(100 * 70, 0);
  int count = -1;
  for (int i = 0;; ++i) {
    GstBuffer* buffer = gst_harness_pull(h);
    ASSERT_NE(buffer, nullptr);
    const r4k::TileMeta* meta = r4k::pipeline::get_tile_meta(buffer);
    ASSERT_NE(meta, nullptr);
    EXPECT_EQ(meta->index, i);
    count = meta->count;
    EXPECT_EQ(meta->image_width, 100);
    EXPECT_EQ(meta->image_height, 70);
    EXPECT_EQ(meta->core.width % 32 == 0 || meta->core.right() == 100, true);
    EXPECT_TRUE(meta->window.contains(meta->core));
    EXPECT_EQ(gst_buffer_get_size(buffer), (r4k::RasterTileShape{3, meta->window.width, meta->window.height, false}.bytes()));
    EXPECT_EQ(meta->empty, i == 0) << "tile " << i;
    // Copies keep the meta (queues, tees).
    GstBuffer* copy = gst_buffer_copy(buffer);
    ASSERT_NE(r4k::pipeline::get_tile_meta(copy), nullptr);
    EXPECT_EQ(*r4k::pipeline::get_tile_meta(copy), *meta);
    gst_buffer_unref(copy);
    for (int y = meta->core.y; y < meta->core.bottom(); ++y) {
      for (int x = meta->core.x; x < meta->core.right(); ++x) ++covered[static_cast<std::size_t>(y * 100 + x)];
    }
    gst_buffer_unref(buffer);
    if (i + 1 == count) break;
  }
  EXPECT_EQ(count, 4 * 3);  // cores of 32 (40 - 2*4 rounded to blocks): 4 columns, 3 rows
  for (int c : covered) ASSERT_EQ(c, 1);
  gst_harness_teardown(h);
}

// Tiles with the model's receptive field as halo give what one window over
// the whole image gives: bit for bit with a classical filter, within one
// code with a neural model (Winograd rounding, docs/architecture.md).
TEST_F(RasterElements, TiledOutputEqualsWholeImageInference) {
  TempDir dir;
  TestRaster spec;
  spec.width = 150;
  spec.height = 110;
  spec.block = 16;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  r4k::testing::EspcnSpec espcn;
  espcn.scale = 2;
  espcn.channels = 3;
  r4k::testing::write_espcn(espcn, dir / "espcn.onnx");
  for (const std::string& model : {(dir / "espcn.onnx").string(), std::string("builtin:bicubic-x2")}) {
    upscale(dir / "in.tif", dir / "tiled.tif", model, {"tile-size=40"});
    upscale(dir / "in.tif", dir / "whole.tif", model, {"tile-size=4096"});
    for (int band = 1; band <= 3; ++band) {
      const auto tiled = r4k::testing::read_band(dir / "tiled.tif", band);
      const auto whole = r4k::testing::read_band(dir / "whole.tif", band);
      ASSERT_EQ(tiled.size(), 300u * 220u);
      if (model.rfind("builtin:", 0) == 0) {
        ASSERT_EQ(tiled, whole) << model << " band " << band;
      } else {
        // A neural model's Winograd layers round differently where a window
        // starts elsewhere on their 4x4 tile grid: within one code, rarely.
        std::size_t differing = 0;
        for (std::size_t i = 0; i < tiled.size(); ++i) {
          ASSERT_LE(std::abs(static_cast<double>(tiled[i]) - static_cast<double>(whole[i])), 1.0) << model << " band " << band;
          differing += tiled[i] != whole[i] ? 1 : 0;
        }
        EXPECT_LT(differing, tiled.size() / 100) << model << " band " << band;
      }
    }
    // And the upscaled values follow the input (not a constant image).
    const auto input = r4k::testing::read_band(dir / "in.tif", 1);
    const auto output = r4k::testing::read_band(dir / "whole.tif", 1);
    double error = 0.0;
    for (int y = 0; y < 110; ++y) {
      for (int x = 0; x < 150; ++x) {
        error += std::abs(output[static_cast<std::size_t>((2 * y) * 300 + 2 * x)] - input[static_cast<std::size_t>(y * 150 + x)]);
      }
    }
    if (model == "builtin:bicubic-x2") {
      EXPECT_LT(error / (150 * 110), 200.0);
    }
  }
}

TEST_F(RasterElements, GeoreferenceBandsAndTypeAreKeptWithThePixelSizeScaled) {
  TempDir dir;
  TestRaster spec;
  spec.nodata = 0;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  upscale(dir / "in.tif", dir / "out.tif", "builtin:lanczos-x3", {"tile-size=100"});
  const auto in = r4k::testing::summarise_raster(dir / "in.tif");
  const auto out = r4k::testing::summarise_raster(dir / "out.tif");
  EXPECT_EQ(out.width, in.width * 3);
  EXPECT_EQ(out.height, in.height * 3);
  EXPECT_EQ(out.data_type, "UInt16");
  ASSERT_TRUE(out.has_geotransform);
  EXPECT_DOUBLE_EQ(out.geotransform[0], in.geotransform[0]);
  EXPECT_DOUBLE_EQ(out.geotransform[3], in.geotransform[3]);
  EXPECT_DOUBLE_EQ(out.geotransform[1], in.geotransform[1] / 3);
  EXPECT_DOUBLE_EQ(out.geotransform[5], in.geotransform[5] / 3);
  EXPECT_EQ(out.crs_wkt, in.crs_wkt);
  EXPECT_FALSE(out.crs_wkt.empty());
  EXPECT_EQ(out.nodata, in.nodata);
  EXPECT_EQ(out.descriptions, in.descriptions);
  EXPECT_EQ(out.colours, in.colours);
  EXPECT_EQ(out.offsets, in.offsets);
  EXPECT_EQ(out.scales, in.scales);
  EXPECT_EQ(out.units, in.units);
  EXPECT_EQ(out.metadata("ACQUISITION"), "2026-06-01");
  EXPECT_EQ(out.metadata("SENSOR", "R4K_TEST"), "test-sensor");
  EXPECT_EQ(out.metadata("RESTORE4K_SCALE"), "3");
  EXPECT_EQ(out.compression, "DEFLATE");
  // Nothing but the output is left in the folder.
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_TRUE(entry.path().filename() == "in.tif" || entry.path().filename() == "out.tif") << entry.path();
  }
}

TEST_F(RasterElements, NodataStaysNodataAndValidPixelsNeverBecomeNodata) {
  TempDir dir;
  TestRaster spec;
  spec.width = 96;
  spec.height = 64;
  spec.block = 16;
  spec.nodata = 0;
  spec.max_value = 300;
  spec.nodata_rects = {{0, 0, 32, 32}, {50, 20, 7, 5}};
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  upscale(dir / "in.tif", dir / "out.tif", "builtin:bicubic-x2", {"tile-size=32", "range=0,300"});
  const auto input = r4k::testing::read_band(dir / "in.tif", 2);
  const auto output = r4k::testing::read_band(dir / "out.tif", 2);
  for (int y = 0; y < 128; ++y) {
    for (int x = 0; x < 192; ++x) {
      const bool nodata_in = input[static_cast<std::size_t>((y / 2) * 96 + x / 2)] == 0.0;
      const bool nodata_out = output[static_cast<std::size_t>(y * 192 + x)] == 0.0;
      ASSERT_EQ(nodata_out, nodata_in) << x << "," << y;
    }
  }
}

TEST_F(RasterElements, CloudOptimisedOutputHasOverviewsAndTheLayout) {
  TempDir dir;
  TestRaster spec;
  spec.width = 300;
  spec.height = 280;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  upscale(dir / "in.tif", dir / "out.tif", "builtin:bicubic-x2", {}, {"format=cog", "compress=zstd"});
  const auto out = r4k::testing::summarise_raster(dir / "out.tif");
  EXPECT_EQ(out.layout, "COG");
  EXPECT_EQ(out.compression, "ZSTD");
  EXPECT_GE(out.overviews, 1);
  EXPECT_EQ(out.width, 600);
}

TEST_F(RasterElements, ModelForThreeChannelsGivenOneBandIsAnInputError) {
  TempDir dir;
  TestRaster spec;
  spec.bands = 1;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  r4k::testing::EspcnSpec espcn;
  espcn.scale = 2;
  espcn.channels = 3;
  r4k::testing::write_espcn(espcn, dir / "espcn.onnx");
  try {
    upscale(dir / "in.tif", dir / "out.tif", (dir / "espcn.onnx").string(), {});
    FAIL() << "expected an error";
  } catch (const r4k::InputError& error) {
    EXPECT_NE(std::string(error.what()).find("3 channel"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(dir / "out.tif"));
}

struct RealRaster {
  const char* file;
  const char* bands;
};

TEST_F(RasterElements, RealGeoTiffsKeepTheirGeoreference) {
  for (const RealRaster real : {RealRaster{"RGB.byte.tif", ""}, RealRaster{"mosaic_cog1.tif", ""},
                                RealRaster{"rgbn.tif", "4,3,2"}}) {
    const fs::path input = r4k::testing::shared_dir() / "data" / "raster" / real.file;
    R4K_REQUIRE_SHARED(input);
    TempDir dir;
    std::vector<std::string> properties{"tile-size=200"};
    if (*real.bands != '\0') properties.push_back(std::string("bands=") + real.bands);
    upscale(input, dir / "out.tif", "builtin:bicubic-x2", properties);
    const auto in = r4k::testing::summarise_raster(input);
    const auto out = r4k::testing::summarise_raster(dir / "out.tif");
    EXPECT_EQ(out.width, in.width * 2) << real.file;
    EXPECT_EQ(out.height, in.height * 2) << real.file;
    EXPECT_EQ(out.data_type, in.data_type) << real.file;
    EXPECT_EQ(out.crs_wkt, in.crs_wkt) << real.file;
    EXPECT_DOUBLE_EQ(out.geotransform[0], in.geotransform[0]) << real.file;
    EXPECT_DOUBLE_EQ(out.geotransform[3], in.geotransform[3]) << real.file;
    EXPECT_DOUBLE_EQ(out.geotransform[1], in.geotransform[1] / 2) << real.file;
    EXPECT_DOUBLE_EQ(out.geotransform[5], in.geotransform[5] / 2) << real.file;
    if (*real.bands == '\0') {
      EXPECT_EQ(out.nodata, in.nodata) << real.file;
    } else {
      EXPECT_EQ(out.descriptions[0], in.descriptions[3]) << real.file;
      EXPECT_EQ(out.colours[0], in.colours[3]) << real.file;
    }
  }
}

}  // namespace
