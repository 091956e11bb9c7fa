#include "infer/onednn_engine.hpp"

#include <omp.h>
#include <xmmintrin.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <numeric>
#include <optional>
#include <set>
#include <unordered_map>
#include <cmath>

#include <oneapi/dnnl/dnnl.hpp>
#include <spdlog/spdlog.h>

#include "infer/prelu_kernel.hpp"
#include "core/error.hpp"

namespace r4k::infer {

using dnnl::memory;
using Dims = std::vector<std::int64_t>;

struct OneDnnEngine::Context {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

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

memory::desc plain_desc(const Dims& dims) {
  return memory::desc(memory::dims(dims.begin(), dims.end()), memory::data_type::f32, plain_tag(dims.size()));
}

std::int64_t product(const Dims& dims) {
  return std::accumulate(dims.begin(), dims.end(), std::int64_t{1}, std::multiplies<>());
}

std::string dims_text(const Dims& dims) {
  std::string text = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

// A value while compiling: a constant, or a runtime tensor in a memory.
struct Value {
  bool is_const = false;
  ConstTensor constant;
  Dims dims;  // runtime shape
  memory mem;
  bool plain() const { return mem.get_desc() == plain_desc(dims); }
};

}  // namespace

struct OneDnnEngine::Program {
  std::vector<std::function<void(dnnl::stream&)>> steps;
  memory input;   // plain NCHW, handle set per run
  memory output;  // plain NCHW, handle set per run
  std::function<void(dnnl::stream&)> output_step;
  TensorShape output_shape;
  double flops = 0.0;
  std::vector<std::string> implementations;
  std::vector<memory> keep;  // weights and constants the primitives use
};

namespace {

// Thrown when a fused convolution got a reference kernel: compile again
// with per-channel PReLU as separate primitives.
struct ReferenceKernel {};

class Compiler {
 public:
  Compiler(const Graph& graph, const dnnl::engine& engine, OneDnnEngine::Program& program, bool fuse_prelu)
      : graph_(graph), engine_(engine), program_(program), fuse_prelu_(fuse_prelu) {
    for (const auto& node : graph.nodes) {
      for (const auto& input : node.inputs) ++uses_[input];
    }
    ++uses_[graph.output];
    for (const auto& node : graph.nodes) {
      for (const auto& input : node.inputs) consumers_[input].push_back(&node);
    }
  }

  void compile(const TensorShape& shape) {
    const Dims input_dims{shape.n, shape.c, shape.h, shape.w};
    if (!graph_.input_dims.empty()) {
      for (std::size_t i = 1; i < 4; ++i) {
        if (graph_.input_dims[i] > 0 && graph_.input_dims[i] != input_dims[i]) {
          fail_input("takes input " + dims_text(graph_.input_dims) + ", given " + dims_text(input_dims));
        }
      }
    }
    program_.input = memory(plain_desc(input_dims), engine_, DNNL_MEMORY_NONE);
    Value input;
    input.dims = input_dims;
    input.mem = program_.input;
    values_[graph_.input] = input;
    for (const auto& [name, tensor] : graph_.constants) {
      Value value;
      value.is_const = true;
      value.constant = tensor;
      values_[name] = value;
    }
    for (const auto& node : graph_.nodes) {
      if (fused_.count(&node)) continue;
      compile_node(node);
    }
    const Value& out = value(graph_.output, nullptr);
    if (out.is_const || out.dims.size() != 4) fail_input("its output is not a 4-D image tensor");
    program_.output_shape = TensorShape{static_cast<int>(out.dims[0]), static_cast<int>(out.dims[1]),
                                        static_cast<int>(out.dims[2]), static_cast<int>(out.dims[3])};
    program_.output = memory(plain_desc(out.dims), engine_, DNNL_MEMORY_NONE);
    dnnl::reorder to_output(out.mem, program_.output);
    memory from = out.mem;
    memory to = program_.output;
    program_.output_step = [to_output, from, to](dnnl::stream& stream) mutable {
      to_output.execute(stream, from, to);
    };
  }

 private:
  [[noreturn]] void fail_input(const std::string& message) const {
    throw InputError("ONNX model '" + graph_.source + "' " + message);
  }
  [[noreturn]] void fail(const Node& node, const std::string& message) const {
    throw InputError("ONNX model '" + graph_.source + "': " + node.describe() + ": " + message);
  }

  const Value& value(const std::string& name, const Node* node) const {
    const auto found = values_.find(name);
    if (found == values_.end()) {
      if (node != nullptr) fail(*node, "input '" + name + "' is not available");
      fail_input("has no value '" + name + "'");
    }
    return found->second;
  }

  const Value* optional_input(const Node& node, std::size_t index) const {
    if (index >= node.inputs.size() || node.inputs[index].empty()) return nullptr;
    return &value(node.inputs[index], &node);
  }

  const Value& runtime_input(const Node& node, std::size_t index) const {
    const Value* v = optional_input(node, index);
    if (v == nullptr) fail(node, "input " + std::to_string(index) + " is missing");
    if (v->is_const) fail(node, "input '" + node.inputs[index] + "' is a constant where an image tensor is expected");
    return *v;
  }

  const ConstTensor& const_input(const Node& node, std::size_t index) const {
    const Value* v = optional_input(node, index);
    if (v == nullptr) fail(node, "input " + std::to_string(index) + " is missing");
    if (!v->is_const) fail(node, "input '" + node.inputs[index] + "' must be a constant (weights, shape, scales)");
    return v->constant;
  }

  void set_runtime(const std::string& name, Dims dims, memory mem) {
    Value v;
    v.dims = std::move(dims);
    v.mem = std::move(mem);
    values_[name] = std::move(v);
  }

  void set_const(const std::string& name, ConstTensor tensor) {
    Value v;
    v.is_const = true;
    v.constant = std::move(tensor);
    values_[name] = std::move(v);
  }

  memory new_memory(const memory::desc& desc) { return memory(desc, engine_); }

  // `mem` in `desc`, adding a reorder step when the layout differs.
  memory as_layout(const memory& mem, const memory::desc& desc) {
    if (mem.get_desc() == desc) return mem;
    memory converted = new_memory(desc);
    dnnl::reorder reorder(mem, converted);
    program_.steps.push_back([reorder, mem, converted](dnnl::stream& stream) mutable {
      reorder.execute(stream, const_cast<memory&>(mem), converted);
    });
    return converted;
  }

