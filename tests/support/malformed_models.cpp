#include "malformed_models.hpp"

#include "onnx_graph_builder.hpp"
#include "sr_test_models.hpp"

#include <onnx/onnx_pb.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>

namespace r4k::testing {
namespace {

constexpr const char* kInputName = "input";
constexpr const char* kOutputName = "output";
constexpr int kOpset = 13;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("malformed_models: " + what);
}

bool parses_as_model(const std::string& bytes) {
  onnx::ModelProto model;
  return model.ParseFromString(bytes);
}

// Everything but the defect is well formed, so a loader cannot reject these
// models for an unrelated reason: 3-channel dynamic input, x1 output.
GraphBuilder rgb_builder(const std::string& graph_name, std::uint32_t seed, std::int64_t out_channels = 3) {
  GraphBuilder b(kOpset, seed, graph_name);
  b.add_input(kInputName, dynamic_nchw(3));
  b.add_output(kOutputName, dynamic_nchw(out_channels));
  return b;
}

onnx::TensorProto* find_initializer(GraphBuilder& b, const std::string& name) {
  for (auto& t : *b.graph().mutable_initializer()) {
    if (t.name() == name) return &t;
  }
  fail("internal: no initializer " + name);
}

}  // namespace

void write_truncated_model(const std::filesystem::path& path) {
  SrvggSpec spec;
  spec.features = 8;
  spec.convs = 2;
  spec.scale = 2;
  spec.seed = 21;
  write_srvgg(spec, path);
  std::string bytes = read_bytes(path);
  if (bytes.empty()) fail("cannot read back " + path.string());
  // Half-way lands inside a weight's raw_data, which the parser reports as
  // truncated; step back should a cut ever fall on a field boundary (a
  // prefix ending there would parse).
  std::size_t cut = bytes.size() / 2;
  while (cut > 0 && parses_as_model(bytes.substr(0, cut))) --cut;
  bytes.resize(cut);
  write_bytes(path, bytes);
}

void write_wrong_magic(const std::filesystem::path& path) {
  // A PNG signature (an image passed where a model belongs) and noise.
  const std::string png_signature = "\x89PNG\r\n\x1a\n";
  for (std::uint32_t seed = 31;; ++seed) {
    std::mt19937 rng(seed);
    std::string bytes = png_signature;
    for (int i = 0; i < 248; ++i) bytes.push_back(static_cast<char>(rng() & 0xffu));
    // Protobuf skips unknown fields, so noise can parse by chance; keep only
    // a draw that does not.
    if (!parses_as_model(bytes)) {
      write_bytes(path, bytes);
      return;
    }
  }
}

void write_negative_dims_model(const std::filesystem::path& path) {
  GraphBuilder b = rgb_builder("negative_dims", 41, 16);
  b.conv(kInputName, 3, 16, 3, "conv_0", 1.0);
  // raw_data keeps its 16*3*3*3 floats: only the declared shape is wrong.
  find_initializer(b, "conv_0.weight")->set_dims(3, -3);
  b.graph().mutable_node(0)->set_output(0, kOutputName);
  b.save(path);
}

void write_enormous_dims_model(const std::filesystem::path& path) {
  constexpr std::int64_t kHuge = std::int64_t{1} << 20;
  GraphBuilder b = rgb_builder("enormous_dims", 51, kHuge);
  b.add_initializer("conv_0.weight", {kHuge, kHuge, 3, 3}, b.uniform_values(9, -0.5, 0.5));
  auto* node = b.add_node("Conv", "conv_0", {kInputName, "conv_0.weight"}, {kOutputName});
  GraphBuilder::set_ints(node, "kernel_shape", {3, 3});
  GraphBuilder::set_ints(node, "pads", {1, 1, 1, 1});
  b.save(path);
}

void write_missing_initializer_model(const std::filesystem::path& path) {
  GraphBuilder b = rgb_builder("missing_initializer", 61, 16);
  b.add_initializer("conv_0.bias", {16}, b.uniform_values(16, -0.1, 0.1));
  auto* node = b.add_node("Conv", "conv_0", {kInputName, "conv_0.weight", "conv_0.bias"}, {kOutputName});
  GraphBuilder::set_ints(node, "kernel_shape", {3, 3});
  GraphBuilder::set_ints(node, "pads", {1, 1, 1, 1});
  b.save(path);
}

