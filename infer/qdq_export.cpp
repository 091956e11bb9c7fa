#include "infer/qdq_export.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <vector>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <onnx/onnx_pb.h>

#include "core/error.hpp"

namespace r4k::infer {

namespace {

class Writer {
 public:
  Writer(onnx::ModelProto& model, std::string source) : model_(model), source_(std::move(source)) {
    onnx::GraphProto& graph = *model_.mutable_graph();
    for (const auto& init : graph.initializer()) names_.insert(init.name());
    for (const auto& node : graph.node()) {
      for (const auto& output : node.output()) names_.insert(output);
    }
    for (const auto& input : graph.input()) names_.insert(input.name());
  }

  // A name not yet in the graph, from `base`.
  std::string fresh(const std::string& base) {
    std::string name = base;
    for (int i = 2; names_.count(name) != 0; ++i) name = base + "_" + std::to_string(i);
    names_.insert(name);
    return name;
  }

  const onnx::TensorProto* initializer(const std::string& name) const {
    for (const auto& init : model_.graph().initializer()) {
      if (init.name() == name) return &init;
    }
    return nullptr;
  }

  std::vector<float> floats(const onnx::TensorProto& tensor, const onnx::NodeProto& node) const {
    if (tensor.data_type() != onnx::TensorProto::FLOAT) fail(node, "its tensor '" + tensor.name() + "' is not float");
    std::int64_t count = 1;
    for (auto d : tensor.dims()) count *= d;
    std::vector<float> values(static_cast<std::size_t>(count));
    if (!tensor.raw_data().empty()) {
      if (tensor.raw_data().size() != values.size() * sizeof(float)) fail(node, "tensor '" + tensor.name() + "' has the wrong size");
      std::memcpy(values.data(), tensor.raw_data().data(), tensor.raw_data().size());
    } else {
      if (tensor.float_data_size() != count) fail(node, "tensor '" + tensor.name() + "' has the wrong size");
      std::copy(tensor.float_data().begin(), tensor.float_data().end(), values.begin());
    }
    return values;
  }

  template <typename T>
  std::string add_initializer(const std::string& base, int type, const std::vector<std::int64_t>& dims,
                              const std::vector<T>& values) {
    onnx::TensorProto* tensor = model_.mutable_graph()->add_initializer();
    tensor->set_name(fresh(base));
    tensor->set_data_type(type);
    for (auto d : dims) tensor->add_dims(d);
    tensor->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)));
    return tensor->name();
  }

  // A QuantizeLinear or DequantizeLinear node (axis < 0: per tensor).
  onnx::NodeProto make_node(const std::string& type, const std::string& input, const std::string& scale,
                            const std::string& zero_point, const std::string& output, std::int64_t axis) {
    onnx::NodeProto node;
    node.set_op_type(type);
    node.set_name(fresh(output + "_" + type));
    node.add_input(input);
    node.add_input(scale);
    node.add_input(zero_point);
    node.add_output(output);
    if (axis >= 0) {
      onnx::AttributeProto* attribute = node.add_attribute();
      attribute->set_name("axis");
      attribute->set_type(onnx::AttributeProto::INT);
      attribute->set_i(axis);
    }
    return node;
  }

  [[noreturn]] void fail(const onnx::NodeProto& node, const std::string& what) const {
    throw InputError("ONNX model '" + source_ + "': " + node.op_type() + " node '" + node.name() + "': " + what);
  }

 private:
  onnx::ModelProto& model_;
  std::string source_;
  std::set<std::string> names_;
};

struct QuantizedWeights {
  std::vector<std::int8_t> values;
  std::vector<float> scales;  // one per output channel
};

