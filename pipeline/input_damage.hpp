// How elements report damaged input that they worked around (a raster block
// that could not be read, a stream that ended early): an element message
// named "r4k-input-damage" with a "description" string, posted on the bus.
// The pipeline runner collects them, so that the job can finish what it can,
// say what was damaged and exit with code 4.
#pragma once

#include <optional>
#include <string>

#include <gst/gst.h>

namespace r4k::pipeline {

void post_input_damage(GstElement* element, const std::string& description);

// The description when `message` is such a report.
std::optional<std::string> input_damage_of(GstMessage* message);

}  // namespace r4k::pipeline
