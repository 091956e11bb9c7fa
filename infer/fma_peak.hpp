// The machine's FP32 fused-multiply-add peak, measured: every thread runs
// independent chains of vector FMAs (enough of them to hide the latency on
// both FMA pipes) for a fixed time. Engines report their GFLOPS as a fraction
// of this figure, measured in the same run.
#pragma once

#include <string>

namespace r4k::infer {

struct FmaPeak {
  double gflops = 0.0;
  int threads = 0;
  std::string instruction_set;  // "avx512f", "avx2+fma" or "scalar"
};

// threads == 0: one per hardware thread.
FmaPeak measure_fma_peak(int threads, double seconds);

}  // namespace r4k::infer
