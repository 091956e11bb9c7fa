#include "onnx_graph_builder.hpp"

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace r4k::testing {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("onnx_graph_builder: " + what);
}

void fill_value_info(onnx::ValueInfoProto* vi, const std::string& name, const std::vector<Dim>& dims) {
  vi->set_name(name);
  auto* tensor = vi->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto_DataType_FLOAT);
  auto* shape = tensor->mutable_shape();
  for (const auto& d : dims) {
    auto* dim = shape->add_dim();
    if (d.value > 0) {
      dim->set_dim_value(d.value);
    } else {
      dim->set_dim_param(d.param);
    }
  }
}

// raw_data is little-endian by spec and is what PyTorch writes; big-endian
// hosts fall back to the typed repeated field.
template <typename T>
void fill_tensor(onnx::TensorProto* t, const std::string& name, int data_type,
                 const std::vector<std::int64_t>& dims, const std::vector<T>& values) {
  t->set_name(name);
  t->set_data_type(data_type);
  for (auto d : dims) t->add_dims(d);
  if constexpr (std::endian::native == std::endian::little) {
    std::string raw(values.size() * sizeof(T), '\0');
    if (!values.empty()) std::memcpy(raw.data(), values.data(), raw.size());
    t->set_raw_data(std::move(raw));
  } else if constexpr (std::is_same_v<T, float>) {
    for (float v : values) t->add_float_data(v);
  } else {
    for (std::int64_t v : values) t->add_int64_data(v);
  }
}

void require_positive(std::int64_t value, const char* what) {
  if (value < 1) fail(std::string(what) + " must be >= 1, got " + std::to_string(value));
}

}  // namespace

Dim fixed_dim(std::int64_t value) { return Dim{value, {}}; }
Dim symbolic_dim(std::string name) { return Dim{0, std::move(name)}; }

std::vector<Dim> dynamic_nchw(std::int64_t channels, const std::string& height, const std::string& width) {
  return {symbolic_dim("batch"), fixed_dim(channels), symbolic_dim(height), symbolic_dim(width)};
}

std::vector<Dim> fixed_nchw(std::int64_t channels, std::int64_t height, std::int64_t width) {
  return {fixed_dim(1), fixed_dim(channels), fixed_dim(height), fixed_dim(width)};
}

GraphBuilder::GraphBuilder(int opset, std::uint32_t seed, const std::string& graph_name)
    : opset_(opset), rng_(seed) {
  if (opset < kMinBuilderOpset || opset > kMaxBuilderOpset) {
    fail("opset " + std::to_string(opset) + " outside supported range [" +
         std::to_string(kMinBuilderOpset) + ", " + std::to_string(kMaxBuilderOpset) + "]");
  }
  // IR 7 is what exporters pair with opsets <= 13 (ONNX 1.8); 14+ came with IR 8.
  model_.set_ir_version(opset <= 13 ? 7 : 8);
  model_.set_producer_name("restore4k-tests");
  model_.set_producer_version("1");
  auto* op = model_.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  model_.mutable_graph()->set_name(graph_name);
}

void GraphBuilder::add_input(const std::string& name, const std::vector<Dim>& dims) {
  fill_value_info(graph().add_input(), name, dims);
}

void GraphBuilder::add_output(const std::string& name, const std::vector<Dim>& dims) {
  fill_value_info(graph().add_output(), name, dims);
}

onnx::NodeProto* GraphBuilder::add_node(const std::string& op_type, const std::string& name,
                                        const std::vector<std::string>& inputs,
                                        const std::vector<std::string>& outputs) {
  auto* node = graph().add_node();
  node->set_op_type(op_type);
  node->set_name(name);
  for (const auto& in : inputs) node->add_input(in);
  for (const auto& out : outputs) node->add_output(out);
  return node;
}

void GraphBuilder::add_initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                                   const std::vector<float>& values) {
  fill_tensor(graph().add_initializer(), name, onnx::TensorProto_DataType_FLOAT, dims, values);
}