// Symmetric int8, one scale per output channel (axis 0).
QuantizedWeights quantize_weights(const std::vector<float>& weights, std::int64_t out_channels) {
  QuantizedWeights q;
  const std::size_t per_channel = weights.size() / static_cast<std::size_t>(out_channels);
  q.values.resize(weights.size());
  for (std::int64_t c = 0; c < out_channels; ++c) {
    const auto begin = weights.begin() + static_cast<std::ptrdiff_t>(c * per_channel);
    float peak = 0.0f;
    for (auto it = begin; it != begin + static_cast<std::ptrdiff_t>(per_channel); ++it) peak = std::max(peak, std::fabs(*it));
    const float scale = peak > 0.0f ? peak / 127.0f : 1.0f;
    q.scales.push_back(scale);
    for (std::size_t i = 0; i < per_channel; ++i) {
      const std::size_t at = static_cast<std::size_t>(c) * per_channel + i;
      q.values[at] = static_cast<std::int8_t>(std::clamp(std::nearbyint(weights[at] / scale), -127.0f, 127.0f));
    }
  }
  return q;
}

}  // namespace

std::string export_qdq_model(const std::filesystem::path& path, const QdqExport& plan) {
  const std::string source = path.string();
  onnx::ModelProto model;
  {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw InputError("cannot open model file '" + source + "'");
    google::protobuf::io::IstreamInputStream stream(&file);
    google::protobuf::io::CodedInputStream coded(&stream);
    coded.SetTotalBytesLimit(INT_MAX);
    if (!model.ParseFromCodedStream(&coded)) throw InputError("model file '" + source + "' is not a valid ONNX model");
  }
  for (const auto& opset : model.opset_import()) {
    if ((opset.domain().empty() || opset.domain() == "ai.onnx") && opset.version() < 13) {
      throw InputError("ONNX model '" + source + "' is opset " + std::to_string(opset.version()) +
                       "; per-channel QuantizeLinear / DequantizeLinear need opset 13 or later: re-export it");
    }
  }
  Writer writer(model, source);
  onnx::GraphProto& graph = *model.mutable_graph();

  // The Q -> DQ pair of each activation, placed before its first reader.
  std::map<std::string, std::string> dequantized;  // activation -> its DequantizeLinear output
  std::vector<onnx::NodeProto> nodes;
  for (const onnx::NodeProto& original : graph.node()) {
    onnx::NodeProto node = original;
    const auto wanted = node.op_type() == "Conv" && node.input_size() >= 2 ? plan.activations.find(node.input(0))
                                                                             : plan.activations.end();
    if (wanted == plan.activations.end()) {
      nodes.push_back(std::move(node));
      continue;
    }
    const std::string& x = node.input(0);
    const ActivationScale& activation = wanted->second;
    if (!(activation.scale > 0.0f) || !std::isfinite(activation.scale)) {
      writer.fail(node, "activation '" + x + "' has scale " + std::to_string(activation.scale));
    }
    if (dequantized.count(x) == 0) {
      const std::string scale = writer.add_initializer(x + "_scale", onnx::TensorProto::FLOAT, {}, std::vector<float>{activation.scale});
      const std::string zero =
          activation.is_signed
              ? writer.add_initializer(x + "_zero_point", onnx::TensorProto::INT8, {}, std::vector<std::int8_t>{0})
              : writer.add_initializer(x + "_zero_point", onnx::TensorProto::UINT8, {}, std::vector<std::uint8_t>{0});
      const std::string q = writer.fresh(x + "_quantized");
      const std::string dq = writer.fresh(x + "_dequantized");
      nodes.push_back(writer.make_node("QuantizeLinear", x, scale, zero, q, -1));
      nodes.push_back(writer.make_node("DequantizeLinear", q, scale, zero, dq, -1));
      dequantized[x] = dq;
    }

    const onnx::TensorProto* weights = writer.initializer(node.input(1));
    if (weights == nullptr || weights->dims_size() != 4) {
      writer.fail(node, "its weights '" + node.input(1) + "' are not a 4-D initializer");
    }
    const std::int64_t out_channels = weights->dims(0);
    const QuantizedWeights q = quantize_weights(writer.floats(*weights, node), out_channels);
    const std::vector<std::int64_t> dims(weights->dims().begin(), weights->dims().end());
    const std::string w_values = writer.add_initializer(node.input(1) + "_quantized", onnx::TensorProto::INT8, dims, q.values);
    const std::string w_scales = writer.add_initializer(node.input(1) + "_scale", onnx::TensorProto::FLOAT, {out_channels}, q.scales);
    const std::string w_zero = writer.add_initializer(node.input(1) + "_zero_point", onnx::TensorProto::INT8, {out_channels},
                                                      std::vector<std::int8_t>(static_cast<std::size_t>(out_channels), 0));
    const std::string w_dq = writer.fresh(node.input(1) + "_dequantized");
    nodes.push_back(writer.make_node("DequantizeLinear", w_values, w_scales, w_zero, w_dq, 0));
    if (node.input_size() >= 3 && !node.input(2).empty()) {
      const onnx::TensorProto* bias = writer.initializer(node.input(2));
      if (bias == nullptr) writer.fail(node, "its bias '" + node.input(2) + "' is not an initializer");
      const std::vector<float> b = writer.floats(*bias, node);
      if (static_cast<std::int64_t>(b.size()) != out_channels) writer.fail(node, "its bias has the wrong size");
      std::vector<std::int32_t> integers(b.size());
      std::vector<float> scales(b.size());
      for (std::size_t c = 0; c < b.size(); ++c) {
        scales[c] = activation.scale * q.scales[c];
        const double v = std::nearbyint(static_cast<double>(b[c]) / scales[c]);
        integers[c] = static_cast<std::int32_t>(std::clamp(v, static_cast<double>(INT32_MIN), static_cast<double>(INT32_MAX)));
      }
      const std::string b_values = writer.add_initializer(node.input(2) + "_quantized", onnx::TensorProto::INT32, {out_channels}, integers);
      const std::string b_scales = writer.add_initializer(node.input(2) + "_scale", onnx::TensorProto::FLOAT, {out_channels}, scales);
      const std::string b_zero = writer.add_initializer(node.input(2) + "_zero_point", onnx::TensorProto::INT32, {out_channels},
                                                        std::vector<std::int32_t>(b.size(), 0));
      const std::string b_dq = writer.fresh(node.input(2) + "_dequantized");
      nodes.push_back(writer.make_node("DequantizeLinear", b_values, b_scales, b_zero, b_dq, 0));
      node.set_input(2, b_dq);
    }
    node.set_input(0, dequantized[x]);
    node.set_input(1, w_dq);
    nodes.push_back(std::move(node));
  }
  graph.clear_node();
  for (auto& node : nodes) *graph.add_node() = std::move(node);
  // The fp32 weights no reader needs any more are dropped (the file shrinks).
  std::set<std::string> read;
  for (const auto& node : graph.node()) {
    for (const auto& input : node.input()) read.insert(input);
  }
  for (const auto& output : graph.output()) read.insert(output.name());
  std::set<std::string> dropped;
  auto* initializers = graph.mutable_initializer();
  initializers->erase(std::remove_if(initializers->begin(), initializers->end(),
                                     [&](const onnx::TensorProto& init) {
                                       if (read.count(init.name()) != 0) return false;
                                       dropped.insert(init.name());
                                       return true;
                                     }),
                      initializers->end());
  auto* inputs = graph.mutable_input();  // old exporters list initializers as inputs too
  inputs->erase(std::remove_if(inputs->begin(), inputs->end(),
                               [&](const onnx::ValueInfoProto& input) { return dropped.count(input.name()) != 0; }),
                inputs->end());
  graph.clear_value_info();
  if (!plan.description.empty()) model.set_doc_string(plan.description);
  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw Error("cannot serialise the QDQ model of '" + source + "'");
  return bytes;
}

}  // namespace r4k::infer
