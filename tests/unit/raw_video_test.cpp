// Raw video formats: every format restore4k's elements negotiate unpacks and
// packs back to the same codes (nothing lost at any depth, alpha included),
// and grey pictures stay exactly grey through an RGB model.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "infer/frame_upscaler.hpp"
#include "infer/model_loader.hpp"
#include "preprocess/raw_video.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/test_paths.hpp"

namespace r4k {
namespace {

// A frame's planes in memory, with codes of the format's depth.
struct RawBuffer {
  std::vector<std::vector<std::uint8_t>> planes;
  RawFrame frame;
  // Bytes of each plane's rows that carry samples (RGBx padding excluded).
  std::vector<int> row_bytes;
};

int plane_count(const RawFormatInfo& info) {
  switch (info.layout) {
    case RawLayout::packed_rgb:
    case RawLayout::grey:
      return 1;
    case RawLayout::semi_planar_yuv:
      return 2;
    default:
      return info.alpha ? 4 : 3;
  }
}

RawBuffer make_buffer(RawFormat format, int width, int height, std::mt19937& random) {
  const RawFormatInfo& info = describe(format);
  RawBuffer buffer;
  buffer.frame.format = format;
  buffer.frame.width = width;
  buffer.frame.height = height;
  const int sample_bytes = info.bits > 8 ? 2 : 1;
  const int max_code = (1 << info.bits) - 1;
  for (int p = 0; p < plane_count(info); ++p) {
    const bool chroma = info.yuv() && (p == 1 || p == 2);
    const int w = chroma ? width >> info.chroma_shift_x : width;
    const int h = chroma ? height >> info.chroma_shift_y : height;
    int samples = w;
    if (info.layout == RawLayout::packed_rgb) samples = w * (format == RawFormat::rgb || format == RawFormat::bgr ? 3 : 4);
    if (info.layout == RawLayout::semi_planar_yuv && p == 1) samples = 2 * w;
    const int stride = samples * sample_bytes + 8;  // padded rows
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(stride) * static_cast<std::size_t>(h), 0);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < samples; ++x) {
        const int code = std::uniform_int_distribution<int>(0, max_code)(random);
        std::uint8_t* at = bytes.data() + static_cast<std::size_t>(y) * stride + static_cast<std::size_t>(x) * sample_bytes;
        if (sample_bytes == 1) {
          *at = static_cast<std::uint8_t>(code);
        } else {
          const int stored = format == RawFormat::p010_10le ? code << 6 : code;
          at[0] = static_cast<std::uint8_t>(stored & 0xff);
          at[1] = static_cast<std::uint8_t>(stored >> 8);
        }
      }
    }
    buffer.row_bytes.push_back(samples * sample_bytes);
    buffer.planes.push_back(std::move(bytes));
    buffer.frame.planes[static_cast<std::size_t>(p)] = {nullptr, stride};
  }
  for (std::size_t p = 0; p < buffer.planes.size(); ++p) buffer.frame.planes[p].data = buffer.planes[p].data();
  return buffer;
}

TEST(RawVideo, EveryFormatRoundTripsToTheSameCodes) {
  std::mt19937 random(7);
  for (const RawFormat format : all_raw_formats()) {
    const RawFormatInfo& info = describe(format);
    SCOPED_TRACE(info.name);
    RawBuffer in = make_buffer(format, 12, 6, random);
    const Frame frame = unpack(in.frame, YcbcrSpace{YcbcrMatrix::bt709, YcbcrRange::limited, 8});
    EXPECT_EQ(frame.bits, info.bits);
    EXPECT_EQ(frame.has_alpha, info.alpha);
    RawBuffer out = make_buffer(format, 12, 6, random);  // other codes, overwritten
    pack(frame, out.frame);
    const bool padded = format == RawFormat::rgbx || format == RawFormat::bgrx;
    for (std::size_t p = 0; p < in.planes.size(); ++p) {
      const int stride = in.frame.planes[p].stride;
      for (std::size_t y = 0; y * static_cast<std::size_t>(stride) < in.planes[p].size(); ++y) {
        for (int x = 0; x < in.row_bytes[p]; ++x) {
          if (padded && x % 4 == 3) continue;  // the padding byte is written opaque: not data
          const std::size_t i = y * static_cast<std::size_t>(stride) + static_cast<std::size_t>(x);
          ASSERT_EQ(out.planes[p][i], in.planes[p][i]) << "plane " << p << " row " << y << " byte " << x;
        }
      }
    }
  }
}

