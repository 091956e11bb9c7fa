#include "infer/shape_inference.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "core/error.hpp"
#include "infer/quantization.hpp"

namespace r4k::infer {

std::int64_t product(const Dims& dims) {
  return std::accumulate(dims.begin(), dims.end(), std::int64_t{1}, std::multiplies<>());
}

std::string dims_text(const Dims& dims) {
  std::string text = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

void throw_node_error(const std::string& source, const Node& node, const std::string& message) {
  throw InputError("ONNX model '" + source + "': " + node.describe() + ": " + message);
}

ResolvedNode::ResolvedNode(const std::string& source, const Node& node, std::vector<Operand> inputs)
    : source_(&source), node_(&node), inputs_(std::move(inputs)) {}

void ResolvedNode::fail(const std::string& message) const { throw_node_error(*source_, *node_, message); }

const Operand* ResolvedNode::optional_input(std::size_t index) const {
  if (index >= inputs_.size() || !inputs_[index].present()) return nullptr;
  return &inputs_[index];
}

const Operand& ResolvedNode::input(std::size_t index) const {
  const Operand* operand = optional_input(index);
  if (operand == nullptr) fail("input " + std::to_string(index) + " is missing");
  return *operand;
}

const Operand& ResolvedNode::runtime_input(std::size_t index) const {
  const Operand& operand = input(index);
  if (operand.is_constant()) fail("input '" + operand.name + "' is a constant where an image tensor is expected");
  return operand;
}

const ConstTensor& ResolvedNode::const_input(std::size_t index) const {
  const Operand& operand = input(index);
  if (!operand.is_constant()) fail("input '" + operand.name + "' must be a constant (weights, shape, scales)");
  return *operand.constant;
}

Dims channel_broadcast_dims(const ConstTensor& tensor, std::int64_t channels) {
  const std::int64_t n = tensor.elements();
  if (n == 1) return {1, 1, 1, 1};
  if (n != channels) return {};
  for (std::size_t i = 0; i + 3 < tensor.dims.size(); ++i) {
    if (tensor.dims[i] != 1) return {};
  }
  return {1, channels, 1, 1};
}

ConvolutionShape convolution_shape(const ResolvedNode& node) {
  ConvolutionShape shape;
  shape.transposed = node.node().op == OpType::conv_transpose;
  const bool transposed = shape.transposed;
  const Dims& src = node.runtime_input(0).dims;
  const ConstTensor& weight = node.const_input(1);
  const ConstTensor* bias = node.optional_input(2) != nullptr ? &node.const_input(2) : nullptr;
  if (src.size() != 4) node.fail("input is not 4-D " + dims_text(src));
  if (weight.dims.size() != 4) node.fail("weights are not 4-D " + dims_text(weight.dims));
  const std::int64_t group = node.node().int_attribute("group", 1);
  const std::int64_t channels = src[1];
  if (group < 1 || channels % group != 0) {
    node.fail("group " + std::to_string(group) + " does not divide " + std::to_string(channels) + " channels");
  }
  const std::int64_t in_per_group = transposed ? weight.dims[0] / group : weight.dims[1];
  const std::int64_t expected = transposed ? weight.dims[0] : weight.dims[1] * group;
  if (expected != channels || in_per_group * group != channels) {
    node.fail("weights " + dims_text(weight.dims) + " expect " + std::to_string(expected) +
              " input channels, the input has " + std::to_string(channels));
  }
  const std::int64_t out_channels = transposed ? weight.dims[1] * group : weight.dims[0];
  if (bias != nullptr && bias->elements() != out_channels) {
    node.fail("bias has " + std::to_string(bias->elements()) + " values for " + std::to_string(out_channels) +
              " output channels");
  }
  const std::int64_t kh = weight.dims[2];
  const std::int64_t kw = weight.dims[3];
  Dims strides = node.node().ints_attribute("strides");
  Dims dilations = node.node().ints_attribute("dilations");
  Dims pads = node.node().ints_attribute("pads");
  if (strides.empty()) strides = {1, 1};
  if (dilations.empty()) dilations = {1, 1};
  if (pads.empty()) pads = {0, 0, 0, 0};
  const std::string auto_pad = node.node().string_attribute("auto_pad", "NOTSET");
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    if (dilations.size() != 2) node.fail("only 2-D convolutions are supported");
    const std::int64_t ph = (kh - 1) * dilations[0];
    const std::int64_t pw = (kw - 1) * dilations[1];
    pads = auto_pad == "SAME_UPPER" ? Dims{ph / 2, pw / 2, ph - ph / 2, pw - pw / 2}
                                    : Dims{ph - ph / 2, pw - pw / 2, ph / 2, pw / 2};
  }
  if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4)
    node.fail("only 2-D convolutions are supported");
  Dims output_padding = node.node().ints_attribute("output_padding");
  if (output_padding.empty()) output_padding = {0, 0};
  if (output_padding.size() != 2) node.fail("only 2-D convolutions are supported");

