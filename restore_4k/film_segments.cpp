#include "restore_4k/film_segments.hpp"

#include "core/error.hpp"
#include "encode/packet_log.hpp"
#include "restore_4k/algorithm_record.hpp"
#include "restore_4k/batch_manifest.hpp"
#include "restore_4k/job_runner.hpp"

namespace r4k::restore {
namespace {

std::string segment_stamp(const FilmPlan& plan, int index) {
  return "plan:" + plan.id + "/segment:" + std::to_string(index) + "-of-" + std::to_string(plan.segments.size());
}

// Keys a task does not take from its plan.
bool task_key(const std::string& key) {
  return key == "kind" || key == "input" || key == "output" || key == "video.segment" || key == "video.plan";
}

}  // namespace

bool segment_complete(const FilmPlan& plan, int index, std::string* why) {
  const auto say = [why](const std::string& text) {
    if (why != nullptr) *why = text;
    return false;
  };
  const std::filesystem::path file = segment_path(plan, index);
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return say("'" + file.string() + "' is missing");
  const std::filesystem::path log_path = segment_log_path(file);
  if (!std::filesystem::exists(log_path, ec)) {
    return say("'" + file.string() + "' has no packet log '" + log_path.string() + "' (its task did not finish)");
  }
  encode::PacketLog log;
  try {
    log = encode::read_packet_log(log_path);
  } catch (const InputError& error) {
    return say(error.what());
  }
  const FilmSegment& s = plan.segments.at(static_cast<std::size_t>(index));
  if (!log.complete) return say("'" + file.string() + "' is incomplete (its packet log has no end)");
  if (log.stamp != segment_stamp(plan, index)) {
    return say("'" + file.string() + "' was made for another plan or segment (" + log.stamp + ")");
  }
  if (static_cast<std::int64_t>(log.packets.size()) != s.end - s.start) {
    return say("'" + file.string() + "' holds " + std::to_string(log.packets.size()) + " frames, not the " +
               std::to_string(s.end - s.start) + " of frames " + std::to_string(s.start) + ".." +
               std::to_string(s.end - 1));
  }
  return true;
}

bool is_segment_job(const config::JobFile& job) {
  if (job.kind != "video" || job.get_int("video.plan") > 0) return false;
  std::error_code ec;
  const std::filesystem::path output = job.resolve_path(job.get("output"));
  return !job.get("video.segment").empty() ||
         (std::filesystem::is_directory(output, ec) && std::filesystem::exists(film_plan_path(output), ec));
}

SegmentTask segment_task(const config::JobFile& job) {
  SegmentTask task;
  const std::filesystem::path folder = job.resolve_path(job.get("output"));
  task.plan = read_film_plan(folder);
  const FilmPlan& plan = task.plan;
  const std::string plan_name = "the plan '" + plan.path.string() + "'";
  // The index from the flag or the scheduler; the count is the plan's.
  if (job.get("video.segment").empty() && !index_from_environment()) {
    throw InputError("video.segment: which segment of " + plan_name + " to restore is not given: --segment K (0.." +
                     std::to_string(plan.segments.size() - 1) + "), or run as an array task (SLURM_ARRAY_TASK_ID, "
                     "JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX)");
  }
  const Shard shard = resolve_shard(job.get("video.segment"), "--segment", static_cast<int>(plan.segments.size()),
                                    plan_name);
  task.index = shard.index;
  task.index_source = shard.source;
  std::error_code ec;
  const std::filesystem::path input = job.resolve_path(job.get("input"));
  if (!std::filesystem::equivalent(input, plan.input, ec)) {
    throw InputError("input '" + input.string() + "' is not the input of " + plan_name + " ('" + plan.input.string() +
                     "')");
  }
  // A task runs the plan's job: what it says itself must agree with it.
  // (Paths compared resolved: the plan's are absolute.)
  const config::JobFile planned = plan_job(plan);
  const config::JobFile given_job = resolved_job(job);
  for (const auto& [key, given] : job.explicit_keys) {
    if (!given || task_key(key)) continue;
    if (given_job.get(key) != planned.get(key)) {
      throw InputError(key + ": this task says '" + job.get(key) + "', " + plan_name + " '" + planned.get(key) +
                       "': every segment runs the plan's job (leave it out, or plan again)");
    }
  }
  check_plan_inputs(plan);
  task.video = video_job_from(planned);
  // What the segments that finished before ran, this one runs too (the plan's
  // own pins first); with none yet, it measures (or takes the cache's).
  const Algorithms ran = read_plan_algorithms(plan.path, plan.id);
  if (!ran.empty()) {
    task.video.engine.autotune.pinned = merged_algorithms(std::move(task.video.engine.autotune.pinned), ran);
    task.video.pins_origin = "'" + plan_algorithms_path(plan.path).string() + "' (what the plan's first segments ran)";
  }
  const FilmSegment& s = plan.segments.at(static_cast<std::size_t>(task.index));
  const bool last = task.index + 1 == static_cast<int>(plan.segments.size());
  VideoSegment segment;
  segment.skip_packets = s.skip;
  segment.decode_first = s.decode_from - segment.skip_packets;
  segment.decode_count = last ? -1 : s.decode_to - s.decode_from;
  segment.keep_first = s.start - s.decode_from;
  segment.keep_count = last ? -1 : s.end - s.start;
  segment.expected = s.end - s.start;
  segment.stamp = segment_stamp(plan, task.index);
  task.video.segment = segment;
  task.video.output = segment_path(plan, task.index);
  task.video.keep_interrupted = false;
  return task;
}

VideoJob join_job(const FilmPlan& plan, const std::filesystem::path& output) {
  check_plan_inputs(plan);
  std::string problems;
  int missing = 0;
  VideoJob video = video_job_from(plan_job(plan));
  for (std::size_t k = 0; k < plan.segments.size(); ++k) {
    std::string why;
    if (!segment_complete(plan, static_cast<int>(k), &why)) {
      problems += (problems.empty() ? "" : "; ") + std::string("segment ") + std::to_string(k) + ": " + why;
      ++missing;
    }
    video.join_segments.push_back(segment_path(plan, static_cast<int>(k)));
  }
  if (missing > 0) {
    throw InputError(std::to_string(missing) + " of the " + std::to_string(plan.segments.size()) + " segments of '" +
                     plan.path.string() + "' cannot be joined: " + problems + " (run their tasks again)");
  }
  video.output = output;
  video.keep_interrupted = false;  // the film whole, or nothing under its name (the task runs again)
  return video;
}

}  // namespace r4k::restore
