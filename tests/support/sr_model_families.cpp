#include "sr_model_families.hpp"

#include "onnx_graph_builder.hpp"

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace r4k::testing {
namespace {

constexpr const char* kInputName = "input";
constexpr const char* kOutputName = "output";

// RRDBNet's LeakyReLU slope and its residual scaling (both 0.2 in basicsr).
constexpr float kRrdbSlope = 0.2f;
constexpr float kRrdbResidualScale = 0.2f;

// DIV2K RGB mean that EDSR subtracts before the head and adds back at the end.
const std::vector<float> kDiv2kRgbMean = {0.4488f, 0.4371f, 0.4040f};

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("sr_model_families: " + what);
}

void require_positive(int value, const char* what) {
  if (value < 1) fail(std::string(what) + " must be >= 1, got " + std::to_string(value));
}

// He gain for convs followed by a (leaky) ReLU keeps activations O(1);
// PyTorch's default init elsewhere keeps residual branches modest.
const double kHiddenGain = std::sqrt(2.0);
const double kOutputGain = 1.0 / std::sqrt(3.0);

void add_dynamic_io(GraphBuilder& b, int channels) {
  b.add_input(kInputName, dynamic_nchw(channels));
  b.add_output(kOutputName, dynamic_nchw(channels, "out_height", "out_width"));
}

// The output of the last node is renamed to the graph output, as the exporter
// names it after the model's return value.
void rename_last_output(GraphBuilder& b, const std::string& from) {
  auto& graph = b.graph();
  auto* last = graph.mutable_node(graph.node_size() - 1);
  if (last->output_size() != 1 || last->output(0) != from) fail("internal: last node does not produce " + from);
  last->set_output(0, kOutputName);
}

// x * 0.2 + residual, with 0.2 as a traced scalar (a Constant node, not an
// initializer: how PyTorch exports a Python float operand).
std::string scaled_residual(GraphBuilder& b, const std::string& x, const std::string& residual,
                            const std::string& name) {
  const std::string k = b.constant(name + ".scale", {}, {kRrdbResidualScale});
  const std::string scaled = b.mul(x, k, name + ".mul");
  return b.add(scaled, residual, name + ".add");
}

// basicsr ResidualDenseBlock: every conv sees the block input and all
// previous outputs concatenated along channels.
std::string residual_dense_block(GraphBuilder& b, const std::string& x, int features, int growth,
                                 const std::string& name) {
  std::vector<std::string> dense = {x};
  for (int i = 1; i <= 4; ++i) {
    const int cin = features + (i - 1) * growth;
    const std::string in = dense.size() == 1 ? x : b.concat(dense, name + ".cat" + std::to_string(i));
    const std::string conv_name = name + ".conv" + std::to_string(i);
    const std::string y = b.conv(in, cin, growth, 3, conv_name, kHiddenGain);
    dense.push_back(b.leaky_relu(y, kRrdbSlope, name + ".lrelu" + std::to_string(i)));
  }
  const std::string cat5 = b.concat(dense, name + ".cat5");
  const std::string x5 = b.conv(cat5, features + 4 * growth, features, 3, name + ".conv5", kOutputGain);
  return scaled_residual(b, x5, x, name);
}

}  // namespace

void write_rrdbnet(const RrdbSpec& spec, const std::filesystem::path& path) {
  if (spec.scale != 4) {
    fail("RRDBNet scale " + std::to_string(spec.scale) +
         " not written: only x4 (x2/x1 start with a pixel_unshuffle this writer does not produce)");
  }
  require_positive(spec.channels, "channels");
  require_positive(spec.features, "features");
  require_positive(spec.growth, "growth");
  if (spec.blocks < 0) fail("blocks must be >= 0, got " + std::to_string(spec.blocks));

  GraphBuilder b(spec.opset, spec.seed, "rrdbnet");
  add_dynamic_io(b, spec.channels);
  const int f = spec.features;

  const std::string feat = b.conv(kInputName, spec.channels, f, 3, "conv_first", kOutputGain);
  std::string body = feat;
  for (int i = 0; i < spec.blocks; ++i) {
    const std::string block = "body." + std::to_string(i);
    std::string rdb = body;
    for (int j = 1; j <= 3; ++j) {
      rdb = residual_dense_block(b, rdb, f, spec.growth, block + ".rdb" + std::to_string(j));
    }
    body = scaled_residual(b, rdb, body, block);
  }
  body = b.conv(body, f, f, 3, "conv_body", kOutputGain);
  std::string x = b.add(feat, body, "add_body");
  for (int i = 1; i <= 2; ++i) {
    const std::string up = "conv_up" + std::to_string(i);
    x = b.resize_nearest(x, 2, "interpolate" + std::to_string(i));
    x = b.conv(x, f, f, 3, up, kHiddenGain);
    x = b.leaky_relu(x, kRrdbSlope, up + ".lrelu");
  }
  x = b.conv(x, f, f, 3, "conv_hr", kHiddenGain);
  x = b.leaky_relu(x, kRrdbSlope, "conv_hr.lrelu");
  x = b.conv(x, f, spec.channels, 3, "conv_last", kOutputGain);
  rename_last_output(b, x);
  b.save(path);
}

