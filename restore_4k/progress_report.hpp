// Progress lines for long jobs: frames done of the total, frames per second
// and time left. On a terminal one line is rewritten in place; otherwise
// (logs, CI) a plain line is written every `plain_interval` seconds; for
// programs (`--progress json`) one JSON object per line, about once a second:
//   {"event":"progress","unit":"tile","done":12,"total":64,"seconds":3.5,"rate":3.4,"eta":15.3}
// and a last one with "event":"finished".
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace r4k::restore {

class ProgressReport {
 public:
  // `unit` names what is counted: "frame" (rate in fps) or e.g. "tile".
  ProgressReport(std::FILE* stream, bool terminal, double plain_interval = 10.0, std::string unit = "frame");

  // From the --progress option: auto (in place on a terminal, plain lines
  // otherwise), plain or json. Throws InputError for anything else.
  static ProgressReport for_option(const std::string& option, std::FILE* stream, std::string unit);

  // total <= 0: unknown.
  void update(std::uint64_t frames, std::int64_t total, double seconds);
  // Ends the in-place line on a terminal.
  void finish(std::uint64_t frames, std::int64_t total, double seconds);

  // "frame 120/300 (40.0%), 2.50 fps, ETA 1:12"
  static std::string format(std::uint64_t frames, std::int64_t total, double seconds,
                            const std::string& unit = "frame");
  static std::string format_json(const char* event, std::uint64_t done, std::int64_t total, double seconds,
                                 const std::string& unit);

 private:
  std::FILE* stream_;
  bool terminal_;
  double plain_interval_;
  double last_plain_ = -1e9;
  std::string unit_;
  bool json_ = false;
};

}  // namespace r4k::restore
