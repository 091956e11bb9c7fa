#include "infer/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace r4k::infer {

namespace {

constexpr int kBins = 2048;

struct Statistics {
  float low = std::numeric_limits<float>::max();
  float peak = 0.0f;  // largest magnitude
  std::vector<double> histogram = std::vector<double>(kBins, 0.0);
};

}  // namespace

CalibrationMethod parse_calibration_method(const std::string& text) {
  if (text == "minmax") return CalibrationMethod::minmax;
  if (text == "percentile") return CalibrationMethod::percentile;
  if (text == "mse") return CalibrationMethod::mse;
  throw InputError("calibration method must be minmax, percentile or mse, got '" + text + "'");
}

std::string to_string(CalibrationMethod method) {
  switch (method) {
    case CalibrationMethod::minmax:
      return "minmax";
    case CalibrationMethod::percentile:
      return "percentile";
    case CalibrationMethod::mse:
      return "mse";
  }
  return "?";
}

float choose_scale(const std::vector<double>& histogram, float peak, int levels, const CalibrationOptions& options) {
  if (!(peak > 0.0f)) return 1.0f;  // an all-zero tensor: any scale is exact
  const int bins = static_cast<int>(histogram.size());
  const double width = static_cast<double>(peak) / bins;
  double total = 0.0;
  for (double count : histogram) total += count;
  switch (options.method) {
    case CalibrationMethod::minmax:
      return peak / static_cast<float>(levels);
    case CalibrationMethod::percentile: {
      const double wanted = total * options.percentile / 100.0;
      double seen = 0.0;
      for (int i = 0; i < bins; ++i) {
        seen += histogram[static_cast<std::size_t>(i)];
        if (seen >= wanted) return static_cast<float>((i + 1) * width / levels);
      }
      return peak / static_cast<float>(levels);
    }
    case CalibrationMethod::mse: {
      // Expected squared error at threshold t: (|x| - t)^2 above it, the
      // rounding error step^2 / 12 below (step = t / levels), over the bins'
      // centres. Thresholds tried at every 8th bin edge from 1/16 of the peak.
      double best_error = std::numeric_limits<double>::max();
      double best = peak;
      for (int edge = bins / 16; edge <= bins; edge += 8) {
        const double t = edge * width;
        const double step = t / levels;
        double error = 0.0;
        for (int i = 0; i < bins; ++i) {
          const double count = histogram[static_cast<std::size_t>(i)];
          if (count == 0.0) continue;
          const double centre = (i + 0.5) * width;
          error += count * (centre > t ? (centre - t) * (centre - t) : step * step / 12.0);
        }
        if (error < best_error) {
          best_error = error;
          best = t;
        }
      }
      return static_cast<float>(best / levels);
    }
  }
  return peak / static_cast<float>(levels);
}

std::map<std::string, ActivationScale> calibrate_activations(OneDnnEngine& engine, const std::vector<Tensor>& samples,
                                                             const CalibrationOptions& options) {
  const Graph& graph = engine.graph();
  if (samples.empty()) throw InputError("calibration of '" + graph.source + "': no calibration pictures");
  std::vector<std::string> values;
  std::set<std::string> convolutions;
  for (const Node& node : graph.nodes) {
    if (node.op != OpType::conv) continue;
    convolutions.insert(node.name);
    if (options.fp32_layers.count(node.name) != 0) continue;
    if (options.fp32_input_layers && node.inputs[0] == graph.input) continue;
    if (std::find(values.begin(), values.end(), node.inputs[0]) == values.end()) values.push_back(node.inputs[0]);
  }
  for (const std::string& name : options.fp32_layers) {
    if (convolutions.count(name) == 0) {
      std::string names;
      for (const Node& node : graph.nodes) {
        if (node.op == OpType::conv) names += (names.empty() ? "" : ", ") + node.name;
      }
      throw InputError("model '" + graph.source + "' has no Conv node '" + name + "' to keep in fp32 (its Conv nodes: " +
                       names + ")");
    }
  }
  std::map<std::string, Statistics> statistics;
  Tensor output;
  // Two passes: the magnitudes' range, then their histogram over it.
  for (int pass = 0; pass < 2; ++pass) {
    for (const Tensor& sample : samples) {
      const auto captured = engine.run_capturing(sample, output, values);
      for (const auto& [name, data] : captured) {
        Statistics& s = statistics[name];
        if (pass == 0) {
          for (float v : data) {
            s.low = std::min(s.low, v);
            s.peak = std::max(s.peak, std::fabs(v));
          }
          continue;
        }
        if (!(s.peak > 0.0f)) continue;
        const float per_bin = kBins / s.peak;
        for (float v : data) {
          const int bin = std::min(kBins - 1, static_cast<int>(std::fabs(v) * per_bin));
          s.histogram[static_cast<std::size_t>(bin)] += 1.0;
        }
      }
    }
  }
  std::map<std::string, ActivationScale> scales;
  for (const std::string& name : values) {
    const Statistics& s = statistics[name];
    ActivationScale scale;
    scale.is_signed = s.low < 0.0f;
    if (name == graph.input && !scale.is_signed && s.peak <= 1.0f) {
      scale.scale = 1.0f / 255.0f;
    } else {
      scale.scale = choose_scale(s.histogram, s.peak, scale.is_signed ? 127 : 255, options);
    }
    scales[name] = scale;
  }
  return scales;
}

}  // namespace r4k::infer
