#include "infer/onednn_quantization.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "infer/quantize_kernel.hpp"

namespace r4k::infer {

using dnnl::memory;

namespace {

memory::data_type integer_type(ElementType type) {
  return type == ElementType::int8 ? memory::data_type::s8 : memory::data_type::u8;
}

memory::desc typed_channel_last(const Dims& dims, memory::data_type type) {
  return memory::desc(memory::dims(dims.begin(), dims.end()), type, memory::format_tag::acdb);
}

// `dims` with element type `type`: channel-last for 4-D, else row-major.
memory::desc typed_desc(const Dims& dims, memory::data_type type) {
  if (dims.size() == 4) return typed_channel_last(dims, type);
  memory::dims strides(dims.size(), 1);
  for (std::size_t i = dims.size() - 1; i > 0; --i) strides[i - 1] = strides[i] * dims[i];
  return memory::desc(memory::dims(dims.begin(), dims.end()), type, strides);
}

bool is_integer(const memory& mem) { return mem.get_desc().data_type() != memory::data_type::f32; }

// A reorder of `from` into a new memory of `desc`, scaled by `scale`.
memory scaled_reorder(OneDnnLowering& lowering, const memory& from, const memory::desc& desc, float scale) {
  memory to = lowering.new_memory(desc);
  dnnl::primitive_attr attributes;
  attributes.set_output_scales(0, {scale});
  dnnl::reorder reorder(dnnl::reorder::primitive_desc(lowering.engine(), from.get_desc(), lowering.engine(), desc,
                                                      attributes));
  lowering.add_step([reorder, from, to](dnnl::stream& stream) mutable {
    reorder.execute(stream, const_cast<memory&>(from), to);
  });
  return to;
}

// A copy of `from` unless it may be overwritten; the floats an element-wise
// step then writes.
memory writable(OneDnnLowering& lowering, const std::string& name) {
  const memory& from = lowering.value(name);
  if (lowering.may_overwrite(name)) return from;
  memory to = lowering.new_memory(from.get_desc());
  dnnl::reorder copy(from, to);
  memory source = from;
  lowering.add_step([copy, source, to](dnnl::stream& stream) mutable { copy.execute(stream, source, to); });
  return to;
}

std::int64_t float_count(const memory& mem) {
  return static_cast<std::int64_t>(mem.get_desc().get_size() / sizeof(float));
}

// oneDNN's int8 convolutions are exact where the CPU has VNNI (AVX-512 VNNI,
// AVX-VNNI): u8 x s8 products summed straight into 32 bits.
bool int8_kernels_are_exact() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::avx512_core_vnni:
    case dnnl::cpu_isa::avx512_core_bf16:
    case dnnl::cpu_isa::avx512_core_amx:
    case dnnl::cpu_isa::avx2_vnni:
      return true;
    default:
      return false;
  }
}

}  // namespace

