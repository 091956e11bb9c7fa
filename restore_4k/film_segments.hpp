// A film over many machines, after its plan (film_plan.hpp): each task
// restores its segment (`restore4k video IN PLANDIR`, the index from
// --segment or the scheduler), and the join (`restore4k join PLAN OUT`)
// replays the segments into the writer a single-machine run has, carrying
// the source's audio, subtitles, chapters and tags once: its frames equal
// that run's.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "config/job_file.hpp"
#include "restore_4k/film_plan.hpp"
#include "restore_4k/video_upscale.hpp"

namespace r4k::restore {

// Whether segment k of the plan is on disk, whole: its file and its
// complete packet log naming this plan and segment, with the segment's
// frame count. `why` says what is missing otherwise.
bool segment_complete(const FilmPlan& plan, int index, std::string* why = nullptr);

struct SegmentTask {
  FilmPlan plan;
  int index = 0;
  std::string index_source;  // "--segment", "SLURM_ARRAY_TASK_ID", ...
  VideoJob video;            // the plan's job, writing segment `index`
};

// The task a job names (kind video, output = a plan folder): the plan read,
// the index resolved (--segment or the scheduler; the count is the plan's),
// the input and model checked against the plan, settings the job gives that
// the plan does not hold refused. Throws InputError naming what is wrong.
SegmentTask segment_task(const config::JobFile& job);

// The join's whole-film job: the plan's job writing `output`, fed its
// segments. Throws InputError naming every segment missing or incomplete.
VideoJob join_job(const FilmPlan& plan, const std::filesystem::path& output);

// Whether a job names a segment task: a video job whose output is a folder
// holding a plan.
bool is_segment_job(const config::JobFile& job);

}  // namespace r4k::restore
