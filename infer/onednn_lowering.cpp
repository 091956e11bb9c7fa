#include "infer/onednn_lowering.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "core/error.hpp"
#include "infer/onednn_convolution_choice.hpp"
#include "infer/onednn_quantization.hpp"
#include "infer/prelu_kernel.hpp"

namespace r4k::infer {

using dnnl::memory;

namespace {

memory::format_tag plain_tag(std::size_t rank) {
  switch (rank) {
    case 1:
      return memory::format_tag::a;
    case 2:
      return memory::format_tag::ab;
    case 3:
      return memory::format_tag::abc;
    case 4:
      return memory::format_tag::abcd;
    case 5:
      return memory::format_tag::abcde;
    default:
      return memory::format_tag::abcdef;
  }
}


// {1, 1, 1, 1} for one value, {1, C, 1, 1} for one per channel.
Dims channel_operand_dims(const std::vector<float>& values) {
  return {1, static_cast<std::int64_t>(values.size()), 1, 1};
}

bool is_reference(const std::string& impl) { return impl.find("ref") != std::string::npos; }

// The layout of a 4-D f32 memory as the PReLU kernel walks it: plain (any
// strides), channel-last, or channel-blocked (nChw8c / nChw16c).
std::optional<ChannelLayout> channel_layout(const memory::desc& desc) {
  const dnnl_memory_desc_t& d = desc.data;
  if (d.ndims != 4 || d.data_type != dnnl_f32 || d.format_kind != dnnl_blocked || d.offset0 != 0) {
    return std::nullopt;
  }
  const auto& blocking = d.format_desc.blocking;
  ChannelLayout layout;
  layout.n = d.dims[0];
  layout.c = d.dims[1];
  layout.h = d.dims[2];
  layout.w = d.dims[3];
  layout.n_stride = blocking.strides[0];
  layout.c_stride = blocking.strides[1];
  layout.h_stride = blocking.strides[2];
  layout.w_stride = blocking.strides[3];
  if (blocking.inner_nblks == 1 && blocking.inner_idxs[0] == 1) {
    layout.block = blocking.inner_blks[0];
  } else if (blocking.inner_nblks != 0) {
    return std::nullopt;
  } else if (layout.c_stride == 1 && layout.c > 1) {
    layout.block = layout.c;  // channel-last: every pixel's channels are contiguous
    layout.c_stride = 0;
  }
  return layout;
}

dnnl::algorithm binary_algorithm(OpType op) {
  switch (op) {
    case OpType::add:
      return dnnl::algorithm::binary_add;
    case OpType::sub:
      return dnnl::algorithm::binary_sub;
    case OpType::mul:
      return dnnl::algorithm::binary_mul;
    default:
      return dnnl::algorithm::binary_div;
  }
}

// Plain data permuted: out[..] = in[perm..], `in` read as `in_dims`.
OneDnnProgram::Step permute_step(const memory& in, const memory& out, const Dims& in_dims, const Dims& perm) {
  const std::size_t rank = in_dims.size();
  const Dims out_dims = permuted_dims(in_dims, perm);
  Dims in_strides(rank, 1);
  for (std::size_t i = rank - 1; i > 0; --i) in_strides[i - 1] = in_strides[i] * in_dims[i];
  Dims strides(rank);  // input stride for each output axis
  for (std::size_t i = 0; i < rank; ++i) strides[i] = in_strides[static_cast<std::size_t>(perm[i])];
  return [in, out, out_dims, strides](dnnl::stream& stream) {
    stream.wait();
    const float* src = static_cast<const float*>(in.get_data_handle());
    float* dst = static_cast<float*>(out.get_data_handle());
    const std::size_t r = out_dims.size();
    const std::int64_t inner = out_dims[r - 1];
    const std::int64_t inner_stride = strides[r - 1];
    const std::int64_t outer = product(out_dims) / inner;
#pragma omp parallel for schedule(static)
    for (std::int64_t o = 0; o < outer; ++o) {
      std::int64_t rest = o;
      std::int64_t offset = 0;
      for (std::size_t axis = r - 1; axis-- > 0;) {
        offset += (rest % out_dims[axis]) * strides[axis];
        rest /= out_dims[axis];
      }
      float* row = dst + o * inner;
      for (std::int64_t i = 0; i < inner; ++i) row[i] = src[offset + i * inner_stride];
    }
  };
}

// DepthToSpace of plain [n, oc * s * s, h, w] data: out[n][c][y*s + dy][x*s +
// dx] = in[n][channel(c, dy, dx)][y][x], one output row at a time: a straight
// pass over the data.
OneDnnProgram::Step depth_to_space_step(const memory& in, const memory& out, const Dims& src_dims,
                                        const DepthToSpace& d2s) {
  const std::int64_t s = d2s.block;
  const std::int64_t n = src_dims[0];
  const std::int64_t oc = src_dims[1] / (s * s);
  const std::int64_t h = src_dims[2];
  const std::int64_t w = src_dims[3];
  const bool crd = d2s.crd;
  return [in, out, n, oc, h, w, s, crd](dnnl::stream& stream) {
    stream.wait();
    const float* source = static_cast<const float*>(in.get_data_handle());
    float* target = static_cast<float*>(out.get_data_handle());
    const std::int64_t rows = n * oc * h;
#pragma omp parallel for schedule(static)
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int64_t y = r % h;
      const std::int64_t plane = (r / h) % oc;
      const std::int64_t b = r / (h * oc);
      for (std::int64_t dy = 0; dy < s; ++dy) {
        float* row = target + ((b * oc + plane) * h * s + y * s + dy) * w * s;
        for (std::int64_t dx = 0; dx < s; ++dx) {
          const std::int64_t channel = crd ? plane * s * s + dy * s + dx : (dy * s + dx) * oc + plane;
          const float* plane_row = source + ((b * oc * s * s + channel) * h + y) * w;
          for (std::int64_t x = 0; x < w; ++x) row[x * s + dx] = plane_row[x];
        }
      }
    }
  };
}

// A convolution primitive as oneDNN builds it for given post-ops and layouts.
struct ConvolutionPrimitive {
  dnnl::primitive_desc pd;
  memory::desc src;
  memory::desc weights;
  memory::desc dst;
  std::string impl;
  bool direct() const { return impl.find("gemm") == std::string::npos && !is_reference(impl); }
};

// The oneDNN descriptions of one convolution, and the primitives it can be
// built as.
class ConvolutionBuilder {
 public:
  ConvolutionBuilder(const ConvolutionGroup& group, const dnnl::engine& engine, const std::string& source)
      : group_(group), engine_(engine), source_(source) {
    const ConvolutionShape& s = group.shape;
    src_dims_ = memory::dims(s.src_dims.begin(), s.src_dims.end());
    dst_dims_ = memory::dims(s.dst_dims.begin(), s.dst_dims.end());
    if (s.group == 1) {
      weight_dims_ = {s.out_channels, s.in_channels, s.kernel_h, s.kernel_w};
      weight_tag_ = s.transposed ? memory::format_tag::iohw : memory::format_tag::oihw;
    } else {
      weight_dims_ = {s.group, s.out_channels / s.group, s.in_channels / s.group, s.kernel_h, s.kernel_w};
      weight_tag_ = s.transposed ? memory::format_tag::giohw : memory::format_tag::goihw;
    }
  }

