// The Winograd F(4x4, 3x3) layer against a direct convolution in double:
// sizes that leave partial tiles, every padding, channel counts that are not
// multiples of 8, every epilogue step, both instruction sets, several blocks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "infer/winograd_convolution.hpp"

namespace r4k::infer {
namespace {

using Kind = winograd::EpilogueStep::Kind;
constexpr int kLanes = 8;

int padded(int channels) { return (channels + kLanes - 1) / kLanes * kLanes; }

// Index of (n, c, y, x) in nChw8c.
std::size_t at(int c_padded, int h, int w, int n, int c, int y, int x) {
  return (((static_cast<std::size_t>(n) * (c_padded / kLanes) + c / kLanes) * h + y) * w + x) * kLanes + c % kLanes;
}

struct Case {
  int batch, in_channels, out_channels, h, w, pad_top, pad_left, pad_bottom, pad_right;
};

std::vector<float> random_values(std::size_t n, std::mt19937& rng, float scale) {
  std::uniform_real_distribution<float> value(-scale, scale);
  std::vector<float> v(n);
  for (float& x : v) x = value(rng);
  return v;
}

// The direct convolution and the same post-ops, in double; padded channels 0.
std::vector<float> reference(const Case& k, const std::vector<float>& src, const std::vector<float>& weights,
                             const std::vector<float>& bias, const std::vector<WinogradConvolution::PostOp>& ops,
                             const std::vector<float>& residual) {
  const int oh = k.h + k.pad_top + k.pad_bottom - 2;
  const int ow = k.w + k.pad_left + k.pad_right - 2;
  const int ip = padded(k.in_channels);
  const int op = padded(k.out_channels);
  std::vector<float> out(static_cast<std::size_t>(k.batch) * op * oh * ow, 0.0f);
  for (int n = 0; n < k.batch; ++n) {
    for (int o = 0; o < k.out_channels; ++o) {
      for (int y = 0; y < oh; ++y) {
        for (int x = 0; x < ow; ++x) {
          double sum = bias[static_cast<std::size_t>(o)];
          for (int i = 0; i < k.in_channels; ++i) {
            for (int dy = 0; dy < 3; ++dy) {
              for (int dx = 0; dx < 3; ++dx) {
                const int sy = y + dy - k.pad_top;
                const int sx = x + dx - k.pad_left;
                if (sy < 0 || sy >= k.h || sx < 0 || sx >= k.w) continue;
                sum += static_cast<double>(weights[((static_cast<std::size_t>(o) * k.in_channels + i) * 3 + dy) * 3 + dx]) *
                       src[at(ip, k.h, k.w, n, i, sy, sx)];
              }
            }
          }
          const std::size_t where = at(op, oh, ow, n, o, y, x);
          for (const auto& step : ops) {
            const auto value = [&](const std::vector<float>& v) { return static_cast<double>(v.size() == 1 ? v[0] : v[static_cast<std::size_t>(o)]); };
            switch (step.kind) {
              case Kind::add: sum += value(step.values); break;
              case Kind::mul: sum *= value(step.values); break;
              case Kind::leaky: sum = sum >= 0 ? sum : step.alpha * sum; break;
              case Kind::prelu: sum = sum >= 0 ? sum : value(step.values) * sum; break;
              case Kind::clip: sum = std::clamp<double>(sum, step.low, step.high); break;
              case Kind::residual: sum += residual[where]; break;
            }
          }
          out[where] = static_cast<float>(sum);
        }
      }
    }
  }
  return out;
}

struct Outcome {
  double relative_error = 0.0;
  bool padding_zero = true;
};

Outcome run_case(const Case& k, const std::vector<WinogradConvolution::PostOp>& ops, WinogradConvolution::Isa isa,
                 int tile_block, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const int ip = padded(k.in_channels);
  const int op = padded(k.out_channels);
  const int oh = k.h + k.pad_top + k.pad_bottom - 2;
  const int ow = k.w + k.pad_left + k.pad_right - 2;
  std::vector<float> src = random_values(static_cast<std::size_t>(k.batch) * ip * k.h * k.w, rng, 1.0f);
  // Padded input channels hold garbage: the layer must not read them into the result.
  const std::vector<float> weights =
      random_values(static_cast<std::size_t>(k.out_channels) * k.in_channels * 9, rng, 1.0f / std::sqrt(9.0f * static_cast<float>(k.in_channels)));
  const std::vector<float> bias = random_values(static_cast<std::size_t>(k.out_channels), rng, 0.1f);
  std::vector<float> residual = random_values(static_cast<std::size_t>(k.batch) * op * oh * ow, rng, 1.0f);
  for (int n = 0; n < k.batch; ++n) {
    for (int c = k.out_channels; c < op; ++c) {
      for (int y = 0; y < oh; ++y) {
        for (int x = 0; x < ow; ++x) residual[at(op, oh, ow, n, c, y, x)] = 0.0f;  // oneDNN's padding
      }
    }
  }
  WinogradConvolution::Geometry geometry{k.batch, k.in_channels, k.out_channels, k.h, k.w,
                                         k.pad_top, k.pad_left, k.pad_bottom, k.pad_right};
  WinogradConvolution layer(geometry, weights.data(), bias.data(), ops, isa, tile_block);
  std::vector<float> dst(residual.size(), 12345.0f);
  layer.run(src.data(), dst.data(), residual.data());
  const std::vector<float> expected = reference(k, src, weights, bias, ops, residual);
  double max_diff = 0.0;
  double max_value = 0.0;
  Outcome outcome;
  for (std::size_t i = 0; i < dst.size(); ++i) {
    max_diff = std::max(max_diff, std::abs(static_cast<double>(dst[i]) - expected[i]));
    max_value = std::max(max_value, std::abs(static_cast<double>(expected[i])));
  }
  for (int n = 0; n < k.batch; ++n) {
    for (int c = k.out_channels; c < op; ++c) {
      for (int y = 0; y < oh; ++y) {
        for (int x = 0; x < ow; ++x) outcome.padding_zero = outcome.padding_zero && dst[at(op, oh, ow, n, c, y, x)] == 0.0f;
      }
    }
  }
  outcome.relative_error = max_diff / max_value;
  return outcome;
}

WinogradConvolution::PostOp step(Kind kind, std::vector<float> values = {}, float alpha = 0.0f) {
  WinogradConvolution::PostOp op;
  op.kind = kind;
  op.values = std::move(values);
  op.alpha = alpha;
  return op;
}

std::vector<WinogradConvolution::Isa> isas() {
  std::vector<WinogradConvolution::Isa> list{WinogradConvolution::Isa::portable};
  if (WinogradConvolution::cpu_has_avx2()) list.push_back(WinogradConvolution::Isa::avx2);
  if (WinogradConvolution::cpu_has_avx512()) list.push_back(WinogradConvolution::Isa::avx512);
  return list;
}

TEST(WinogradConvolution, MatchesDirectConvolutionOnEveryGeometry) {
  const std::vector<Case> cases{
      {1, 64, 64, 32, 32, 1, 1, 1, 1},  // whole tiles
      {2, 16, 24, 19, 23, 1, 1, 1, 1},  // partial tiles, a batch
      {1, 3, 64, 13, 9, 1, 1, 1, 1},    // padded input channels
      {1, 12, 12, 10, 11, 0, 0, 0, 0},  // no padding, padded output channels
      {1, 8, 8, 7, 6, 2, 0, 1, 2},      // asymmetric padding
      {1, 32, 48, 5, 5, 1, 1, 1, 1},    // smaller than one block
  };
  for (const auto isa : isas()) {
    for (const Case& k : cases) {
      for (const int block : {6, 0, 7}) {
        const Outcome outcome = run_case(k, {}, isa, block, 5);
        EXPECT_LT(outcome.relative_error, 1e-5) << k.in_channels << "->" << k.out_channels << " " << k.h << "x" << k.w
                                                << " block " << block << " isa " << static_cast<int>(isa);
        EXPECT_TRUE(outcome.padding_zero);
      }
    }
  }
}

TEST(WinogradConvolution, AppliesEveryEpilogueStepInOrder) {
  const Case k{1, 16, 12, 14, 17, 1, 1, 1, 1};
  std::vector<float> slopes(12);
  for (std::size_t c = 0; c < slopes.size(); ++c) slopes[c] = 0.05f * static_cast<float>(c);
  WinogradConvolution::PostOp clip = step(Kind::clip);
  clip.low = 0.05f;  // moves zero: padded channels must still come out zero
  clip.high = 0.4f;
  const std::vector<std::vector<WinogradConvolution::PostOp>> chains{
      {step(Kind::prelu, slopes)},
      {step(Kind::leaky, {}, 0.2f), step(Kind::residual)},
      {step(Kind::mul, {0.2f}), step(Kind::residual)},  // EDSR/RRDB residual scaling
      {step(Kind::add, {0.5f}), step(Kind::mul, slopes), step(Kind::leaky, {}, 0.0f)},
      {step(Kind::residual), clip},
  };
  for (const auto isa : isas()) {
    for (const auto& chain : chains) {
      const Outcome outcome = run_case(k, chain, isa, 0, 9);
      EXPECT_LT(outcome.relative_error, 1e-5) << chain.size() << " steps, first " << static_cast<int>(chain[0].kind);
      EXPECT_TRUE(outcome.padding_zero);
    }
  }
}

TEST(WinogradConvolution, ReferenceCheckCatchesAWrongResult) {
  // The comparison is not vacuous: a chain the layer was not given differs.
  const Case k{1, 8, 8, 8, 8, 1, 1, 1, 1};
  const Outcome same = run_case(k, {step(Kind::leaky, {}, 0.0f)}, WinogradConvolution::Isa::portable, 0, 3);
  EXPECT_LT(same.relative_error, 1e-5);
  const std::vector<float> weights(8 * 8 * 9, 0.1f);
  WinogradConvolution layer({1, 8, 8, 8, 8, 1, 1, 1, 1}, weights.data(), nullptr, {});
  std::vector<float> src(8 * 8 * 8, 1.0f);
  std::vector<float> dst(src.size());
  layer.run(src.data(), dst.data());
  // Centre pixel: 8 channels x 9 taps x 0.1 = 7.2; corner: 8 x 4 x 0.1 = 3.2.
  EXPECT_NEAR(dst[at(8, 8, 8, 0, 0, 4, 4)], 7.2f, 1e-5f);
  EXPECT_NEAR(dst[at(8, 8, 8, 0, 3, 0, 0)], 3.2f, 1e-5f);
}

TEST(WinogradConvolution, NetworkEdgesPlanarInputAndShuffledUpsampledOutput) {
  // 3 planar channels in (the network's input), 3 * s^2 out shuffled by s
  // (DCR and CRD) into 3 planes, a residual u times smaller a side added
  // nearest-neighbour: against the reference on nChw8c copies, shuffled by
  // hand. s = 4, u = 4 is an x4 network's tail (48 channels: 6 blocks).
  struct Tail {
    int s, u;
  };
  const int h = 13, w = 11;
  std::mt19937 rng(31);
  const auto planar = random_values(3 * h * w, rng, 1.0f);
  std::vector<float> blocked(static_cast<std::size_t>(kLanes) * h * w, 0.0f);
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < h * w; ++i) blocked[at(kLanes, h, w, 0, c, i / w, i % w)] = planar[c * h * w + i];
  }
  for (const Tail tail : {Tail{2, 2}, Tail{2, 1}, Tail{4, 4}}) {
    const int s = tail.s, u = tail.u, channels = 3 * s * s, padded = (channels + kLanes - 1) / kLanes * kLanes;
    const int oh = h * s, ow = w * s, rh = oh / u, rw = ow / u;
    const Case k{1, 3, channels, h, w, 1, 1, 1, 1};
    const auto weights = random_values(static_cast<std::size_t>(channels) * 3 * 9, rng, 0.3f);
    const auto bias = random_values(channels, rng, 0.1f);
    const auto residual = u == s ? planar : random_values(static_cast<std::size_t>(3) * rh * rw, rng, 1.0f);
    const std::vector<WinogradConvolution::PostOp> ops{step(Kind::prelu, random_values(channels, rng, 0.3f))};
    const std::vector<float> expected_blocked = reference(k, blocked, weights, bias, ops, {});
    for (const bool crd : {false, true}) {
      std::vector<float> expected(static_cast<std::size_t>(3) * oh * ow);
      for (int p = 0; p < 3; ++p) {
        for (int y = 0; y < oh; ++y) {
          for (int x = 0; x < ow; ++x) {
            const int dy = y % s, dx = x % s;
            const int channel = crd ? (p * s + dy) * s + dx : (dy * s + dx) * 3 + p;
            expected[(p * oh + y) * ow + x] = expected_blocked[at(padded, h, w, 0, channel, y / s, x / s)] +
                                              residual[(p * rh + y / u) * rw + x / u];
          }
        }
      }
      WinogradConvolution::Edges edges;
      edges.planar_input = true;
      edges.shuffle_block = s;
      edges.shuffle_crd = crd;
      edges.upsample = u;
      for (const auto isa : isas()) {
        WinogradConvolution layer({1, 3, channels, h, w, 1, 1, 1, 1}, weights.data(), bias.data(), ops, isa, 0, edges);
        EXPECT_NE(layer.name().find("planar_input+"), std::string::npos);
        std::vector<float> out(expected.size(), -99.0f);
        layer.run(planar.data(), out.data(), residual.data());
        double worst = 0.0, scale = 1e-6;
        for (std::size_t i = 0; i < out.size(); ++i) {
          worst = std::max(worst, static_cast<double>(std::abs(out[i] - expected[i])));
          scale = std::max(scale, static_cast<double>(std::abs(expected[i])));
        }
        EXPECT_LT(worst / scale, 1e-5) << (crd ? "CRD" : "DCR") << " s " << s << " u " << u << " isa "
                                       << static_cast<int>(isa);
      }
    }
  }
}

