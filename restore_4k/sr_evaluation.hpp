// Quality of a super-resolution model as users get it: Set5/Set14-style
// folders (img_NNN_SRF_s_LR.png / _HR.png) upscaled through the product's
// own engine, tiled, quantised to 8 bits, scored on the standard protocol
// (Y of MATLAB rgb2ycbcr, rounded to 8 bits; `scale` pixels shaved from
// every border; peak 255) against the engine's bicubic on the same input.
// `film` degradation scores on degraded inputs made from the HR images
// (blur, downscale, grain, JPEG) instead of the folder's clean LR.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "infer/model_loader.hpp"

namespace r4k::restore {

// Y' of MATLAB rgb2ycbcr for an 8-bit BGR or grey image, rounded: CV_8UC1.
cv::Mat matlab_luma(const cv::Mat& image);
// On 8-bit single-channel images with `shave` pixels left out at each border.
double psnr_y(const cv::Mat& a, const cv::Mat& b, int shave);
// Mean SSIM (Wang et al. 2004: 11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03).
double ssim_y(const cv::Mat& a, const cv::Mat& b, int shave);

// The degraded input of the film evaluation for an HR image (deterministic per seed).
cv::Mat film_degradation(const cv::Mat& hr, int scale, unsigned seed);

struct EvalOptions {
  std::string model;
  infer::EngineOptions engine;
  int tile_size = 96;  // tiled, as users run it (0 = whole image)
  int halo = -1;
  bool film = false;   // film degradation instead of the folder's LR images
};

struct ImageScore {
  std::string name;
  double psnr = 0.0;
  double ssim = 0.0;
  double bicubic_psnr = 0.0;
  double bicubic_ssim = 0.0;
};

struct SetScore {
  std::string set;  // folder name, e.g. Set5
  int scale = 0;
  std::vector<ImageScore> images;
  double psnr = 0.0;  // means over the images
  double ssim = 0.0;
  double bicubic_psnr = 0.0;
  double bicubic_ssim = 0.0;
};

// Scores `set_folder` (e.g. .../Set5) at the model's scale (its
// image_SRF_<scale> subfolder). Throws InputError when it is missing.
SetScore evaluate_set(const std::filesystem::path& set_folder, const EvalOptions& options);

// A Markdown table of the scores, with the published figures where known.
std::string evaluation_table(const std::vector<SetScore>& scores, const std::string& model, bool film);

}  // namespace r4k::restore
