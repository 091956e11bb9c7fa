#include "infer/model_probe.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/error.hpp"

namespace r4k::infer {
namespace {

// The probe input: values around mid-grey in the model's range.
void fill_background(Tensor& tensor, const ModelInfo& info) {
  std::mt19937 random(12345);
  std::uniform_real_distribution<float> uniform(0.3f, 0.7f);
  const float span = info.range_max - info.range_min;
  float* data = tensor.data();
  for (std::size_t i = 0; i < tensor.shape().elements(); ++i) data[i] = info.range_min + span * uniform(random);
}

}  // namespace

int probe_scale(Engine& engine, int channels) {
  const ModelInfo& info = engine.info();
  const int h = info.fixed_height > 0 ? info.fixed_height : 24;
  const int w = info.fixed_width > 0 ? info.fixed_width : 32;
  Tensor input({1, channels, h, w});
  fill_background(input, info);
  Tensor output;
  engine.run(input, output);
  const auto& out = output.shape();
  if (out.h % h != 0 || out.w % w != 0 || out.h / h != out.w / w || out.h < h) {
    throw InputError("model '" + info.name + "' is not an integer-scale super-resolution model: input " +
                     input.shape().to_string() + " gave output " + out.to_string());
  }
  return out.h / h;
}

int probe_receptive_field(Engine& engine, int channels, int scale, double flops_per_pixel, double max_flops) {
  const ModelInfo& info = engine.info();
  // A fixed-shape model is probed at its own size only; a response reaching
  // its border counts as unbounded.
  int size = info.fixed_height > 0 ? std::min(info.fixed_height, info.fixed_width) : 48;
  Tensor background;
  Tensor changed;
  Tensor out_background;
  Tensor out_changed;
  while (true) {
    const int h = info.fixed_height > 0 ? info.fixed_height : size;
    const int w = info.fixed_width > 0 ? info.fixed_width : size;
    background.resize({1, channels, h, w});
    fill_background(background, info);
    changed = background;
    const int cy = h / 2;
    const int cx = w / 2;
    const float step = 0.2f * (info.range_max - info.range_min);
    for (int c = 0; c < channels; ++c) changed.plane(0, c)[static_cast<std::size_t>(cy * w + cx)] += step;
    engine.run(background, out_background);
    engine.run(changed, out_changed);

    const auto& out = out_background.shape();
    int radius = 0;
    bool touches_border = false;
    for (int c = 0; c < out.c; ++c) {
      const float* a = out_background.plane(0, c);
      const float* b = out_changed.plane(0, c);
      for (int y = 0; y < out.h; ++y) {
        for (int x = 0; x < out.w; ++x) {
          const std::size_t i = static_cast<std::size_t>(y) * static_cast<std::size_t>(out.w) + static_cast<std::size_t>(x);
          if (b[i] == a[i]) continue;
          const int iy = y / scale;
          const int ix = x / scale;
          radius = std::max({radius, std::abs(iy - cy), std::abs(ix - cx)});
          if (iy == 0 || ix == 0 || iy == h - 1 || ix == w - 1) touches_border = true;
        }
      }
    }
    if (!touches_border) return radius;
    const int next = size * 2;
    if (info.fixed_height > 0 || 2.0 * flops_per_pixel * next * next > max_flops) return -1;
    size = next;
  }
}

}  // namespace r4k::infer
