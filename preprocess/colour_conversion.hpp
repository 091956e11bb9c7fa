// Converting a frame's colour to another standard: Y'CbCr matrix (and range,
// when asked), primaries and transfer function (film-4k's "colour: bt709" for SD film,
// BT.2020 for HDR-ready masters).
//
// The conversion is done in float at full resolution: chroma brought up
// bilinearly, R'G'B' linearised with the source's transfer function, the
// primaries changed with a 3x3 matrix in linear light (rows normalised so that
// white stays white: BT.470 System M's illuminant C is mapped onto D65 like
// the others), re-encoded with the target's transfer function and matrix,
// and chroma brought down by area averaging. A grey frame (neutral chroma, or
// equal R'G'B' planes) stays exactly grey.
//
// GStreamer's videoconvert is not used for this: with primaries-mode=fast it
// applies the primaries matrix to Y'CbCr codes, which tints grey
// (smpte170m -> bt709: Cb 125..129 for a neutral picture), and it biases
// 10-bit chroma by a code.
#pragma once

#include <string>

#include "preprocess/frame.hpp"

namespace r4k {

enum class ColourPrimaries { bt709, bt470bg, smpte170m, bt470m, bt2020 };
// bt709 also stands for BT.601 and BT.2020, which share its curve.
enum class TransferFunction { bt709, gamma22, gamma28, srgb, linear };

std::string to_string(ColourPrimaries primaries);
std::string to_string(TransferFunction transfer);

struct Colourimetry {
  YcbcrMatrix matrix = YcbcrMatrix::bt709;
  YcbcrRange range = YcbcrRange::limited;
  ColourPrimaries primaries = ColourPrimaries::bt709;
  TransferFunction transfer = TransferFunction::bt709;
  bool operator==(const Colourimetry&) const = default;
};

// `frame` (R'G'B' or Y'CbCr, with or without alpha; alpha is kept) from
// `from` to `to`, at the frame's bit depth and chroma subsampling. Grey and
// alpha pictures pass through untouched but for the luma's range.
Frame convert_colour(const Frame& frame, const Colourimetry& from, const Colourimetry& to);

}  // namespace r4k
