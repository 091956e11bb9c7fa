// Running programs from tests: exit code and combined output.
#pragma once

#include <string>
#include <vector>

namespace r4k::testing {

struct Outcome {
  int exit_code = -1;  // 128 + signal when killed
  std::string output;  // stdout and stderr
};

// Single-quotes `text` for /bin/sh.
std::string shell_quote(const std::string& text);

// Runs `program` with `arguments` through /bin/sh; `environment` is a prefix
// such as "GST_PLUGIN_PATH=/x" (empty: none).
Outcome run_command(const std::string& program, const std::vector<std::string>& arguments,
                    const std::string& environment = {});

// Runs `program` with `arguments` (stdout and stderr read line by line) and
// sends `signal_number` to it when a line contains `trigger`; `interrupted`
// tells whether that happened. For stop-and-finish tests: synchronised on
// what the program says, not on time.
Outcome run_and_signal(const std::string& program, const std::vector<std::string>& arguments,
                       const std::string& trigger, int signal_number, bool& interrupted);

// The same with several steps, in order: each signal is sent when a line
// after the previous step's contains its trigger. `steps_done` counts them.
struct SignalStep {
  std::string trigger;
  int signal_number;
};
Outcome run_and_signal_steps(const std::string& program, const std::vector<std::string>& arguments,
                             const std::vector<SignalStep>& steps, int& steps_done);

// True when `program` is on the PATH.
bool program_available(const std::string& program);

}  // namespace r4k::testing
