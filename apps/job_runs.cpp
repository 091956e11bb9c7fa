#include "apps/job_runs.hpp"

#include <chrono>
#include <iostream>

#include <spdlog/spdlog.h>

#include "apps/commands.hpp"
#include "core/error.hpp"
#include "restore_4k/algorithm_record.hpp"
#include "restore_4k/film_segments.hpp"
#include "restore_4k/input_calibration.hpp"
#include "restore_4k/job_runner.hpp"
#include "restore_4k/progress_report.hpp"

namespace r4k::app {
namespace {

// Each run_*_job sets `algorithms` to what its engine ran (for the job record).
int run_image_job(restore::ImageJob image, restore::Algorithms& algorithms) {
  image.cancel = Interrupt::finish();
  const auto result = restore::upscale_image(image);
  algorithms = result.algorithms;
  spdlog::info("wrote {} ({}x{}) in {:.2f} s", image.output.string(), result.output_width, result.output_height,
               result.seconds);
  return kExitOk;
}

int run_video_job(restore::VideoJob video, restore::Algorithms& algorithms) {
  video.cancel = Interrupt::finish();
  video.abort = Interrupt::abort();
  auto report = restore::ProgressReport::for_option(progress_option(), stderr, "frame");
  video.progress = [&report](std::uint64_t frames, std::int64_t total, double seconds) {
    report.update(frames, total, seconds);
  };
  const auto result = restore::upscale_video(video);
  algorithms = result.algorithms;
  const std::int64_t total = result.expected_frames;
  report.finish(result.frames, total, result.seconds);
  if (result.interrupted) {
    spdlog::warn("interrupted after {} of {} frames; {} is finalised and playable up to there", result.frames, total,
                 video.output.string());
    return kExitInterrupted;
  }
  spdlog::info("wrote {} ({} frames in {:.1f} s)", video.output.string(), result.frames, result.seconds);
  if (!result.damage.empty()) {
    spdlog::error("{} is damaged: {} problem(s) (listed above); {} holds everything it had to give, and its "
                  "RESTORE4K_INPUT tag says so",
                  video.input.string(), result.damage.size(), video.output.string());
    return kExitInputDamaged;
  }
  return kExitOk;
}

// A task of a cluster job: bad input is permanent (2); an interrupt (the
// scheduler's SIGTERM) or a machine, disk or pipeline failure is retriable (75).
int as_task(const std::function<int()>& run) {
  try {
    const int code = run();
    return code == kExitInterrupted ? kExitRetriable : code;
  } catch (const InputError&) {
    throw;
  } catch (const Interrupted&) {
    spdlog::error("interrupted; run the task again (exit {}: retriable)", kExitRetriable);
    return kExitRetriable;
  } catch (const std::exception& error) {
    spdlog::error("{} (exit {}: retriable)", error.what(), kExitRetriable);
    return kExitRetriable;
  }
}

int run_film_plan(const config::JobFile& job) {
  restore::FilmPlan plan = restore::make_film_plan(job);
  const std::filesystem::path folder = job.resolve_path(job.get("output"));
  restore::write_film_plan(plan, folder);
  if (plan.replaced_segments > 0) {
    spdlog::info("removed {} file(s) of the segments of an earlier, other plan in {}", plan.replaced_segments,
                 folder.string());
  }
  const auto n = plan.segments.size();
  spdlog::info("plan {}: {} frames in {} segments; each decodes up to {} frames before and {} after its own",
               plan.path.string(), plan.frames, n, plan.reach.before, plan.reach.after);
  spdlog::info("next: {} tasks `restore4k video {} {}` (the segment from --segment K or the array index: "
               "sbatch --array=0-{}), then `restore4k join {} FILM{}`",
               n, plan.input.string(), folder.string(), n - 1, plan.path.string(), plan.segment_extension);
  return kExitOk;
}

int run_segment_task(const config::JobFile& job) {
  return as_task([&job] {
    restore::SegmentTask task = restore::segment_task(job);
    const restore::FilmSegment& s = task.plan.segments.at(static_cast<std::size_t>(task.index));
    const auto n = task.plan.segments.size();
    if (restore::segment_complete(task.plan, task.index)) {
      spdlog::info("segment {}/{} ({}) is complete already: {}", task.index, n, task.index_source,
                   task.video.output.string());
      return kExitOk;
    }
    spdlog::info("segment {}/{} ({}): frames {}..{}, filtering {}..{} for the temporal stages' context, decoding "
                 "from frame {}{}",
                 task.index, n, task.index_source, s.start, s.end - 1, s.decode_from, s.decode_to - 1, s.skip,
                 s.skip > 0 ? " (the pictures before are skipped, not decoded)" : "");
    restore::Algorithms algorithms;
    const int code = run_video_job(task.video, algorithms);
    // Damaged input leaves no segment: the join could not say what was lost.
    if (code == kExitInputDamaged) spdlog::error("segment {} was not written", task.index);
    // The segments after this one run what it ran (the first to finish decides).
    if (code == kExitOk) restore::record_plan_algorithms(task.plan.path, task.plan.id, algorithms);
    return code;
  });
}

int run_join(const config::JobFile& job) {
  return as_task([&job] {
    const restore::FilmPlan plan = restore::read_film_plan(job.resolve_path(job.get("input")));
    restore::Algorithms none;  // the join runs no model
    return run_video_job(restore::join_job(plan, job.resolve_path(job.get("output"))), none);
  });
}

int run_raster_job(restore::RasterJob raster, restore::Algorithms& algorithms) {
  raster.cancel = Interrupt::finish();
  raster.abort = Interrupt::abort();
  auto report = restore::ProgressReport::for_option(progress_option(), stderr, "tile");
  std::int64_t total = 0;
  raster.progress = [&report, &total](std::uint64_t tiles, std::int64_t all, double seconds) {
    total = all;
    report.update(tiles, all, seconds);
  };
  const bool shard = raster.shard_count > 0 && !raster.join;
  const std::string split = std::to_string(raster.shard_count);
  const auto run = [&]() -> int {
    const auto result = restore::upscale_raster(raster);
    algorithms = result.algorithms;
    report.finish(result.tiles, total, result.seconds);
    if (shard && !result.complete) {
      spdlog::warn("shard {}/{} interrupted after {} tiles ({} of its {} done, kept): run the same task again to "
                   "finish it",
                   raster.shard_index, split, result.tiles, result.shard_tiles_done, result.shard_tiles);
      return kExitInterrupted;
    }
    if (shard) {
      spdlog::info("shard {}/{} ({}): all {} of its tiles are done, {} made in this run ({} tiles in {:.1f} s, peak "
                   "memory {} MiB); once every shard is: restore4k raster {} {} --join --shards {} (same settings)",
                   raster.shard_index, split, raster.shard_source, result.shard_tiles, result.tiles, result.tiles,
                   result.seconds, result.peak_memory_kib / 1024, raster.input.string(), raster.output.string(),
                   split);
      // Damaged input: its tiles are recorded so; the join's output says it (exit 4 there).
      if (!result.damage.empty()) {
        spdlog::warn("{}: {} damage report(s) (listed above); the unreadable pixels are nodata, and the joined "
                     "output will say so (RESTORE4K_DAMAGED_TILES)",
                     raster.input.string(), result.damage.size());
      }
      return kExitOk;
    }
    if (!result.complete) {
      spdlog::warn("interrupted after {} tiles; the finished tiles are kept: run the same command with --resume "
                   "to finish {}",
                   result.tiles, raster.output.string());
      return kExitInterrupted;
    }
    if (result.joined_before) {
      spdlog::info("{} is joined already (it carries this job's stamp)", raster.output.string());
    } else if (raster.join) {
      spdlog::info("wrote {} (joined from {} shards in {:.1f} s, peak memory {} MiB)", raster.output.string(), split,
                   result.seconds, result.peak_memory_kib / 1024);
    } else {
      spdlog::info("wrote {} ({} tiles in {:.1f} s, peak memory {} MiB)", raster.output.string(), result.tiles,
                   result.seconds, result.peak_memory_kib / 1024);
    }
    // A join reads no input: what the shards found damaged, the output says.
    if (raster.join) {
      for (const std::string& damage : result.damage) spdlog::warn("damaged input: {}", damage);
    }
    if (!result.damage.empty()) {
      spdlog::error("{} is damaged: {} problem(s) (listed above); {} holds everything it could give, the "
                    "unreadable pixels as nodata (metadata RESTORE4K_DAMAGED_TILES)",
                    raster.input.string(), result.damage.size(), raster.output.string());
      return kExitInputDamaged;
    }
    return kExitOk;
  };
  // A shard or a join is a task of a cluster job: bad input 2 (permanent),
  // an interrupt (the scheduler's SIGTERM) or a failure 75 (retriable).
  return raster.shard_count > 0 ? as_task(run) : run();
}

int run_batch_job(restore::BatchJob batch) {
  batch.cancel = Interrupt::finish();
  batch.abort = Interrupt::abort();
  auto report = restore::ProgressReport::for_option(progress_option(), stderr, "file");
  batch.progress = [&report](std::uint64_t files, std::int64_t all, double seconds) {
    report.update(files, all, seconds);
  };
  const auto start = std::chrono::steady_clock::now();
  const auto result = restore::run_batch(batch);
  report.finish(result.items.size(), static_cast<std::int64_t>(result.items.size()),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  int done = 0;
  int skipped = 0;
  for (const auto& item : result.items) {
    done += item.status == "done";
    skipped += item.status == "skipped";
  }
  spdlog::info("batch: {} done, {} skipped, {} damaged, {} failed of {} (shard {}/{}); report {}", done, skipped,
               result.damaged, result.failed, result.items.size(), result.shard.index, result.shard.count,
               result.report.string());
  if (result.interrupted) {
    spdlog::warn("interrupted: run the same command again to finish (done files are skipped, partial ones "
                 "resume)");
    return kExitInterrupted;
  }
  if (result.failed > 0) return kExitSomeFailed;
  return result.damaged > 0 ? kExitInputDamaged : kExitOk;
}

}  // namespace

std::string& progress_option() {
  static std::string progress = "auto";
  return progress;
}

void add_progress_option(CLI::App& command) {
  command
      .add_option("--progress", progress_option(),
                  "Progress: auto (in place on a terminal, a line every 10 s otherwise), plain, or json (one JSON "
                  "object per line, about once a second, for programs)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "plain", "json"}));
}

int report_load_failure(const config::LoadResult& loaded, const std::string& what) {
  for (const auto& diagnostic : loaded.diagnostics) std::cerr << diagnostic.to_string() << "\n";
  spdlog::error("{}: {} problem(s); nothing was run", what, loaded.diagnostics.size());
  return kExitBadInput;
}

int run_job(const config::JobFile& given, bool record) {
  // --calibrate-on-input: every check first (nothing is made for a job that
  // would be refused), then the model; the job (its record, its plan) names it.
  if (restore::calibrates_on_input(given)) restore::check_job(given);
  const config::JobFile job = restore::with_input_calibrated_model(given);
  int code = kExitFailure;
  // A plan is its own record (the resolved job is in it), and a segment is not an output of its own.
  if (job.kind == "video" && (job.get_int("video.plan") > 0 || restore::is_segment_job(job))) record = false;
  restore::Algorithms algorithms;  // what the engine ran
  try {
    if (job.kind == "image") {
      code = run_image_job(restore::image_job_from(job), algorithms);
    } else if (job.kind == "video" && job.get_int("video.plan") > 0) {
      code = run_film_plan(job);
    } else if (job.kind == "video" && restore::is_segment_job(job)) {
      code = run_segment_task(job);
    } else if (job.kind == "video") {
      code = run_video_job(restore::video_job_from(job), algorithms);
    } else if (job.kind == "join") {
      code = run_join(job);
    } else if (job.kind == "raster") {
      code = run_raster_job(restore::raster_job_from(job), algorithms);
    } else {
      code = run_batch_job(restore::batch_job_from(job));
    }
  } catch (const InputError& error) {
    // A pin refused (restore_4k/algorithm_record): say which job file holds it.
    const std::string text = error.what();
    if (text.rfind("engine.algorithms", 0) == 0 && !job.path.empty()) {
      throw InputError(job.path.string() + ": " + text);
    }
    throw;
  }
  // An interrupted raster keeps its finished tiles for a resume: its record
  // says what ran, so that the resumed run runs the same (a task that failed
  // before it ran anything leaves the record another shard wrote alone).
  const bool resumable =
      job.kind == "raster" && (code == kExitInterrupted || code == kExitRetriable) && !algorithms.empty();
  // A raster shard, and a raster run that a resume finishes, pin what the
  // record beside the output says (raster_job_from): the command line, which
  // otherwise leaves no record, writes that one too.
  const bool raster_task = job.kind == "raster" && !job.get_bool("raster.join") &&
                           (job.get_int("raster.shards") > 0 || job.get_bool("raster.resume") || resumable);
  if ((record || raster_task) && (code == kExitOk || code == kExitSomeFailed || resumable)) {
    restore::write_job_record(job, algorithms);
    spdlog::info("job record: {}", restore::job_record_path(job).string());
  }
  return code;
}

int print_plan(const config::JobFile& job, bool resolved) {
  std::string line = restore::job_launch_line(job);
  // The run's conversions and assumptions come first as "# " lines: say them on stderr.
  while (!resolved && line.rfind("# ", 0) == 0) {
    const auto end = line.find('\n');
    spdlog::info("{}", line.substr(2, end - 2));
    line = end == std::string::npos ? "" : line.substr(end + 1);
  }
  if (resolved) std::cout << "# resolved job\n" << job.to_yaml() << "# equivalent pipeline\n";
  std::cout << line << "\n";
  return kExitOk;
}

}  // namespace r4k::app
