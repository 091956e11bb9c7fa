#include "sr_test_models.hpp"

#include <onnx/onnx_pb.h>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace r4k::testing {
namespace {

// ONNX versions the emitted node forms are valid for: DepthToSpace mode="CRD"
// and Resize with roi/scales + coordinate_transformation_mode need opset 11;
// libonnx 1.12 (Debian 12) knows opsets up to 17.
constexpr int kMinOpset = 11;
constexpr int kMaxOpset = 17;

// EspcnSpec has no size fields, so a fixed-shape ESPCN uses this square size.
constexpr std::int64_t kEspcnFixedSide = 64;

constexpr const char* kInputName = "input";
constexpr const char* kOutputName = "output";

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("sr_test_models: " + what);
}

// Input/output dims: a positive value is a dim_value, otherwise `param` names
// a symbolic dim (how dynamic_axes appear in PyTorch exports).
struct Dim {
  std::int64_t value = 0;
  std::string param;
};

Dim fixed_dim(std::int64_t v) { return Dim{v, {}}; }
Dim symbolic_dim(std::string name) { return Dim{0, std::move(name)}; }

// Builds one ModelProto. Weight draws come straight from mt19937 bits instead of
// std::*_distribution, whose output differs between standard libraries; this
// keeps a given seed producing identical files everywhere.
class GraphBuilder {
 public:
  GraphBuilder(int opset, std::uint32_t seed, const std::string& graph_name)
      : rng_(seed) {
    if (opset < kMinOpset || opset > kMaxOpset) {
      fail("opset " + std::to_string(opset) + " outside supported range [" +
           std::to_string(kMinOpset) + ", " + std::to_string(kMaxOpset) + "]");
    }
    // IR 7 is what exporters pair with opsets <= 13 (ONNX 1.8); 14+ came with IR 8.
    model_.set_ir_version(opset <= 13 ? 7 : 8);
    model_.set_producer_name("restore4k-tests");
    model_.set_producer_version("1");
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    graph_ = model_.mutable_graph();
    graph_->set_name(graph_name);
  }

  void add_input(const std::string& name, const std::vector<Dim>& dims) {
    fill_value_info(graph_->add_input(), name, dims);
  }
  void add_output(const std::string& name, const std::vector<Dim>& dims) {
    fill_value_info(graph_->add_output(), name, dims);
  }

  onnx::NodeProto* add_node(const std::string& op_type, const std::string& name,
                            std::initializer_list<std::string> inputs,
                            std::initializer_list<std::string> outputs) {
    auto* node = graph_->add_node();
    node->set_op_type(op_type);
    node->set_name(name);
    for (const auto& in : inputs) node->add_input(in);
    for (const auto& out : outputs) node->add_output(out);
    return node;
  }

