// ModelInfo: what the rest of restore4k needs to know about a super-resolution
// model, whichever backend runs it.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "preprocess/resample.hpp"

namespace r4k::infer {

// Which colour the model's input and output channels carry. `any` is for the
// classical filters, which treat every channel alike.
enum class ModelColour { rgb, bgr, y, any };
enum class TensorLayout { nchw, nhwc };
enum class ModelFormat { onnx, tensorflow, classic };

struct ModelInfo {
  std::string name;             // as the user gave it (path or builtin:NAME)
  std::filesystem::path path;   // model file; empty for classic filters
  std::filesystem::path sidecar;  // sidecar YAML that was applied, if any
  ModelFormat format = ModelFormat::onnx;
  std::optional<ResampleFilter> classic_filter;  // set for format == classic

  int scale = 0;
  int in_channels = 0;
  int out_channels = 0;
  ModelColour colour = ModelColour::rgb;
  float range_min = 0.0f;  // value of black in the model's tensors
  float range_max = 1.0f;  // value of white
  TensorLayout layout = TensorLayout::nchw;

  // Radius in input pixels of the region an output pixel depends on; -1 when
  // unknown or unbounded (then images are processed whole).
  int receptive_field = -1;
  std::string receptive_field_source;  // "sidecar", "probe", "filter"

  // 0 = dynamic. Most exports take any height and width.
  int fixed_height = 0;
  int fixed_width = 0;

  double flops_per_pixel = 0.0;  // per input pixel, multiply-add counted as 2
  std::string input_name;        // empty = the graph's first input
  std::string output_name;       // empty = the graph's last output
  std::map<std::string, int> operators;  // operator type -> count
};

std::string to_string(ModelColour colour);
std::string to_string(TensorLayout layout);
std::string to_string(ModelFormat format);
ModelColour parse_model_colour(const std::string& text);   // throws InputError
TensorLayout parse_tensor_layout(const std::string& text);  // throws InputError

}  // namespace r4k::infer
