// restore4k models compress: post-training quantization of an fp32 ONNX
// model to a QDQ model calibrated on pictures like the ones it will see, and
// the measured cost: on the calibration pictures and on a held-out quarter of
// them, the Y-PSNR of the int8 model's output against the fp32 model's, and,
// where there is a ground truth, the mean Y-PSNR lost against it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "infer/calibration.hpp"
#include "restore_4k/calibration_set.hpp"

namespace r4k::restore {

struct CompressOptions {
  std::string model;               // fp32 model file or builtin:NAME
  std::filesystem::path output;    // the QDQ model written (atomically)
  CalibrationSetOptions calibration;  // scale and channels are the model's, filled in
  infer::CalibrationOptions method;
  int threads = 0;
};

struct PictureSetQuality {
  std::size_t pictures = 0;
  double psnr_vs_fp32 = 0.0;  // mean Y-PSNR, int8 output against fp32 output (identical: 100 dB)
  bool has_truth = false;
  double fp32_psnr = 0.0;  // mean Y-PSNR against the ground truth
  double int8_psnr = 0.0;
  double loss() const { return fp32_psnr - int8_psnr; }
};

struct CompressResult {
  int scale = 0;                 // the model's (the shave of the scores)
  std::size_t convolutions = 0;  // in the model
  std::size_t quantized = 0;     // of those, int8
  std::uintmax_t fp32_bytes = 0;
  std::uintmax_t int8_bytes = 0;
  PictureSetQuality calibration;
  PictureSetQuality held_out;
};

// Throws InputError naming the model, source or output at fault; on any
// failure nothing is left at `output`.
CompressResult compress_model(CompressOptions options);

// The result as the command prints it.
std::string compression_report(const CompressOptions& options, const CompressResult& result);

}  // namespace r4k::restore
