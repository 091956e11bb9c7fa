#include "infer/fma_peak.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <immintrin.h>

#include "infer/cpu_features.hpp"

namespace r4k::infer {
namespace {

// 12 independent accumulators: 2 pipes x 4-5 cycles latency, with margin.
constexpr int kChains = 12;
constexpr long kInnerIterations = 1 << 16;

__attribute__((target("avx512f"))) double run_avx512(long iterations) {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f);
  const __m512 b = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < iterations; ++it) {
    // Fully unrolled so the accumulators live in registers.
#pragma GCC unroll 16
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm512_add_ps(sum, acc[i]);
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  double total = 0.0;
  for (float lane : lanes) total += lane;
  return total;
}

__attribute__((target("avx2,fma"))) double run_avx2(long iterations) {
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m256 a = _mm256_set1_ps(0.999999f);
  const __m256 b = _mm256_set1_ps(1e-7f);
  for (long it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm256_add_ps(sum, acc[i]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  double total = 0.0;
  for (float lane : lanes) total += lane;
  return total;
}

double run_scalar(long iterations) {
  float acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = static_cast<float>(i) * 1e-3f;
  for (long it = 0; it < iterations; ++it) {
    for (float& value : acc) value = value * 0.999999f + 1e-7f;
  }
  double total = 0.0;
  for (float value : acc) total += value;
  return total;
}

struct Kernel {
  double (*run)(long);
  int lanes;
  const char* name;
};

// Every vector width the CPU has: the peak is the best of them (AVX-512 is
// double-pumped on some cores and down-clocks others).
std::vector<Kernel> kernels() {
  std::vector<Kernel> found;
  if (cpu_features().avx512) found.push_back({run_avx512, 16, "avx512f"});
  if (cpu_features().avx2_fma) found.push_back({run_avx2, 8, "avx2+fma"});
  if (found.empty()) found.push_back({run_scalar, 1, "scalar"});
  return found;
}

// FLOPs of one FMA-chain kernel call: 2 per lane per FMA.
double flops_per_call(const Kernel& kernel) {
  return 2.0 * kernel.lanes * kChains * static_cast<double>(kInnerIterations);
}

double measure(const Kernel& kernel, int threads, double seconds) {
  std::atomic<bool> stop{false};
  std::vector<long> calls(static_cast<std::size_t>(threads), 0);
  std::vector<double> sink(static_cast<std::size_t>(threads), 0.0);
  std::vector<std::thread> workers;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      while (!stop.load(std::memory_order_relaxed)) {
        sink[static_cast<std::size_t>(t)] += kernel.run(kInnerIterations);
        ++calls[static_cast<std::size_t>(t)];
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& worker : workers) worker.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long total_calls = 0;
  for (long c : calls) total_calls += c;
  // The sink keeps the chains from being optimised away.
  volatile double keep = 0.0;
  for (double s : sink) keep = keep + s;
  return static_cast<double>(total_calls) * flops_per_call(kernel) / elapsed / 1e9;
}

}  // namespace

FmaPeak measure_fma_peak(int threads, double seconds) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const auto candidates = kernels();
  measure(candidates.front(), threads, std::min(0.2, seconds));  // wake the cores up
  FmaPeak peak;
  peak.threads = threads;
  for (const Kernel& kernel : candidates) {
    const double gflops = measure(kernel, threads, seconds / static_cast<double>(candidates.size()));
    if (gflops > peak.gflops) {
      peak.gflops = gflops;
      peak.instruction_set = kernel.name;
    }
  }
  return peak;
}

}  // namespace r4k::infer
