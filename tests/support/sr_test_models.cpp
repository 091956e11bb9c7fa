#include "sr_test_models.hpp"

#include "onnx_graph_builder.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace r4k::testing {
namespace {

// EspcnSpec has no size fields, so a fixed-shape ESPCN uses this square size.
constexpr std::int64_t kEspcnFixedSide = 64;

constexpr const char* kInputName = "input";
constexpr const char* kOutputName = "output";

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("sr_test_models: " + what);
}

void require_positive(int value, const char* what) {
  if (value < 1) fail(std::string(what) + " must be >= 1, got " + std::to_string(value));
}

// He gain for layers followed by PReLU/Tanh keeps activations O(1) through
// 16+ layers; PyTorch's default (smaller) init on the last conv keeps the
// learned residual modest next to the image values.
const double kHiddenGain = std::sqrt(2.0);
const double kOutputGain = 1.0 / std::sqrt(3.0);

}  // namespace

void write_srvgg(const SrvggSpec& spec, const std::filesystem::path& path) {
  require_positive(spec.scale, "scale");
  require_positive(spec.channels, "channels");
  require_positive(spec.features, "features");
  if (spec.convs < 0) fail("convs must be >= 0, got " + std::to_string(spec.convs));
  if (!spec.dynamic_shape) {
    require_positive(spec.fixed_height, "fixed_height");
    require_positive(spec.fixed_width, "fixed_width");
  }
  using Form = SrvggSpec::PixelShuffleForm;
  if (spec.pixel_shuffle == Form::reshape_transpose_static && spec.dynamic_shape) {
    fail("pixel_shuffle reshape_transpose_static bakes H and W into the model: it needs dynamic_shape = false");
  }

  GraphBuilder b(spec.opset, spec.seed, "srvgg_compact");
  const std::int64_t c = spec.channels;
  const std::int64_t s = spec.scale;
  if (spec.dynamic_shape) {
    b.add_input(kInputName, {symbolic_dim("batch"), fixed_dim(c), symbolic_dim("height"),
                             symbolic_dim("width")});
    b.add_output(kOutputName, {symbolic_dim("batch"), fixed_dim(c), symbolic_dim("out_height"),
                               symbolic_dim("out_width")});
  } else {
    b.add_input(kInputName,
                {fixed_dim(1), fixed_dim(c), fixed_dim(spec.fixed_height), fixed_dim(spec.fixed_width)});
    b.add_output(kOutputName, {fixed_dim(1), fixed_dim(c), fixed_dim(spec.fixed_height * s),
                               fixed_dim(spec.fixed_width * s)});
  }

  std::string x = b.conv(kInputName, spec.channels, spec.features, 3, "conv_0", kHiddenGain);
  x = b.prelu(x, spec.features, "prelu_0");
  for (int i = 1; i <= spec.convs; ++i) {
    x = b.conv(x, spec.features, spec.features, 3, "conv_" + std::to_string(i), kHiddenGain);
    x = b.prelu(x, spec.features, "prelu_" + std::to_string(i));
  }
  const int out_ch = spec.channels * spec.scale * spec.scale;
  x = b.conv(x, spec.features, out_ch, 3, "conv_" + std::to_string(spec.convs + 1), kOutputGain);
  switch (spec.pixel_shuffle) {
    case Form::depth_to_space:
      x = b.depth_to_space(x, spec.scale, "depth_to_space", "depth_to_space_out");
      break;
    case Form::reshape_transpose_static:
      x = b.pixel_shuffle_static(x, spec.channels, spec.scale, spec.fixed_height, spec.fixed_width,
                                 "pixel_shuffle", "pixel_shuffle_out");
      break;
    case Form::shape_driven:
      x = b.pixel_shuffle_shape_driven(x, spec.channels, spec.scale, "pixel_shuffle", "pixel_shuffle_out");
      break;
    default:
      fail("unknown pixel_shuffle form " + std::to_string(static_cast<int>(spec.pixel_shuffle)));
  }
  const std::string up = b.resize_nearest(kInputName, spec.scale, "upsample_input");
  b.add_node("Add", "add_residual", {x, up}, {kOutputName});
  b.save(path);
}

