// The still-image workflow behind `restore4k image IN OUT`: read, upscale tile
// by tile with the model, write atomically. Bit depth, grey/RGB/RGBA layout
// and the alpha channel (upscaled classically) are kept.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <string>

#include "infer/model_loader.hpp"
#include "infer/model_spec.hpp"
#include "infer/tiled_inference.hpp"
#include "preprocess/resample.hpp"

namespace r4k::restore {

inline constexpr const char* kDefaultImageModel = infer::kCleanModel;

struct ImageJob {
  std::filesystem::path input;
  std::filesystem::path output;
  std::string model = kDefaultImageModel;
  infer::EngineOptions engine;
  // Where engine.autotune.pinned came from, for the message when this machine
  // cannot run a pin: the job's key, or the record or plan file read.
  std::string pins_origin = "engine.algorithms";
  int tile_size = 0;  // 0 = automatic
  int halo = -1;      // -1 = the model's receptive field
  int batch = 1;
  ResampleFilter chroma_filter = ResampleFilter::bicubic;
  const std::atomic<bool>* cancel = nullptr;
};

struct ImageJobResult {
  int width = 0;
  int height = 0;
  int output_width = 0;
  int output_height = 0;
  int tiles = 0;
  infer::TilingChoice tiling;
  std::string backend;
  double seconds = 0.0;
  // What the engine ran, "layer@shape" -> algorithm, its pins among them (for the job record).
  std::map<std::string, std::string> algorithms;
};

// The checks upscale_image makes before work (output name, input, model).
void check_image_job(const ImageJob& job);

// Throws InputError for bad input (nothing written), Interrupted when cancelled.
ImageJobResult upscale_image(const ImageJob& job);

}  // namespace r4k::restore
