// Real published models, run through the still-image workflow, reproduce
// OpenCV's documented per-image PSNR (../shared/models/third_party/README.md).
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "restore_4k/image_upscale.hpp"
#include "tests/support/test_paths.hpp"

namespace r4k::restore {
namespace {

using r4k::testing::shared_dir;
using r4k::testing::TempDir;

// OpenCV dnn_superres's PSNR: MSE pooled over the three BGR channels.
double psnr(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  diff.convertTo(diff, CV_64F);
  const cv::Scalar sum = cv::sum(diff.mul(diff));
  const double mse = (sum[0] + sum[1] + sum[2]) / (3.0 * static_cast<double>(a.total()));
  return 10.0 * std::log10(255.0 * 255.0 / mse);
}

struct Case {
  const char* model;
  const char* image;
  int scale;
  double documented;
};

double run_case(const Case& c, int tile) {
  const std::string spec = std::string(c.model).rfind("builtin:", 0) == 0
                               ? std::string(c.model)
                               : (shared_dir() / "models/third_party" / c.model).string();
  const auto hr_path = shared_dir() / "data/sr-bench" / c.image;
  TempDir dir;
  // OpenCV's protocol: crop to a multiple of the scale, downscale with
  // cv::resize's default (bilinear), upscale, compare.
  const cv::Mat hr = cv::imread(hr_path.string());
  const cv::Mat cropped = hr(cv::Rect(0, 0, hr.cols - hr.cols % c.scale, hr.rows - hr.rows % c.scale)).clone();
  cv::Mat lr;
  cv::resize(cropped, lr, cv::Size(), 1.0 / c.scale, 1.0 / c.scale);
  cv::imwrite((dir / "lr.png").string(), lr);

  ImageJob job;
  job.input = dir / "lr.png";
  job.output = dir / "sr.png";
  job.model = spec;
  job.tile_size = tile;
  job.chroma_filter = ResampleFilter::bilinear;  // as dnn_superres upsamples chroma
  upscale_image(job);
  return psnr(cv::imread(job.output.string()), cropped);
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.model << " on " << c.image; }

void require_data(const Case& c) {
  if (std::string(c.model).rfind("builtin:", 0) != 0) {
    R4K_REQUIRE_SHARED(shared_dir() / "models/third_party" / c.model);
  }
}

class DocumentedPsnr : public ::testing::TestWithParam<Case> {};

TEST_P(DocumentedPsnr, WholeImage) {
  const Case& c = GetParam();
  require_data(c);
  if (::testing::Test::IsSkipped()) return;
  R4K_REQUIRE_SHARED(shared_dir() / "data/sr-bench" / c.image);
  EXPECT_NEAR(run_case(c, 0), c.documented, 0.01);
}

TEST_P(DocumentedPsnr, TiledGivesTheSameFigure) {
  const Case& c = GetParam();
  require_data(c);
  if (::testing::Test::IsSkipped()) return;
  R4K_REQUIRE_SHARED(shared_dir() / "data/sr-bench" / c.image);
  EXPECT_NEAR(run_case(c, 64), c.documented, 0.01);
}

INSTANTIATE_TEST_SUITE_P(
    OpenCvBenchmarkFigures, DocumentedPsnr,
    ::testing::Values(Case{"FSRCNN_x4.pb", "Set14/image_SRF_4/img_011_SRF_4_HR.png", 4, 26.5646},
                      Case{"ESPCN_x2.pb", "Set5/image_SRF_2/img_003_SRF_2_HR.png", 2, 29.0341},
                      Case{"ESPCN_x4.pb", "Set14/image_SRF_4/img_011_SRF_4_HR.png", 4, 26.5471},
                      Case{"FSRCNN_x4.pb", "Set14/image_SRF_4/img_005_SRF_4_HR.png", 4, 20.0885},
                      Case{"LapSRN_x4.pb", "Set14/image_SRF_4/img_011_SRF_4_HR.png", 4, 26.7330},
                      // The classical baseline: OpenCV's documented bicubic figures.
                      Case{"builtin:bicubic-x4", "Set14/image_SRF_4/img_011_SRF_4_HR.png", 4, 26.0635},
                      Case{"builtin:bicubic-x2", "Set5/image_SRF_2/img_003_SRF_2_HR.png", 2, 26.6645}),
    [](const ::testing::TestParamInfo<Case>& param_info) {
      std::string name = std::string(param_info.param.model) + "_" + std::to_string(param_info.index);
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

}  // namespace
}  // namespace r4k::restore
