// Nothing silently lost, for rasters: every band of 1-, 3-, 4- and 8-band
// GeoTIFFs comes out under 1- and 3-channel models and classical filters,
// with its metadata; a dataset mask stays a mask; blocks that cannot be read
// become nodata, are listed, and the job exits with code 4.
#include <gtest/gtest.h>

#include <gdal.h>

#include <cmath>
#include <fstream>
#include <map>

#include "tests/support/command_runner.hpp"
#include "tests/support/raster_fixtures.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/test_paths.hpp"

namespace {

namespace fs = std::filesystem;
using r4k::testing::Outcome;
using r4k::testing::TempDir;
using r4k::testing::TestRaster;

Outcome restore4k(const std::vector<std::string>& arguments) {
  return r4k::testing::run_command(R4K_EXECUTABLE, arguments);
}

// Every band's own metadata is the input's.
void expect_band_metadata_kept(const fs::path& in, const fs::path& out) {
  const auto a = r4k::testing::summarise_raster(in);
  const auto b = r4k::testing::summarise_raster(out);
  EXPECT_EQ(b.bands, a.bands);
  EXPECT_EQ(b.data_type, a.data_type);
  EXPECT_EQ(b.descriptions, a.descriptions);
  EXPECT_EQ(b.colours, a.colours);
  EXPECT_EQ(b.nodata, a.nodata);
  EXPECT_EQ(b.offsets, a.offsets);
  EXPECT_EQ(b.scales, a.scales);
  EXPECT_EQ(b.units, a.units);
}

struct Models {
  fs::path luma;  // 1 channel in, 1 out
  fs::path rgb;   // 3 channels
};

Models write_models(const TempDir& dir) {
  r4k::testing::EspcnSpec luma;
  luma.scale = 2;
  luma.channels = 1;
  r4k::testing::write_espcn(luma, dir / "luma.onnx");
  r4k::testing::EspcnSpec rgb = luma;
  rgb.channels = 3;
  rgb.seed = 5;
  r4k::testing::write_espcn(rgb, dir / "rgb.onnx");
  return {dir / "luma.onnx", dir / "rgb.onnx"};
}

TestRaster small_raster(int bands) {
  TestRaster spec;
  spec.width = 64;
  spec.height = 48;
  spec.block = 16;
  spec.bands = bands;
  spec.nodata = 0;
  spec.nodata_rects = {{0, 0, 8, 8}};
  return spec;
}

TEST(RasterFidelity, EveryBandComesOutUnderOneAndThreeChannelModelsAndFilters) {
  TempDir dir;
  const Models models = write_models(dir);
  for (int bands : {1, 3, 4, 8}) {
    TestRaster spec = small_raster(bands);
    // Four bands: colour interpretation that is not in band order.
    if (bands == 4) spec.colours = {"Blue", "Green", "Red", "Undefined"};
    const fs::path in = dir / ("in" + std::to_string(bands) + ".tif");
    r4k::testing::write_test_raster(spec, in);
    for (const std::string& model : {models.luma.string(), models.rgb.string(), std::string("builtin:bicubic-x2")}) {
      SCOPED_TRACE(std::to_string(bands) + " band(s), model " + model);
      const fs::path out = dir / "out.tif";
      fs::remove(out);
      const Outcome run = restore4k({"raster", in.string(), out.string(), "--model", model, "--range", "0,5000"});
      if (bands == 1 && model == models.rgb.string()) {
        EXPECT_EQ(run.exit_code, 2) << run.output;
        EXPECT_NE(run.output.find("the model takes 3 channels but the raster has 1 band"), std::string::npos)
            << run.output;
        EXPECT_FALSE(fs::exists(out));
        continue;
      }
      ASSERT_EQ(run.exit_code, 0) << run.output;
      expect_band_metadata_kept(in, out);
      const auto summary = r4k::testing::summarise_raster(out);
      std::string all;
      for (int b = 1; b <= bands; ++b) all += (b > 1 ? "," : "") + std::to_string(b);
      EXPECT_EQ(summary.metadata("RESTORE4K_SOURCE_BANDS"), all);
      if (model == models.rgb.string()) {
        // By colour interpretation where the bands have one, else the first three.
        EXPECT_EQ(summary.metadata("RESTORE4K_MODEL_BANDS"), bands == 4 ? "3,2,1" : "1,2,3");
        EXPECT_EQ(summary.metadata("RESTORE4K_CLASSICAL_BANDS"), bands == 3   ? ""
                                                                 : bands == 4 ? "4"
                                                                              : "4,5,6,7,8");
        if (bands > 3) {
          EXPECT_NE(run.output.find("upscaled with the classical filter and kept"), std::string::npos) << run.output;
        }
      }
      if (model == models.luma.string()) {
        std::string groups;
        for (int b = 1; b <= bands; ++b) groups += (b > 1 ? ";" : "") + std::to_string(b);
        EXPECT_EQ(summary.metadata("RESTORE4K_MODEL_BANDS"), groups);
      }
    }
  }
}

// A 1-channel model upscales each band on its own: band k of the whole run
// is the run on band k alone, and not what the classical filter gives.
TEST(RasterFidelity, OneChannelModelUpscalesEveryBandOnItsOwn) {
  TempDir dir;
  const Models models = write_models(dir);
  const fs::path in = dir / "in.tif";
  r4k::testing::write_test_raster(small_raster(3), in);
  const auto run = [&](const std::string& model, const std::vector<std::string>& extra, const fs::path& out) {
    std::vector<std::string> arguments{"raster", in.string(), out.string(), "--model", model, "--range", "0,5000"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    const Outcome outcome = restore4k(arguments);
    EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
  };
  run(models.luma.string(), {}, dir / "all.tif");
  run("builtin:bicubic-x2", {}, dir / "bicubic.tif");
  for (int band = 1; band <= 3; ++band) {
    SCOPED_TRACE(band);
    const fs::path alone = dir / ("band" + std::to_string(band) + ".tif");
    run(models.luma.string(), {"--bands", std::to_string(band)}, alone);
    EXPECT_EQ(r4k::testing::summarise_raster(alone).bands, 1);
    const auto whole = r4k::testing::read_band(dir / "all.tif", band);
    EXPECT_EQ(whole, r4k::testing::read_band(alone, 1));
    EXPECT_NE(whole, r4k::testing::read_band(dir / "bicubic.tif", band));
  }
}

// A 3-channel model on a 4-band scene: the fourth band is the classical
// filter's (the same values as a bicubic run), unless the user drops it.
TEST(RasterFidelity, BandsTheModelDoesNotTakeAreUpscaledClassicallyOrDroppedOnRequest) {
  TempDir dir;
  const Models models = write_models(dir);
  const fs::path in = dir / "in.tif";
  TestRaster spec = small_raster(4);
  spec.colours = {"Red", "Green", "Blue", "Undefined"};
  r4k::testing::write_test_raster(spec, in);
  const std::vector<std::string> common{"--range", "0,5000", "--tile", "40"};
  auto arguments = [&](const std::string& model, const fs::path& out, std::vector<std::string> extra) {
    std::vector<std::string> all{"raster", in.string(), out.string(), "--model", model};
    all.insert(all.end(), common.begin(), common.end());
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  };
  Outcome outcome = restore4k(arguments(models.rgb.string(), dir / "rgb.tif", {}));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  outcome = restore4k(arguments("builtin:bicubic-x2", dir / "bicubic.tif", {}));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_EQ(r4k::testing::read_band(dir / "rgb.tif", 4), r4k::testing::read_band(dir / "bicubic.tif", 4));
  EXPECT_NE(r4k::testing::read_band(dir / "rgb.tif", 1), r4k::testing::read_band(dir / "bicubic.tif", 1));

  outcome = restore4k(arguments(models.rgb.string(), dir / "dropped.tif", {"--other-bands", "drop"}));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("band(s) 4 are left out"), std::string::npos) << outcome.output;
  const auto dropped = r4k::testing::summarise_raster(dir / "dropped.tif");
  EXPECT_EQ(dropped.bands, 3);
  EXPECT_EQ(dropped.metadata("RESTORE4K_SOURCE_BANDS"), "1,2,3");
  EXPECT_EQ(r4k::testing::read_band(dir / "dropped.tif", 1), r4k::testing::read_band(dir / "rgb.tif", 1));

  // The case: a luma model on an RGB scene keeps all three bands.
  const fs::path espcn = r4k::testing::shared_dir() / "models" / "third_party" / "ESPCN_x2.pb";
  if (fs::exists(espcn)) {
    outcome = restore4k({"raster", in.string(), (dir / "espcn.tif").string(), "--model", espcn.string()});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
    EXPECT_EQ(r4k::testing::summarise_raster(dir / "espcn.tif").bands, 4);
  }
}

TEST(RasterFidelity, ADatasetMaskStaysAMaskBand) {
  TempDir dir;
  TestRaster spec = small_raster(3);
  spec.nodata.reset();
  spec.nodata_rects.clear();
  spec.mask_rects = {{10, 6, 20, 12}};
  const fs::path in = dir / "in.tif";
  r4k::testing::write_test_raster(spec, in);
  int in_flags = 0;
  const auto in_mask = r4k::testing::read_mask(in, &in_flags);
  ASSERT_EQ(in_flags, GMF_PER_DATASET);
  for (const char* format : {"gtiff", "cog"}) {
    SCOPED_TRACE(format);
    const fs::path out = dir / (std::string(format) + ".tif");
    const Outcome outcome =
        restore4k({"raster", in.string(), out.string(), "--model", "builtin:bicubic-x2", "--format", format});
    ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
    EXPECT_EQ(r4k::testing::summarise_raster(out).bands, 3) << "the mask is not a data band";
    int flags = 0;
    const auto mask = r4k::testing::read_mask(out, &flags);
    EXPECT_EQ(flags, GMF_PER_DATASET);
    ASSERT_EQ(mask.size(), in_mask.size() * 4);
    std::size_t wrong = 0;
    for (int y = 0; y < 96; ++y) {
      for (int x = 0; x < 128; ++x) {
        wrong += mask[static_cast<std::size_t>(y * 128 + x)] !=
                 in_mask[static_cast<std::size_t>((y / 2) * 64 + x / 2)];
      }
    }
    EXPECT_EQ(wrong, 0u);
    for (const auto& entry : fs::directory_iterator(dir.path())) {
      EXPECT_EQ(entry.path().extension(), ".tif") << "no side files: " << entry.path();
    }
  }
}

TEST(RasterFidelity, UnreadableBlocksBecomeNodataAreListedAndExitWithFour) {
  TempDir dir;
  TestRaster spec;
  spec.width = 128;
  spec.height = 128;
  spec.block = 32;
  spec.bands = 1;
  spec.nodata = 0;
  const fs::path sound = dir / "sound.tif";
  const fs::path damaged = dir / "damaged.tif";
  r4k::testing::write_test_raster(spec, sound);
  r4k::testing::write_test_raster(spec, damaged);
  r4k::testing::corrupt_block(damaged, 1, 1, 2);  // pixels 32..63 x 64..95
  const std::vector<std::string> options{"--model", "builtin:bicubic-x2", "--tile", "64", "--range", "0,5000"};
  auto arguments = [&](const fs::path& in, const fs::path& out) {
    std::vector<std::string> all{"raster", in.string(), out.string()};
    all.insert(all.end(), options.begin(), options.end());
    return all;
  };
  Outcome outcome = restore4k(arguments(sound, dir / "sound_x2.tif"));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  outcome = restore4k(arguments(damaged, dir / "damaged_x2.tif"));
  EXPECT_EQ(outcome.exit_code, 4) << outcome.output;
  EXPECT_NE(outcome.output.find("damaged.tif: tile"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("32x32+32+64 could not be read"), std::string::npos) << outcome.output;
  ASSERT_TRUE(fs::exists(dir / "damaged_x2.tif")) << "the output holds all it could give";
  EXPECT_FALSE(r4k::testing::summarise_raster(dir / "damaged_x2.tif").metadata("RESTORE4K_DAMAGED_TILES").empty());
  const auto good = r4k::testing::read_band(dir / "sound_x2.tif", 1);
  const auto bad = r4k::testing::read_band(dir / "damaged_x2.tif", 1);
  ASSERT_EQ(good.size(), bad.size());
  std::size_t nodata_inside = 0;
  std::size_t differ_far = 0;
  for (int y = 0; y < 256; ++y) {
    for (int x = 0; x < 256; ++x) {
      const std::size_t i = static_cast<std::size_t>(y * 256 + x);
      if (x >= 64 && x < 128 && y >= 128 && y < 192) nodata_inside += bad[i] == 0.0;
      // Beyond the filter's reach of the block, nothing changed.
      const bool far = x < 56 || x >= 136 || y < 120 || y >= 200;
      if (far) differ_far += bad[i] != good[i];
    }
  }
  EXPECT_EQ(nodata_inside, 64u * 64u);
  EXPECT_EQ(differ_far, 0u);

  // In a batch the file is "damaged", not "done", and the batch exits with 4.
  fs::create_directories(dir / "batch_in");
  fs::create_directories(dir / "batch_out");
  fs::copy_file(damaged, dir / "batch_in" / "a.tif");
  fs::copy_file(sound, dir / "batch_in" / "b.tif");
  std::vector<std::string> batch{"batch", (dir / "batch_in" / "*.tif").string(), (dir / "batch_out").string()};
  batch.insert(batch.end(), options.begin(), options.end());
  outcome = restore4k(batch);
  EXPECT_EQ(outcome.exit_code, 4) << outcome.output;
  std::ifstream report(dir / "batch_out" / "restore4k-batch-report.json");
  const std::string json((std::istreambuf_iterator<char>(report)), std::istreambuf_iterator<char>());
  EXPECT_NE(json.find("\"damaged\": 1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"status\": \"damaged\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"status\": \"done\""), std::string::npos) << json;
}

}  // namespace
