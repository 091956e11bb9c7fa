// Model specifications: what a user may write after --model.
//   path/to/model.onnx, path/to/model.pb   a model file (optional sidecar
//                                           path/to/model.yaml next to it)
//   builtin:NAME                            a model shipped in models/ (NAME.onnx)
//   builtin:bicubic-x4 (bilinear, lanczos, nearest; x1..x16)
//                                           a classical filter, no model
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "infer/model_info.hpp"

namespace r4k::infer {

struct ModelSource {
  std::string spec;
  ModelFormat format = ModelFormat::onnx;
  std::filesystem::path path;            // file models
  std::optional<ResampleFilter> filter;  // classical filters
  int classic_scale = 0;
};

// Throws InputError naming the spec or file when it cannot be resolved.
ModelSource resolve_model(const std::string& spec);

// Where builtin models live: $R4K_MODELS_DIR, else the share/restore4k/models
// installed beside this program or plugin (found from the binary's own path,
// so any prefix and a relocated package work), else the source tree's models/
// (development builds), else the configured install prefix's models.
std::filesystem::path builtin_models_dir();

// Names accepted after builtin: (the model files found, then the filters).
std::vector<std::string> builtin_model_names();

// restore4k's own models used as defaults (cards in models/): film and
// compressed video (restore4k video, the film-4k preset, r4krestore), and
// clean pictures (restore4k image).
inline constexpr const char* kFilmModel = "builtin:film-x4";
inline constexpr const char* kCleanModel = "builtin:clean-x4";

}  // namespace r4k::infer