  const memory::dims& weight_dims() const { return weight_dims_; }
  memory::desc user_weights_desc() const { return memory::desc(weight_dims_, memory::data_type::f32, weight_tag_); }

  // oneDNN's own layout choice, unless that lands on a GEMM over plain
  // layouts (it does for wide inputs such as RRDB's 192 -> 64, and when some
  // post-ops are attached): then its channel-last direct kernels, which are
  // faster there.
  ConvolutionPrimitive direct(const dnnl::primitive_attr& attributes) const {
    const memory::desc src_any(src_dims_, memory::data_type::f32, memory::format_tag::any);
    const memory::desc dst_any(dst_dims_, memory::data_type::f32, memory::format_tag::any);
    try {
      ConvolutionPrimitive chosen = build(attributes, src_any, dst_any);
      if (!chosen.direct()) {
        ConvolutionPrimitive nhwc =
            build(attributes, channel_last_desc(group_.shape.src_dims), channel_last_desc(group_.shape.dst_dims));
        if (nhwc.direct()) return nhwc;
      }
      return chosen;
    } catch (const dnnl::error& error) {
      throw_node_error(source_, *group_.node, std::string("oneDNN cannot build it: ") + error.what());
    }
  }

 private:
  ConvolutionPrimitive build(const dnnl::primitive_attr& attributes, const memory::desc& src_desc,
                             const memory::desc& dst_desc) const {
    const ConvolutionShape& s = group_.shape;
    const memory::desc weights_any(weight_dims_, memory::data_type::f32, memory::format_tag::any);
    const memory::desc bias_desc({s.out_channels}, memory::data_type::f32, memory::format_tag::a);
    const memory::dims strides{s.strides[0], s.strides[1]};
    const memory::dims dilations{s.dilations[0] - 1, s.dilations[1] - 1};
    const memory::dims pad_l{s.pads[0], s.pads[1]};
    const memory::dims pad_r{s.pads[2] - s.output_padding[0], s.pads[3] - s.output_padding[1]};
    if (s.transposed) {
      dnnl::deconvolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                                             src_desc, weights_any, bias_desc, dst_desc, strides, dilations, pad_l,
                                             pad_r);
      dnnl::deconvolution_forward::primitive_desc pd(desc, attributes, engine_);
      return {pd, pd.src_desc(), pd.weights_desc(), pd.dst_desc(), pd.impl_info_str()};
    }
    dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                         src_desc, weights_any, bias_desc, dst_desc, strides, dilations, pad_l, pad_r);
    dnnl::convolution_forward::primitive_desc pd(desc, attributes, engine_);
    return {pd, pd.src_desc(), pd.weights_desc(), pd.dst_desc(), pd.impl_info_str()};
  }

  const ConvolutionGroup& group_;
  const dnnl::engine& engine_;
  const std::string& source_;
  memory::dims src_dims_;
  memory::dims dst_dims_;
  memory::dims weight_dims_;
  memory::format_tag weight_tag_ = memory::format_tag::oihw;
};

}  // namespace

