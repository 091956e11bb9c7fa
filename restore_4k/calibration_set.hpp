// The pictures a model is calibrated on (restore4k models compress
// --calibration SOURCE), as the model will see them:
//   builtin   the calibration crops that ship with the built-in models
//             (models/calibration: HR crops of their training photographs,
//             never of an evaluation set); the input is each crop downscaled
//             by the model's scale (area), or film-degraded with `film`, and
//             the crop is the ground truth;
//   a folder  its images (PNG, JPEG, TIFF, BMP, WebP), crops spread over each;
//   a video   frames sampled evenly across it, crops spread over each;
//   a raster  windows sampled evenly over its first bands, or the first of
//             a job's band list (GDAL; the job's value range, `auto` unless given).
// A folder, video or raster has no ground truth.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace r4k::restore {

struct CalibrationPicture {
  std::string name;  // where it comes from: file, frame or window
  cv::Mat input;     // 8-bit BGR (or grey for 1-channel models), or CV_32F in [0, 1] (rasters)
  cv::Mat truth;     // the ground truth at the model's scale, 8-bit; empty when none
};

struct CalibrationSetOptions {
  std::string source;  // "builtin", or a folder, video or raster path
  int scale = 4;       // the model's
  int channels = 3;    // the model's input channels (1 or 3)
  bool film = false;   // builtin: film degradation instead of a clean downscale
  int crop = 96;       // input pixels a side of each crop (folders, videos, rasters)
  int pictures = 24;   // at most this many crops in all
  std::string bands;   // rasters: a raster job's band list ("4,3,2"); its first `channels` bands are read ("": 1, 2, 3)
  std::string range;   // rasters: a raster job's value range ("": auto)
};

// The calibration pictures of `options.source`. Throws InputError naming the
// source when it does not exist, holds no picture or cannot be read.
std::vector<CalibrationPicture> read_calibration_set(const CalibrationSetOptions& options);

// models/calibration, beside the built-in models.
std::filesystem::path builtin_calibration_dir();

}  // namespace r4k::restore
