// Transfer functions (BT.709, sRGB, pure gammas) in one parametric form, and
// the primaries change of R'G'B' planes in linear light computed with them
// four samples at a time: r4kcolorconvert runs it on every 4K pixel, where a
// table lookup per sample cost 0.2 s a frame.
//
// A curve maps |v| to k·|v| below `threshold` and to α·(β·|v| + γ)^p + δ
// above it, keeping the sign of v (R'G'B' out of gamut stays invertible).
#pragma once

#include <array>
#include <cstddef>

#include "preprocess/ycbcr.hpp"

namespace r4k {

struct TransferCurve {
  float threshold = 0.0f;
  float slope = 1.0f;  // k
  float alpha = 1.0f;
  float beta = 1.0f;
  float gamma = 0.0f;
  float power = 1.0f;
  float delta = 0.0f;
  bool identity = false;

  float operator()(float v) const;  // one sample (tests, scalar tails)
};

using PrimariesMatrix = std::array<std::array<float, 3>, 3>;

// R'G'B' planes of `count` samples, in place: decoded with `decode` to
// linear light, multiplied by `matrix`, encoded with `encode`.
void convert_primaries(float* r, float* g, float* b, std::size_t count, const TransferCurve& decode,
                       const PrimariesMatrix& matrix, const TransferCurve& encode);

// Y'CbCr planes (chroma at full resolution) of `count` samples from one
// space to another: to R'G'B' with `from`'s equations, through
// convert_primaries' steps, back with `to`'s — in one pass, no R'G'B' planes
// stored. Output planes may be the input planes.
void convert_ycbcr(const float* y, const float* cb, const float* cr, float* out_y, float* out_cb, float* out_cr,
                   std::size_t count, const YcbcrCoefficients& from, const TransferCurve& decode,
                   const PrimariesMatrix& matrix, const TransferCurve& encode, const YcbcrCoefficients& to);

}  // namespace r4k