memory::desc plain_desc(const Dims& dims) {
  return memory::desc(memory::dims(dims.begin(), dims.end()), memory::data_type::f32, plain_tag(dims.size()));
}

memory::desc channel_last_desc(const Dims& dims) {
  return memory::desc(memory::dims(dims.begin(), dims.end()), memory::data_type::f32, memory::format_tag::acdb);
}

dnnl::post_ops fused_post_ops(const std::vector<PostOp>& post_ops, std::size_t count,
                              const memory::desc& residual_desc) {
  dnnl::post_ops fused;
  for (std::size_t i = 0; i < count; ++i) {
    const PostOp& post = post_ops[i];
    switch (post.kind) {
      case PostOp::Kind::relu:
        fused.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
        break;
      case PostOp::Kind::leaky_relu:
        fused.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, post.alpha, 0.0f);
        break;
      case PostOp::Kind::sigmoid:
        fused.append_eltwise(1.0f, dnnl::algorithm::eltwise_logistic, 0.0f, 0.0f);
        break;
      case PostOp::Kind::tanh:
        fused.append_eltwise(1.0f, dnnl::algorithm::eltwise_tanh, 0.0f, 0.0f);
        break;
      case PostOp::Kind::clip:
        fused.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, post.low, post.high);
        break;
      case PostOp::Kind::prelu:
        if (post.per_channel()) {
          fused.append_prelu(1 << 1);
        } else {
          fused.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, post.values[0], 0.0f);
        }
        break;
      case PostOp::Kind::mul:
        if (!post.per_channel()) {
          fused.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, post.values[0], 0.0f);
          break;
        }
        fused.append_binary(dnnl::algorithm::binary_mul, plain_desc(channel_operand_dims(post.values)));
        break;
      case PostOp::Kind::add:
        fused.append_binary(dnnl::algorithm::binary_add, plain_desc(channel_operand_dims(post.values)));
        break;
      case PostOp::Kind::sub:
        fused.append_binary(dnnl::algorithm::binary_sub, plain_desc(channel_operand_dims(post.values)));
        break;
      case PostOp::Kind::residual_add:
        fused.append_binary(dnnl::algorithm::binary_add, residual_desc);
        break;
    }
  }
  return fused;
}

