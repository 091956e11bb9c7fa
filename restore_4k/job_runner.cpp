#include "restore_4k/job_runner.hpp"

#include <unistd.h>

#include <fstream>
#include <tuple>

#include <glib.h>

#include "config/settings.hpp"

#include "encode/raster_writer.hpp"
#include "infer/model_checksum.hpp"
#include "core/error.hpp"
#include "encode/output_file.hpp"
#include "restore_4k/input_calibration.hpp"
#include "restore_4k/batch_manifest.hpp"
#include "restore_4k/film_segments.hpp"

namespace r4k::restore {
namespace {

template <typename Job>
void apply_engine(const config::JobFile& job, Job& out) {
  out.engine.backend = job.get("engine.backend");
  out.engine.threads = static_cast<int>(settings::as_integer(job.get("engine.threads")));
  out.engine.autotune.enabled = settings::as_boolean(job.get("engine.autotune"));
  out.engine.precision = job.get("engine.precision");
  // Checked when the job loaded (each item LAYER@SHAPE=ALGORITHM).
  out.engine.autotune.pinned = settings::as_algorithms(job.get("engine.algorithms"));
  out.halo = job.get_int("engine.halo");
  if (!job.get("model").empty()) out.model = job.resolve_path(job.get("model"));
}

void apply_raster(const config::JobFile& job, RasterJob& out) {
  apply_engine(job, out);
  if (job.get_int("engine.tile") > 0) out.tile_size = job.get_int("engine.tile");
  out.bands = job.get("raster.bands");
  out.other_bands = decode::parse_other_bands(job.get("raster.other_bands"));
  out.categorical = job.get("raster.categorical");
  out.range = job.get("raster.range");
  out.format = encode::parse_raster_format(job.get("raster.format"));
  out.compress = job.get("raster.compress");
  out.tiles_in_flight = job.get_int("raster.tiles_in_flight");
}

}  // namespace

namespace {

// The video.* settings (and engine, model) of a video job or a batch of videos.
VideoJob video_settings_from(const config::JobFile& job) {
  VideoJob out;
  apply_engine(job, out);
  out.tile_size = job.get_int("engine.tile");
  out.batch = job.get_int("engine.batch");
  out.encoder = parse_video_encoder(job.get("video.encoder"));
  out.decoder = decode::parse_decoder_preference(job.get("video.decoder"));
  std::tie(out.fit_width, out.fit_height) = settings::as_size(job.get("video.fit"));
  out.fit_mode = job.get("video.fit_mode");
  out.pad_color = settings::as_colour(job.get("video.pad_color"));
  out.deinterlace = job.get_bool("video.deinterlace");
  out.deflicker = job.get_bool("video.deflicker");
  out.deflicker_radius = job.get_int("video.deflicker_radius");
  out.dust = job.get_bool("video.dust");
  out.scratches = job.get_bool("video.scratches");
  out.denoise = settings::as_number(job.get("video.denoise"));
  out.colorimetry = job.get("video.colour");
  out.audio = job.get_bool("video.audio");
  out.subtitles = job.get_bool("video.subtitles");
  out.data = job.get_bool("video.data");
  out.monochrome = job.get_bool("video.monochrome");
  return out;
}

}  // namespace

VideoJob video_job_from(const config::JobFile& job) {
  VideoJob out = video_settings_from(job);
  out.input = job.resolve_path(job.get("input"));
  out.output = job.resolve_path(job.get("output"));
  return out;
}

ImageJob image_job_from(const config::JobFile& job) {
  ImageJob out;
  apply_engine(job, out);
  out.input = job.resolve_path(job.get("input"));
  out.output = job.resolve_path(job.get("output"));
  out.tile_size = job.get_int("engine.tile");
  out.batch = job.get_int("engine.batch");
  out.chroma_filter = parse_resample_filter(job.get("image.chroma_filter"));
  return out;
}

RasterJob raster_job_from(const config::JobFile& job) {
  RasterJob out;
  out.input = job.resolve_path(job.get("input"));
  out.output = job.resolve_path(job.get("output"));
  apply_raster(job, out);
  out.resume = job.get_bool("raster.resume");
  // One raster over many machines: a shard task (the index from --shard or
  // the scheduler, the count from the job, never the scheduler's), or the
  // join of the shards' tiles.
  const std::string shard = job.get("raster.shard");
  const int shards = job.get_int("raster.shards");
  out.join = job.get_bool("raster.join");
  if (out.join) {
    if (!shard.empty()) {
      throw InputError("raster.shard '" + shard + "': the join (--join) joins every shard: leave --shard out");
    }
    out.shard_count = shards;  // 0: check_raster_job asks for it
  } else if (!shard.empty() || shards > 0) {
    if (shard.empty() && !index_from_environment()) {
      throw InputError("raster.shards " + std::to_string(shards) + ": which shard this task computes is not given: "
                       "--shard K (0.." + std::to_string(shards - 1) + "), or run it as an array task "
                       "(SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX); the output is made "
                       "by --join --shards " + std::to_string(shards));
    }
    const Shard resolved = resolve_shard(shard, "--shard", shards, "raster.shards");
    out.shard_index = resolved.index;
    out.shard_count = resolved.count;
    out.shard_source = resolved.source;
  }
  // A resumed job and a shard run what the record of the output says its
  // run (another shard, the run before the interrupt) ran; what the job pins
  // itself comes first.
  if ((out.resume || out.shard_count > 0) && !out.join) {
    std::string sha;
    try {
      sha = infer::model_sha256(out.model);  // "" for classical filters: nothing to pin
    } catch (const InputError&) {
      // A missing model is check_raster_job's to say.
    }
    const Algorithms recorded = recorded_algorithms(job_record_path(job), sha);
    if (!recorded.empty()) {
      out.engine.autotune.pinned = merged_algorithms(std::move(out.engine.autotune.pinned), recorded);
      out.pins_origin = "the engine.algorithms of the job record '" + job_record_path(job).string() + "'";
    }
  }
  return out;
}

BatchJob batch_job_from(const config::JobFile& job) {
  BatchJob out;
  for (const std::string& input : job.get_list("batch.inputs")) out.inputs.push_back(job.resolve_path(input));
  out.output_folder = job.resolve_path(job.get("output"));
  if (job.get("batch.item") == "video") {
    out.video = video_settings_from(job);
  } else {
    apply_raster(job, out.item);
  }
  out.jobs = job.get_int("batch.jobs");
  out.shard = resolve_shard(job.get("batch.shard"), "batch.shard", job.get_int("batch.shards"), "batch.shards");
  return out;
}

std::filesystem::path job_record_path(const config::JobFile& job) {
  const std::filesystem::path output = job.resolve_path(job.get("output"));
  if (job.kind == "batch") return output / "restore4k-batch-job.yaml";
  return output.string() + ".job.yaml";
}

config::JobFile resolved_job(const config::JobFile& job) {
  config::JobFile resolved = job;
  for (const settings::Setting& key : settings::all()) {
    const bool is_path = key.type == settings::Type::path || key.key == "model" || key.key == "batch.inputs";
    const auto found = resolved.values.find(key.key);
    if (!is_path || found == resolved.values.end() || found->second.rfind("builtin:", 0) == 0) continue;
    found->second = std::filesystem::absolute(job.resolve_path(found->second)).lexically_normal().string();
  }
  return resolved;
}

std::string job_record(const config::JobFile& job, const Algorithms& algorithms) {
  config::JobFile resolved = resolved_job(job);
  // What the run ran (its pins among them): running the record again runs the same.
  const Algorithms all = merged_algorithms(settings::as_algorithms(job.get("engine.algorithms")), algorithms);
  if (!all.empty()) resolved.values["engine.algorithms"] = settings::algorithms_text(all, '\n');
  std::string text = "# restore4k 0.1.0: the job that made this output, resolved (defaults filled in, absolute\n"
                     "# paths); `restore4k run` runs it again as it is.\n";
  const std::string model = resolved.get("model");
  if (!model.empty()) {
    const std::string sha = infer::model_sha256(model);
    if (!sha.empty()) text += "# model sha256: " + sha + "\n";
  }
  return text + resolved.to_yaml();
}

void write_job_record(const config::JobFile& job, const Algorithms& algorithms) {
  encode::write_file_atomically(job_record_path(job), job_record(job, algorithms), "the job record");
}

namespace {

// What the run would convert or assume, as shell comments, then the line.
std::string video_launch_line(const VideoJob& video) {
  const VideoPlan plan = plan_video(video, video.output);
  std::string text;
  for (const auto& notice : plan.notices) text += "# " + notice + "\n";
  return text + pipeline::gst_launch_line(plan.arguments);
}

}  // namespace

void check_job(const config::JobFile& given) {
  // A model calibrated on the input is made at run time: its fp32 model is checked.
  const config::JobFile job = before_input_calibration(given);
  if (job.kind == "video" && job.get_int("video.plan") > 0) {
    make_film_plan(job);
  } else if (job.kind == "video" && is_segment_job(job)) {
    const SegmentTask task = segment_task(job);
    plan_video(task.video, task.video.output);
  } else if (job.kind == "join") {
    const FilmPlan plan = read_film_plan(job.resolve_path(job.get("input")));
    const VideoJob video = join_job(plan, job.resolve_path(job.get("output")));
    plan_video(video, video.output);
  } else if (job.kind == "video") {
    const VideoJob video = video_job_from(job);
    plan_video(video, video.output);
  } else if (job.kind == "raster") {
    check_raster_job(raster_job_from(job));
  } else if (job.kind == "image") {
    check_image_job(image_job_from(job));
  }
  // A batch: its manifest is made (a glob that matches nothing is refused,
  // ** included); each file is checked when its turn comes, so that one bad
  // file fails alone (exit 3) and the others are made.
  if (job.kind == "batch") batch_items(batch_job_from(job));
}

std::string job_launch_line(const config::JobFile& job) {
  if (job.kind == "image") throw InputError("an image job is not a pipeline: it has no gst-launch-1.0 line");
  if (job.kind == "video" && job.get_int("video.plan") > 0) {
    throw InputError("video.plan: planning a film runs no pipeline (--dry-run a segment task or the join instead)");
  }
  if (job.kind == "video" && is_segment_job(job)) return video_launch_line(segment_task(job).video);
  if (job.kind == "join") {
    const VideoJob video = join_job(read_film_plan(job.resolve_path(job.get("input"))),
                                    job.resolve_path(job.get("output")));
    return video_launch_line(video);
  }
  if (job.kind == "video") return video_launch_line(video_job_from(job));
  if (job.kind == "raster") {
    const RasterJob raster = raster_job_from(job);
    check_raster_job(raster);
    return pipeline::gst_launch_line(raster_pipeline(raster));
  }
  const BatchJob batch = batch_job_from(job);
  const auto items = batch_items(batch);
  if (items.empty()) return "# this shard has no files";
  const std::string header = "# for each of the " + std::to_string(items.size()) + " file(s) of shard " +
                             std::to_string(batch.shard.index) + "/" + std::to_string(batch.shard.count) +
                             ", e.g. the first:\n";
  if (batch.video) {
    VideoJob first = *batch.video;
    first.input = items.front().input;
    first.output = items.front().output;
    return header + video_launch_line(first);
  }
  RasterJob first = batch.item;
  first.input = items.front().input;
  first.output = items.front().output;
  first.resume = true;
  return header + pipeline::gst_launch_line(raster_pipeline(first));
}

}  // namespace r4k::restore
