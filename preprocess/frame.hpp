// Frame: one picture as planar float data in [0, 1], in the colour model it
// came in (grey, R'G'B', or Y'CbCr with possibly subsampled chroma), with
// the bit depth it is stored at. The unit that FrameUpscaler upscales.
#pragma once

#include <memory>
#include <vector>

#include "core/tensor.hpp"
#include "preprocess/motion_search.hpp"
#include "preprocess/ycbcr.hpp"

namespace r4k {

enum class FrameColour { grey, rgb, ycbcr };

struct Frame {
  // grey: [Y]; rgb: [R, G, B]; ycbcr: [Y]; then alpha when has_alpha.
  Tensor planes;
  // ycbcr only: [Cb, Cr] at (width >> chroma_shift_x) x (height >> chroma_shift_y).
  Tensor chroma;
  int chroma_shift_x = 0;
  int chroma_shift_y = 0;
  YcbcrSpace space;  // ycbcr only
  FrameColour colour = FrameColour::rgb;
  bool has_alpha = false;
  // Bits per sample the frame is stored with (8, 10, 16); 0 = float. Values
  // that would be stored between steps are rounded to this depth.
  int bits = 8;
  // The motion to this frame's neighbours found by an earlier stage (dust
  // removal), for a later one (denoise) to reuse; null when none was found.
  std::shared_ptr<const NeighbourMotion> motion;

  int width() const { return planes.shape().w; }
  int height() const { return planes.shape().h; }
  int colour_planes() const { return colour == FrameColour::rgb ? 3 : 1; }
};

// A frame described as `frame` is (colour model, alpha, bit depth, Y'CbCr
// space and chroma subsampling) with no planes yet and no motion: what a
// step that makes new planes (upscaling, fitting, colour conversion) starts from.
inline Frame empty_like(const Frame& frame) {
  Frame out;
  out.colour = frame.colour;
  out.has_alpha = frame.has_alpha;
  out.bits = frame.bits;
  out.space = frame.space;
  out.chroma_shift_x = frame.chroma_shift_x;
  out.chroma_shift_y = frame.chroma_shift_y;
  return out;
}

// The frame's luma plane: Y' of grey and Y'CbCr frames as it is, BT.601 luma
// of R'G'B' computed into `storage`.
inline const float* luma_of(const Frame& frame, std::vector<float>& storage) {
  if (frame.colour != FrameColour::rgb) return frame.planes.plane(0, 0);
  const std::size_t n = frame.planes.shape().plane_size();
  storage.resize(n);
  const float* r = frame.planes.plane(0, 0);
  const float* g = frame.planes.plane(0, 1);
  const float* b = frame.planes.plane(0, 2);
  for (std::size_t i = 0; i < n; ++i) storage[i] = 0.299f * r[i] + 0.587f * g[i] + 0.114f * b[i];
  return storage.data();
}

}  // namespace r4k
