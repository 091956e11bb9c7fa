// Which algorithm computes each convolution group in the oneDNN lowering,
// and the Winograd algorithm's lowering. The candidates for a 3x3, stride-1
// convolution (winograd_lowering.hpp says which) are oneDNN's direct
// convolution and the Winograd F(4x4, 3x3) layer at a few tile-block sizes;
// AutoTune (autotune.hpp) measures them on scratch copies of the group's
// inputs, in the layouts they would really read, and the chosen one is
// lowered into the program. Other groups are direct.
//
// Names recorded (autotune cache, job records): "direct",
// "winograd-f4-b<tiles per block>".
#pragma once

#include "infer/fusion_plan.hpp"
#include "infer/onednn_lowering.hpp"

namespace r4k::infer {

// The group lowered with the algorithm the lowering's autotuner chooses.
void lower_chosen_convolution(const ConvolutionGroup& group, OneDnnLowering& lowering);

// The group as one Winograd step reading and writing nChw8c, every post-op
// applied in its output transform (winograd_refusal(group) must be empty).
void lower_winograd_convolution(const ConvolutionGroup& group, int tile_block, OneDnnLowering& lowering);

}  // namespace r4k::infer