void write_cyclic_model(const std::filesystem::path& path) {
  GraphBuilder b = rgb_builder("cyclic", 71);
  b.add_node("Add", "cycle_add", {kInputName, kOutputName}, {"cycle_sum"});
  b.add_node("Relu", "cycle_relu", {"cycle_sum"}, {kOutputName});
  b.save(path);
}

void write_shape_mismatch_model(const std::filesystem::path& path) {
  GraphBuilder b = rgb_builder("shape_mismatch", 81, 16);
  b.conv(kInputName, 5, 16, 3, "conv_0", 1.0);
  b.graph().mutable_node(0)->set_output(0, kOutputName);
  b.save(path);
}

void write_inconsistent_prelu_model(const std::filesystem::path& path) {
  GraphBuilder b = rgb_builder("inconsistent_prelu", 91, 16);
  const std::string x = b.conv(kInputName, 3, 16, 3, "conv_0", 1.0);
  b.prelu(x, 7, "prelu_0");
  b.graph().mutable_node(1)->set_output(0, kOutputName);
  b.save(path);
}

namespace {

template <typename T>
void add_typed_initializer(GraphBuilder& b, const std::string& name, int type, const std::vector<std::int64_t>& dims,
                           const std::vector<T>& values) {
  onnx::TensorProto* tensor = b.graph().add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(type);
  for (auto d : dims) tensor->add_dims(d);
  tensor->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)));
}

}  // namespace

void write_qdq_model(QdqFault fault, const std::filesystem::path& path) {
  GraphBuilder b(kOpset, 57, "qdq_" + std::to_string(static_cast<int>(fault)));
  b.add_input(kInputName, dynamic_nchw(3));
  b.add_output(kOutputName, dynamic_nchw(3));
  constexpr std::int64_t kOut = 12;
  b.scalar_initializer("input_scale", fault == QdqFault::zero_scale ? 0.0f : 1.0f / 255.0f);
  add_typed_initializer(b, "input_zero_point", onnx::TensorProto::UINT8, {}, std::vector<std::uint8_t>{0});
  add_typed_initializer(b, "input_zero_point_signed", onnx::TensorProto::INT8, {}, std::vector<std::int8_t>{0});
  if (fault == QdqFault::missing_scale) {
    b.add_node("QuantizeLinear", "input_quantize", {kInputName}, {"input_q"});
  } else {
    b.add_node("QuantizeLinear", "input_quantize", {kInputName, "input_scale", "input_zero_point"}, {"input_q"});
  }
  b.add_node("DequantizeLinear", "input_dequantize",
             {"input_q", "input_scale",
              fault == QdqFault::zero_point_type ? "input_zero_point_signed" : "input_zero_point"},
             {"input_dq"});
  std::vector<std::int8_t> weights(static_cast<std::size_t>(kOut * 3 * 3 * 3));
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<std::int8_t>(static_cast<int>(i * 37 % 255) - 127);
  add_typed_initializer(b, "weight_q", onnx::TensorProto::INT8, {kOut, 3, 3, 3}, weights);
  std::vector<float> scales(static_cast<std::size_t>(kOut));
  for (std::size_t c = 0; c < scales.size(); ++c) scales[c] = 0.002f + 0.0005f * static_cast<float>(c);
  b.add_initializer("weight_scale", {kOut}, scales);
  add_typed_initializer(b, "weight_zero_point", onnx::TensorProto::INT8, {kOut}, std::vector<std::int8_t>(kOut, 0));
  onnx::NodeProto* weight_dq =
      b.add_node("DequantizeLinear", "weight_dequantize", {"weight_q", "weight_scale", "weight_zero_point"}, {"weight"});
  GraphBuilder::set_int(weight_dq, "axis", fault == QdqFault::wrong_axis ? 1 : 0);
  b.add_initializer("bias", {kOut}, b.uniform_values(kOut, -0.1, 0.1));
  onnx::NodeProto* conv = b.add_node("Conv", "conv", {"input_dq", "weight", "bias"}, {"conv_out"});
  GraphBuilder::set_ints(conv, "kernel_shape", {3, 3});
  GraphBuilder::set_ints(conv, "pads", {1, 1, 1, 1});
  onnx::NodeProto* shuffle = b.add_node("DepthToSpace", "shuffle", {"conv_out"}, {kOutputName});
  GraphBuilder::set_int(shuffle, "blocksize", 2);
  GraphBuilder::set_string(shuffle, "mode", "CRD");
  b.save(path);
}

}  // namespace r4k::testing
