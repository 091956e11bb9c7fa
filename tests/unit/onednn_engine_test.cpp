// The native oneDNN backend against OpenCV DNN on the same weights, for every
// model family restore4k targets, and its handling of hostile model files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

#include "infer/model_checksum.hpp"
#include "infer/model_loader.hpp"
#include "infer/onednn_engine.hpp"
#include "infer/tiled_inference.hpp"
#include "preprocess/tile_plan.hpp"
#include "config/settings.hpp"
#include "core/error.hpp"
#include "tests/support/file_bytes.hpp"
#include "tests/support/malformed_models.hpp"
#include "tests/support/onnx_graph_builder.hpp"
#include "tests/support/sr_model_families.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/tensor_checks.hpp"
#include "tests/support/test_paths.hpp"

namespace r4k::infer {
namespace {

using r4k::testing::TempDir;
namespace fs = std::filesystem;

using r4k::testing::max_abs_difference;
using r4k::testing::random_tensor;

// max |a - b| relative to the largest magnitude of b.
double relative_error(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  double worst = 0.0;
  double scale = 1e-6;
  for (std::size_t i = 0; i < b.shape().elements(); ++i) {
    worst = std::max(worst, static_cast<double>(std::abs(a.data()[i] - b.data()[i])));
    scale = std::max(scale, static_cast<double>(std::abs(b.data()[i])));
  }
  return worst / scale;
}

struct Family {
  const char* name;
  int channels;
  int scale;
  std::function<void(const fs::path&)> write;
};

void PrintTo(const Family& family, std::ostream* os) { *os << family.name; }

std::vector<Family> families() {
  using namespace r4k::testing;
  std::vector<Family> list;
  for (int opset : {11, 13, 17}) {
    list.push_back({opset == 11 ? "srvgg_opset11" : opset == 13 ? "srvgg_opset13" : "srvgg_opset17", 3, 4,
                    [opset](const fs::path& p) {
                      SrvggSpec spec;
                      spec.features = 16;
                      spec.convs = 4;
                      spec.opset = opset;
                      write_srvgg(spec, p);
                    }});
  }
  list.push_back({"rrdbnet_x4", 3, 4, [](const fs::path& p) { write_rrdbnet({}, p); }});
  list.push_back({"espcn_x3", 1, 3, [](const fs::path& p) { write_espcn({}, p); }});
  for (int scale : {2, 3}) {
    list.push_back({scale == 2 ? "fsrcnn_x2" : "fsrcnn_x3", 1, scale, [scale](const fs::path& p) {
                      FsrcnnSpec spec;
                      spec.scale = scale;
                      write_fsrcnn(spec, p);
                    }});
  }
  for (int scale : {2, 3, 4}) {
    list.push_back({scale == 2 ? "edsr_x2" : scale == 3 ? "edsr_x3" : "edsr_x4", 3, scale, [scale](const fs::path& p) {
                      EdsrSpec spec;
                      spec.scale = scale;
                      write_edsr(spec, p);
                    }});
  }
  return list;
}

class FamiliesMatchOpenCv : public ::testing::TestWithParam<Family> {};

TEST_P(FamiliesMatchOpenCv, WithinOneInTenThousand) {
  const Family& family = GetParam();
  TempDir dir;
  const fs::path path = dir / (std::string(family.name) + ".onnx");
  family.write(path);
  auto native = load_model(path.string(), {"onednn", 0});
  auto reference = load_model(path.string(), {"opencv", 0});
  EXPECT_EQ(native->backend(), "onednn");
  EXPECT_EQ(native->info().scale, family.scale);
  // The graph's receptive field bounds what the probe measures, with a small
  // margin (upsampling, transposed convolutions are rounded up).
  EXPECT_EQ(native->info().receptive_field_source, "graph");
  EXPECT_GE(native->info().receptive_field, reference->info().receptive_field);
  EXPECT_LE(native->info().receptive_field, reference->info().receptive_field + 3);
  for (const TensorShape shape : {TensorShape{1, family.channels, 20, 24}, TensorShape{2, family.channels, 17, 13}}) {
    const Tensor input = random_tensor(shape, 5);
    Tensor a;
    native->run(input, a);
    // The reference one image at a time (OpenCV 4.6 mis-broadcasts some
    // constants over batches of more than one).
    Tensor b(a.shape());
    for (int n = 0; n < shape.n; ++n) {
      Tensor single({1, shape.c, shape.h, shape.w});
      std::copy(input.plane(n, 0), input.plane(n, 0) + single.shape().elements(), single.data());
      Tensor out;
      reference->run(single, out);
      std::copy(out.data(), out.data() + out.shape().elements(), b.plane(n, 0));
    }
    ASSERT_EQ(a.shape(), (TensorShape{shape.n, family.channels, shape.h * family.scale, shape.w * family.scale}));
    EXPECT_LE(relative_error(a, b), 1e-4) << shape.to_string();
  }
}

INSTANTIATE_TEST_SUITE_P(Families, FamiliesMatchOpenCv, ::testing::ValuesIn(families()),
                         [](const ::testing::TestParamInfo<Family>& param_info) { return std::string(param_info.param.name); });

// Every algorithm AutoTune can pick, forced wherever a layer offers it,
// against oneDNN's direct convolution: the accuracy bound of the Winograd
// layer (1e-4 of the output's range) on whole images and batches, and
// exact tiling under each algorithm.
struct AlgorithmCase {
  Family family;
  std::string algorithm;
};

void PrintTo(const AlgorithmCase& c, std::ostream* os) { *os << c.family.name << "_" << c.algorithm; }

std::vector<AlgorithmCase> algorithm_cases() {
  std::vector<AlgorithmCase> cases;
  for (const Family& family : families()) {
    for (const char* algorithm : {"direct", "winograd"}) cases.push_back({family, algorithm});
  }
  return cases;
}

EngineOptions forced(const std::string& algorithm, const fs::path& cache) {
  EngineOptions options("onednn", 0);
  options.autotune.algorithm = algorithm;
  options.autotune.cache_file = cache.string();
  return options;
}

bool any_contains(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

class FamiliesWithEachAlgorithm : public ::testing::TestWithParam<AlgorithmCase> {};

TEST_P(FamiliesWithEachAlgorithm, MatchTheDirectConvolutionAndTileExactly) {
  const Family& family = GetParam().family;
  const std::string& algorithm = GetParam().algorithm;
  TempDir dir;
  const fs::path path = dir / (std::string(family.name) + ".onnx");
  family.write(path);
  auto engine = load_model(path.string(), forced(algorithm, dir / "autotune.yaml"));
  auto direct = load_model(path.string(), forced("direct", dir / "autotune.yaml"));
  auto* native = dynamic_cast<OneDnnEngine*>(engine.get());
  ASSERT_NE(native, nullptr);
  const TensorShape probe{1, family.channels, 20, 24};
  // Every family has 3x3 layers: Winograd runs them when asked, never otherwise.
  EXPECT_EQ(any_contains(native->implementations(probe), "winograd"), algorithm == "winograd");
  for (const auto& [layer, chosen] : engine->algorithm_choices()) {
    EXPECT_EQ(chosen.rfind(algorithm, 0), 0u) << layer << " ran " << chosen;
  }
  for (const TensorShape shape : {probe, TensorShape{2, family.channels, 17, 13}}) {
    const Tensor input = random_tensor(shape, 5);
    Tensor a;
    Tensor b;
    engine->run(input, a);
    direct->run(input, b);
    EXPECT_LE(relative_error(a, b), 1e-4) << shape.to_string();
  }

  ASSERT_EQ(engine->info().receptive_field_source, "graph");
  const int halo = engine->info().receptive_field;
  const int tile = 2 * halo + 8;
  const int width = 2 * tile + 5;
  const int height = 2 * tile - 3;
  const Tensor image = random_tensor({1, family.channels, height, width}, 8);
  const Tensor whole = run_tiled(*engine, image, choose_tiling(engine->info(), width, height, 0, -1), {});
  const TilingChoice tiling = choose_tiling(engine->info(), width, height, tile, -1);
  ASSERT_TRUE(tiling.exact);
  const Tensor tiled = run_tiled(*engine, image, tiling, {});
  EXPECT_LE(relative_error(tiled, whole), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Families, FamiliesWithEachAlgorithm, ::testing::ValuesIn(algorithm_cases()),
                         [](const ::testing::TestParamInfo<AlgorithmCase>& param_info) {
                           return std::string(param_info.param.family.name) + "_" + param_info.param.algorithm;
                         });

TEST(OneDnnEngine, AutoTuneMeasuresOnceAndLaterEnginesReuseTheCachedChoices) {
  TempDir dir;
  r4k::testing::SrvggSpec spec;
  spec.features = 32;
  spec.convs = 4;
  r4k::testing::write_srvgg(spec, dir / "srvgg.onnx");
  EngineOptions options("onednn", 0);
  options.autotune.cache_file = (dir / "cache" / "autotune.yaml").string();
  const Tensor input = random_tensor({1, 3, 48, 40}, 9);
  auto first = load_model((dir / "srvgg.onnx").string(), options);
  Tensor a;
  first->run(input, a);
  const auto choices = first->algorithm_choices();
  // 6 convolutions (first, 4 body, last), each at every shape run so far.
  std::size_t at_shape = 0;
  for (const auto& [layer, algorithm] : choices) {
    if (layer.find("@1x") == std::string::npos) ADD_FAILURE() << layer;
    if (layer.find("x48x40") != std::string::npos) ++at_shape;
    EXPECT_TRUE(algorithm == "direct" || algorithm.rfind("winograd-f4-b", 0) == 0) << algorithm;
  }
  EXPECT_EQ(at_shape, 6u);
  ASSERT_TRUE(fs::exists(options.autotune.cache_file));
  const std::string cache = r4k::testing::read_bytes(options.autotune.cache_file);
  EXPECT_NE(cache.find("|threads="), std::string::npos);
  EXPECT_NE(cache.find(model_sha256((dir / "srvgg.onnx").string())), std::string::npos);

  // A second engine takes the cached choices (the cache, not a new
  // measurement: a pinned layer proves the order pinned > cache).
  auto second = load_model((dir / "srvgg.onnx").string(), options);
  Tensor b;
  second->run(input, b);
  EXPECT_EQ(second->algorithm_choices(), choices);
  EXPECT_EQ(max_abs_difference(a, b), 0.0f);

  EngineOptions pinned = options;
  for (const auto& [layer, algorithm] : choices) pinned.autotune.pinned[layer] = "not-an-algorithm";
  try {
    load_model((dir / "srvgg.onnx").string(), pinned)->run(input, b);
    FAIL() << "expected PinRefused";
  } catch (const PinRefused& error) {
    EXPECT_NE(std::string(error.what()).find("not-an-algorithm"), std::string::npos) << error.what();
    EXPECT_EQ(error.algorithm(), "not-an-algorithm");
    EXPECT_EQ(choices.count(error.entry()), 1u);
  }
  // backend auto does not fall back to opencv over a refused pin (one at a
  // probe shape the loader compiles).
  EngineOptions automatic = pinned;
  automatic.backend = "auto";
  automatic.autotune.pinned = {{"conv_0@1x3x16x16", "not-an-algorithm"}};
  EXPECT_THROW(load_model((dir / "srvgg.onnx").string(), automatic), PinRefused);
}

TEST(OneDnnEngine, AutoTuneMeasuresTheTileWindowOfLargePictures) {
  TempDir dir;
  r4k::testing::SrvggSpec spec;
  spec.features = 8;
  spec.convs = 2;
  r4k::testing::write_srvgg(spec, dir / "srvgg.onnx");
  EngineOptions options("onednn", 0);
  options.autotune.cache_file = (dir / "autotune.yaml").string();
  auto engine = load_model((dir / "srvgg.onnx").string(), options);
  const int halo = engine->info().receptive_field;
  const std::string entry = "tile-window+halo" + std::to_string(halo) + "@1500x1100";
  const TilingChoice tuned = choose_tiling(*engine, 1500, 1100, 0, -1);
  const auto choices = engine->algorithm_choices();
  ASSERT_EQ(choices.count(entry), 1u);
  EXPECT_EQ(choices.at(entry), "tile-" + std::to_string(tuned.tile_size));
  // In the form a job record keeps and pins (engine.algorithms).
  EXPECT_EQ(r4k::settings::as_algorithms(entry + "=" + choices.at(entry)).count(entry), 1u);
  EXPECT_GE(tuned.tile_size, 256);
  EXPECT_LE(tuned.tile_size, 512);
  EXPECT_TRUE(tuned.exact);
  // Within 10 % of the fewest pixels, whatever was measured.
  const TilingChoice fewest = choose_tiling(engine->info(), 1500, 1100, 0, -1);
  EXPECT_LE(TilePlan(1500, 1100, tuned.tile_size, tuned.halo).window_pixels() * 10,
            TilePlan(1500, 1100, fewest.tile_size, fewest.halo).window_pixels() * 11);
  // A given tile size is kept; off, the fewest-pixels window.
  EXPECT_EQ(choose_tiling(*engine, 1500, 1100, 300, -1).tile_size, 300);
  EngineOptions off = options;
  off.autotune.enabled = false;
  auto untuned = load_model((dir / "srvgg.onnx").string(), off);
  EXPECT_EQ(choose_tiling(*untuned, 1500, 1100, 0, -1).tile_size, fewest.tile_size);
  // A pinned window wins; one that is not a candidate is refused by name.
  EngineOptions pinned = options;
  pinned.autotune.pinned[entry] = "tile-9999";
  auto refused = load_model((dir / "srvgg.onnx").string(), pinned);
  try {
    choose_tiling(*refused, 1500, 1100, 0, -1);
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find(entry), std::string::npos) << error.what();
  }
}

TEST(OneDnnEngine, TheNetworkTailIsOneFusedPass) {
  // SRVGG: the last convolution, the pixel shuffle and the upsampled input
  // added are written by one kernel; every PReLU is applied by the
  // convolution that precedes it.
  TempDir dir;
  r4k::testing::SrvggSpec spec;
  spec.features = 16;
  spec.convs = 3;
  r4k::testing::write_srvgg(spec, dir / "srvgg.onnx");
  for (const char* algorithm : {"winograd", "direct"}) {
    SCOPED_TRACE(algorithm);
    auto engine = load_model((dir / "srvgg.onnx").string(), forced(algorithm, dir / "autotune.yaml"));
    auto* native = dynamic_cast<OneDnnEngine*>(engine.get());
    ASSERT_NE(native, nullptr);
    const auto implementations = native->implementations({1, 3, 32, 32});
    std::string all;
    for (const std::string& line : implementations) all += line + "\n";
    // The first layer (3 channels in) reads the planar input where it lies
    // (oneDNN's first-layer kernel does too): no reorder before it. The
    // kernels' names depend on the CPU (jit:avx2, brgconv:avx512_core, ...).
    const std::string& first = implementations.front();
    if (std::string(algorithm) == "winograd") {
      EXPECT_EQ(first.rfind("conv_0: planar_input+winograd:f4x4:", 0), 0u) << all;
    } else {
      EXPECT_EQ(first.rfind("conv_0: ", 0), 0u) << all;
      EXPECT_EQ(first.find("winograd"), std::string::npos) << all;
    }
    if (std::string(algorithm) == "winograd") {
      EXPECT_TRUE(any_contains(implementations, "+depth_to_space+upsampled_residual")) << all;
      EXPECT_FALSE(any_contains(implementations, "prelu:restore4k")) << all;
    }
    // One line per convolution (and none for a separate PReLU under Winograd):
    // first + body + last.
    EXPECT_GE(implementations.size(), static_cast<std::size_t>(spec.convs + 2)) << all;
  }
}

TEST(OneDnnEngine, WinogradAndDirectAgreeWithinOneCodeOnEightBitOutputOfTheFilmModel) {
  TempDir dir;
  auto direct = load_model("builtin:film-x4", forced("direct", dir / "autotune.yaml"));
  auto winograd = load_model("builtin:film-x4", forced("winograd", dir / "autotune.yaml"));
  // A smooth picture with edges, in the model's [0, 1] range.
  Tensor input({1, direct->info().in_channels, 40, 48});
  for (int c = 0; c < input.shape().c; ++c) {
    float* plane = input.plane(0, c);
    for (int y = 0; y < 40; ++y) {
      for (int x = 0; x < 48; ++x) {
        plane[y * 48 + x] = 0.5f + 0.4f * std::sin(0.3f * static_cast<float>(x) + 0.2f * static_cast<float>(y) + static_cast<float>(c)) * (x > 24 ? 1.0f : 0.5f);
      }
    }
  }
  Tensor a;
  Tensor b;
  direct->run(input, a);
  winograd->run(input, b);
  int worst = 0;
  for (std::size_t i = 0; i < a.shape().elements(); ++i) {
    const auto code = [](float v) { return static_cast<int>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); };
    worst = std::max(worst, std::abs(code(a.data()[i]) - code(b.data()[i])));
  }
  EXPECT_LE(worst, 1);
  EXPECT_LE(relative_error(b, a), 1e-4);
}

TEST(OneDnnEngine, PixelShuffleExportFormsGiveTheSameOutput) {
  TempDir dir;
  r4k::testing::SrvggSpec spec;
  spec.features = 16;
  spec.convs = 3;
  r4k::testing::write_srvgg(spec, dir / "d2s.onnx");
  spec.pixel_shuffle = r4k::testing::SrvggSpec::PixelShuffleForm::shape_driven;
  r4k::testing::write_srvgg(spec, dir / "shape_driven.onnx");
  spec.pixel_shuffle = r4k::testing::SrvggSpec::PixelShuffleForm::reshape_transpose_static;
  spec.dynamic_shape = false;
  spec.fixed_height = 20;
  spec.fixed_width = 24;
  r4k::testing::write_srvgg(spec, dir / "static.onnx");
  auto reference = load_model((dir / "d2s.onnx").string(), {"opencv", 0});
  const Tensor input = random_tensor({1, 3, 20, 24}, 6);
  Tensor expected;
  reference->run(input, expected);
  for (const char* name : {"shape_driven.onnx", "static.onnx"}) {
    SCOPED_TRACE(name);
    auto native = load_model((dir / name).string(), {"onednn", 0});
    Tensor got;
    native->run(input, got);
    EXPECT_LE(relative_error(got, expected), 1e-4);
  }
}

TEST(OneDnnEngine, TiledOutputStaysExact) {
  TempDir dir;
  r4k::testing::write_srvgg({}, dir / "srvgg64.onnx");  // 64 features, 16 convolutions, x4
  auto engine = load_model((dir / "srvgg64.onnx").string(), {"onednn", 0});
  ASSERT_EQ(engine->backend(), "onednn");
  const Tensor image = random_tensor({1, 3, 70, 90}, 7);
  const Tensor whole = run_tiled(*engine, image, choose_tiling(engine->info(), 90, 70, 0, -1), {});
  const Tensor tiled = run_tiled(*engine, image, choose_tiling(engine->info(), 90, 70, 64, -1), {});
  EXPECT_LE(max_abs_difference(whole, tiled), 1e-5f);
  // Flop count of the architecture: 2 * 9 * (3*64 + 16*64*64 + 64*48) per input pixel.
  EXPECT_DOUBLE_EQ(engine->info().flops_per_pixel, 1238400.0);
}

TEST(OneDnnEngine, TilesAreExactWithTheGraphReceptiveField) {
  TempDir dir;
  r4k::testing::RrdbSpec rrdb;
  rrdb.blocks = 1;
  r4k::testing::write_rrdbnet(rrdb, dir / "rrdb.onnx");
  r4k::testing::FsrcnnSpec fsrcnn;
  fsrcnn.scale = 3;
  r4k::testing::write_fsrcnn(fsrcnn, dir / "fsrcnn.onnx");
  r4k::testing::EdsrSpec edsr;
  edsr.scale = 4;
  r4k::testing::write_edsr(edsr, dir / "edsr.onnx");
  for (const char* name : {"rrdb.onnx", "fsrcnn.onnx", "edsr.onnx"}) {
    SCOPED_TRACE(name);
    auto engine = load_model((dir / name).string(), {"onednn", 0});
    ASSERT_EQ(engine->info().receptive_field_source, "graph");
    const int halo = engine->info().receptive_field;
    const int channels = engine->info().in_channels;
    const int tile = 2 * halo + 8;
    const int width = 2 * tile + 5;  // several tiles each way
    const int height = 2 * tile - 3;
    const Tensor image = random_tensor({1, channels, height, width}, 8);
    const Tensor whole = run_tiled(*engine, image, choose_tiling(engine->info(), width, height, 0, -1), {});
    const TilingChoice tiling = choose_tiling(engine->info(), width, height, tile, -1);
    ASSERT_TRUE(tiling.exact);
    ASSERT_GE(TilePlan(width, height, tiling.tile_size, tiling.halo).tiles().size(), 4u);
    const Tensor tiled = run_tiled(*engine, image, tiling, {});
    EXPECT_LE(max_abs_difference(whole, tiled), 1e-5f);
  }
}

// A graph OpenCV runs and the native engine does not (Softmax).
void write_softmax_model(const fs::path& path) {
  using namespace r4k::testing;
  GraphBuilder b(13, 21, "softmax");
  b.add_input("input", {symbolic_dim("batch"), fixed_dim(1), symbolic_dim("height"), symbolic_dim("width")});
  b.add_output("output", {symbolic_dim("batch"), fixed_dim(1), symbolic_dim("oh"), symbolic_dim("ow")});
  const std::string conv = b.conv("input", 1, 4, 3, "conv", 1.0);
  auto* softmax = b.add_node("Softmax", "channel_softmax", {conv}, {"soft"});
  GraphBuilder::set_int(softmax, "axis", 1);
  b.depth_to_space("soft", 2, "depth_to_space", "output");
  b.save(path);
}

TEST(OneDnnEngine, AutoPicksTheNativeEngineWhenItRunsEveryOperator) {
  TempDir dir;
  r4k::testing::SrvggSpec spec;
  spec.features = 8;
  spec.convs = 2;
  r4k::testing::write_srvgg(spec, dir / "srvgg.onnx");
  EXPECT_EQ(load_model((dir / "srvgg.onnx").string())->backend(), "onednn");

  write_softmax_model(dir / "softmax.onnx");
  EXPECT_EQ(load_model((dir / "softmax.onnx").string())->backend(), "opencv");
  try {
    load_model((dir / "softmax.onnx").string(), {"onednn", 0});
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'Softmax'"), std::string::npos) << message;
    EXPECT_NE(message.find("channel_softmax"), std::string::npos) << message;
  }
  const auto pb = r4k::testing::shared_dir() / "models/third_party/ESPCN_x2.pb";
  if (fs::exists(pb)) {
    EXPECT_EQ(load_model(pb.string())->backend(), "opencv");
  }
}

struct Malformed {
  const char* name;
  void (*write)(const fs::path&);
  const char* expected;
};

void PrintTo(const Malformed& m, std::ostream* os) { *os << m.name; }

class MalformedModels : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedModels, AreRejectedWithAClearError) {
  const Malformed& m = GetParam();
  TempDir dir;
  const fs::path path = dir / (std::string(m.name) + ".onnx");
  m.write(path);
  try {
    load_model(path.string(), {"onednn", 0});
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(m.expected), std::string::npos) << message;
    EXPECT_NE(message.find(path.filename().string()), std::string::npos) << message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    RobustLoading, MalformedModels,
    ::testing::Values(Malformed{"truncated", r4k::testing::write_truncated_model, "not a valid ONNX model"},
                      Malformed{"wrong_magic", r4k::testing::write_wrong_magic, "not a valid ONNX model"},
                      Malformed{"negative_dims", r4k::testing::write_negative_dims_model, "negative dimension"},
                      Malformed{"enormous_dims", r4k::testing::write_enormous_dims_model, "enormous"},
                      Malformed{"missing_initializer", r4k::testing::write_missing_initializer_model,
                                "which no initialiser, graph input or node defines"},
                      Malformed{"cycle", r4k::testing::write_cyclic_model, "cycle"},
                      Malformed{"shape_mismatch", r4k::testing::write_shape_mismatch_model, "input channels"},
                      Malformed{"inconsistent_prelu", r4k::testing::write_inconsistent_prelu_model,
                                "inconsistent PRelu slopes"}),
    [](const ::testing::TestParamInfo<Malformed>& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace r4k::infer