  std::int64_t oh = 0;
  std::int64_t ow = 0;
  if (transposed) {
    oh = (src[2] - 1) * strides[0] - pads[0] - pads[2] + (kh - 1) * dilations[0] + 1 + output_padding[0];
    ow = (src[3] - 1) * strides[1] - pads[1] - pads[3] + (kw - 1) * dilations[1] + 1 + output_padding[1];
  } else {
    oh = (src[2] + pads[0] + pads[2] - (kh - 1) * dilations[0] - 1) / strides[0] + 1;
    ow = (src[3] + pads[1] + pads[3] - (kw - 1) * dilations[1] - 1) / strides[1] + 1;
  }
  if (oh < 1 || ow < 1) node.fail("the output would be empty for input " + dims_text(src));
  shape.group = group;
  shape.in_channels = channels;
  shape.out_channels = out_channels;
  shape.kernel_h = kh;
  shape.kernel_w = kw;
  shape.strides = strides;
  shape.dilations = dilations;
  shape.pads = pads;
  shape.output_padding = output_padding;
  shape.src_dims = src;
  shape.dst_dims = {src[0], out_channels, oh, ow};
  shape.macs = transposed ? src[0] * src[2] * src[3] * channels * (out_channels / group) * kh * kw
                          : product(shape.dst_dims) * in_per_group * kh * kw;
  return shape;
}

ResizeShape resize_shape(const ResolvedNode& node) {
  const Dims& src = node.runtime_input(0).dims;
  if (src.size() != 4) node.fail("input is not 4-D");
  ResizeShape shape;
  shape.dst_dims = src;
  // Upsample(X, scales); Resize-10(X, scales); Resize-11+(X, roi, scales, sizes).
  const ConstTensor* scales = nullptr;
  const ConstTensor* sizes = nullptr;
  if (node.node().type == "Upsample" || node.inputs().size() == 2) {
    scales = &node.const_input(1);
  } else {
    if (node.optional_input(2) != nullptr && node.const_input(2).elements() > 0) scales = &node.const_input(2);
    if (node.optional_input(3) != nullptr && node.const_input(3).elements() > 0) sizes = &node.const_input(3);
  }
  Dims& dst = shape.dst_dims;
  if (sizes != nullptr && sizes->elements() == 4) {
    for (std::size_t i = 0; i < 4; ++i) dst[i] = static_cast<std::int64_t>(sizes->value(i));
  } else if (scales != nullptr && scales->elements() == 4) {
    for (std::size_t i = 0; i < 4; ++i) {
      dst[i] = static_cast<std::int64_t>(std::floor(static_cast<double>(src[i]) * scales->value(i)));
    }
  } else {
    node.fail("needs 4 scales or 4 sizes");
  }
  if (dst[0] != src[0] || dst[1] != src[1]) node.fail("only spatial resizing is supported");
  const std::string mode = node.node().string_attribute("mode", "nearest");
  const std::string transform = node.node().string_attribute("coordinate_transformation_mode", "half_pixel");
  if (mode == "nearest") {
    const bool integer = dst[2] % src[2] == 0 && dst[3] % src[3] == 0;
    if (!integer) node.fail("nearest resizing by a non-integer factor is not supported");
    if (transform == "align_corners") node.fail("align_corners is not supported");
    shape.mode = ResizeMode::nearest;
  } else if (mode == "linear" || mode == "bilinear") {
    if (transform != "half_pixel" && transform != "pytorch_half_pixel") {
      node.fail("linear resizing with coordinate_transformation_mode '" + transform + "' is not supported");
    }
    shape.mode = ResizeMode::linear;
  } else {
    node.fail("resize mode '" + mode + "' is not supported");
  }
  return shape;
}