  memory const_memory(const ConstTensor& tensor, const Dims& dims) {
    if (tensor.is_int) throw InputError("integer weights are not supported");
    memory mem = new_memory(plain_desc(dims));
    std::memcpy(mem.get_data_handle(), tensor.floats.data(), tensor.floats.size() * sizeof(float));
    program_.keep.push_back(mem);
    return mem;
  }

  // Broadcastable per-channel or scalar constant as {1, C, 1, 1}; empty dims if not.
  // The layout of a 4-D f32 memory as the PReLU kernel walks it: plain
  // (any strides), channel-last, or channel-blocked (nChw8c / nChw16c).
  static std::optional<ChannelLayout> channel_layout(const dnnl::memory::desc& desc, const Dims& dims) {
    const dnnl_memory_desc_t& d = desc.data;
    if (d.ndims != 4 || d.data_type != dnnl_f32 || d.format_kind != dnnl_blocked || d.offset0 != 0) {
      return std::nullopt;
    }
    const auto& blocking = d.format_desc.blocking;
    ChannelLayout layout;
    layout.n = dims[0];
    layout.c = dims[1];
    layout.h = dims[2];
    layout.w = dims[3];
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

  static Dims channel_dims(const ConstTensor& tensor, std::int64_t channels) {
    const std::int64_t n = tensor.elements();
    if (n == 1) return {1, 1, 1, 1};
    if (n != channels) return {};
    for (std::size_t i = 0; i + 3 < tensor.dims.size(); ++i) {
      if (tensor.dims[i] != 1) return {};
    }
    return {1, channels, 1, 1};
  }

  const Node* single_consumer(const std::string& name) const {
    if (name == graph_.output) return nullptr;
    const auto found = consumers_.find(name);
    if (found == consumers_.end() || found->second.size() != 1 || uses_.at(name) != 1) return nullptr;
    return found->second.front();
  }

  void compile_node(const Node& node) {
    switch (node.op) {
      case OpType::constant: {
        const auto found = node.attributes.find("value");
        if (found == node.attributes.end() || !std::holds_alternative<ConstTensor>(found->second)) {
          fail(node, "only tensor-valued Constant nodes are supported");
        }
        set_const(node.outputs[0], std::get<ConstTensor>(found->second));
        return;
      }
      case OpType::identity:
        values_[node.outputs[0]] = value(node.inputs.at(0), &node);
        return;
      case OpType::shape:
      case OpType::gather:
      case OpType::unsqueeze:
      case OpType::squeeze:
      case OpType::slice:
      case OpType::cast:
        fold(node);
        return;
      default:
        break;
    }
    // Arithmetic on constants only (shape computations) is folded too.
    bool all_const = true;
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
      const Value* v = optional_input(node, i);
      if (v != nullptr && !v->is_const) all_const = false;
    }
    if (all_const && node.op != OpType::conv && node.op != OpType::conv_transpose) {
      fold(node);
      return;
    }
    switch (node.op) {
      case OpType::conv:
      case OpType::conv_transpose:
        convolution(node);
        return;
      case OpType::relu:
      case OpType::leaky_relu:
      case OpType::sigmoid:
      case OpType::tanh:
      case OpType::clip:
        eltwise(node);
        return;
      case OpType::prelu:
        prelu(node);
        return;
      case OpType::add:
      case OpType::sub:
      case OpType::mul:
      case OpType::div:
        binary(node);
        return;
      case OpType::concat:
        concat(node);
        return;
      case OpType::depth_to_space:
        depth_to_space(node);
        return;
      case OpType::resize:
        resize(node);
        return;
      case OpType::reshape:
        reshape(node);
        return;
      case OpType::transpose:
        transpose(node);
        return;
      default:
        fail(node, "not supported on image tensors");
    }
  }

  // ---- constant folding (shape arithmetic of exported graphs)

  static ConstTensor ints(Dims dims, std::vector<std::int64_t> values) {
    ConstTensor t;
    t.is_int = true;
    t.dims = std::move(dims);
    t.ints = std::move(values);
    return t;
  }

