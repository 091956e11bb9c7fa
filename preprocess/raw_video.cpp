#include "preprocess/raw_video.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "preprocess/error.hpp"

namespace r4k {
namespace {

const RawFormatInfo kFormats[] = {
    {"RGB", 8, false, 0, 0},       {"BGR", 8, false, 0, 0},       {"RGBx", 8, false, 0, 0},
    {"BGRx", 8, false, 0, 0},      {"RGBA", 8, false, 0, 0},      {"BGRA", 8, false, 0, 0},
    {"GRAY8", 8, false, 0, 0},     {"GRAY16_LE", 16, false, 0, 0}, {"I420", 8, true, 1, 1},
    {"NV12", 8, true, 1, 1},       {"Y42B", 8, true, 1, 0},       {"Y444", 8, true, 0, 0},
    {"I420_10LE", 10, true, 1, 1}, {"I422_10LE", 10, true, 1, 0},  {"P010_10LE", 10, true, 1, 1},
};

// Interleaved RGB layouts: bytes per pixel and where R, G, B, A sit (-1: none).
struct PackedLayout {
  int bytes;
  int r, g, b, a;
};

PackedLayout packed_layout(RawFormat format) {
  switch (format) {
    case RawFormat::rgb:
      return {3, 0, 1, 2, -1};
    case RawFormat::bgr:
      return {3, 2, 1, 0, -1};
    case RawFormat::rgbx:
      return {4, 0, 1, 2, -1};
    case RawFormat::bgrx:
      return {4, 2, 1, 0, -1};
    case RawFormat::rgba:
      return {4, 0, 1, 2, 3};
    case RawFormat::bgra:
    default:
      return {4, 2, 1, 0, 3};
  }
}

bool is_packed_rgb(RawFormat format) {
  return format == RawFormat::rgb || format == RawFormat::bgr || format == RawFormat::rgbx ||
         format == RawFormat::bgrx || format == RawFormat::rgba || format == RawFormat::bgra;
}

// Reads sample `index` of a row as a normalised value.
float read_sample(const std::uint8_t* row, int index, RawFormat format) {
  switch (format) {
    case RawFormat::gray16le:
    case RawFormat::i420_10le:
    case RawFormat::i422_10le:
    case RawFormat::p010_10le: {
      std::uint16_t value = 0;
      std::memcpy(&value, row + 2 * index, 2);  // little-endian hosts (x86, ARM)
      if (format == RawFormat::gray16le) return static_cast<float>(value) / 65535.0f;
      if (format == RawFormat::p010_10le) value = static_cast<std::uint16_t>(value >> 6);
      return static_cast<float>(value) / 1023.0f;
    }
    default:
      return static_cast<float>(row[index]) / 255.0f;
  }
}

void write_sample(std::uint8_t* row, int index, RawFormat format, float value) {
  const float clamped = std::clamp(value, 0.0f, 1.0f);
  switch (format) {
    case RawFormat::gray16le:
    case RawFormat::i420_10le:
    case RawFormat::i422_10le:
    case RawFormat::p010_10le: {
      const float max_code = format == RawFormat::gray16le ? 65535.0f : 1023.0f;
      auto code = static_cast<std::uint16_t>(std::nearbyint(clamped * max_code));
      if (format == RawFormat::p010_10le) code = static_cast<std::uint16_t>(code << 6);
      std::memcpy(row + 2 * index, &code, 2);
      break;
    }
    default:
      row[index] = static_cast<std::uint8_t>(std::nearbyint(clamped * 255.0f));
      break;
  }
}

int describe_bits(RawFormat format);

// Planar plane <-> tensor plane.
void read_plane(const RawPlane& plane, int width, int height, RawFormat format, int step, int offset, float* out) {
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* row = plane.data + static_cast<std::ptrdiff_t>(y) * plane.stride;
    float* dst = out + static_cast<std::size_t>(y) * static_cast<std::size_t>(width);
    for (int x = 0; x < width; ++x) dst[x] = read_sample(row, x * step + offset, format);
  }
}

void write_plane(const float* in, int width, int height, RawFormat format, int step, int offset, RawPlane& plane) {
  const bool eight_bit = describe_bits(format) == 8;
  for (int y = 0; y < height; ++y) {
    std::uint8_t* row = plane.data + static_cast<std::ptrdiff_t>(y) * plane.stride;
    const float* src = in + static_cast<std::size_t>(y) * static_cast<std::size_t>(width);
    if (eight_bit) {
      // The common case, in a loop the compiler vectorises: clamp, scale,
      // round half up (values from code/255 never sit on a half).
      std::uint8_t* out = row + offset;
      for (int x = 0; x < width; ++x) {
        const float v = std::min(std::max(src[x], 0.0f), 1.0f) * 255.0f + 0.5f;
        out[static_cast<std::ptrdiff_t>(x) * step] = static_cast<std::uint8_t>(static_cast<int>(v));
      }
    } else {
      for (int x = 0; x < width; ++x) write_sample(row, x * step + offset, format, src[x]);
    }
  }
}

void check_size(const RawFrame& raw) {
  const RawFormatInfo& info = describe(raw.format);
  if (raw.width < 1 || raw.height < 1) {
    throw InputError(std::string(info.name) + " frame has an empty size " + std::to_string(raw.width) + "x" +
                     std::to_string(raw.height));
  }
  if ((info.chroma_shift_x && raw.width % 2) || (info.chroma_shift_y && raw.height % 2)) {
    throw InputError(std::string(info.name) + " frames must have even width and height (chroma is subsampled); got " +
                     std::to_string(raw.width) + "x" + std::to_string(raw.height));
  }
}

}  // namespace