void OneDnnLowering::post_op_arguments(const std::vector<PostOp>& post_ops, std::size_t count,
                                       const memory::desc& residual_desc, std::unordered_map<int, memory>& args) {
  for (std::size_t i = 0; i < count; ++i) {
    const PostOp& post = post_ops[i];
    const int index = static_cast<int>(i);
    if (post.kind == PostOp::Kind::residual_add) {
      args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1] = as_layout(value(post.residual), residual_desc);
    } else if (post.kind == PostOp::Kind::prelu && post.per_channel()) {
      args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_WEIGHTS] =
          constant(post.values, channel_operand_dims(post.values));
    } else if (post.kind == PostOp::Kind::add || post.kind == PostOp::Kind::sub ||
               (post.kind == PostOp::Kind::mul && post.per_channel())) {
      args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1] =
          constant(post.values, channel_operand_dims(post.values));
    }
  }
}

OneDnnLowering::OneDnnLowering(const SpecializedGraph& graph, const dnnl::engine& engine, OneDnnProgram& program,
                               Autotuner* autotuner)
    : graph_(graph), engine_(engine), program_(program), autotuner_(autotuner) {
  program_.input = memory(plain_desc(graph.input_dims()), engine_, DNNL_MEMORY_NONE);
  values_[graph.input()] = program_.input;
}

const memory& OneDnnLowering::value(const std::string& name) const { return values_.at(name); }

void OneDnnLowering::define(const std::string& name, memory mem) {
  // A memory defined again holds a new value (written in place): conversions
  // made of its old value must not be handed out for the new one.
  conversions_.erase(std::remove_if(conversions_.begin(), conversions_.end(),
                                    [&](const Conversion& made) { return made.source == mem.get() || made.converted.get() == mem.get(); }),
                     conversions_.end());
  values_[name] = std::move(mem);
}

memory OneDnnLowering::as_layout(const memory& mem, const memory::desc& desc) {
  if (mem.get_desc() == desc) return mem;
  for (const Conversion& made : conversions_) {
    if (made.source == mem.get() && made.converted.get_desc() == desc) return made.converted;
  }
  memory converted = new_memory(desc);
  conversions_.push_back({mem.get(), converted});
  dnnl::reorder reorder(mem, converted);
  add_step([reorder, mem, converted](dnnl::stream& stream) mutable {
    reorder.execute(stream, const_cast<memory&>(mem), converted);
  });
  return converted;
}

memory OneDnnLowering::constant(const std::vector<float>& values, const Dims& dims) {
  memory mem = new_memory(plain_desc(dims));
  std::memcpy(mem.get_data_handle(), values.data(), values.size() * sizeof(float));
  program_.keep.push_back(mem);
  return mem;
}

bool OneDnnLowering::may_overwrite(const std::string& name) const {
  return graph_.uses(name) == 1 && name != graph_.input();
}

void OneDnnLowering::lower(const FusionPlan& plan) {
  precision_ = plan.precision;
  for (const PlanStep& step : plan.steps) {
    if (const auto* group = std::get_if<ConvolutionGroup>(&step)) {
      program_.flops += 2.0 * static_cast<double>(group->shape.macs);
      lower_chosen_convolution(*group, *this);
    } else if (const auto* permutation = std::get_if<Permute>(&step)) {
      permute(*permutation);
    } else {
      operation(*std::get<const Operation*>(step));
    }
  }
  const memory& out = value(graph_.output());
  const Dims& dims = graph_.output_dims();
  program_.output_shape = TensorShape{static_cast<int>(dims[0]), static_cast<int>(dims[1]), static_cast<int>(dims[2]),
                                      static_cast<int>(dims[3])};
  program_.output = memory(plain_desc(dims), engine_, DNNL_MEMORY_NONE);
  dnnl::reorder to_output(out, program_.output);
  memory from = out;
  memory to = program_.output;
  program_.output_step = [to_output, from, to](dnnl::stream& stream) mutable { to_output.execute(stream, from, to); };
}

void OneDnnLowering::capture(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    const auto found = values_.find(name);
    if (found == values_.end()) throw InputError("model '" + graph_.source() + "': no runtime value '" + name + "'");
    const dnnl_memory_desc_t& d = found->second.get_desc().data;
    memory copy = new_memory(plain_desc(Dims(d.dims, d.dims + d.ndims)));
    dnnl::reorder reorder(found->second, copy);
    memory source = found->second;
    add_step([reorder, source, copy](dnnl::stream& stream) mutable { reorder.execute(stream, source, copy); });
    program_.captures.emplace_back(name, copy);
  }
}

