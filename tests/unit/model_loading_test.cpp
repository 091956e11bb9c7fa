#include <gtest/gtest.h>

#include <fstream>

#include "infer/classic_engine.hpp"
#include "infer/frame_upscaler.hpp"
#include "infer/model_loader.hpp"
#include "infer/model_checksum.hpp"
#include "infer/model_sidecar.hpp"
#include "infer/model_spec.hpp"
#include "core/error.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/test_paths.hpp"

namespace r4k::infer {
namespace {

using r4k::testing::TempDir;

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no InputError)";
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(ModelSpec, ClassicalFiltersAreBuiltin) {
  const ModelSource source = resolve_model("builtin:lanczos-x3");
  EXPECT_EQ(source.format, ModelFormat::classic);
  EXPECT_EQ(source.classic_scale, 3);
  EXPECT_EQ(*source.filter, ResampleFilter::lanczos);
  auto engine = load_model("builtin:bicubic-x2");
  EXPECT_EQ(engine->info().scale, 2);
  EXPECT_EQ(engine->info().receptive_field, 2);
  EXPECT_EQ(engine->backend(), "classic");
}

TEST(ModelSpec, BadSpecsNameWhatIsWrong) {
  EXPECT_NE(error_of([] { resolve_model("builtin:no-such-model"); }).find("builtin:no-such-model"),
            std::string::npos);
  EXPECT_NE(error_of([] { resolve_model("/nonexistent/model.onnx"); }).find("does not exist"), std::string::npos);
  TempDir dir;
  EXPECT_NE(error_of([&] { resolve_model(dir.path().string()); }).find("is a directory"), std::string::npos);
  write_text(dir / "model.bin", "x");
  EXPECT_NE(error_of([&] { resolve_model((dir / "model.bin").string()); }).find("'.bin'"), std::string::npos);
  EXPECT_NE(error_of([] { load_model("builtin:bicubic-x2", {"opencv", 0}); }).find("classic backend"),
            std::string::npos);
  EXPECT_NE(error_of([] { load_model("builtin:bicubic-x2", {"tpu", 0}); }).find("unknown backend 'tpu'"),
            std::string::npos);
}

TEST(ModelLoading, SrvggInfoIsDerivedByProbing) {
  TempDir dir;
  const auto path = dir / "srvgg.onnx";
  r4k::testing::SrvggSpec spec;
  spec.features = 16;
  spec.convs = 4;
  r4k::testing::write_srvgg(spec, path);
  auto engine = load_model(path.string());
  const ModelInfo& info = engine->info();
  EXPECT_EQ(info.scale, 4);
  EXPECT_EQ(info.in_channels, 3);
  EXPECT_EQ(info.out_channels, 3);
  EXPECT_EQ(info.colour, ModelColour::rgb);
  EXPECT_EQ(info.fixed_width, 0);
  // 6 stacked 3x3 convolutions: radius 6; pixel shuffle and the nearest
  // residual add nothing. The native engine reads it off the graph; the
  // OpenCV backend finds the same by probing.
  EXPECT_EQ(info.receptive_field, 6);
  EXPECT_EQ(info.receptive_field_source, "graph");
  auto probed = load_model(path.string(), {"opencv", 0});
  EXPECT_EQ(probed->info().receptive_field, 6);
  EXPECT_EQ(probed->info().receptive_field_source, "probe");
  EXPECT_EQ(info.operators.at("Conv"), 6);
  EXPECT_EQ(info.operators.at("DepthToSpace"), 1);
}

TEST(ModelLoading, EspcnIsALumaModelWithRadiusFour) {
  TempDir dir;
  const auto path = dir / "espcn.onnx";
  r4k::testing::write_espcn({}, path);
  auto engine = load_model(path.string());
  EXPECT_EQ(engine->info().scale, 3);
  EXPECT_EQ(engine->info().colour, ModelColour::y);
  EXPECT_EQ(engine->info().receptive_field, 4);  // 5x5, 3x3, 3x3
}

TEST(ModelLoading, FlopsPerPixelOfTheSrvggX4Architecture) {
  TempDir dir;
  const auto path = dir / "srvgg64.onnx";
  r4k::testing::write_srvgg({}, path);  // 64 features, 16 body convolutions
  auto engine = load_model(path.string());
  // 2 * 9 * (3*64 + 16*64*64 + 64*48) = 1,238,400 multiply-adds x2 per input pixel.
  EXPECT_NEAR(engine->info().flops_per_pixel, 1238400.0, 0.03 * 1238400.0);
}

TEST(ModelLoading, SidecarOverridesAndIsChecked) {
  TempDir dir;
  const auto path = dir / "srvgg.onnx";
  r4k::testing::SrvggSpec spec;
  spec.features = 8;
  spec.convs = 2;
  spec.scale = 2;
  r4k::testing::write_srvgg(spec, path);
  write_text(dir / "srvgg.yaml", "scale: 2\nchannels: bgr\nrange: [0, 255]\nreceptive_field: 9\n");
  auto engine = load_model(path.string());
  EXPECT_EQ(engine->info().colour, ModelColour::bgr);
  EXPECT_EQ(engine->info().range_max, 255.0f);
  EXPECT_EQ(engine->info().receptive_field, 9);
  EXPECT_EQ(engine->info().receptive_field_source, "sidecar");

  write_text(dir / "srvgg.yaml", "scale: 3\n");
  EXPECT_NE(error_of([&] { load_model(path.string()); }).find("sidecar says scale 3"), std::string::npos);

  // Found by the sidecar fuzzer: an infinite range normalised every pixel to 0 or NaN.
  for (const char* range : {"[0, .inf]", "[-3e38, 3e38]"}) {
    write_text(dir / "srvgg.yaml", std::string("scale: 2\nrange: ") + range + "\n");
    EXPECT_NE(error_of([&] { load_model(path.string()); }).find("finite"), std::string::npos) << range;
  }

  write_text(dir / "srvgg.yaml", "scale: 2\nchanels: rgb\n");
  const std::string unknown = error_of([&] { load_model(path.string()); });
  EXPECT_NE(unknown.find("srvgg.yaml:2:1"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("unknown key"), std::string::npos) << unknown;

  write_text(dir / "srvgg.yaml", "scale: two\n");
  const std::string wrong_type = error_of([&] { load_model(path.string()); });
  EXPECT_NE(wrong_type.find("srvgg.yaml:1:8"), std::string::npos) << wrong_type;
  EXPECT_NE(wrong_type.find("expected an integer, found 'two'"), std::string::npos) << wrong_type;

  write_text(dir / "srvgg.yaml", "channels: y\n");
  EXPECT_NE(error_of([&] { load_model(path.string()); }).find("declared y"), std::string::npos);
}

TEST(ModelLoading, UnsupportedOperatorNamesOperatorAndNode) {
  TempDir dir;
  const auto path = dir / "mystery.onnx";
  r4k::testing::write_unsupported_op_model(path);
  const std::string message = error_of([&] { load_model(path.string()); });
  EXPECT_NE(message.find("NoSuchOp"), std::string::npos) << message;
  EXPECT_NE(message.find("mystery_node"), std::string::npos) << message;
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
}

TEST(ModelLoading, CorruptFilesAreRejected) {
  TempDir dir;
  write_text(dir / "garbage.onnx", "this is not a protobuf \x01\x02\x03");
  EXPECT_NE(error_of([&] { load_model((dir / "garbage.onnx").string()); }).find("not a valid ONNX model"),
            std::string::npos);
  write_text(dir / "empty.onnx", "");
  EXPECT_NE(error_of([&] { load_model((dir / "empty.onnx").string()); }).find("empty.onnx"), std::string::npos);
  write_text(dir / "garbage.pb", "not a graph");
  EXPECT_NE(error_of([&] { load_model((dir / "garbage.pb").string()); }).find("garbage.pb"), std::string::npos);
}

TEST(ModelLoading, ChannelCountTheModelCannotTake) {
  TempDir dir;
  const auto path = dir / "two.onnx";
  r4k::testing::write_channels_model(2, path);
  auto engine = load_model(path.string());
  EXPECT_EQ(engine->info().in_channels, 2);
  FrameUpscaler upscaler(*engine, {});
  Frame frame;
  frame.planes.resize({1, 3, 8, 8});
  frame.planes.fill(0.5f);
  frame.bits = 8;
  const std::string message = error_of([&] { upscaler.upscale(frame); });
  EXPECT_NE(message.find("takes 2 input channels"), std::string::npos) << message;
}

TEST(ModelLoading, TensorflowSrGraphFromSharedData) {
  const auto path = r4k::testing::shared_dir() / "models/third_party/FSRCNN_x3.pb";
  R4K_REQUIRE_SHARED(path);
  auto engine = load_model(path.string());
  EXPECT_EQ(engine->info().format, ModelFormat::tensorflow);
  EXPECT_EQ(engine->info().scale, 3);
  EXPECT_EQ(engine->info().colour, ModelColour::y);
  EXPECT_GT(engine->info().receptive_field, 0);
  EXPECT_EQ(engine->info().operators.count("DepthToSpace"), 1u);
}

// Our SHA-256 (infer/model_checksum) against FIPS 180-2's examples, fed
// whole and in pieces that straddle its 64-byte blocks.
TEST(ModelChecksum, Sha256MatchesTheStandardsExamples) {
  const auto digest = [](const std::string& text, std::size_t piece) {
    Sha256 sha;
    for (std::size_t at = 0; at < text.size(); at += piece) sha.update(text.substr(at, piece));
    return sha.hex();
  };
  EXPECT_EQ(digest("", 1), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(digest("abc", 1), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  for (const std::size_t piece : {1, 7, 64, 1000}) {
    EXPECT_EQ(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", piece),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(digest(std::string(1000000, 'a'), piece * 13),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }
  TempDir dir;
  write_text(dir / "m.onnx", "abc");
  EXPECT_EQ(model_sha256((dir / "m.onnx").string()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(model_sha256("builtin:bicubic-x4"), "");
  EXPECT_THROW(model_sha256((dir / "gone.onnx").string()), r4k::InputError);
}

}  // namespace
}  // namespace r4k::infer