void GraphBuilder::add_int64_initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                                         const std::vector<std::int64_t>& values) {
  fill_tensor(graph().add_initializer(), name, onnx::TensorProto_DataType_INT64, dims, values);
}

std::string GraphBuilder::scalar_initializer(const std::string& name, float value) {
  add_initializer(name, {}, {value});
  return name;
}

std::string GraphBuilder::channel_initializer(const std::string& name, const std::vector<float>& values) {
  add_initializer(name, {1, static_cast<std::int64_t>(values.size()), 1, 1}, values);
  return name;
}

std::vector<float> GraphBuilder::uniform_values(std::size_t n, double lo, double hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = next_uniform(lo, hi);
  return v;
}

// Uniform in [lo, hi) from the top 24 bits of one mt19937 draw (exact in float).
float GraphBuilder::next_uniform(double lo, double hi) {
  const double u = static_cast<double>(rng_() >> 8) / 16777216.0;
  return static_cast<float>(lo + (hi - lo) * u);
}

std::string GraphBuilder::constant(const std::string& name, const std::vector<std::int64_t>& dims,
                                   const std::vector<float>& values) {
  auto* node = add_node("Constant", name, {}, {name});
  auto* a = node->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto_AttributeType_TENSOR);
  fill_tensor(a->mutable_t(), "", onnx::TensorProto_DataType_FLOAT, dims, values);
  return name;
}

std::string GraphBuilder::constant_int64(const std::string& name, const std::vector<std::int64_t>& dims,
                                         const std::vector<std::int64_t>& values) {
  auto* node = add_node("Constant", name, {}, {name});
  auto* a = node->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto_AttributeType_TENSOR);
  fill_tensor(a->mutable_t(), "", onnx::TensorProto_DataType_INT64, dims, values);
  return name;
}

void GraphBuilder::set_int(onnx::NodeProto* node, const std::string& name, std::int64_t value) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_INT);
  a->set_i(value);
}

void GraphBuilder::set_ints(onnx::NodeProto* node, const std::string& name,
                            const std::vector<std::int64_t>& values) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_INTS);
  for (auto v : values) a->add_ints(v);
}

void GraphBuilder::set_float(onnx::NodeProto* node, const std::string& name, float value) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_FLOAT);
  a->set_f(value);
}

void GraphBuilder::set_floats(onnx::NodeProto* node, const std::string& name,
                              const std::vector<float>& values) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_FLOATS);
  for (auto v : values) a->add_floats(v);
}

void GraphBuilder::set_string(onnx::NodeProto* node, const std::string& name, const std::string& value) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_STRING);
  a->set_s(value);
}

std::string GraphBuilder::conv(const std::string& x, int cin, int cout, int k, const std::string& name,
                               double gain) {
  require_positive(cin, "conv cin");
  require_positive(cout, "conv cout");
  require_positive(k, "conv kernel");
  const std::int64_t fan_in = std::int64_t{cin} * k * k;
  const double w_bound = gain * std::sqrt(3.0 / static_cast<double>(fan_in));
  const double b_bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  const std::string w_name = name + ".weight";
  const std::string b_name = name + ".bias";
  add_initializer(w_name, {cout, cin, k, k},
                  uniform_values(static_cast<std::size_t>(fan_in * cout), -w_bound, w_bound));
  add_initializer(b_name, {cout}, uniform_values(static_cast<std::size_t>(cout), -b_bound, b_bound));
  const std::string out = name + "_out";
  auto* node = add_node("Conv", name, {x, w_name, b_name}, {out});
  const std::int64_t p = k / 2;
  set_ints(node, "dilations", {1, 1});
  set_int(node, "group", 1);
  set_ints(node, "kernel_shape", {k, k});
  set_ints(node, "pads", {p, p, p, p});
  set_ints(node, "strides", {1, 1});
  return out;
}

