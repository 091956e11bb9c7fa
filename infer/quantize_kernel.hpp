// Element-wise kernels of the QDQ path: an int8 convolution's per-channel
// PReLU and requantisation in one pass (oneDNN 2.6's int8 convolutions run a
// PReLU post-op only in their reference kernel), and QuantizeLinear /
// DequantizeLinear on floats for a QDQ graph run in fp32. Rounding is half to
// even, as ONNX QuantizeLinear; each element's result depends on that element
// alone, so tiling does not change a bit of it.
#pragma once

#include <cstdint>

namespace r4k::infer {

// out[p][c] = saturate(round((x >= 0 ? x : slope[c] * x) * inverse_scale)),
// channel-last `in` (pixels x channels floats) into int8 (`is_signed`) or
// uint8 `out` of the same layout; zero point 0.
void prelu_quantize_channel_last(const float* in, void* out, bool is_signed, std::int64_t pixels,
                                 std::int64_t channels, const float* slopes, float inverse_scale);

// In place over `count` floats: x = saturate(round(x / scale) + zero_point) in
// [low, high] (QuantizeLinear, the integers held as floats).
void quantize_floats(float* data, std::int64_t count, float scale, float zero_point, float low, float high);

// In place over `count` floats: x = (x - zero_point) * scale (DequantizeLinear).
void dequantize_floats(float* data, std::int64_t count, float scale, float zero_point);

}  // namespace r4k::infer
