// restore4k validate|run JOB.yaml and jobs-reference: job files (docs/jobs.md).
#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include "apps/commands.hpp"
#include "apps/job_runs.hpp"
#include "config/settings.hpp"
#include "restore_4k/job_runner.hpp"

namespace r4k::app {
namespace {

struct JobFileState {
  std::filesystem::path path;
  std::vector<std::string> sets;
  bool dry_run = false;
};

void add_job_arguments(CLI::App& command, JobFileState& state) {
  command.add_option("job", state.path, "Job file (YAML)")->required();
  command.add_option("--set", state.sets, "Override a key: --set engine.tile=256 (repeatable)");
}

// The job, loaded; `check`: and checked as far as can be before work (what
// validate does; a run's workflows make those checks themselves, once).
std::optional<config::JobFile> load_checked(const JobFileState& state, bool check) {
  std::vector<config::Override> overrides;
  for (const std::string& set : state.sets) overrides.push_back(config::parse_set_option(set));
  const auto loaded = config::load_job(state.path, true, overrides);
  if (!loaded.ok()) {
    report_load_failure(loaded, state.path.string());
    return std::nullopt;
  }
  for (const auto& note : loaded.notes) spdlog::info("{}", note.to_string());
  if (check) restore::check_job(*loaded.job);  // throws InputError: exit 2
  return loaded.job;
}

}  // namespace

Command add_validate_command(CLI::App& app) {
  auto state = std::make_shared<JobFileState>();
  CLI::App* sub = app.add_subcommand(
      "validate", "Check a job file without running it: every check that can be made before work (exit 2 when invalid)");
  add_job_arguments(*sub, *state);
  return Command{sub, [state] {
                   const auto job = load_checked(*state, true);
                   if (!job) return kExitBadInput;
                   spdlog::info("{}: a valid {} job", state->path.string(), job->kind);
                   return kExitOk;
                 }};
}

Command add_run_command(CLI::App& app) {
  auto state = std::make_shared<JobFileState>();
  CLI::App* sub = app.add_subcommand("run", "Run a job file (YAML): an image, video, raster or batch job");
  add_job_arguments(*sub, *state);
  add_progress_option(*sub);
  sub->add_flag("--dry-run", state->dry_run,
                "Print the resolved job and the equivalent gst-launch-1.0 line, run nothing");
  return Command{sub, [state] {
                   const auto job = load_checked(*state, false);
                   if (!job) return kExitBadInput;
                   if (state->dry_run) return print_plan(*job, true);
                   return run_job(*job, true);
                 }};
}

Command add_jobs_reference_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("jobs-reference", "Print the job-file reference (docs/jobs.md)");
  return Command{sub, [] {
                   std::cout << settings::jobs_reference_markdown();
                   return kExitOk;
                 }};
}

}  // namespace r4k::app
