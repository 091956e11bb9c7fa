// Running a job file (`restore4k run job.yaml`): the loaded job becomes the
// same VideoJob / RasterJob / BatchJob that `restore4k video|raster|batch`
// build from their options, and runs through the same workflows; there is
// no second implementation.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "config/job_file.hpp"
#include "restore_4k/algorithm_record.hpp"
#include "restore_4k/batch_run.hpp"
#include "restore_4k/image_upscale.hpp"
#include "restore_4k/raster_upscale.hpp"
#include "restore_4k/video_upscale.hpp"

namespace r4k::restore {

ImageJob image_job_from(const config::JobFile& job);
VideoJob video_job_from(const config::JobFile& job);
RasterJob raster_job_from(const config::JobFile& job);
BatchJob batch_job_from(const config::JobFile& job);

// Every check that can be made before work, beyond the job file's own
// (config::load_job): the input probed, the output's format against its
// encoder and container, the bands, the value range, the fit against the
// upscaled size. Throws InputError naming what is wrong; `validate` passing
// means `run` starts.
void check_job(const config::JobFile& job);

// The job with every path absolute (builtin: models kept): it runs the same
// from any folder.
config::JobFile resolved_job(const config::JobFile& job);

// The record of a finished job: the resolved job with absolute paths (it
// runs again as it is), the model's SHA-256 in a comment, and in
// engine.algorithms the algorithms its engine ran (`algorithms`, with the
// job's own pins), so that running it again — resumed, as another shard —
// runs the same. Written next to the output as `<output>.job.yaml` (a batch:
// `<folder>/restore4k-batch-job.yaml`). A resumed raster job or a shard pins
// the engine.algorithms of the record beside its output (when made with the
// same model).
std::filesystem::path job_record_path(const config::JobFile& job);
std::string job_record(const config::JobFile& job, const Algorithms& algorithms = {});
void write_job_record(const config::JobFile& job, const Algorithms& algorithms = {});

// The gst-launch-1.0 line the job runs (for a batch: the pipeline of each
// file, shown for the first file of its shard); for video, after what the run
// would convert or assume, as "# " lines.
std::string job_launch_line(const config::JobFile& job);

}  // namespace r4k::restore
