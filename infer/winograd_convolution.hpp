// A 3x3, stride-1, dilation-1 convolution computed with Winograd's minimal
// filtering F(4x4, 3x3): each 4x4 output tile costs 36 multiply-adds per
// input/output channel pair instead of 144, so the layer runs past the FMA
// peak of a direct convolution. The filters are transformed once, here; a
// run streams the picture through in blocks of tiles small enough that each
// block's transformed input and products stay in the core's L2 cache; bias,
// activations (ReLU, LeakyReLU, PReLU, clip), per-channel scales and the
// residual add are applied as each output tile is written.
//
// Tensors are in oneDNN's nChw8c layout (channels padded to a multiple of 8;
// padded channels read as anything, written as zero), so the layer sits
// between oneDNN primitives without reorders.
//
// Accuracy: the transforms' constants (1/4, 1/6, 1/24, 2, 4, 8) cost a few
// float roundings more than a direct convolution; on the model families the
// engine runs, the difference stays below 1e-5 of the output's range
// (tests/unit/winograd_convolution_test.cpp). The tile grid starts at the
// tensor's own origin.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "infer/winograd_kernels.hpp"

namespace r4k::infer {

// Where the layer sits at an edge of the network. `planar_input`: the
// source is a plain [batch][in_channels][in_h][in_w] tensor (at most 8
// channels: the network's input), read where it lies. `shuffle_block` > 1:
// the output is written depth-to-space (DCR, or CRD when `shuffle_crd`) into
// a plain [batch][out_channels / block^2][out_h * block][out_w * block]
// tensor, plus, when upsample > 0, a plain tensor of that shape `upsample`
// times smaller a side read nearest-neighbour (an SR network's tail: last
// convolution, pixel shuffle, upsampled input added).
struct WinogradEdges {
  bool planar_input = false;
  bool channel_last_input = false;   // src [batch][in_h][in_w][in_channels], in_channels a multiple of 8
  bool channel_last_output = false;  // dst and residual [batch][out_h][out_w][out_channels], a multiple of 8
  int shuffle_block = 0;
  bool shuffle_crd = false;
  int upsample = 0;
};

class WinogradConvolution {
 public:
  struct Geometry {
    int batch = 1;
    int in_channels = 0;
    int out_channels = 0;
    int in_h = 0, in_w = 0;
    int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
    int out_h() const { return in_h + pad_top + pad_bottom - 2; }
    int out_w() const { return in_w + pad_left + pad_right - 2; }
  };

  // What is applied to each output value, in order, after the convolution.
  struct PostOp {
    winograd::EpilogueStep::Kind kind = winograd::EpilogueStep::Kind::add;
    std::vector<float> values;  // 1 (scalar) or out_channels values: add, mul, prelu
    float alpha = 0.0f;         // leaky
    float low = 0.0f, high = 0.0f;  // clip
  };

  enum class Isa { automatic, avx512, avx2, portable };

  using Edges = WinogradEdges;

  // `weights` [out][in][3][3] (ONNX/oneDNN oihw); `bias` out_channels values
  // or null. `tile_block`: tiles per block, 0 for the size that fits L2.
  WinogradConvolution(const Geometry& geometry, const float* weights, const float* bias, const std::vector<PostOp>& post_ops,
                      Isa isa = Isa::automatic, int tile_block = 0, Edges edges = {});

  // src [batch][in/8][in_h][in_w][8], dst and residual [batch][out/8][out_h][out_w][8]
  // (at the network's edges: as Edges says).
  void run(const float* src, float* dst, const float* residual = nullptr) const;

  // "winograd:f4x4:avx512:block24": what runs, for logs and the job record.
  std::string name() const;
  int tile_block() const { return tile_block_; }
  static bool cpu_has_avx2();
  static bool cpu_has_avx512();  // AVX-512 F and VL (with AVX2 + FMA)
  // Tiles per block whose scratch fits half of a 1 MiB L2 for these channel counts.
  static int default_tile_block(int in_channels, int out_channels);

 private:
  Geometry geometry_;
  winograd::Layer layer_;
  std::vector<float> filters_;
  std::vector<std::vector<float>> channel_values_;
  std::vector<winograd::EpilogueStep> steps_;
  winograd::RunTiles run_tiles_ = nullptr;
  Isa isa_ = Isa::portable;  // what runs (never automatic)
  int tile_block_ = 0;
  Edges edges_;
};

}  // namespace r4k::infer