TEST(WinogradConvolution, ChannelLastInputGivesTheBlockedResult) {
  // A dense block's concatenation is channel-last: read in place, the same
  // arithmetic as on nChw8c, so the same bits. 24 channels: one block at a
  // time; 32: two at a time where the CPU has AVX-512.
  std::mt19937 rng(41);
  for (const int c : {24, 32}) {
    const int h = 9, w = 10, out = 16;
    const auto blocked = random_values(static_cast<std::size_t>(c) * h * w, rng, 1.0f);
    std::vector<float> channel_last(blocked.size());
    for (int ch = 0; ch < c; ++ch) {
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) channel_last[(static_cast<std::size_t>(y) * w + x) * c + ch] = blocked[at(c, h, w, 0, ch, y, x)];
      }
    }
    const auto weights = random_values(static_cast<std::size_t>(out) * c * 9, rng, 0.2f);
    const WinogradConvolution::Geometry geometry{1, c, out, h, w, 1, 1, 1, 1};
    WinogradConvolution::Edges edges;
    edges.channel_last_input = true;
    for (const auto isa : isas()) {
      std::vector<float> a(static_cast<std::size_t>(out) * h * w);
      std::vector<float> b(a.size());
      WinogradConvolution(geometry, weights.data(), nullptr, {}, isa).run(blocked.data(), a.data());
      WinogradConvolution(geometry, weights.data(), nullptr, {}, isa, 0, edges).run(channel_last.data(), b.data());
      EXPECT_EQ(a, b) << c << " channels, isa " << static_cast<int>(isa);
    }
    edges.planar_input = true;
    EXPECT_THROW(WinogradConvolution(geometry, weights.data(), nullptr, {}, WinogradConvolution::Isa::automatic, 0, edges),
                 std::invalid_argument);
  }
}

