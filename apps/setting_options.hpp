// The command-line options of a job command, made from the settings table
// (config/settings): one option per setting the command has, checked with
// the setting's own check (the same one job files go through), so that
// `--tile -5` and `engine.tile: -5` are refused alike, naming the range.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/job_file.hpp"

namespace r4k::app {

class SettingOptions {
 public:
  // Adds the options of every setting whose commands include `command`.
  SettingOptions(CLI::App& app, const std::string& command);

  // The options given, as overrides of the job in table order (a preset
  // first, so that the other options override it), each named as typed.
  std::vector<config::Override> given() const;

 private:
  struct Entry {
    std::string key;
    CLI::Option* option = nullptr;
    std::string value;  // the text given (flags: set from the table's Flag)
  };
  std::vector<Entry> entries_;
};

}  // namespace r4k::app
