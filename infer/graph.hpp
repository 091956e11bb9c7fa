// The native engine's intermediate representation: an ONNX graph reduced to
// what super-resolution networks use, with constants held as data. Built by
// onnx_import (which validates everything a hostile file could get wrong),
// specialised per input shape by specialize (specialized_graph.hpp).
#pragma once

#include <cstdint>
#include <map>
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
};

// A constant tensor: float (weights) or int64 (shapes, indices).
struct ConstTensor {
  std::vector<std::int64_t> dims;
  bool is_int = false;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;

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