  void fold(const Node& node) {
    const auto& out = node.outputs[0];
    switch (node.op) {
      case OpType::shape: {
        const Value& v = value(node.inputs.at(0), &node);
        const Dims dims = v.is_const ? v.constant.dims : v.dims;
        set_const(out, ints({static_cast<std::int64_t>(dims.size())}, dims));
        return;
      }
      case OpType::gather: {
        const ConstTensor& data = const_input(node, 0);
        const ConstTensor& index = const_input(node, 1);
        if (data.dims.size() != 1 || node.int_attribute("axis", 0) != 0) fail(node, "only 1-D Gather is supported");
        ConstTensor result;
        result.is_int = data.is_int;
        result.dims = index.dims;
        for (std::int64_t i = 0; i < index.elements(); ++i) {
          std::int64_t at = static_cast<std::int64_t>(index.value(static_cast<std::size_t>(i)));
          if (at < 0) at += data.elements();
          if (at < 0 || at >= data.elements()) fail(node, "index out of range");
          if (data.is_int) {
            result.ints.push_back(data.ints[static_cast<std::size_t>(at)]);
          } else {
            result.floats.push_back(data.floats[static_cast<std::size_t>(at)]);
          }
        }
        set_const(out, result);
        return;
      }
      case OpType::unsqueeze:
      case OpType::squeeze: {
        ConstTensor result = const_input(node, 0);
        Dims axes = node.ints_attribute("axes");
        if (axes.empty() && node.inputs.size() > 1 && !node.inputs[1].empty()) axes = const_input(node, 1).ints;
        if (node.op == OpType::unsqueeze) {
          std::sort(axes.begin(), axes.end());
          for (auto axis : axes) {
            if (axis < 0) axis += static_cast<std::int64_t>(result.dims.size()) + 1;
            if (axis < 0 || axis > static_cast<std::int64_t>(result.dims.size())) fail(node, "axis out of range");
            result.dims.insert(result.dims.begin() + axis, 1);
          }
        } else {
          Dims kept;
          for (std::size_t i = 0; i < result.dims.size(); ++i) {
            const bool listed = axes.empty() ? result.dims[i] == 1
                                             : std::find(axes.begin(), axes.end(), static_cast<std::int64_t>(i)) != axes.end();
            if (!listed) kept.push_back(result.dims[i]);
          }
          result.dims = kept;
        }
        set_const(out, result);
        return;
      }
      case OpType::cast: {
        ConstTensor result = const_input(node, 0);
        const auto to = node.int_attribute("to", 1);
        if (to == 1 && result.is_int) {
          result.floats.assign(result.ints.begin(), result.ints.end());
          result.ints.clear();
          result.is_int = false;
        } else if ((to == 6 || to == 7) && !result.is_int) {
          for (float f : result.floats) result.ints.push_back(static_cast<std::int64_t>(f));
          result.floats.clear();
          result.is_int = true;
        }
        set_const(out, result);
        return;
      }
      case OpType::slice: {
        const ConstTensor& data = const_input(node, 0);
        if (data.dims.size() != 1) fail(node, "only 1-D Slice of constants is supported");
        Dims starts = node.ints_attribute("starts");
        Dims ends = node.ints_attribute("ends");
        if (node.inputs.size() > 2) {
          starts = const_input(node, 1).ints;
          ends = const_input(node, 2).ints;
        }
        if (starts.size() != 1 || ends.size() != 1) fail(node, "only 1-D Slice of constants is supported");
        const std::int64_t n = data.elements();
        auto clamp_index = [n](std::int64_t i) { return std::clamp(i < 0 ? i + n : i, std::int64_t{0}, n); };
        const std::int64_t begin = clamp_index(starts[0]);
        const std::int64_t end = clamp_index(ends[0]);
        ConstTensor result;
        result.is_int = data.is_int;
        for (std::int64_t i = begin; i < end; ++i) {
          if (data.is_int) result.ints.push_back(data.ints[static_cast<std::size_t>(i)]);
          else result.floats.push_back(data.floats[static_cast<std::size_t>(i)]);
        }
        result.dims = {std::max<std::int64_t>(0, end - begin)};
        set_const(out, result);
        return;
      }
      case OpType::concat: {
        ConstTensor result;
        result.is_int = true;
        for (std::size_t i = 0; i < node.inputs.size(); ++i) {
          const ConstTensor& part = const_input(node, i);
          if (part.dims.size() > 1) fail(node, "only 1-D Concat of constants is supported");
          result.is_int = result.is_int && part.is_int;
          for (std::int64_t k = 0; k < part.elements(); ++k) {
            result.floats.push_back(static_cast<float>(part.value(static_cast<std::size_t>(k))));
            result.ints.push_back(static_cast<std::int64_t>(part.value(static_cast<std::size_t>(k))));
          }
        }
        if (result.is_int) result.floats.clear(); else result.ints.clear();
        result.dims = {static_cast<std::int64_t>(result.is_int ? result.ints.size() : result.floats.size())};
        set_const(out, result);
        return;
      }
      case OpType::add:
      case OpType::sub:
      case OpType::mul:
      case OpType::div: {
        const ConstTensor& a = const_input(node, 0);
        const ConstTensor& b = const_input(node, 1);
        const std::int64_t n = std::max(a.elements(), b.elements());
        if ((a.elements() != n && a.elements() != 1) || (b.elements() != n && b.elements() != 1)) {
          fail(node, "constant operands of different sizes");
        }
        ConstTensor result;
        result.is_int = a.is_int && b.is_int;
        result.dims = a.elements() == n ? a.dims : b.dims;
        for (std::int64_t i = 0; i < n; ++i) {
          const double x = a.value(static_cast<std::size_t>(a.elements() == 1 ? 0 : i));
          const double y = b.value(static_cast<std::size_t>(b.elements() == 1 ? 0 : i));
          double r = node.op == OpType::add ? x + y : node.op == OpType::sub ? x - y : node.op == OpType::mul ? x * y : 0.0;
          if (node.op == OpType::div) {
            if (y == 0.0) fail(node, "division by zero in constants");
            r = result.is_int ? std::floor(x / y) : x / y;
          }
          if (result.is_int) result.ints.push_back(static_cast<std::int64_t>(r));
          else result.floats.push_back(static_cast<float>(r));
        }
        set_const(out, result);
        return;
      }
      case OpType::reshape: {
        ConstTensor result = const_input(node, 0);
        result.dims = target_dims(node, result.dims);
        set_const(out, result);
        return;
      }
      default:
        fail(node, "cannot be computed on constants");
    }
  }

  Dims target_dims(const Node& node, const Dims& from) const {
    const ConstTensor& shape = const_input(node, 1);
    Dims dims;
    std::int64_t known = 1;
    int infer_at = -1;
    for (std::int64_t i = 0; i < shape.elements(); ++i) {
      std::int64_t d = static_cast<std::int64_t>(shape.value(static_cast<std::size_t>(i)));
      if (d == 0) d = static_cast<std::size_t>(i) < from.size() ? from[static_cast<std::size_t>(i)] : 0;
      if (d == -1) {
        if (infer_at >= 0) fail(node, "more than one -1 in the target shape");
        infer_at = static_cast<int>(i);
      } else if (d <= 0) {
        fail(node, "invalid target dimension " + std::to_string(d));
      } else {
        known *= d;
      }
      dims.push_back(d);
    }
    const std::int64_t total = product(from);
    if (infer_at >= 0) {
      if (known == 0 || total % known != 0) fail(node, "cannot infer the -1 dimension");
      dims[static_cast<std::size_t>(infer_at)] = total / known;
    }
    if (product(dims) != total) fail(node, "cannot reshape " + dims_text(from) + " to " + dims_text(dims));
    return dims;
  }

  // ---- image operators

