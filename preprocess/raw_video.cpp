#include "preprocess/raw_video.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.hpp"

namespace r4k {
namespace {

using L = RawLayout;

// In RawFormat order.
const RawFormatInfo kFormats[] = {
    {"RGB", 8, L::packed_rgb, 0, 0, false},        {"BGR", 8, L::packed_rgb, 0, 0, false},
    {"RGBx", 8, L::packed_rgb, 0, 0, false},       {"BGRx", 8, L::packed_rgb, 0, 0, false},
    {"RGBA", 8, L::packed_rgb, 0, 0, true},        {"BGRA", 8, L::packed_rgb, 0, 0, true},
    {"GBR", 8, L::planar_rgb, 0, 0, false},        {"GBR_10LE", 10, L::planar_rgb, 0, 0, false},
    {"GBR_12LE", 12, L::planar_rgb, 0, 0, false},  {"GBRA", 8, L::planar_rgb, 0, 0, true},
    {"GBRA_10LE", 10, L::planar_rgb, 0, 0, true},  {"GBRA_12LE", 12, L::planar_rgb, 0, 0, true},
    {"GRAY8", 8, L::grey, 0, 0, false},            {"GRAY16_LE", 16, L::grey, 0, 0, false},
    {"I420", 8, L::planar_yuv, 1, 1, false},       {"NV12", 8, L::semi_planar_yuv, 1, 1, false},
    {"Y42B", 8, L::planar_yuv, 1, 0, false},       {"Y444", 8, L::planar_yuv, 0, 0, false},
    {"Y41B", 8, L::planar_yuv, 2, 0, false},
    {"I420_10LE", 10, L::planar_yuv, 1, 1, false}, {"I422_10LE", 10, L::planar_yuv, 1, 0, false},
    {"Y444_10LE", 10, L::planar_yuv, 0, 0, false}, {"P010_10LE", 10, L::semi_planar_yuv, 1, 1, false},
    {"I420_12LE", 12, L::planar_yuv, 1, 1, false}, {"I422_12LE", 12, L::planar_yuv, 1, 0, false},
    {"Y444_12LE", 12, L::planar_yuv, 0, 0, false}, {"A420", 8, L::planar_yuv, 1, 1, true},
    {"A420_10LE", 10, L::planar_yuv, 1, 1, true},  {"A422_10LE", 10, L::planar_yuv, 1, 0, true},
    {"A444_10LE", 10, L::planar_yuv, 0, 0, true},
};
static_assert(sizeof kFormats / sizeof kFormats[0] == 30, "one entry per RawFormat");

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

// How codes sit in memory: bytes per sample and, for P010, the left shift.
struct SampleCoding {
  int bytes;
  int shift;
  float max_code;
};

SampleCoding coding_of(RawFormat format) {
  const RawFormatInfo& info = describe(format);
  const int shift = format == RawFormat::p010_10le ? 6 : 0;
  return {info.bits > 8 ? 2 : 1, shift, static_cast<float>((1 << info.bits) - 1)};
}

// One plane (or one channel of an interleaved plane: `step` samples apart,
// starting at sample `offset`) <-> one tensor plane.
void read_plane(const RawPlane& plane, int width, int height, const SampleCoding& coding, int step, int offset,
                float* out) {
  const float scale = 1.0f / coding.max_code;
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* row = plane.data + static_cast<std::ptrdiff_t>(y) * plane.stride;
    float* dst = out + static_cast<std::size_t>(y) * static_cast<std::size_t>(width);
    if (coding.bytes == 1) {
      for (int x = 0; x < width; ++x) dst[x] = static_cast<float>(row[x * step + offset]) * scale;
    } else {
      for (int x = 0; x < width; ++x) {
        std::uint16_t value = 0;
        std::memcpy(&value, row + 2 * (x * step + offset), 2);  // little-endian hosts (x86, ARM)
        dst[x] = static_cast<float>(value >> coding.shift) * scale;
      }
    }
  }
}

void write_plane(const float* in, int width, int height, const SampleCoding& coding, int step, int offset,
                 RawPlane& plane) {
  for (int y = 0; y < height; ++y) {
    std::uint8_t* row = plane.data + static_cast<std::ptrdiff_t>(y) * plane.stride;
    const float* src = in + static_cast<std::size_t>(y) * static_cast<std::size_t>(width);
    if (coding.bytes == 1) {
      // The common case, in a loop the compiler vectorises: clamp, scale,
      // round half up (values from code/255 never sit on a half).
      std::uint8_t* out = row + offset;
      for (int x = 0; x < width; ++x) {
        const float v = std::min(std::max(src[x], 0.0f), 1.0f) * 255.0f + 0.5f;
        out[static_cast<std::ptrdiff_t>(x) * step] = static_cast<std::uint8_t>(static_cast<int>(v));
      }
    } else {
      for (int x = 0; x < width; ++x) {
        const float clamped = std::clamp(src[x], 0.0f, 1.0f);
        auto code = static_cast<std::uint16_t>(std::nearbyint(clamped * coding.max_code));
        code = static_cast<std::uint16_t>(code << coding.shift);
        std::memcpy(row + 2 * (x * step + offset), &code, 2);
      }
    }
  }
}

void check_size(const RawFrame& raw) {
  const RawFormatInfo& info = describe(raw.format);
  if (raw.width < 1 || raw.height < 1) {
    throw InputError(std::string(info.name) + " frame has an empty size " + std::to_string(raw.width) + "x" +
                     std::to_string(raw.height));
  }
  if (raw.width % (1 << info.chroma_shift_x) != 0 || raw.height % (1 << info.chroma_shift_y) != 0) {
    throw InputError(std::string(info.name) + " frames must have a width that is a multiple of " +
                     std::to_string(1 << info.chroma_shift_x) + " and a height that is a multiple of " +
                     std::to_string(1 << info.chroma_shift_y) + " (chroma is subsampled); got " +
                     std::to_string(raw.width) + "x" + std::to_string(raw.height));
  }
}

// GStreamer's planar RGB keeps G, B, R (and A) in planes 0, 1, 2 (and 3).
constexpr int kPlanarRgbPlane[4] = {2, 0, 1, 3};  // R, G, B, A -> plane

// Where one component (Y, Cb, Cr, A; or R, G, B, A; or grey) of a format lives.
struct Component {
  int plane = 0;
  int step = 1;    // samples between pixels (interleaved layouts)
  int offset = 0;  // sample index of the first pixel's value
  int shift_x = 0;
  int shift_y = 0;
};

// The components of a format in the order Y/R, Cb/G, Cr/B, A (fewer for grey
// and opaque formats).
std::vector<Component> components_of(RawFormat format) {
  const RawFormatInfo& info = describe(format);
  switch (info.layout) {
    case L::packed_rgb: {
      const PackedLayout p = packed_layout(format);
      std::vector<Component> c{{0, p.bytes, p.r, 0, 0}, {0, p.bytes, p.g, 0, 0}, {0, p.bytes, p.b, 0, 0}};
      if (p.a >= 0) c.push_back({0, p.bytes, p.a, 0, 0});
      return c;
    }
    case L::planar_rgb: {
      std::vector<Component> c{{kPlanarRgbPlane[0], 1, 0, 0, 0}, {kPlanarRgbPlane[1], 1, 0, 0, 0},
                               {kPlanarRgbPlane[2], 1, 0, 0, 0}};
      if (info.alpha) c.push_back({3, 1, 0, 0, 0});
      return c;
    }
    case L::grey:
      return {{0, 1, 0, 0, 0}};
    case L::semi_planar_yuv:
      return {{0, 1, 0, 0, 0},
              {1, 2, 0, info.chroma_shift_x, info.chroma_shift_y},
              {1, 2, 1, info.chroma_shift_x, info.chroma_shift_y}};
    case L::planar_yuv:
    default: {
      std::vector<Component> c{{0, 1, 0, 0, 0},
                               {1, 1, 0, info.chroma_shift_x, info.chroma_shift_y},
                               {2, 1, 0, info.chroma_shift_x, info.chroma_shift_y}};
      if (info.alpha) c.push_back({3, 1, 0, 0, 0});
      return c;
    }
  }
}

int read_code(const RawPlane& plane, const SampleCoding& coding, int index, int y) {
  const std::uint8_t* row = plane.data + static_cast<std::ptrdiff_t>(y) * plane.stride;
  if (coding.bytes == 1) return row[index];
  std::uint16_t value = 0;
  std::memcpy(&value, row + 2 * index, 2);
  return value >> coding.shift;
}

void write_code(RawPlane& plane, const SampleCoding& coding, int index, int y, int code) {
  std::uint8_t* row = plane.data + static_cast<std::ptrdiff_t>(y) * plane.stride;
  if (coding.bytes == 1) {
    row[index] = static_cast<std::uint8_t>(code);
    return;
  }
  const auto value = static_cast<std::uint16_t>(code << coding.shift);
  std::memcpy(row + 2 * index, &value, 2);
}

}  // namespace

