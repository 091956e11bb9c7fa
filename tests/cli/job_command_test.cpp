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

// ---- AutoTune: the switch, the record's algorithms, models tune

// Runs restore4k with its AutoTune cache in `cache` (XDG_CACHE_HOME), so
// that what a run measures and keeps is this test's alone.
Outcome restore4k_cached(const std::vector<std::string>& arguments, const fs::path& cache) {
  return r4k::testing::run_command(R4K_EXECUTABLE, arguments,
                                   "XDG_CACHE_HOME=" + r4k::testing::shell_quote(cache.string()));
}

std::string text_of(const fs::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The items of a record's engine.algorithms (one a line, "    - LAYER@SHAPE=ALGORITHM").
std::vector<std::string> recorded_items(const fs::path& record) {
  std::vector<std::string> items;
  const std::string text = text_of(record);
  static const std::regex item(R"(\n +- ([^\n=@]+@[0-9x]+=[A-Za-z0-9._-]+))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), item); it != std::sregex_iterator(); ++it) {
    items.push_back((*it)[1].str());
  }
  return items;
}

// A small SRVGG (16 features: its 3x3 layers can run Winograd) and an 8-bit
// raster it upscales in 32-pixel tiles.
void write_tune_inputs(const TempDir& dir) {
  r4k::testing::SrvggSpec model;
  model.scale = 2;
  model.features = 16;
  model.convs = 2;
  r4k::testing::write_srvgg(model, dir / "m.onnx");
  r4k::testing::TestRaster raster;
  raster.width = 96;
  raster.height = 64;
  raster.data_type = "Byte";
  raster.max_value = 250;
  raster.block = 32;
  r4k::testing::write_test_raster(raster, dir / "in.tif");
}

// engine.autotune: false in a job file reaches the engine: nothing is
// measured, so nothing is cached; on (the default), the cache fills.
TEST(JobCommandAutotune, OffInAJobFileMeasuresNothingAndOnFillsTheCache) {
  TempDir dir;
  write_tune_inputs(dir);
  std::ofstream(dir / "off.yaml") << "kind: raster\ninput: in.tif\noutput: off.tif\nmodel: m.onnx\n"
                                     "engine:\n  tile: 32\n  autotune: false\n";
  const Outcome off = restore4k_cached({"run", (dir / "off.yaml").string()}, dir / "cache");
  ASSERT_EQ(off.exit_code, 0) << off.output;
  EXPECT_FALSE(fs::exists(dir / "cache" / "restore4k" / "autotune.yaml")) << "autotune off measured and cached";
  EXPECT_NE(text_of(dir / "off.tif.job.yaml").find("autotune: false"), std::string::npos);
  std::ofstream(dir / "on.yaml") << "kind: raster\ninput: in.tif\noutput: on.tif\nmodel: m.onnx\nengine:\n  tile: 32\n";
  const Outcome on = restore4k_cached({"run", (dir / "on.yaml").string()}, dir / "cache");
  ASSERT_EQ(on.exit_code, 0) << on.output;
  EXPECT_NE(text_of(dir / "cache" / "restore4k" / "autotune.yaml").find("conv_1@"), std::string::npos);
}

// The record holds the algorithms the run ran; running it again pins them:
// a record tampered to pin an algorithm no machine offers fails, naming
// the layer and the record; a resumed job and a shard read the record
// beside their output the same way, a fresh run does not.
TEST(JobCommandAutotune, TheRecordPinsTheAlgorithmsItsRunRanForARerunAResumeAndAShard) {
  TempDir dir;
  write_tune_inputs(dir);
  std::ofstream(dir / "job.yaml") << "kind: raster\ninput: in.tif\noutput: out.tif\nmodel: m.onnx\n"
                                     "engine:\n  tile: 32\n";
  const Outcome first = restore4k_cached({"run", (dir / "job.yaml").string()}, dir / "cache");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const fs::path record = dir / "out.tif.job.yaml";
  const std::vector<std::string> items = recorded_items(record);
  ASSERT_FALSE(items.empty()) << text_of(record);
  // Every 3x3 layer of the model at the tiles' shape (32x32 windows) is there.
  for (const char* layer : {"conv_0@1x3x32x32=", "conv_1@1x16x32x32=", "conv_2@1x16x32x32=", "conv_3@1x16x32x32="}) {
    EXPECT_NE(text_of(record).find(layer), std::string::npos) << layer << " not recorded:\n" << text_of(record);
  }
  // The record runs again as it is, pinned, to the same pixels.
  fs::rename(dir / "out.tif", dir / "first.tif");
  const Outcome again = restore4k_cached({"run", record.string()}, dir / "cache");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(r4k::testing::read_band(dir / "out.tif", 1), r4k::testing::read_band(dir / "first.tif", 1));
  EXPECT_EQ(recorded_items(record), items);  // the same choices, recorded again

  // Tampered: one layer at the tiles' shape pinned to what nothing offers.
  const std::string original = text_of(record);
  const std::string tampered =
      std::regex_replace(original, std::regex(R"(conv_2@1x16x32x32=[A-Za-z0-9._-]+)"), "conv_2@1x16x32x32=winograd-f9-b1");
  ASSERT_NE(tampered, original);
  std::ofstream(dir / "tampered.yaml") << tampered;
  const Outcome refused = restore4k_cached({"run", (dir / "tampered.yaml").string()}, dir / "cache");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("tampered.yaml: engine.algorithms pins layer conv_2@1x16x32x32 to algorithm "
                                "'winograd-f9-b1', which this machine cannot run"),
            std::string::npos)
      << refused.output;

  // The tampered pins beside the output: a resume and a shard take them and
  // fail the same way; a fresh run of the job measures and succeeds.
  std::ofstream(record) << tampered;
  fs::remove(dir / "out.tif");
  const Outcome resumed =
      restore4k_cached({"run", (dir / "job.yaml").string(), "--set", "raster.resume=true"}, dir / "cache");
  EXPECT_EQ(resumed.exit_code, 2) << resumed.output;
  EXPECT_NE(resumed.output.find("the engine.algorithms of the job record '" + record.string() +
                                "' pins layer conv_2@1x16x32x32 to algorithm 'winograd-f9-b1'"),
            std::string::npos)
      << resumed.output;
  // (What the failed resume left is for a whole-raster run: gone before the shard.)
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename().string().rfind(".out.tif", 0) == 0) fs::remove_all(entry.path());
  }
  const Outcome shard = restore4k_cached({"run", (dir / "job.yaml").string(), "--set", "raster.shards=2", "--set",
                                          "raster.shard=0"},
                                         dir / "cache");
  EXPECT_EQ(shard.exit_code, 2) << shard.output;
  EXPECT_NE(shard.output.find("pins layer conv_2@1x16x32x32 to algorithm 'winograd-f9-b1'"), std::string::npos)
      << shard.output;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename().string().rfind(".out.tif", 0) == 0) fs::remove_all(entry.path());
  }
  const Outcome fresh = restore4k_cached({"run", (dir / "job.yaml").string()}, dir / "cache");
  EXPECT_EQ(fresh.exit_code, 0) << fresh.output;
}

