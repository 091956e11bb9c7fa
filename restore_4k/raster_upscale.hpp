// The raster workflow behind `restore4k raster IN OUT`: checks the job, builds
// the pipeline r4krastersrc -> r4ksuperres -> r4krastersink with small queues
// (memory is bounded by the tiles in flight), runs it with progress, and
// reports whether the output is complete. Interrupted runs keep their
// finished tiles for --resume.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "decode/raster_band_plan.hpp"
#include "encode/raster_writer.hpp"
#include "infer/model_loader.hpp"
#include "pipeline/pipeline_runner.hpp"

namespace r4k::restore {

struct RasterJob {
  std::filesystem::path input;
  std::filesystem::path output;
  std::string model = "builtin:bicubic-x2";
  infer::EngineOptions engine;
  std::string bands;           // "" = every band
  decode::OtherBands other_bands = decode::OtherBands::classical;  // bands the model does not take
  std::string categorical;     // more bands holding classes ("5,6"): upscaled nearest
  std::string range = "auto";  // auto | MIN,MAX | bits:N
  int tile_size = 512;         // window side, input pixels
  int halo = -1;               // -1 = the model's receptive field
  encode::RasterFormat format = encode::RasterFormat::gtiff;
  std::string compress = "deflate";
  bool resume = false;
  int tiles_in_flight = 4;     // per queue
  const std::atomic<bool>* cancel = nullptr;
  const std::atomic<bool>* abort = nullptr;  // stop at once (a second Ctrl-C)
  // Tiles done this run, tiles this run will do (0 = not yet known), seconds.
  std::function<void(std::uint64_t, std::int64_t, double)> progress;
};

// Checks what can be checked before any work: the input is a raster, the
// output is a .tif/.tiff that is not the input, in a writable folder, and
// the options parse. Throws InputError naming the file, option or value.
void check_raster_job(const RasterJob& job);

// The pipeline for `job` in gst-launch-1.0 form (r4krastersrc is named src,
// r4ksuperres superres, r4krastersink sink).
pipeline::PipelineArguments raster_pipeline(const RasterJob& job);

struct RasterResult {
  std::uint64_t tiles = 0;  // computed in this run
  double seconds = 0.0;
  bool interrupted = false;
  bool complete = false;  // the output exists under its name
  // Damaged input worked around (blocks that could not be read are nodata in
  // the output), one description each; empty when the input was sound.
  std::vector<std::string> damage;
  long peak_memory_kib = 0;  // the process's peak resident memory so far
};

RasterResult upscale_raster(const RasterJob& job);

// The process's peak resident set size in KiB (getrusage).
long peak_resident_kib();

}  // namespace r4k::restore
