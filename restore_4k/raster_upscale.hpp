// The raster workflow behind `restore4k raster IN OUT`: checks the job, builds
// the pipeline r4krastersrc -> r4ksuperres -> r4krastersink with small queues
// (memory is bounded by the tiles in flight), runs it with progress, and
// reports whether the output is complete. Interrupted runs keep their
// finished tiles for --resume.
//
// One raster on many machines: each shard task (shard_index K of
// shard_count N) computes the tiles t with t mod N == K into the intermediate
// file all shards share, keeping its own journal (encode/tile_journal.hpp);
// the join (join, shard_count N) then makes the output from it, byte for byte
// the file a single run makes.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
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
  // Where engine.autotune.pinned came from, for the message when this machine
  // cannot run a pin: the job's key, or the record or plan file read.
  std::string pins_origin = "engine.algorithms";
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
  int shard_index = -1;        // the shard this task computes (0-based); -1 = every tile (or the join)
  int shard_count = 0;         // the split's count (shards and join); 0 = not sharded
  bool join = false;           // make the output from the shard_count shards' tiles
  std::string shard_source;    // where the index came from ("--shard 1/3", "SLURM_ARRAY_TASK_ID")
  const std::atomic<bool>* cancel = nullptr;
  const std::atomic<bool>* abort = nullptr;  // stop at once (a second Ctrl-C)
  // Tiles done this run, tiles this run will do (0 = not yet known), seconds.
  std::function<void(std::uint64_t, std::int64_t, double)> progress;
};

// Checks what can be checked before any work: the input is a raster, the
// output is a .tif/.tiff that is not the input, in a writable folder, the
// options parse, and a shard or join names its split. Throws InputError
// naming the file, option or value.
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
  // A shard task: its tiles, and how many of them are done (complete when
  // all are; the output is the join's).
  int shard_tiles = 0;
  int shard_tiles_done = 0;
  bool joined_before = false;  // a join found the output made already (by an earlier join of this job)
  // What the engine ran, "layer@shape" -> algorithm, its pins among them (for the job record).
  std::map<std::string, std::string> algorithms;
};

RasterResult upscale_raster(const RasterJob& job);

// The process's peak resident set size in KiB (getrusage).
long peak_resident_kib();

}  // namespace r4k::restore
