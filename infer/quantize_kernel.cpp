#include "infer/quantize_kernel.hpp"


namespace r4k::infer {

namespace {

// Half to even for |v| < 2^22: adding and taking away 1.5 * 2^23 leaves the
// nearest integer (vectorisable; nearbyint is not).
inline float round_half_even(float v) { return (v + 12582912.0f) - 12582912.0f; }

inline float clamp(float v, float low, float high) {
  v = v < low ? low : v;
  return v > high ? high : v;
}

template <typename T>
void prelu_quantize(const float* in, T* out, std::int64_t pixels, std::int64_t channels, const float* slopes,
                    float inverse_scale, float low, float high) {
#pragma omp parallel for schedule(static)
  for (std::int64_t p = 0; p < pixels; ++p) {
    const float* x = in + p * channels;
    T* y = out + p * channels;
#pragma omp simd
    for (std::int64_t c = 0; c < channels; ++c) {
      const float v = x[c];
      const float activated = (v > 0.0f ? v : 0.0f) + slopes[c] * (v < 0.0f ? v : 0.0f);
      y[c] = static_cast<T>(static_cast<int>(round_half_even(clamp(activated * inverse_scale, low, high))));
    }
  }
}

}  // namespace

void prelu_quantize_channel_last(const float* in, void* out, bool is_signed, std::int64_t pixels,
                                 std::int64_t channels, const float* slopes, float inverse_scale) {
  if (is_signed) {
    prelu_quantize(in, static_cast<std::int8_t*>(out), pixels, channels, slopes, inverse_scale, -128.0f, 127.0f);
  } else {
    prelu_quantize(in, static_cast<std::uint8_t*>(out), pixels, channels, slopes, inverse_scale, 0.0f, 255.0f);
  }
}

void quantize_floats(float* data, std::int64_t count, float scale, float zero_point, float low, float high) {
  // Clamped before rounding (the bounds are integers: the same result), so
  // that round_half_even sees values in its range.
  const float below = low - zero_point;
  const float above = high - zero_point;
#pragma omp parallel for simd schedule(static)
  for (std::int64_t i = 0; i < count; ++i) data[i] = round_half_even(clamp(data[i] / scale, below, above)) + zero_point;
}

void dequantize_floats(float* data, std::int64_t count, float scale, float zero_point) {
#pragma omp parallel for simd schedule(static)
  for (std::int64_t i = 0; i < count; ++i) data[i] = (data[i] - zero_point) * scale;
}

}  // namespace r4k::infer
