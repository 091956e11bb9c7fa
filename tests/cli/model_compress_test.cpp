// restore4k models compress as a user runs it: a QDQ model from the built-in
// calibration set with its measured loss, from a folder, a video and a
// raster of the user's own; clear refusals that leave nothing behind; and
// --precision on the job commands.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>

#include "tests/support/command_runner.hpp"
#include "tests/support/test_paths.hpp"

namespace {

namespace fs = std::filesystem;
using r4k::testing::Outcome;
using r4k::testing::TempDir;

Outcome restore4k(const std::vector<std::string>& arguments) {
  return r4k::testing::run_command(R4K_EXECUTABLE, arguments);
}

bool has(const Outcome& outcome, const std::string& text) { return outcome.output.find(text) != std::string::npos; }

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The "int8 vs fp32" figure of a report line ("  held out  6  55.97 dB ...").
double psnr_of(const Outcome& outcome, const std::string& row) {
  const std::regex line("  " + row + " +[0-9]+ +([0-9.]+) dB");
  std::smatch match;
  return std::regex_search(outcome.output, match, line) ? std::atof(match[1].str().c_str()) : -1.0;
}

TEST(ModelCompress, BuiltinCalibrationWritesAnInt8ModelAndReportsWhatItCosts) {
  TempDir dir;
  const fs::path out = dir / "clean-x2-int8.onnx";
  const Outcome run = restore4k({"models", "compress", "builtin:clean-x2", "-o", out.string(), "--calibration", "builtin",
                                 "--pictures", "8"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(has(run, "10 of 10 convolutions int8")) << run.output;
  EXPECT_GT(psnr_of(run, "calibration"), 40.0) << run.output;
  EXPECT_GT(psnr_of(run, "held out"), 40.0) << run.output;
  EXPECT_TRUE(has(run, "loss")) << run.output;
  EXPECT_FALSE(has(run, "no ground truth")) << "the built-in crops are their own ground truth";
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"clean-x2-int8.onnx"}) << "no temporary file left";

  const Outcome info = restore4k({"models", "info", out.string()});
  ASSERT_EQ(info.exit_code, 0) << info.output;
  EXPECT_TRUE(has(info, "precision:        int8")) << info.output;
  EXPECT_TRUE(has(info, "QuantizeLinear x10")) << info.output;
  EXPECT_TRUE(has(info, "backends:         onednn\n")) << info.output;
  const Outcome fp32 = restore4k({"models", "info", out.string(), "--precision", "fp32"});
  EXPECT_TRUE(has(fp32, "precision:        fp32")) << fp32.output;

  // Compressing it again is refused: it is quantized already.
  const Outcome again = restore4k({"models", "compress", out.string(), "-o", (dir / "twice.onnx").string(),
                                   "--calibration", "builtin"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_TRUE(has(again, "is already a QDQ (quantized) model")) << again.output;
  EXPECT_FALSE(fs::exists(dir / "twice.onnx"));
}

TEST(ModelCompress, TheUsersOwnFolderVideoAndRasterCalibrate) {
  if (!r4k::testing::program_available("ffmpeg") || !r4k::testing::program_available("gdal_translate")) {
    GTEST_SKIP() << "ffmpeg or gdal_translate missing";
  }
  TempDir dir;
  fs::create_directories(dir / "pictures");
  ASSERT_EQ(restore4k({"sample-image", (dir / "pictures" / "a.png").string(), "--width", "160", "--height", "120"}).exit_code, 0);
  ASSERT_EQ(restore4k({"sample-image", (dir / "pictures" / "b.jpg").string(), "--width", "96", "--height", "80"}).exit_code, 0);
  const Outcome clip = r4k::testing::run_command(
      "ffmpeg", {"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10", "-t", "1", "-c:v", "libx264",
                 "-pix_fmt", "yuv420p", (dir / "clip.mp4").string()});
  ASSERT_EQ(clip.exit_code, 0) << clip.output;
  const Outcome raster = r4k::testing::run_command(
      "gdal_translate", {"-q", "-of", "GTiff", (dir / "pictures" / "a.png").string(), (dir / "scene.tif").string()});
  ASSERT_EQ(raster.exit_code, 0) << raster.output;
  for (const std::string source : {(dir / "pictures").string(), (dir / "clip.mp4").string(), (dir / "scene.tif").string()}) {
    SCOPED_TRACE(source);
    const fs::path out = dir / ("m-" + fs::path(source).filename().string() + ".onnx");
    const Outcome run = restore4k({"models", "compress", "builtin:clean-x2", "-o", out.string(), "--calibration", source,
                                   "--crop", "48"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_TRUE(has(run, "(no ground truth)")) << run.output;
    EXPECT_GT(psnr_of(run, "calibration"), 35.0) << run.output;
    EXPECT_TRUE(fs::exists(out));
  }
}

TEST(ModelCompress, BadSourcesAndOutputsAreRefusedAndNothingIsLeft) {
  TempDir dir;
  const fs::path out = dir / "m.onnx";
  const Outcome missing = restore4k({"models", "compress", "builtin:clean-x2", "-o", out.string(), "--calibration",
                                     (dir / "nowhere").string()});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(has(missing, "calibration source '" + (dir / "nowhere").string() + "' does not exist")) << missing.output;
  fs::create_directories(dir / "empty");
  const Outcome empty = restore4k({"models", "compress", "builtin:clean-x2", "-o", out.string(), "--calibration",
                                   (dir / "empty").string()});
  EXPECT_NE(empty.exit_code, 0);
  EXPECT_TRUE(has(empty, "holds no image")) << empty.output;
  const Outcome folder = restore4k({"models", "compress", "builtin:clean-x2", "-o", (dir / "no" / "m.onnx").string(),
                                    "--calibration", "builtin"});
  EXPECT_NE(folder.exit_code, 0);
  EXPECT_TRUE(has(folder, "output folder")) << folder.output;
  const Outcome method = restore4k({"models", "compress", "builtin:clean-x2", "-o", out.string(), "--calibration",
                                    "builtin", "--method", "kl"});
  EXPECT_NE(method.exit_code, 0);
  EXPECT_TRUE(has(method, "--method")) << method.output;
  const Outcome layer = restore4k({"models", "compress", "builtin:clean-x2", "-o", out.string(), "--calibration",
                                   "builtin", "--fp32-layers", "nonesuch"});
  EXPECT_NE(layer.exit_code, 0);
  EXPECT_TRUE(has(layer, "no Conv node 'nonesuch'")) << layer.output;
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"empty"}) << "nothing written";
}

TEST(ModelCompress, PrecisionOnAJobCommandNeverQuantizesSilently) {
  TempDir dir;
  ASSERT_EQ(restore4k({"sample-image", (dir / "in.png").string(), "--width", "40", "--height", "32"}).exit_code, 0);
  const Outcome refused = restore4k({"image", (dir / "in.png").string(), (dir / "out.png").string(), "--model",
                                     "builtin:clean-x2", "--precision", "int8"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(has(refused, "'builtin:clean-x2' is an fp32 model")) << refused.output;
  EXPECT_FALSE(has(refused, "opencv")) << "no fallback to another backend over the refusal: " << refused.output;
  EXPECT_FALSE(fs::exists(dir / "out.png"));
  for (const std::string precision : {"auto", "int8", "fp32"}) {
    const fs::path out = dir / ("out-" + precision + ".png");
    const Outcome run = restore4k({"image", (dir / "in.png").string(), out.string(), "--model", "builtin:clean-x2-int8",
                                   "--precision", precision});
    EXPECT_EQ(run.exit_code, 0) << precision << ": " << run.output;
    EXPECT_TRUE(fs::exists(out)) << precision;
  }
}

}  // namespace

namespace {

// --calibrate-on-input: the model quantized on the job's own input, named by
// the job record and the film plan with its SHA-256, reused by what runs again.
TEST(CalibrateOnInput, ARasterAndAFilmPlanRunTheModelMadeFromTheirInput) {
  if (!r4k::testing::program_available("ffmpeg") || !r4k::testing::program_available("gdal_translate")) {
    GTEST_SKIP() << "ffmpeg or gdal_translate missing";
  }
  TempDir dir;
  ASSERT_EQ(restore4k({"sample-image", (dir / "a.png").string(), "--width", "160", "--height", "120"}).exit_code, 0);
  ASSERT_EQ(r4k::testing::run_command("gdal_translate", {"-q", (dir / "a.png").string(), (dir / "scene.tif").string()}).exit_code, 0);

  const Outcome refused = restore4k({"raster", (dir / "scene.tif").string(), (dir / "x.tif").string(), "--model",
                                     "builtin:clean-x2", "--calibrate-on-input"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(has(refused, "engine.calibrate_on_input makes an int8 model: it needs engine.precision int8")) << refused.output;
  EXPECT_FALSE(fs::exists(dir / "x.tif.int8.onnx"));
  EXPECT_FALSE(fs::exists(dir / "x.tif"));

  const Outcome shard = restore4k({"raster", (dir / "scene.tif").string(), (dir / "s.tif").string(), "--model",
                                   "builtin:clean-x2", "--precision", "int8", "--calibrate-on-input", "--shard", "0/2"});
  EXPECT_NE(shard.exit_code, 0);
  EXPECT_TRUE(has(shard, "the shards of a raster share one calibrated model")) << shard.output;
  EXPECT_FALSE(fs::exists(dir / "s.tif.int8.onnx"));

  std::ofstream(dir / "job.yaml") << "kind: raster\ninput: scene.tif\noutput: out.tif\nmodel: builtin:clean-x2\n"
                                     "engine:\n  precision: int8\n  calibrate_on_input: true\n";
  const Outcome run = restore4k({"run", (dir / "job.yaml").string()});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(has(run, "calibrating builtin:clean-x2 on")) << run.output;
  const fs::path model = dir / "out.tif.int8.onnx";
  ASSERT_TRUE(fs::exists(model));
  const std::string sha = r4k::testing::run_command("sha256sum", {model.string()}).output.substr(0, 64);
  std::ifstream record_file(dir / "out.tif.job.yaml");
  const std::string record((std::istreambuf_iterator<char>(record_file)), std::istreambuf_iterator<char>());
  EXPECT_NE(record.find("# model sha256: " + sha), std::string::npos) << record;
  EXPECT_NE(record.find("model: " + model.string()), std::string::npos) << record;
  EXPECT_NE(record.find("calibrate_on_input: false"), std::string::npos) << record;
  const Outcome again = restore4k({"run", (dir / "out.tif.job.yaml").string()});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_FALSE(has(again, "calibrating")) << "the record's model runs, not a new one";

  const auto made = fs::last_write_time(model);
  const Outcome resumed = restore4k({"raster", (dir / "scene.tif").string(), (dir / "out.tif").string(), "--model",
                                     "builtin:clean-x2", "--precision", "int8", "--calibrate-on-input", "--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_TRUE(has(resumed, "resume: the model calibrated on this input before")) << resumed.output;
  EXPECT_EQ(fs::last_write_time(model), made);

  // A 16-bit scene: the first layer stays fp32, so that the network sees every level.
  ASSERT_EQ(r4k::testing::run_command("gdal_translate", {"-q", "-ot", "UInt16", "-scale", "0", "255", "0", "4095",
                                                         (dir / "scene.tif").string(), (dir / "scene16.tif").string()})
                .exit_code,
            0);
  const Outcome deep = restore4k({"raster", (dir / "scene16.tif").string(), (dir / "out16.tif").string(), "--model",
                                  "builtin:clean-x2", "--precision", "int8", "--calibrate-on-input"});
  ASSERT_EQ(deep.exit_code, 0) << deep.output;
  EXPECT_TRUE(has(deep, "is UInt16: the convolutions reading the model's input stay fp32")) << deep.output;
  EXPECT_TRUE(has(deep, "9 of 10 convolutions int8")) << deep.output;

  const Outcome clip = r4k::testing::run_command(
      "ffmpeg", {"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=10", "-t", "1", "-c:v", "libx264",
                 "-pix_fmt", "yuv420p", (dir / "clip.mp4").string()});
  ASSERT_EQ(clip.exit_code, 0) << clip.output;
  const Outcome plan = restore4k({"video", (dir / "clip.mp4").string(), (dir / "plan").string(), "--plan", "2",
                                  "--precision", "int8", "--calibrate-on-input"});
  ASSERT_EQ(plan.exit_code, 0) << plan.output;
  const fs::path plan_model = dir / "plan" / "restore4k-calibrated-int8.onnx";
  ASSERT_TRUE(fs::exists(plan_model));
  std::ifstream plan_file(dir / "plan" / "restore4k-plan.yaml");
  const std::string plan_text((std::istreambuf_iterator<char>(plan_file)), std::istreambuf_iterator<char>());
  const std::string plan_sha = r4k::testing::run_command("sha256sum", {plan_model.string()}).output.substr(0, 64);
  EXPECT_NE(plan_text.find("model_sha256: " + plan_sha), std::string::npos) << plan_text;
  const Outcome segment = restore4k({"video", (dir / "clip.mp4").string(), (dir / "plan").string(), "--segment", "1"});
  EXPECT_EQ(segment.exit_code, 0) << segment.output;
  EXPECT_FALSE(has(segment, "calibrating")) << segment.output;

  // A 10-bit video: its first layer stays fp32 too.
  const Outcome clip10 = r4k::testing::run_command(
      "ffmpeg", {"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=10", "-t", "0.3", "-c:v", "libx264",
                 "-pix_fmt", "yuv420p10le", (dir / "clip10.mkv").string()});
  ASSERT_EQ(clip10.exit_code, 0) << clip10.output;
  const Outcome video10 = restore4k({"video", (dir / "clip10.mkv").string(), (dir / "out10.mkv").string(), "--precision",
                                     "int8", "--calibrate-on-input"});
  ASSERT_EQ(video10.exit_code, 0) << video10.output;
  EXPECT_TRUE(has(video10, "is 10-bit (yuv420p10le): the convolutions reading the model's input stay fp32")) << video10.output;
  EXPECT_TRUE(fs::exists(dir / "out10.mkv.int8.onnx"));
}

}  // namespace
