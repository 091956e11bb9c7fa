// AutoTune: the algorithm of each layer chosen by measuring the candidates
// (oneDNN's direct convolution, Winograd with several block sizes) on first
// use, on this machine, for this model and shape. Choices are kept in a
// cache file keyed by CPU model, instruction set, thread count, kernel
// revision, model SHA-256, layer and shape — `$XDG_CACHE_HOME/restore4k/autotune.yaml` (else
// `~/.cache/restore4k/`) — so later runs and `restore4k models tune` share
// them. Off (`--autotune off`), every layer takes its default. Choices can be
// pinned (a resumed or sharded job runs what its first run ran: they are in
// its job record), and a pinned choice wins over the cache and measurement.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace r4k::infer {

struct AutotuneOptions {
  bool enabled = true;
  std::map<std::string, std::string> pinned;  // "layer@shape" -> algorithm
  std::string cache_file;                     // empty: the default place
  // Benchmarks and tests: "direct" or "winograd" makes every layer that
  // offers it take that algorithm (Winograd at its default block), "auto"
  // (default) leaves the choice to the rules above.
  std::string algorithm = "auto";
};

// A pinned choice this machine cannot run for that layer: the caller's pin
// (a job record, a plan) is at fault, never a reason to fall back silently.
class PinRefused : public InputError {
 public:
  PinRefused(std::string entry, std::string algorithm, std::vector<std::string> offered);
  const std::string& entry() const { return entry_; }        // "layer@shape"
  const std::string& algorithm() const { return algorithm_; }
  const std::vector<std::string>& offered() const { return offered_; }

 private:
  std::string entry_;
  std::string algorithm_;
  std::vector<std::string> offered_;
};

class Autotuner {
 public:
  struct Candidate {
    std::string algorithm;        // "direct", "winograd-f4-b24", ...
    std::function<void()> run;    // one run of the layer on the shape's buffers
    double weight = 1.0;          // how many runs the choice stands for (its seconds are multiplied by it)
  };

  Autotuner(AutotuneOptions options, std::string model_sha256, int threads);

  // The algorithm for `layer` at `shape` (e.g. "1x64x128x128"): pinned, else
  // cached, else measured (after a warm run each, the best of 3 rounds that
  // run every candidate in turn, times its weight; the default — the first
  // candidate — is kept unless another is at least 3 % faster), else —
  // autotune off — the first candidate, the default.
  std::string choose(const std::string& layer, const std::string& shape, const std::vector<Candidate>& candidates);

  // Every choice made so far, "layer@shape" -> algorithm (for job records).
  std::map<std::string, std::string> choices() const;
  // What identifies this machine in the cache: CPU model, ISA, threads.
  const std::string& machine() const { return machine_; }
  const std::string& cache_file() const { return cache_file_; }

  static std::string default_cache_file();

 private:
  std::string cache_key(const std::string& entry) const;
  void store(const std::string& key, const std::string& algorithm);

  AutotuneOptions options_;
  std::string model_;
  std::string machine_;
  std::string cache_file_;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> choices_;
};

}  // namespace r4k::infer