void lower_quantized_convolution(const ConvolutionGroup& group, OneDnnLowering& lowering) {
  const ConvolutionShape& s = group.shape;
  const GroupQuantization& quantization = *group.quantized;
  const QuantizationParameters& in = quantization.input.parameters;
  const QuantizedOrigin& weights = *quantization.weights;
  const std::vector<PostOp>& post_ops = group.post_ops;
  const auto& output = quantization.output;

  // Post-ops fused up to a per-channel PReLU (oneDNN 2.6 has it only in a
  // reference int8 kernel); a PReLU that is the last post-op before a
  // quantized output is ours, fused with the requantisation.
  const auto channel_prelu = std::find_if(post_ops.begin(), post_ops.end(), [](const PostOp& post) {
    return post.kind == PostOp::Kind::prelu && post.per_channel();
  });
  const std::size_t fused = static_cast<std::size_t>(channel_prelu - post_ops.begin());
  const bool all_fused = fused == post_ops.size();
  const bool prelu_requantised = output && !all_fused && fused + 1 == post_ops.size();

  std::vector<float> output_scales(weights.scales.size());
  for (std::size_t c = 0; c < output_scales.size(); ++c) output_scales[c] = in.scales[0] * weights.scales[c];

  // Without VNNI, oneDNN 2.6's int8 kernels are not exact (vpmaddubsw
  // saturates pairs of u8 x s8 products at 16 bits; signed activations get
  // their weights halved): the same integers then go through an fp32
  // convolution, whose sums are exact below 2^24, scaled by a post-op.
  const bool on_floats = !int8_kernels_are_exact();
  std::vector<PostOp> chain;
  if (on_floats) {
    PostOp scale;
    scale.kind = PostOp::Kind::mul;
    scale.values = output_scales;
    scale.node = group.node;
    chain.push_back(std::move(scale));
  }
  chain.insert(chain.end(), post_ops.begin(), post_ops.begin() + static_cast<std::ptrdiff_t>(fused));
  const memory::desc dst_f32 = channel_last_desc(s.dst_dims);
  const bool integer_dst = output && all_fused && !on_floats;
  const memory::desc dst_desc =
      integer_dst ? typed_channel_last(s.dst_dims, integer_type(output->parameters.type)) : dst_f32;
  dnnl::post_ops fused_ops = fused_post_ops(chain, chain.size(), dst_f32);
  if (output && all_fused) {
    fused_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f / output->parameters.scales[0], 0.0f);
  }
  dnnl::primitive_attr attributes;
  attributes.set_post_ops(fused_ops);
  if (!on_floats) attributes.set_output_scales(output_scales.size() == 1 ? 0 : 1 << 1, output_scales);
  const memory::data_type weight_type = on_floats ? memory::data_type::f32 : memory::data_type::s8;

  memory::dims weight_dims;
  memory::format_tag weight_tag = memory::format_tag::oihw;
  if (s.group == 1) {
    weight_dims = {s.out_channels, s.in_channels, s.kernel_h, s.kernel_w};
  } else {
    weight_dims = {s.group, s.out_channels / s.group, s.in_channels / s.group, s.kernel_h, s.kernel_w};
    weight_tag = memory::format_tag::goihw;
  }
  const memory::desc src_desc =
      on_floats ? channel_last_desc(s.src_dims) : typed_channel_last(s.src_dims, integer_type(in.type));
  const memory::desc weights_any(weight_dims, weight_type, memory::format_tag::any);
  const memory::desc bias_desc({s.out_channels}, memory::data_type::f32, memory::format_tag::a);
  const dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_desc, weights_any, bias_desc,
      dst_desc, {s.strides[0], s.strides[1]}, {s.dilations[0] - 1, s.dilations[1] - 1}, {s.pads[0], s.pads[1]},
      {s.pads[2], s.pads[3]});
  dnnl::convolution_forward::primitive_desc pd;
  try {
    pd = dnnl::convolution_forward::primitive_desc(desc, attributes, lowering.engine());
  } catch (const dnnl::error& error) {
    throw_node_error(lowering.graph().source(), *group.node,
                     std::string("oneDNN cannot build it as an int8 convolution: ") + error.what());
  }
  const std::string impl = pd.impl_info_str();
  lowering.program().implementations.push_back(group.node->name + ": " + impl +
                                               (on_floats ? " (int8, exact on fp32 kernels: no VNNI)" : " (int8)"));
  if (impl.find("ref") != std::string::npos) {
    spdlog::warn("{}: oneDNN chose a reference int8 kernel ({}); this layer will be slow", group.node->describe(), impl);
  }

  // Weights: the file's integers, reordered once into oneDNN's layout (which
  // adds the compensation signed activations need).
  memory user_weights = lowering.new_memory(memory::desc(weight_dims, weight_type, weight_tag));
  if (on_floats) {
    auto* w = static_cast<float*>(user_weights.get_data_handle());
    for (std::size_t i = 0; i < weights.values.size(); ++i) w[i] = static_cast<float>(weights.values[i]);
  } else {
    auto* w = static_cast<std::int8_t*>(user_weights.get_data_handle());
    for (std::size_t i = 0; i < weights.values.size(); ++i) w[i] = static_cast<std::int8_t>(weights.values[i]);
  }
  memory reordered = lowering.new_memory(pd.weights_desc());
  {
    dnnl::stream stream(lowering.engine());
    dnnl::reorder(user_weights, reordered).execute(stream, user_weights, reordered);
    stream.wait();
  }
  lowering.program().keep.push_back(reordered);
  // Bias in accumulator units: oneDNN scales (sum + bias).
  std::vector<float> bias(static_cast<std::size_t>(s.out_channels), 0.0f);
  if (group.bias != nullptr) {
    for (std::size_t c = 0; c < bias.size(); ++c) {
      bias[c] = group.bias->floats[c] / output_scales[output_scales.size() == 1 ? 0 : c];
    }
  }

  std::unordered_map<int, memory> args;
  lowering.post_op_arguments(chain, chain.size(), dst_f32, args);
  memory dst = lowering.new_memory(pd.dst_desc());
  args[DNNL_ARG_SRC] = lowering.as_layout(lowering.value(group.input), pd.src_desc());
  args[DNNL_ARG_WEIGHTS] = reordered;
  args[DNNL_ARG_BIAS] = lowering.constant(bias, {s.out_channels});
  args[DNNL_ARG_DST] = dst;
  const dnnl::primitive primitive(pd);
  lowering.add_step([primitive, args](dnnl::stream& stream) { primitive.execute(stream, args); });

  memory result = dst;
  if (output && all_fused && on_floats) {  // already scaled by 1 / s_out: rounded and saturated
    result = scaled_reorder(lowering, dst, typed_channel_last(s.dst_dims, integer_type(output->parameters.type)), 1.0f);
  } else if (prelu_requantised) {
    const QuantizationParameters& out = output->parameters;
    memory integers = lowering.new_memory(typed_channel_last(s.dst_dims, integer_type(out.type)));
    const std::vector<float> slopes = post_ops.back().values;
    const std::int64_t pixels = s.dst_dims[0] * s.dst_dims[2] * s.dst_dims[3];
    const std::int64_t channels = s.dst_dims[1];
    const float inverse_scale = 1.0f / out.scales[0];
    const bool is_signed = out.type == ElementType::int8;
    lowering.program().implementations.push_back(group.node->name + ": prelu+quantize:restore4k");
    lowering.add_step([dst, integers, slopes, pixels, channels, inverse_scale, is_signed](dnnl::stream& stream) {
      stream.wait();
      prelu_quantize_channel_last(static_cast<const float*>(dst.get_data_handle()), integers.get_data_handle(),
                                  is_signed, pixels, channels, slopes.data(), inverse_scale);
    });
    result = integers;
  } else if (!all_fused) {
    const std::vector<PostOp> separate(post_ops.begin() + static_cast<std::ptrdiff_t>(fused), post_ops.end());
    result = lowering.separate_post_ops(separate, dst);
    if (output) {
      result = scaled_reorder(lowering, result, typed_channel_last(s.dst_dims, integer_type(output->parameters.type)),
                              1.0f / output->parameters.scales[0]);
    }
  }
  if (group.shuffle.block > 0) result = lowering.shuffled_output(group.shuffle, result);
  lowering.define(group.output, result);
}