// The command line writes no record for a plain run, but a shard leaves one
// beside the output, and the next shard pins what it says (shards on other
// machines run the same algorithms): tampered, the next shard fails naming it.
TEST(JobCommandAutotune, ACommandLineShardLeavesTheRecordTheNextShardPins) {
  TempDir dir;
  write_tune_inputs(dir);
  const std::string in = (dir / "in.tif").string();
  const std::string out = (dir / "out.tif").string();
  const fs::path record = dir / "out.tif.job.yaml";
  const Outcome plain = restore4k_cached({"raster", in, (dir / "plain.tif").string(), "--model", (dir / "m.onnx").string(),
                                          "--tile", "32"},
                                         dir / "cache");
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_FALSE(fs::exists(dir / "plain.tif.job.yaml"));
  const Outcome first = restore4k_cached({"raster", in, out, "--model", (dir / "m.onnx").string(), "--tile", "32",
                                          "--shards", "2", "--shard", "0"},
                                         dir / "cache");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_TRUE(fs::exists(record)) << first.output;
  EXPECT_NE(text_of(record).find("conv_2@1x16x32x32="), std::string::npos) << text_of(record);
  const std::string tampered = std::regex_replace(text_of(record), std::regex(R"(conv_2@1x16x32x32=[A-Za-z0-9._-]+)"),
                                                  "conv_2@1x16x32x32=winograd-f9-b1");
  std::ofstream(record) << tampered;
  const Outcome second = restore4k_cached({"raster", in, out, "--model", (dir / "m.onnx").string(), "--tile", "32",
                                           "--shards", "2", "--shard", "1"},
                                          dir / "cache");
  EXPECT_EQ(second.exit_code, 2) << second.output;
  EXPECT_NE(second.output.find("the engine.algorithms of the job record '" + record.string() +
                               "' pins layer conv_2@1x16x32x32 to algorithm 'winograd-f9-b1'"),
            std::string::npos)
      << second.output;
}

