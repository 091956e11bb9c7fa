#include "restore_4k/model_compression.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "infer/model_loader.hpp"
#include "infer/onednn_engine.hpp"
#include "infer/qdq_export.hpp"
#include "infer/quantization.hpp"
#include "preprocess/pixel_convert.hpp"
#include "restore_4k/sr_evaluation.hpp"

namespace r4k::restore {

namespace {

namespace fs = std::filesystem;

std::vector<int> channel_order(int channels) { return channels == 3 ? std::vector<int>{2, 1, 0} : std::vector<int>{0}; }

// Removes the file on scope exit unless released.
struct TemporaryFile {
  fs::path path;
  bool keep = false;
  ~TemporaryFile() {
    if (!keep) {
      std::error_code ignored;
      fs::remove(path, ignored);
    }
  }
};

cv::Mat run_picture(infer::Engine& engine, const cv::Mat& input, int channels) {
  const std::vector<int> order = channel_order(channels);
  Tensor out;
  engine.run(to_planar(input, order), out);
  return to_interleaved(out, order, CV_8U);
}

PictureSetQuality measure(infer::Engine& fp32, infer::Engine& int8, const std::vector<const CalibrationPicture*>& pictures,
                          int channels, int scale) {
  PictureSetQuality quality;
  quality.pictures = pictures.size();
  if (pictures.empty()) return quality;
  quality.has_truth = true;
  for (const CalibrationPicture* picture : pictures) {
    const cv::Mat a = run_picture(fp32, picture->input, channels);
    const cv::Mat b = run_picture(int8, picture->input, channels);
    const cv::Mat ya = matlab_luma(a);
    const cv::Mat yb = matlab_luma(b);
    const double psnr = psnr_y(yb, ya, scale);
    quality.psnr_vs_fp32 += std::isfinite(psnr) ? std::min(psnr, 100.0) : 100.0;
    if (picture->truth.empty()) {
      quality.has_truth = false;
      continue;
    }
    const cv::Mat truth = matlab_luma(picture->truth(cv::Rect(0, 0, a.cols, a.rows)));
    quality.fp32_psnr += psnr_y(ya, truth, scale);
    quality.int8_psnr += psnr_y(yb, truth, scale);
  }
  const auto n = static_cast<double>(pictures.size());
  quality.psnr_vs_fp32 /= n;
  quality.fp32_psnr /= n;
  quality.int8_psnr /= n;
  return quality;
}

std::string bytes_text(std::uintmax_t bytes) {
  std::string digits = std::to_string(bytes);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

}  // namespace

CompressResult compress_model(CompressOptions options) {
  infer::EngineOptions engine_options("onednn", options.threads);
  engine_options.autotune.enabled = false;
  engine_options.precision = "fp32";
  std::unique_ptr<infer::Engine> fp32 = infer::load_model(options.model, engine_options);
  auto* native = dynamic_cast<infer::OneDnnEngine*>(fp32.get());
  if (native == nullptr) throw InputError("model '" + options.model + "': compress quantizes ONNX models the onednn backend runs");
  if (infer::has_quantized_activations(native->graph())) {
    throw InputError("model '" + options.model + "' is already a QDQ (quantized) model");
  }
  const fs::path model_path = fp32->info().path;
  if (options.output.empty()) throw InputError("compress needs an output file (-o OUT.onnx)");
  if (fs::exists(options.output) && fs::equivalent(options.output, model_path)) {
    throw InputError("output '" + options.output.string() + "' is the model itself; write the QDQ model elsewhere");
  }
  const fs::path folder = options.output.parent_path().empty() ? fs::path(".") : options.output.parent_path();
  if (!fs::is_directory(folder)) throw InputError("output folder '" + folder.string() + "' does not exist");

  options.calibration.scale = fp32->info().scale;
  options.calibration.channels = fp32->info().in_channels;
  const std::vector<CalibrationPicture> pictures = read_calibration_set(options.calibration);
  // Every fourth picture held out (when there are at least two).
  std::vector<const CalibrationPicture*> calibration;
  std::vector<const CalibrationPicture*> held_out;
  for (std::size_t i = 0; i < pictures.size(); ++i) {
    (pictures.size() >= 2 && i % 4 == 3 ? held_out : calibration).push_back(&pictures[i]);
  }
  std::vector<Tensor> samples;
  for (const CalibrationPicture* picture : calibration) {
    samples.push_back(to_planar(picture->input, channel_order(options.calibration.channels)));
  }
  const auto scales = infer::calibrate_activations(*native, samples, options.method);

  CompressResult result;
  for (const infer::Node& node : native->graph().nodes) {
    if (node.op != infer::OpType::conv) continue;
    ++result.convolutions;
    result.quantized += scales.count(node.inputs[0]) != 0 ? 1 : 0;
  }
  infer::QdqExport plan;
  plan.activations = scales;
  std::ostringstream description;
  description << "restore4k models compress " << options.model << " --calibration " << options.calibration.source
              << " --method " << infer::to_string(options.method.method)
              << (options.calibration.film ? " --film" : "") << ": int8 QDQ (weights per output channel, symmetric; "
              << "activations per tensor)";
  plan.description = description.str();
  const std::string bytes = infer::export_qdq_model(model_path, plan);

  TemporaryFile temporary{folder / (".r4k-compress-" + std::to_string(::getpid()) + "-" +
                                    options.output.filename().string())};
  {
    std::ofstream file(temporary.path, std::ios::binary);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!file.flush()) throw InputError("cannot write '" + temporary.path.string() + "'");
  }
  infer::EngineOptions int8_options("onednn", options.threads);
  int8_options.autotune.enabled = false;
  int8_options.precision = "int8";
  std::unique_ptr<infer::Engine> int8 = infer::load_model(temporary.path.string(), int8_options);
  const int scale = options.calibration.scale;
  result.scale = scale;
  result.calibration = measure(*fp32, *int8, calibration, options.calibration.channels, scale);
  result.held_out = measure(*fp32, *int8, held_out, options.calibration.channels, scale);
  result.fp32_bytes = fs::file_size(model_path);
  result.int8_bytes = bytes.size();
  fs::rename(temporary.path, options.output);
  temporary.keep = true;
  return result;
}

std::string compression_report(const CompressOptions& options, const CompressResult& result) {
  std::ostringstream out;
  char line[256];
  out << "model:        " << options.model << " -> " << options.output.string() << "\n";
  out << "calibration:  " << options.calibration.source << (options.calibration.film ? " (film-degraded)" : "")
      << ", method " << infer::to_string(options.method.method) << "; " << result.quantized << " of "
      << result.convolutions << " convolutions int8\n";
  out << "size:         " << bytes_text(result.int8_bytes) << " bytes (fp32 " << bytes_text(result.fp32_bytes)
      << ")\n";
  out << "Y-PSNR (shave " << result.scale << "):  pictures  int8 vs fp32   fp32 vs truth  int8 vs truth  loss\n";
  for (const auto& [name, quality] : {std::pair<const char*, const PictureSetQuality&>{"calibration", result.calibration},
                                      std::pair<const char*, const PictureSetQuality&>{"held out", result.held_out}}) {
    if (quality.pictures == 0) continue;
    if (quality.has_truth) {
      std::snprintf(line, sizeof line, "  %-18s %8zu  %9.2f dB  %10.2f dB  %10.2f dB  %.3f dB\n", name, quality.pictures,
                    quality.psnr_vs_fp32, quality.fp32_psnr, quality.int8_psnr, quality.loss());
    } else {
      std::snprintf(line, sizeof line, "  %-18s %8zu  %9.2f dB  (no ground truth)\n", name, quality.pictures,
                    quality.psnr_vs_fp32);
    }
    out << line;
  }
  return out.str();
}

}  // namespace r4k::restore
