// The ONNX shape and attribute rules of the operators the native engine runs
// on image tensors, with no backend in them: given a node and its inputs
// resolved for one input shape (constants as data, runtime tensors as dims),
// the attributes resolved to what they mean (pads after auto_pad, kernel,
// channels, group, output dims, multiply-adds) and the checks that reject
// what the engine cannot run. Used by constant_folding, specialized_graph and
// fusion_plan, and by every backend's lowering.
//
// Errors are InputError naming the model file and the node:
// "ONNX model 'FILE': TYPE node 'NAME': MESSAGE".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "infer/graph.hpp"

namespace r4k::infer {

using Dims = std::vector<std::int64_t>;

std::int64_t product(const Dims& dims);
// "[1, 3, 20, 24]", for messages.
std::string dims_text(const Dims& dims);

// Throws the InputError for `node` of the model file `source`.
[[noreturn]] void throw_node_error(const std::string& source, const Node& node, const std::string& message);

// One input of a node, resolved: absent (an optional input left out), a
// constant, or a runtime tensor of known dims.
struct Operand {
  std::string name;                       // the value's name; "" when absent
  const ConstTensor* constant = nullptr;  // set for a constant
  Dims dims;                              // a runtime tensor's dims; a constant's own dims

  bool present() const { return !name.empty(); }
  bool is_constant() const { return constant != nullptr; }
};

// A node with its inputs resolved, and the model file its errors name. Holds
// pointers to the node and the file name: they must outlive it.
class ResolvedNode {
 public:
  ResolvedNode(const std::string& source, const Node& node, std::vector<Operand> inputs);

  const Node& node() const { return *node_; }
  const std::string& source() const { return *source_; }
  const std::vector<Operand>& inputs() const { return inputs_; }

  // nullptr when input `index` is absent.
  const Operand* optional_input(std::size_t index) const;
  // Input `index`, which must be present.
  const Operand& input(std::size_t index) const;
  // Input `index`, which must be a runtime tensor.
  const Operand& runtime_input(std::size_t index) const;
  // Input `index`, which must be a constant.
  const ConstTensor& const_input(std::size_t index) const;

  [[noreturn]] void fail(const std::string& message) const;

 private:
  const std::string* source_;
  const Node* node_;
  std::vector<Operand> inputs_;
};

// A constant that broadcasts over the channels of a 4-D tensor: {1, 1, 1, 1}
// for a single value, {1, C, 1, 1} for one value per channel, empty when it
// does neither.
Dims channel_broadcast_dims(const ConstTensor& tensor, std::int64_t channels);

// Conv and ConvTranspose (2-D), attributes resolved.
struct ConvolutionShape {
  bool transposed = false;
  std::int64_t group = 1;
  std::int64_t in_channels = 0;
  std::int64_t out_channels = 0;
  std::int64_t kernel_h = 0;
  std::int64_t kernel_w = 0;
  Dims strides{1, 1};
  Dims dilations{1, 1};       // ONNX meaning: 1 = dense
  Dims pads{0, 0, 0, 0};      // top, left, bottom, right, with auto_pad applied
  Dims output_padding{0, 0};  // ConvTranspose only
  Dims src_dims;
  Dims dst_dims;
  std::int64_t macs = 0;  // multiply-adds of one run
};
// Inputs: X (runtime), W (constant, ONNX layout: Conv [Cout, Cin/g, kh, kw],
// ConvTranspose [Cin, Cout/g, kh, kw]), optional B (constant, Cout values).
ConvolutionShape convolution_shape(const ResolvedNode& node);

// Resize (opsets 10 and 11+) and Upsample: spatial only.
enum class ResizeMode { nearest, linear };
struct ResizeShape {
  Dims dst_dims;
  ResizeMode mode = ResizeMode::nearest;
};
ResizeShape resize_shape(const ResolvedNode& node);

// Reshape's target dims for data of dims `from` (0 copies the input's
// dimension, one -1 is inferred); the shape is the constant input 1.
Dims reshape_dims(const ResolvedNode& node, const Dims& from);

// Transpose's permutation (reversed axes when `perm` is absent), checked
// against the input's rank.
Dims transpose_permutation(const ResolvedNode& node);
// dims[perm[i]] for each i; `perm` must be a permutation of dims' axes.
Dims permuted_dims(const Dims& dims, const Dims& perm);

// DepthToSpace: blocksize and mode (DCR, the default, or CRD).
struct DepthToSpace {
  std::int64_t block = 1;
  bool crd = false;
};
DepthToSpace depth_to_space_attributes(const ResolvedNode& node);
// [N, C, H, W] -> [N, C / (block * block), H * block, W * block].
Dims depth_to_space_dims(const Dims& src_dims, const DepthToSpace& d2s);
// DepthToSpace as a permutation of its input viewed in 6-D: out =
// transpose(reshape(in, view), perm) read as depth_to_space_dims. DCR views
// [N, s, s, C, H, W] and permutes {0, 3, 4, 1, 5, 2}; CRD views
// [N, C, s, s, H, W] and permutes {0, 1, 4, 2, 5, 3}.
struct Permutation {
  Dims view_dims;
  Dims perm;
};
Permutation depth_to_space_permutation(const Dims& src_dims, const DepthToSpace& d2s);
// The DepthToSpace a permutation of plain data is, if it is one.
std::optional<DepthToSpace> as_depth_to_space(const Permutation& permutation);

// Concat of runtime tensors: the axis (made non-negative) and the result's dims.
struct ConcatShape {
  std::int64_t axis = 1;
  Dims dst_dims;
};
ConcatShape concat_shape(const ResolvedNode& node);

// Add/Sub/Mul/Div with a runtime operand: two tensors of the same dims, or a
// 4-D tensor and a scalar or per-channel float constant.
Dims binary_dims(const ResolvedNode& node);

// PRelu of a 4-D tensor with constant float slopes, one or one per channel.
Dims prelu_dims(const ResolvedNode& node);

// Clip's bounds: the min/max attributes (opset < 11) or the constant scalar
// inputs 1 and 2 (opset 11+); unbounded where absent.
std::pair<float, float> clip_bounds(const ResolvedNode& node);

// The dims of the runtime tensor a node computes from runtime inputs
// (convolutions, activations, arithmetic, concat, resize, reshape, transpose,
// depth to space).
Dims output_dims(const ResolvedNode& node);

}  // namespace r4k::infer
