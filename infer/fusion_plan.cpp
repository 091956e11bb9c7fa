#include "infer/fusion_plan.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace r4k::infer {

namespace {

// The index of the operation that alone reads `value` as its input 0 (the
// only input element-wise followers and reshapes take a tensor on), if any.
std::optional<std::size_t> single_follower(const SpecializedGraph& graph, const std::string& value) {
  if (graph.uses(value) != 1) return std::nullopt;  // the graph's output counts as a use
  const auto& consumers = graph.consumers(value);
  if (consumers.size() != 1) return std::nullopt;
  return consumers.front();
}

bool reads_first(const Operation& operation, const std::string& value) {
  return !operation.inputs().empty() && operation.inputs()[0].name == value;
}

// What `next` is as a post-op of the convolution at `conv_index` whose
// (partly post-processed) output is `value`; nullopt when it cannot be one.
std::optional<PostOp> as_post_op(const SpecializedGraph& graph, const Operation& next, const std::string& value,
                                 std::size_t conv_index, const ConvolutionShape& shape) {
  PostOp post;
  post.node = &next.node.node();
  post.output = next.output;
  const OpType op = next.op();
  const bool unary = op == OpType::relu || op == OpType::leaky_relu || op == OpType::sigmoid || op == OpType::tanh ||
                     op == OpType::clip || op == OpType::prelu;
  if (unary && !reads_first(next, value)) return std::nullopt;
  switch (op) {
    case OpType::relu:
      post.kind = PostOp::Kind::relu;
      return post;
    case OpType::leaky_relu:
      post.kind = PostOp::Kind::leaky_relu;
      post.alpha = next.node.node().float_attribute("alpha", 0.01f);
      return post;
    case OpType::sigmoid:
      post.kind = PostOp::Kind::sigmoid;
      return post;
    case OpType::tanh:
      post.kind = PostOp::Kind::tanh;
      return post;
    case OpType::clip:
      post.kind = PostOp::Kind::clip;
      std::tie(post.low, post.high) = clip_bounds(next.node);
      return post;
    case OpType::prelu: {
      const Operand* slope = next.node.optional_input(1);
      if (slope == nullptr || !slope->is_constant() || slope->constant->is_int) return std::nullopt;
      if (channel_broadcast_dims(*slope->constant, shape.out_channels).empty()) return std::nullopt;
      post.kind = PostOp::Kind::prelu;
      post.values = slope->constant->floats;
      return post;
    }
    case OpType::mul:
    case OpType::add:
    case OpType::sub: {
      const std::size_t other_index = reads_first(next, value) ? 1 : 0;
      const Operand* other = next.node.optional_input(other_index);
      if (other == nullptr) return std::nullopt;
      if (other->is_constant()) {
        const ConstTensor& constant = *other->constant;
        if (constant.is_int || channel_broadcast_dims(constant, shape.out_channels).empty()) return std::nullopt;
        if (op == OpType::sub && other_index == 0) return std::nullopt;  // constant - conv: not a post-op shape
        post.kind = op == OpType::mul ? PostOp::Kind::mul : op == OpType::add ? PostOp::Kind::add : PostOp::Kind::sub;
        post.values = constant.floats;
        return post;
      }
      // A residual add: the other tensor must be computed before the convolution runs.
      const auto producer = graph.producer(other->name);
      const bool before = producer ? *producer < conv_index : other->name == graph.input();
      if (op != OpType::add || other->dims != shape.dst_dims || !before) return std::nullopt;
      post.kind = PostOp::Kind::residual_add;
      post.residual = other->name;
      return post;
    }
    default:
      return std::nullopt;
  }
}

ConvolutionGroup convolution_group(const SpecializedGraph& graph, std::size_t index, std::vector<bool>& absorbed) {
  const Operation& operation = graph.operations()[index];
  ConvolutionGroup group;
  group.node = &operation.node.node();
  group.shape = convolution_shape(operation.node);
  group.input = operation.inputs()[0].name;
  group.weights = &operation.node.const_input(1);
  group.bias = operation.node.optional_input(2) != nullptr ? &operation.node.const_input(2) : nullptr;
  group.output = operation.output;
  // Absorb what follows while each intermediate value has this one use.
  for (auto next = single_follower(graph, group.output); next; next = single_follower(graph, group.output)) {
    const Operation& follower = graph.operations()[*next];
    auto post = as_post_op(graph, follower, group.output, index, group.shape);
    if (!post) break;
    absorbed[*next] = true;
    group.output = follower.output;
    group.post_ops.push_back(std::move(*post));
  }
  return group;
}

// The per-tensor parameters of a QuantizeLinear / DequantizeLinear operation.
QuantizationParameters tensor_parameters(const Operation& operation) {
  return quantization_parameters(operation.node, operation.inputs()[0].dims.size());
}

// The integers a convolution reads: its input is a DequantizeLinear (zero
// point 0) of a QuantizeLinear's output. Empty when it is not so.
std::optional<QuantizedTensor> quantized_input(const SpecializedGraph& graph, const std::string& input) {
  const auto dequantize = graph.producer(input);
  if (!dequantize || graph.operations()[*dequantize].op() != OpType::dequantize_linear) return std::nullopt;
  const Operation& dq = graph.operations()[*dequantize];
  const std::string& integers = dq.inputs()[0].name;
  const auto quantize = graph.producer(integers);
  if (!quantize || graph.operations()[*quantize].op() != OpType::quantize_linear) return std::nullopt;
  QuantizedTensor tensor{integers, tensor_parameters(dq)};
  const QuantizationParameters& p = tensor.parameters;
  const QuantizationParameters q = tensor_parameters(graph.operations()[*quantize]);
  if (p.zero_points[0] != 0 || p.type == ElementType::int32) return std::nullopt;
  if (q.type != p.type || q.scales != p.scales || q.zero_points != p.zero_points) return std::nullopt;
  return tensor;
}

// Symmetric int8 weights, one scale per output channel or one for all.
const QuantizedOrigin* quantized_weights(const ConstTensor& weights, const ConvolutionShape& shape) {
  const QuantizedOrigin* origin = weights.quantized.get();
  if (origin == nullptr || origin->type != ElementType::int8 || shape.transposed) return nullptr;
  if (origin->scales.size() != 1 && (origin->axis != 0 || static_cast<std::int64_t>(origin->scales.size()) != shape.out_channels)) {
    return nullptr;
  }
  for (auto zero : origin->zero_points) {
    if (zero != 0) return nullptr;
  }
  return origin;
}

// The group on integers, when its input and weights are quantized; then
// a QuantizeLinear that alone reads its result is absorbed too.
void quantize_group(const SpecializedGraph& graph, ConvolutionGroup& group, std::vector<bool>& absorbed) {
  auto input = quantized_input(graph, group.input);
  const QuantizedOrigin* weights = quantized_weights(*group.weights, group.shape);
  if (!input || weights == nullptr) return;
  GroupQuantization quantization;
  quantization.input = std::move(*input);
  quantization.weights = weights;
  if (const auto next = single_follower(graph, group.output)) {
    const Operation& follower = graph.operations()[*next];
    if (follower.op() == OpType::quantize_linear && reads_first(follower, group.output)) {
      QuantizationParameters parameters = tensor_parameters(follower);
      if (parameters.zero_points[0] == 0) {
        absorbed[*next] = true;
        quantization.output = QuantizedTensor{follower.output, std::move(parameters)};
        group.output = follower.output;
      }
    }
  }
  group.input = quantization.input.value;
  group.quantized = std::move(quantization);
}

// DequantizeLinear steps whose every reader is an int8 group reading the
// integers before them: not run.
void drop_absorbed_dequantizations(const SpecializedGraph& graph, FusionPlan& plan) {
  std::map<std::string, std::size_t> readers;  // a dequantized value -> int8 groups reading its integers
  for (const PlanStep& step : plan.steps) {
    const auto* group = std::get_if<ConvolutionGroup>(&step);
    if (group == nullptr || !group->quantized) continue;
    const auto& conv_inputs = graph.operations()[*graph.producer(group->node->outputs.at(0))].inputs();
    ++readers[conv_inputs[0].name];
  }
  plan.steps.erase(std::remove_if(plan.steps.begin(), plan.steps.end(),
                                  [&](const PlanStep& step) {
                                    const auto* const* operation = std::get_if<const Operation*>(&step);
                                    if (operation == nullptr || (*operation)->op() != OpType::dequantize_linear) {
                                      return false;
                                    }
                                    const std::string& value = (*operation)->output;
                                    const auto found = readers.find(value);
                                    return found != readers.end() && static_cast<int>(found->second) == graph.uses(value);
                                  }),
                   plan.steps.end());
}

bool is_reshape_of(const Operation& operation, const std::string& value) {
  return operation.op() == OpType::reshape && reads_first(operation, value);
}

// The permutation a Transpose stands for, with the Reshape before it (when
// `reshape` is set) and the Reshape after it (when that is its one reader).
Permute transpose_permute(const SpecializedGraph& graph, const Operation* reshape, std::size_t transpose_index,
                          std::vector<bool>& absorbed) {
  const Operation& transpose = graph.operations()[transpose_index];
  Permute permute;
  const Operand& source = reshape != nullptr ? reshape->inputs()[0] : transpose.inputs()[0];
  permute.input = source.name;
  permute.input_dims = source.dims;
  permute.permutation = {transpose.inputs()[0].dims, transpose_permutation(transpose.node)};
  permute.output = transpose.output;
  permute.output_dims = transpose.output_dims;
  if (reshape != nullptr) permute.nodes.push_back(&reshape->node.node());
  permute.nodes.push_back(&transpose.node.node());
  if (const auto after = single_follower(graph, transpose.output)) {
    const Operation& reader = graph.operations()[*after];
    if (is_reshape_of(reader, transpose.output)) {
      absorbed[*after] = true;
      permute.output = reader.output;
      permute.output_dims = reader.output_dims;
      permute.nodes.push_back(&reader.node.node());
    }
  }
  return permute;
}

// A nearest Resize by the same integer factor on both sides whose sample
// positions are floor(out / factor), as ONNX's defaults and PyTorch's export
// give; 0 when it is not one.
std::int64_t nearest_factor(const Operation& resize) {
  if (resize.op() != OpType::resize) return 0;
  const ResizeShape shape = resize_shape(resize.node);
  if (shape.mode != ResizeMode::nearest) return 0;
  const Node& node = resize.node.node();
  const std::string coordinates = node.string_attribute("coordinate_transformation_mode", "half_pixel");
  const std::string rounding = node.string_attribute("nearest_mode", "round_prefer_floor");
  const bool floor_positions = (coordinates == "asymmetric" && rounding == "floor") ||
                               ((coordinates == "half_pixel" || coordinates == "pytorch_half_pixel") &&
                                (rounding == "round_prefer_floor" || rounding == "round_prefer_ceil"));
  const Dims& in = resize.inputs()[0].dims;
  const Dims& out = resize.output_dims;
  if (!floor_positions || in.size() != 4 || out.size() != 4 || in[0] != out[0] || in[1] != out[1]) return 0;
  if (out[2] % in[2] != 0 || out[3] % in[3] != 0 || out[2] / in[2] != out[3] / in[3]) return 0;
  return out[2] / in[2];
}

template <typename Predicate>
std::optional<std::size_t> find_step(const FusionPlan& plan, Predicate predicate) {
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    if (predicate(plan.steps[i])) return i;
  }
  return std::nullopt;
}