Dims reshape_dims(const ResolvedNode& node, const Dims& from) {
  const ConstTensor& shape = node.const_input(1);
  Dims dims;
  std::int64_t known = 1;
  int infer_at = -1;
  for (std::int64_t i = 0; i < shape.elements(); ++i) {
    std::int64_t d = static_cast<std::int64_t>(shape.value(static_cast<std::size_t>(i)));
    if (d == 0) d = static_cast<std::size_t>(i) < from.size() ? from[static_cast<std::size_t>(i)] : 0;
    if (d == -1) {
      if (infer_at >= 0) node.fail("more than one -1 in the target shape");
      infer_at = static_cast<int>(i);
    } else if (d <= 0) {
      node.fail("invalid target dimension " + std::to_string(d));
    } else {
      known *= d;
    }
    dims.push_back(d);
  }
  const std::int64_t total = product(from);
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0) node.fail("cannot infer the -1 dimension");
    dims[static_cast<std::size_t>(infer_at)] = total / known;
  }
  if (product(dims) != total) node.fail("cannot reshape " + dims_text(from) + " to " + dims_text(dims));
  return dims;
}

Dims transpose_permutation(const ResolvedNode& node) {
  const Dims& src = node.runtime_input(0).dims;
  Dims perm = node.node().ints_attribute("perm");
  if (perm.empty()) {
    for (std::size_t i = src.size(); i-- > 0;) perm.push_back(static_cast<std::int64_t>(i));
  }
  if (perm.size() != src.size()) node.fail("permutation rank differs from the input's");
  std::vector<bool> seen(perm.size(), false);
  for (const auto axis : perm) {
    if (axis < 0 || axis >= static_cast<std::int64_t>(perm.size()) || seen[static_cast<std::size_t>(axis)]) {
      node.fail("invalid permutation");
    }
    seen[static_cast<std::size_t>(axis)] = true;
  }
  return perm;
}

Dims permuted_dims(const Dims& dims, const Dims& perm) {
  Dims out(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) out[i] = dims[static_cast<std::size_t>(perm[i])];
  return out;
}

DepthToSpace depth_to_space_attributes(const ResolvedNode& node) {
  const Dims& src = node.runtime_input(0).dims;
  if (src.size() != 4) node.fail("input is not 4-D");
  DepthToSpace d2s;
  d2s.block = node.node().int_attribute("blocksize", 0);
  if (d2s.block < 1 || src[1] % (d2s.block * d2s.block) != 0) {
    node.fail("blocksize " + std::to_string(d2s.block) + " does not divide " + std::to_string(src[1]) + " channels");
  }
  d2s.crd = node.node().string_attribute("mode", "DCR") == "CRD";
  return d2s;
}

Dims depth_to_space_dims(const Dims& src_dims, const DepthToSpace& d2s) {
  const std::int64_t s = d2s.block;
  return {src_dims[0], src_dims[1] / (s * s), src_dims[2] * s, src_dims[3] * s};
}

namespace {
const Dims kDcrPermutation{0, 3, 4, 1, 5, 2};
const Dims kCrdPermutation{0, 1, 4, 2, 5, 3};
}  // namespace

Permutation depth_to_space_permutation(const Dims& src_dims, const DepthToSpace& d2s) {
  const std::int64_t s = d2s.block;
  const std::int64_t c = src_dims[1] / (s * s);
  if (d2s.crd) return {{src_dims[0], c, s, s, src_dims[2], src_dims[3]}, kCrdPermutation};
  return {{src_dims[0], s, s, c, src_dims[2], src_dims[3]}, kDcrPermutation};
}

std::optional<DepthToSpace> as_depth_to_space(const Permutation& permutation) {
  const Dims& view = permutation.view_dims;
  if (view.size() != 6) return std::nullopt;
  if (permutation.perm == kDcrPermutation && view[1] == view[2] && view[1] >= 1) return DepthToSpace{view[1], false};
  if (permutation.perm == kCrdPermutation && view[2] == view[3] && view[2] >= 1) return DepthToSpace{view[2], true};
  return std::nullopt;
}

