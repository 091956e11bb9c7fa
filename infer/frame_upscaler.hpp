// FrameUpscaler: upscales a whole frame (grey, RGB with optional alpha, or
// Y'CbCr with subsampled chroma) with a model, whatever colour the model
// works in. The result has the input's colour model, layout and bit depth.
//
//  - RGB/BGR models get the colour planes in their order (grey is repeated
//    to three planes and the result's luma is kept).
//  - Y (luma) models get Y' of full-range BT.601 Y'CbCr, computed at the
//    frame's bit depth as a YUV frame of that depth would hold it; Cb and Cr
//    are upscaled with the chroma filter. Y'CbCr frames give their own Y'
//    and chroma planes (any matrix, any subsampling).
//  - Y'CbCr frames for RGB models are converted with the frame's own matrix
//    and range (chroma brought to full size bilinearly), and converted back
//    (chroma subsampled by area averaging).
//  - Classical filters (`any`) upscale every plane alike, alpha included.
//  - Alpha is upscaled with the alpha filter.
//  - Grey stays grey, frame by frame: a Y'CbCr frame whose chroma is exactly
//    neutral, or an R'G'B' frame whose three planes are equal, is upscaled as
//    a grey picture and comes out exactly neutral (an RGB model's three
//    outputs differ slightly and would add colour specks). `monochrome`
//    treats every frame so, discarding its chroma.
#pragma once

#include "infer/engine.hpp"
#include "infer/tiled_inference.hpp"
#include "preprocess/frame.hpp"
#include "preprocess/resample.hpp"

namespace r4k::infer {

using r4k::Frame;
using r4k::FrameColour;

struct UpscaleOptions {
  int tile_size = 0;  // 0 = automatic
  int halo = -1;      // -1 = the model's receptive field
  ResampleFilter chroma_filter = ResampleFilter::bicubic;
  ResampleFilter alpha_filter = ResampleFilter::bicubic;
  bool monochrome = false;  // every frame is grey (its chroma is noise)
  TiledRunOptions run;
};

class FrameUpscaler {
 public:
  FrameUpscaler(Engine& engine, UpscaleOptions options);

  TilingChoice tiling_for(int width, int height) const;
  // Throws InputError when the model cannot take the frame's channels.
  Frame upscale(const Frame& frame);
  // Bands of a raster (1 x bands x h x w, [0, 1]) given to the model as they
  // are, no colour conversion: a classical filter takes any number, a model
  // exactly its input channels (RGB/BGR order as the model's). Throws
  // InputError naming both counts when they differ.
  Tensor upscale_bands(const Tensor& bands);

 private:
  Tensor run_model(const Tensor& planes);
  Frame upscale_ycbcr(const Frame& frame, Frame out);
  Frame upscale_grey_ycbcr(const Frame& frame, Frame out);

  Engine& engine_;
  UpscaleOptions options_;
  // The last frame size's tiling: chosen (and its warnings said) once per
  // size, not once per frame.
  mutable int cached_width_ = -1;
  mutable int cached_height_ = -1;
  mutable TilingChoice cached_tiling_;
};

}  // namespace r4k::infer
