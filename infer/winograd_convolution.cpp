#include "infer/winograd_convolution.hpp"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "infer/cpu_features.hpp"

namespace r4k::infer {

using winograd::EpilogueStep;
using winograd::kLanes;
using winograd::kPoints;

namespace winograd {
std::int64_t point_stride(int count, int channels) {
  // 64-byte lines, so an odd number of lines apart: 36 consecutive points
  // then map to 36 different sets of a 64-set L1 (a dense stride such as
  // 24 tiles x 64 channels = 6 KiB puts them all into two).
  std::int64_t lines = (static_cast<std::int64_t>(count) * channels + 15) / 16;
  if (lines % 2 == 0) ++lines;
  return lines * 16;
}

std::int64_t scratch_floats(const Layer& layer, int count) {
  return kPoints * (point_stride(count, layer.in_blocks * kLanes) + point_stride(count, layer.out_blocks * kLanes));
}
}  // namespace winograd

namespace {

int blocks_of(int channels) { return (channels + kLanes - 1) / kLanes; }

// G (6x3) of F(4x4, 3x3): U = G g G^T.
constexpr double kG[6][3] = {{1.0 / 4, 0, 0},
                             {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                             {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                             {1.0 / 24, 1.0 / 12, 1.0 / 6},
                             {1.0 / 24, -1.0 / 12, 1.0 / 6},
                             {0, 0, 1}};

// A thread's scratch, kept between runs (a block's worth: a few hundred KiB).
float* thread_scratch(std::int64_t floats) {
  struct Scratch {
    std::unique_ptr<float, decltype(&std::free)> data{nullptr, &std::free};
    std::int64_t size = 0;
  };
  thread_local Scratch scratch;
  if (scratch.size < floats) {
    const std::size_t bytes = (static_cast<std::size_t>(floats) * sizeof(float) + 63) / 64 * 64;
    scratch.data.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
    if (!scratch.data) throw std::bad_alloc();
    scratch.size = floats;
  }
  return scratch.data.get();
}

}  // namespace

bool WinogradConvolution::cpu_has_avx2() { return cpu_features().avx2_fma; }

bool WinogradConvolution::cpu_has_avx512() { return cpu_features().avx512; }

int WinogradConvolution::default_tile_block(int in_channels, int out_channels) {
  const std::int64_t per_tile = static_cast<std::int64_t>(kPoints) * (blocks_of(in_channels) + blocks_of(out_channels)) *
                                kLanes * static_cast<std::int64_t>(sizeof(float));
  const std::int64_t budget = 512 * 1024;
  const int tiles = static_cast<int>(budget / per_tile) / 6 * 6;
  return std::clamp(tiles, 6, 96);
}

WinogradConvolution::WinogradConvolution(const Geometry& geometry, const float* weights, const float* bias,
                                         const std::vector<PostOp>& post_ops, Isa isa, int tile_block, Edges edges)
    : geometry_(geometry), edges_(edges) {
  if (geometry.in_channels < 1 || geometry.out_channels < 1 || geometry.out_h() < 1 || geometry.out_w() < 1) {
    throw std::invalid_argument("Winograd convolution: empty geometry");
  }
  if (isa == Isa::automatic) isa = cpu_has_avx512() ? Isa::avx512 : cpu_has_avx2() ? Isa::avx2 : Isa::portable;
  if (isa == Isa::avx512 && !cpu_has_avx512()) throw std::invalid_argument("Winograd convolution: this CPU has no AVX-512");
  if (isa == Isa::avx2 && !cpu_has_avx2()) throw std::invalid_argument("Winograd convolution: this CPU has no AVX2 + FMA");
  isa_ = isa;
  run_tiles_ = isa == Isa::avx512 ? &winograd::avx512::run_tiles
               : isa == Isa::avx2 ? &winograd::avx2::run_tiles
                                  : &winograd::portable::run_tiles;
  tile_block_ = tile_block > 0 ? tile_block : default_tile_block(geometry.in_channels, geometry.out_channels);

  const int in_blocks = blocks_of(geometry.in_channels);
  const int out_blocks = blocks_of(geometry.out_channels);
  const int in_padded = in_blocks * kLanes;
  const int out_padded = out_blocks * kLanes;
  // Filters: U[point][in][out] = (G g G^T)[point] for g = weights[out][in], in double.
  filters_.assign(static_cast<std::size_t>(kPoints) * in_padded * out_padded, 0.0f);
  for (int o = 0; o < geometry.out_channels; ++o) {
    for (int i = 0; i < geometry.in_channels; ++i) {
      const float* g = weights + (static_cast<std::int64_t>(o) * geometry.in_channels + i) * 9;
      double gg[6][3];
      for (int r = 0; r < 6; ++r) {
        for (int c = 0; c < 3; ++c) gg[r][c] = kG[r][0] * g[c] + kG[r][1] * g[3 + c] + kG[r][2] * g[6 + c];
      }
      for (int r = 0; r < 6; ++r) {
        for (int c = 0; c < 6; ++c) {
          const double u = gg[r][0] * kG[c][0] + gg[r][1] * kG[c][1] + gg[r][2] * kG[c][2];
          filters_[(static_cast<std::size_t>(r * 6 + c) * in_padded + i) * out_padded + o] = static_cast<float>(u);
        }
      }
    }
  }
  // Epilogue: the bias first, then the post-ops; padded channels stay zero.
  const auto channel_vector = [&](const std::vector<float>& values, float padding) {
    if (values.size() != 1 && values.size() != static_cast<std::size_t>(geometry.out_channels)) {
      throw std::invalid_argument("Winograd convolution: " + std::to_string(values.size()) + " values for " +
                                  std::to_string(geometry.out_channels) + " channels");
    }
    std::vector<float> padded(static_cast<std::size_t>(out_padded), padding);
    for (int c = 0; c < geometry.out_channels; ++c) padded[static_cast<std::size_t>(c)] = values.size() == 1 ? values[0] : values[static_cast<std::size_t>(c)];
    channel_values_.push_back(std::move(padded));
    return channel_values_.back().data();
  };
  channel_values_.reserve(post_ops.size() + 2);
  std::vector<EpilogueStep> steps;
  if (bias != nullptr) {
    EpilogueStep step;
    step.kind = EpilogueStep::Kind::add;
    step.channel = channel_vector(std::vector<float>(bias, bias + geometry.out_channels), 0.0f);
    steps.push_back(step);
  }
  bool padding_may_change = false;
  for (const PostOp& op : post_ops) {
    EpilogueStep step;
    step.kind = op.kind;
    step.alpha = op.alpha;
    step.low = op.low;
    step.high = op.high;
    switch (op.kind) {
      case EpilogueStep::Kind::add:
      case EpilogueStep::Kind::mul:
      case EpilogueStep::Kind::prelu:
        step.channel = channel_vector(op.values, 0.0f);
        break;
      case EpilogueStep::Kind::clip:
        padding_may_change = padding_may_change || op.low > 0.0f || op.high < 0.0f;
        break;
      default:
        break;
    }
    steps.push_back(step);
  }
  if (padding_may_change && geometry.out_channels % kLanes != 0) {
    EpilogueStep mask;
    mask.kind = EpilogueStep::Kind::mul;
    mask.channel = channel_vector(std::vector<float>(static_cast<std::size_t>(geometry.out_channels), 1.0f), 0.0f);
    steps.push_back(mask);
  }
  steps_ = std::move(steps);

  layer_.batch = geometry.batch;
  layer_.in_blocks = in_blocks;
  layer_.out_blocks = out_blocks;
  layer_.in_h = geometry.in_h;
  layer_.in_w = geometry.in_w;
  layer_.out_h = geometry.out_h();
  layer_.out_w = geometry.out_w();
  layer_.pad_top = geometry.pad_top;
  layer_.pad_left = geometry.pad_left;
  layer_.tiles_y = (layer_.out_h + winograd::kTile - 1) / winograd::kTile;
  layer_.tiles_x = (layer_.out_w + winograd::kTile - 1) / winograd::kTile;
  layer_.filters = filters_.data();
  layer_.steps = steps_.data();
  layer_.step_count = static_cast<int>(steps_.size());
  layer_.channels = geometry.out_channels;
  if (edges.planar_input) {
    if (geometry.in_channels > kLanes) throw std::invalid_argument("Winograd convolution: planar input of more than 8 channels");
    layer_.planar_channels = geometry.in_channels;
  }
  if (edges.channel_last_input) {
    if (geometry.in_channels % kLanes != 0 || edges.planar_input) {
      throw std::invalid_argument("Winograd convolution: channel-last input needs a multiple of 8 channels");
    }
    layer_.channel_last_input = true;
  }
  if (edges.channel_last_output) {
    if (geometry.out_channels % kLanes != 0 || edges.shuffle_block > 1) {
      throw std::invalid_argument("Winograd convolution: channel-last output needs a multiple of 8 channels and no pixel shuffle");
    }
    layer_.channel_last_output = true;
  }
  if (edges.shuffle_block > 1) {
    const int s = edges.shuffle_block;
    const bool residual_step = std::any_of(post_ops.begin(), post_ops.end(),
                                           [](const PostOp& op) { return op.kind == EpilogueStep::Kind::residual; });
    if (s > winograd::kMaxShuffle || out_blocks > winograd::kMaxShuffleBlocks) {
      throw std::invalid_argument("Winograd convolution: a pixel-shuffle output of more than 8 a side or 256 channels");
    }
    if (geometry.out_channels % (s * s) != 0 || residual_step ||
        (edges.upsample > 0 && ((layer_.out_h * s) % edges.upsample != 0 || (layer_.out_w * s) % edges.upsample != 0))) {
      throw std::invalid_argument("Winograd convolution: a pixel-shuffle output that does not divide");
    }
    layer_.shuffle_block = s;
    layer_.shuffle_crd = edges.shuffle_crd;
    layer_.upsample = edges.upsample;
  }
}

void WinogradConvolution::run(const float* src, float* dst, const float* residual) const {
  const std::int64_t tiles = static_cast<std::int64_t>(layer_.batch) * layer_.tiles_y * layer_.tiles_x;
  const std::int64_t blocks = (tiles + tile_block_ - 1) / tile_block_;
  const std::int64_t scratch = winograd::scratch_floats(layer_, tile_block_);
#pragma omp parallel
  {
    float* own = thread_scratch(scratch);
#pragma omp for schedule(static)
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::int64_t first = b * tile_block_;
      const int count = static_cast<int>(std::min<std::int64_t>(tile_block_, tiles - first));
      run_tiles_(layer_, src, dst, residual, first, count, own);
    }
  }
}

std::string WinogradConvolution::name() const {
  std::string name = std::string("winograd:f4x4:") + (isa_ == Isa::avx512 ? "avx512" : isa_ == Isa::avx2 ? "avx2" : "portable") + ":block" + std::to_string(tile_block_);
  if (edges_.planar_input) name = "planar_input+" + name;
  if (edges_.channel_last_input) name = "channel_last_input+" + name;
  if (edges_.channel_last_output) name += "+channel_last_output";
  if (edges_.shuffle_block > 1) name += "+depth_to_space" + std::string(edges_.upsample > 0 ? "+upsampled_residual" : "");
  return name;
}

}  // namespace r4k::infer
