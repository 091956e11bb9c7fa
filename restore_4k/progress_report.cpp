#include "restore_4k/progress_report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace r4k::restore {
namespace {

std::string clock_text(double seconds) {
  const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, (total / 60) % 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
  }
  return text;
}

}  // namespace

ProgressReport::ProgressReport(std::FILE* stream, bool terminal, double plain_interval, std::string unit)
    : stream_(stream), terminal_(terminal), plain_interval_(plain_interval), unit_(std::move(unit)) {}

std::string ProgressReport::format(std::uint64_t frames, std::int64_t total, double seconds, const std::string& unit) {
  const std::string rate = unit == "frame" ? "fps" : unit + "s/s";
  const double fps = seconds > 0 ? static_cast<double>(frames) / seconds : 0.0;
  char text[160];
  if (total > 0) {
    const double fraction = static_cast<double>(frames) / static_cast<double>(total);
    const std::string eta =
        fps > 0 && static_cast<std::int64_t>(frames) < total
            ? clock_text(static_cast<double>(total - static_cast<std::int64_t>(frames)) / fps)
            : std::string("-");
    std::snprintf(text, sizeof text, "%s %llu/%lld (%.1f%%), %.2f %s, ETA %s", unit.c_str(),
                  static_cast<unsigned long long>(frames), static_cast<long long>(total), 100.0 * fraction, fps,
                  rate.c_str(), eta.c_str());
  } else {
    std::snprintf(text, sizeof text, "%s %llu, %.2f %s, %s elapsed", unit.c_str(),
                  static_cast<unsigned long long>(frames), fps, rate.c_str(), clock_text(seconds).c_str());
  }
  return text;
}

ProgressReport ProgressReport::for_option(const std::string& option, std::FILE* stream, std::string unit) {
  if (option == "auto") return ProgressReport(stream, ::isatty(::fileno(stream)) != 0, 10.0, std::move(unit));
  if (option == "plain") return ProgressReport(stream, false, 10.0, std::move(unit));
  if (option == "json") {
    ProgressReport report(stream, false, 1.0, std::move(unit));
    report.json_ = true;
    return report;
  }
  throw InputError("--progress '" + option + "': expected auto, plain or json");
}

std::string ProgressReport::format_json(const char* event, std::uint64_t done, std::int64_t total, double seconds,
                                        const std::string& unit) {
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  char text[256];
  std::string eta = "null";
  if (total > 0 && rate > 0) {
    char number[32];
    std::snprintf(number, sizeof number, "%.1f",
                  std::max(0.0, static_cast<double>(total - static_cast<std::int64_t>(done)) / rate));
    eta = number;
  }
  std::snprintf(text, sizeof text,
                "{\"event\":\"%s\",\"unit\":\"%s\",\"done\":%llu,\"total\":%lld,\"seconds\":%.2f,\"rate\":%.3f,"
                "\"eta\":%s}",
                event, unit.c_str(), static_cast<unsigned long long>(done), static_cast<long long>(std::max<std::int64_t>(0, total)),
                seconds, rate, eta.c_str());
  return text;
}

void ProgressReport::update(std::uint64_t frames, std::int64_t total, double seconds) {
  if (json_) {
    if (seconds - last_plain_ >= plain_interval_) {
      std::fprintf(stream_, "%s\n", format_json("progress", frames, total, seconds, unit_).c_str());
      std::fflush(stream_);
      last_plain_ = seconds;
    }
    return;
  }
  if (terminal_) {
    std::fprintf(stream_, "\r%s\033[K", format(frames, total, seconds, unit_).c_str());
    std::fflush(stream_);
  } else if (seconds - last_plain_ >= plain_interval_) {
    std::fprintf(stream_, "restore4k: %s\n", format(frames, total, seconds, unit_).c_str());
    std::fflush(stream_);
    last_plain_ = seconds;
  }
}

void ProgressReport::finish(std::uint64_t frames, std::int64_t total, double seconds) {
  if (json_) {
    std::fprintf(stream_, "%s\n", format_json("finished", frames, total, seconds, unit_).c_str());
  } else if (terminal_) {
    std::fprintf(stream_, "\r%s\033[K\n", format(frames, total, seconds, unit_).c_str());
  } else {
    std::fprintf(stream_, "restore4k: %s\n", format(frames, total, seconds, unit_).c_str());
  }
  std::fflush(stream_);
}

}  // namespace r4k::restore
