#include "infer/classic_engine.hpp"

#include "core/error.hpp"

namespace r4k::infer {
namespace {

ModelInfo classic_info(ResampleFilter filter, int scale, std::string name) {
  if (scale < 1 || scale > 16) {
    throw InputError("classic " + to_string(filter) + " scale must be 1 to 16, got " + std::to_string(scale));
  }
  ModelInfo info;
  info.name = std::move(name);
  info.format = ModelFormat::classic;
  info.classic_filter = filter;
  info.scale = scale;
  info.colour = ModelColour::any;
  info.receptive_field = filter_radius(filter);
  info.receptive_field_source = "filter";
  info.operators[to_string(filter)] = 1;
  return info;
}

}  // namespace

ClassicEngine::ClassicEngine(ResampleFilter filter, int scale, std::string name)
    : Engine(classic_info(filter, scale, std::move(name))) {}

void ClassicEngine::run(const Tensor& input, Tensor& output) {
  upscale_planes(input, info().scale, *info().classic_filter, output);
}

}  // namespace r4k::infer
