// restore4k: the command-line program. Thin: each command's file adds its
// options and runs the workflows; this file sets up logging, refuses unknown
// commands and options by name, and maps errors to the exit codes of
// apps/commands.hpp.
#include <cstdlib>
#include <iostream>
#include <set>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "apps/commands.hpp"
#include "config/job_file.hpp"
#include "core/error.hpp"

namespace {

using namespace r4k::app;

// The names of `command`'s options, and which of them take a value.
std::map<std::string, bool> option_names(const CLI::App& command) {
  std::map<std::string, bool> names{{"--help", false}, {"-h", false}, {"--log-level", true}};
  for (const CLI::Option* option : command.get_options()) {
    std::string all = option->get_name(false, true);
    std::size_t start = 0;
    while (start <= all.size()) {
      const std::size_t comma = std::min(all.find(',', start), all.size());
      const std::string name = all.substr(start, comma - start);
      if (name.rfind('-', 0) == 0) names[name.substr(0, name.find('{'))] = option->get_items_expected_min() > 0;
      start = comma + 1;
    }
  }
  return names;
}

bool is_number(const std::string& text) {
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0';
}

// CLI11 reports a missing positional before an unknown option ("pattern is
// required" for `batch --bogus`), and takes an unknown command for an
// argument of the main program: find both first, by name.
std::string unknown_word(CLI::App& app, int argc, char** argv) {
  CLI::App* command = &app;
  std::string path = "restore4k";
  int i = 1;
  for (; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--log-level") {
      ++i;
      continue;
    }
    if (word.rfind('-', 0) == 0) break;
    std::vector<std::string> names;
    CLI::App* found = nullptr;
    for (CLI::App* sub : command->get_subcommands({})) {
      names.push_back(sub->get_name());
      if (sub->get_name() == word) found = sub;
    }
    if (found == nullptr) {
      if (names.empty()) break;  // a positional argument
      const std::string close = r4k::config::closest_match(word, names);
      std::string known;
      for (const auto& name : names) known += (known.empty() ? "" : ", ") + name;
      return path + ": unknown command '" + word + "'" +
             (close.empty() ? " (commands: " + known + ")" : ": did you mean '" + close + "'?");
    }
    command = found;
    path += " " + word;
  }
  if (command == &app) return "";
  const auto names = option_names(*command);
  std::vector<std::string> candidates;
  for (const auto& [name, takes_value] : names) candidates.push_back(name);
  for (; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--") break;
    if (word.rfind('-', 0) != 0 || word == "-" || is_number(word)) continue;
    // --name=value, or a short option with its value attached (-j2).
    const bool attached = word.size() > 2 && word[1] != '-';
    const std::string name = attached ? word.substr(0, 2) : word.substr(0, word.find('='));
    const auto known = names.find(name);
    if (known == names.end()) {
      const std::string close = r4k::config::closest_match(name, candidates);
      return path + ": unknown option '" + name + "'" +
             (close.empty() ? " (" + path + " --help lists them)" : ": did you mean '" + close + "'?");
    }
    if (known->second && name == word) ++i;  // its value, which may begin with '-'
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("restore4k");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("restore4k: %^%l%$: %v");

  CLI::App app{"restore4k: neural super-resolution for film restoration and remote sensing"};
  app.set_version_flag("--version", "restore4k 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();  // global options (--log-level) may follow the subcommand
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  const std::vector<Command> commands = {
      add_job_command(app, "image"),      add_job_command(app, "video"),  add_job_command(app, "raster"),
      add_job_command(app, "batch"),      add_job_command(app, "join"),   add_validate_command(app),
      add_run_command(app),
      add_jobs_reference_command(app),    add_models_command(app),        add_bench_command(app),
      add_eval_command(app),              add_sample_command(app),
  };

  if (const std::string unknown = unknown_word(app, argc, argv); !unknown.empty()) {
    std::cerr << unknown << "\n";
    return kExitBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  spdlog::set_level(spdlog::level::from_str(log_level));
  Interrupt::install();

  try {
    for (const Command& command : commands) {
      if (*command.app) return command.run();
    }
  } catch (const r4k::Interrupted&) {
    spdlog::error("interrupted; no output written");
    return kExitInterrupted;
  } catch (const r4k::InputError& error) {
    spdlog::error("{}", error.what());
    return kExitBadInput;
  } catch (const std::exception& error) {
    spdlog::error("{}", error.what());
    return kExitFailure;
  }
  return kExitFailure;
}
