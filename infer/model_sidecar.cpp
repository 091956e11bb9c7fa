#include "infer/model_sidecar.hpp"

#include <cmath>

#include <yaml-cpp/yaml.h>

#include "core/error.hpp"

namespace r4k::infer {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const YAML::Node& node, const std::string& key,
                       const std::string& message) {
  const YAML::Mark mark = node.Mark();
  throw InputError(path.string() + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) +
                   ": key '" + key + "': " + message);
}

std::string found(const YAML::Node& node) {
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "nothing";
}

int read_int(const std::filesystem::path& path, const YAML::Node& node, const std::string& key, int min, int max) {
  int value = 0;
  if (!node.IsScalar() || !YAML::convert<int>::decode(node, value)) {
    fail(path, node, key, "expected an integer, found " + found(node));
  }
  if (value < min || value > max) {
    fail(path, node, key,
         "expected " + std::to_string(min) + " to " + std::to_string(max) + ", found " + std::to_string(value));
  }
  return value;
}

std::string read_string(const std::filesystem::path& path, const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) fail(path, node, key, "expected a string, found " + found(node));
  return node.Scalar();
}

}  // namespace

std::optional<std::filesystem::path> find_sidecar(const std::filesystem::path& model_path) {
  std::filesystem::path candidate = model_path;
  candidate.replace_extension(".yaml");
  std::error_code ec;
  if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  return std::nullopt;
}

ModelSidecar read_sidecar(const std::filesystem::path& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& error) {
    throw InputError(path.string() + ":" + std::to_string(error.mark.line + 1) + ":" +
                     std::to_string(error.mark.column + 1) + ": invalid YAML: " + error.msg);
  }
  ModelSidecar sidecar;
  sidecar.path = path;
  if (root.IsNull()) return sidecar;
  if (!root.IsMap()) fail(path, root, "(top level)", "expected a mapping of keys, found " + found(root));
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    try {
      if (key == "scale") {
        sidecar.scale = read_int(path, value, key, 1, 16);
      } else if (key == "channels") {
        sidecar.colour = parse_model_colour(read_string(path, value, key));
      } else if (key == "range") {
        if (!value.IsSequence() || value.size() != 2) {
          fail(path, value, key, "expected [black, white], found " + found(value));
        }
        float black = 0.0f;
        float white = 0.0f;
        // Finite, and their span too: tensors are normalised by (v - black) / (white - black),
        // which an infinite or overflowing span turns into zeros or NaN.
        if (!YAML::convert<float>::decode(value[0], black) || !YAML::convert<float>::decode(value[1], white) ||
            !std::isfinite(black) || !std::isfinite(white) || !std::isfinite(white - black) || !(white > black)) {
          fail(path, value, key, "expected two finite numbers with white > black, found " + found(value[0]) +
                                     " and " + found(value[1]));
        }
        sidecar.range = std::make_pair(black, white);
      } else if (key == "layout") {
        sidecar.layout = parse_tensor_layout(read_string(path, value, key));
      } else if (key == "input") {
        sidecar.input = read_string(path, value, key);
      } else if (key == "output") {
        sidecar.output = read_string(path, value, key);
      } else if (key == "receptive_field") {
        sidecar.receptive_field = read_int(path, value, key, 0, 4096);
      } else if (key == "description") {
        sidecar.description = read_string(path, value, key);
      } else {
        fail(path, entry.first, key,
             "unknown key; expected scale, channels, range, layout, input, output, receptive_field or description");
      }
    } catch (const InputError& error) {
      const std::string message = error.what();
      if (message.rfind(path.string() + ":", 0) == 0) throw;
      fail(path, value, key, message);
    }
  }
  return sidecar;
}

void apply_sidecar(const ModelSidecar& sidecar, ModelInfo& info) {
  info.sidecar = sidecar.path;
  if (sidecar.scale) info.scale = *sidecar.scale;
  if (sidecar.colour) info.colour = *sidecar.colour;
  if (sidecar.range) {
    info.range_min = sidecar.range->first;
    info.range_max = sidecar.range->second;
  }
  if (sidecar.layout) info.layout = *sidecar.layout;
  if (sidecar.input) info.input_name = *sidecar.input;
  if (sidecar.output) info.output_name = *sidecar.output;
  if (sidecar.receptive_field) {
    info.receptive_field = *sidecar.receptive_field;
    info.receptive_field_source = "sidecar";
  }
}

}  // namespace r4k::infer