// Widening is exact: codes times a power of two, chroma repeated, grey given
// neutral chroma, alpha at full scale; narrowing is refused.
TEST(RawVideo, WideningKeepsEverySampleExactly) {
  std::mt19937 random(3);
  RawBuffer in = make_buffer(RawFormat::i420, 8, 4, random);
  RawBuffer out = make_buffer(RawFormat::i422_10le, 8, 4, random);
  widen(in.frame, out.frame);
  const auto code = [](const RawBuffer& b, int plane, int x, int y, bool deep) {
    const std::uint8_t* row = b.planes[static_cast<std::size_t>(plane)].data() +
                              static_cast<std::size_t>(y) * static_cast<std::size_t>(b.frame.planes[static_cast<std::size_t>(plane)].stride);
    return deep ? row[2 * x] | row[2 * x + 1] << 8 : row[x];
  };
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 8; ++x) ASSERT_EQ(code(out, 0, x, y, true), 4 * code(in, 0, x, y, false));
    for (int x = 0; x < 4; ++x) {
      for (int p = 1; p <= 2; ++p) ASSERT_EQ(code(out, p, x, y, true), 4 * code(in, p, x, y / 2, false));
    }
  }
  // Grey into Y'CbCr: neutral chroma, luma kept.
  RawBuffer grey = make_buffer(RawFormat::gray8, 8, 4, random);
  RawBuffer yuv = make_buffer(RawFormat::y42b, 8, 4, random);
  widen(grey.frame, yuv.frame);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 8; ++x) ASSERT_EQ(code(yuv, 0, x, y, false), code(grey, 0, x, y, false));
    for (int x = 0; x < 4; ++x) ASSERT_EQ(code(yuv, 1, x, y, false), 128);
  }
  // Alpha keeps its full scale: 255 stays opaque at 10 bits.
  RawBuffer alpha = make_buffer(RawFormat::a420, 8, 4, random);
  std::fill(alpha.planes[3].begin(), alpha.planes[3].end(), 255);
  RawBuffer deep = make_buffer(RawFormat::a444_10le, 8, 4, random);
  widen(alpha.frame, deep.frame);
  ASSERT_EQ(code(deep, 3, 5, 2, true), 1023);
  std::string why;
  EXPECT_FALSE(can_widen(RawFormat::i420_10le, RawFormat::i420, why));
  EXPECT_NE(why.find("loses 2 bits"), std::string::npos) << why;
  EXPECT_FALSE(can_widen(RawFormat::y444, RawFormat::i420, why));
  EXPECT_FALSE(can_widen(RawFormat::a420, RawFormat::i420, why));
  EXPECT_FALSE(can_widen(RawFormat::gbr_10le, RawFormat::y444_10le, why));
  EXPECT_TRUE(can_widen(RawFormat::gbr, RawFormat::bgrx, why));
}

class GreyPictures : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::SrvggSpec spec;
    spec.scale = 2;
    spec.features = 8;
    spec.convs = 2;
    testing::write_srvgg(spec, dir_ / "rgb.onnx");
    engine_ = infer::load_model((dir_ / "rgb.onnx").string());
  }

  // A 10-bit 4:2:0 frame: a luma ramp, chroma `cb` and `cr` codes.
  static Frame ycbcr_frame(int cb, int cr) {
    Frame frame;
    frame.colour = FrameColour::ycbcr;
    frame.bits = 10;
    frame.space = {YcbcrMatrix::bt601, YcbcrRange::limited, 10};
    frame.chroma_shift_x = 1;
    frame.chroma_shift_y = 1;
    frame.planes.resize({1, 1, 16, 24});
    for (int i = 0; i < 16 * 24; ++i) frame.planes.data()[i] = static_cast<float>(64 + (i * 7) % 876) / 1023.0f;
    frame.chroma.resize({1, 2, 8, 12});
    for (int i = 0; i < 8 * 12; ++i) {
      frame.chroma.plane(0, 0)[i] = static_cast<float>(cb) * (1.0f / 1023.0f);
      frame.chroma.plane(0, 1)[i] = static_cast<float>(cr) * (1.0f / 1023.0f);
    }
    return frame;
  }

  // The chroma codes of `frame` packed as I420_10LE.
  static std::vector<int> chroma_codes(const Frame& frame) {
    std::vector<std::uint16_t> y(static_cast<std::size_t>(frame.width() * frame.height()));
    std::vector<std::uint16_t> u(y.size() / 4);
    std::vector<std::uint16_t> v(y.size() / 4);
    RawFrame raw;
    raw.format = RawFormat::i420_10le;
    raw.width = frame.width();
    raw.height = frame.height();
    raw.planes[0] = {reinterpret_cast<std::uint8_t*>(y.data()), 2 * frame.width()};
    raw.planes[1] = {reinterpret_cast<std::uint8_t*>(u.data()), frame.width()};
    raw.planes[2] = {reinterpret_cast<std::uint8_t*>(v.data()), frame.width()};
    pack(frame, raw);
    std::vector<int> codes(u.begin(), u.end());
    codes.insert(codes.end(), v.begin(), v.end());
    return codes;
  }

  testing::TempDir dir_;
  std::unique_ptr<infer::Engine> engine_;
};

TEST_F(GreyPictures, NeutralChromaComesOutExactlyNeutralThroughAnRgbModel) {
  infer::FrameUpscaler upscaler(*engine_, {});
  for (const int code : chroma_codes(upscaler.upscale(ycbcr_frame(512, 512)))) ASSERT_EQ(code, 512);
  // A coloured frame keeps its colour (the model's own chroma).
  int off_neutral = 0;
  for (const int code : chroma_codes(upscaler.upscale(ycbcr_frame(400, 600)))) off_neutral += code != 512;
  EXPECT_GT(off_neutral, 0);
  // Declared monochrome: every frame grey, its chroma discarded.
  infer::UpscaleOptions options;
  options.monochrome = true;
  infer::FrameUpscaler grey(*engine_, options);
  for (const int code : chroma_codes(grey.upscale(ycbcr_frame(400, 600)))) ASSERT_EQ(code, 512);
}

TEST_F(GreyPictures, EqualRgbPlanesStayEqual) {
  infer::FrameUpscaler upscaler(*engine_, {});
  Frame frame;
  frame.colour = FrameColour::rgb;
  frame.bits = 8;
  frame.planes.resize({1, 3, 10, 14});
  for (int i = 0; i < 140; ++i) {
    const float v = static_cast<float>((i * 37) % 256) / 255.0f;
    for (int c = 0; c < 3; ++c) frame.planes.plane(0, c)[i] = v;
  }
  const Frame out = upscaler.upscale(frame);
  ASSERT_EQ(out.planes.shape().c, 3);
  const std::size_t n = out.planes.shape().plane_size();
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(out.planes.plane(0, 0)[i], out.planes.plane(0, 1)[i]);
    ASSERT_EQ(out.planes.plane(0, 1)[i], out.planes.plane(0, 2)[i]);
  }
}

}  // namespace
}  // namespace r4k