// A pin that is not LAYER@SHAPE=ALGORITHM is refused where it is written.
TEST(JobCommandAutotune, AMalformedPinIsRefusedAtItsLine) {
  TempDir dir;
  write_tune_inputs(dir);
  std::ofstream(dir / "job.yaml") << "kind: raster\ninput: in.tif\noutput: out.tif\nmodel: m.onnx\n"
                                     "engine:\n  algorithms:\n    - conv_1@1x16x32x32=direct\n    - conv_2=direct\n";
  const Outcome run = restore4k({"validate", (dir / "job.yaml").string()});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("job.yaml:8:7: engine.algorithms: expected LAYER@SHAPE=ALGORITHM items such as "
                            "conv1@1x64x128x128=winograd-f4-b24 (one, or a list of them), found 'conv_2=direct' in the list"),
            std::string::npos)
      << run.output;
}

// models tune fills the cache with the model's choices at the tiles given,
// prints them and the cache file; a second run reports the same choices.
TEST(ModelsTune, FillsTheCacheWithTheModelsChoicesAndASecondRunReportsTheSame) {
  TempDir dir;
  write_tune_inputs(dir);
  const Outcome first = restore4k_cached({"models", "tune", (dir / "m.onnx").string(), "--tile", "48"}, dir / "cache");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  std::smatch sha;
  const std::string printed = first.output;
  ASSERT_TRUE(std::regex_search(printed, sha, std::regex("sha256:  ([0-9a-f]{64})"))) << printed;
  const fs::path cache = dir / "cache" / "restore4k" / "autotune.yaml";
  EXPECT_NE(printed.find("cache:   " + cache.string()), std::string::npos) << printed;
  const std::string cached = text_of(cache);
  // Each 3x3 layer at the 48x48 tile, printed with its choice and cached
  // under this model's checksum with the same choice.
  for (const char* entry : {"conv_0@1x3x48x48", "conv_1@1x16x48x48", "conv_2@1x16x48x48", "conv_3@1x16x48x48"}) {
    std::smatch choice;
    ASSERT_TRUE(std::regex_search(printed, choice, std::regex(std::string(entry) + " +([A-Za-z0-9-]+)\n")))
        << entry << " not printed:\n" << printed;
    EXPECT_NE(cached.find("|" + sha[1].str() + "|" + entry + ": " + choice[1].str()), std::string::npos)
        << entry << " " << choice[1].str() << " not cached:\n" << cached;
  }
  const Outcome second = restore4k_cached({"models", "tune", (dir / "m.onnx").string(), "--tile", "48"}, dir / "cache");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  const auto choices = [](const std::string& output) { return output.substr(output.find("model:")); };
  EXPECT_EQ(choices(second.output), choices(first.output));
}

}  // namespace
