// The inner loops of the Winograd F(4x4, 3x3) convolution
// (winograd_convolution.hpp), built three times: for AVX-512
// (winograd_kernels_avx512.cpp: the products on 16-float registers), with
// AVX2+FMA intrinsics (winograd_kernels_avx2.cpp), each compiled for that
// instruction set, and in portable C++ (winograd_kernels_portable.cpp);
// winograd_convolution picks one at run time from what the CPU has. All run
// the same arithmetic in the same order: the AVX-512 and AVX2 loops give the
// same bits (tested); the portable ones agree to the last bit where the
// compiler contracts multiply-adds alike (it need not: tested to a tolerance).
//
// Activations are in oneDNN's nChw8c layout: channels in blocks of 8, the
// block's 8 values of one pixel contiguous; channel counts padded to 8.
#pragma once

#include <cstdint>

namespace r4k::infer::winograd {

constexpr int kTile = 4;                  // output pixels per tile side
constexpr int kInputTile = kTile + 2;     // input pixels per tile side (3x3 kernel)
constexpr int kPoints = kInputTile * kInputTile;  // 36 products per tile
constexpr int kLanes = 8;                 // channels per block (nChw8c)
// A pixel-shuffle output (Layer::shuffle_block): at most 8 a side and 256
// channels (a tile's values are gathered on the stack before they are written).
constexpr int kMaxShuffle = 8;
constexpr int kMaxShuffleBlocks = 32;

// One step applied to every output value on its way out, in order.
struct EpilogueStep {
  enum class Kind {
    add,       // x + channel[c]      (bias, Add/Sub of a per-channel or scalar constant)
    mul,       // x * channel[c]      (Mul by a per-channel or scalar constant)
    leaky,     // x >= 0 ? x : alpha * x   (ReLU: alpha 0; LeakyReLU; scalar PReLU)
    prelu,     // x >= 0 ? x : channel[c] * x
    clip,      // min(max(x, low), high)
    residual,  // x + residual tensor at the same position (same layout as the output)
  };
  Kind kind = Kind::add;
  const float* channel = nullptr;  // padded channel count values (add, mul, prelu)
  float alpha = 0.0f;              // leaky
  float low = 0.0f, high = 0.0f;   // clip
};

// One convolution's geometry and transformed filters.
struct Layer {
  int batch = 1;
  int in_blocks = 0, out_blocks = 0;  // channel blocks of 8 (padded)
  int in_h = 0, in_w = 0;
  int out_h = 0, out_w = 0;
  int pad_top = 0, pad_left = 0;
  int tiles_y = 0, tiles_x = 0;  // 4x4 output tiles per image
  // U[point][in channel][out channel]: 36 matrices of padded in x padded out.
  const float* filters = nullptr;
  const EpilogueStep* steps = nullptr;
  int step_count = 0;
  // Pixel-shuffle output (shuffle_block > 1): instead of nChw8c, the output
  // is written depth-to-space into a plain [batch][channels / s^2][out_h * s]
  // [out_w * s] tensor (s = shuffle_block; DCR or CRD channel order), and
  // when upsample > 0 the `residual` read is a plain tensor of that many
  // channels, upsample times smaller a side, added nearest-neighbour.
  int channels = 0;  // real output channels (before padding)
  // Planar input (planar_channels > 0, at most 8): `src` is plain [batch]
  // [planar_channels][in_h][in_w] — a network's input, read where it lies.
  int planar_channels = 0;
  // Channel-last input (in channels a multiple of 8): `src` is [batch][in_h]
  // [in_w][channels], as a dense block's concatenation leaves it.
  bool channel_last_input = false;
  int shuffle_block = 0;
  bool shuffle_crd = false;
  int upsample = 0;
  // Channel-last output (out channels a multiple of 8): `dst`, and the
  // residual, are [batch][out_h][out_w][channels], the layout a dense
  // block's concatenation takes them in.
  bool channel_last_output = false;
};

// Output tile `tile` of the batch (numbered image by image, row by row):
// its image, its place in the tile grid, how much of it is inside the
// picture, and where its 6x6 input patch starts (before padding).
struct TilePlace {
  std::int64_t image = 0;
  int ty = 0, tx = 0;
  int rows_out = 0, cols_out = 0;
  int y0 = 0, x0 = 0;
};

inline TilePlace tile_place(const Layer& layer, std::int64_t tile) {
  const std::int64_t per_image = static_cast<std::int64_t>(layer.tiles_y) * layer.tiles_x;
  TilePlace place;
  place.image = tile / per_image;
  place.ty = static_cast<int>((tile % per_image) / layer.tiles_x);
  place.tx = static_cast<int>(tile % layer.tiles_x);
  place.rows_out = layer.out_h - place.ty * kTile < kTile ? layer.out_h - place.ty * kTile : kTile;
  place.cols_out = layer.out_w - place.tx * kTile < kTile ? layer.out_w - place.tx * kTile : kTile;
  place.y0 = place.ty * kTile - layer.pad_top;
  place.x0 = place.tx * kTile - layer.pad_left;
  return place;
}

// A block's scratch: V[36][count][in] and M[36][count][out], each point's
// matrix `v_point` / `m_point` floats from the next (point_stride).
struct TileScratch {
  float* v = nullptr;
  float* m = nullptr;
  std::int64_t v_point = 0, m_point = 0;
};

// Floats between two points' matrices of `count` tiles x `channels` in the
// scratch: the dense size rounded up to an odd number of cache lines (the
// 36 points then fall into different L1 sets).
std::int64_t point_stride(int count, int channels);

inline TileScratch tile_scratch(const Layer& layer, int count, float* scratch) {
  TileScratch out;
  out.v_point = point_stride(count, layer.in_blocks * kLanes);
  out.m_point = point_stride(count, layer.out_blocks * kLanes);
  out.v = scratch;
  out.m = scratch + kPoints * out.v_point;
  return out;
}

// Where one output tile's values lie in `dst` (and in the residual, which
// has the output's layout), in floats: its first pixel of channel block
// `block`, then the steps to the next row, pixel and channel block.
struct OutputSpan {
  std::int64_t first = 0;
  std::int64_t row = 0;
  std::int64_t pixel = 0;
  std::int64_t next_block = 0;
};

inline OutputSpan output_span(const Layer& layer, std::int64_t image, int tile_y, int tile_x, int block) {
  const std::int64_t y = static_cast<std::int64_t>(tile_y) * kTile;
  const std::int64_t x = static_cast<std::int64_t>(tile_x) * kTile;
  if (layer.channel_last_output) {
    const std::int64_t channels = static_cast<std::int64_t>(layer.out_blocks) * kLanes;
    return {((image * layer.out_h + y) * layer.out_w + x) * channels + block * kLanes, layer.out_w * channels, channels,
            kLanes};
  }
  const std::int64_t plane = static_cast<std::int64_t>(layer.out_h) * layer.out_w * kLanes;
  return {(image * layer.out_blocks + block) * plane + (y * layer.out_w + x) * kLanes,
          static_cast<std::int64_t>(layer.out_w) * kLanes, kLanes, plane};
}


// Scratch floats run_tiles needs for `count` tiles.
std::int64_t scratch_floats(const Layer& layer, int count);

// Computes the output tiles [first, first + count) of the whole batch
// (numbered image by image, row by row): input transform, the 36 products,
// output transform with the epilogue. `scratch` holds scratch_floats floats,
// 32-byte aligned. `residual` is read only by a residual step.
using RunTiles = void (*)(const Layer& layer, const float* src, float* dst, const float* residual,
                          std::int64_t first, int count, float* scratch);

namespace avx512 {
void run_tiles(const Layer& layer, const float* src, float* dst, const float* residual, std::int64_t first,
               int count, float* scratch);
}
namespace avx2 {
void run_tiles(const Layer& layer, const float* src, float* dst, const float* residual, std::int64_t first,
               int count, float* scratch);
}
namespace portable {
void run_tiles(const Layer& layer, const float* src, float* dst, const float* residual, std::int64_t first,
               int count, float* scratch);
}

}  // namespace r4k::infer::winograd
