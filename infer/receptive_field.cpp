#include "infer/receptive_field.hpp"

#include <algorithm>
#include <cmath>

namespace r4k::infer {
namespace {

struct Reach {
  double scale = 1.0;   // this value's pixels per input pixel
  double radius = 0.0;  // in input pixels
  bool upsampled = false;  // the path to this value went through an upsampling
};

// Farthest tap from the output position along one axis, in this layer's pixels.
double conv_reach(std::int64_t kernel, std::int64_t dilation, std::int64_t pad_begin) {
  const std::int64_t span = (kernel - 1) * dilation;
  return static_cast<double>(std::max(pad_begin, span - pad_begin));
}

}  // namespace

std::optional<int> receptive_field_of(const Graph& graph) {
  std::map<std::string, Reach> reach;
  reach[graph.input] = Reach{};
  for (const auto& node : graph.nodes) {
    // Runtime inputs only: constants (weights, shapes) have no reach.
    std::vector<Reach> inputs;
    for (const auto& name : node.inputs) {
      const auto found = reach.find(name);
      if (found != reach.end()) inputs.push_back(found->second);
    }
    if (inputs.empty()) continue;  // constant arithmetic
    Reach out = inputs.front();
    for (const auto& other : inputs) {
      if (std::abs(other.scale - out.scale) > 1e-9) return std::nullopt;
      out.radius = std::max(out.radius, other.radius);
      out.upsampled = out.upsampled || other.upsampled;
    }
    switch (node.op) {
      case OpType::conv: {
        const auto kernel = node.ints_attribute("kernel_shape");
        auto dilations = node.ints_attribute("dilations");
        auto pads = node.ints_attribute("pads");
        auto strides = node.ints_attribute("strides");
        if (kernel.size() != 2) return std::nullopt;
        if (dilations.empty()) dilations = {1, 1};
        if (pads.empty()) pads = {(kernel[0] - 1) / 2, (kernel[1] - 1) / 2, 0, 0};
        if (strides.empty()) strides = {1, 1};
        const double layer = std::max(conv_reach(kernel[0], dilations[0], pads[0]),
                                      conv_reach(kernel[1], dilations[1], pads[1]));
        out.radius += layer / out.scale;
        out.scale /= static_cast<double>(std::max(strides[0], strides[1]));
        if (out.upsampled && layer > 0) out.radius += 1.0 / out.scale;
        break;
      }
      case OpType::conv_transpose: {
        const auto kernel = node.ints_attribute("kernel_shape");
        auto strides = node.ints_attribute("strides");
        if (kernel.size() != 2) return std::nullopt;
        if (strides.empty()) strides = {1, 1};
        const double stride = static_cast<double>(std::max(strides[0], strides[1]));
        // Output o reads inputs (o + pad - t) / stride for taps t < kernel:
        // (kernel - 1) / (2 stride) either side of o / stride, plus one for
        // the rounding of o / stride.
        const double taps = static_cast<double>(std::max(kernel[0], kernel[1]));
        out.radius += (std::ceil((taps - 1.0) / (2.0 * stride)) + 1.0) / out.scale;
        out.scale *= stride;
        out.upsampled = true;
        break;
      }
      case OpType::depth_to_space:
        out.scale *= static_cast<double>(node.int_attribute("blocksize", 1));
        out.upsampled = true;
        break;
      case OpType::resize: {
        // Integer factors only: the scale comes from the graph's constants.
        double factor = 0.0;
        for (std::size_t i = 1; i < node.inputs.size(); ++i) {
          const auto found = graph.constants.find(node.inputs[i]);
          if (found == graph.constants.end() || found->second.elements() != 4) continue;
          factor = found->second.value(3);
        }
        if (factor < 1.0 || std::abs(factor - std::round(factor)) > 1e-6) return std::nullopt;
        if (node.string_attribute("mode", "nearest") != "nearest") out.radius += 1.0 / out.scale;
        out.scale *= factor;
        out.upsampled = true;
        break;
      }
      case OpType::relu:
      case OpType::leaky_relu:
      case OpType::prelu:
      case OpType::sigmoid:
      case OpType::tanh:
      case OpType::clip:
      case OpType::add:
      case OpType::sub:
      case OpType::mul:
      case OpType::div:
      case OpType::concat:
      case OpType::identity:
        break;
      default:
        return std::nullopt;  // reshapes, transposes, shape arithmetic on tensors
    }
    for (const auto& name : node.outputs) reach[name] = out;
  }
  const auto found = reach.find(graph.output);
  if (found == reach.end()) return std::nullopt;
  return static_cast<int>(std::ceil(found->second.radius - 1e-9));
}

}  // namespace r4k::infer
