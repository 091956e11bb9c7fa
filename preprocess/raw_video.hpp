// Raw video frames in memory (the formats restore4k's elements negotiate)
// unpacked into Frames and packed back, without GStreamer: the element maps
// its buffers and hands the plane pointers here.
//
// Every format GStreamer 1.22's FFmpeg decoders give for the pixel formats
// restore4k takes: packed 8-bit RGB(A); planar R'G'B' (GStreamer's GBR: the
// planes in G, B, R order) at 8, 10 and 12 bits, with or without alpha; grey
// at 8 and 16 bits; Y'CbCr 4:2:0 (I420, NV12, P010), 4:2:2 and 4:4:4 at 8,
// 10 and 12 bits, 4:1:1 (NTSC DV); and Y'CbCr with alpha (A420 at 8 and 10 bits, A422 and
// A444 at 10). Samples are normalised by their own depth (2^bits - 1) and
// rounded back to codes of that depth, never through a narrower one.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "preprocess/frame.hpp"

namespace r4k {

enum class RawFormat {
  rgb,
  bgr,
  rgbx,
  bgrx,
  rgba,
  bgra,
  gbr,
  gbr_10le,
  gbr_12le,
  gbra,
  gbra_10le,
  gbra_12le,
  gray8,
  gray16le,
  i420,
  nv12,
  y42b,
  y444,
  y41b,
  i420_10le,
  i422_10le,
  y444_10le,
  p010_10le,
  i420_12le,
  i422_12le,
  y444_12le,
  a420,
  a420_10le,
  a422_10le,
  a444_10le,
};

// How the samples of a format are laid out in memory.
enum class RawLayout { packed_rgb, planar_rgb, grey, planar_yuv, semi_planar_yuv };

struct RawFormatInfo {
  const char* name;  // GStreamer's name for the format
  int bits;          // per sample: 8, 10, 12 or 16
  RawLayout layout;
  int chroma_shift_x;
  int chroma_shift_y;
  bool alpha;
  bool yuv() const { return layout == RawLayout::planar_yuv || layout == RawLayout::semi_planar_yuv; }
};

const RawFormatInfo& describe(RawFormat format);

// Every format, in enum order (for caps lists and tests).
const std::array<RawFormat, 30>& all_raw_formats();

struct RawPlane {
  std::uint8_t* data = nullptr;
  int stride = 0;  // bytes per row
};

struct RawFrame {
  RawFormat format = RawFormat::rgb;
  int width = 0;
  int height = 0;
  std::array<RawPlane, 4> planes{};
};

// Throws InputError for odd sizes of subsampled formats. `space` is the
// caps' colourimetry (its bit depth is set from the format).
Frame unpack(const RawFrame& raw, const YcbcrSpace& space);

// Writes `frame` (as produced by unpack, or upscaled) into `raw`, rounding
// and clamping to the format's codes.
void pack(const Frame& frame, RawFrame& raw);

// Whether `in` can be written as `out` without losing anything (see widen);
// when not, `why` says what would be lost.
bool can_widen(RawFormat in, RawFormat out, std::string& why);

// Copies the picture in `in` into `out` (the same size), a format that holds
// at least as much, exactly: a deeper code is the shallower one times a power
// of two (8-bit v is 4v at 10 bits, as BT.709 and BT.2100 define the depths),
// alpha is scaled by its full scale (opaque stays opaque), subsampled chroma
// is repeated into the finer grid (every sample kept, none invented: taking
// every other one gives the input back), grey gets neutral chroma, and the
// same samples change between interleaved and planar layouts. Throws Error
// when `can_widen` says no.
void widen(const RawFrame& in, RawFrame& out);

}  // namespace r4k
