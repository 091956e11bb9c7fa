// Running a gst-launch-1.0 line inside a test: parsed, played to EOS or its
// first error (60 s at most), and stopped; what went wrong, if anything.
#pragma once

#include <functional>
#include <string>

#include <gst/gst.h>

namespace r4k::test {

struct LaunchOutcome {
  bool error = false;      // the line did not parse, or an element posted an error
  bool timed_out = false;  // neither EOS nor an error within the time
  std::string message;     // the error's message alone
  std::string debug;       // its debug text
};

// `before_stop`, when given, sees the pipeline after the end of the stream
// and before it is stopped (its pads still hold their caps).
LaunchOutcome run_launch_line(const std::string& launch,
                              const std::function<void(GstElement* pipeline)>& before_stop = {});

}  // namespace r4k::test
