// The per-channel PReLU kernel in each layout the native engine hands it.
#include <gtest/gtest.h>

#include <random>

#include "infer/prelu_kernel.hpp"

namespace {

using r4k::infer::ChannelLayout;

// Element (n, c, h, w) of `layout`.
std::int64_t offset(const ChannelLayout& l, std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w) {
  return n * l.n_stride + (c / l.block) * l.c_stride + h * l.h_stride + w * l.w_stride + c % l.block;
}

void check(const ChannelLayout& layout, std::size_t size) {
  std::mt19937 random(3);
  std::uniform_real_distribution<float> value(-2.0f, 2.0f);
  std::vector<float> in(size);
  for (float& x : in) x = value(random);
  std::vector<float> slopes(static_cast<std::size_t>(layout.c));
  for (float& s : slopes) s = value(random);
  std::vector<float> out(size, 123.0f);
  r4k::infer::prelu_per_channel(in.data(), out.data(), slopes.data(), layout);
  for (std::int64_t n = 0; n < layout.n; ++n) {
    for (std::int64_t c = 0; c < layout.c; ++c) {
      for (std::int64_t h = 0; h < layout.h; ++h) {
        for (std::int64_t w = 0; w < layout.w; ++w) {
          const auto i = static_cast<std::size_t>(offset(layout, n, c, h, w));
          const float expected = in[i] >= 0.0f ? in[i] : slopes[static_cast<std::size_t>(c)] * in[i];
          ASSERT_EQ(out[i], expected) << n << "," << c << "," << h << "," << w << " block " << layout.block;
        }
      }
    }
  }
  // In place gives the same.
  std::vector<float> inplace = in;
  r4k::infer::prelu_per_channel(inplace.data(), inplace.data(), slopes.data(), layout);
  for (std::int64_t n = 0; n < layout.n; ++n) {
    for (std::int64_t c = 0; c < layout.c; ++c) {
      const auto i = static_cast<std::size_t>(offset(layout, n, c, layout.h - 1, layout.w - 1));
      ASSERT_EQ(inplace[i], out[i]);
    }
  }
}

TEST(PreluKernel, PlainChannelLastAndBlockedLayouts) {
  const std::int64_t n = 2, c = 20, h = 5, w = 7;
  // nchw
  check(ChannelLayout{n, c, h, w, c * h * w, h * w, w, 1, 1}, static_cast<std::size_t>(n * c * h * w));
  // nhwc: channels contiguous per pixel
  check(ChannelLayout{n, c, h, w, h * w * c, 0, w * c, c, c}, static_cast<std::size_t>(n * c * h * w));
  // nChw8c with 20 channels: 3 blocks, the last one padded
  const std::int64_t blocks = 3;
  check(ChannelLayout{n, c, h, w, blocks * h * w * 8, h * w * 8, w * 8, 8, 8},
        static_cast<std::size_t>(n * blocks * h * w * 8));
}

}  // namespace