void lower_convolution(const ConvolutionGroup& group, OneDnnLowering& lowering) {
  const ConvolutionShape& shape = group.shape;
  const ConvolutionBuilder builder(group, lowering.engine(), lowering.graph().source());
  // The layout this convolution's output takes; a residual operand is
  // brought to it, so that fusing the add does not force a slower kernel.
  const memory::desc preferred_dst = builder.direct(dnnl::primitive_attr()).dst;

  // Every post-op fused, unless a per-channel PReLU then gets a reference
  // kernel: fast on AVX-512 cores, a reference kernel on others (DESIGN.md).
  const auto& post_ops = group.post_ops;
  const auto post_op_attributes = [](const std::vector<PostOp>& ops, std::size_t count, const memory::desc& residual) {
    dnnl::primitive_attr attributes;
    attributes.set_post_ops(fused_post_ops(ops, count, residual));
    return attributes;
  };
  std::size_t fused = post_ops.size();
  ConvolutionPrimitive built = builder.direct(post_op_attributes(post_ops, fused, preferred_dst));
  const auto channel_prelu = std::find_if(post_ops.begin(), post_ops.end(), [](const PostOp& post) {
    return post.kind == PostOp::Kind::prelu && post.per_channel();
  });
  if (is_reference(built.impl) && channel_prelu != post_ops.end()) {
    spdlog::debug("onednn: {}: fused per-channel PReLU gives a reference kernel here; keeping it separate",
                  group.node->describe());
    fused = static_cast<std::size_t>(channel_prelu - post_ops.begin());
    built = builder.direct(post_op_attributes(post_ops, fused, preferred_dst));
  }
  lowering.program().implementations.push_back(group.node->name + ": " + built.impl);
  if (is_reference(built.impl)) {
    spdlog::warn("{}: oneDNN chose a reference kernel ({}); this layer will be slow", group.node->describe(),
                 built.impl);
  }

  // The fused post-ops' operands.
  std::unordered_map<int, memory> args;
  lowering.post_op_arguments(post_ops, fused, preferred_dst, args);

  // Weights and bias: reordered once, now.
  const memory::dims& weight_dims = builder.weight_dims();
  memory user_weights = lowering.constant(group.weights->floats, Dims(weight_dims.begin(), weight_dims.end()));
  user_weights = memory(builder.user_weights_desc(), lowering.engine(), user_weights.get_data_handle());
  memory weights = lowering.new_memory(built.weights);
  {
    dnnl::stream stream(lowering.engine());
    dnnl::reorder(user_weights, weights).execute(stream, user_weights, weights);
    stream.wait();
  }
  lowering.program().keep.push_back(weights);
  const std::vector<float> no_bias(static_cast<std::size_t>(shape.out_channels), 0.0f);
  memory bias = lowering.constant(group.bias != nullptr ? group.bias->floats : no_bias, {shape.out_channels});

  memory src = lowering.as_layout(lowering.value(group.input), built.src);
  memory dst = lowering.new_memory(built.dst);
  args[DNNL_ARG_SRC] = src;
  args[DNNL_ARG_WEIGHTS] = weights;
  args[DNNL_ARG_BIAS] = bias;
  args[DNNL_ARG_DST] = dst;
  const dnnl::primitive primitive(built.pd);
  lowering.add_step([primitive, args](dnnl::stream& stream) { primitive.execute(stream, args); });

  const std::vector<PostOp> separate(post_ops.begin() + static_cast<std::ptrdiff_t>(fused), post_ops.end());
  memory result = lowering.separate_post_ops(separate, dst);
  if (group.shuffle.block > 0) result = lowering.shuffled_output(group.shuffle, result);
  lowering.define(group.output, result);
}