TEST(WinogradConvolution, ChannelLastOutputGivesTheBlockedResultTransposed) {
  // Output (and the residual it adds) channel-last, as a dense block's
  // concatenation takes it: the blocked result's values, bit for bit. 24
  // channels out: one block at a time; 32: two at a time on AVX-512.
  std::mt19937 rng(43);
  for (const int out : {24, 32}) {
    const int c = 16, h = 10, w = 9;
    const auto src = random_values(static_cast<std::size_t>(c) * h * w, rng, 1.0f);
    const auto weights = random_values(static_cast<std::size_t>(out) * c * 9, rng, 0.2f);
    const auto residual_blocked = random_values(static_cast<std::size_t>(out) * h * w, rng, 1.0f);
    std::vector<float> residual_last(residual_blocked.size());
    const auto last = [&](int ch, int y, int x) { return (static_cast<std::size_t>(y) * w + x) * out + ch; };
    for (int ch = 0; ch < out; ++ch) {
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) residual_last[last(ch, y, x)] = residual_blocked[at(out, h, w, 0, ch, y, x)];
      }
    }
    const std::vector<WinogradConvolution::PostOp> ops{step(Kind::mul, {0.2f}), step(Kind::residual)};
    const WinogradConvolution::Geometry geometry{1, c, out, h, w, 1, 1, 1, 1};
    WinogradConvolution::Edges edges;
    edges.channel_last_output = true;
    for (const auto isa : isas()) {
      std::vector<float> blocked(residual_blocked.size()), channel_last(residual_blocked.size(), -7.0f);
      WinogradConvolution(geometry, weights.data(), nullptr, ops, isa).run(src.data(), blocked.data(), residual_blocked.data());
      const WinogradConvolution layer(geometry, weights.data(), nullptr, ops, isa, 0, edges);
      EXPECT_NE(layer.name().find("+channel_last_output"), std::string::npos) << layer.name();
      layer.run(src.data(), channel_last.data(), residual_last.data());
      std::size_t differ = 0;
      for (int ch = 0; ch < out; ++ch) {
        for (int y = 0; y < h; ++y) {
          for (int x = 0; x < w; ++x) differ += channel_last[last(ch, y, x)] != blocked[at(out, h, w, 0, ch, y, x)];
        }
      }
      EXPECT_EQ(differ, 0u) << out << " channels, isa " << static_cast<int>(isa);
    }
  }
  WinogradConvolution::Edges refused;
  refused.channel_last_output = true;
  const std::vector<float> weights(12 * 8 * 9, 0.1f);
  EXPECT_THROW(WinogradConvolution({1, 8, 12, 6, 6, 1, 1, 1, 1}, weights.data(), nullptr, {}, WinogradConvolution::Isa::automatic,
                                   0, refused),
               std::invalid_argument);
}

