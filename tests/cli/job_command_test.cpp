// `restore4k validate` and `restore4k run` on job files: the same workflows
// as the commands, all mistakes at once with their places, a dry run whose
// pipeline gst-launch-1.0 runs.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <regex>

#include "tests/support/command_runner.hpp"
#include "tests/support/raster_fixtures.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/test_paths.hpp"

namespace {

namespace fs = std::filesystem;
using r4k::testing::Outcome;
using r4k::testing::TempDir;

Outcome restore4k(const std::vector<std::string>& arguments) {
  return r4k::testing::run_command(R4K_EXECUTABLE, arguments);
}

TEST(JobCommand, RasterJobRunsLikeTheRasterCommand) {
  TempDir dir;
  r4k::testing::TestRaster spec;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  std::ofstream(dir / "job.yaml") << "kind: raster\ninput: in.tif\noutput: out.tif\nmodel: builtin:bicubic-x2\n"
                                     "engine:\n  tile: 100\nraster:\n  compress: lzw\n";
  const Outcome validate = restore4k({"validate", (dir / "job.yaml").string()});
  EXPECT_EQ(validate.exit_code, 0) << validate.output;
  const Outcome run = restore4k({"run", (dir / "job.yaml").string()});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // The same file as `restore4k raster` with the same settings.
  const Outcome direct = restore4k({"raster", (dir / "in.tif").string(), (dir / "direct.tif").string(), "--model",
                                    "builtin:bicubic-x2", "--tile", "100", "--compress", "lzw"});
  ASSERT_EQ(direct.exit_code, 0) << direct.output;
  for (int band = 1; band <= 3; ++band) {
    EXPECT_EQ(r4k::testing::read_band(dir / "out.tif", band), r4k::testing::read_band(dir / "direct.tif", band));
  }
  EXPECT_EQ(r4k::testing::summarise_raster(dir / "out.tif").compression, "LZW");
}

TEST(JobCommand, BatchOfVideosFromAListOfInputs) {
  if (!r4k::testing::program_available("ffmpeg") || !r4k::testing::program_available("ffprobe")) {
    GTEST_SKIP() << "ffmpeg or ffprobe missing (scripts/setup.sh installs them)";
  }
  TempDir dir;
  fs::create_directories(dir / "reels");
  fs::create_directories(dir / "out");
  for (const char* name : {"reels/a.mp4", "reels/b.mp4", "c.mp4"}) {
    const auto made = r4k::testing::run_command(
        "ffmpeg", {"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-t", "0.2", "-c:v", "libx264",
                   "-pix_fmt", "yuv420p", (dir / name).string()});
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  std::ofstream(dir / "job.yaml") << "kind: batch\noutput: out\nmodel: builtin:bicubic-x2\nbatch:\n  item: video\n"
                                     "  inputs: [\"reels/*.mp4\", c.mp4]\n  jobs: 2\nvideo:\n  deflicker: true\n"
                                     "  encoder: prores\n";
  const Outcome dry = restore4k({"run", (dir / "job.yaml").string(), "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_NE(dry.output.find("3 file(s)"), std::string::npos) << dry.output;
  EXPECT_NE(dry.output.find("r4krestore"), std::string::npos) << dry.output;
  // What the run would convert is said before it, as shell comments.
  EXPECT_NE(dry.output.find("# ProRes 422 HQ stores 10-bit 4:2:2: yuv420p is written as"), std::string::npos)
      << dry.output;
  const Outcome run = restore4k({"run", (dir / "job.yaml").string()});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const char* name : {"a.mov", "b.mov", "c.mov"}) {
    const auto width = r4k::testing::run_command(
        "ffprobe", {"-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width", "-of", "csv=p=0",
                    (dir / "out" / name).string()});
    EXPECT_EQ(width.output.substr(0, 3), "128") << name << ": " << width.output;
  }
  std::ifstream report(dir / "out" / "restore4k-batch-report.json");
  const std::string json{std::istreambuf_iterator<char>(report), std::istreambuf_iterator<char>()};
  EXPECT_NE(json.find("\"done\": 3"), std::string::npos) << json;
  // Run again: everything is there already.
  const Outcome again = restore4k({"run", (dir / "job.yaml").string()});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  std::ifstream report2(dir / "out" / "restore4k-batch-report.json");
  const std::string json2{std::istreambuf_iterator<char>(report2), std::istreambuf_iterator<char>()};
  EXPECT_NE(json2.find("\"skipped\": 3"), std::string::npos) << json2;
}

// The examples of config/examples run as written (the quick ones; film-4k
// takes minutes and is validated by the unit tests).
TEST(JobCommand, ExamplesRunAsWritten) {
  const fs::path examples = fs::path(R4K_SOURCE_DIR) / "config" / "examples";
  if (!fs::exists(r4k::testing::shared_dir() / "data/film/chaplin.mp4") ||
      !fs::exists(r4k::testing::shared_dir() / "data/raster")) {
    GTEST_SKIP() << "shared test data missing (the examples read ../shared/data)";
  }
  fs::create_directories("/tmp/restore4k-example-batch");  // as the batch example's comment says
  for (const char* name : {"raster-x2.yaml", "video-x2.yaml", "batch-x2.yaml"}) {
    const Outcome run = restore4k({"run", (examples / name).string(), "--progress", "plain"});
    EXPECT_EQ(run.exit_code, 0) << name << ": " << run.output;
  }
  EXPECT_TRUE(fs::exists("/tmp/restore4k-example-mosaic_x2.tif"));
  EXPECT_TRUE(fs::exists("/tmp/restore4k-example-film_x2.mkv"));
  EXPECT_TRUE(fs::exists("/tmp/restore4k-example-batch/restore4k-batch-report.json"));
}

TEST(JobCommand, PresetAndOverridesRunAndLeaveARecordThatRunsAgain) {
  TempDir dir;
  r4k::testing::TestRaster spec;
  spec.width = 90;
  spec.height = 70;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  r4k::testing::EspcnSpec espcn;
  espcn.scale = 2;
  espcn.channels = 3;
  r4k::testing::write_espcn(espcn, dir / "m.onnx");
  fs::create_directories(dir / "jobs");
  std::ofstream(dir / "jobs" / "job.yaml") << "extends: satellite-x4\ninput: ../in.tif\noutput: ../out.tif\n";
  const Outcome run = restore4k({"run", (dir / "jobs" / "job.yaml").string(), "--set", "model=../m.onnx", "--set",
                                 "raster.format=gtiff"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto out = r4k::testing::summarise_raster(dir / "out.tif");
  EXPECT_EQ(out.width, 180);  // x2: the override, not the preset's x4 model
  EXPECT_EQ(out.layout, "");  // gtiff: the override, not the preset's cog
  EXPECT_EQ(out.compression, "ZSTD");  // from the preset
  // The record: resolved, absolute, with the model's checksum; it runs again.
  const fs::path record = dir / "out.tif.job.yaml";
  std::ifstream in(record);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_TRUE(std::regex_search(text, std::regex("# model sha256: [0-9a-f]{64}\n"))) << text;
  EXPECT_NE(text.find("input: " + (dir / "in.tif").string()), std::string::npos) << text;
  EXPECT_NE(text.find("compress: zstd"), std::string::npos) << text;
  fs::rename(dir / "out.tif", dir / "first.tif");
  const Outcome again = restore4k({"run", record.string()});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(r4k::testing::read_band(dir / "out.tif", 2), r4k::testing::read_band(dir / "first.tif", 2));
}

TEST(JobCommand, ProgressAsJsonLinesForPrograms) {
  TempDir dir;
  r4k::testing::TestRaster spec;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  std::ofstream(dir / "job.yaml") << "kind: raster\ninput: in.tif\noutput: out.tif\nengine:\n  tile: 64\n";
  const Outcome run = restore4k({"run", (dir / "job.yaml").string(), "--progress", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(
      run.output, match,
      std::regex(R"re(\{"event":"finished","unit":"tile","done":(\d+),"total":(\d+),"seconds":[0-9.]+,"rate":[0-9.]+,"eta":[^}]*\})re")))
      << run.output;
  EXPECT_GT(std::stoi(match[1]), 1);
  fs::create_directories(dir / "batch");
  const Outcome batch = restore4k({"batch", (dir / "*.tif").string(), (dir / "batch").string(), "--progress", "json"});
  ASSERT_EQ(batch.exit_code, 0) << batch.output;
  EXPECT_NE(batch.output.find(R"({"event":"finished","unit":"file","done":2,"total":2,)"), std::string::npos)
      << batch.output;
  EXPECT_EQ(restore4k({"raster", (dir / "in.tif").string(), (dir / "x.tif").string(), "--progress", "xml"}).exit_code,
            2);
}

TEST(JobCommand, InvalidJobReportsEveryMistakeAndRunsNothing) {
  TempDir dir;
  std::ofstream(dir / "job.yaml") << "kind: raster\ninput: missing.tif\noutput: out.tif\nengine:\n  tiel: 3\n"
                                     "raster:\n  format: geotiff\n";
  for (const char* command : {"validate", "run"}) {
    const Outcome outcome = restore4k({command, (dir / "job.yaml").string()});
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    const std::string job = (dir / "job.yaml").string();
    EXPECT_NE(outcome.output.find(job + ":2:8: input: file"), std::string::npos) << outcome.output;
    EXPECT_NE(outcome.output.find(job + ":5:3: engine.tiel: unknown key 'tiel': did you mean 'tile'?"),
              std::string::npos)
        << outcome.output;
    EXPECT_NE(outcome.output.find(job + ":7:11: raster.format: expected one of gtiff, cog, found 'geotiff'"),
              std::string::npos)
        << outcome.output;
    EXPECT_NE(outcome.output.find("3 problem(s)"), std::string::npos) << outcome.output;
  }
  EXPECT_FALSE(fs::exists(dir / "out.tif"));
}

TEST(JobCommand, DryRunPrintsTheResolvedJobAndALineGstLaunchRuns) {
  if (!r4k::testing::program_available("gst-launch-1.0")) GTEST_SKIP() << "gst-launch-1.0 missing";
  TempDir dir;
  r4k::testing::TestRaster spec;
  r4k::testing::write_test_raster(spec, dir / "in put.tif");  // a space in the name
  std::ofstream(dir / "job.yaml") << "kind: raster\ninput: in put.tif\noutput: out.tif\nmodel: builtin:lanczos-x2\n";
  const Outcome dry = restore4k({"run", (dir / "job.yaml").string(), "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_NE(dry.output.find("tiles_in_flight: 4"), std::string::npos) << dry.output;  // defaults filled in
  EXPECT_FALSE(fs::exists(dir / "out.tif"));
  const auto line_start = dry.output.find("gst-launch-1.0 ");
  ASSERT_NE(line_start, std::string::npos) << dry.output;
  const std::string line = dry.output.substr(line_start, dry.output.find('\n', line_start) - line_start);
  const Outcome run = r4k::testing::run_command(
      "/bin/sh", {"-c", std::string("GST_PLUGIN_PATH=") + R4K_PLUGIN_DIR + " " + line});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(r4k::testing::summarise_raster(dir / "out.tif").width, 2 * spec.width);
}

}  // namespace
