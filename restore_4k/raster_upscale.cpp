#include "restore_4k/raster_upscale.hpp"

#include <sys/resource.h>


#include "config/settings.hpp"
#include "decode/raster_dataset.hpp"
#include "core/error.hpp"
#include "preprocess/value_range.hpp"
#include "encode/output_file.hpp"
#include "encode/tile_journal.hpp"
#include "restore_4k/algorithm_record.hpp"
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
  if (job.join && job.shard_count < 1) {
    throw InputError("raster.join: the count of shards to join is not given: --shards N (raster.shards), the N the "
                     "shard tasks ran with");
  }
  if (job.join && job.shard_index >= 0) {
    throw InputError("raster.join joins every shard: leave --shard (raster.shard) out of the join");
  }
  if (!job.join && job.shard_count > 0 && (job.shard_index < 0 || job.shard_index >= job.shard_count)) {
    throw InputError("raster.shard: shard " + std::to_string(job.shard_index) + " is outside 0.." +
                     std::to_string(job.shard_count - 1));
  }
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
  arguments.push_back(property("autotune", job.engine.autotune.enabled ? "true" : "false"));
  arguments.push_back(property("precision", job.engine.precision));
  if (!job.engine.autotune.pinned.empty()) {
    arguments.push_back(property("algorithms", settings::algorithms_text(job.engine.autotune.pinned, ';')));
  }
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
  // After the stamp: the split decides where the work is done, not what the
  // output holds (the join's file carries the single run's stamp).
  if (job.shard_count > 0) {
    if (!job.join) arguments.push_back(property("shard-index", std::to_string(job.shard_index)));
    arguments.push_back(property("shard-count", std::to_string(job.shard_count)));
    if (job.join) arguments.push_back(property("join", "true"));
  }
  return arguments;
}

namespace {

std::string stamp_of(const pipeline::PipelineArguments& arguments) {
  for (const std::string& argument : arguments) {
    if (argument.rfind("job-stamp=", 0) == 0) return argument.substr(10);
  }
  return "";
}

void remove_shard_journals(const RasterJob& job) {
  const std::filesystem::path journal = encode::tile_journal_path(job.output);
  for (int index = 0; index < job.shard_count; ++index) {
    std::error_code ec;
    std::filesystem::remove(encode::shard_journal_path(journal, index, job.shard_count), ec);
  }
}

}  // namespace

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
  const pipeline::PipelineArguments arguments = raster_pipeline(job);
  std::error_code ec;
  if (job.join && !std::filesystem::exists(encode::partial_raster_path(job.output), ec) &&
      std::filesystem::exists(job.output, ec)) {
    // A join run again after it made the output (killed before it removed
    // the shard journals, or retried by the scheduler): done, when the file
    // carries this job's stamp.
    const OutputStamp stamp = read_output_stamp(job.output);
    if (stamp.readable && !stamp.stamp.empty() && stamp.stamp == stamp_of(arguments)) {
      remove_shard_journals(job);
      RasterResult result;
      result.complete = true;
      result.joined_before = true;
      if (!stamp.damage.empty()) result.damage.push_back(job.output.string() + ": " + stamp.damage);
      result.peak_memory_kib = peak_resident_kib();
      return result;
    }
  }
  options.read_after = {"superres.algorithms"};
  pipeline::PipelineResult run;
  try {
    run = pipeline::run_pipeline(arguments, options);
  } catch (const Error& error) {
    throw_if_pin_refused(error, job.engine.autotune.pinned, job.pins_origin);
    throw;
  }
  RasterResult result;
  result.algorithms = ran_algorithms(run.properties["superres.algorithms"]);
  result.tiles = run.frames;
  result.seconds = run.seconds;
  result.interrupted = run.interrupted;
  result.damage = run.damage;
  const std::filesystem::path journal = encode::tile_journal_path(job.output);
  if (job.shard_count > 0 && !job.join) {
    // The shard's own journal says whether all its tiles are done.
    const encode::TileJournalSummary summary =
        encode::inspect_tile_journal(encode::shard_journal_path(journal, job.shard_index, job.shard_count));
    result.shard_tiles = encode::shard_tile_count(summary.tile_count, job.shard_index, job.shard_count);
    std::vector<bool> seen(static_cast<std::size_t>(summary.tile_count), false);
    for (const encode::TileRecord& record : summary.records) {
      if (!encode::in_shard(record.tile, job.shard_index, job.shard_count)) continue;
      if (!seen[static_cast<std::size_t>(record.tile)]) ++result.shard_tiles_done;
      seen[static_cast<std::size_t>(record.tile)] = true;
    }
    result.complete = summary.trusted && result.shard_tiles_done == result.shard_tiles;
  } else if (job.join) {
    result.complete = std::filesystem::exists(job.output, ec) &&
                      !std::filesystem::exists(encode::partial_raster_path(job.output), ec);
    // What the shards read of damaged input, the output records.
    if (result.complete && result.damage.empty()) {
      if (const OutputStamp stamp = read_output_stamp(job.output); !stamp.damage.empty()) {
        result.damage.push_back(job.output.string() + ": " + stamp.damage);
      }
    }
  } else {
    result.complete = std::filesystem::exists(job.output, ec) && !std::filesystem::exists(journal, ec);
  }
  result.peak_memory_kib = peak_resident_kib();
  if (!result.complete && !result.interrupted && job.shard_count > 0 && !job.join) {
    throw Error(job.output.string() + ": shard " + std::to_string(job.shard_index) + " of " +
                std::to_string(job.shard_count) + ": the pipeline ended with " + std::to_string(result.shard_tiles_done) +
                " of its " + std::to_string(result.shard_tiles) + " tiles done");
  }
  if (!result.complete && !result.interrupted) {
    throw Error(job.output.string() + ": the pipeline ended but the output is not complete");
  }
  return result;
}

}  // namespace r4k::restore
