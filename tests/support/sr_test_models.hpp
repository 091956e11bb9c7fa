// Small random-weight super-resolution networks written as ONNX files with the
// ONNX protobuf API, in the forms PyTorch's exporter produces. Tests and
// benchmarks use them so that no model has to be downloaded.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace r4k::testing {

// SRVGG-style compact network (the architecture of Real-ESRGAN's compact video
// models): conv3x3(in->features) + PReLU, `convs` x [conv3x3(features->features)
// + PReLU], conv3x3(features -> out*scale*scale), DepthToSpace(scale, CRD),
// plus the input upsampled by nearest Resize, added to the output.
struct SrvggSpec {
  int scale = 4;
  int channels = 3;   // image channels in and out
  int features = 64;
  int convs = 16;     // body convolutions (not counting the first and last)
  bool dynamic_shape = true;  // input dims N,H,W symbolic ("batch","height","width")
  int fixed_height = 0;       // used when !dynamic_shape
  int fixed_width = 0;
  int opset = 13;
  std::uint32_t seed = 1;
  // How the final pixel shuffle is written: DepthToSpace(CRD) (PyTorch opset
  // >= 11); Reshape -> Transpose -> Reshape with constant shapes (a fixed-shape
  // export; needs dynamic_shape = false); or the same with the shapes computed
  // at run time by Shape -> Gather -> Unsqueeze -> Concat (a traced
  // x.view(b, c, s, s, h, w) with dynamic axes). All three compute the same output.
  enum class PixelShuffleForm { depth_to_space, reshape_transpose_static, shape_driven };
  PixelShuffleForm pixel_shuffle = PixelShuffleForm::depth_to_space;
};

// ESPCN-style: conv5x5(in->64)+Tanh, conv3x3(64->32)+Tanh,
// conv3x3(32->out*scale*scale), DepthToSpace(scale, CRD).
struct EspcnSpec {
  int scale = 3;
  int channels = 1;
  bool dynamic_shape = true;
  int opset = 13;
  std::uint32_t seed = 2;
};

// Writes the network to `path` (binary ModelProto). Throws std::runtime_error on failure.
void write_srvgg(const SrvggSpec& spec, const std::filesystem::path& path);
void write_espcn(const EspcnSpec& spec, const std::filesystem::path& path);

// A one-node graph with an operator OpenCV does not know ("NoSuchOp", node name
// "mystery_node"), for load-failure tests.
void write_unsupported_op_model(const std::filesystem::path& path);

// A conv3x3 network whose input takes `channels` channels (e.g. 2), x2 by
// DepthToSpace: for "channel count the model cannot take" tests.
void write_channels_model(int channels, const std::filesystem::path& path);

// x1 RGB "model" swapping R and B (a 1x1 convolution): checks that colour
// conversions use the right matrix and that channel order is respected.
void write_channel_swap_model(const std::filesystem::path& path);

}  // namespace r4k::testing
