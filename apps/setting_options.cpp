#include "apps/setting_options.hpp"

#include <algorithm>

#include "config/settings.hpp"

namespace r4k::app {
namespace {

CLI::Validator setting_validator(const settings::Setting& setting) {
  return CLI::Validator(
      [&setting](std::string& text) {
        const settings::Checked checked = settings::check(setting, text);
        return checked.ok ? std::string() : checked.message;
      },
      "", setting.key);
}

std::string help_of(const settings::Setting& setting) {
  std::string help = setting.doc;
  if (setting.flag == settings::Flag::none) {
    help += " [" + settings::describe(setting);
    if (!setting.default_value.empty()) help += "; default " + setting.default_value;
    help += "]";
  }
  return help + " (job key " + setting.key + ")";
}

}  // namespace

SettingOptions::SettingOptions(CLI::App& app, const std::string& command) {
  for (const settings::Setting& setting : settings::all()) {
    if (setting.option.empty() ||
        std::find(setting.commands.begin(), setting.commands.end(), command) == setting.commands.end()) {
      continue;
    }
    entries_.push_back(Entry{setting.key, nullptr, ""});
  }
  // Options point into entries_: add them once it no longer grows.
  for (Entry& entry : entries_) {
    const settings::Setting& setting = *settings::find(entry.key);
    const std::string help = help_of(setting);
    if (setting.flag == settings::Flag::none) {
      entry.option = app.add_option(setting.option, entry.value, help)->check(setting_validator(setting));
    } else {
      entry.option = app.add_flag(setting.option, help);
      entry.value = setting.flag == settings::Flag::sets_true ? "true" : "false";
    }
  }
}

std::vector<config::Override> SettingOptions::given() const {
  std::vector<config::Override> overrides;
  for (const Entry& entry : entries_) {
    if (entry.option->count() == 0) continue;
    const std::string name = entry.option->get_name();
    const bool flag = settings::find(entry.key)->flag != settings::Flag::none;
    overrides.push_back(config::Override{entry.key, entry.value, flag ? name : name + " " + entry.value});
  }
  return overrides;
}

}  // namespace r4k::app