memory OneDnnLowering::shuffled_output(const ShuffledOutput& shuffle, const memory& input) {
  memory source = input;
  std::optional<ChannelLayout> layout = channel_layout(source.get_desc());
  if (!layout) {
    const dnnl_memory_desc_t& d = source.get_desc().data;
    source = as_layout(source, plain_desc(Dims(d.dims, d.dims + d.ndims)));
    layout = channel_layout(source.get_desc());
  }
  memory residual;
  if (!shuffle.upsampled.empty()) residual = as_layout(value(shuffle.upsampled), plain_desc(shuffle.upsampled_dims));
  memory out = new_memory(plain_desc(shuffle.dims));
  add_step([source, residual, out, shuffle, layout = *layout](dnnl::stream& stream) {
    stream.wait();
    const float* in = static_cast<const float*>(source.get_data_handle());
    const float* res = residual ? static_cast<const float*>(residual.get_data_handle()) : nullptr;
    float* target = static_cast<float*>(out.get_data_handle());
    const std::int64_t s = shuffle.block;
    const std::int64_t planes = shuffle.dims[1];
    const std::int64_t height = shuffle.dims[2];
    const std::int64_t width = shuffle.dims[3];
    const std::int64_t u = shuffle.upsample;
    const std::int64_t res_h = u > 0 ? height / u : 0;
    const std::int64_t res_w = u > 0 ? width / u : 0;
    const std::int64_t rows = shuffle.dims[0] * planes * height;
#pragma omp parallel for schedule(static)
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int64_t row = r % height;
      const std::int64_t plane = (r / height) % planes;
      const std::int64_t n = r / (height * planes);
      const std::int64_t y = row / s;
      const std::int64_t dy = row % s;
      float* line = target + r * width;
      const float* res_line = res != nullptr ? res + ((n * planes + plane) * res_h + row / u) * res_w : nullptr;
      const std::int64_t columns = width / s;
      // One source channel per dx: a strided walk along its row, no division per pixel.
      for (std::int64_t dx = 0; dx < s; ++dx) {
        const std::int64_t channel = shuffle.crd ? plane * s * s + dy * s + dx : (dy * s + dx) * planes + plane;
        const float* source_row = in + n * layout.n_stride + (channel / layout.block) * layout.c_stride +
                                  y * layout.h_stride + channel % layout.block;
        const std::int64_t stride = layout.w_stride;
        if (res_line == nullptr) {
          for (std::int64_t x = 0; x < columns; ++x) line[x * s + dx] = source_row[x * stride];
        } else if (u == s) {
          for (std::int64_t x = 0; x < columns; ++x) line[x * s + dx] = source_row[x * stride] + res_line[x];
        } else {
          for (std::int64_t x = 0; x < columns; ++x) {
            line[x * s + dx] = source_row[x * stride] + res_line[(x * s + dx) / u];
          }
        }
      }
    }
  });
  return out;
}

memory OneDnnLowering::separate_post_ops(const std::vector<PostOp>& post_ops, memory input) {
  for (const PostOp& post : post_ops) {
    switch (post.kind) {
      case PostOp::Kind::relu:
        input = eltwise(dnnl::algorithm::eltwise_relu, 0.0f, 0.0f, input, true);
        break;
      case PostOp::Kind::leaky_relu:
        input = eltwise(dnnl::algorithm::eltwise_relu, post.alpha, 0.0f, input, true);
        break;
      case PostOp::Kind::sigmoid:
        input = eltwise(dnnl::algorithm::eltwise_logistic, 0.0f, 0.0f, input, true);
        break;
      case PostOp::Kind::tanh:
        input = eltwise(dnnl::algorithm::eltwise_tanh, 0.0f, 0.0f, input, true);
        break;
      case PostOp::Kind::clip:
        input = eltwise(dnnl::algorithm::eltwise_clip, post.low, post.high, input, true);
        break;
      case PostOp::Kind::prelu:
        input = prelu(post.values, input, true, *post.node);
        break;
      case PostOp::Kind::mul:
      case PostOp::Kind::add:
      case PostOp::Kind::sub:
        input =
            binary(binary_algorithm(post.node->op), input, constant(post.values, channel_operand_dims(post.values)));
        break;
      case PostOp::Kind::residual_add:
        input = binary(dnnl::algorithm::binary_add, input, as_layout(value(post.residual), input.get_desc()));
        break;
    }
  }
  return input;
}

memory OneDnnLowering::eltwise(dnnl::algorithm algorithm, float alpha, float beta, const memory& input, bool in_place) {
  dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, input.get_desc(), alpha, beta);
  dnnl::eltwise_forward primitive(dnnl::eltwise_forward::primitive_desc(desc, engine_));
  memory in = input;
  memory out = in_place ? input : new_memory(input.get_desc());
  add_step([primitive, in, out](dnnl::stream& stream) {
    primitive.execute(stream, {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, out}});
  });
  return out;
}