const RawFormatInfo& describe(RawFormat format) { return kFormats[static_cast<int>(format)]; }

bool can_widen(RawFormat in, RawFormat out, std::string& why) {
  const RawFormatInfo& a = describe(in);
  const RawFormatInfo& b = describe(out);
  const bool a_rgb = a.layout == L::packed_rgb || a.layout == L::planar_rgb;
  const bool b_rgb = b.layout == L::packed_rgb || b.layout == L::planar_rgb;
  const std::string names = std::string(a.name) + " to " + b.name;
  if (a_rgb != b_rgb || (a.layout == L::grey && b.layout != L::grey && !b.yuv()) ||
      (b.layout == L::grey && a.layout != L::grey)) {
    why = names + " changes the colour model";
    return false;
  }
  if (b.bits < a.bits) {
    why = names + " loses " + std::to_string(a.bits - b.bits) + " bits";
    return false;
  }
  if (a.layout != L::grey && (b.chroma_shift_x > a.chroma_shift_x || b.chroma_shift_y > a.chroma_shift_y)) {
    why = names + " subsamples the chroma more";
    return false;
  }
  if (a.alpha && !b.alpha) {
    why = names + " loses the alpha";
    return false;
  }
  return true;
}

void widen(const RawFrame& in, RawFrame& out) {
  std::string why;
  if (!can_widen(in.format, out.format, why)) throw Error("cannot widen: " + why);
  if (in.width != out.width || in.height != out.height) throw Error("widen: the frames differ in size");
  check_size(in);
  check_size(out);
  const RawFormatInfo& a = describe(in.format);
  const RawFormatInfo& b = describe(out.format);
  const SampleCoding from = coding_of(in.format);
  const SampleCoding to = coding_of(out.format);
  const int depth_shift = b.bits - a.bits;
  const std::vector<Component> source = components_of(in.format);
  const std::vector<Component> target = components_of(out.format);
  for (std::size_t k = 0; k < target.size(); ++k) {
    const Component& t = target[k];
    const bool alpha = k == 3;
    const int w = out.width >> t.shift_x;
    const int h = out.height >> t.shift_y;
    // Grey into Y'CbCr: neutral chroma. No alpha in the input: opaque.
    const bool missing = k >= source.size();
    const int constant = alpha ? static_cast<int>(to.max_code) : 1 << (b.bits - 1);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        int code = constant;
        if (!missing) {
          const Component& s = source[k];
          // The input sample that covers this output sample (chroma repeated).
          const int sx = (x << t.shift_x) >> s.shift_x;
          const int sy = (y << t.shift_y) >> s.shift_y;
          const int value = read_code(in.planes[static_cast<std::size_t>(s.plane)], from, sx * s.step + s.offset, sy);
          code = alpha ? static_cast<int>((static_cast<long>(value) * static_cast<long>(to.max_code) +
                                           static_cast<long>(from.max_code) / 2) /
                                          static_cast<long>(from.max_code))
                       : value << depth_shift;
        }
        write_code(out.planes[static_cast<std::size_t>(t.plane)], to, x * t.step + t.offset, y, code);
      }
    }
  }
  // The padding byte of RGBx/BGRx: opaque.
  if (out.format == RawFormat::rgbx || out.format == RawFormat::bgrx) {
    const PackedLayout p = packed_layout(out.format);
    const int slot = 6 - p.r - p.g - p.b;
    for (int y = 0; y < out.height; ++y) {
      std::uint8_t* row = out.planes[0].data + static_cast<std::ptrdiff_t>(y) * out.planes[0].stride;
      for (int x = 0; x < out.width; ++x) row[4 * x + slot] = 255;
    }
  }
}

