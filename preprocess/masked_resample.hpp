// Upscaling one band of a raster whose pixels are not all valid (nodata,
// masked out, NaN, unreadable): valid output pixels are computed from valid
// input pixels only.
//
// This is normalised convolution: the filter's weights of invalid neighbours
// are dropped and the rest renormalised to sum to one (what GDAL's warper does
// with masks), separably, in double precision. Where every neighbour is valid
// the result is the plain filter's: the same kernels and sampling as
// `upscale_planes` (half-pixel-centred, borders replicated, OpenCV's cubic
// with a = -0.75 and its 8-tap Lanczos). An output pixel is valid exactly when
// its nearest input pixel is; pixels that are not valid keep their nearest
// input value (a nodata value stays that nodata value, NaN stays NaN). Where
// the renormalised weights would amplify too much (most of the kernel's
// positive weight on invalid pixels), the valid pixels are blended bilinearly
// instead.
#pragma once

#include <cstdint>

#include "preprocess/resample.hpp"

namespace r4k {

// `values`/`valid` are width x height (row-major); `out_values`/`out_valid`
// are (width * scale) x (height * scale). `valid` may be nullptr (all valid).
void upscale_masked(const double* values, const std::uint8_t* valid, int width, int height, int scale,
                    ResampleFilter filter, double* out_values, std::uint8_t* out_valid);

}  // namespace r4k