  void add_initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                       const std::vector<float>& values) {
    auto* t = graph_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (auto d : dims) t->add_dims(d);
    if constexpr (std::endian::native == std::endian::little) {
      // raw_data is little-endian by spec and is what PyTorch writes.
      std::string raw(values.size() * sizeof(float), '\0');
      if (!values.empty()) std::memcpy(raw.data(), values.data(), raw.size());
      t->set_raw_data(std::move(raw));
    } else {
      for (float v : values) t->add_float_data(v);
    }
  }

  // Same-padded stride-1 KxK convolution; returns its output tensor name.
  // `gain` scales a uniform init of bound gain*sqrt(3/fan_in) (variance
  // gain^2/fan_in). gain=1/sqrt(3) is PyTorch's default Conv2d init
  // (bound 1/sqrt(fan_in)); sqrt(2) is He init, which keeps activations O(1)
  // through a deep stack followed by (P)ReLU.
  std::string conv(const std::string& x, int cin, int cout, int k, const std::string& name,
                   double gain) {
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

  // KxK convolution with the given weights [cout, cin, k, k] and bias.
  void conv_with_weights(const std::string& x, int cin, int cout, int k, const std::string& name,
                         const std::vector<float>& weights, const std::vector<float>& bias, const std::string& out) {
    add_initializer(name + ".weight", {cout, cin, k, k}, weights);
    add_initializer(name + ".bias", {cout}, bias);
    auto* node = add_node("Conv", name, {x, name + ".weight", name + ".bias"}, {out});
    const std::int64_t p = k / 2;
    set_ints(node, "kernel_shape", {k, k});
    set_ints(node, "pads", {p, p, p, p});
  }

  std::string prelu(const std::string& x, int channels, const std::string& name) {
    const std::string slope = name + ".weight";
    // Shape [C,1,1] so the slope broadcasts over H,W of an NCHW tensor.
    add_initializer(slope, {channels, 1, 1},
                    uniform_values(static_cast<std::size_t>(channels), 0.05, 0.3));
    const std::string out = name + "_out";
    add_node("PRelu", name, {x, slope}, {out});
    return out;
  }

  std::string tanh(const std::string& x, const std::string& name) {
    const std::string out = name + "_out";
    add_node("Tanh", name, {x}, {out});
    return out;
  }

  // CRD is PyTorch's pixel_shuffle ordering (DCR would interleave channels differently).
  std::string depth_to_space(const std::string& x, int block, const std::string& name,
                             const std::string& out) {
    auto* node = add_node("DepthToSpace", name, {x}, {out});
    set_int(node, "blocksize", block);
    set_string(node, "mode", "CRD");
    return out;
  }

  // Nearest x`scale` upsample in the opset-11+ Resize form (X, roi, scales).
  // roi is given as an empty float initializer rather than an empty input name:
  // the name-omitted form is only legal from opset 13, and an initializer is
  // accepted by every consumer we target.
  std::string resize_nearest(const std::string& x, int scale, const std::string& name) {
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

  void save(const std::filesystem::path& path) const {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) fail("cannot open " + path.string() + " for writing");
    if (!model_.SerializeToOstream(&file)) fail("cannot serialise model to " + path.string());
    file.close();
    if (!file) fail("error writing " + path.string());
  }

 private:
  static void fill_value_info(onnx::ValueInfoProto* vi, const std::string& name,
                              const std::vector<Dim>& dims) {
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

  static void set_ints(onnx::NodeProto* node, const std::string& name,
                       std::initializer_list<std::int64_t> values) {
    auto* a = node->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INTS);
    for (auto v : values) a->add_ints(v);
  }
  static void set_int(onnx::NodeProto* node, const std::string& name, std::int64_t value) {
    auto* a = node->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INT);
    a->set_i(value);
  }
  static void set_string(onnx::NodeProto* node, const std::string& name, const std::string& value) {
    auto* a = node->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_STRING);
    a->set_s(value);
  }

  // Uniform in [lo, hi) from the top 24 bits of one mt19937 draw (exact in float).
  float next_uniform(double lo, double hi) {
    const double u = static_cast<double>(rng_() >> 8) / 16777216.0;
    return static_cast<float>(lo + (hi - lo) * u);
  }
  std::vector<float> uniform_values(std::size_t n, double lo, double hi) {
    std::vector<float> v(n);
    for (auto& x : v) x = next_uniform(lo, hi);
    return v;
  }

  onnx::ModelProto model_;
  onnx::GraphProto* graph_ = nullptr;
  std::mt19937 rng_;
};

void require_positive(int value, const char* what) {
  if (value < 1) fail(std::string(what) + " must be >= 1, got " + std::to_string(value));
}

// He gain for layers followed by PReLU/Tanh keeps activations O(1) through
// 16+ layers; PyTorch's default (smaller) init on the last conv keeps the
// learned residual modest next to the image values.
const double kHiddenGain = std::sqrt(2.0);
const double kOutputGain = 1.0 / std::sqrt(3.0);

}  // namespace

void write_srvgg(const SrvggSpec& spec, const std::filesystem::path& path) {
  require_positive(spec.scale, "scale");
  require_positive(spec.channels, "channels");
  require_positive(spec.features, "features");
  if (spec.convs < 0) fail("convs must be >= 0, got " + std::to_string(spec.convs));
  if (!spec.dynamic_shape) {
    require_positive(spec.fixed_height, "fixed_height");
    require_positive(spec.fixed_width, "fixed_width");
  }

  GraphBuilder b(spec.opset, spec.seed, "srvgg_compact");
  const std::int64_t c = spec.channels;
  const std::int64_t s = spec.scale;
  if (spec.dynamic_shape) {
    b.add_input(kInputName, {symbolic_dim("batch"), fixed_dim(c), symbolic_dim("height"),
                             symbolic_dim("width")});
    b.add_output(kOutputName, {symbolic_dim("batch"), fixed_dim(c), symbolic_dim("out_height"),
                               symbolic_dim("out_width")});
  } else {
    b.add_input(kInputName,
                {fixed_dim(1), fixed_dim(c), fixed_dim(spec.fixed_height), fixed_dim(spec.fixed_width)});
    b.add_output(kOutputName, {fixed_dim(1), fixed_dim(c), fixed_dim(spec.fixed_height * s),
                               fixed_dim(spec.fixed_width * s)});
  }

  std::string x = b.conv(kInputName, spec.channels, spec.features, 3, "conv_0", kHiddenGain);
  x = b.prelu(x, spec.features, "prelu_0");
  for (int i = 1; i <= spec.convs; ++i) {
    x = b.conv(x, spec.features, spec.features, 3, "conv_" + std::to_string(i), kHiddenGain);
    x = b.prelu(x, spec.features, "prelu_" + std::to_string(i));
  }
  const int out_ch = spec.channels * spec.scale * spec.scale;
  x = b.conv(x, spec.features, out_ch, 3, "conv_" + std::to_string(spec.convs + 1), kOutputGain);
  x = b.depth_to_space(x, spec.scale, "depth_to_space", "depth_to_space_out");
  const std::string up = b.resize_nearest(kInputName, spec.scale, "upsample_input");
  b.add_node("Add", "add_residual", {x, up}, {kOutputName});
  b.save(path);
}

