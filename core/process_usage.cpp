#include "core/process_usage.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace r4k {
namespace {

double seconds_of(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; }

// utime + stime of /proc/self/task/TID/stat, in seconds; < 0 when the thread is gone.
double thread_cpu_seconds(const std::filesystem::path& task) {
  std::ifstream file(task / "stat");
  std::string text;
  if (!std::getline(file, text)) return -1.0;
  // The name (field 2) is in parentheses and may hold spaces: count from the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return -1.0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Fields 3..13, then utime (14) and stime (15).
  for (int i = 3; i <= 13 && fields >> field; ++i) {
  }
  if (!(fields >> utime >> stime)) return -1.0;
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string thread_name(const std::filesystem::path& task) {
  std::ifstream file(task / "comm");
  std::string name;
  std::getline(file, name);
  return name;
}

}  // namespace

double process_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
}

std::uint64_t peak_memory_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // "VmHWM:   123 kB"
  }
  return 0;
}

void reset_peak_memory() {
  // "5" resets the peak resident set size to the current one (Linux 4.0+).
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
}

ThreadCpuSampler::ThreadCpuSampler(double interval_seconds) : interval_(interval_seconds) {
  sample(true);
  worker_ = std::thread([this] {
    while (running_.load()) {
      std::this_thread::sleep_for(std::chrono::duration<double>(interval_));
      sample(false);
    }
  });
}

ThreadCpuSampler::~ThreadCpuSampler() { stop(); }

void ThreadCpuSampler::stop() {
  if (!worker_.joinable()) return;
  running_ = false;
  worker_.join();
  sample(false);
}

void ThreadCpuSampler::sample(bool first) {
  std::error_code ec;
  std::map<int, std::pair<std::string, double>> now;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    const double seconds = thread_cpu_seconds(entry.path());
    if (seconds < 0) continue;
    now[std::stoi(entry.path().filename().string())] = {thread_name(entry.path()), seconds};
  }
  std::lock_guard lock(mutex_);
  for (const auto& [id, seen] : now) {
    auto [it, added] = threads_.try_emplace(id);
    ThreadSample& thread = it->second;
    if (added && first) thread.at_start = seen.second;
    // Names change (GStreamer names a pooled thread after the task it runs): the latest is kept.
    thread.name = seen.first;
    thread.last = seen.second;
  }
}

std::map<std::string, double> ThreadCpuSampler::seconds_by_name() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, double> result;
  for (const auto& [id, thread] : threads_) result[thread.name] += thread.last - thread.at_start;
  return result;
}

}  // namespace r4k
