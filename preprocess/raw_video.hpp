// Raw video frames in memory (the formats r4ksuperres negotiates) unpacked
// into Frames and packed back, without GStreamer: the element maps its
// buffers and hands the plane pointers here.
//
// 8-bit RGB family, GRAY8/GRAY16_LE, and Y'CbCr 4:2:0 (I420, NV12, 10-bit
// I420_10LE and P010), 4:2:2 (Y42B, 10-bit I422_10LE) and 4:4:4 (Y444). 10-bit data stays 10-bit: samples are
// normalised by 1023 and rounded back to 10-bit codes, never through 8 bits.
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
  gray8,
  gray16le,
  i420,
  nv12,
  y42b,
  y444,
  i420_10le,
  i422_10le,
  p010_10le
};

struct RawFormatInfo {
  const char* name;  // GStreamer's name for the format
  int bits;          // per sample: 8, 10 or 16
  bool yuv;
  int chroma_shift_x;
  int chroma_shift_y;
};

const RawFormatInfo& describe(RawFormat format);

struct RawPlane {
  std::uint8_t* data = nullptr;
  int stride = 0;  // bytes per row
};

struct RawFrame {
  RawFormat format = RawFormat::rgb;
  int width = 0;
  int height = 0;
  std::array<RawPlane, 3> planes{};
};

// Throws InputError for odd sizes of subsampled formats. `space` is the
// caps' colourimetry (its bit depth is set from the format).
Frame unpack(const RawFrame& raw, const YcbcrSpace& space);

// Writes `frame` (as produced by unpack, or upscaled) into `raw`, rounding
// and clamping to the format's codes.
void pack(const Frame& frame, RawFrame& raw);

}  // namespace r4k