memory OneDnnLowering::prelu(const std::vector<float>& slopes, const memory& input, bool in_place, const Node& node) {
  memory weights = constant(slopes, channel_operand_dims(slopes));
  dnnl::prelu_forward::desc desc(dnnl::prop_kind::forward_inference, input.get_desc(), weights.get_desc());
  dnnl::prelu_forward::primitive_desc pd(desc, engine_);
  const std::string impl = pd.impl_info_str();
  memory in = input;
  memory out = in_place ? input : new_memory(input.get_desc());
  if (is_reference(impl)) {
    // oneDNN 2.6 has no JIT PReLU below AVX-512: the reference kernel
    // would cost more than the convolutions. Ours, where the layout is one
    // it knows.
    if (const auto layout = channel_layout(in.get_desc())) {
      std::vector<float> channel_slopes(static_cast<std::size_t>(layout->c));
      for (std::size_t c = 0; c < channel_slopes.size(); ++c) channel_slopes[c] = slopes[slopes.size() == 1 ? 0 : c];
      program_.implementations.push_back("prelu:restore4k (oneDNN offers " + impl + ")");
      add_step([in, out, channel_slopes, layout = *layout](dnnl::stream&) {
        prelu_per_channel(static_cast<const float*>(in.get_data_handle()), static_cast<float*>(out.get_data_handle()),
                          channel_slopes.data(), layout);
      });
      return out;
    }
    spdlog::debug("{}: PReLU uses {}", node.describe(), impl);
  }
  dnnl::prelu_forward primitive(pd);
  add_step([primitive, in, weights, out](dnnl::stream& stream) {
    primitive.execute(stream, {{DNNL_ARG_SRC, in}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, out}});
  });
  return out;
}

memory OneDnnLowering::binary(dnnl::algorithm algorithm, const memory& src0, const memory& src1) {
  dnnl::binary::desc desc(algorithm, src0.get_desc(), src1.get_desc(), src0.get_desc());
  dnnl::binary primitive(dnnl::binary::primitive_desc(desc, engine_));
  memory out = new_memory(src0.get_desc());
  add_step([primitive, src0, src1, out](dnnl::stream& stream) {
    primitive.execute(stream, {{DNNL_ARG_SRC_0, src0}, {DNNL_ARG_SRC_1, src1}, {DNNL_ARG_DST, out}});
  });
  return out;
}

void OneDnnLowering::operation(const Operation& operation) {
  const ResolvedNode& node = operation.node;
  switch (operation.op()) {
    case OpType::relu:
    case OpType::leaky_relu:
    case OpType::sigmoid:
    case OpType::tanh:
    case OpType::clip: {
      const std::string& input = node.runtime_input(0).name;
      dnnl::algorithm algorithm = dnnl::algorithm::eltwise_relu;
      float alpha = 0.0f;
      float beta = 0.0f;
      if (operation.op() == OpType::leaky_relu) alpha = node.node().float_attribute("alpha", 0.01f);
      if (operation.op() == OpType::sigmoid) algorithm = dnnl::algorithm::eltwise_logistic;
      if (operation.op() == OpType::tanh) algorithm = dnnl::algorithm::eltwise_tanh;
      if (operation.op() == OpType::clip) {
        algorithm = dnnl::algorithm::eltwise_clip;
        std::tie(alpha, beta) = clip_bounds(node);
      }
      define(operation.output, eltwise(algorithm, alpha, beta, value(input), may_overwrite(input)));
      return;
    }
    case OpType::prelu: {
      const std::string& input = node.runtime_input(0).name;
      define(operation.output, prelu(node.const_input(1).floats, value(input), may_overwrite(input), node.node()));
      return;
    }
    case OpType::add:
    case OpType::sub:
    case OpType::mul:
    case OpType::div:
      binary_operation(operation);
      return;
    case OpType::concat:
      concat(operation);
      return;
    case OpType::resize:
      resize(operation);
      return;
    case OpType::reshape:
      reshape(operation);
      return;
    case OpType::quantize_linear:
      lower_quantize_linear(operation, *this);
      return;
    case OpType::dequantize_linear:
      lower_dequantize_linear(operation, *this);
      return;
    default:
      node.fail("not supported on image tensors");
  }
}

