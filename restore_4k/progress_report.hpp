// Progress lines for long jobs: frames done of the total, frames per second
// and time left. On a terminal one line is rewritten in place; otherwise
// (logs, CI) a plain line is written every `plain_interval` seconds.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace r4k::restore {

class ProgressReport {
 public:
  // `unit` names what is counted: "frame" (rate in fps) or e.g. "tile".
  ProgressReport(std::FILE* stream, bool terminal, double plain_interval = 10.0, std::string unit = "frame");

  // total <= 0: unknown.
  void update(std::uint64_t frames, std::int64_t total, double seconds);
  // Ends the in-place line on a terminal.
  void finish(std::uint64_t frames, std::int64_t total, double seconds);

  // "frame 120/300 (40.0%), 2.50 fps, ETA 1:12"
  static std::string format(std::uint64_t frames, std::int64_t total, double seconds,
                            const std::string& unit = "frame");

 private:
  std::FILE* stream_;
  bool terminal_;
  double plain_interval_;
  double last_plain_ = -1e9;
  std::string unit_;
};

}  // namespace r4k::restore
