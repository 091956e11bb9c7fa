// FrameUpscaler: upscales a whole frame (grey or RGB, with optional alpha)
// with a model, whatever colour the model works in.
//
//  - RGB/BGR models get the colour planes in their order (grey is repeated
//    to three planes and the result's luma is kept).
//  - Y (luma) models get Y' of full-range BT.601 Y'CbCr, computed at the
//    frame's bit depth as a YUV frame of that depth would hold it; Cb and Cr
//    are upscaled with the chroma filter.
//  - Classical filters (`any`) upscale every plane alike, alpha included.
//  - Alpha is upscaled with the alpha filter.
#pragma once

#include "infer/engine.hpp"
#include "infer/tiled_inference.hpp"
#include "preprocess/resample.hpp"

namespace r4k::infer {

enum class FrameColour { grey, rgb };

struct Frame {
  Tensor planes;  // 1 x C x H x W in [0, 1]: [Y] or [R, G, B], then alpha when has_alpha
  FrameColour colour = FrameColour::rgb;
  bool has_alpha = false;
  int depth = 0;  // storage depth (CV_8U, CV_16U or CV_32F): intermediate Y'CbCr is quantised to it

  int colour_planes() const { return colour == FrameColour::grey ? 1 : 3; }
};

struct UpscaleOptions {
  int tile_size = 0;  // 0 = automatic
  int halo = -1;      // -1 = the model's receptive field
  ResampleFilter chroma_filter = ResampleFilter::bicubic;
  ResampleFilter alpha_filter = ResampleFilter::bicubic;
  TiledRunOptions run;
};

class FrameUpscaler {
 public:
  FrameUpscaler(Engine& engine, UpscaleOptions options);

  TilingChoice tiling_for(int width, int height) const;
  // Throws InputError when the model cannot take the frame's channels.
  Frame upscale(const Frame& frame);

 private:
  Tensor run_model(const Tensor& planes);

  Engine& engine_;
  UpscaleOptions options_;
};

}  // namespace r4k::infer