TEST(WinogradConvolution, EveryInstructionSetAgrees) {
  if (!WinogradConvolution::cpu_has_avx2()) GTEST_SKIP() << "no AVX2 + FMA on this CPU";
  std::mt19937 rng(21);
  // 72 output channels: AVX-512's 64-column strip and its 8-column rest.
  for (const int out : {32, 72, 48}) {
    const WinogradConvolution::Geometry geometry{1, 32, out, 21, 18, 1, 1, 1, 1};
    const auto weights = random_values(static_cast<std::size_t>(out) * 32 * 9, rng, 0.1f);
    const auto src = random_values(32 * 21 * 18, rng, 1.0f);
    std::vector<float> portable(static_cast<std::size_t>(out) * 21 * 18);
    WinogradConvolution(geometry, weights.data(), nullptr, {}, WinogradConvolution::Isa::portable)
        .run(src.data(), portable.data());
    for (const auto isa : isas()) {
      std::vector<float> other(portable.size());
      WinogradConvolution(geometry, weights.data(), nullptr, {}, isa).run(src.data(), other.data());
      double diff = 0.0;
      for (std::size_t i = 0; i < other.size(); ++i) diff = std::max(diff, static_cast<double>(std::abs(other[i] - portable[i])));
      EXPECT_LT(diff, 1e-5) << out << " channels, isa " << static_cast<int>(isa);
    }
    if (WinogradConvolution::cpu_has_avx512()) {
      // The same multiply-adds in the same order, 16 lanes or 8 at a time.
      std::vector<float> avx2(portable.size()), avx512(portable.size());
      WinogradConvolution(geometry, weights.data(), nullptr, {}, WinogradConvolution::Isa::avx2).run(src.data(), avx2.data());
      WinogradConvolution(geometry, weights.data(), nullptr, {}, WinogradConvolution::Isa::avx512).run(src.data(), avx512.data());
      EXPECT_EQ(avx2, avx512) << out << " channels";
    }
  }
}

TEST(WinogradConvolution, Avx512RunsWhereTheCpuHasIt) {
  const WinogradConvolution::Geometry geometry{1, 8, 8, 6, 6, 1, 1, 1, 1};
  const std::vector<float> weights(8 * 8 * 9, 0.5f);
  if (!WinogradConvolution::cpu_has_avx512()) {
    EXPECT_THROW(WinogradConvolution(geometry, weights.data(), nullptr, {}, WinogradConvolution::Isa::avx512),
                 std::invalid_argument);
    EXPECT_EQ(WinogradConvolution(geometry, weights.data(), nullptr, {}).name().find("avx512"), std::string::npos);
    return;
  }
  EXPECT_NE(WinogradConvolution(geometry, weights.data(), nullptr, {}).name().find("winograd:f4x4:avx512"),
            std::string::npos);
}

}  // namespace
}  // namespace r4k::infer
