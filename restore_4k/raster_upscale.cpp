#include "restore_4k/raster_upscale.hpp"

#include <sys/resource.h>


#include "decode/raster_dataset.hpp"
#include "core/error.hpp"
#include "preprocess/value_range.hpp"
#include "encode/output_file.hpp"
#include "restore_4k/result_stamp.hpp"

namespace r4k::restore {
namespace {

std::string property(const char* name, const std::string& value) { return std::string(name) + "=" + value; }

}  // namespace

long peak_resident_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void check_raster_job(const RasterJob& job) {
  {
    decode::RasterDataset dataset(job.input);  // throws InputError naming the file
    if (!job.bands.empty()) {
      decode::parse_band_list(job.bands, static_cast<int>(dataset.info().bands.size()), 0, job.input);
    }
    // No georeference: r4krastersrc says so (once).
  }
  encode::check_output_path(job.output, job.input, {".tif", ".tiff"});
  parse_value_range(job.range);
  encode::parse_raster_compression(job.compress);
  if (job.tile_size < 8) throw InputError("--tile must be at least 8 pixels, got " + std::to_string(job.tile_size));
  if (job.tiles_in_flight < 1) throw InputError("tiles in flight must be at least 1");
}

pipeline::PipelineArguments raster_pipeline(const RasterJob& job) {
  const std::string queue_size = "max-size-buffers=" + std::to_string(job.tiles_in_flight);
  pipeline::PipelineArguments arguments{"r4krastersrc", "name=src", property("location", job.input.string())};
  if (!job.bands.empty()) arguments.push_back(property("bands", job.bands));
  arguments.push_back(property("other-bands", decode::to_string(job.other_bands)));
  if (!job.categorical.empty()) arguments.push_back(property("categorical", job.categorical));
  arguments.push_back(property("range", job.range));
  arguments.push_back(property("tile-size", std::to_string(job.tile_size)));
  arguments.push_back(property("halo", std::to_string(job.halo)));
  for (const std::string& item : {std::string("!"), std::string("queue"), queue_size, std::string("max-size-bytes=0"),
                                  std::string("max-size-time=0"), std::string("!"), std::string("r4ksuperres"),
                                  std::string("name=superres")}) {
    arguments.push_back(item);
  }
  arguments.push_back(property("model", job.model));
  arguments.push_back(property("backend", job.engine.backend));
  arguments.push_back(property("threads", std::to_string(job.engine.threads)));
  for (const std::string& item : {std::string("!"), std::string("queue"), queue_size, std::string("max-size-bytes=0"),
                                  std::string("max-size-time=0"), std::string("!"), std::string("r4krastersink"),
                                  std::string("name=sink")}) {
    arguments.push_back(item);
  }
  arguments.push_back(property("location", job.output.string()));
  arguments.push_back(property("format", encode::to_string(job.format)));
  arguments.push_back(property("compress", job.compress));
  arguments.push_back(property("resume", job.resume ? "true" : "false"));
  stamp_pipeline(arguments, job.input, job.model);
  return arguments;
}

RasterResult upscale_raster(const RasterJob& job) {
  check_raster_job(job);
  pipeline::initialise_gstreamer();
  pipeline::PipelineRunOptions options;
  options.count_element = "superres";
  options.total_property = "src.tiles";
  options.interrupt = job.cancel;
  options.abort = job.abort;
  if (job.progress) {
    options.progress = [&job](const pipeline::PipelineProgress& progress) {
      job.progress(progress.frames, progress.total, progress.seconds);
    };
  }
  const auto run = pipeline::run_pipeline(raster_pipeline(job), options);
  RasterResult result;
  result.tiles = run.frames;
  result.seconds = run.seconds;
  result.interrupted = run.interrupted;
  result.damage = run.damage;
  std::error_code ec;
  result.complete = std::filesystem::exists(job.output, ec) &&
                    !std::filesystem::exists(encode::tile_journal_path(job.output), ec);
  result.peak_memory_kib = peak_resident_kib();
  if (!result.complete && !result.interrupted) {
    throw Error(job.output.string() + ": the pipeline ended but the output is not complete");
  }
  return result;
}

}  // namespace r4k::restore