void write_edsr(const EdsrSpec& spec, const std::filesystem::path& path) {
  if (spec.scale != 2 && spec.scale != 3 && spec.scale != 4) {
    fail("EDSR scale must be 2, 3 or 4, got " + std::to_string(spec.scale));
  }
  require_positive(spec.channels, "channels");
  require_positive(spec.features, "features");
  if (spec.blocks < 0) fail("blocks must be >= 0, got " + std::to_string(spec.blocks));
  if (!std::isfinite(spec.res_scale)) fail("res_scale must be finite");

  GraphBuilder b(spec.opset, spec.seed, "edsr");
  add_dynamic_io(b, spec.channels);
  const int f = spec.features;
  const std::vector<float> mean =
      spec.channels == 3 ? kDiv2kRgbMean : std::vector<float>(static_cast<std::size_t>(spec.channels), 0.5f);

  std::string x = b.sub_channels(kInputName, mean, "sub_mean");
  const std::string head = b.conv(x, spec.channels, f, 3, "conv_first", kOutputGain);
  std::string res = head;
  for (int i = 0; i < spec.blocks; ++i) {
    const std::string block = "body." + std::to_string(i);
    std::string y = b.conv(res, f, f, 3, block + ".conv1", kHiddenGain);
    y = b.relu(y, block + ".relu");
    y = b.conv(y, f, f, 3, block + ".conv2", kOutputGain);
    // A res_scale of 1 is left out rather than multiplied in.
    if (spec.res_scale != 1.0f) y = b.mul_scalar(y, spec.res_scale, block + ".mul");
    res = b.add(res, y, block + ".add");
  }
  res = b.conv(res, f, f, 3, "conv_after_body", kOutputGain);
  x = b.add(res, head, "add_head");

  // basicsr Upsample: log2(scale) x [conv F->4F, PixelShuffle(2)], or one
  // [conv F->9F, PixelShuffle(3)]; Sequential indices name the layers.
  const int stages = spec.scale == 4 ? 2 : 1;
  const int block = spec.scale == 3 ? 3 : 2;
  for (int i = 0; i < stages; ++i) {
    const std::string conv_name = "upsample." + std::to_string(2 * i);
    const std::string shuffle_name = "upsample." + std::to_string(2 * i + 1);
    x = b.conv(x, f, f * block * block, 3, conv_name, kOutputGain);
    x = b.depth_to_space(x, block, shuffle_name, shuffle_name + "_out");
  }
  x = b.conv(x, f, spec.channels, 3, "conv_last", kOutputGain);
  b.add_channels(x, mean, "add_mean");
  rename_last_output(b, "add_mean_out");
  b.save(path);
}

void write_fsrcnn(const FsrcnnSpec& spec, const std::filesystem::path& path) {
  require_positive(spec.scale, "scale");
  require_positive(spec.d, "d");
  require_positive(spec.s, "s");
  if (spec.m < 0) fail("m must be >= 0, got " + std::to_string(spec.m));

  GraphBuilder b(spec.opset, spec.seed, "fsrcnn");
  add_dynamic_io(b, 1);

  std::string x = b.conv(kInputName, 1, spec.d, 5, "first_part.0", kHiddenGain);
  x = b.prelu(x, spec.d, "first_part.1");
  x = b.conv(x, spec.d, spec.s, 1, "mid_part.0", kHiddenGain);
  x = b.prelu(x, spec.s, "mid_part.1");
  int layer = 2;
  for (int i = 0; i < spec.m; ++i, layer += 2) {
    x = b.conv(x, spec.s, spec.s, 3, "mid_part." + std::to_string(layer), kHiddenGain);
    x = b.prelu(x, spec.s, "mid_part." + std::to_string(layer + 1));
  }
  x = b.conv(x, spec.s, spec.d, 1, "mid_part." + std::to_string(layer), kHiddenGain);
  x = b.prelu(x, spec.d, "mid_part." + std::to_string(layer + 1));
  // (H-1)*scale - 8 + 9 + (scale-1) = H*scale.
  const std::int64_t op = spec.scale - 1;
  x = b.conv_transpose(x, spec.d, 1, 9, spec.scale, {4, 4, 4, 4}, {op, op}, "last_part", kOutputGain);
  rename_last_output(b, x);
  b.save(path);
}

}  // namespace r4k::testing
