// The native engine's intermediate representation: an ONNX graph reduced to
// what super-resolution networks use, with constants held as data. Built by
// onnx_import (which validates everything a hostile file could get wrong),
// specialised per input shape by specialize (specialized_graph.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace r4k::infer {

enum class OpType {
  conv,
  conv_transpose,
  relu,
  leaky_relu,
  prelu,
  sigmoid,
  tanh,
  clip,
  add,
  sub,
  mul,
  div,
  concat,
  depth_to_space,
  resize,
  reshape,
  transpose,
  identity,
  shape,
  gather,
  unsqueeze,
  squeeze,
  slice,
  cast,
  constant,
  quantize_linear,    // ONNX QuantizeLinear: saturate(round(x / scale) + zero_point)
  dequantize_linear,  // ONNX DequantizeLinear: (x - zero_point) * scale
};

// The element type a tensor was stored as in the file (integers are held
// as int64 whatever their width; the type says which range they have).
enum class ElementType { float32, int64, int32, int8, uint8 };

struct ConstTensor;

// Where a float constant came from when it is a DequantizeLinear of integer
// data (QDQ weights and biases): the integers, the scales and zero points
// (one, or one per slice along `axis`). An int8 lowering runs on these.
struct QuantizedOrigin {
  ElementType type = ElementType::int8;
  std::vector<std::int64_t> values;
  std::vector<float> scales;
  std::vector<std::int64_t> zero_points;
  std::int64_t axis = 1;  // non-negative; meaningful when scales has more than one value
};

// A constant tensor: float (weights) or integer (shapes, indices, quantized data).
struct ConstTensor {
  std::vector<std::int64_t> dims;
  bool is_int = false;
  ElementType type = ElementType::float32;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  std::shared_ptr<const QuantizedOrigin> quantized;  // set on a folded DequantizeLinear of integers

  std::int64_t elements() const;
  double value(std::size_t i) const { return is_int ? static_cast<double>(ints[i]) : floats[i]; }
};

using Attribute = std::variant<std::int64_t, float, std::string, std::vector<std::int64_t>, std::vector<float>, ConstTensor>;

struct Node {
  OpType op = OpType::identity;
  std::string type;  // the ONNX operator type, for messages
  std::string name;  // the ONNX node name (or a generated one)
  std::vector<std::string> inputs;  // "" = optional input left out
  std::vector<std::string> outputs;
  std::map<std::string, Attribute> attributes;

  std::int64_t int_attribute(const std::string& key, std::int64_t fallback) const;
  float float_attribute(const std::string& key, float fallback) const;
  std::string string_attribute(const std::string& key, const std::string& fallback) const;
  std::vector<std::int64_t> ints_attribute(const std::string& key) const;
  std::string describe() const { return type + " node '" + name + "'"; }
};

struct Graph {
  std::string source;  // file name, for messages
  std::string input;
  std::vector<std::int64_t> input_dims;  // -1 where dynamic
  std::string output;
  std::vector<Node> nodes;  // in topological order
  std::map<std::string, ConstTensor> constants;
};

// The ONNX operator types the native engine knows.
const std::map<std::string, OpType>& supported_operators();

}  // namespace r4k::infer
