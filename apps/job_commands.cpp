// restore4k image|video|raster|batch: a command is a job. Its arguments and
// options become the same job a job file would give (kind, input, output and
// one override per option given), loaded and checked by the job loader and
// run by the same code as `restore4k run`.
#include <filesystem>
#include <map>
#include <memory>

#include <spdlog/spdlog.h>

#include "apps/commands.hpp"
#include "apps/job_runs.hpp"
#include "apps/setting_options.hpp"
#include "restore_4k/job_runner.hpp"

namespace r4k::app {
namespace {

struct Positional {
  const char* name;  // as help and diagnostics show it
  const char* key;   // the job key it sets
  const char* help;
};

struct KindCommand {
  const char* description;
  std::vector<Positional> positionals;
  bool dry_run;
  bool progress;
};

const std::map<std::string, KindCommand>& kind_commands() {
  static const std::map<std::string, KindCommand> commands{
      {"image",
       {"Upscale a still image (PNG, TIFF, JPEG; 8/16-bit; grey, RGB, RGBA)",
        {{"input", "input", "Input image"}, {"output", "output", "Output image (.png, .tif, .tiff, .jpg)"}},
        false,
        false}},
      {"video",
       {"Restore a video; every other stream, chapter and tag is carried over (or the job is refused before it "
        "starts, saying what cannot be kept)",
        {{"input", "input", "Input video (MP4, MOV, MKV, AVI, ...)"},
         {"output", "output",
          "Output: .mkv (ffv1, x264), .mov (prores, x264), .mp4 (x264); with --plan, and for a segment task, the "
          "plan folder"}},
        true,
        true}},
      {"raster",
       {"Upscale a georeferenced raster (GeoTIFF, COG, ...) of any size, tile by tile, keeping its georeference",
        {{"input", "input", "Input raster (a file, or any name GDAL opens: /vsizip/..., GTIFF_DIR:...)"},
         {"output", "output", "Output GeoTIFF (.tif, .tiff)"}},
        true,
        true}},
      {"join",
       {"Join the segments of a planned film (restore4k video IN DIR --plan N, then its N tasks) into one file, "
        "with the source's audio, subtitles, chapters and tags: the film a single-machine run writes",
        {{"plan", "input", "The plan: DIR/restore4k-plan.yaml (or DIR)"},
         {"output", "output", "The film: .mkv (ffv1), .mov (prores)"}},
        true,
        true}},
      {"batch",
       {"Upscale every file matching a glob into a folder: sharded across a cluster, resumable, with a JSON "
        "report (exit 3 when some files fail)",
        {{"pattern", "batch.inputs", "Shell glob of inputs, quoted, e.g. 'tiles/*.tif' (** walks folders)"},
         {"output_folder", "output", "Folder for the outputs (made when missing)"}},
        true,
        true}},
  };
  return commands;
}

struct JobCommandState {
  std::string kind;
  std::vector<std::string> positional_values;
  std::unique_ptr<SettingOptions> options;
  bool dry_run = false;
};

int run_command(const JobCommandState& state) {
  const KindCommand& command = kind_commands().at(state.kind);
  std::vector<config::Override> overrides;
  for (std::size_t i = 0; i < command.positionals.size(); ++i) {
    overrides.push_back(
        config::Override{command.positionals[i].key, state.positional_values[i], command.positionals[i].name});
  }
  for (config::Override& given : state.options->given()) {
    // A preset comes first so that every other option overrides it.
    if (given.key == "extends") {
      overrides.insert(overrides.begin(), given);
    } else {
      overrides.push_back(given);
    }
  }
  // Relative paths are relative to the folder the command runs in.
  const std::filesystem::path name = std::filesystem::current_path() / ("restore4k " + state.kind);
  const auto loaded = config::load_job_text("kind: " + state.kind + "\n", name, true, overrides);
  if (!loaded.ok()) return report_load_failure(loaded, "restore4k " + state.kind);
  for (const auto& note : loaded.notes) spdlog::info("{}", note.to_string());
  // The workflows make the checks before work themselves (check_job is
  // what validate runs of them), and so does the dry run's planning.
  if (state.dry_run) return print_plan(*loaded.job, false);
  return run_job(*loaded.job, false);
}

}  // namespace

Command add_job_command(CLI::App& app, const std::string& kind) {
  const KindCommand& command = kind_commands().at(kind);
  auto state = std::make_shared<JobCommandState>();
  state->kind = kind;
  state->positional_values.resize(command.positionals.size());
  CLI::App* sub = app.add_subcommand(kind, command.description);
  for (std::size_t i = 0; i < command.positionals.size(); ++i) {
    sub->add_option(command.positionals[i].name, state->positional_values[i], command.positionals[i].help)
        ->required();
  }
  state->options = std::make_unique<SettingOptions>(*sub, kind);
  if (command.dry_run) sub->add_flag("--dry-run", state->dry_run, "Print the equivalent gst-launch-1.0 line and exit");
  if (command.progress) add_progress_option(*sub);
  return Command{sub, [state] { return run_command(*state); }};
}

}  // namespace r4k::app
