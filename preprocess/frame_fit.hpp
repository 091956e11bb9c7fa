// Fitting a picture into a fixed frame such as 3840x2160: scaled to the
// largest size that fits (pad: the rest is filled with a colour) or that
// covers the frame (crop: the overflow is cut), keeping the display aspect —
// the pixel-aspect-ratio of anamorphic SD is honoured — centred, with square
// output pixels.
#pragma once

#include <cstdint>

#include "preprocess/frame.hpp"
#include "preprocess/resample.hpp"

namespace r4k {

enum class FitMode { pad, crop };

struct FitGeometry {
  int scaled_width = 0;   // the picture after scaling, square pixels
  int scaled_height = 0;
  int offset_x = 0;       // its top-left corner in the output (negative when cropped)
  int offset_y = 0;
};

// `par_n/par_d` is the input's pixel aspect ratio. Sizes and offsets are
// even (so 4:2:0 chroma lines up). Throws InputError for empty sizes or a
// bad aspect ratio.
// `align_x`: the picture's width and offset are multiples of it (2, or 4 for
// 4:1:1 chroma).
FitGeometry compute_fit(int width, int height, int par_n, int par_d, int out_width, int out_height, FitMode mode,
                        int align_x = 2);

// The frame fitted into out_width x out_height: resized planes placed at the
// geometry's offsets, the rest filled with `pad_rgb` (0xRRGGBB, converted to
// the frame's colour model: R'G'B', grey, or Y'CbCr with its own matrix and
// range). Alpha is opaque in the padding.
Frame fit_frame(const Frame& frame, const FitGeometry& geometry, int out_width, int out_height,
                std::uint32_t pad_rgb, ResampleFilter filter);

}  // namespace r4k