  void convolution(const Node& node) {
    const bool transposed = node.op == OpType::conv_transpose;
    const Value& src = runtime_input(node, 0);
    const ConstTensor& weight = const_input(node, 1);
    const ConstTensor* bias = optional_input(node, 2) ? &const_input(node, 2) : nullptr;
    if (src.dims.size() != 4) fail(node, "input is not 4-D " + dims_text(src.dims));
    if (weight.dims.size() != 4) fail(node, "weights are not 4-D " + dims_text(weight.dims));
    const std::int64_t group = node.int_attribute("group", 1);
    const std::int64_t channels = src.dims[1];
    if (group < 1 || channels % group != 0) fail(node, "group " + std::to_string(group) + " does not divide " + std::to_string(channels) + " channels");
    // ONNX: Conv weights [Cout, Cin/g, kh, kw]; ConvTranspose [Cin, Cout/g, kh, kw].
    const std::int64_t in_per_group = transposed ? weight.dims[0] / group : weight.dims[1];
    if ((transposed ? weight.dims[0] : weight.dims[1] * group) != channels || in_per_group * group != channels) {
      fail(node, "weights " + dims_text(weight.dims) + " expect " +
                     std::to_string(transposed ? weight.dims[0] : weight.dims[1] * group) + " input channels, the input has " +
                     std::to_string(channels));
    }
    const std::int64_t out_channels = transposed ? weight.dims[1] * group : weight.dims[0];
    if (bias != nullptr && bias->elements() != out_channels) {
      fail(node, "bias has " + std::to_string(bias->elements()) + " values for " + std::to_string(out_channels) + " output channels");
    }
    const std::int64_t kh = weight.dims[2];
    const std::int64_t kw = weight.dims[3];
    Dims strides = node.ints_attribute("strides");
    Dims dilations = node.ints_attribute("dilations");
    Dims pads = node.ints_attribute("pads");
    if (strides.empty()) strides = {1, 1};
    if (dilations.empty()) dilations = {1, 1};
    if (pads.empty()) pads = {0, 0, 0, 0};
    const std::string auto_pad = node.string_attribute("auto_pad", "NOTSET");
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const std::int64_t ph = (kh - 1) * dilations[0];
      const std::int64_t pw = (kw - 1) * dilations[1];
      pads = auto_pad == "SAME_UPPER" ? Dims{ph / 2, pw / 2, ph - ph / 2, pw - pw / 2}
                                      : Dims{ph - ph / 2, pw - pw / 2, ph / 2, pw / 2};
    }
    if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4) fail(node, "only 2-D convolutions are supported");
    Dims output_padding = node.ints_attribute("output_padding");
    if (output_padding.empty()) output_padding = {0, 0};

    std::int64_t oh = 0;
    std::int64_t ow = 0;
    if (transposed) {
      oh = (src.dims[2] - 1) * strides[0] - pads[0] - pads[2] + (kh - 1) * dilations[0] + 1 + output_padding[0];
      ow = (src.dims[3] - 1) * strides[1] - pads[1] - pads[3] + (kw - 1) * dilations[1] + 1 + output_padding[1];
    } else {
      oh = (src.dims[2] + pads[0] + pads[2] - (kh - 1) * dilations[0] - 1) / strides[0] + 1;
      ow = (src.dims[3] + pads[1] + pads[3] - (kw - 1) * dilations[1] - 1) / strides[1] + 1;
    }
    if (oh < 1 || ow < 1) fail(node, "the output would be empty for input " + dims_text(src.dims));
    const Dims dst_dims{src.dims[0], out_channels, oh, ow};
    const std::int64_t macs = transposed ? src.dims[0] * src.dims[2] * src.dims[3] * channels * (out_channels / group) * kh * kw
                                         : product(dst_dims) * in_per_group * kh * kw;
    program_.flops += 2.0 * static_cast<double>(macs);

    const memory::dims src_md_dims(src.dims.begin(), src.dims.end());
    const memory::dims dst_md_dims(dst_dims.begin(), dst_dims.end());
    const memory::desc src_any(src_md_dims, memory::data_type::f32, memory::format_tag::any);
    const memory::desc dst_any(dst_md_dims, memory::data_type::f32, memory::format_tag::any);
    memory::dims weight_dims;
    memory::format_tag weight_tag;
    if (group == 1) {
      weight_dims = transposed ? memory::dims{out_channels, channels, kh, kw} : memory::dims{out_channels, channels, kh, kw};
      weight_tag = transposed ? memory::format_tag::iohw : memory::format_tag::oihw;
    } else {
      weight_dims = {group, out_channels / group, channels / group, kh, kw};
      weight_tag = transposed ? memory::format_tag::giohw : memory::format_tag::goihw;
    }
    const memory::desc weights_any(weight_dims, memory::data_type::f32, memory::format_tag::any);
    const memory::desc bias_desc({out_channels}, memory::data_type::f32, memory::format_tag::a);
    const memory::dims stride_dims{strides[0], strides[1]};
    const memory::dims dilation_dims{dilations[0] - 1, dilations[1] - 1};
    const memory::dims pad_l{pads[0], pads[1]};
    const memory::dims pad_r{pads[2] - output_padding[0], pads[3] - output_padding[1]};
    // A primitive built for given attributes and layouts, and what oneDNN chose.
    struct Built {
      dnnl::primitive primitive;
      memory::desc src;
      memory::desc weights;
      memory::desc dst;
      std::string impl;
      bool direct() const { return impl.find("gemm") == std::string::npos && impl.find("ref") == std::string::npos; }
    };
    const auto build = [&](const dnnl::primitive_attr& attributes, const memory::desc& src_desc,
                           const memory::desc& dst_desc) {
      Built built;
      if (transposed) {
        dnnl::deconvolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                                               src_desc, weights_any, bias_desc, dst_desc, stride_dims, dilation_dims,
                                               pad_l, pad_r);
        dnnl::deconvolution_forward::primitive_desc pd(desc, attributes, engine_);
        built = {dnnl::deconvolution_forward(pd), pd.src_desc(), pd.weights_desc(), pd.dst_desc(), pd.impl_info_str()};
      } else {
        dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                             src_desc, weights_any, bias_desc, dst_desc, stride_dims, dilation_dims, pad_l,
                                             pad_r);
        dnnl::convolution_forward::primitive_desc pd(desc, attributes, engine_);
        built = {dnnl::convolution_forward(pd), pd.src_desc(), pd.weights_desc(), pd.dst_desc(), pd.impl_info_str()};
      }
      return built;
    };
    // oneDNN's own layout choice, unless that lands on a GEMM over plain
    // layouts (it does for wide inputs such as RRDB's 192 -> 64, and when some
    // post-ops are attached): then its channel-last direct kernels, which are
    // faster there.
    const memory::desc src_nhwc(src_md_dims, memory::data_type::f32, memory::format_tag::acdb);
    const memory::desc dst_nhwc(dst_md_dims, memory::data_type::f32, memory::format_tag::acdb);
    const auto build_direct = [&](const dnnl::primitive_attr& attributes) {
      try {
        Built chosen = build(attributes, src_any, dst_any);
        if (!chosen.direct()) {
          Built nhwc = build(attributes, src_nhwc, dst_nhwc);
          if (nhwc.direct()) return nhwc;
        }
        return chosen;
      } catch (const dnnl::error& error) {
        fail(node, std::string("oneDNN cannot build it: ") + error.what());
      }
    };
    // The layout this convolution's output takes; a residual operand is
    // brought to it, so that fusing the add does not force a slower kernel.
    const memory::desc preferred_dst = build_direct(dnnl::primitive_attr()).dst;

