#include "restore_4k/input_calibration.hpp"

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "decode/media_probe.hpp"
#include "decode/raster_dataset.hpp"
#include "restore_4k/model_compression.hpp"
#include "restore_4k/raster_upscale.hpp"
#include "restore_4k/video_upscale.hpp"

namespace r4k::restore {

bool calibrates_on_input(const config::JobFile& job) {
  return job.values.count("engine.calibrate_on_input") != 0 && job.get_bool("engine.calibrate_on_input");
}

std::filesystem::path calibrated_model_path(const config::JobFile& job) {
  const std::filesystem::path output = job.resolve_path(job.get("output"));
  if (job.kind == "video" && job.get_int("video.plan") > 0) return output / "restore4k-calibrated-int8.onnx";
  return output.string() + ".int8.onnx";
}

config::JobFile before_input_calibration(const config::JobFile& job) {
  if (!calibrates_on_input(job)) return job;
  if (job.get("engine.precision") != "int8") {
    throw InputError("engine.calibrate_on_input makes an int8 model: it needs engine.precision int8 "
                     "(--precision int8), not '" + job.get("engine.precision") + "'");
  }
  config::JobFile checked = job;
  checked.values["engine.precision"] = "fp32";
  return checked;
}

config::JobFile with_input_calibrated_model(const config::JobFile& job) {
  if (!calibrates_on_input(job)) return job;
  (void)before_input_calibration(job);
  const std::filesystem::path path = calibrated_model_path(job);
  const bool resume = job.kind == "raster" && job.get_bool("raster.resume");
  // Shards run at once on many machines: one model for all, made before them.
  const bool shard = job.kind == "raster" && (!job.get("raster.shard").empty() || job.get_int("raster.shards") > 0);
  if (shard && !std::filesystem::exists(path)) {
    throw InputError("engine.calibrate_on_input: the shards of a raster share one calibrated model, and '" +
                     path.string() + "' is not there: make it once with 'restore4k models compress MODEL -o " +
                     path.string() + " --calibration " + job.resolve_path(job.get("input")) +
                     "' (or a whole run), then run the shards");
  }
  if (!((resume || shard) && std::filesystem::exists(path))) {
    CompressOptions options;
    const std::string& model = job.get("model");
    // Unset: the kind's default model (a raster's is a classical filter, which compress refuses by name).
    options.model = !model.empty() ? job.resolve_path(model) : job.kind == "video" ? VideoJob().model : RasterJob().model;
    options.output = path;
    if (job.kind == "video" && job.get_int("video.plan") > 0) {
      std::filesystem::create_directories(path.parent_path());  // the plan's folder, which the plan makes anyway
    }
    options.calibration.source = job.resolve_path(job.get("input"));
    if (job.kind == "video") {
      const decode::MediaInfo media = decode::probe_media(options.calibration.source);
      const int bits = media.video.empty() ? 0 : media.video.front().sample_bits;
      if (bits > 8) {
        options.method.fp32_input_layers = true;
        spdlog::info("{} is {}-bit ({}): the convolutions reading the model's input stay fp32 (int8 has 8-bit levels)",
                     options.calibration.source, bits, media.video.front().pixel_format);
      }
    }
    if (job.kind == "raster") {
      options.calibration.bands = job.get("raster.bands");
      options.calibration.range = job.get("raster.range");
      // More than 8 bits a sample: the network's first layer stays fp32, so that it sees every level.
      const std::string type = decode::RasterDataset(options.calibration.source).info().data_type;
      if (type != "Byte") {
        options.method.fp32_input_layers = true;
        spdlog::info("{} is {}: the convolutions reading the model's input stay fp32 (int8 has 8-bit levels)",
                     options.calibration.source, type);
      }
    }
    options.threads = job.get_int("engine.threads");
    spdlog::info("calibrating {} on {} ...", options.model, options.calibration.source);
    const CompressResult result = compress_model(options);
    std::string report = compression_report(options, result);
    while (!report.empty()) {
      const auto end = report.find('\n');
      spdlog::info("{}", report.substr(0, end));
      report = end == std::string::npos ? "" : report.substr(end + 1);
    }
  } else {
    spdlog::info("{}: the model calibrated on this input before, {}", resume ? "resume" : "shard", path.string());
  }
  config::JobFile calibrated = job;
  calibrated.values["model"] = path.string();
  calibrated.values["engine.calibrate_on_input"] = "false";
  return calibrated;
}

}  // namespace r4k::restore