void GraphBuilder::conv_with_weights(const std::string& x, int cin, int cout, int k, const std::string& name,
                                     const std::vector<float>& weights, const std::vector<float>& bias,
                                     const std::string& out) {
  add_initializer(name + ".weight", {cout, cin, k, k}, weights);
  add_initializer(name + ".bias", {cout}, bias);
  auto* node = add_node("Conv", name, {x, name + ".weight", name + ".bias"}, {out});
  const std::int64_t p = k / 2;
  set_ints(node, "kernel_shape", {k, k});
  set_ints(node, "pads", {p, p, p, p});
}

std::string GraphBuilder::conv_transpose(const std::string& x, int cin, int cout, int k, int stride,
                                         const std::vector<std::int64_t>& pads,
                                         const std::vector<std::int64_t>& output_padding,
                                         const std::string& name, double gain) {
  require_positive(cin, "conv_transpose cin");
  require_positive(cout, "conv_transpose cout");
  require_positive(k, "conv_transpose kernel");
  require_positive(stride, "conv_transpose stride");
  if (pads.size() != 4) fail("conv_transpose pads needs 4 values, got " + std::to_string(pads.size()));
  if (output_padding.size() != 2) {
    fail("conv_transpose output_padding needs 2 values, got " + std::to_string(output_padding.size()));
  }
  for (auto op : output_padding) {
    // ONNX (like PyTorch) requires output_padding < stride.
    if (op < 0 || op >= stride) fail("conv_transpose output_padding must be in [0, stride)");
  }
  // PyTorch's ConvTranspose2d init draws from fan_in = weight.size(1) * k * k,
  // i.e. the output channels of the [cin, cout, k, k] weight.
  const std::int64_t fan_in = std::int64_t{cout} * k * k;
  const double w_bound = gain * std::sqrt(3.0 / static_cast<double>(fan_in));
  const double b_bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  const std::string w_name = name + ".weight";
  const std::string b_name = name + ".bias";
  add_initializer(w_name, {cin, cout, k, k},
                  uniform_values(static_cast<std::size_t>(std::int64_t{cin} * cout * k * k), -w_bound, w_bound));
  add_initializer(b_name, {cout}, uniform_values(static_cast<std::size_t>(cout), -b_bound, b_bound));
  const std::string out = name + "_out";
  auto* node = add_node("ConvTranspose", name, {x, w_name, b_name}, {out});
  set_ints(node, "dilations", {1, 1});
  set_int(node, "group", 1);
  set_ints(node, "kernel_shape", {k, k});
  // PyTorch writes output_padding only when it is not all zeros.
  if (output_padding[0] != 0 || output_padding[1] != 0) set_ints(node, "output_padding", output_padding);
  set_ints(node, "pads", pads);
  set_ints(node, "strides", {stride, stride});
  return out;
}

std::string GraphBuilder::prelu(const std::string& x, int channels, const std::string& name) {
  const std::string slope = name + ".weight";
  add_initializer(slope, {channels, 1, 1}, uniform_values(static_cast<std::size_t>(channels), 0.05, 0.3));
  const std::string out = name + "_out";
  add_node("PRelu", name, {x, slope}, {out});
  return out;
}

std::string GraphBuilder::leaky_relu(const std::string& x, float alpha, const std::string& name) {
  const std::string out = name + "_out";
  set_float(add_node("LeakyRelu", name, {x}, {out}), "alpha", alpha);
  return out;
}

std::string GraphBuilder::relu(const std::string& x, const std::string& name) {
  const std::string out = name + "_out";
  add_node("Relu", name, {x}, {out});
  return out;
}

std::string GraphBuilder::sigmoid(const std::string& x, const std::string& name) {
  const std::string out = name + "_out";
  add_node("Sigmoid", name, {x}, {out});
  return out;
}

std::string GraphBuilder::tanh(const std::string& x, const std::string& name) {
  const std::string out = name + "_out";
  add_node("Tanh", name, {x}, {out});
  return out;
}

std::string GraphBuilder::binary(const std::string& op_type, const std::string& a, const std::string& b,
                                 const std::string& name) {
  const std::string out = name + "_out";
  add_node(op_type, name, {a, b}, {out});
  return out;
}

