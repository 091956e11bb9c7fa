#include "infer/quantization.hpp"

#include <cmath>
#include <map>
#include <set>

namespace r4k::infer {

namespace {

bool is_quantized_type(ElementType type) { return type == ElementType::int8 || type == ElementType::uint8; }

// The zero point's type, or the default one: uint8 for QuantizeLinear, the
// data's for DequantizeLinear.
ElementType zero_point_type(const ConstTensor* zero_point, ElementType fallback) {
  return zero_point != nullptr ? zero_point->type : fallback;
}

// The type of the integers a DequantizeLinear reads, when it is known.
struct DataType {
  bool known = false;
  ElementType type = ElementType::float32;
};

void check_parameters(const ResolvedNode& node, const DataType& data, std::size_t rank, bool rank_known) {
  (void)quantization_parameters(node, rank_known ? rank : 4);
  const bool dequantize = node.node().op == OpType::dequantize_linear;
  const Operand* zero = node.optional_input(2);
  const ConstTensor* zero_point = zero != nullptr ? zero->constant : nullptr;
  if (dequantize) {
    if (data.known && data.type == ElementType::float32) {
      node.fail("dequantizes '" + node.input(0).name + "', which is a float tensor, not integers");
    }
    if (data.known && zero_point != nullptr && zero_point->type != data.type) {
      node.fail("its zero point is " + std::string(element_type_name(zero_point->type)) + " but the data '" +
                node.input(0).name + "' is " + element_type_name(data.type));
    }
  } else if (data.known && data.type != ElementType::float32) {
    node.fail("quantizes '" + node.input(0).name + "', which is already " + element_type_name(data.type));
  }
  if (!dequantize && !data.known && node.input(0).is_constant() && node.input(0).constant->is_int) {
    node.fail("quantizes integers");
  }
}

}  // namespace

std::int64_t QuantizationParameters::low() const {
  return type == ElementType::int8 ? -128 : type == ElementType::uint8 ? 0 : INT32_MIN;
}

std::int64_t QuantizationParameters::high() const {
  return type == ElementType::int8 ? 127 : type == ElementType::uint8 ? 255 : INT32_MAX;
}

float QuantizationParameters::quantize(float x, std::size_t slice) const {
  const std::size_t i = per_tensor() ? 0 : slice;
  const float q = std::nearbyint(x / scales[i]) + static_cast<float>(zero_points[i]);
  return std::min(std::max(q, static_cast<float>(low())), static_cast<float>(high()));
}

float QuantizationParameters::dequantize(std::int64_t q, std::size_t slice) const {
  const std::size_t i = per_tensor() ? 0 : slice;
  return static_cast<float>(q - zero_points[i]) * scales[i];
}

const char* element_type_name(ElementType type) {
  switch (type) {
    case ElementType::float32:
      return "float";
    case ElementType::int64:
      return "int64";
    case ElementType::int32:
      return "int32";
    case ElementType::int8:
      return "int8";
    case ElementType::uint8:
      return "uint8";
  }
  return "?";
}

QuantizationParameters quantization_parameters(const ResolvedNode& node, std::size_t rank) {
  const bool dequantize = node.node().op == OpType::dequantize_linear;
  if (node.inputs().size() < 2 || !node.inputs()[1].present()) node.fail("has no scale (input 1 is missing)");
  const Operand& scale_operand = node.inputs()[1];
  if (!scale_operand.is_constant()) node.fail("its scale '" + scale_operand.name + "' must be an initialiser or a constant");
  const ConstTensor& scale = *scale_operand.constant;
  if (scale.is_int) node.fail("its scale '" + scale_operand.name + "' is not a float tensor");
  if (scale.dims.size() > 1) node.fail("its scale '" + scale_operand.name + "' has rank " + std::to_string(scale.dims.size()) + "; 0 or 1 expected");
  if (scale.floats.empty()) node.fail("its scale '" + scale_operand.name + "' is empty");
  QuantizationParameters parameters;
  parameters.scales = scale.floats;
  for (std::size_t i = 0; i < scale.floats.size(); ++i) {
    const float s = scale.floats[i];
    if (!std::isfinite(s) || s <= 0.0f) {
      node.fail("its scale '" + scale_operand.name + "' holds " + std::to_string(s) + (scale.floats.size() > 1 ? " (at " + std::to_string(i) + ")" : "") +
                "; a scale must be positive and finite");
    }
  }
  const Operand* zero_operand = node.optional_input(2);
  const ConstTensor* zero_point = nullptr;
  if (zero_operand != nullptr) {
    if (!zero_operand->is_constant()) node.fail("its zero point '" + zero_operand->name + "' must be an initialiser or a constant");
    zero_point = zero_operand->constant;
    const bool allowed = is_quantized_type(zero_point->type) || (dequantize && zero_point->type == ElementType::int32);
    if (!allowed) {
      node.fail("its zero point '" + zero_operand->name + "' is " + element_type_name(zero_point->type) +
                "; int8 or uint8 expected" + (dequantize ? " (or int32 for a bias)" : ""));
    }
    if (zero_point->elements() != scale.elements()) {
      node.fail("its zero point '" + zero_operand->name + "' has " + std::to_string(zero_point->elements()) +
                " values for " + std::to_string(scale.elements()) + " scales");
    }
  }
  const Operand& data = node.input(0);
  ElementType fallback = ElementType::uint8;
  if (dequantize && data.is_constant() && data.constant->is_int) fallback = data.constant->type;
  parameters.type = zero_point_type(zero_point, fallback);
  if (parameters.type == ElementType::int32 && zero_point != nullptr) {
    for (auto z : zero_point->ints) {
      if (z != 0) node.fail("an int32 dequantization must have zero points of 0");
    }
  }
  parameters.zero_points = zero_point != nullptr ? zero_point->ints
                                                 : std::vector<std::int64_t>(scale.floats.size(), 0);
  if (scale.floats.size() > 1) {
    std::int64_t axis = node.node().int_attribute("axis", 1);
    const auto r = static_cast<std::int64_t>(rank);
    if (axis < -r || axis >= r) {
      node.fail("its axis " + std::to_string(axis) + " is out of range for data of rank " + std::to_string(rank));
    }
    if (axis < 0) axis += r;
    parameters.axis = axis;
    if (data.present() && !data.dims.empty() && data.dims.size() == rank &&
        data.dims[static_cast<std::size_t>(axis)] != static_cast<std::int64_t>(scale.floats.size())) {
      node.fail("has " + std::to_string(scale.floats.size()) + " scales but its data '" + data.name + "' has " +
                std::to_string(data.dims[static_cast<std::size_t>(axis)]) + " slices along axis " + std::to_string(axis) +
                " (wrong axis?)");
    }
  }
  return parameters;
}

void check_quantization_nodes(const Graph& graph) {
  // Constants by name (initialisers and Constant nodes), and the integer type
  // each QuantizeLinear writes.
  std::map<std::string, const ConstTensor*> constants;
  for (const auto& [name, tensor] : graph.constants) constants[name] = &tensor;
  std::map<std::string, ElementType> quantized;
  std::set<std::string> computed;  // every node output
  for (const Node& node : graph.nodes) computed.insert(node.outputs.begin(), node.outputs.end());
  for (const Node& node : graph.nodes) {
    if (node.op == OpType::constant) {
      const auto found = node.attributes.find("value");
      if (found != node.attributes.end() && std::holds_alternative<ConstTensor>(found->second)) {
        constants[node.outputs.at(0)] = &std::get<ConstTensor>(found->second);
      }
      continue;
    }
    if (node.op == OpType::identity && !node.inputs.empty()) {
      const auto type = quantized.find(node.inputs[0]);
      if (type != quantized.end()) quantized[node.outputs.at(0)] = type->second;
      continue;
    }
    if (node.op != OpType::quantize_linear && node.op != OpType::dequantize_linear) continue;
    std::vector<Operand> inputs;
    for (const auto& name : node.inputs) {
      const auto found = constants.find(name);
      if (name.empty()) {
        inputs.emplace_back();
      } else if (found != constants.end()) {
        inputs.push_back(Operand{name, found->second, found->second->dims});
      } else {
        inputs.push_back(Operand{name, nullptr, {}});
      }
    }
    const ResolvedNode resolved(graph.source, node, std::move(inputs));
    if (resolved.inputs().size() >= 2 && resolved.inputs()[1].present() && !resolved.inputs()[1].is_constant()) {
      // A scale computed by other nodes is folded (or refused) when the graph is specialised.
      if (computed.count(resolved.inputs()[1].name) != 0) continue;
    }
    DataType data;
    std::size_t rank = 4;
    bool rank_known = false;
    const Operand& x = resolved.input(0);
    if (x.is_constant()) {
      data = {true, x.constant->is_int ? x.constant->type : ElementType::float32};
      rank = x.constant->dims.size();
      rank_known = true;
    } else if (const auto type = quantized.find(x.name); type != quantized.end()) {
      data = {true, type->second};
    } else if (node.op == OpType::quantize_linear || x.name == graph.input) {
      data = {true, ElementType::float32};
    }
    check_parameters(resolved, data, rank, rank_known);
    if (node.op == OpType::quantize_linear) {
      const Operand* zero = resolved.optional_input(2);
      quantized[node.outputs.at(0)] = zero_point_type(zero != nullptr ? zero->constant : nullptr, ElementType::uint8);
    }
  }
}

bool has_quantized_activations(const Graph& graph) {
  for (const Node& node : graph.nodes) {
    if (node.op == OpType::quantize_linear && !node.inputs.empty() && graph.constants.count(node.inputs[0]) == 0) {
      return true;
    }
  }
  return false;
}

ConstTensor quantize_constant(const ResolvedNode& node) {
  const ConstTensor& x = node.const_input(0);
  if (x.is_int) node.fail("quantizes integers");
  const QuantizationParameters parameters = quantization_parameters(node, x.dims.size());
  ConstTensor result;
  result.dims = x.dims;
  result.is_int = true;
  result.type = parameters.type;
  result.ints.resize(x.floats.size());
  std::int64_t inner = 1;
  for (std::size_t d = static_cast<std::size_t>(parameters.axis) + 1; d < x.dims.size(); ++d) inner *= x.dims[d];
  const std::size_t slices = parameters.scales.size();
  for (std::size_t i = 0; i < x.floats.size(); ++i) {
    const std::size_t slice = slices == 1 ? 0 : (i / static_cast<std::size_t>(inner)) % slices;
    result.ints[i] = static_cast<std::int64_t>(parameters.quantize(x.floats[i], slice));
  }
  return result;
}

ConstTensor dequantize_constant(const ResolvedNode& node) {
  const ConstTensor& x = node.const_input(0);
  if (!x.is_int || (!is_quantized_type(x.type) && x.type != ElementType::int32)) {
    node.fail("dequantizes a " + std::string(element_type_name(x.type)) + " tensor; int8, uint8 or int32 expected");
  }
  const QuantizationParameters parameters = quantization_parameters(node, x.dims.size());
  if (node.optional_input(2) != nullptr && parameters.type != x.type) {
    node.fail("its zero point is " + std::string(element_type_name(parameters.type)) + " but the data '" +
              node.input(0).name + "' is " + element_type_name(x.type));
  }
  ConstTensor result;
  result.dims = x.dims;
  result.floats.resize(x.ints.size());
  std::int64_t inner = 1;
  for (std::size_t d = static_cast<std::size_t>(parameters.axis) + 1; d < x.dims.size(); ++d) inner *= x.dims[d];
  const std::size_t slices = parameters.scales.size();
  auto origin = std::make_shared<QuantizedOrigin>();
  origin->type = x.type;
  origin->values = x.ints;
  origin->scales = parameters.scales;
  origin->zero_points = parameters.zero_points;
  origin->axis = parameters.axis;
  for (std::size_t i = 0; i < x.ints.size(); ++i) {
    const std::size_t slice = slices == 1 ? 0 : (i / static_cast<std::size_t>(inner)) % slices;
    result.floats[i] = parameters.dequantize(x.ints[i], slice);
  }
  result.quantized = std::move(origin);
  return result;
}

}  // namespace r4k::infer
