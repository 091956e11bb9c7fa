#include "infer/onnx_import.hpp"

#include <climits>
#include <cstring>
#include <fstream>
#include <set>

#include <onnx/onnx_pb.h>

#include "core/error.hpp"
#include "infer/quantization.hpp"

namespace r4k::infer {
namespace {

// No tensor in an SR model comes near this; it bounds what a forged header
// can make the loader allocate.
constexpr std::int64_t kMaxElements = std::int64_t{1} << 28;

[[noreturn]] void fail(const std::string& source, const std::string& message) {
  throw InputError("ONNX model '" + source + "': " + message);
}

std::string dims_text(const std::vector<std::int64_t>& dims) {
  std::string text = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

ConstTensor read_tensor(const onnx::TensorProto& proto, const std::string& source, const std::string& what) {
  ConstTensor tensor;
  std::int64_t count = 1;
  for (const auto dim : proto.dims()) {
    if (dim < 0) fail(source, what + " has a negative dimension (" + std::to_string(dim) + ")");
    tensor.dims.push_back(dim);
    if (dim != 0 && count > kMaxElements / dim) {
      fail(source, what + " declares an enormous shape " + dims_text(tensor.dims) + "...");
    }
    count *= dim;
  }
  if (proto.has_data_location() && proto.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
    fail(source, what + " keeps its data in an external file, which is not supported");
  }
  const auto expect = [&](std::size_t held) {
    if (static_cast<std::int64_t>(held) != count) {
      fail(source, what + " declares " + dims_text(tensor.dims) + " (" + std::to_string(count) +
                       " values) but holds " + std::to_string(held));
    }
  };
  const std::size_t n = static_cast<std::size_t>(count);
  switch (proto.data_type()) {
    case onnx::TensorProto_DataType_FLOAT:
      if (!proto.raw_data().empty()) {
        if (proto.raw_data().size() % sizeof(float) != 0) fail(source, what + " has raw data of a partial float");
        expect(proto.raw_data().size() / sizeof(float));
        tensor.floats.resize(n);
        std::memcpy(tensor.floats.data(), proto.raw_data().data(), n * sizeof(float));
      } else {
        expect(static_cast<std::size_t>(proto.float_data_size()));
        tensor.floats.assign(proto.float_data().begin(), proto.float_data().end());
      }
      break;
    case onnx::TensorProto_DataType_INT64:
      tensor.is_int = true;
      tensor.type = ElementType::int64;
      if (!proto.raw_data().empty()) {
        if (proto.raw_data().size() % sizeof(std::int64_t) != 0) fail(source, what + " has raw data of a partial int64");
        expect(proto.raw_data().size() / sizeof(std::int64_t));
        tensor.ints.resize(n);
        std::memcpy(tensor.ints.data(), proto.raw_data().data(), n * sizeof(std::int64_t));
      } else {
        expect(static_cast<std::size_t>(proto.int64_data_size()));
        tensor.ints.assign(proto.int64_data().begin(), proto.int64_data().end());
      }
      break;
    case onnx::TensorProto_DataType_INT32:
      tensor.is_int = true;
      tensor.type = ElementType::int32;
      if (!proto.raw_data().empty()) {
        if (proto.raw_data().size() % sizeof(std::int32_t) != 0) fail(source, what + " has raw data of a partial int32");
        expect(proto.raw_data().size() / sizeof(std::int32_t));
        std::vector<std::int32_t> values(n);
        std::memcpy(values.data(), proto.raw_data().data(), n * sizeof(std::int32_t));
        tensor.ints.assign(values.begin(), values.end());
      } else {
        expect(static_cast<std::size_t>(proto.int32_data_size()));
        tensor.ints.assign(proto.int32_data().begin(), proto.int32_data().end());
      }
      break;
    case onnx::TensorProto_DataType_INT8:
    case onnx::TensorProto_DataType_UINT8: {
      // Quantized data: one byte per value in raw_data, or widened in int32_data.
      const bool is_signed = proto.data_type() == onnx::TensorProto_DataType_INT8;
      tensor.is_int = true;
      tensor.type = is_signed ? ElementType::int8 : ElementType::uint8;
      if (!proto.raw_data().empty()) {
        expect(proto.raw_data().size());
        tensor.ints.resize(n);
        const auto* bytes = reinterpret_cast<const unsigned char*>(proto.raw_data().data());
        for (std::size_t i = 0; i < n; ++i) {
          tensor.ints[i] = is_signed ? static_cast<std::int64_t>(static_cast<std::int8_t>(bytes[i])) : bytes[i];
        }
      } else {
        expect(static_cast<std::size_t>(proto.int32_data_size()));
        const std::int64_t low = is_signed ? -128 : 0;
        const std::int64_t high = is_signed ? 127 : 255;
        for (const auto value : proto.int32_data()) {
          if (value < low || value > high) {
            fail(source, what + " holds " + std::to_string(value) + ", outside the range of its " +
                             (is_signed ? "int8" : "uint8") + " type");
          }
          tensor.ints.push_back(value);
        }
      }
      break;
    }
    default:
      fail(source, what + " has data type " + std::to_string(proto.data_type()) +
                       "; only float, int8, uint8, int32 and int64 tensors are supported");
  }
  return tensor;
}

Attribute read_attribute(const onnx::AttributeProto& attribute, const std::string& source, const std::string& node) {
  switch (attribute.type()) {
    case onnx::AttributeProto_AttributeType_INT:
      return attribute.i();
    case onnx::AttributeProto_AttributeType_FLOAT:
      return attribute.f();
    case onnx::AttributeProto_AttributeType_STRING:
      return attribute.s();
    case onnx::AttributeProto_AttributeType_INTS:
      return std::vector<std::int64_t>(attribute.ints().begin(), attribute.ints().end());
    case onnx::AttributeProto_AttributeType_FLOATS:
      return std::vector<float>(attribute.floats().begin(), attribute.floats().end());
    case onnx::AttributeProto_AttributeType_TENSOR:
      return read_tensor(attribute.t(), source, node + " attribute '" + attribute.name() + "'");
    default:
      return std::int64_t{0};  // graphs and other kinds: not used by supported operators
  }
}

// Kahn's algorithm; a node left over sits on a cycle.
std::vector<Node> topological_order(std::vector<Node> nodes, const std::set<std::string>& available,
                                    const std::string& source) {
  std::map<std::string, std::size_t> producer;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (const auto& output : nodes[i].outputs) {
      if (output.empty()) continue;
      if (producer.count(output) || available.count(output)) {
        fail(source, nodes[i].describe() + " writes '" + output + "', which is already defined");
      }
      producer[output] = i;
    }
  }
  std::vector<int> waiting(nodes.size(), 0);
  std::vector<std::vector<std::size_t>> consumers(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (const auto& input : nodes[i].inputs) {
      if (input.empty() || available.count(input)) continue;
      const auto found = producer.find(input);
      if (found == producer.end()) {
        fail(source, nodes[i].describe() + " reads '" + input +
                         "', which no initialiser, graph input or node defines (missing initialiser?)");
      }
      ++waiting[i];
      consumers[found->second].push_back(i);
    }
  }
  std::vector<std::size_t> ready;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (waiting[i] == 0) ready.push_back(i);
  }
  std::vector<Node> ordered;
  ordered.reserve(nodes.size());
  for (std::size_t next = 0; next < ready.size(); ++next) {
    const std::size_t i = ready[next];
    for (std::size_t consumer : consumers[i]) {
      if (--waiting[consumer] == 0) ready.push_back(consumer);
    }
    ordered.push_back(std::move(nodes[i]));
  }
  if (ordered.size() != nodes.size()) {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (waiting[i] > 0) fail(source, "the graph has a cycle through " + nodes[i].describe());
    }
  }
  return ordered;
}

}  // namespace

