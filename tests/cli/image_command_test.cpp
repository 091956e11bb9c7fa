// End-to-end tests of the restore4k program: real processes, real files.
#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "tests/support/command_runner.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/file_bytes.hpp"
#include "tests/support/test_paths.hpp"

namespace {

using r4k::testing::TempDir;
using r4k::testing::read_bytes;
using r4k::testing::write_bytes;
namespace fs = std::filesystem;

using r4k::testing::Outcome;

Outcome run(const std::vector<std::string>& arguments) { return r4k::testing::run_command(R4K_EXECUTABLE, arguments); }



// No output under the final name and no temporary left behind.
void expect_nothing_written(const fs::path& output) {
  EXPECT_FALSE(fs::exists(output)) << output;
  const fs::path folder = output.parent_path();
  if (!fs::is_directory(folder)) return;
  for (const auto& entry : fs::directory_iterator(folder)) {
    EXPECT_EQ(entry.path().filename().string().find("r4k-partial"), std::string::npos) << entry.path();
  }
}

cv::Mat sample_bgr(int width, int height) {
  cv::Mat image(height, width, CV_8UC3);
  cv::randu(image, 0, 256);
  return image;
}

TEST(ImageCommand, DefaultModelUpscalesTheSampleImage) {
  TempDir dir;
  const auto sample = run({"sample-image", (dir / "chart.png").string(), "--width", "96", "--height", "64"});
  ASSERT_EQ(sample.exit_code, 0) << sample.output;
  const auto result = run({"image", (dir / "chart.png").string(), (dir / "chart_x4.png").string()});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const cv::Mat out = cv::imread((dir / "chart_x4.png").string(), cv::IMREAD_UNCHANGED);
  EXPECT_EQ(out.cols, 384);
  EXPECT_EQ(out.rows, 256);
  EXPECT_EQ(out.type(), CV_8UC3);
  // The default is the built-in clean model, not a classical filter.
  const auto difference_to = [&](const std::string& model) {
    const fs::path named = dir / "named.png";
    EXPECT_EQ(run({"image", (dir / "chart.png").string(), named.string(), "--model", model}).exit_code, 0) << model;
    return cv::norm(out, cv::imread(named.string(), cv::IMREAD_UNCHANGED), cv::NORM_INF);
  };
  EXPECT_EQ(difference_to("builtin:clean-x4"), 0.0);
  EXPECT_GT(difference_to("builtin:bicubic-x4"), 0.0);
}

// More threads than the machine has: the cores there are, said, and the same
// picture (thread libraries used to fail at exit with such counts); beyond
// the schema's bound (1024) the count is refused before any work.
TEST(ImageCommand, ThreadCountsAreClampedToTheCores) {
  TempDir dir;
  ASSERT_EQ(run({"sample-image", (dir / "chart.png").string(), "--width", "64", "--height", "48"}).exit_code, 0);
  const auto absurd = run({"image", (dir / "chart.png").string(), (dir / "no.png").string(), "--threads", "100000"});
  EXPECT_EQ(absurd.exit_code, 2) << absurd.output;
  EXPECT_NE(absurd.output.find("--threads: expected an integer from 0 to 1024, found 100000 (out of range)"), std::string::npos) << absurd.output;
  EXPECT_FALSE(fs::exists(dir / "no.png"));
  // AutoTune off in both: another test running at the same time may retune
  // this model in the shared cache between the two runs, and a different
  // algorithm rounds differently (a level here and there).
  const auto many = run({"image", (dir / "chart.png").string(), (dir / "many.png").string(), "--threads", "1000",
                         "--autotune", "false"});
  ASSERT_EQ(many.exit_code, 0) << many.output;
  EXPECT_NE(many.output.find("threads 1000: this machine runs"), std::string::npos) << many.output;
  const auto plain = run({"image", (dir / "chart.png").string(), (dir / "plain.png").string(), "--autotune", "false"});
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_EQ(cv::norm(cv::imread((dir / "many.png").string()), cv::imread((dir / "plain.png").string()), cv::NORM_INF),
            0.0);
}

TEST(ImageCommand, SixteenBitRgbaKeepsDepthAndAlpha) {
  TempDir dir;
  cv::Mat image(20, 30, CV_16UC4);
  cv::randu(image, 0, 65536);
  std::vector<cv::Mat> planes;
  cv::split(image, planes);
  planes[3].setTo(40000);
  cv::merge(planes, image);
  cv::imwrite((dir / "in.png").string(), image);
  const auto result = run({"image", (dir / "in.png").string(), (dir / "out.png").string(), "--model",
                           "builtin:lanczos-x2", "--tile", "16"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const cv::Mat out = cv::imread((dir / "out.png").string(), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(out.type(), CV_16UC4);
  EXPECT_EQ(out.cols, 60);
  std::vector<cv::Mat> out_planes;
  cv::split(out, out_planes);
  double low = 0, high = 0;
  cv::minMaxLoc(out_planes[3], &low, &high);
  EXPECT_EQ(low, 40000);
  EXPECT_EQ(high, 40000);
  // Values beyond 8 bits survive: not all multiples of 257.
  int fine_values = 0;
  for (auto it = out_planes[0].begin<std::uint16_t>(); it != out_planes[0].end<std::uint16_t>(); ++it) {
    if (*it % 257 != 0) ++fine_values;
  }
  EXPECT_GT(fine_values, static_cast<int>(out_planes[0].total() / 2));
}

TEST(ImageCommand, GreyTiffAndJpegWithAnOnnxModel) {
  TempDir dir;
  r4k::testing::SrvggSpec spec;
  spec.features = 8;
  spec.convs = 2;
  spec.scale = 2;
  r4k::testing::write_srvgg(spec, dir / "rgb_x2.onnx");
  cv::Mat grey(30, 40, CV_16UC1);
  cv::randu(grey, 0, 65536);
  cv::imwrite((dir / "grey.tif").string(), grey);
  const auto tiff = run({"image", (dir / "grey.tif").string(), (dir / "grey_x2.tif").string(), "--model",
                         (dir / "rgb_x2.onnx").string()});
  ASSERT_EQ(tiff.exit_code, 0) << tiff.output;
  const cv::Mat out = cv::imread((dir / "grey_x2.tif").string(), cv::IMREAD_UNCHANGED);
  EXPECT_EQ(out.type(), CV_16UC1);
  EXPECT_EQ(out.cols, 80);

  cv::imwrite((dir / "photo.jpg").string(), sample_bgr(40, 30));
  const auto jpeg = run({"image", (dir / "photo.jpg").string(), (dir / "photo_x2.jpg").string(), "--model",
                         (dir / "rgb_x2.onnx").string(), "--tile", "24", "--threads", "1"});
  ASSERT_EQ(jpeg.exit_code, 0) << jpeg.output;
  EXPECT_EQ(cv::imread((dir / "photo_x2.jpg").string()).cols, 80);
}

TEST(ImageCommand, ModelsInfoReportsWhatWasDerived) {
  TempDir dir;
  r4k::testing::SrvggSpec spec;
  spec.features = 8;
  spec.convs = 3;
  r4k::testing::write_srvgg(spec, dir / "m.onnx");
  const auto result = run({"models", "info", (dir / "m.onnx").string()});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("scale:            x4"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("receptive field:  5 px (graph)"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("PRelu x4"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("backends:         onednn, opencv"), std::string::npos) << result.output;
}

TEST(ImageCommand, BenchPrintsThroughputAndPeakShare) {
  TempDir dir;
  r4k::testing::SrvggSpec spec;
  spec.features = 8;
  spec.convs = 2;
  r4k::testing::write_srvgg(spec, dir / "m.onnx");
  const auto result = run({"bench", "--model", (dir / "m.onnx").string(), "--tile", "32", "48", "--seconds", "0.05",
                           "--peak-seconds", "0.05"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("FP32 FMA peak"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("GFLOPS"), std::string::npos);
  EXPECT_NE(result.output.find("\n    48 "), std::string::npos) << result.output;
}

TEST(ImageCommand, BenchAutotuneOnMeasuresAndOffDoesNot) {
  // Every spelling a job file takes: on and yes measure (the cache fills),
  // off does not.
  TempDir dir;
  r4k::testing::SrvggSpec spec;
  spec.features = 16;
  spec.convs = 2;
  r4k::testing::write_srvgg(spec, dir / "m.onnx");
  for (const std::string& word : {"on", "yes", "off"}) {
    const fs::path cache = dir / ("cache-" + word);
    const auto result = r4k::testing::run_command(
        R4K_EXECUTABLE,
        {"bench", "--model", (dir / "m.onnx").string(), "--tile", "32", "--seconds", "0.05", "--peak-seconds", "0",
         "--autotune", word},
        "XDG_CACHE_HOME=" + r4k::testing::shell_quote(cache.string()));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(fs::exists(cache / "restore4k" / "autotune.yaml"), word != "off") << word;
  }
}

// ONEDNN_MAX_CPU_ISA=AVX2 keeps the engine's own kernels (the FMA peak,
// Winograd) and AutoTune's key on AVX2 too, as oneDNN keeps its own.
TEST(ImageCommand, OneDnnsIsaCapKeepsTheEnginesKernelsToo) {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) GTEST_SKIP() << "no AVX2 + FMA on this CPU";
  TempDir dir;
  r4k::testing::SrvggSpec spec;
  spec.features = 16;
  spec.convs = 2;
  r4k::testing::write_srvgg(spec, dir / "m.onnx");
  const fs::path cache = dir / "cache";
  const auto result = r4k::testing::run_command(
      R4K_EXECUTABLE,
      {"bench", "--model", (dir / "m.onnx").string(), "--tile", "32", "--seconds", "0.05", "--peak-seconds", "0.05",
       "--autotune", "true"},
      "ONEDNN_MAX_CPU_ISA=AVX2 XDG_CACHE_HOME=" + r4k::testing::shell_quote(cache.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("avx2+fma)"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("avx512"), std::string::npos) << result.output;
  std::ifstream file(cache / "restore4k" / "autotune.yaml");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("|avx2|threads="), std::string::npos) << text;
  EXPECT_EQ(text.find("avx512"), std::string::npos) << text;
}

// ---- bad input: a message naming the thing at fault, a non-zero exit, nothing written

TEST(ImageCommandBadInput, MissingInput) {
  TempDir dir;
  const auto result = run({"image", (dir / "nope.png").string(), (dir / "out.png").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("nope.png' does not exist"), std::string::npos) << result.output;
  expect_nothing_written(dir / "out.png");
}

TEST(ImageCommandBadInput, UnreadableInputDirectory) {
  TempDir dir;
  fs::create_directory(dir / "folder.png");
  const auto result = run({"image", (dir / "folder.png").string(), (dir / "out.png").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("is a directory"), std::string::npos) << result.output;
  expect_nothing_written(dir / "out.png");
}

TEST(ImageCommandBadInput, ZeroByteImage) {
  TempDir dir;
  write_bytes(dir / "empty.png", "");
  const auto result = run({"image", (dir / "empty.png").string(), (dir / "out.png").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("empty.png' is empty (0 bytes)"), std::string::npos) << result.output;
  expect_nothing_written(dir / "out.png");
}

TEST(ImageCommandBadInput, TruncatedPngAndJpeg) {
  TempDir dir;
  std::vector<unsigned char> png;
  cv::imencode(".png", sample_bgr(64, 64), png);
  write_bytes(dir / "cut.png", std::string(png.begin(), png.begin() + static_cast<long>(png.size() / 2)));
  auto result = run({"image", (dir / "cut.png").string(), (dir / "out.png").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("cut.png' is a truncated PNG"), std::string::npos) << result.output;
  expect_nothing_written(dir / "out.png");

  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", sample_bgr(64, 64), jpeg);
  write_bytes(dir / "cut.jpg", std::string(jpeg.begin(), jpeg.begin() + static_cast<long>(jpeg.size() * 2 / 3)));
  result = run({"image", (dir / "cut.jpg").string(), (dir / "out.png").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("cut.jpg' is a truncated JPEG"), std::string::npos) << result.output;
  expect_nothing_written(dir / "out.png");

  write_bytes(dir / "text.png", "hello, I am not an image");
  result = run({"image", (dir / "text.png").string(), (dir / "out.png").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("cannot decode input image"), std::string::npos) << result.output;
}

TEST(ImageCommandBadInput, OutputIsADirectoryOrUnwritable) {
  TempDir dir;
  cv::imwrite((dir / "in.png").string(), sample_bgr(16, 16));
  fs::create_directory(dir / "out.png");
  auto result = run({"image", (dir / "in.png").string(), (dir / "out.png").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("out.png' is a directory"), std::string::npos) << result.output;

  write_bytes(dir / "file", "x");
  result = run({"image", (dir / "in.png").string(), (dir / "file" / "out.png").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("does not exist"), std::string::npos) << result.output;

  // /proc accepts no new files, even for root.
  result = run({"image", (dir / "in.png").string(), "/proc/r4k-test-out.png"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("/proc/r4k-test-out.png"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists("/proc/r4k-test-out.png"));

  result = run({"image", (dir / "in.png").string(), (dir / "out.bmp").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("unsupported extension '.bmp'"), std::string::npos) << result.output;
}

TEST(ImageCommandBadInput, ModelThatFailsToLoadNamesOperatorAndNode) {
  TempDir dir;
  r4k::testing::write_unsupported_op_model(dir / "mystery.onnx");
  cv::imwrite((dir / "in.png").string(), sample_bgr(16, 16));
  // An existing output must survive a failed run untouched.
  write_bytes(dir / "out.png", "previous result");
  const auto result = run({"image", (dir / "in.png").string(), (dir / "out.png").string(), "--model",
                           (dir / "mystery.onnx").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("NoSuchOp"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("mystery_node"), std::string::npos) << result.output;
  EXPECT_EQ(read_bytes(dir / "out.png"), "previous result");

  write_bytes(dir / "garbage.onnx", "\x08\x01garbage");
  const auto garbage = run({"image", (dir / "in.png").string(), (dir / "o2.png").string(), "--model",
                            (dir / "garbage.onnx").string()});
  EXPECT_EQ(garbage.exit_code, 2);
  EXPECT_NE(garbage.output.find("garbage.onnx"), std::string::npos) << garbage.output;
  expect_nothing_written(dir / "o2.png");
}

TEST(ImageCommandBadInput, ChannelCountTheModelCannotTake) {
  TempDir dir;
  r4k::testing::write_channels_model(2, dir / "two.onnx");
  cv::imwrite((dir / "in.png").string(), sample_bgr(16, 16));
  const auto result = run({"image", (dir / "in.png").string(), (dir / "out.png").string(), "--model",
                           (dir / "two.onnx").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("takes 2 input channels"), std::string::npos) << result.output;
  expect_nothing_written(dir / "out.png");
}

TEST(ImageCommandBadInput, TileSmallerThanTwiceTheHalo) {
  TempDir dir;
  cv::imwrite((dir / "in.png").string(), sample_bgr(64, 64));
  const auto result = run({"image", (dir / "in.png").string(), (dir / "out.png").string(), "--model",
                           "builtin:bicubic-x2", "--tile", "10", "--halo", "5"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("tile size 10 is too small for halo 5"), std::string::npos) << result.output;
  expect_nothing_written(dir / "out.png");
}

TEST(ImageCommandBadInput, InputIsNeverOverwritten) {
  TempDir dir;
  cv::imwrite((dir / "in.png").string(), sample_bgr(16, 16));
  const std::string before = read_bytes(dir / "in.png");
  const auto result = run({"image", (dir / "in.png").string(), (dir / "in.png").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("never overwrites its input"), std::string::npos) << result.output;
  EXPECT_EQ(read_bytes(dir / "in.png"), before);
}

TEST(ImageCommandBadInput, UsageErrors) {
  EXPECT_EQ(run({"image"}).exit_code, 2);
  EXPECT_EQ(run({"image", "a.png", "b.png", "--no-such-flag"}).exit_code, 2);
  const auto halo = run({"image", "a.png", "b.png", "--halo", "wide"});
  EXPECT_EQ(halo.exit_code, 2);
  EXPECT_NE(halo.output.find("--halo: expected an integer from -1 to 4096 px (or auto), found 'wide'"), std::string::npos) << halo.output;
  EXPECT_EQ(run({"--version"}).exit_code, 0);
}

}  // namespace

namespace {

// The "done when" of the foundation: `restore4k image` with OpenCV's published
// FSRCNN x4 and ESPCN x2 graphs reproduces OpenCV's documented per-image PSNR
// (protocol in ../shared/models/third_party/README.md), tiled.
double pooled_psnr(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  diff.convertTo(diff, CV_64F);
  const cv::Scalar sum = cv::sum(diff.mul(diff));
  return 10.0 * std::log10(255.0 * 255.0 * 3.0 * static_cast<double>(a.total()) / (sum[0] + sum[1] + sum[2]));
}

void expect_documented_psnr(const std::string& model_name, const std::string& image, int scale, double documented) {
  const fs::path model = r4k::testing::shared_dir() / "models/third_party" / model_name;
  const fs::path hr_path = r4k::testing::shared_dir() / "data/sr-bench" / image;
  if (!fs::exists(model) || !fs::exists(hr_path)) GTEST_SKIP() << "shared test data missing: " << model;
  TempDir dir;
  const cv::Mat hr = cv::imread(hr_path.string());
  const cv::Mat cropped = hr(cv::Rect(0, 0, hr.cols - hr.cols % scale, hr.rows - hr.rows % scale)).clone();
  cv::Mat lr;
  cv::resize(cropped, lr, cv::Size(), 1.0 / scale, 1.0 / scale);
  cv::imwrite((dir / "lr.png").string(), lr);
  const auto result = run({"image", (dir / "lr.png").string(), (dir / "sr.png").string(), "--model", model.string(),
                           "--tile", "48", "--chroma-filter", "bilinear"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NEAR(pooled_psnr(cv::imread((dir / "sr.png").string()), cropped), documented, 0.01);
}

TEST(ImageCommandQuality, FsrcnnX4MonarchMatchesOpenCvDocumentedPsnr) {
  expect_documented_psnr("FSRCNN_x4.pb", "Set14/image_SRF_4/img_011_SRF_4_HR.png", 4, 26.5646);
}

TEST(ImageCommandQuality, EspcnX2ButterflyMatchesOpenCvDocumentedPsnr) {
  expect_documented_psnr("ESPCN_x2.pb", "Set5/image_SRF_2/img_003_SRF_2_HR.png", 2, 29.0341);
}

}  // namespace

namespace {

TEST(ImageCommandInterrupt, CtrlCStopsWithExit130AndWritesNothing) {
  TempDir dir;
  r4k::testing::SrvggSpec spec;
  spec.features = 32;
  spec.convs = 8;
  r4k::testing::write_srvgg(spec, dir / "m.onnx");
  cv::imwrite((dir / "in.png").string(), sample_bgr(800, 800));  // hundreds of tiles: seconds of work
  const fs::path output = dir / "out.png";
  bool interrupted = false;
  // Interrupt once the first batch of tiles is done: the job is mid-run.
  const Outcome outcome = r4k::testing::run_and_signal(
      R4K_EXECUTABLE,
      {"image", (dir / "in.png").string(), output.string(), "--model", (dir / "m.onnx").string(), "--tile", "64",
       "--log-level", "debug"},
      "tiles 1/", SIGINT, interrupted);
  ASSERT_TRUE(interrupted) << outcome.output;
  EXPECT_EQ(outcome.exit_code, 130) << outcome.output;
  EXPECT_NE(outcome.output.find("interrupted"), std::string::npos) << outcome.output;
  expect_nothing_written(output);
}

}  // namespace