void write_espcn(const EspcnSpec& spec, const std::filesystem::path& path) {
  require_positive(spec.scale, "scale");
  require_positive(spec.channels, "channels");

  GraphBuilder b(spec.opset, spec.seed, "espcn");
  const std::int64_t c = spec.channels;
  if (spec.dynamic_shape) {
    b.add_input(kInputName, {symbolic_dim("batch"), fixed_dim(c), symbolic_dim("height"),
                             symbolic_dim("width")});
    b.add_output(kOutputName, {symbolic_dim("batch"), fixed_dim(c), symbolic_dim("out_height"),
                               symbolic_dim("out_width")});
  } else {
    b.add_input(kInputName,
                {fixed_dim(1), fixed_dim(c), fixed_dim(kEspcnFixedSide), fixed_dim(kEspcnFixedSide)});
    const std::int64_t out_side = kEspcnFixedSide * spec.scale;
    b.add_output(kOutputName, {fixed_dim(1), fixed_dim(c), fixed_dim(out_side), fixed_dim(out_side)});
  }

  std::string x = b.conv(kInputName, spec.channels, 64, 5, "conv_0", kHiddenGain);
  x = b.tanh(x, "tanh_0");
  x = b.conv(x, 64, 32, 3, "conv_1", kHiddenGain);
  x = b.tanh(x, "tanh_1");
  x = b.conv(x, 32, spec.channels * spec.scale * spec.scale, 3, "conv_2", kOutputGain);
  b.depth_to_space(x, spec.scale, "depth_to_space", kOutputName);
  b.save(path);
}

void write_unsupported_op_model(const std::filesystem::path& path) {
  GraphBuilder b(13, 0, "unsupported_op");
  b.add_input(kInputName, {fixed_dim(1), fixed_dim(1), symbolic_dim("height"), symbolic_dim("width")});
  b.add_output(kOutputName, {fixed_dim(1), fixed_dim(1), symbolic_dim("height"), symbolic_dim("width")});
  b.add_node("NoSuchOp", "mystery_node", {kInputName}, {kOutputName});
  b.save(path);
}

void write_channels_model(int channels, const std::filesystem::path& path) {
  require_positive(channels, "channels");
  GraphBuilder b(13, 3, "channels_x2");
  const std::int64_t c = channels;
  b.add_input(kInputName,
              {symbolic_dim("batch"), fixed_dim(c), symbolic_dim("height"), symbolic_dim("width")});
  b.add_output(kOutputName, {symbolic_dim("batch"), fixed_dim(c), symbolic_dim("out_height"),
                             symbolic_dim("out_width")});
  const std::string x = b.conv(kInputName, channels, channels * 4, 3, "conv_0", kOutputGain);
  b.depth_to_space(x, 2, "depth_to_space", kOutputName);
  b.save(path);
}

void write_channel_swap_model(const std::filesystem::path& path) {
  // A 1x1 convolution whose weights swap the first and third channel: x1,
  // not colour-neutral, so a wrong Y'CbCr matrix shows in its output.
  GraphBuilder b(13, 4, "swap_rb");
  b.add_input(kInputName, {symbolic_dim("batch"), fixed_dim(3), symbolic_dim("height"), symbolic_dim("width")});
  b.add_output(kOutputName, {symbolic_dim("batch"), fixed_dim(3), symbolic_dim("height"), symbolic_dim("width")});
  b.conv_with_weights(kInputName, 3, 3, 1, "swap", {0, 0, 1, 0, 1, 0, 1, 0, 0}, {0, 0, 0}, kOutputName);
  b.save(path);
}

}  // namespace r4k::testing