std::string GraphBuilder::add(const std::string& a, const std::string& b, const std::string& name) {
  return binary("Add", a, b, name);
}
std::string GraphBuilder::sub(const std::string& a, const std::string& b, const std::string& name) {
  return binary("Sub", a, b, name);
}
std::string GraphBuilder::mul(const std::string& a, const std::string& b, const std::string& name) {
  return binary("Mul", a, b, name);
}

std::string GraphBuilder::add_scalar(const std::string& x, float value, const std::string& name) {
  return binary("Add", x, scalar_initializer(name + ".value", value), name);
}
std::string GraphBuilder::sub_scalar(const std::string& x, float value, const std::string& name) {
  return binary("Sub", x, scalar_initializer(name + ".value", value), name);
}
std::string GraphBuilder::mul_scalar(const std::string& x, float value, const std::string& name) {
  return binary("Mul", x, scalar_initializer(name + ".value", value), name);
}

std::string GraphBuilder::add_channels(const std::string& x, const std::vector<float>& values,
                                       const std::string& name) {
  return binary("Add", x, channel_initializer(name + ".value", values), name);
}
std::string GraphBuilder::sub_channels(const std::string& x, const std::vector<float>& values,
                                       const std::string& name) {
  return binary("Sub", x, channel_initializer(name + ".value", values), name);
}
std::string GraphBuilder::mul_channels(const std::string& x, const std::vector<float>& values,
                                       const std::string& name) {
  return binary("Mul", x, channel_initializer(name + ".value", values), name);
}

std::string GraphBuilder::concat(const std::vector<std::string>& inputs, const std::string& name,
                                 std::int64_t axis) {
  if (inputs.empty()) fail("concat needs at least one input");
  const std::string out = name + "_out";
  set_int(add_node("Concat", name, inputs, {out}), "axis", axis);
  return out;
}

std::string GraphBuilder::depth_to_space(const std::string& x, int block, const std::string& name,
                                         const std::string& out) {
  auto* node = add_node("DepthToSpace", name, {x}, {out});
  set_int(node, "blocksize", block);
  set_string(node, "mode", "CRD");
  return out;
}

// roi is given as an empty float initializer rather than an empty input name:
// the name-omitted form is only legal from opset 13, and an initializer is
// accepted by every consumer we target.
std::string GraphBuilder::resize_nearest(const std::string& x, int scale, const std::string& name) {
  const std::string roi = name + ".roi";
  const std::string scales = name + ".scales";
  add_initializer(roi, {0}, {});
  const auto s = static_cast<float>(scale);
  add_initializer(scales, {4}, {1.0f, 1.0f, s, s});
  const std::string out = name + "_out";
  auto* node = add_node("Resize", name, {x, roi, scales}, {out});
  set_string(node, "coordinate_transformation_mode", "asymmetric");
  set_string(node, "mode", "nearest");
  set_string(node, "nearest_mode", "floor");
  return out;
}

std::string GraphBuilder::reshape(const std::string& x, const std::string& shape_name, const std::string& name) {
  const std::string out = name + "_out";
  add_node("Reshape", name, {x, shape_name}, {out});
  return out;
}

std::string GraphBuilder::transpose(const std::string& x, const std::vector<std::int64_t>& perm,
                                    const std::string& name) {
  const std::string out = name + "_out";
  set_ints(add_node("Transpose", name, {x}, {out}), "perm", perm);
  return out;
}

std::string GraphBuilder::shape(const std::string& x, const std::string& name) {
  const std::string out = name + "_out";
  add_node("Shape", name, {x}, {out});
  return out;
}

std::string GraphBuilder::gather(const std::string& x, const std::string& indices, std::int64_t axis,
                                 const std::string& name) {
  const std::string out = name + "_out";
  set_int(add_node("Gather", name, {x, indices}, {out}), "axis", axis);
  return out;
}

