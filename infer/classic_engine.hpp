// The `classic` backend: bicubic, Lanczos (or bilinear, nearest) upscaling with
// no model. The baseline that every model is measured against, and the fallback.
#pragma once

#include "infer/engine.hpp"

namespace r4k::infer {

class ClassicEngine final : public Engine {
 public:
  ClassicEngine(ResampleFilter filter, int scale, std::string name);

  std::string backend() const override { return "classic"; }
  void run(const Tensor& input, Tensor& output) override;
};

}  // namespace r4k::infer