// Each convolution whose one reader is a depth-to-space absorbs it, and then
// an Add of the result and a nearest upsampling (read by nothing else) of a
// tensor computed before the convolution.
void absorb_shuffles(const SpecializedGraph& graph, FusionPlan& plan) {
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    auto* group = std::get_if<ConvolutionGroup>(&plan.steps[i]);
    if (group == nullptr || group->shape.transposed || graph.uses(group->output) != 1) continue;
    const auto shuffle_at = find_step(plan, [&](const PlanStep& step) {
      const auto* permute = std::get_if<Permute>(&step);
      return permute != nullptr && permute->input == group->output && as_depth_to_space(permute->permutation);
    });
    if (!shuffle_at) continue;
    {
      const Permute permute = std::get<Permute>(plan.steps[*shuffle_at]);
      const DepthToSpace d2s = *as_depth_to_space(permute.permutation);
      group->shuffle.block = d2s.block;
      group->shuffle.crd = d2s.crd;
      group->shuffle.dims = permute.output_dims;
      group->shuffle.nodes = permute.nodes;
      group->output = permute.output;
      plan.steps.erase(plan.steps.begin() + static_cast<std::ptrdiff_t>(*shuffle_at));
    }
    group = std::get_if<ConvolutionGroup>(&plan.steps[i]);  // `i` is still the group: the shuffle came after it

    const auto add_index = single_follower(graph, group->output);
    if (!add_index) continue;
    const Operation& add = graph.operations()[*add_index];
    if (add.op() != OpType::add || add.inputs().size() != 2 || add.output_dims != group->shuffle.dims) continue;
    const Operand& other = add.inputs()[add.inputs()[0].name == group->output ? 1 : 0];
    if (other.is_constant() || other.name == group->output) continue;
    const auto resize_index = graph.producer(other.name);
    if (!resize_index || graph.uses(other.name) != 1) continue;
    const Operation& resize = graph.operations()[*resize_index];
    const std::int64_t factor = nearest_factor(resize);
    const std::string& source = resize.inputs()[0].name;
    const auto source_producer = graph.producer(source);
    const auto conv_index = graph.producer(group->node->outputs.at(0));
    const bool ready = source_producer ? conv_index && *source_producer < *conv_index : source == graph.input();
    if (factor == 0 || !ready) continue;
    const auto add_at = find_step(plan, [&](const PlanStep& step) {
      const auto* const* operation = std::get_if<const Operation*>(&step);
      return operation != nullptr && *operation == &add;
    });
    const auto resize_at = find_step(plan, [&](const PlanStep& step) {
      const auto* const* operation = std::get_if<const Operation*>(&step);
      return operation != nullptr && *operation == &resize;
    });
    if (!add_at || !resize_at) continue;
    group->shuffle.upsampled = source;
    group->shuffle.upsample = factor;
    group->shuffle.upsampled_dims = resize.inputs()[0].dims;
    group->shuffle.nodes.push_back(&resize.node.node());
    group->shuffle.nodes.push_back(&add.node.node());
    group->output = add.output;
    // The add comes after the convolution; the resize may come before it.
    for (const std::size_t index : {std::max(*add_at, *resize_at), std::min(*add_at, *resize_at)}) {
      plan.steps.erase(plan.steps.begin() + static_cast<std::ptrdiff_t>(index));
      if (index < i) --i;
    }
  }
}

}  // namespace

