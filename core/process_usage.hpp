// What this process uses, read from the kernel (Linux /proc and getrusage):
// CPU seconds of the whole process and of each of its threads by name, and
// its peak resident memory. For benchmarks (restore4k bench --video), which
// attribute a pipeline's CPU to its stages by the names of their threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace r4k {

// User + system CPU seconds of every thread of the process so far.
double process_cpu_seconds();

// The peak resident memory (VmHWM) in bytes, and a reset of it to the
// current size (so that a later peak is one phase's). 0 / no-op where the
// kernel does not offer them.
std::uint64_t peak_memory_bytes();
void reset_peak_memory();

// Samples the CPU time of every thread of the process every `interval`
// until stopped (at destruction at the latest): each thread's last sample,
// summed by thread name (Linux names are at most 15 characters; a thread
// inherits its creator's name). A thread that ends between two samples
// loses at most an interval of its time.
class ThreadCpuSampler {
 public:
  explicit ThreadCpuSampler(double interval_seconds = 0.1);
  ~ThreadCpuSampler();
  ThreadCpuSampler(const ThreadCpuSampler&) = delete;
  ThreadCpuSampler& operator=(const ThreadCpuSampler&) = delete;

  void stop();
  // CPU seconds by thread name, counted from the sampler's start (threads
  // that existed before count only what they used since).
  std::map<std::string, double> seconds_by_name() const;

 private:
  struct ThreadSample {
    std::string name;
    double at_start = 0.0;  // seconds the thread had used when first seen before the start
    double last = 0.0;
  };
  void sample(bool first);

  double interval_;
  std::atomic<bool> running_{true};
  mutable std::mutex mutex_;
  std::map<int, ThreadSample> threads_;  // by thread id
  std::thread worker_;
};

}  // namespace r4k