std::string GraphBuilder::unsqueeze(const std::string& x, const std::vector<std::int64_t>& axes,
                                    const std::string& name) {
  const std::string out = name + "_out";
  if (opset_ < 13) {
    set_ints(add_node("Unsqueeze", name, {x}, {out}), "axes", axes);
  } else {
    const std::string axes_name =
        constant_int64(name + ".axes", {static_cast<std::int64_t>(axes.size())}, axes);
    add_node("Unsqueeze", name, {x, axes_name}, {out});
  }
  return out;
}

std::string GraphBuilder::pixel_shuffle_static(const std::string& x, int channels, int scale,
                                               std::int64_t height, std::int64_t width, const std::string& name,
                                               const std::string& out) {
  require_positive(channels, "pixel_shuffle channels");
  require_positive(scale, "pixel_shuffle scale");
  require_positive(height, "pixel_shuffle height");
  require_positive(width, "pixel_shuffle width");
  const std::int64_t c = channels;
  const std::int64_t s = scale;
  const std::string shape6 = name + ".shape6";
  const std::string shape4 = name + ".shape4";
  add_int64_initializer(shape6, {6}, {1, c, s, s, height, width});
  add_int64_initializer(shape4, {4}, {1, c, height * s, width * s});
  const std::string r = reshape(x, shape6, name + "_reshape6");
  const std::string t = transpose(r, {0, 1, 4, 2, 5, 3}, name + "_transpose");
  add_node("Reshape", name + "_reshape4", {t, shape4}, {out});
  return out;
}

std::string GraphBuilder::pixel_shuffle_shape_driven(const std::string& x, int channels, int scale,
                                                     const std::string& name, const std::string& out) {
  require_positive(channels, "pixel_shuffle channels");
  require_positive(scale, "pixel_shuffle scale");
  const std::int64_t s = scale;
  const std::string p = name + "_";
  // b, c, h, w = x.size(): one Shape, one Gather per dim with a 0-d index.
  const std::string shp = shape(x, p + "shape");
  const auto dim_of = [&](std::int64_t index, const std::string& tag) {
    const std::string idx = constant_int64(p + tag + "_index", {}, {index});
    return gather(shp, idx, 0, p + "gather_" + tag);
  };
  const std::string n = dim_of(0, "n");
  const std::string h = dim_of(2, "h");
  const std::string w = dim_of(3, "w");
  // The tracer unsqueezes a traced int at each use and folds Python ints into
  // [1] Constants, so every Concat gets its own copies.
  const std::string shape6 =
      concat({unsqueeze(n, {0}, p + "n_unsqueeze6"), constant_int64(p + "c6", {1}, {channels}),
              constant_int64(p + "s6a", {1}, {s}), constant_int64(p + "s6b", {1}, {s}),
              unsqueeze(h, {0}, p + "h_unsqueeze6"), unsqueeze(w, {0}, p + "w_unsqueeze6")},
             p + "shape6", 0);
  const std::string r = reshape(x, shape6, p + "reshape6");
  const std::string t = transpose(r, {0, 1, 4, 2, 5, 3}, p + "transpose");
  const std::string hs = mul(h, constant_int64(p + "h_scale", {}, {s}), p + "h_mul");
  const std::string ws = mul(w, constant_int64(p + "w_scale", {}, {s}), p + "w_mul");
  const std::string shape4 =
      concat({unsqueeze(n, {0}, p + "n_unsqueeze4"), constant_int64(p + "c4", {1}, {channels}),
              unsqueeze(hs, {0}, p + "h_unsqueeze4"), unsqueeze(ws, {0}, p + "w_unsqueeze4")},
             p + "shape4", 0);
  add_node("Reshape", p + "reshape4", {t, shape4}, {out});
  return out;
}

std::string GraphBuilder::serialize() const {
  std::string bytes;
  if (!model_.SerializeToString(&bytes)) fail("cannot serialise model " + model_.graph().name());
  return bytes;
}

void GraphBuilder::save(const std::filesystem::path& path) const {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) fail("cannot open " + path.string() + " for writing");
  if (!model_.SerializeToOstream(&file)) fail("cannot serialise model to " + path.string());
  file.close();
  if (!file) fail("error writing " + path.string());
}


}  // namespace r4k::testing