void write_espcn(const EspcnSpec& spec, const std::filesystem::path& path) {
  require_positive(spec.scale, "scale");
  require_positive(spec.channels, "channels");

  GraphBuilder b(spec.opset, spec.seed, "espcn");
  const std::int64_t c = spec.channels;
  if (spec.dynamic_shape) {
    b.add_input(kInputName, {symbolic_dim("batch"), fixed_dim(c), symbolic_dim("height"),
                             symbolic_dim("width")});
    b.add_output(kOutputName, {symbolic_dim("batch"), fixed_dim(c), symbolic_dim("out_height"),
                               symbolic_dim("out_width")});
  } else {
    b.add_input(kInputName,
                {fixed_dim(1), fixed_dim(c), fixed_dim(kEspcnFixedSide), fixed_dim(kEspcnFixedSide)});
    const std::int64_t out_side = kEspcnFixedSide * spec.scale;
    b.add_output(kOutputName, {fixed_dim(1), fixed_dim(c), fixed_dim(out_side), fixed_dim(out_side)});
  }

  std::string x = b.conv(kInputName, spec.channels, 64, 5, "conv_0", kHiddenGain);
  x = b.tanh(x, "tanh_0");
  x = b.conv(x, 64, 32, 3, "conv_1", kHiddenGain);
  x = b.tanh(x, "tanh_1");
  x = b.conv(x, 32, spec.channels * spec.scale * spec.scale, 3, "conv_2", kOutputGain);
  b.depth_to_space(x, spec.scale, "depth_to_space", kOutputName);
  b.save(path);
}

void write_unsupported_op_model(const std::filesystem::path& path) {
  GraphBuilder b(13, 0, "unsupported_op");
  b.add_input(kInputName, {fixed_dim(1), fixed_dim(1), symbolic_dim("height"), symbolic_dim("width")});
  b.add_output(kOutputName, {fixed_dim(1), fixed_dim(1), symbolic_dim("height"), symbolic_dim("width")});
  b.add_node("NoSuchOp", "mystery_node", {kInputName}, {kOutputName});
  b.save(path);
}

void write_channels_model(int channels, const std::filesystem::path& path) {
  require_positive(channels, "channels");
  GraphBuilder b(13, 3, "channels_x2");
  const std::int64_t c = channels;
  b.add_input(kInputName,
              {symbolic_dim("batch"), fixed_dim(c), symbolic_dim("height"), symbolic_dim("width")});
  b.add_output(kOutputName, {symbolic_dim("batch"), fixed_dim(c), symbolic_dim("out_height"),
                             symbolic_dim("out_width")});
  const std::string x = b.conv(kInputName, channels, channels * 4, 3, "conv_0", kOutputGain);
  b.depth_to_space(x, 2, "depth_to_space", kOutputName);
  b.save(path);
}

void write_channel_swap_model(const std::filesystem::path& path) {
  // A 1x1 convolution whose weights swap the first and third channel: x1,
  // not colour-neutral, so a wrong Y'CbCr matrix shows in its output.
  GraphBuilder b(13, 4, "swap_rb");
  b.add_input(kInputName, {symbolic_dim("batch"), fixed_dim(3), symbolic_dim("height"), symbolic_dim("width")});
  b.add_output(kOutputName, {symbolic_dim("batch"), fixed_dim(3), symbolic_dim("height"), symbolic_dim("width")});
  b.conv_with_weights(kInputName, 3, 3, 1, "swap", {0, 0, 1, 0, 1, 0, 1, 0, 0}, {0, 0, 0}, kOutputName);
  b.save(path);
}

}  // namespace r4k::testing
