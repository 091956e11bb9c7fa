// The oneDNN lowering of a QDQ graph's integer side: int8 convolutions
// (u8 or s8 activations, s8 weights, s32 accumulation) with bias,
// requantisation and post-ops fused where oneDNN 2.6 fuses them, and the
// QuantizeLinear / DequantizeLinear operations that remain.
//
// An int8 convolution computes, per output channel c,
//   y = post_ops((acc + bias[c] / (s_in * s_w[c])) * s_in * s_w[c])
// (oneDNN's output scale is applied to the integer sum plus the bias), then,
// when the group's output is quantized, q = saturate(round(y / s_out)).
// Integer activations are channel-last, the layout oneDNN's int8 kernels
// take; a per-channel PReLU (oneDNN runs it only in a reference int8 kernel)
// is ours, fused with the requantisation (prelu_quantize_channel_last).
#pragma once

#include "infer/fusion_plan.hpp"
#include "infer/onednn_lowering.hpp"

namespace r4k::infer {

// `group` (with `quantized` set) as an int8 convolution; defines its output.
void lower_quantized_convolution(const ConvolutionGroup& group, OneDnnLowering& lowering);

// A QuantizeLinear / DequantizeLinear step. In an int8 plan, a per-tensor
// QuantizeLinear with zero point 0 writes integers (channel-last for 4-D
// tensors) and a DequantizeLinear of integers converts them back to floats;
// otherwise (fp32 plans, other zero points) both run on floats holding the
// integers, in place where nothing else reads the input.
void lower_quantize_linear(const Operation& operation, OneDnnLowering& lowering);
void lower_dequantize_linear(const Operation& operation, OneDnnLowering& lowering);

}  // namespace r4k::infer