Graph import_onnx(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw InputError("cannot open model file '" + path.string() + "'");
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return import_onnx_bytes(bytes, path.string());
}

Graph import_onnx_bytes(std::string_view bytes, const std::string& source_name) {
  const std::string& source = source_name;
  if (bytes.empty()) fail(source, "the file is empty");
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) fail(source, "the file is larger than 2 GB");
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    fail(source, "not a valid ONNX model (protobuf parse failed: truncated or not ONNX)");
  }
  if (!model.has_graph() || model.graph().node_size() == 0) fail(source, "the model has no graph nodes");
  const onnx::GraphProto& proto = model.graph();

  Graph graph;
  graph.source = source;
  for (const auto& initialiser : proto.initializer()) {
    if (initialiser.name().empty()) fail(source, "an initialiser has no name");
    graph.constants[initialiser.name()] = read_tensor(initialiser, source, "initialiser '" + initialiser.name() + "'");
  }
  for (const auto& input : proto.input()) {
    if (graph.constants.count(input.name())) continue;
    if (!graph.input.empty()) fail(source, "the graph has more than one input ('" + graph.input + "', '" + input.name() + "')");
    graph.input = input.name();
    if (input.type().has_tensor_type() && input.type().tensor_type().has_shape()) {
      for (const auto& dim : input.type().tensor_type().shape().dim()) {
        graph.input_dims.push_back(dim.has_dim_value() && dim.dim_value() > 0 ? dim.dim_value() : -1);
      }
    }
  }
  if (graph.input.empty()) fail(source, "the graph has no input");
  if (!graph.input_dims.empty() && graph.input_dims.size() != 4) {
    fail(source, "input '" + graph.input + "' has " + std::to_string(graph.input_dims.size()) +
                     " dimensions; a super-resolution model takes 4 (NCHW)");
  }
  if (proto.output_size() == 0) fail(source, "the graph has no output");
  graph.output = proto.output(proto.output_size() - 1).name();

  std::vector<Node> nodes;
  int unnamed = 0;
  for (const auto& proto_node : proto.node()) {
    Node node;
    node.type = proto_node.op_type();
    node.name = proto_node.name().empty() ? node.type + "_" + std::to_string(unnamed++) : proto_node.name();
    if (!proto_node.domain().empty() && proto_node.domain() != "ai.onnx") {
      fail(source, "unsupported operator '" + proto_node.domain() + "::" + node.type + "' (node '" + node.name + "')");
    }
    const auto found = supported_operators().find(node.type);
    if (found == supported_operators().end()) {
      fail(source, "unsupported operator '" + node.type + "' (node '" + node.name + "')");
    }
    node.op = found->second;
    node.inputs.assign(proto_node.input().begin(), proto_node.input().end());
    node.outputs.assign(proto_node.output().begin(), proto_node.output().end());
    if (node.outputs.empty()) fail(source, node.describe() + " has no output");
    for (const auto& attribute : proto_node.attribute()) {
      node.attributes[attribute.name()] = read_attribute(attribute, source, node.describe());
    }
    nodes.push_back(std::move(node));
  }
  std::set<std::string> available{graph.input};
  for (const auto& [name, tensor] : graph.constants) available.insert(name);
  graph.nodes = topological_order(std::move(nodes), available, source);
  bool output_defined = available.count(graph.output) > 0;
  for (const auto& node : graph.nodes) {
    for (const auto& output : node.outputs) output_defined |= output == graph.output;
  }
  if (!output_defined) fail(source, "the graph output '" + graph.output + "' is not produced by any node");
  check_quantization_nodes(graph);
  return graph;
}

}  // namespace r4k::infer
