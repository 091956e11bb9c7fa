#include "preprocess/nodata_fill.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace r4k {

void fill_invalid(float* values, const std::uint8_t* valid, int width, int height, int radius, float far) {
  const std::size_t pixels = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  if (std::all_of(valid, valid + pixels, [](std::uint8_t v) { return v != 0; })) return;
  std::vector<std::uint8_t> known(valid, valid + pixels);
  std::vector<std::size_t> ring;
  std::vector<float> ring_values;
  for (int step = 0; step < std::max(radius, 1); ++step) {
    ring.clear();
    ring_values.clear();
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        const std::size_t at = static_cast<std::size_t>(y) * width + x;
        if (known[at]) continue;
        double sum = 0.0;
        double weight = 0.0;
        for (int dy = -1; dy <= 1; ++dy) {
          for (int dx = -1; dx <= 1; ++dx) {
            const int nx = x + dx;
            const int ny = y + dy;
            if ((dx == 0 && dy == 0) || nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
            const std::size_t n = static_cast<std::size_t>(ny) * width + nx;
            if (!known[n]) continue;
            const double w = dx == 0 || dy == 0 ? 1.0 : 0.5;
            sum += w * values[n];
            weight += w;
          }
        }
        if (weight > 0) {
          ring.push_back(at);
          ring_values.push_back(static_cast<float>(sum / weight));
        }
      }
    }
    if (ring.empty()) break;
    for (std::size_t i = 0; i < ring.size(); ++i) {
      values[ring[i]] = ring_values[i];
      known[ring[i]] = 1;
    }
  }
  for (std::size_t i = 0; i < pixels; ++i) {
    if (!known[i]) values[i] = far;
  }
}

}  // namespace r4k