ConcatShape concat_shape(const ResolvedNode& node) {
  ConcatShape shape;
  std::int64_t axis = node.node().int_attribute("axis", 1);
  for (std::size_t i = 0; i < node.inputs().size(); ++i) {
    const Dims& dims = node.runtime_input(i).dims;
    if (axis < 0) axis += static_cast<std::int64_t>(dims.size());
    if (axis < 0 || axis >= static_cast<std::int64_t>(dims.size())) node.fail("axis out of range");
    if (shape.dst_dims.empty()) {
      shape.dst_dims = dims;
      continue;
    }
    if (dims.size() != shape.dst_dims.size()) node.fail("inputs differ outside the concatenation axis");
    for (std::size_t d = 0; d < dims.size(); ++d) {
      if (static_cast<std::int64_t>(d) != axis && shape.dst_dims[d] != dims[d]) {
        node.fail("inputs differ outside the concatenation axis");
      }
    }
    shape.dst_dims[static_cast<std::size_t>(axis)] += dims[static_cast<std::size_t>(axis)];
  }
  shape.axis = axis;
  return shape;
}

Dims binary_dims(const ResolvedNode& node) {
  const Operand& a = node.input(0);
  const Operand& b = node.input(1);
  if (!a.is_constant() && !b.is_constant()) {
    if (a.dims != b.dims) node.fail("operands " + dims_text(a.dims) + " and " + dims_text(b.dims) + " differ");
    return a.dims;
  }
  const Operand& runtime = a.is_constant() ? b : a;
  const Operand& constant = a.is_constant() ? a : b;
  if (runtime.dims.size() != 4) node.fail("only 4-D image tensors are supported");
  if (channel_broadcast_dims(*constant.constant, runtime.dims[1]).empty() || constant.constant->is_int) {
    node.fail("constant " + dims_text(constant.constant->dims) + " does not broadcast over " + dims_text(runtime.dims));
  }
  return runtime.dims;
}

Dims prelu_dims(const ResolvedNode& node) {
  const Dims& src = node.runtime_input(0).dims;
  const ConstTensor& slope = node.const_input(1);
  if (src.size() != 4) node.fail("input is not 4-D");
  if (channel_broadcast_dims(slope, src[1]).empty() || slope.is_int) {
    node.fail("inconsistent PRelu slopes: " + std::to_string(slope.elements()) + " slopes " + dims_text(slope.dims) +
              " for " + std::to_string(src[1]) + " channels");
  }
  return src;
}

std::pair<float, float> clip_bounds(const ResolvedNode& node) {
  float low = node.node().float_attribute("min", -3.4e38f);
  float high = node.node().float_attribute("max", 3.4e38f);
  if (const Operand* v = node.optional_input(1); v != nullptr && v->is_constant() && v->constant->elements() == 1) {
    low = static_cast<float>(v->constant->value(0));
  }
  if (const Operand* v = node.optional_input(2); v != nullptr && v->is_constant() && v->constant->elements() == 1) {
    high = static_cast<float>(v->constant->value(0));
  }
  return {low, high};
}

Dims output_dims(const ResolvedNode& node) {
  switch (node.node().op) {
    case OpType::conv:
    case OpType::conv_transpose:
      return convolution_shape(node).dst_dims;
    case OpType::relu:
    case OpType::leaky_relu:
    case OpType::sigmoid:
    case OpType::tanh:
    case OpType::clip:
      return node.runtime_input(0).dims;
    case OpType::prelu:
      return prelu_dims(node);
    case OpType::add:
    case OpType::sub:
    case OpType::mul:
    case OpType::div:
      return binary_dims(node);
    case OpType::concat:
      return concat_shape(node).dst_dims;
    case OpType::depth_to_space:
      return depth_to_space_dims(node.runtime_input(0).dims, depth_to_space_attributes(node));
    case OpType::resize:
      return resize_shape(node).dst_dims;
    case OpType::reshape:
      return reshape_dims(node, node.runtime_input(0).dims);
    case OpType::transpose:
      return permuted_dims(node.runtime_input(0).dims, transpose_permutation(node));
    case OpType::quantize_linear:
    case OpType::dequantize_linear: {
      const Dims& dims = node.runtime_input(0).dims;
      if (!quantization_parameters(node, dims.size()).per_tensor()) {
        node.fail("quantizes an image tensor per axis; the engine takes one scale per activation tensor");
      }
      return dims;
    }
    default:
      node.fail("not supported on image tensors");
  }
}

}  // namespace r4k::infer
