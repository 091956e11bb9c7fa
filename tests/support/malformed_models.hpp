// Deliberately broken model files for robust-loading tests: each is something
// a careful ONNX loader must reject with a clear message instead of crashing,
// hanging or allocating without bound. (The unknown-operator model is
// write_unsupported_op_model in sr_test_models.hpp.) Each function throws
// std::runtime_error only if it cannot write `path`.
#pragma once

#include <filesystem>

namespace r4k::testing {

// A valid small SRVGG model cut in half (inside a weight's raw_data): protobuf parsing fails.
void write_truncated_model(const std::filesystem::path& path);

// Random bytes behind a non-ONNX header; protobuf parsing of them as a ModelProto fails.
void write_wrong_magic(const std::filesystem::path& path);

// Parses and looks valid, but a conv weight initializer has dims [16, 3, 3, -3].
void write_negative_dims_model(const std::filesystem::path& path);

// A conv weight initializer declaring [1<<20, 1<<20, 3, 3] (~10^13 floats) with only 9 floats of raw_data.
void write_enormous_dims_model(const std::filesystem::path& path);

// A Conv whose weight input names a tensor no initializer, input or node defines.
void write_missing_initializer_model(const std::filesystem::path& path);

// Two nodes feeding each other (Add(input, output) -> Relu -> output): no topological order exists.
void write_cyclic_model(const std::filesystem::path& path);

// A Conv weight [16, 5, 3, 3] (5 input channels) applied to the 3-channel input.
void write_shape_mismatch_model(const std::filesystem::path& path);

// A PRelu slope of 7 values ([7,1,1]) after a conv with 16 output channels: not broadcastable.
void write_inconsistent_prelu_model(const std::filesystem::path& path);

// A small QDQ model: input -> QuantizeLinear 'input_quantize' (uint8) ->
// DequantizeLinear 'input_dequantize' -> Conv 'conv' (3 -> 12, weights int8
// through DequantizeLinear 'weight_dequantize', per output channel, axis 0)
// -> DepthToSpace x2. `fault` breaks it one way (none: a valid model).
enum class QdqFault { none, missing_scale, zero_scale, wrong_axis, zero_point_type };
void write_qdq_model(QdqFault fault, const std::filesystem::path& path);

}  // namespace r4k::testing
