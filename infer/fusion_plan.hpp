// The fusion plan of a specialised graph: which runtime operations run as
// one step. Backend-independent and maximal: each Conv/ConvTranspose absorbs
// the longest chain of single-use followers that can be applied to its output
// as it is written (activations, per-channel or scalar constants, a residual
// add); pixel shuffles (DepthToSpace, Reshape -> Transpose -> Reshape) and
// other transposes become one permutation of plain data. A backend's
// lowering decides how much of a group it fuses and runs the rest as
// separate steps.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "infer/graph.hpp"
#include "infer/quantization.hpp"
#include "infer/shape_inference.hpp"
#include "infer/specialized_graph.hpp"

namespace r4k::infer {

// One operation applied to a convolution's output, element by element.
struct PostOp {
  enum class Kind {
    relu,
    leaky_relu,  // x >= 0 ? x : alpha * x
    sigmoid,
    tanh,
    clip,          // min(max(x, low), high)
    prelu,         // x >= 0 ? x : values[c] * x
    mul,           // x * values[c]
    add,           // x + values[c]
    sub,           // x - values[c]
    residual_add,  // x + residual, a runtime tensor of the output's dims
  };
  Kind kind = Kind::relu;
  float alpha = 0.0f;          // leaky_relu
  float low = 0.0f;            // clip
  float high = 0.0f;           // clip
  std::vector<float> values;   // prelu, mul, add, sub: one value, or one per output channel
  std::string residual;        // residual_add: the value added
  const Node* node = nullptr;  // the node it comes from
  std::string output;          // the value it computes in the graph

  bool per_channel() const { return values.size() > 1; }
};

// A pixel shuffle (DepthToSpace) of a convolution group's result, and
// optionally a nearest-upsampled tensor added after it: the tail of most SR
// networks (last convolution, pixel shuffle, upsampled input added), which a
// lowering can write in one pass.
struct ShuffledOutput {
  std::int64_t block = 0;  // 0: no shuffle
  bool crd = false;
  std::string upsampled;     // the value upsampled and added; "" for none
  std::int64_t upsample = 0;  // its nearest-neighbour factor (each side)
  Dims upsampled_dims;
  Dims dims;  // the result's
  std::vector<const Node*> nodes;  // the nodes it stands for
};

// A tensor a quantized convolution group reads or writes as integers: the
// value (a QuantizeLinear's output) and its parameters (one scale).
struct QuantizedTensor {
  std::string value;
  QuantizationParameters parameters;
};

// The integer side of a convolution group of a QDQ graph: its input read as
// the integers of the QuantizeLinear -> DequantizeLinear pair before it, its
// weights as int8 (symmetric, one scale per output channel or one for all),
// and, when a QuantizeLinear alone reads its result, that result written as
// integers (the QuantizeLinear absorbed).
struct GroupQuantization {
  QuantizedTensor input;
  const QuantizedOrigin* weights = nullptr;
  std::optional<QuantizedTensor> output;
};

// A convolution with the post-ops it absorbs, in order.
struct ConvolutionGroup {
  const Node* node = nullptr;  // the Conv or ConvTranspose
  ConvolutionShape shape;
  std::string input;                     // the runtime value convolved
  const ConstTensor* weights = nullptr;  // ONNX layout (convolution_shape)
  const ConstTensor* bias = nullptr;     // out_channels values, or none
  std::vector<PostOp> post_ops;
  ShuffledOutput shuffle;  // applied after the post-ops
  std::string output;  // the value the group computes: the shuffle's, its last post-op's, else the convolution's
  // Set in an int8 plan when the group runs on integers; `input` and, when
  // the output is quantized, `output` then name the integer values.
  std::optional<GroupQuantization> quantized;
};

// output = transpose(reshape(input, view_dims), perm) over plain (row-major)
// data, read as output_dims. From DepthToSpace (as_depth_to_space tells
// which), Transpose, and a Reshape before / after a Transpose.
struct Permute {
  std::string input;
  Dims input_dims;
  Permutation permutation;
  std::string output;
  Dims output_dims;
  std::vector<const Node*> nodes;  // the nodes it stands for
};

// A step of the plan: a convolution group, a permutation, or one operation
// of the specialised graph run as it is.
using PlanStep = std::variant<ConvolutionGroup, Permute, const Operation*>;

// The precision a plan runs a QDQ graph in: fp32 runs QuantizeLinear and
// DequantizeLinear as what they compute on floats (the model's own numbers,
// no integer kernel); int8 runs each convolution between a DequantizeLinear
// pair on integers (an operator with no int8 path stays in fp32, with one
// conversion each side).
enum class Precision { fp32, int8 };

struct FusionPlan {
  std::vector<PlanStep> steps;  // in an order that computes every input before it is read
  Precision precision = Precision::fp32;
};


// The plan for `graph` (which it points into: it must outlive the plan).
FusionPlan plan_fusions(const SpecializedGraph& graph, Precision precision = Precision::fp32);

}  // namespace r4k::infer
