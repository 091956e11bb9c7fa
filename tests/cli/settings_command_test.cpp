// Settings as a new user meets them: every command refuses a bad value the
// same way (exit 2, the option and its allowed range named, nothing
// written), `validate` refuses what `run` would refuse, and mistakes in job
// files, presets, commands and options get messages a user understands.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

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

bool has(const Outcome& outcome, const std::string& text) { return outcome.output.find(text) != std::string::npos; }

bool media_tools() { return r4k::testing::program_available("ffmpeg"); }

fs::path make_clip(const TempDir& dir, const std::string& name) {
  const fs::path path = dir / name;
  const auto made = r4k::testing::run_command(
      "ffmpeg", {"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-t", "0.2", "-c:v",
                 "libx264", "-pix_fmt", "yuv420p", path.string()});
  EXPECT_EQ(made.exit_code, 0) << made.output;
  return path;
}

// Every command that runs a job refuses --tile -5 and --threads -1 by name,
// with the range, before any work; a batch does so even when its outputs
// exist (it used to call them "skipped" and exit 0).
TEST(SettingsCommand, EveryCommandRefusesAnOutOfRangeValueTheSameWay) {
  TempDir dir;
  r4k::testing::TestRaster spec;
  spec.width = 64;
  spec.height = 48;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  fs::create_directories(dir / "out");
  std::ofstream(dir / "out" / "in.tif") << "an earlier output";
  const Outcome chart = restore4k({"sample-image", (dir / "in.png").string(), "--width", "64", "--height", "48"});
  ASSERT_EQ(chart.exit_code, 0) << chart.output;
  std::vector<std::vector<std::string>> commands = {
      {"image", (dir / "in.png").string(), (dir / "out.png").string()},
      {"raster", (dir / "in.tif").string(), (dir / "out.tif").string()},
      {"batch", (dir / "*.tif").string(), (dir / "out").string()},
  };
  if (media_tools()) commands.push_back({"video", make_clip(dir, "in.mp4").string(), (dir / "out.mkv").string()});
  for (const auto& command : commands) {
    for (const auto& [option, value, range] :
         {std::tuple<std::string, std::string, std::string>{"--tile", "-5", "from 0 to 16384"},
          {"--threads", "-1", "from 0 to 1024"}}) {
      std::vector<std::string> arguments = command;
      arguments.push_back(option);
      arguments.push_back(value);
      const Outcome run = restore4k(arguments);
      SCOPED_TRACE(command[0] + " " + option + " " + value);
      EXPECT_EQ(run.exit_code, 2) << run.output;
      EXPECT_TRUE(has(run, option + ": expected an integer " + range + (option == "--tile" ? " px" : "") +
                               ", found " + value + " (out of range)"))
          << run.output;
      EXPECT_FALSE(has(run, "GLib")) << run.output;
    }
  }
  EXPECT_FALSE(fs::exists(dir / "out.png"));
  EXPECT_FALSE(fs::exists(dir / "out.tif"));
  EXPECT_FALSE(fs::exists(dir / "out.mkv"));
}

