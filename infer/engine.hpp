// Engine: runs a super-resolution model on a batch of same-size tiles.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "infer/model_info.hpp"
#include "core/tensor.hpp"

namespace r4k::infer {

class Autotuner;

class Engine {
 public:
  virtual ~Engine() = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const ModelInfo& info() const { return info_; }
  virtual std::string backend() const = 0;
  // The arithmetic it runs: "fp32", or "int8" (a QDQ model's convolutions on integers).
  virtual std::string precision() const { return "fp32"; }

  // `input` is n x in_channels x h x w (NCHW, in the model's value range);
  // `output` is resized to n x out_channels x h*scale x w*scale. Engines keep
  // their per-shape state, so repeated calls with one shape do not reload.
  // Throws InputError when the model cannot take the input's shape.
  virtual void run(const Tensor& input, Tensor& output) = 0;

  // The algorithm each layer runs, "layer@shape" -> name, for the shapes run
  // so far (AutoTune's choices; job records pin them). Empty for backends
  // with one algorithm.
  virtual std::map<std::string, std::string> algorithm_choices() const { return {}; }
  // What chooses this engine's algorithms by measurement (the tile window
  // too: tiled_inference); null for backends with nothing to choose.
  virtual Autotuner* autotuner() { return nullptr; }

 protected:
  explicit Engine(ModelInfo info) : info_(std::move(info)) {}

 private:
  // The model loader completes the info (scale, channels and receptive field
  // found by probing the running engine).
  friend class ModelLoader;
  ModelInfo info_;
};

}  // namespace r4k::infer
