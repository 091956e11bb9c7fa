#include "infer/engine_benchmark.hpp"

#include <chrono>
#include <random>

#include "core/error.hpp"

namespace r4k::infer {

BenchmarkResult benchmark_engine(Engine& engine, int tile, int batch, double min_seconds, int min_runs, int warmup) {
  const ModelInfo& info = engine.info();
  if (tile < 1) throw InputError("benchmark tile must be positive, got " + std::to_string(tile));
  if (batch < 1) throw InputError("benchmark batch must be positive, got " + std::to_string(batch));
  if (info.fixed_width > 0 && (tile != info.fixed_width || tile != info.fixed_height)) {
    throw InputError("model '" + info.name + "' takes only " + std::to_string(info.fixed_width) + "x" +
                     std::to_string(info.fixed_height) + " inputs; use --tile " + std::to_string(info.fixed_width));
  }
  const int channels = info.in_channels > 0 ? info.in_channels : 3;
  Tensor input({batch, channels, tile, tile});
  std::mt19937 random(7);
  std::uniform_real_distribution<float> uniform(info.range_min, info.range_max);
  for (std::size_t i = 0; i < input.shape().elements(); ++i) input.data()[i] = uniform(random);
  Tensor output;
  for (int i = 0; i < warmup; ++i) engine.run(input, output);

  BenchmarkResult result;
  result.tile = tile;
  result.batch = batch;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0.0;
  while (result.runs < min_runs || elapsed < min_seconds) {
    engine.run(input, output);
    ++result.runs;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  result.seconds = elapsed;
  const double tiles = static_cast<double>(result.runs) * batch;
  const double pixels = tiles * tile * tile;
  result.tiles_per_second = tiles / elapsed;
  result.megapixels_per_second = pixels / elapsed / 1e6;
  result.gflops = info.flops_per_pixel * pixels / elapsed / 1e9;
  return result;
}

}  // namespace r4k::infer