FusionPlan plan_fusions(const SpecializedGraph& graph, Precision precision) {
  const auto& operations = graph.operations();
  std::vector<bool> absorbed(operations.size(), false);
  FusionPlan plan;
  plan.precision = precision;
  for (std::size_t i = 0; i < operations.size(); ++i) {
    if (absorbed[i]) continue;
    const Operation& operation = operations[i];
    switch (operation.op()) {
      case OpType::conv:
      case OpType::conv_transpose: {
        ConvolutionGroup group = convolution_group(graph, i, absorbed);
        if (precision == Precision::int8) quantize_group(graph, group, absorbed);
        plan.steps.emplace_back(std::move(group));
        continue;
      }
      case OpType::depth_to_space: {
        const Operand& source = operation.inputs()[0];
        Permute permute;
        permute.input = source.name;
        permute.input_dims = source.dims;
        permute.permutation = depth_to_space_permutation(source.dims, depth_to_space_attributes(operation.node));
        permute.output = operation.output;
        permute.output_dims = operation.output_dims;
        permute.nodes.push_back(&operation.node.node());
        plan.steps.emplace_back(std::move(permute));
        continue;
      }
      case OpType::transpose:
        plan.steps.emplace_back(transpose_permute(graph, nullptr, i, absorbed));
        continue;
      case OpType::reshape: {
        const auto next = single_follower(graph, operation.output);
        if (next && operations[*next].op() == OpType::transpose && reads_first(operations[*next], operation.output)) {
          absorbed[*next] = true;
          plan.steps.emplace_back(transpose_permute(graph, &operation, *next, absorbed));
          continue;
        }
        break;
      }
      default:
        break;
    }
    plan.steps.emplace_back(&operation);
  }
  absorb_shuffles(graph, plan);
  if (precision == Precision::int8) drop_absorbed_dequantizations(graph, plan);
  return plan;
}

}  // namespace r4k::infer
