// Running a loaded job (from a job file or built by a command): the checks
// before work, the workflow with progress on stderr, the job record, and the
// exit code. One path for `restore4k run` and `restore4k image|video|raster|batch`.
#pragma once

#include "config/job_file.hpp"

namespace r4k::app {

// Runs `job`; `record`: write the job record next to the output (job files).
int run_job(const config::JobFile& job, bool record);

// --dry-run: what the run would convert or assume (stderr), then the
// gst-launch-1.0 line (stdout); `resolved` also prints the resolved job.
int print_plan(const config::JobFile& job, bool resolved);

// Diagnostics of a job that did not load, on stderr; returns kExitBadInput.
int report_load_failure(const config::LoadResult& loaded, const std::string& what);

}  // namespace r4k::app
