// The commands of the restore4k program. Each command file adds its CLI11
// subcommand and returns what runs it; main() parses and calls the one given.
// Exit codes (docs/user-guide.md): 0 ok, 1 failure, 2 bad input or usage,
// 3 some batch items failed, 4 input damaged (the output holds all it had to
// give), 75 a cluster task (film segment, raster shard, join) that may
// succeed when run again, 130 interrupted.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace r4k::app {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitSomeFailed = 3;
constexpr int kExitInputDamaged = 4;
// A task of a cluster job that may succeed when run again (interrupted,
// preempted, a machine or disk failure): EX_TEMPFAIL. Bad input is 2.
constexpr int kExitRetriable = 75;
constexpr int kExitInterrupted = 130;

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Ctrl-C: the first finishes the output with what is in flight, the second
// stops at once (apps/interrupt.cpp).
struct Interrupt {
  static const std::atomic<bool>* finish();
  static const std::atomic<bool>* abort();
  static void install();
};

// --progress of the commands that run jobs: auto, plain or json.
std::string& progress_option();
void add_progress_option(CLI::App& command);

// image, video, raster, batch, join: a command is a job (apps/job_commands.cpp).
Command add_job_command(CLI::App& app, const std::string& kind);
// validate, run, jobs-reference (apps/job_file_commands.cpp).
Command add_validate_command(CLI::App& app);
Command add_run_command(CLI::App& app);
Command add_jobs_reference_command(CLI::App& app);
// models info, bench, eval (apps/model_commands.cpp).
Command add_models_command(CLI::App& app);
Command add_bench_command(CLI::App& app);
Command add_eval_command(CLI::App& app);
// sample-image (apps/sample_command.cpp).
Command add_sample_command(CLI::App& app);

}  // namespace r4k::app
