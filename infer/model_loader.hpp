// Loading a model: resolve the spec, read the sidecar, choose a backend, and
// complete the ModelInfo (channels, scale, receptive field, FLOPs) from the
// file's interface and from probe runs.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "infer/autotune.hpp"
#include "infer/engine.hpp"

namespace r4k::infer {

struct EngineOptions {
  EngineOptions(std::string backend_name = "auto", int thread_count = 0)
      : backend(std::move(backend_name)), threads(thread_count) {}
  std::string backend = "auto";  // auto | opencv | classic
  int threads = 0;               // 0 = the library's default (all cores)
  AutotuneOptions autotune;      // the onednn backend's per-layer algorithm choice
  // auto | fp32 | int8. auto: a QDQ model's convolutions on integers, an fp32
  // model in fp32 (never quantized silently); int8 refuses an fp32 model;
  // fp32 runs a QDQ model's quantization on floats.
  std::string precision = "auto";
};

// The backends this build has, in order of preference.
std::vector<std::string> available_backends();

class ModelLoader {
 public:
  // Throws InputError naming the model, backend or value at fault.
  static std::unique_ptr<Engine> load(const std::string& spec, const EngineOptions& options);

 private:
  static void complete_info(Engine& engine);
};

inline std::unique_ptr<Engine> load_model(const std::string& spec, const EngineOptions& options = {}) {
  return ModelLoader::load(spec, options);
}

// Backends that can run the engine's model (the native one is tried when
// the engine is not already it).
std::vector<std::string> backends_for(const Engine& engine);

}  // namespace r4k::infer
