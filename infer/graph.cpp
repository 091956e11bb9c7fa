#include "infer/graph.hpp"

namespace r4k::infer {

std::int64_t ConstTensor::elements() const {
  std::int64_t count = 1;
  for (auto d : dims) count *= d;
  return count;
}

std::int64_t Node::int_attribute(const std::string& key, std::int64_t fallback) const {
  const auto found = attributes.find(key);
  if (found == attributes.end()) return fallback;
  if (const auto* value = std::get_if<std::int64_t>(&found->second)) return *value;
  return fallback;
}

float Node::float_attribute(const std::string& key, float fallback) const {
  const auto found = attributes.find(key);
  if (found == attributes.end()) return fallback;
  if (const auto* value = std::get_if<float>(&found->second)) return *value;
  if (const auto* integer = std::get_if<std::int64_t>(&found->second)) return static_cast<float>(*integer);
  return fallback;
}

std::string Node::string_attribute(const std::string& key, const std::string& fallback) const {
  const auto found = attributes.find(key);
  if (found == attributes.end()) return fallback;
  if (const auto* value = std::get_if<std::string>(&found->second)) return *value;
  return fallback;
}

std::vector<std::int64_t> Node::ints_attribute(const std::string& key) const {
  const auto found = attributes.find(key);
  if (found == attributes.end()) return {};
  if (const auto* value = std::get_if<std::vector<std::int64_t>>(&found->second)) return *value;
  return {};
}

const std::map<std::string, OpType>& supported_operators() {
  static const std::map<std::string, OpType> table = {
      {"Conv", OpType::conv},
      {"ConvTranspose", OpType::conv_transpose},
      {"Relu", OpType::relu},
      {"LeakyRelu", OpType::leaky_relu},
      {"PRelu", OpType::prelu},
      {"Sigmoid", OpType::sigmoid},
      {"Tanh", OpType::tanh},
      {"Clip", OpType::clip},
      {"Add", OpType::add},
      {"Sub", OpType::sub},
      {"Mul", OpType::mul},
      {"Div", OpType::div},
      {"Concat", OpType::concat},
      {"DepthToSpace", OpType::depth_to_space},
      {"Resize", OpType::resize},
      {"Upsample", OpType::resize},
      {"Reshape", OpType::reshape},
      {"Transpose", OpType::transpose},
      {"Identity", OpType::identity},
      {"QuantizeLinear", OpType::quantize_linear},
      {"DequantizeLinear", OpType::dequantize_linear},
      {"Dropout", OpType::identity},
      {"Shape", OpType::shape},
      {"Gather", OpType::gather},
      {"Unsqueeze", OpType::unsqueeze},
      {"Squeeze", OpType::squeeze},
      {"Slice", OpType::slice},
      {"Cast", OpType::cast},
      {"Constant", OpType::constant},
  };
  return table;
}

}  // namespace r4k::infer
