// Filling the pixels of a band that hold no value (nodata, masked, NaN)
// before a neural model sees it, so that the model's results at the valid
// pixels next to them stay right.
//
// A network computes each output from a neighbourhood: a hole filled with
// zeros (or a nodata value such as -9999) is an edge it answers with ringing.
// The hole is grown over instead from its valid border, one ring of pixels at
// a time: each pixel of the next ring gets the mean of its already-known
// 8-neighbours (edge neighbours weighing twice the corner ones), so the fill
// continues the nearest valid values. After `radius` rings the pixels still
// unknown get `far`; they are too far from any valid pixel to matter to it
// when `radius` is the model's receptive field. The fill of a pixel depends on
// pixels within `radius` only, so tiles whose halo adds `radius` to the
// receptive field still equal the whole image.
//
// Measured (docs/BENCHMARKS.md, "valid pixels next to nodata"): builtin:clean-x2 on a
// textured UInt16 raster with holes, valid pixels within one pixel of a hole
// against the same pixels with the holes holding real data: mean error 11 DN
// (max 100) with this fill, 332 DN (max 1452) with zeros; a Gaussian-weighted
// fill (sigma 2) gave 27 (max 243).
#pragma once

#include <cstdint>

namespace r4k {

// Fills `values` (width x height, row-major) in place where `valid` is 0.
void fill_invalid(float* values, const std::uint8_t* valid, int width, int height, int radius, float far);

}  // namespace r4k
