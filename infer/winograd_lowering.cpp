#include "infer/winograd_lowering.hpp"

#include <stdexcept>

namespace r4k::infer {

using Step = winograd::EpilogueStep::Kind;

std::string winograd_refusal(const ConvolutionGroup& group) {
  const ConvolutionShape& s = group.shape;
  if (s.transposed) return "a transposed convolution";
  if (s.kernel_h != 3 || s.kernel_w != 3) return "a " + std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) + " kernel";
  if (s.strides != Dims{1, 1}) return "strided";
  if (s.dilations != Dims{1, 1}) return "dilated";
  if (s.group != 1) return "grouped";
  if (group.weights == nullptr || group.weights->is_int) return "no float weights";
  int residuals = 0;
  for (const PostOp& op : group.post_ops) {
    if (op.kind == PostOp::Kind::sigmoid || op.kind == PostOp::Kind::tanh) return "a sigmoid or tanh after it";
    if (op.kind == PostOp::Kind::residual_add) ++residuals;
  }
  if (residuals > 1) return "more than one residual add after it";
  if (group.shuffle.block > 0) {
    if (residuals > 0) return "a residual add before its pixel shuffle";
    if (group.shuffle.dims.size() != 4 || s.src_dims.size() != 4) return "not a 4-D pixel shuffle";
    if (group.shuffle.block > winograd::kMaxShuffle || s.out_channels > winograd::kMaxShuffleBlocks * winograd::kLanes) {
      return "a pixel shuffle of more than " + std::to_string(winograd::kMaxShuffle) + " a side or " +
             std::to_string(winograd::kMaxShuffleBlocks * winograd::kLanes) + " channels";
    }
  }
  return {};
}

std::unique_ptr<WinogradConvolution> winograd_layer(const ConvolutionGroup& group, int tile_block, WinogradInput input,
                                                    WinogradOutput output) {
  const std::string refusal = winograd_refusal(group);
  if (!refusal.empty()) throw std::logic_error("Winograd layer for " + refusal);
  const ConvolutionShape& s = group.shape;
  WinogradConvolution::Geometry geometry;
  geometry.batch = static_cast<int>(s.src_dims[0]);
  geometry.in_channels = static_cast<int>(s.in_channels);
  geometry.out_channels = static_cast<int>(s.out_channels);
  geometry.in_h = static_cast<int>(s.src_dims[2]);
  geometry.in_w = static_cast<int>(s.src_dims[3]);
  geometry.pad_top = static_cast<int>(s.pads[0]);
  geometry.pad_left = static_cast<int>(s.pads[1]);
  geometry.pad_bottom = static_cast<int>(s.pads[2]);
  geometry.pad_right = static_cast<int>(s.pads[3]);
  std::vector<WinogradConvolution::PostOp> ops;
  for (const PostOp& op : group.post_ops) {
    WinogradConvolution::PostOp out;
    switch (op.kind) {
      case PostOp::Kind::relu:
        out.kind = Step::leaky;
        break;
      case PostOp::Kind::leaky_relu:
        out.kind = Step::leaky;
        out.alpha = op.alpha;
        break;
      case PostOp::Kind::clip:
        out.kind = Step::clip;
        out.low = op.low;
        out.high = op.high;
        break;
      case PostOp::Kind::prelu:
        out.kind = Step::prelu;
        out.values = op.values;
        break;
      case PostOp::Kind::mul:
        out.kind = Step::mul;
        out.values = op.values;
        break;
      case PostOp::Kind::add:
        out.kind = Step::add;
        out.values = op.values;
        break;
      case PostOp::Kind::sub:
        out.kind = Step::add;
        for (float v : op.values) out.values.push_back(-v);
        break;
      case PostOp::Kind::residual_add:
        out.kind = Step::residual;
        break;
      case PostOp::Kind::sigmoid:
      case PostOp::Kind::tanh:
        throw std::logic_error("Winograd layer: unsupported post-op");
    }
    ops.push_back(std::move(out));
  }
  const float* bias = group.bias != nullptr ? group.bias->floats.data() : nullptr;
  WinogradConvolution::Edges edges;
  edges.planar_input = input == WinogradInput::planar;
  edges.channel_last_input = input == WinogradInput::channel_last;
  edges.channel_last_output = output == WinogradOutput::channel_last;
  edges.shuffle_block = static_cast<int>(group.shuffle.block);
  edges.shuffle_crd = group.shuffle.crd;
  edges.upsample = static_cast<int>(group.shuffle.upsample);
  return std::make_unique<WinogradConvolution>(geometry, group.weights->floats.data(), bias, ops,
                                               WinogradConvolution::Isa::automatic, tile_block, edges);
}

std::string winograd_algorithm(int tile_block) { return "winograd-f4-b" + std::to_string(tile_block); }

int winograd_tile_block(const std::string& algorithm) {
  const std::string prefix = "winograd-f4-b";
  if (algorithm.rfind(prefix, 0) != 0) return 0;
  try {
    return std::stoi(algorithm.substr(prefix.size()));
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace r4k::infer
