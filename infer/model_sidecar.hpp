// Sidecar YAML: what cannot be derived from a model file, next to it as
// <model>.yaml. Every key is optional; unknown keys are errors.
//
//   scale: 4                 # upscaling factor
//   channels: rgb            # rgb | bgr | y (what the input/output channels carry)
//   range: [0, 1]            # values of black and white in the tensors
//   layout: nchw             # nchw | nhwc
//   input: input             # graph input name
//   output: output           # graph output name
//   receptive_field: 18      # radius in input pixels (skips the probe)
//   description: "..."       # free text
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "infer/model_info.hpp"

namespace r4k::infer {

struct ModelSidecar {
  std::filesystem::path path;
  std::optional<int> scale;
  std::optional<ModelColour> colour;
  std::optional<std::pair<float, float>> range;
  std::optional<TensorLayout> layout;
  std::optional<std::string> input;
  std::optional<std::string> output;
  std::optional<int> receptive_field;
  std::string description;
};

// <dir>/<stem>.yaml for <dir>/<stem>.<ext>, when it exists.
std::optional<std::filesystem::path> find_sidecar(const std::filesystem::path& model_path);

// Throws InputError with file:line:column, the key and what was expected.
ModelSidecar read_sidecar(const std::filesystem::path& path);

void apply_sidecar(const ModelSidecar& sidecar, ModelInfo& info);

}  // namespace r4k::infer
