// The presets shipped with restore4k (`presets/*.yaml` in the source tree,
// compiled into the program so that no install path is needed). A job
// starts from one with `extends: NAME`.
#pragma once

#include <map>
#include <string>

namespace r4k::config {

// Preset name (file name without .yaml) -> YAML text.
const std::map<std::string, std::string>& builtin_presets();

}  // namespace r4k::config
