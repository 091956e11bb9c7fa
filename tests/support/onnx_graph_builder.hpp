// GraphBuilder: writes one ONNX ModelProto node by node with the ONNX protobuf
// API, in the forms PyTorch's exporter produces (attribute sets, raw_data
// initializers, Constant nodes for traced scalars). The test-model writers
// (sr_test_models, sr_model_families, malformed_models) share it.
#pragma once

#include "tests/support/file_bytes.hpp"  // write_bytes, for the model writers

#include <onnx/onnx_pb.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace r4k::testing {

// Opsets the emitted node forms are valid for: DepthToSpace mode="CRD" and
// Resize with roi/scales + coordinate_transformation_mode need opset 11;
// libonnx 1.12 (Debian 12) knows opsets up to 17.
inline constexpr int kMinBuilderOpset = 11;
inline constexpr int kMaxBuilderOpset = 17;

// A graph input/output dim: a positive value is a dim_value, otherwise `param`
// names a symbolic dim (how dynamic_axes appear in PyTorch exports).
struct Dim {
  std::int64_t value = 0;
  std::string param;
};

Dim fixed_dim(std::int64_t value);
Dim symbolic_dim(std::string name);
// [batch, channels, height, width] with batch/height/width symbolic, as
// exported with dynamic_axes={input: {0: "batch", 2: "height", 3: "width"}}.
std::vector<Dim> dynamic_nchw(std::int64_t channels, const std::string& height = "height",
                              const std::string& width = "width");
// [1, channels, height, width], all fixed.
std::vector<Dim> fixed_nchw(std::int64_t channels, std::int64_t height, std::int64_t width);

// Builds one ModelProto. Weight draws come straight from mt19937 bits instead of
// std::*_distribution, whose output differs between standard libraries; this
// keeps a given seed producing identical files everywhere. Methods that add a
// node return the name of its (first) output, `name + "_out"` unless stated.
// Throws std::runtime_error on bad arguments.
class GraphBuilder {
 public:
  GraphBuilder(int opset, std::uint32_t seed, const std::string& graph_name);

  int opset() const { return opset_; }
  // Escape hatches for writers that need forms the helpers do not cover
  // (malformed models, unusual attributes).
  onnx::ModelProto& model() { return model_; }
  const onnx::ModelProto& model() const { return model_; }
  onnx::GraphProto& graph() { return *model_.mutable_graph(); }
  const onnx::GraphProto& graph() const { return model_.graph(); }

  void add_input(const std::string& name, const std::vector<Dim>& dims);
  void add_output(const std::string& name, const std::vector<Dim>& dims);

  onnx::NodeProto* add_node(const std::string& op_type, const std::string& name,
                            const std::vector<std::string>& inputs,
                            const std::vector<std::string>& outputs);