    // Fuse what follows while each intermediate has this one use.
    dnnl::post_ops post_ops;
    std::vector<std::pair<int, memory>> post_args;
    std::string out_name = node.outputs[0];
    int post_index = 0;
    bool channel_prelu = false;
    for (const Node* next = single_consumer(out_name); next != nullptr; next = single_consumer(out_name)) {
      bool fused = true;
      switch (next->op) {
        case OpType::relu:
          post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
          break;
        case OpType::leaky_relu:
          post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, next->float_attribute("alpha", 0.01f), 0.0f);
          break;
        case OpType::sigmoid:
          post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_logistic, 0.0f, 0.0f);
          break;
        case OpType::tanh:
          post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_tanh, 0.0f, 0.0f);
          break;
        case OpType::clip: {
          const auto [low, high] = clip_bounds(*next);
          post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, low, high);
          break;
        }
        case OpType::prelu: {
          const Value* slope = optional_input(*next, 1);
          if (slope == nullptr || !slope->is_const || slope->constant.is_int) {
            fused = false;
            break;
          }
          if (slope->constant.elements() == 1) {
            post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, slope->constant.floats[0], 0.0f);
            break;
          }
          // Per-channel slopes as a post-op: fast on AVX-512 cores, a
          // reference kernel on others (DESIGN.md); `fuse_prelu_` is turned
          // off and the shape recompiled when oneDNN picks a reference kernel.
          const Dims cd = channel_dims(slope->constant, out_channels);
          if (!fuse_prelu_ || cd.empty()) {
            fused = false;
            break;
          }
          post_ops.append_prelu(1 << 1);
          channel_prelu = true;
          post_args.emplace_back(DNNL_ARG_ATTR_MULTIPLE_POST_OP(post_index) | DNNL_ARG_WEIGHTS,
                                 const_memory(slope->constant, cd));
          break;
        }
        case OpType::mul:
        case OpType::add:
        case OpType::sub: {
          const std::size_t other_index = next->inputs[0] == out_name ? 1 : 0;
          // The other operand must exist before this convolution runs.
          const bool ready = other_index < next->inputs.size() && values_.count(next->inputs[other_index]) > 0;
          const Value* other = ready ? optional_input(*next, other_index) : nullptr;
          if (other == nullptr) {
            fused = false;
            break;
          }
          if (other->is_const) {
            const Dims cd = channel_dims(other->constant, out_channels);
            if (cd.empty() || other->constant.is_int) {
              fused = false;
              break;
            }
            if (next->op == OpType::mul && cd[1] == 1) {
              post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, other->constant.floats[0], 0.0f);
            } else if (next->op == OpType::sub && other_index == 0) {
              fused = false;  // constant - conv: not a post-op shape
            } else {
              const auto alg = next->op == OpType::mul ? dnnl::algorithm::binary_mul
                               : next->op == OpType::add ? dnnl::algorithm::binary_add
                                                         : dnnl::algorithm::binary_sub;
              memory operand = const_memory(other->constant, cd);
              post_ops.append_binary(alg, operand.get_desc());
              post_args.emplace_back(DNNL_ARG_ATTR_MULTIPLE_POST_OP(post_index) | DNNL_ARG_SRC_1, operand);
            }
          } else if (next->op == OpType::add && other->dims == dst_dims) {
            // Residual add: the other tensor is already computed (topological order).
            memory operand = as_layout(other->mem, preferred_dst);
            post_ops.append_binary(dnnl::algorithm::binary_add, preferred_dst);
            post_args.emplace_back(DNNL_ARG_ATTR_MULTIPLE_POST_OP(post_index) | DNNL_ARG_SRC_1, operand);
          } else {
            fused = false;
          }
          break;
        }
        default:
          fused = false;
          break;
      }
      if (!fused) break;
      fused_.insert(next);
      out_name = next->outputs[0];
      ++post_index;
    }

    dnnl::primitive_attr attr;
    attr.set_post_ops(post_ops);

    const Built built = build_direct(attr);
    const dnnl::primitive primitive = built.primitive;
    const memory::desc& pd_src = built.src;
    const memory::desc& pd_weights = built.weights;
    const memory::desc& pd_dst = built.dst;
    const std::string& impl = built.impl;
    program_.implementations.push_back(node.name + ": " + impl);
    if (impl.find("ref") != std::string::npos && channel_prelu) throw ReferenceKernel();
    if (impl.find("ref") != std::string::npos) {
      spdlog::warn("{}: oneDNN chose a reference kernel ({}); this layer will be slow", node.describe(), impl);
    }

    // Weights and bias: reordered once, now.
    memory user_weights = const_memory(weight, Dims(weight_dims.begin(), weight_dims.end()));
    user_weights = memory(memory::desc(weight_dims, memory::data_type::f32, weight_tag), engine_, user_weights.get_data_handle());
    memory weights = new_memory(pd_weights);
    {
      dnnl::stream stream(engine_);
      dnnl::reorder(user_weights, weights).execute(stream, user_weights, weights);
      stream.wait();
    }
    program_.keep.push_back(weights);
    ConstTensor zero;
    zero.dims = {out_channels};
    zero.floats.assign(static_cast<std::size_t>(out_channels), 0.0f);
    memory bias_mem = const_memory(bias != nullptr ? *bias : zero, {out_channels});

    memory src_mem = as_layout(src.mem, pd_src);
    memory dst_mem = new_memory(pd_dst);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src_mem},
                                         {DNNL_ARG_WEIGHTS, weights},
                                         {DNNL_ARG_BIAS, bias_mem},
                                         {DNNL_ARG_DST, dst_mem}};
    for (auto& [key, mem] : post_args) args[key] = mem;
    program_.steps.push_back([primitive, args](dnnl::stream& stream) { primitive.execute(stream, args); });
    set_runtime(out_name, dst_dims, dst_mem);
  }

  std::pair<float, float> clip_bounds(const Node& node) const {
    float low = node.float_attribute("min", -3.4e38f);
    float high = node.float_attribute("max", 3.4e38f);
    if (const Value* v = optional_input(node, 1); v != nullptr && v->is_const && v->constant.elements() == 1) {
      low = static_cast<float>(v->constant.value(0));
    }
    if (const Value* v = optional_input(node, 2); v != nullptr && v->is_const && v->constant.elements() == 1) {
      high = static_cast<float>(v->constant.value(0));
    }
    return {low, high};
  }

  // Destination for an element-wise step: in place when the input has no other use.
  memory output_for(const Node& node, const Value& input) {
    if (uses_.at(node.inputs[0]) == 1 && node.inputs[0] != graph_.input) return input.mem;
    return new_memory(input.mem.get_desc());
  }

  void eltwise(const Node& node) {
    const Value& src = runtime_input(node, 0);
    dnnl::algorithm alg = dnnl::algorithm::eltwise_relu;
    float alpha = 0.0f;
    float beta = 0.0f;
    switch (node.op) {
      case OpType::leaky_relu:
        alpha = node.float_attribute("alpha", 0.01f);
        break;
      case OpType::sigmoid:
        alg = dnnl::algorithm::eltwise_logistic;
        break;
      case OpType::tanh:
        alg = dnnl::algorithm::eltwise_tanh;
        break;
      case OpType::clip:
        alg = dnnl::algorithm::eltwise_clip;
        std::tie(alpha, beta) = clip_bounds(node);
        break;
      default:
        break;
    }
    dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, alg, src.mem.get_desc(), alpha, beta);
    dnnl::eltwise_forward primitive(dnnl::eltwise_forward::primitive_desc(desc, engine_));
    memory in = src.mem;
    memory out = output_for(node, src);
    program_.steps.push_back([primitive, in, out](dnnl::stream& stream) {
      primitive.execute(stream, {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, out}});
    });
    set_runtime(node.outputs[0], src.dims, out);
  }

  void prelu(const Node& node) {
    const Value& src = runtime_input(node, 0);
    const ConstTensor& slope = const_input(node, 1);
    if (src.dims.size() != 4) fail(node, "input is not 4-D");
    const Dims cd = channel_dims(slope, src.dims[1]);
    if (cd.empty() || slope.is_int) {
      fail(node, "inconsistent PRelu slopes: " + std::to_string(slope.elements()) + " slopes " + dims_text(slope.dims) +
                     " for " + std::to_string(src.dims[1]) + " channels");
    }
    memory weights = const_memory(slope, cd);
    dnnl::prelu_forward::desc desc(dnnl::prop_kind::forward_inference, src.mem.get_desc(), weights.get_desc());
    dnnl::prelu_forward::primitive_desc pd(desc, engine_);
    const std::string impl = pd.impl_info_str();
    memory in = src.mem;
    memory out = output_for(node, src);
    if (impl.find("ref") != std::string::npos) {
      // oneDNN 2.6 has no JIT PReLU below AVX-512: the reference kernel
      // would cost more than the convolutions. Ours, where the layout is one
      // it knows.
      if (const auto layout = channel_layout(in.get_desc(), src.dims)) {
        std::vector<float> slopes(static_cast<std::size_t>(src.dims[1]));
        for (std::size_t c = 0; c < slopes.size(); ++c) {
          slopes[c] = static_cast<float>(slope.value(slope.elements() == 1 ? 0 : c));
        }
        program_.implementations.push_back("prelu:restore4k (oneDNN offers " + impl + ")");
        program_.steps.push_back([in, out, slopes, layout = *layout](dnnl::stream&) {
          prelu_per_channel(static_cast<const float*>(in.get_data_handle()), static_cast<float*>(out.get_data_handle()),
                            slopes.data(), layout);
        });
        set_runtime(node.outputs[0], src.dims, out);
        return;
      }
      spdlog::debug("{}: PReLU uses {}", node.describe(), impl);
    }
    dnnl::prelu_forward primitive(pd);
    program_.steps.push_back([primitive, in, weights, out](dnnl::stream& stream) {
      primitive.execute(stream, {{DNNL_ARG_SRC, in}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, out}});
    });
    set_runtime(node.outputs[0], src.dims, out);
  }

  void binary(const Node& node) {
    const Value& a = value(node.inputs.at(0), &node);
    const Value& b = value(node.inputs.at(1), &node);
    const auto alg = node.op == OpType::add ? dnnl::algorithm::binary_add
                     : node.op == OpType::sub ? dnnl::algorithm::binary_sub
                     : node.op == OpType::mul ? dnnl::algorithm::binary_mul
                                              : dnnl::algorithm::binary_div;
    memory src0;
    memory src1;
    Dims dims;
    if (!a.is_const && !b.is_const) {
      if (a.dims != b.dims) fail(node, "operands " + dims_text(a.dims) + " and " + dims_text(b.dims) + " differ");
      dims = a.dims;
      src0 = a.mem;
      src1 = as_layout(b.mem, a.mem.get_desc());
    } else {
      const Value& runtime = a.is_const ? b : a;
      const Value& constant = a.is_const ? a : b;
      if (runtime.dims.size() != 4) fail(node, "only 4-D image tensors are supported");
      const Dims cd = channel_dims(constant.constant, runtime.dims[1]);
      if (cd.empty() || constant.constant.is_int) {
        fail(node, "constant " + dims_text(constant.constant.dims) + " does not broadcast over " + dims_text(runtime.dims));
      }
      dims = runtime.dims;
      memory c = const_memory(constant.constant, cd);
      if (a.is_const) {
        // constant (op) tensor: only add and mul commute.
        if (alg != dnnl::algorithm::binary_add && alg != dnnl::algorithm::binary_mul) {
          // c - x and c / x: reorder into a broadcast-free form is not needed by SR graphs.
          fail(node, "a constant on the left of " + node.type + " is not supported");
        }
      }
      src0 = runtime.mem;
      src1 = c;
    }
    dnnl::binary::desc desc(alg, src0.get_desc(), src1.get_desc(), src0.get_desc());
    dnnl::binary primitive(dnnl::binary::primitive_desc(desc, engine_));
    memory out = new_memory(src0.get_desc());
    program_.steps.push_back([primitive, src0, src1, out](dnnl::stream& stream) {
      primitive.execute(stream, {{DNNL_ARG_SRC_0, src0}, {DNNL_ARG_SRC_1, src1}, {DNNL_ARG_DST, out}});
    });
    set_runtime(node.outputs[0], dims, out);
  }

  void concat(const Node& node) {
    std::int64_t axis = node.int_attribute("axis", 1);
    std::vector<memory::desc> descs;
    std::vector<memory> sources;
    Dims dims;
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
      const Value& v = runtime_input(node, i);
      if (axis < 0) axis += static_cast<std::int64_t>(v.dims.size());
      if (dims.empty()) {
        dims = v.dims;
      } else {
        for (std::size_t d = 0; d < dims.size(); ++d) {
          if (static_cast<std::int64_t>(d) != axis && dims[d] != v.dims[d]) fail(node, "inputs differ outside the concatenation axis");
        }
        dims[static_cast<std::size_t>(axis)] += v.dims[static_cast<std::size_t>(axis)];
      }
      // Channel-last for 4-D tensors: the layout the convolutions that read
      // dense-block concatenations prefer, and a strided copy for oneDNN's
      // simple concat (mixed layouts would get its reference kernel).
      memory source = v.dims.size() == 4 ? as_layout(v.mem, memory::desc(memory::dims(v.dims.begin(), v.dims.end()),
                                                                          memory::data_type::f32,
                                                                          memory::format_tag::acdb))
                                         : v.mem;
      descs.push_back(source.get_desc());
      sources.push_back(source);
    }
    const dnnl::concat::primitive_desc pd =
        dims.size() == 4 ? dnnl::concat::primitive_desc(memory::desc(memory::dims(dims.begin(), dims.end()),
                                                                     memory::data_type::f32, memory::format_tag::acdb),
                                                        static_cast<int>(axis), descs, engine_)
                         : dnnl::concat::primitive_desc(static_cast<int>(axis), descs, engine_);
    dnnl::concat primitive(pd);
    memory out = new_memory(pd.dst_desc());
    std::unordered_map<int, memory> args{{DNNL_ARG_DST, out}};
    for (std::size_t i = 0; i < sources.size(); ++i) args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = sources[i];
    program_.steps.push_back([primitive, args](dnnl::stream& stream) { primitive.execute(stream, args); });
    set_runtime(node.outputs[0], dims, out);
  }

  // Permutes plain data: out[..] = in[perm..]; the generic kernel behind
  // DepthToSpace and the Reshape-Transpose-Reshape pixel shuffle.
  void permute(const Node& node, const memory& in, const Dims& in_dims, const Dims& perm, const std::string& out_name,
               const Dims& final_dims) {
    const std::size_t rank = in_dims.size();
    Dims out_dims(rank);
    for (std::size_t i = 0; i < rank; ++i) {
      if (perm[i] < 0 || perm[i] >= static_cast<std::int64_t>(rank)) fail(node, "invalid permutation");
      out_dims[i] = in_dims[static_cast<std::size_t>(perm[i])];
    }
    Dims in_strides(rank, 1);
    for (std::size_t i = rank - 1; i > 0; --i) in_strides[i - 1] = in_strides[i] * in_dims[i];
    Dims strides(rank);  // input stride for each output axis
    for (std::size_t i = 0; i < rank; ++i) strides[i] = in_strides[static_cast<std::size_t>(perm[i])];
    memory out = new_memory(plain_desc(final_dims.empty() ? out_dims : final_dims));
    program_.steps.push_back([in, out, out_dims, strides](dnnl::stream& stream) {
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
    });
    set_runtime(out_name, final_dims.empty() ? out_dims : final_dims, out);
  }

  memory plain(const Value& v) { return as_layout(v.mem, plain_desc(v.dims)); }

  void depth_to_space(const Node& node) {
    const Value& src = runtime_input(node, 0);
    if (src.dims.size() != 4) fail(node, "input is not 4-D");
    const std::int64_t s = node.int_attribute("blocksize", 0);
    const std::int64_t n = src.dims[0];
    const std::int64_t c = src.dims[1];
    if (s < 1 || c % (s * s) != 0) fail(node, "blocksize " + std::to_string(s) + " does not divide " + std::to_string(c) + " channels");
    const std::int64_t oc = c / (s * s);
    const std::int64_t h = src.dims[2];
    const std::int64_t w = src.dims[3];
    const bool crd = node.string_attribute("mode", "DCR") == "CRD";
    // out[n][c][y*s + dy][x*s + dx] = in[n][channel(c, dy, dx)][y][x], one
    // output row at a time: a straight pass over the data.
    memory in = plain(src);
    const Dims out_dims{n, oc, h * s, w * s};
    memory out = new_memory(plain_desc(out_dims));
    program_.steps.push_back([in, out, n, oc, h, w, s, crd](dnnl::stream& stream) {
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
    });
    set_runtime(node.outputs[0], out_dims, out);
  }

  void reshape(const Node& node) {
    const Value& src = runtime_input(node, 0);
    const Dims dims = target_dims(node, src.dims);
    memory data = plain(src);
    if (data.get() == program_.input.get()) {
      // The input's buffer changes every run; a view must not keep this one.
      memory copy = new_memory(data.get_desc());
      dnnl::reorder reorder(data, copy);
      program_.steps.push_back([reorder, data, copy](dnnl::stream& stream) mutable {
        reorder.execute(stream, const_cast<memory&>(data), copy);
      });
      data = copy;
    }
    set_runtime(node.outputs[0], dims, memory(plain_desc(dims), engine_, data.get_data_handle()));
    keep_alive_.push_back(data);
  }

  void transpose(const Node& node) {
    const Value& src = runtime_input(node, 0);
    Dims perm = node.ints_attribute("perm");
    if (perm.empty()) {
      for (std::size_t i = src.dims.size(); i-- > 0;) perm.push_back(static_cast<std::int64_t>(i));
    }
    if (perm.size() != src.dims.size()) fail(node, "permutation rank differs from the input's");
    permute(node, plain(src), src.dims, perm, node.outputs[0], {});
  }

  void resize(const Node& node) {
    const Value& src = runtime_input(node, 0);
    if (src.dims.size() != 4) fail(node, "input is not 4-D");
    Dims out_dims = src.dims;
    // Upsample(X, scales); Resize-10(X, scales); Resize-11+(X, roi, scales, sizes).
    const ConstTensor* scales = nullptr;
    const ConstTensor* sizes = nullptr;
    if (node.type == "Upsample" || node.inputs.size() == 2) {
      scales = &const_input(node, 1);
    } else {
      if (optional_input(node, 2) != nullptr && const_input(node, 2).elements() > 0) scales = &const_input(node, 2);
      if (optional_input(node, 3) != nullptr && const_input(node, 3).elements() > 0) sizes = &const_input(node, 3);
    }
    if (sizes != nullptr && sizes->elements() == 4) {
      for (std::size_t i = 0; i < 4; ++i) out_dims[i] = static_cast<std::int64_t>(sizes->value(i));
    } else if (scales != nullptr && scales->elements() == 4) {
      for (std::size_t i = 0; i < 4; ++i) out_dims[i] = static_cast<std::int64_t>(std::floor(static_cast<double>(src.dims[i]) * scales->value(i)));
    } else {
      fail(node, "needs 4 scales or 4 sizes");
    }
    if (out_dims[0] != src.dims[0] || out_dims[1] != src.dims[1]) fail(node, "only spatial resizing is supported");
    const std::string mode = node.string_attribute("mode", "nearest");
    const std::string transform = node.string_attribute("coordinate_transformation_mode", "half_pixel");
    dnnl::algorithm alg;
    if (mode == "nearest") {
      const bool integer = out_dims[2] % src.dims[2] == 0 && out_dims[3] % src.dims[3] == 0;
      if (!integer) fail(node, "nearest resizing by a non-integer factor is not supported");
      if (transform == "align_corners") fail(node, "align_corners is not supported");
      alg = dnnl::algorithm::resampling_nearest;
    } else if (mode == "linear" || mode == "bilinear") {
      if (transform != "half_pixel" && transform != "pytorch_half_pixel") {
        fail(node, "linear resizing with coordinate_transformation_mode '" + transform + "' is not supported");
      }
      alg = dnnl::algorithm::resampling_linear;
    } else {
      fail(node, "resize mode '" + mode + "' is not supported");
    }
    const memory::desc dst_desc(memory::dims(out_dims.begin(), out_dims.end()), memory::data_type::f32, memory::format_tag::any);
    dnnl::resampling_forward::desc desc(dnnl::prop_kind::forward_inference, alg, src.mem.get_desc(), dst_desc);
    dnnl::resampling_forward::primitive_desc pd(desc, engine_);
    dnnl::resampling_forward primitive(pd);
    memory in = src.mem;
    memory out = new_memory(pd.dst_desc());
    program_.steps.push_back([primitive, in, out](dnnl::stream& stream) {
      primitive.execute(stream, {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, out}});
    });
    set_runtime(node.outputs[0], out_dims, out);
  }

  const Graph& graph_;
  const dnnl::engine& engine_;
  OneDnnEngine::Program& program_;
  bool fuse_prelu_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> uses_;
  std::map<std::string, std::vector<const Node*>> consumers_;
  std::set<const Node*> fused_;
  std::vector<memory> keep_alive_;
};

}  // namespace

