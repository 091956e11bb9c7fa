// Per-channel PReLU over a 4-D activation in oneDNN's layouts, for the CPUs
// on which oneDNN 2.6 only has its reference kernel (it has no JIT PReLU
// below AVX-512: there the reference kernel took 70 % of an SRVGG network's
// time). An elementwise, memory-bound loop, vectorised by the compiler and
// split over OpenMP threads.
#pragma once

#include <cstdint>

namespace r4k::infer {

// Where element (n, c, h, w) lives: n * n_stride + (c / block) * c_stride +
// h * h_stride + w * w_stride + c % block (block 1: plain layouts; block 8
// or 16: oneDNN's nChw8c / nChw16c).
struct ChannelLayout {
  std::int64_t n = 0, c = 0, h = 0, w = 0;
  std::int64_t n_stride = 0, c_stride = 0, h_stride = 0, w_stride = 0;
  std::int64_t block = 1;
};

// out = x >= 0 ? x : slope[c] * x, element by element; `in` and `out` may be
// the same buffer and have the same layout.
void prelu_per_channel(const float* in, float* out, const float* slopes, const ChannelLayout& layout);

}  // namespace r4k::infer
