// End-to-end tests of `restore4k raster` and `restore4k batch`: real
// processes, real GeoTIFFs, kills and restarts.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/support/command_runner.hpp"
#include "tests/support/raster_fixtures.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/file_bytes.hpp"
#include "tests/support/test_paths.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using r4k::testing::Outcome;
using r4k::testing::TempDir;
using r4k::testing::read_bytes;
using r4k::testing::TestRaster;

Outcome run(const std::vector<std::string>& arguments, const std::string& environment = {}) {
  return r4k::testing::run_command(R4K_EXECUTABLE, arguments, environment);
}


int count_lines(const fs::path& path) {
  std::ifstream file(path);
  int lines = 0;
  std::string line;
  while (std::getline(file, line)) ++lines;
  return lines;
}

// restore4k started in the background, killed when a condition holds.
class Background {
 public:
  explicit Background(const std::vector<std::string>& arguments, const fs::path& log) {
    std::vector<std::string> argv{R4K_EXECUTABLE};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    std::vector<char*> pointers;
    for (auto& item : argv) pointers.push_back(item.data());
    pointers.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    EXPECT_EQ(posix_spawn(&pid_, R4K_EXECUTABLE, &actions, nullptr, pointers.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Background() {
    if (pid_ > 0) kill_now();
  }
  // Waits until `ready` holds (true) or the process ends first (false).
  bool wait_for(const std::function<bool()>& ready, double timeout_seconds = 120) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < std::chrono::duration<double>(timeout_seconds)) {
      if (ready()) return true;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  void kill_now() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

fs::path journal_of(const fs::path& output) {
  return output.parent_path() / ("." + output.filename().string() + ".r4k-journal");
}

// A model slow enough that a run lasts seconds (kills land mid-run).
fs::path slow_model(const TempDir& dir) {
  r4k::testing::SrvggSpec spec;
  spec.scale = 2;
  spec.features = 32;
  spec.convs = 6;
  r4k::testing::write_srvgg(spec, dir / "m.onnx");
  return dir / "m.onnx";
}

int tiles_in(const std::string& output) {
  std::smatch match;
  if (!std::regex_search(output, match, std::regex(R"(\((\d+) tiles in)"))) return -1;
  return std::stoi(match[1]);
}

TEST(RasterCommand, UpscalesKeepingTheGeoreferenceAndReportsPeakMemory) {
  TempDir dir;
  TestRaster spec;
  spec.nodata = 0;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  const Outcome outcome = run({"raster", (dir / "in.tif").string(), (dir / "out.tif").string(), "--model",
                               "builtin:bicubic-x2", "--format", "cog", "--compress", "lzw"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("peak memory"), std::string::npos) << outcome.output;
  const auto out = r4k::testing::summarise_raster(dir / "out.tif");
  const auto in = r4k::testing::summarise_raster(dir / "in.tif");
  EXPECT_EQ(out.width, 2 * in.width);
  EXPECT_DOUBLE_EQ(out.geotransform[1], in.geotransform[1] / 2);
  EXPECT_EQ(out.crs_wkt, in.crs_wkt);
  EXPECT_EQ(out.layout, "COG");
  EXPECT_EQ(out.compression, "LZW");
  const Outcome dry = run({"raster", (dir / "in.tif").string(), (dir / "x.tif").string(), "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_NE(dry.output.find("r4krastersrc"), std::string::npos) << dry.output;
  EXPECT_FALSE(fs::exists(dir / "x.tif"));
}

TEST(RasterCommand, ResumeAfterAKillIsByteIdenticalToAnUninterruptedRun) {
  TempDir dir;
  TestRaster spec;
  spec.width = 1024;
  spec.height = 960;  // seconds of work even on a fast machine: the kill lands mid-run
  spec.block = 32;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  const fs::path model = slow_model(dir);
  const std::vector<std::string> common{"--model", model.string(), "--tile", "64", "--compress", "deflate"};
  auto arguments = [&](const fs::path& output) {
    std::vector<std::string> a{"raster", (dir / "in.tif").string(), output.string(), "--resume"};
    a.insert(a.end(), common.begin(), common.end());
    return a;
  };
  const Outcome reference = run(arguments(dir / "ref.tif"));
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  const int total = tiles_in(reference.output);
  ASSERT_GT(total, 100) << reference.output;

  const fs::path output = dir / "out.tif";
  {
    Background job(arguments(output), dir / "killed.log");
    // Killed (no chance to clean up) once some tiles are on record.
    ASSERT_TRUE(job.wait_for([&] { return count_lines(journal_of(output)) >= 3 + 5; }))
        << "the run ended before its journal recorded tiles: " << read_bytes(dir / "killed.log");
    job.kill_now();
  }
  EXPECT_FALSE(fs::exists(output)) << "a killed run must not leave the final name";
  EXPECT_TRUE(fs::exists(journal_of(output)));

  const Outcome resumed = run(arguments(output));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  const int redone = tiles_in(resumed.output);
  EXPECT_GT(redone, 0) << resumed.output;
  EXPECT_LT(redone, total) << "the resumed run recomputed every tile: " << resumed.output;
  EXPECT_EQ(read_bytes(output), read_bytes(dir / "ref.tif"));
  EXPECT_FALSE(fs::exists(journal_of(output)));
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename().string().find("r4k-"), std::string::npos) << entry.path();
  }
}

TEST(RasterCommandBadInput, EachBadInputGetsAClearErrorAndNoOutput) {
  TempDir dir;
  TestRaster spec;
  r4k::testing::write_test_raster(spec, dir / "good.tif");
  std::ofstream(dir / "text.tif") << "not a raster at all\n";
  {
    const std::string bytes = read_bytes(dir / "good.tif");
    std::ofstream(dir / "truncated.tif", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  TestRaster one_band = spec;
  one_band.bands = 1;
  r4k::testing::write_test_raster(one_band, dir / "grey.tif");
  r4k::testing::EspcnSpec espcn;
  espcn.scale = 2;
  espcn.channels = 3;
  r4k::testing::write_espcn(espcn, dir / "rgb.onnx");

  struct Case {
    std::vector<std::string> arguments;
    std::string expected;
  };
  const std::string out = (dir / "out.tif").string();
  const std::vector<Case> cases{
      {{"raster", (dir / "missing.tif").string(), out}, "missing.tif' does not exist"},
      {{"raster", (dir / "text.tif").string(), out}, "text.tif: not a raster"},
      {{"raster", (dir / "truncated.tif").string(), out}, "truncated.tif"},
      {{"raster", (dir / "good.tif").string(), out, "--bands", "1,7"}, "band 7 does not exist"},
      {{"raster", (dir / "grey.tif").string(), out, "--model", (dir / "rgb.onnx").string()}, "3 channel"},
      {{"raster", (dir / "good.tif").string(), (dir / "no" / "out.tif").string()}, "does not exist"},
      {{"raster", (dir / "good.tif").string(), (dir / "good.tif").string()}, "is the input file"},
      {{"raster", (dir / "good.tif").string(), out, "--range", "9,1"}, "range '9,1'"},
  };
  for (const Case& c : cases) {
    const Outcome outcome = run(c.arguments);
    EXPECT_NE(outcome.exit_code, 0) << c.arguments[1];
    EXPECT_LT(outcome.exit_code, 128) << "crashed on " << c.arguments[1] << ": " << outcome.output;
    EXPECT_NE(outcome.output.find(c.expected), std::string::npos) << outcome.output;
    EXPECT_FALSE(fs::exists(out)) << c.arguments[1];
  }
  EXPECT_EQ(read_bytes(dir / "good.tif").empty(), false);
}

TEST(RasterCommandBadInput, NoGeoreferenceWarnsAndKeepsThePixelGrid) {
  TempDir dir;
  TestRaster spec;
  spec.georeferenced = false;
  r4k::testing::write_test_raster(spec, dir / "plain.tif");
  const Outcome outcome = run({"raster", (dir / "plain.tif").string(), (dir / "out.tif").string()});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("no georeference"), std::string::npos) << outcome.output;
  const auto out = r4k::testing::summarise_raster(dir / "out.tif");
  EXPECT_FALSE(out.has_geotransform);
  EXPECT_TRUE(out.crs_wkt.empty());
  EXPECT_EQ(out.width, 2 * spec.width);
}

// A full disk, simulated with a file size limit (SIGXFSZ ignored, so writes
// fail with EFBIG as they would with ENOSPC).
TEST(RasterCommandBadInput, DiskFullWhileWritingLeavesNoFileUnderTheFinalName) {
  TempDir dir;
  TestRaster spec;
  spec.width = 512;
  spec.height = 512;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  const std::string command = "ulimit -f 512; trap '' XFSZ; exec " + r4k::testing::shell_quote(R4K_EXECUTABLE) +
                              " raster " + r4k::testing::shell_quote((dir / "in.tif").string()) + " " +
                              r4k::testing::shell_quote((dir / "out.tif").string());
  const Outcome outcome = r4k::testing::run_command("/bin/bash", {"-c", command});
  EXPECT_NE(outcome.exit_code, 0) << outcome.output;
  EXPECT_LT(outcome.exit_code, 128) << outcome.output;
  EXPECT_NE(outcome.output.find("out.tif"), std::string::npos) << outcome.output;
  EXPECT_FALSE(fs::exists(dir / "out.tif"));
}

// A real full disk: a 1 MiB tmpfs (where the test may mount one: root, or
// a user namespace allowing it; skipped otherwise).
TEST(RasterCommandBadInput, NoSpaceLeftOnATinyFileSystem) {
  TempDir dir;
  fs::create_directories(dir / "tiny");
  const std::string mount = "mount -t tmpfs -o size=1m tmpfs " + r4k::testing::shell_quote((dir / "tiny").string()) +
                            " 2>/dev/null";
  if (std::system(mount.c_str()) != 0) GTEST_SKIP() << "cannot mount a tmpfs here";
  struct Unmount {
    fs::path path;
    ~Unmount() { std::system(("umount " + r4k::testing::shell_quote(path.string())).c_str()); }
  } unmount{dir / "tiny"};
  TestRaster spec;
  spec.width = 512;
  spec.height = 512;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  const Outcome outcome = run({"raster", (dir / "in.tif").string(), (dir / "tiny" / "out.tif").string()});
  EXPECT_NE(outcome.exit_code, 0) << outcome.output;
  EXPECT_LT(outcome.exit_code, 128) << outcome.output;
  EXPECT_NE(outcome.output.find("No space left on device"), std::string::npos) << outcome.output;
  EXPECT_FALSE(fs::exists(dir / "tiny" / "out.tif"));
}

// Files of the batch fixture: two good rasters and two bad ones.
void make_batch_inputs(const fs::path& folder) {
  fs::create_directories(folder);
  TestRaster spec;
  spec.width = 120;
  spec.height = 90;
  for (int i = 0; i < 4; ++i) {
    spec.seed = static_cast<unsigned>(i + 1);
    r4k::testing::write_test_raster(spec, folder / ("good" + std::to_string(i) + ".tif"));
  }
  std::ofstream(folder / "bad-text.tif") << "nothing here";
  const std::string bytes = read_bytes(folder / "good0.tif");
  std::ofstream(folder / "bad-truncated.tif", std::ios::binary) << bytes.substr(0, bytes.size() / 3);
}

TEST(BatchCommand, BadFilesDoNotStopTheOthersAndTheReportSaysWhich) {
  TempDir dir;
  make_batch_inputs(dir / "in");
  fs::create_directories(dir / "out");
  const std::string pattern = (dir / "in" / "*.tif").string();
  const Outcome first = run({"batch", pattern, (dir / "out").string(), "--jobs", "2"});
  EXPECT_EQ(first.exit_code, 3) << first.output;
  const std::string report = read_bytes(dir / "out" / "restore4k-batch-report.json");
  EXPECT_NE(report.find("\"failed\": 2"), std::string::npos) << report;
  EXPECT_NE(report.find("\"done\": 4"), std::string::npos) << report;
  EXPECT_NE(report.find("bad-text.tif: not a raster"), std::string::npos) << report;
  for (int i = 0; i < 4; ++i) {
    const auto out = r4k::testing::summarise_raster(dir / "out" / ("good" + std::to_string(i) + ".tif"));
    EXPECT_EQ(out.width, 240);
  }
  EXPECT_FALSE(fs::exists(dir / "out" / "bad-text.tif"));
  EXPECT_FALSE(fs::exists(dir / "out" / "bad-truncated.tif"));
  // A rerun skips what is done and still reports the failures.
  const Outcome second = run({"batch", pattern, (dir / "out").string()});
  EXPECT_EQ(second.exit_code, 3) << second.output;
  const std::string again = read_bytes(dir / "out" / "restore4k-batch-report.json");
  EXPECT_NE(again.find("\"skipped\": 4"), std::string::npos) << again;
  // A missing output folder is made; one that cannot be is refused before any work.
  std::ofstream(dir / "a-file") << "not a folder";
  const Outcome impossible = run({"batch", pattern, (dir / "a-file" / "out").string()});
  EXPECT_EQ(impossible.exit_code, 2) << impossible.output;
  EXPECT_NE(impossible.output.find("a-file' is a file"), std::string::npos) << impossible.output;
  const Outcome missing = run({"batch", pattern, (dir / "made" / "here").string()});
  EXPECT_EQ(missing.exit_code, 3) << missing.output;  // made, and the bad files fail again
  EXPECT_TRUE(fs::exists(dir / "made" / "here" / "good0.tif"));
}

// dir/**/*.tif walks the folders and the outputs keep them; an existing
// output is skipped only when it carries its job's stamp: a file of garbage,
// an output of other settings or of a changed input is made again; an
// output of a damaged input stays damaged in the report.
TEST(BatchCommand, AnExistingOutputIsSkippedOnlyWhenItIsThisJobsResult) {
  TempDir dir;
  TestRaster spec;
  spec.width = 96;
  spec.height = 64;
  spec.block = 32;
  fs::create_directories(dir / "in" / "a");
  fs::create_directories(dir / "in" / "b" / "c");
  r4k::testing::write_test_raster(spec, dir / "in" / "a" / "one.tif");
  spec.seed = 2;
  r4k::testing::write_test_raster(spec, dir / "in" / "b" / "c" / "two.tif");
  fs::create_directories(dir / "out");
  const std::string pattern = (dir / "in" / "**" / "*.tif").string();
  const auto report_after = [&](const std::vector<std::string>& extra, int exit_code) {
    std::vector<std::string> arguments{"batch", pattern, (dir / "out").string()};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    const Outcome outcome = run(arguments);
    EXPECT_EQ(outcome.exit_code, exit_code) << outcome.output;
    return read_bytes(dir / "out" / "restore4k-batch-report.json") + outcome.output;
  };
  std::string report = report_after({}, 0);
  EXPECT_NE(report.find("\"done\": 2"), std::string::npos) << report;
  const fs::path one = dir / "out" / "a" / "one.tif";
  const fs::path two = dir / "out" / "b" / "c" / "two.tif";
  ASSERT_TRUE(fs::exists(one) && fs::exists(two)) << report;
  EXPECT_EQ(r4k::testing::summarise_raster(one).metadata("RESTORE4K_JOB").size(), 64u);
  report = report_after({}, 0);
  EXPECT_NE(report.find("\"skipped\": 2"), std::string::npos) << report;
  // Garbage under an output's name: made again.
  std::ofstream(one) << "not a raster";
  report = report_after({}, 0);
  EXPECT_NE(report.find("\"done\": 1"), std::string::npos) << report;
  EXPECT_NE(report.find("\"skipped\": 1"), std::string::npos) << report;
  EXPECT_NE(report.find("it cannot be read): made again"), std::string::npos) << report;
  EXPECT_EQ(r4k::testing::summarise_raster(one).width, 192);
  // Other settings: both made again.
  report = report_after({"--model", "builtin:nearest-x2"}, 0);
  EXPECT_NE(report.find("\"done\": 2"), std::string::npos) << report;
  EXPECT_NE(report.find("with other settings): made again"), std::string::npos) << report;
  // A damaged input: its output is recorded as damaged, and stays so on a rerun.
  r4k::testing::corrupt_block(dir / "in" / "a" / "one.tif", 1, 1, 1);
  report = report_after({"--model", "builtin:nearest-x2"}, 4);
  EXPECT_NE(report.find("\"damaged\": 1"), std::string::npos) << report;
  report = report_after({"--model", "builtin:nearest-x2"}, 4);
  EXPECT_NE(report.find("\"damaged\": 1"), std::string::npos) << report;
  EXPECT_NE(report.find("\"skipped\": 1"), std::string::npos) << report;
}

TEST(BatchCommand, ShardsFromFlagsAndClusterVariablesCoverEveryFileOnce) {
  TempDir dir;
  make_batch_inputs(dir / "in");
  const std::string pattern = (dir / "in" / "good*.tif").string();
  fs::create_directories(dir / "out");
  std::map<std::string, int> done;
  for (int shard = 0; shard < 3; ++shard) {
    // Shard 0 by flag, 1 as a Slurm array task resubmitted alone (its own
    // count says 1), 2 as a Kubernetes Indexed Job; the count from --shards.
    std::string environment;
    std::vector<std::string> arguments{"batch", pattern, (dir / "out").string()};
    if (shard == 0) arguments.insert(arguments.end(), {"--shard", "0/3"});
    if (shard > 0) arguments.insert(arguments.end(), {"--shards", "3"});
    if (shard == 1) environment = "SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=1";
    if (shard == 2) environment = "JOB_COMPLETION_INDEX=2";
    const Outcome outcome = run(arguments, environment);
    ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
    const std::string report =
        read_bytes(dir / "out" / ("restore4k-batch-report.shard-" + std::to_string(shard) + "-of-3.json"));
    ASSERT_FALSE(report.empty()) << outcome.output;
    std::regex done_item(R"re("input": "[^"]*/(good\d\.tif)"[^}]*"status": "done")re");
    for (auto it = std::sregex_iterator(report.begin(), report.end(), done_item); it != std::sregex_iterator(); ++it) {
      ++done[(*it)[1]];
    }
  }
  ASSERT_EQ(done.size(), 4u);
  for (const auto& [file, count] : done) EXPECT_EQ(count, 1) << file;
}

TEST(BatchCommand, KilledAndRestartedCompletesWithNothingProcessedTwice) {
  TempDir dir;
  fs::create_directories(dir / "in");
  TestRaster spec;
  spec.width = 640;
  spec.height = 640;
  spec.block = 32;
  for (int i = 0; i < 3; ++i) {
    spec.seed = static_cast<unsigned>(10 + i);
    r4k::testing::write_test_raster(spec, dir / "in" / ("scene" + std::to_string(i) + ".tif"));
  }
  const fs::path model = slow_model(dir);
  auto arguments = [&](const fs::path& folder) {
    return std::vector<std::string>{"batch", (dir / "in" / "*.tif").string(), folder.string(), "--model",
                                    model.string(), "--tile", "64"};
  };
  fs::create_directories(dir / "ref");
  fs::create_directories(dir / "out");
  ASSERT_EQ(run(arguments(dir / "ref")).exit_code, 0);
  {
    Background job(arguments(dir / "out"), dir / "killed.log");
    // Killed once the first file is complete and the second has tiles on record.
    ASSERT_TRUE(job.wait_for([&] {
      return fs::exists(dir / "out" / "scene0.tif") && count_lines(journal_of(dir / "out" / "scene1.tif")) >= 3 + 5;
    })) << read_bytes(dir / "killed.log");
    job.kill_now();
  }
  const Outcome restarted = run(arguments(dir / "out"));
  ASSERT_EQ(restarted.exit_code, 0) << restarted.output;
  const std::string report = read_bytes(dir / "out" / "restore4k-batch-report.json");
  const std::string reference = read_bytes(dir / "ref" / "restore4k-batch-report.json");
  EXPECT_NE(report.find("\"skipped\": 1"), std::string::npos) << report;
  EXPECT_NE(report.find("\"done\": 2"), std::string::npos) << report;
  // scene1 resumed: fewer tiles than a full run of it.
  const std::regex scene1_tiles(R"re(scene1\.tif", "status": "done", "seconds": [0-9.]+, "tiles": (\d+))re");
  std::smatch resumed_match;
  std::smatch full_match;
  ASSERT_TRUE(std::regex_search(report, resumed_match, scene1_tiles)) << report;
  ASSERT_TRUE(std::regex_search(reference, full_match, scene1_tiles)) << reference;
  EXPECT_LT(std::stoi(resumed_match[1]), std::stoi(full_match[1]));
  for (int i = 0; i < 3; ++i) {
    const std::string name = "scene" + std::to_string(i) + ".tif";
    EXPECT_EQ(read_bytes(dir / "out" / name), read_bytes(dir / "ref" / name)) << name;
  }
}

}  // namespace