// --autotune takes a boolean (on/off): anything else is refused by name,
// with what it takes, before any work.
TEST(SettingsCommand, AnAutotuneThatIsNeitherOnNorOffIsRefused) {
  TempDir dir;
  ASSERT_EQ(restore4k({"sample-image", (dir / "in.png").string(), "--width", "64", "--height", "48"}).exit_code, 0);
  const Outcome run = restore4k({"image", (dir / "in.png").string(), (dir / "out.png").string(), "--model",
                                 "builtin:bicubic-x2", "--autotune", "maybe"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(has(run, "--autotune: expected true or false, found 'maybe'")) << run.output;
  EXPECT_FALSE(fs::exists(dir / "out.png"));
  const Outcome off = restore4k({"image", (dir / "in.png").string(), (dir / "off.png").string(), "--model",
                                 "builtin:bicubic-x2", "--autotune", "off"});
  EXPECT_EQ(off.exit_code, 0) << off.output;
  EXPECT_TRUE(fs::exists(dir / "off.png"));
}

// A tile with no core is refused once, without a warning about a negative core.
TEST(SettingsCommand, ATileSmallerThanItsHaloIsOneClearError) {
  TempDir dir;
  ASSERT_EQ(restore4k({"sample-image", (dir / "in.png").string(), "--width", "64", "--height", "48"}).exit_code, 0);
  const Outcome run = restore4k({"image", (dir / "in.png").string(), (dir / "out.png").string(), "--model",
                                 "builtin:film-x4", "--tile", "3"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(has(run, "tile size 3 is too small for halo")) << run.output;
  EXPECT_FALSE(has(run, "cores of -")) << run.output;
  EXPECT_FALSE(fs::exists(dir / "out.png"));
}

// `validate` runs the checks `run` would make before work: a job it passes starts.
TEST(SettingsCommand, ValidateRefusesWhatRunWouldRefuse) {
  TempDir dir;
  r4k::testing::TestRaster spec;
  spec.width = 64;
  spec.height = 48;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  fs::create_directories(dir / "locked");
  fs::permissions(dir / "locked", fs::perms::owner_read | fs::perms::owner_exec);
  struct Case {
    std::string job;
    std::string expected;
  };
  std::vector<Case> cases = {
      {"kind: raster\ninput: in.tif\noutput: in.tif\n", "in.tif' is the input file"},
      {"kind: raster\ninput: in.tif\noutput: x.png\n", "x.png"},
      {"kind: raster\ninput: in.tif\noutput: nowhere/x.tif\n", "nowhere' does not exist"},
      {"kind: raster\ninput: in.tif\noutput: locked/x.tif\n", "is not writable"},
      {"kind: raster\ninput: in.tif\noutput: x.tif\nraster:\n  bands: 1,9\n", "band 9"},
  };
  if (media_tools()) {
    make_clip(dir, "v.mp4");
    cases.push_back({"kind: video\ninput: v.mp4\noutput: v-out.mp4\nvideo:\n  encoder: ffv1\n", ".mp4"});
    cases.push_back({"kind: video\ninput: v.mp4\noutput: v-out.mkv\nmodel: builtin:bicubic-x2\nvideo:\n  fit: 32x24\n",
                     "32x24"});
  }
  const bool root = ::geteuid() == 0;  // root writes anywhere: the permission case cannot fail there
  for (const Case& c : cases) {
    if (root && c.expected == "is not writable") continue;
    SCOPED_TRACE(c.job);
    std::ofstream(dir / "job.yaml") << c.job;
    const Outcome validate = restore4k({"validate", (dir / "job.yaml").string()});
    EXPECT_EQ(validate.exit_code, 2) << validate.output;
    EXPECT_TRUE(has(validate, c.expected)) << validate.output;
    const Outcome run = restore4k({"run", (dir / "job.yaml").string()});
    EXPECT_EQ(run.exit_code, 2) << run.output;
  }
  fs::permissions(dir / "locked", fs::perms::owner_all);
  EXPECT_FALSE(fs::exists(dir / "x.tif"));
  EXPECT_FALSE(fs::exists(dir / "x.png"));
}

// A batch makes its output folder; validate says it will.
TEST(SettingsCommand, ABatchMakesItsOutputFolder) {
  TempDir dir;
  r4k::testing::TestRaster spec;
  spec.width = 64;
  spec.height = 48;
  r4k::testing::write_test_raster(spec, dir / "a.tif");
  std::ofstream(dir / "job.yaml") << "kind: batch\noutput: made/here\nbatch:\n  inputs: \"*.tif\"\n";
  const Outcome validate = restore4k({"validate", (dir / "job.yaml").string()});
  EXPECT_EQ(validate.exit_code, 0) << validate.output;
  EXPECT_TRUE(has(validate, "does not exist yet: the batch makes it")) << validate.output;
  EXPECT_FALSE(fs::exists(dir / "made"));
  const Outcome run = restore4k({"run", (dir / "job.yaml").string()});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(fs::exists(dir / "made" / "here" / "a.tif"));
  // ** walks folders when validating too (POSIX glob would read it as *).
  fs::create_directories(dir / "deep" / "a" / "b");
  r4k::testing::write_test_raster(spec, dir / "deep" / "a" / "b" / "c.tif");
  std::ofstream(dir / "deep.yaml") << "kind: batch\noutput: out2\nbatch:\n  inputs: \"deep/**/*.tif\"\n";
  const Outcome deep = restore4k({"validate", (dir / "deep.yaml").string()});
  EXPECT_EQ(deep.exit_code, 0) << deep.output;
  std::ofstream(dir / "none.yaml") << "kind: batch\noutput: out2\nbatch:\n  inputs: \"deep/**/*.png\"\n";
  const Outcome none = restore4k({"validate", (dir / "none.yaml").string()});
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_TRUE(has(none, "no files match")) << none.output;
}

// Mistakes named as the user typed them.
TEST(SettingsCommand, MistakesGetMessagesAUserUnderstands) {
  TempDir dir;
  r4k::testing::TestRaster spec;
  spec.width = 64;
  spec.height = 48;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  const std::string in = (dir / "in.tif").string();
  const std::string out = (dir / "out.tif").string();

  Outcome run = restore4k({"raster", in, out, "--preset", "satelite-x4"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(has(run, "--preset satelite-x4: extends: no preset 'satelite-x4': did you mean 'satellite-x4'?"))
      << run.output;
  EXPECT_FALSE(has(run, "line")) << run.output;
  run = restore4k({"raster", in, out, "--preset", "film-4k"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(has(run, "preset 'film-4k' is for video jobs; this is a raster job")) << run.output;
  EXPECT_TRUE(has(run, "1 problem(s)")) << "the preset's video keys are not each a mistake too: " << run.output;

  run = restore4k({"batch", "--bogus"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(has(run, "restore4k batch: unknown option '--bogus'")) << run.output;
  EXPECT_FALSE(has(run, "is required")) << run.output;
  run = restore4k({"batch", (dir / "*.tif").string(), (dir / "o").string(), "-j2", "--dry-run"});
  EXPECT_EQ(run.exit_code, 0) << "a short option with its value attached is known: " << run.output;
  run = restore4k({"raster", in, out, "--tiel", "64"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(has(run, "unknown option '--tiel': did you mean '--tile'?")) << run.output;
  run = restore4k({"nosuch", "--help"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(has(run, "restore4k: unknown command 'nosuch'")) << run.output;
  run = restore4k({"rastr", in, out});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(has(run, "did you mean 'raster'?")) << run.output;

  std::ofstream(dir / "tab.yaml") << "kind: raster\ninput: in.tif\noutput: out.tif\nengine:\n\ttile: 64\n";
  run = restore4k({"validate", (dir / "tab.yaml").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(has(run, "tab.yaml:5:1: a tab in the indentation: YAML indents with spaces only")) << run.output;
  {
    std::ofstream huge(dir / "huge.yaml");
    const std::string line(99, '#');
    for (int i = 0; i < 96000; ++i) huge << line << "\n";
  }
  run = restore4k({"validate", (dir / "huge.yaml").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(has(run, "huge.yaml: is 9375 KiB: a job file is a few lines of YAML")) << run.output;

  std::ofstream(dir / "text.pb") << "not a graph\n";
  run = restore4k({"models", "info", (dir / "text.pb").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(has(run, "is not a model OpenCV DNN can read")) << run.output;
  EXPECT_FALSE(has(run, "netBinSize")) << run.output;
  EXPECT_FALSE(fs::exists(out));
}

// A command is a job: the command's pipeline is the job file's.
TEST(SettingsCommand, ACommandBuildsTheSameJobAsAJobFile) {
  TempDir dir;
  r4k::testing::TestRaster spec;
  spec.width = 64;
  spec.height = 48;
  r4k::testing::write_test_raster(spec, dir / "in.tif");
  const Outcome command = restore4k({"raster", (dir / "in.tif").string(), (dir / "out.tif").string(), "--tile", "64",
                                     "--halo", "auto", "--compress", "zstd", "--format", "cog", "--dry-run"});
  ASSERT_EQ(command.exit_code, 0) << command.output;
  std::ofstream(dir / "job.yaml") << "kind: raster\ninput: in.tif\noutput: out.tif\nengine:\n  tile: 64\n  halo: -1\n"
                                     "raster:\n  compress: zstd\n  format: cog\n";
  const Outcome file = restore4k({"run", (dir / "job.yaml").string(), "--dry-run"});
  ASSERT_EQ(file.exit_code, 0) << file.output;
  const std::string line = command.output.substr(command.output.find("r4krastersrc"));
  EXPECT_NE(file.output.find(line), std::string::npos) << command.output << "\n---\n" << file.output;
}

}  // namespace