  // --- Initializers (raw_data, little-endian, as PyTorch writes them) ---
  void add_initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                       const std::vector<float>& values);
  void add_int64_initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                             const std::vector<std::int64_t>& values);
  // A 0-d float initializer (how a traced Python float constant is stored).
  std::string scalar_initializer(const std::string& name, float value);
  // A [1, C, 1, 1] float initializer, broadcasting over N, H, W of an NCHW tensor.
  std::string channel_initializer(const std::string& name, const std::vector<float>& values);

  // Uniform draws in [lo, hi) from the builder's generator (advances it).
  std::vector<float> uniform_values(std::size_t n, double lo, double hi);

  // --- Constant nodes (how PyTorch emits traced scalars and shape pieces) ---
  // Output name is `name` itself, as in exports ("onnx::Mul_12" style names).
  std::string constant(const std::string& name, const std::vector<std::int64_t>& dims,
                       const std::vector<float>& values);
  std::string constant_int64(const std::string& name, const std::vector<std::int64_t>& dims,
                             const std::vector<std::int64_t>& values);

  // --- Attribute helpers ---
  static void set_int(onnx::NodeProto* node, const std::string& name, std::int64_t value);
  static void set_ints(onnx::NodeProto* node, const std::string& name,
                       const std::vector<std::int64_t>& values);
  static void set_float(onnx::NodeProto* node, const std::string& name, float value);
  static void set_floats(onnx::NodeProto* node, const std::string& name,
                         const std::vector<float>& values);
  static void set_string(onnx::NodeProto* node, const std::string& name, const std::string& value);

  // --- Convolutions ---
  // Same-padded stride-1 KxK convolution. `gain` scales a uniform init of bound
  // gain*sqrt(3/fan_in) (variance gain^2/fan_in). gain=1/sqrt(3) is PyTorch's
  // default Conv2d init (bound 1/sqrt(fan_in)); sqrt(2) is He init, which keeps
  // activations O(1) through a deep stack followed by (P)ReLU.
  std::string conv(const std::string& x, int cin, int cout, int k, const std::string& name,
                   double gain);
  // KxK same-padded convolution with the given weights [cout, cin, k, k] and
  // bias; writes to `out` (no dilations/group/strides attributes).
  void conv_with_weights(const std::string& x, int cin, int cout, int k, const std::string& name,
                         const std::vector<float>& weights, const std::vector<float>& bias,
                         const std::string& out);
  // KxK transposed convolution, weight [cin, cout, k, k] (ONNX/PyTorch layout)
  // plus bias. Output side = (in-1)*stride - pad_begin - pad_end + k + output_padding.
  std::string conv_transpose(const std::string& x, int cin, int cout, int k, int stride,
                             const std::vector<std::int64_t>& pads,
                             const std::vector<std::int64_t>& output_padding,
                             const std::string& name, double gain);

  // --- Activations ---
  // Slope of shape [C,1,1] so it broadcasts over H,W of an NCHW tensor.
  std::string prelu(const std::string& x, int channels, const std::string& name);
  std::string leaky_relu(const std::string& x, float alpha, const std::string& name);
  std::string relu(const std::string& x, const std::string& name);
  std::string sigmoid(const std::string& x, const std::string& name);
  std::string tanh(const std::string& x, const std::string& name);

  // --- Elementwise (second operand a tensor name, or a fresh constant initializer) ---
  std::string add(const std::string& a, const std::string& b, const std::string& name);
  std::string sub(const std::string& a, const std::string& b, const std::string& name);
  std::string mul(const std::string& a, const std::string& b, const std::string& name);
  // x op scalar: the scalar becomes a 0-d initializer `name + ".value"`.
  std::string add_scalar(const std::string& x, float value, const std::string& name);
  std::string sub_scalar(const std::string& x, float value, const std::string& name);
  std::string mul_scalar(const std::string& x, float value, const std::string& name);
  // x op per-channel constant: a [1,C,1,1] initializer `name + ".value"`.
  std::string add_channels(const std::string& x, const std::vector<float>& values,
                           const std::string& name);
  std::string sub_channels(const std::string& x, const std::vector<float>& values,
                           const std::string& name);
  std::string mul_channels(const std::string& x, const std::vector<float>& values,
                           const std::string& name);

  // --- Layout ---
  std::string concat(const std::vector<std::string>& inputs, const std::string& name,
                     std::int64_t axis = 1);
  // CRD is PyTorch's pixel_shuffle ordering (DCR would interleave channels differently).
  std::string depth_to_space(const std::string& x, int block, const std::string& name,
                             const std::string& out);
  // Nearest x`scale` upsample in the opset-11+ Resize form (X, roi, scales).
  std::string resize_nearest(const std::string& x, int scale, const std::string& name);
  std::string reshape(const std::string& x, const std::string& shape, const std::string& name);
  std::string transpose(const std::string& x, const std::vector<std::int64_t>& perm,
                        const std::string& name);
  std::string shape(const std::string& x, const std::string& name);
  // Gather along `axis` with an index tensor named `indices`.
  std::string gather(const std::string& x, const std::string& indices, std::int64_t axis,
                     const std::string& name);
  // Unsqueeze in the opset's form: `axes` attribute before opset 13, an int64
  // Constant input from 13 on.
  std::string unsqueeze(const std::string& x, const std::vector<std::int64_t>& axes,
                        const std::string& name);

  // --- Pixel shuffle in the forms exporters produce besides DepthToSpace ---
  // x [1, C*s*s, H, W] -> Reshape [1, C, s, s, H, W] -> Transpose [0,1,4,2,5,3]
  // -> Reshape [1, C, H*s, W*s], shapes as int64 initializers: a fixed-shape export.
  std::string pixel_shuffle_static(const std::string& x, int channels, int scale,
                                   std::int64_t height, std::int64_t width, const std::string& name,
                                   const std::string& out);
  // The same with the Reshape shapes computed at run time from Shape(x) ->
  // Gather -> Unsqueeze -> Concat (H and W multiplied by s for the output), as
  // tracing `b, c, h, w = x.size(); x.view(b, oc, s, s, h, w)...` exports with
  // dynamic axes.
  std::string pixel_shuffle_shape_driven(const std::string& x, int channels, int scale,
                                         const std::string& name, const std::string& out);

  // Serialized ModelProto.
  std::string serialize() const;
  void save(const std::filesystem::path& path) const;

 private:
  std::string binary(const std::string& op_type, const std::string& a, const std::string& b,
                     const std::string& name);
  float next_uniform(double lo, double hi);

  int opset_ = 0;
  onnx::ModelProto model_;
  std::mt19937 rng_;
};

}  // namespace r4k::testing