void OneDnnLowering::binary_operation(const Operation& operation) {
  const ResolvedNode& node = operation.node;
  const Operand& a = node.input(0);
  const Operand& b = node.input(1);
  const dnnl::algorithm algorithm = binary_algorithm(operation.op());
  if (!a.is_constant() && !b.is_constant()) {
    const memory& src0 = value(a.name);
    define(operation.output, binary(algorithm, src0, as_layout(value(b.name), src0.get_desc())));
    return;
  }
  // constant (op) tensor: only add and mul commute; c - x and c / x are not
  // needed by SR graphs.
  if (a.is_constant() && operation.op() != OpType::add && operation.op() != OpType::mul) {
    node.fail("a constant on the left of " + node.node().type + " is not supported");
  }
  const Operand& runtime = a.is_constant() ? b : a;
  const ConstTensor& tensor = *(a.is_constant() ? a : b).constant;
  define(operation.output,
         binary(algorithm, value(runtime.name), constant(tensor.floats, channel_operand_dims(tensor.floats))));
}

void OneDnnLowering::concat(const Operation& operation) {
  const ConcatShape shape = concat_shape(operation.node);
  std::vector<memory::desc> descs;
  std::vector<memory> sources;
  for (const Operand& input : operation.inputs()) {
    // Channel-last for 4-D tensors: the layout the convolutions that read
    // dense-block concatenations prefer, and a strided copy for oneDNN's
    // simple concat (mixed layouts would get its reference kernel).
    const memory& mem = value(input.name);
    memory source = input.dims.size() == 4 ? as_layout(mem, channel_last_desc(input.dims)) : mem;
    descs.push_back(source.get_desc());
    sources.push_back(source);
  }
  const Dims& dims = shape.dst_dims;
  const int axis = static_cast<int>(shape.axis);
  const dnnl::concat::primitive_desc pd =
      dims.size() == 4 ? dnnl::concat::primitive_desc(channel_last_desc(dims), axis, descs, engine_)
                       : dnnl::concat::primitive_desc(axis, descs, engine_);
  dnnl::concat primitive(pd);
  memory out = new_memory(pd.dst_desc());
  std::unordered_map<int, memory> args{{DNNL_ARG_DST, out}};
  for (std::size_t i = 0; i < sources.size(); ++i) args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = sources[i];
  add_step([primitive, args](dnnl::stream& stream) { primitive.execute(stream, args); });
  define(operation.output, out);
}

void OneDnnLowering::resize(const Operation& operation) {
  const ResizeShape shape = resize_shape(operation.node);
  const memory& in = value(operation.node.runtime_input(0).name);
  const dnnl::algorithm algorithm =
      shape.mode == ResizeMode::nearest ? dnnl::algorithm::resampling_nearest : dnnl::algorithm::resampling_linear;
  const memory::desc dst_desc(memory::dims(shape.dst_dims.begin(), shape.dst_dims.end()), memory::data_type::f32,
                              memory::format_tag::any);
  dnnl::resampling_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, in.get_desc(), dst_desc);
  dnnl::resampling_forward::primitive_desc pd(desc, engine_);
  dnnl::resampling_forward primitive(pd);
  memory out = new_memory(pd.dst_desc());
  add_step([primitive, in, out](dnnl::stream& stream) {
    primitive.execute(stream, {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, out}});
  });
  define(operation.output, out);
}

void OneDnnLowering::reshape(const Operation& operation) {
  const Operand& input = operation.node.runtime_input(0);
  memory data = as_layout(value(input.name), plain_desc(input.dims));
  if (data.get() == program_.input.get()) {
    // The input's buffer changes every run; a view must not keep this one.
    memory copy = new_memory(data.get_desc());
    dnnl::reorder reorder(data, copy);
    add_step([reorder, data, copy](dnnl::stream& stream) mutable {
      reorder.execute(stream, const_cast<memory&>(data), copy);
    });
    data = copy;
  }
  program_.keep.push_back(data);  // the view's buffer
  define(operation.output, memory(plain_desc(operation.output_dims), engine_, data.get_data_handle()));
}

void OneDnnLowering::permute(const Permute& permute) {
  const memory in = as_layout(value(permute.input), plain_desc(permute.input_dims));
  memory out = new_memory(plain_desc(permute.output_dims));
  if (const auto d2s = as_depth_to_space(permute.permutation)) {
    const Dims& view = permute.permutation.view_dims;
    const std::int64_t s = d2s->block;
    const Dims src_dims{view[0], view[d2s->crd ? 1 : 3] * s * s, view[4], view[5]};
    add_step(depth_to_space_step(in, out, src_dims, *d2s));
  } else {
    add_step(permute_step(in, out, permute.permutation.view_dims, permute.permutation.perm));
  }
  define(permute.output, out);
}

}  // namespace r4k::infer
