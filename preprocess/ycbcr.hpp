// Y'CbCr <-> R'G'B' with an explicit matrix (BT.601, BT.709, BT.2020) and
// range (full or limited), on planar float data normalised to [0, 1].
//
// Normalisation follows code values: at bit depth b a code v becomes
// v / (2^b - 1), so chroma's zero (code 2^(b-1)) sits slightly above 0.5 and
// limited range's black (16 << (b - 8)) at its exact code value. Bit depth 0
// means unquantised float data: chroma zero at exactly 0.5.
// OpenCV's YCrCb/YUV cvtColor codes are BT.601 only and must not be used for
// video (DESIGN.md); this is the project's one home for these equations.
#pragma once

#include <cstddef>
#include <string>

namespace r4k {

enum class YcbcrMatrix { bt601, bt709, bt2020 };
enum class YcbcrRange { full, limited };

struct YcbcrSpace {
  YcbcrMatrix matrix = YcbcrMatrix::bt601;
  YcbcrRange range = YcbcrRange::full;
  int bit_depth = 8;  // 0: float data
};

std::string to_string(YcbcrMatrix matrix);

// Each function reads three planes of `count` values and writes three planes;
// input and output planes may be the same memory.
void rgb_to_ycbcr(const float* r, const float* g, const float* b, float* y, float* cb, float* cr, std::size_t count,
                  const YcbcrSpace& space);
void ycbcr_to_rgb(const float* y, const float* cb, const float* cr, float* r, float* g, float* b, std::size_t count,
                  const YcbcrSpace& space);

// The equations' constants for a space, for kernels that fold them into
// other work (preprocess/transfer_curve.hpp): luma = kr R' + (1-kr-kb) G' +
// kb B', Y' = y_offset + y_scale luma, Cb = c_offset + (B' - luma) cb_scale,
// Cr = c_offset + (R' - luma) cr_scale.
struct YcbcrCoefficients {
  double kr, kb, y_offset, y_scale, c_offset, cb_scale, cr_scale;
};
YcbcrCoefficients ycbcr_coefficients(const YcbcrSpace& space);

// Grey pictures. Chroma's zero as a normalised sample holds it (code
// 2^(bits-1), exactly as raw_video reads it; 0.5 for float data); whether
// every chroma sample is within a quarter code of it; Y' <-> the R' = G' = B'
// value of a grey pixel.
float neutral_chroma(const YcbcrSpace& space);
bool chroma_is_neutral(const float* chroma, std::size_t count, const YcbcrSpace& space);
void luma_to_grey(const float* y, float* grey, std::size_t count, const YcbcrSpace& space);
void grey_to_luma(const float* grey, float* y, std::size_t count, const YcbcrSpace& space);

}  // namespace r4k
