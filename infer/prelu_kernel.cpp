#include "infer/prelu_kernel.hpp"

namespace r4k::infer {

void prelu_per_channel(const float* in, float* out, const float* slopes, const ChannelLayout& l) {
  const std::int64_t blocks = (l.c + l.block - 1) / l.block;
#pragma omp parallel for collapse(2) schedule(static)
  for (std::int64_t n = 0; n < l.n; ++n) {
    for (std::int64_t cb = 0; cb < blocks; ++cb) {
      const std::int64_t channels = l.c - cb * l.block < l.block ? l.c - cb * l.block : l.block;
      for (std::int64_t h = 0; h < l.h; ++h) {
        const std::int64_t row = n * l.n_stride + cb * l.c_stride + h * l.h_stride;
        if (l.block == 1) {
          const float slope = slopes[cb];
          if (l.w_stride == 1) {
            const float* src = in + row;
            float* dst = out + row;
            for (std::int64_t w = 0; w < l.w; ++w) dst[w] = src[w] >= 0.0f ? src[w] : slope * src[w];
          } else {
            for (std::int64_t w = 0; w < l.w; ++w) {
              const float x = in[row + w * l.w_stride];
              out[row + w * l.w_stride] = x >= 0.0f ? x : slope * x;
            }
          }
        } else {
          const float* block_slopes = slopes + cb * l.block;
          for (std::int64_t w = 0; w < l.w; ++w) {
            const float* src = in + row + w * l.w_stride;
            float* dst = out + row + w * l.w_stride;
            for (std::int64_t j = 0; j < channels; ++j) dst[j] = src[j] >= 0.0f ? src[j] : block_slopes[j] * src[j];
          }
        }
      }
    }
  }
}

}  // namespace r4k::infer
