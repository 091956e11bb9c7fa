// Post-training calibration: the scale of each convolution's input
// activation, from the values the fp32 model computes on calibration
// pictures. One scale per tensor, zero point 0: uint8 for a tensor with no
// negative value (the network's input), int8 symmetric otherwise (after a
// PReLU). The network's input, when it lies in [0, 1], gets 1/255: 8-bit
// pictures then quantize exactly.
//
// Methods (docs/BENCHMARKS.md has their measured effect):
//   minmax      the largest magnitude seen maps to the largest integer;
//   percentile  the given percentile of the magnitudes does (outliers clip);
//   mse         the clipping threshold that minimises the expected squared
//               error (clipping plus rounding) over the magnitudes' histogram.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/tensor.hpp"
#include "infer/onednn_engine.hpp"
#include "infer/qdq_export.hpp"

namespace r4k::infer {

enum class CalibrationMethod { minmax, percentile, mse };

// "minmax" | "percentile" | "mse"; throws InputError naming the value.
CalibrationMethod parse_calibration_method(const std::string& text);
std::string to_string(CalibrationMethod method);

struct CalibrationOptions {
  CalibrationMethod method = CalibrationMethod::mse;
  double percentile = 99.99;         // for percentile
  std::set<std::string> fp32_layers;  // Conv node names left in fp32
  // The convolutions reading the network's input left in fp32: an int8 input
  // has 8-bit levels, which would cost a 10- or 16-bit source its precision.
  bool fp32_input_layers = false;
};

// The activation scales for every Conv input of `engine`'s graph (an fp32
// engine) but those of `fp32_layers`, from `samples` (each a 1 x C x H x W
// picture in [0, 1]). Throws InputError when there are no samples or a
// named layer is not a Conv of the graph.
std::map<std::string, ActivationScale> calibrate_activations(OneDnnEngine& engine,
                                                             const std::vector<Tensor>& samples,
                                                             const CalibrationOptions& options);

// The scale `method` chooses for magnitudes counted in `histogram` (bin i
// holds |x| in [i, i + 1) * peak / bins) mapped onto `levels` integers
// (127 or 255). Exposed for tests.
float choose_scale(const std::vector<double>& histogram, float peak, int levels, const CalibrationOptions& options);

}  // namespace r4k::infer
