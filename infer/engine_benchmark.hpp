// Engine throughput on tiles of one size, for `restore4k bench`.
#pragma once

#include "infer/engine.hpp"

namespace r4k::infer {

struct BenchmarkResult {
  int tile = 0;
  int batch = 0;
  int runs = 0;               // engine calls timed
  double seconds = 0.0;       // time of the timed calls
  double tiles_per_second = 0.0;
  double megapixels_per_second = 0.0;  // input pixels
  double gflops = 0.0;        // from the model's FLOPs per input pixel
};

// Runs `warmup` untimed calls, then calls until `min_seconds` have passed
// (and at least `min_runs`), on random tiles of tile x tile input pixels.
BenchmarkResult benchmark_engine(Engine& engine, int tile, int batch, double min_seconds, int min_runs = 3,
                                 int warmup = 1);

}  // namespace r4k::infer
