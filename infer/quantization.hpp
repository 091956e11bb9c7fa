// The QDQ rules: what QuantizeLinear and DequantizeLinear nodes mean and the
// checks a hostile or broken file fails (no scale, a scale that is zero,
// negative or not finite, an axis that does not match the scales, a zero
// point of another type than the data, integers outside their type's range).
// Errors name the node: "ONNX model 'FILE': QuantizeLinear node 'NAME': ...".
//
// Quantize: q = saturate(round_half_even(x / scale) + zero_point), int8
// [-128, 127] or uint8 [0, 255] (the zero point's type; uint8 without one).
// Dequantize: x = (q - zero_point) * scale, also from int32 (biases).
#pragma once

#include <cstdint>
#include <vector>

#include "infer/graph.hpp"
#include "infer/shape_inference.hpp"

namespace r4k::infer {

// The checked parameters of one QuantizeLinear / DequantizeLinear node.
struct QuantizationParameters {
  ElementType type = ElementType::uint8;  // the integer side's type
  std::vector<float> scales;             // one, or one per slice along `axis`
  std::vector<std::int64_t> zero_points;  // as many as scales
  std::int64_t axis = 1;                  // non-negative (per-axis only)

  bool per_tensor() const { return scales.size() == 1; }
  std::int64_t low() const;   // the integer type's range
  std::int64_t high() const;
  // One value quantized or dequantized with the parameters of slice `slice`.
  float quantize(float x, std::size_t slice = 0) const;
  float dequantize(std::int64_t q, std::size_t slice = 0) const;
};

// "int8", "uint8", ...
const char* element_type_name(ElementType type);

// The parameters of `node` (a QuantizeLinear or DequantizeLinear) whose data
// input has rank `rank`, checked (the scale and zero point must be constants).
QuantizationParameters quantization_parameters(const ResolvedNode& node, std::size_t rank);

// Every Q/DQ node of `graph` whose parameters are initialisers, checked
// against its data (a constant's type and dims; a runtime value's producer):
// what the importer runs so that a malformed QDQ file is refused on loading.
void check_quantization_nodes(const Graph& graph);

// True when `graph` quantizes a runtime tensor (a QuantizeLinear of something
// other than an initializer): a QDQ model, as opposed to an fp32 one (whose
// weights alone may be stored as integers).
bool has_quantized_activations(const Graph& graph);

// QuantizeLinear / DequantizeLinear of a constant: the integers (typed), or
// the floats with their QuantizedOrigin kept.
ConstTensor quantize_constant(const ResolvedNode& node);
ConstTensor dequantize_constant(const ResolvedNode& node);

}  // namespace r4k::infer
