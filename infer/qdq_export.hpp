// Writing a QDQ model: an fp32 ONNX model with QuantizeLinear ->
// DequantizeLinear pairs on the activations a calibration chose scales for,
// and, for each Conv reading one of them, its weights as symmetric int8 with
// one scale per output channel and its bias as int32 in accumulator units
// (scale = activation scale x weight scale), each through a
// DequantizeLinear: the standard QDQ form that ONNX tools read and ONNX
// Runtime runs. Convolutions whose input has no scale stay fp32.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace r4k::infer {

// One activation's quantization: per tensor, zero point 0; uint8 for a
// tensor with no negative values, int8 (symmetric) otherwise.
struct ActivationScale {
  float scale = 1.0f;
  bool is_signed = false;
};

struct QdqExport {
  std::map<std::string, ActivationScale> activations;  // by value name
  std::string description;  // the model's doc_string: how it was made
};

// The model at `model` as a QDQ model (serialised ONNX). Throws InputError
// naming the file and node it cannot quantize (opset below 13, weights that
// are not an initializer).
std::string export_qdq_model(const std::filesystem::path& model, const QdqExport& plan);

}  // namespace r4k::infer
