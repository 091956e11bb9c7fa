// From the fusion plan to the Winograd layer: which convolution groups it
// can compute whole (3x3, stride 1, dilation 1, one group, any padding, and
// post-ops it applies on the way out), and the layer for one. Backend-
// independent: the oneDNN lowering wraps the layer's nChw8c buffers.
#pragma once

#include <memory>
#include <string>

#include "infer/fusion_plan.hpp"
#include "infer/winograd_convolution.hpp"

namespace r4k::infer {

// Empty when the Winograd layer computes `group` with every post-op; else why not.
std::string winograd_refusal(const ConvolutionGroup& group);

// How the layer reads its input: nChw8c, plain (at most 8 channels: the
// network's input), or channel-last (a multiple of 8 channels).
enum class WinogradInput { blocked, planar, channel_last };

// How it writes its output (and reads its residual): nChw8c, or channel-last
// (a multiple of 8 channels, no pixel shuffle) for a dense block's
// concatenation to take without a reorder.
enum class WinogradOutput { blocked, channel_last };

// The layer for `group` (winograd_refusal empty). `tile_block` 0: the default.
std::unique_ptr<WinogradConvolution> winograd_layer(const ConvolutionGroup& group, int tile_block,
                                                    WinogradInput input = WinogradInput::blocked,
                                                    WinogradOutput output = WinogradOutput::blocked);

// The algorithm names AutoTune records: "winograd-f4-b<tiles>".
std::string winograd_algorithm(int tile_block);
// The tile block an algorithm name asks for; 0 when it is not a Winograd name.
int winograd_tile_block(const std::string& algorithm);

}  // namespace r4k::infer