const std::array<RawFormat, 30>& all_raw_formats() {
  static const std::array<RawFormat, 30> formats = [] {
    std::array<RawFormat, 30> list{};
    for (std::size_t i = 0; i < list.size(); ++i) list[i] = static_cast<RawFormat>(i);
    return list;
  }();
  return formats;
}

Frame unpack(const RawFrame& raw, const YcbcrSpace& space) {
  check_size(raw);
  const RawFormatInfo& info = describe(raw.format);
  const SampleCoding coding = coding_of(raw.format);
  const int w = raw.width;
  const int h = raw.height;
  Frame frame;
  frame.bits = info.bits;
  frame.has_alpha = info.alpha;
  switch (info.layout) {
    case L::packed_rgb: {
      const PackedLayout layout = packed_layout(raw.format);
      frame.colour = FrameColour::rgb;
      frame.planes.resize({1, frame.has_alpha ? 4 : 3, h, w});
      const int channels[4] = {layout.r, layout.g, layout.b, layout.a};
      for (int c = 0; c < frame.planes.shape().c; ++c) {
        read_plane(raw.planes[0], w, h, coding, layout.bytes, channels[c], frame.planes.plane(0, c));
      }
      return frame;
    }
    case L::planar_rgb:
      frame.colour = FrameColour::rgb;
      frame.planes.resize({1, frame.has_alpha ? 4 : 3, h, w});
      for (int c = 0; c < frame.planes.shape().c; ++c) {
        read_plane(raw.planes[static_cast<std::size_t>(kPlanarRgbPlane[c])], w, h, coding, 1, 0,
                   frame.planes.plane(0, c));
      }
      return frame;
    case L::grey:
      frame.colour = FrameColour::grey;
      frame.planes.resize({1, 1, h, w});
      read_plane(raw.planes[0], w, h, coding, 1, 0, frame.planes.plane(0, 0));
      return frame;
    case L::planar_yuv:
    case L::semi_planar_yuv:
      break;
  }
  frame.colour = FrameColour::ycbcr;
  frame.space = space;
  frame.space.bit_depth = info.bits;
  frame.chroma_shift_x = info.chroma_shift_x;
  frame.chroma_shift_y = info.chroma_shift_y;
  const int cw = w >> info.chroma_shift_x;
  const int ch = h >> info.chroma_shift_y;
  frame.planes.resize({1, info.alpha ? 2 : 1, h, w});
  frame.chroma.resize({1, 2, ch, cw});
  read_plane(raw.planes[0], w, h, coding, 1, 0, frame.planes.plane(0, 0));
  if (info.alpha) read_plane(raw.planes[3], w, h, coding, 1, 0, frame.planes.plane(0, 1));
  if (info.layout == L::semi_planar_yuv) {
    read_plane(raw.planes[1], cw, ch, coding, 2, 0, frame.chroma.plane(0, 0));
    read_plane(raw.planes[1], cw, ch, coding, 2, 1, frame.chroma.plane(0, 1));
  } else {
    read_plane(raw.planes[1], cw, ch, coding, 1, 0, frame.chroma.plane(0, 0));
    read_plane(raw.planes[2], cw, ch, coding, 1, 0, frame.chroma.plane(0, 1));
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
  const RawFormatInfo& info = describe(raw.format);
  const SampleCoding coding = coding_of(raw.format);
  const int colour_planes = frame.colour_planes();
  if (info.alpha && !frame.has_alpha) throw Error(std::string(info.name) + " needs an alpha plane; the frame has none");
  switch (info.layout) {
    case L::packed_rgb: {
      const PackedLayout layout = packed_layout(raw.format);
      const int channels[4] = {layout.r, layout.g, layout.b, layout.a};
      for (int c = 0; c < 3; ++c) write_plane(frame.planes.plane(0, c), w, h, coding, layout.bytes, channels[c], raw.planes[0]);
      if (layout.bytes == 4) {
        // Alpha, or the padding byte of RGBx/BGRx (opaque).
        const int slot = layout.a >= 0 ? layout.a : 6 - layout.r - layout.g - layout.b;
        if (frame.has_alpha && layout.a >= 0) {
          write_plane(frame.planes.plane(0, 3), w, h, coding, 4, slot, raw.planes[0]);
        } else {
          for (int y = 0; y < h; ++y) {
            std::uint8_t* row = raw.planes[0].data + static_cast<std::ptrdiff_t>(y) * raw.planes[0].stride;
            for (int x = 0; x < w; ++x) row[4 * x + slot] = 255;
          }
        }
      }
      return;
    }
    case L::planar_rgb:
      for (int c = 0; c < (info.alpha ? 4 : 3); ++c) {
        write_plane(frame.planes.plane(0, c), w, h, coding, 1, 0, raw.planes[static_cast<std::size_t>(kPlanarRgbPlane[c])]);
      }
      return;
    case L::grey:
      write_plane(frame.planes.plane(0, 0), w, h, coding, 1, 0, raw.planes[0]);
      return;
    case L::planar_yuv:
    case L::semi_planar_yuv:
      break;
  }
  write_plane(frame.planes.plane(0, 0), w, h, coding, 1, 0, raw.planes[0]);
  if (info.alpha) write_plane(frame.planes.plane(0, colour_planes), w, h, coding, 1, 0, raw.planes[3]);
  const int cw = w >> info.chroma_shift_x;
  const int ch = h >> info.chroma_shift_y;
  if (frame.chroma.shape() != TensorShape{1, 2, ch, cw}) {
    throw Error("chroma of " + frame.chroma.shape().to_string() + " does not fit a " + info.name + " frame of " +
                std::to_string(w) + "x" + std::to_string(h));
  }
  if (info.layout == L::semi_planar_yuv) {
    write_plane(frame.chroma.plane(0, 0), cw, ch, coding, 2, 0, raw.planes[1]);
    write_plane(frame.chroma.plane(0, 1), cw, ch, coding, 2, 1, raw.planes[1]);
  } else {
    write_plane(frame.chroma.plane(0, 0), cw, ch, coding, 1, 0, raw.planes[1]);
    write_plane(frame.chroma.plane(0, 1), cw, ch, coding, 1, 0, raw.planes[2]);
  }
}

}  // namespace r4k