void lower_quantize_linear(const Operation& operation, OneDnnLowering& lowering) {
  const Operand& data = operation.inputs()[0];
  const QuantizationParameters p = quantization_parameters(operation.node, data.dims.size());
  if (lowering.precision() == Precision::int8 && p.zero_points[0] == 0) {
    const memory::desc desc = typed_desc(data.dims, integer_type(p.type));
    lowering.define(operation.output, scaled_reorder(lowering, lowering.value(data.name), desc, 1.0f / p.scales[0]));
    return;
  }
  memory out = writable(lowering, data.name);
  const float scale = p.scales[0];
  const auto zero = static_cast<float>(p.zero_points[0]);
  const auto low = static_cast<float>(p.low());
  const auto high = static_cast<float>(p.high());
  const std::int64_t count = float_count(out);
  lowering.add_step([out, count, scale, zero, low, high](dnnl::stream& stream) {
    stream.wait();
    quantize_floats(static_cast<float*>(out.get_data_handle()), count, scale, zero, low, high);
  });
  lowering.define(operation.output, out);
}

void lower_dequantize_linear(const Operation& operation, OneDnnLowering& lowering) {
  const Operand& data = operation.inputs()[0];
  const QuantizationParameters p = quantization_parameters(operation.node, data.dims.size());
  const memory& in = lowering.value(data.name);
  if (is_integer(in)) {  // written by an int8 step: zero point 0
    const memory::desc target = typed_desc(data.dims, memory::data_type::f32);
    lowering.define(operation.output, scaled_reorder(lowering, in, target, p.scales[0]));
    return;
  }
  memory out = writable(lowering, data.name);
  const float scale = p.scales[0];
  const auto zero = static_cast<float>(p.zero_points[0]);
  const std::int64_t count = float_count(out);
  lowering.add_step([out, count, scale, zero](dnnl::stream& stream) {
    stream.wait();
    dequantize_floats(static_cast<float*>(out.get_data_handle()), count, scale, zero);
  });
  lowering.define(operation.output, out);
}

}  // namespace r4k::infer