const RawFormatInfo& describe(RawFormat format) { return kFormats[static_cast<int>(format)]; }

namespace {
int describe_bits(RawFormat format) { return describe(format).bits; }
}  // namespace

Frame unpack(const RawFrame& raw, const YcbcrSpace& space) {
  check_size(raw);
  const RawFormatInfo& info = describe(raw.format);
  const int w = raw.width;
  const int h = raw.height;
  Frame frame;
  frame.bits = info.bits;
  if (is_packed_rgb(raw.format)) {
    const PackedLayout layout = packed_layout(raw.format);
    frame.colour = FrameColour::rgb;
    frame.has_alpha = layout.a >= 0;
    frame.planes.resize({1, frame.has_alpha ? 4 : 3, h, w});
    const int channels[4] = {layout.r, layout.g, layout.b, layout.a};
    for (int c = 0; c < frame.planes.shape().c; ++c) {
      read_plane(raw.planes[0], w, h, raw.format, layout.bytes, channels[c], frame.planes.plane(0, c));
    }
    return frame;
  }
  if (raw.format == RawFormat::gray8 || raw.format == RawFormat::gray16le) {
    frame.colour = FrameColour::grey;
    frame.planes.resize({1, 1, h, w});
    read_plane(raw.planes[0], w, h, raw.format, 1, 0, frame.planes.plane(0, 0));
    return frame;
  }
  frame.colour = FrameColour::ycbcr;
  frame.space = space;
  frame.space.bit_depth = info.bits;
  frame.chroma_shift_x = info.chroma_shift_x;
  frame.chroma_shift_y = info.chroma_shift_y;
  const int cw = w >> info.chroma_shift_x;
  const int ch = h >> info.chroma_shift_y;
  frame.planes.resize({1, 1, h, w});
  frame.chroma.resize({1, 2, ch, cw});
  read_plane(raw.planes[0], w, h, raw.format, 1, 0, frame.planes.plane(0, 0));
  if (raw.format == RawFormat::nv12 || raw.format == RawFormat::p010_10le) {
    read_plane(raw.planes[1], cw, ch, raw.format, 2, 0, frame.chroma.plane(0, 0));
    read_plane(raw.planes[1], cw, ch, raw.format, 2, 1, frame.chroma.plane(0, 1));
  } else {
    read_plane(raw.planes[1], cw, ch, raw.format, 1, 0, frame.chroma.plane(0, 0));
    read_plane(raw.planes[2], cw, ch, raw.format, 1, 0, frame.chroma.plane(0, 1));
  }
  return frame;
}

void pack(const Frame& frame, RawFrame& raw) {
  check_size(raw);
  const int w = raw.width;
  const int h = raw.height;
  if (frame.width() != w || frame.height() != h) {
    throw Error("frame of " + std::to_string(frame.width()) + "x" + std::to_string(frame.height()) +
                " cannot be packed into a " + std::to_string(w) + "x" + std::to_string(h) + " buffer");
  }
  if (is_packed_rgb(raw.format)) {
    const PackedLayout layout = packed_layout(raw.format);
    const int channels[4] = {layout.r, layout.g, layout.b, layout.a};
    for (int c = 0; c < 3; ++c) write_plane(frame.planes.plane(0, c), w, h, raw.format, layout.bytes, channels[c], raw.planes[0]);
    if (layout.bytes == 4) {
      // Alpha, or the padding byte of RGBx/BGRx (opaque).
      const int slot = layout.a >= 0 ? layout.a : 6 - layout.r - layout.g - layout.b;
      if (frame.has_alpha) {
        write_plane(frame.planes.plane(0, 3), w, h, raw.format, 4, slot, raw.planes[0]);
      } else {
        for (int y = 0; y < h; ++y) {
          std::uint8_t* row = raw.planes[0].data + static_cast<std::ptrdiff_t>(y) * raw.planes[0].stride;
          for (int x = 0; x < w; ++x) row[4 * x + slot] = 255;
        }
      }
    }
    return;
  }
  write_plane(frame.planes.plane(0, 0), w, h, raw.format, 1, 0, raw.planes[0]);
  if (raw.format == RawFormat::gray8 || raw.format == RawFormat::gray16le) return;
  const RawFormatInfo& info = describe(raw.format);
  const int cw = w >> info.chroma_shift_x;
  const int ch = h >> info.chroma_shift_y;
  if (frame.chroma.shape() != TensorShape{1, 2, ch, cw}) {
    throw Error("chroma of " + frame.chroma.shape().to_string() + " does not fit a " + info.name + " frame of " +
                std::to_string(w) + "x" + std::to_string(h));
  }
  if (raw.format == RawFormat::nv12 || raw.format == RawFormat::p010_10le) {
    write_plane(frame.chroma.plane(0, 0), cw, ch, raw.format, 2, 0, raw.planes[1]);
    write_plane(frame.chroma.plane(0, 1), cw, ch, raw.format, 2, 1, raw.planes[1]);
  } else {
    write_plane(frame.chroma.plane(0, 0), cw, ch, raw.format, 1, 0, raw.planes[1]);
    write_plane(frame.chroma.plane(0, 1), cw, ch, raw.format, 1, 0, raw.planes[2]);
  }
}

}  // namespace r4k
