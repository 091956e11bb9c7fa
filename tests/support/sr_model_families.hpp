// Random-weight ONNX models of the common super-resolution families, written
// in the node forms PyTorch's exporter produces for them (opset 11..17):
// input "input" [N,C,H,W] float with N, H, W as dim_params ("batch",
// "height", "width"), output "output" [N,C,H*scale,W*scale]. They exercise the
// operators real downloaded models use (LeakyRelu, dense Concat, nearest
// Resize, scalar Mul, mean Sub/Add, PRelu, ConvTranspose) without downloads.
// SRVGG and ESPCN live in sr_test_models.hpp.
#pragma once

#include <cstdint>
#include <filesystem>

namespace r4k::testing {

// Real-ESRGAN RRDBNet (RealESRGAN_x4plus architecture, scaled down):
// conv_first -> `blocks` x RRDB -> conv_body, + conv_first output ->
// 2 x [nearest Resize x2 -> conv3x3 -> LeakyRelu(0.2)] -> conv_hr ->
// LeakyRelu -> conv_last. An RRDB is 3 residual dense blocks (5 convs with
// dense Concat inputs, LeakyRelu(0.2) after the first 4, out = x5 * 0.2 + x)
// and returns rdb3 * 0.2 + x. Only scale 4: the x2/x1 variants start with a
// traced pixel_unshuffle this writer does not produce.
struct RrdbSpec {
  int scale = 4;
  int channels = 3;
  int features = 16;  // num_feat (64 in the released models)
  int growth = 8;     // num_grow_ch (32 in the released models)
  int blocks = 1;     // num_block (23 in the released models)
  int opset = 13;
  std::uint32_t seed = 11;
};

// EDSR-baseline (basicsr EDSR with img_range 1): Sub RGB mean -> head conv ->
// `blocks` x [conv, Relu, conv, (Mul res_scale when != 1), Add] -> conv ->
// Add head output -> upsampler (x2: conv F->4F + DepthToSpace 2; x4: that
// twice; x3: conv F->9F + DepthToSpace 3) -> tail conv -> Add RGB mean.
// Scale 2, 3 or 4.
struct EdsrSpec {
  int scale = 2;
  int channels = 3;  // 3 uses the DIV2K RGB mean; other counts use 0.5 per channel
  int features = 16;
  int blocks = 2;
  float res_scale = 1.0f;
  int opset = 13;
  std::uint32_t seed = 12;
};

// FSRCNN on one (luma) channel: conv5x5(1->d)+PRelu, conv1x1(d->s)+PRelu,
// m x [conv3x3(s->s)+PRelu], conv1x1(s->d)+PRelu, ConvTranspose 9x9
// stride=scale, pads 4, output_padding scale-1 (output exactly scale x input).
struct FsrcnnSpec {
  int scale = 2;
  int d = 16;
  int s = 8;
  int m = 2;
  int opset = 13;
  std::uint32_t seed = 13;
};

// Write the network to `path` (binary ModelProto). Throw std::runtime_error
// on an invalid spec or an I/O failure.
void write_rrdbnet(const RrdbSpec& spec, const std::filesystem::path& path);
void write_edsr(const EdsrSpec& spec, const std::filesystem::path& path);
void write_fsrcnn(const FsrcnnSpec& spec, const std::filesystem::path& path);

}  // namespace r4k::testing