OneDnnEngine::OneDnnEngine(ModelInfo info, Graph graph, int threads)
    : Engine(std::move(info)), graph_(std::move(graph)), threads_(threads), context_(std::make_unique<Context>()) {
  // Compile for a small shape now, so unsupported graphs fail at load time.
  const int channels = graph_.input_dims.size() == 4 && graph_.input_dims[1] > 0 ? static_cast<int>(graph_.input_dims[1]) : 3;
  const int h = graph_.input_dims.size() == 4 && graph_.input_dims[2] > 0 ? static_cast<int>(graph_.input_dims[2]) : 16;
  const int w = graph_.input_dims.size() == 4 && graph_.input_dims[3] > 0 ? static_cast<int>(graph_.input_dims[3]) : 16;
  program({1, channels, h, w});
}

OneDnnEngine::~OneDnnEngine() = default;

OneDnnEngine::Program& OneDnnEngine::program(const TensorShape& shape) {
  const auto key = std::make_tuple(shape.n, shape.c, shape.h, shape.w);
  auto found = programs_.find(key);
  if (found != programs_.end()) return *found->second;
  auto compiled = std::make_unique<Program>();
  try {
    try {
      Compiler(graph_, context_->engine, *compiled, fuse_channel_prelu_).compile(shape);
    } catch (const ReferenceKernel&) {
      spdlog::debug("onednn: fused per-channel PReLU gives a reference kernel here; keeping it separate");
      fuse_channel_prelu_ = false;
      compiled = std::make_unique<Program>();
      Compiler(graph_, context_->engine, *compiled, false).compile(shape);
    }
  } catch (const dnnl::error& error) {
    throw InputError("ONNX model '" + graph_.source + "': oneDNN failed for input " + shape.to_string() + ": " + error.what());
  }
  return *programs_.emplace(key, std::move(compiled)).first->second;
}

void OneDnnEngine::run(const Tensor& input, Tensor& output) {
  Program& compiled = program(input.shape());
  if (threads_ > 0) omp_set_num_threads(threads_);
  // Deep activation stacks can decay into denormals: flush them in every
  // thread that runs kernels.
#pragma omp parallel
  { _mm_setcsr(_mm_getcsr() | 0x8040); }
  output.resize(compiled.output_shape);
  compiled.input.set_data_handle(const_cast<float*>(input.data()));
  compiled.output.set_data_handle(output.data());
  dnnl::stream& stream = context_->stream;
  for (auto& step : compiled.steps) step(stream);
  compiled.output_step(stream);
  stream.wait();
}

double OneDnnEngine::flops_per_pixel(const TensorShape& shape) {
  return program(shape).flops / (static_cast<double>(shape.n) * shape.h * shape.w);
}

std::vector<std::string> OneDnnEngine::implementations(const TensorShape& shape) {
  return program(shape).implementations;
}

}  // namespace r4k::infer
