#include "infer/onednn_convolution_choice.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "infer/onednn_quantization.hpp"
#include "infer/winograd_convolution.hpp"
#include "infer/winograd_lowering.hpp"

namespace r4k::infer {

using dnnl::memory;

namespace {

memory::desc blocked8_desc(const Dims& dims) {
  return memory::desc(memory::dims(dims.begin(), dims.end()), memory::data_type::f32, memory::format_tag::nChw8c);
}

std::string shape_text(const Dims& dims) {
  std::string text;
  for (std::int64_t d : dims) text += (text.empty() ? "" : "x") + std::to_string(d);
  return text;
}

// The runtime values a group reads: its input and its residual operands.
std::vector<std::string> group_inputs(const ConvolutionGroup& group) {
  std::vector<std::string> names{group.input};
  for (const PostOp& post : group.post_ops) {
    if (post.kind == PostOp::Kind::residual_add) names.push_back(post.residual);
  }
  if (!group.shuffle.upsampled.empty()) names.push_back(group.shuffle.upsampled);
  return names;
}

using GroupLowering = std::function<void(const ConvolutionGroup&, OneDnnLowering&)>;

// One run of `lower` applied to `group` in a program of its own, on scratch
// buffers in the layouts the real inputs have (built on the first run, so a
// cached choice costs nothing).
std::function<void()> trial(const ConvolutionGroup& group, OneDnnLowering& lowering, GroupLowering lower) {
  struct Trial {
    OneDnnProgram program;
    std::unique_ptr<dnnl::stream> stream;
  };
  auto state = std::make_shared<Trial>();
  return [state, &group, &lowering, lower]() {
    if (!state->stream) {
      OneDnnLowering scratch(lowering.graph(), lowering.engine(), state->program);
      for (const std::string& name : group_inputs(group)) {
        memory copy = scratch.new_memory(lowering.value(name).get_desc());
        float* data = static_cast<float*>(copy.get_data_handle());
        std::fill(data, data + copy.get_desc().get_size() / sizeof(float), 0.125f);
        state->program.keep.push_back(copy);
        scratch.define(name, copy);
      }
      lower(group, scratch);
      state->stream = std::make_unique<dnnl::stream>(lowering.engine());
    }
    for (auto& step : state->program.steps) step(*state->stream);
    state->stream->wait();
  };
}

}  // namespace

void lower_chosen_convolution(const ConvolutionGroup& group, OneDnnLowering& lowering) {
  if (group.quantized) {  // one int8 algorithm: oneDNN's direct convolution
    lower_quantized_convolution(group, lowering);
    return;
  }
  Autotuner* autotuner = lowering.autotuner();
  if (autotuner == nullptr || !winograd_refusal(group).empty()) {
    lower_convolution(group, lowering);
    return;
  }
  const ConvolutionShape& shape = group.shape;
  const int in = static_cast<int>(shape.in_channels);
  const int out = static_cast<int>(shape.out_channels);
  const int block = WinogradConvolution::default_tile_block(in, out);
  std::vector<int> blocks{block};
  for (int other : {std::max(6, block / 2), block * 2}) {
    if (std::find(blocks.begin(), blocks.end(), other) == blocks.end()) blocks.push_back(other);
  }

  std::vector<Autotuner::Candidate> candidates;
  const auto direct = [](const ConvolutionGroup& g, OneDnnLowering& l) { lower_convolution(g, l); };
  candidates.push_back({"direct", trial(group, lowering, direct)});
  for (int tiles : blocks) {
    candidates.push_back({winograd_algorithm(tiles), trial(group, lowering, [tiles](const ConvolutionGroup& g, OneDnnLowering& l) {
                            lower_winograd_convolution(g, tiles, l);
                          })});
  }
  // The default (AutoTune off): Winograd where its GEMM stage is wide enough
  // to pay for the transforms and the CPU runs its AVX2 kernels (measured
  // 2.0-2.6x the direct convolution on 32- and 64-channel layers), and on a
  // first layer (8 channels or fewer in), where it reads the planar input
  // and applies a per-channel PReLU that oneDNN would run as a separate pass.
  if (WinogradConvolution::cpu_has_avx2() && (in >= 16 || in <= 8) && out >= 16) {
    std::rotate(candidates.begin(), candidates.begin() + 1, candidates.begin() + 2);
  }
  const std::string chosen = autotuner->choose(group.node->name, shape_text(shape.src_dims), candidates);
  if (const int tiles = winograd_tile_block(chosen); tiles > 0) {
    lower_winograd_convolution(group, tiles, lowering);
  } else {
    lower_convolution(group, lowering);
  }
}

void lower_winograd_convolution(const ConvolutionGroup& group, int tile_block, OneDnnLowering& lowering) {
  // A plain input of at most 8 channels (the network's) and a channel-last
  // one (a dense block's concatenation) are read where they lie.
  const memory& input = lowering.value(group.input);
  const Dims& src_dims = group.shape.src_dims;
  WinogradInput reads = WinogradInput::blocked;
  if (group.shape.in_channels <= 8 && input.get_desc() == plain_desc(src_dims)) reads = WinogradInput::planar;
  if (group.shape.in_channels % 8 == 0 && input.get_desc() == channel_last_desc(src_dims)) reads = WinogradInput::channel_last;
  // Channel-last out where a concatenation reads the result (it would
  // reorder nChw8c to channel-last for its copy).
  const ShuffledOutput& shuffle = group.shuffle;
  WinogradOutput writes = WinogradOutput::blocked;
  if (shuffle.block == 0 && group.shape.out_channels % 8 == 0) {
    const SpecializedGraph& graph = lowering.graph();
    for (const std::size_t consumer : graph.consumers(group.output)) {
      if (graph.operations()[consumer].op() == OpType::concat) writes = WinogradOutput::channel_last;
    }
  }
  const std::shared_ptr<const WinogradConvolution> layer = winograd_layer(group, tile_block, reads, writes);
  const memory src = reads != WinogradInput::blocked ? input : lowering.as_layout(input, blocked8_desc(src_dims));
  const memory::desc dst_desc = shuffle.block > 0                          ? plain_desc(shuffle.dims)
                                : writes == WinogradOutput::channel_last ? channel_last_desc(group.shape.dst_dims)
                                                                         : blocked8_desc(group.shape.dst_dims);
  const memory dst = lowering.new_memory(dst_desc);
  memory residual;
  for (const PostOp& post : group.post_ops) {
    if (post.kind == PostOp::Kind::residual_add) residual = lowering.as_layout(lowering.value(post.residual), dst_desc);
  }
  if (!shuffle.upsampled.empty()) residual = lowering.as_layout(lowering.value(shuffle.upsampled), plain_desc(shuffle.upsampled_dims));
  lowering.program().implementations.push_back(group.node->name + ": " + layer->name());
  lowering.add_step([layer, src, dst, residual](dnnl::stream& stream) {
    stream.wait();
    const float* extra = residual ? static_cast<const float*>(residual.get_data_handle()) : nullptr;
    layer->run(static_cast<const float*>(src.get_data_handle()), static_cast<float*>(dst.get_data_handle()), extra);
  });
  lowering.define(group.output, dst);
}

}  // namespace r4k::infer
