// QDQ models: refused when malformed (naming the node), run on int8
// convolutions that agree with the model's own fp32 arithmetic, tile
// without a changed bit, never quantized silently; calibration's rules.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/error.hpp"
#include "infer/calibration.hpp"
#include "infer/model_loader.hpp"
#include "infer/onednn_engine.hpp"
#include "infer/onnx_model.hpp"
#include "infer/qdq_export.hpp"
#include "infer/tiled_inference.hpp"
#include "preprocess/pixel_convert.hpp"
#include "tests/support/malformed_models.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/tensor_checks.hpp"
#include "tests/support/test_paths.hpp"

namespace r4k::infer {
namespace {

using r4k::testing::max_abs_difference;
using r4k::testing::QdqFault;
using r4k::testing::TempDir;

EngineOptions options(const std::string& precision) {
  EngineOptions o("onednn", 2);
  o.autotune.enabled = false;
  o.precision = precision;
  return o;
}

std::string load_error(const std::filesystem::path& path, const std::string& precision = "auto") {
  try {
    load_model(path.string(), options(precision));
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

// A smooth random picture on 8-bit code values (as decoded images are).
Tensor picture(int height, int width, unsigned seed) {
  cv::Mat noise(height, width, CV_32FC3);
  cv::RNG rng(seed);
  rng.fill(noise, cv::RNG::UNIFORM, 0.0, 1.0);
  cv::GaussianBlur(noise, noise, cv::Size(0, 0), 1.2);
  cv::normalize(noise, noise, 0.0, 255.0, cv::NORM_MINMAX);
  cv::Mat bytes;
  noise.convertTo(bytes, CV_8UC3);
  return to_planar(bytes, {2, 1, 0});
}

bool any_contains(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& line : lines) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

std::size_t count_containing(const std::vector<std::string>& lines, const std::string& text) {
  std::size_t count = 0;
  for (const auto& line : lines) count += line.find(text) != std::string::npos ? 1 : 0;
  return count;
}

TEST(QdqImport, MalformedGraphsAreRefusedNamingTheNode) {
  TempDir dir;
  struct Case {
    QdqFault fault;
    const char* node;
    const char* says;
  };
  for (const Case& c : {Case{QdqFault::missing_scale, "QuantizeLinear node 'input_quantize'", "has no scale"},
                        Case{QdqFault::zero_scale, "QuantizeLinear node 'input_quantize'", "holds 0"},
                        Case{QdqFault::wrong_axis, "DequantizeLinear node 'weight_dequantize'", "12 scales"},
                        Case{QdqFault::zero_point_type, "DequantizeLinear node 'input_dequantize'",
                             "zero point is int8 but the data 'input_q' is uint8"}}) {
    const auto path = dir.path() / ("qdq_" + std::to_string(static_cast<int>(c.fault)) + ".onnx");
    r4k::testing::write_qdq_model(c.fault, path);
    const std::string error = load_error(path);
    EXPECT_NE(error.find(c.node), std::string::npos) << error;
    EXPECT_NE(error.find(c.says), std::string::npos) << error;
    EXPECT_NE(error.find(path.string()), std::string::npos) << error;
  }
}

TEST(QdqImport, AValidQdqConvolutionRunsOnIntegersAsItsFloatsSay) {
  TempDir dir;
  const auto path = dir.path() / "qdq.onnx";
  r4k::testing::write_qdq_model(QdqFault::none, path);
  auto int8 = load_model(path.string(), options("auto"));
  auto fp32 = load_model(path.string(), options("fp32"));
  EXPECT_EQ(int8->precision(), "int8");
  EXPECT_EQ(fp32->precision(), "fp32");
  auto* native = dynamic_cast<OneDnnEngine*>(int8.get());
  ASSERT_NE(native, nullptr);
  EXPECT_TRUE(any_contains(native->implementations({1, 3, 24, 20}), "conv: ")) << "no convolution listed";
  EXPECT_TRUE(any_contains(native->implementations({1, 3, 24, 20}), "(int8"));
  // 8-bit input at scale 1/255 and integer weights: the integer sums are the
  // float sums, to float rounding.
  const Tensor image = picture(24, 20, 5);
  Tensor a;
  Tensor b;
  int8->run(image, a);
  fp32->run(image, b);
  ASSERT_EQ(a.shape(), b.shape());
  EXPECT_LT(max_abs_difference(a, b), 1e-5f);
}

// An SRVGG network (PReLU body, pixel shuffle, upsampled input added)
// quantized with calibrate_activations and export_qdq_model.
struct CalibratedModel {
  std::filesystem::path fp32;
  std::filesystem::path qdq;
  std::map<std::string, ActivationScale> scales;
  std::vector<std::string> conv_names;
};

CalibratedModel calibrated_srvgg(const TempDir& dir, const std::set<std::string>& fp32_layers = {}) {
  CalibratedModel model;
  model.fp32 = dir.path() / "srvgg.onnx";
  model.qdq = dir.path() / "srvgg_int8.onnx";
  r4k::testing::SrvggSpec spec;
  spec.scale = 2;
  spec.features = 16;
  spec.convs = 3;
  r4k::testing::write_srvgg(spec, model.fp32);
  auto engine = load_model(model.fp32.string(), options("fp32"));
  auto* native = dynamic_cast<OneDnnEngine*>(engine.get());
  for (const Node& node : native->graph().nodes) {
    if (node.op == OpType::conv) model.conv_names.push_back(node.name);
  }
  std::vector<Tensor> samples;
  for (unsigned seed = 1; seed <= 4; ++seed) samples.push_back(picture(32, 32, seed));
  CalibrationOptions calibration;
  calibration.fp32_layers = fp32_layers;
  model.scales = calibrate_activations(*native, samples, calibration);
  QdqExport plan;
  plan.activations = model.scales;
  const std::string bytes = export_qdq_model(model.fp32, plan);
  std::ofstream(model.qdq, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return model;
}

TEST(QdqEngine, CalibratedModelIsStandardQdqAndRunsEveryConvolutionInInt8) {
  TempDir dir;
  const CalibratedModel model = calibrated_srvgg(dir);
  ASSERT_EQ(model.conv_names.size(), 5u);
  ASSERT_EQ(model.scales.size(), 5u);  // every convolution's input
  const ActivationScale& input = model.scales.at("input");
  EXPECT_FALSE(input.is_signed);
  EXPECT_FLOAT_EQ(input.scale, 1.0f / 255.0f);  // 8-bit pictures quantize exactly
  std::size_t signed_ones = 0;
  for (const auto& [name, scale] : model.scales) signed_ones += scale.is_signed ? 1 : 0;
  EXPECT_GE(signed_ones, 1u) << "PReLU outputs are signed";

  const auto operators = OnnxModel(model.qdq).operators();
  EXPECT_EQ(operators.at("QuantizeLinear"), 5);
  EXPECT_EQ(operators.at("DequantizeLinear"), 5 + 5 + 5);  // activations, weights, biases
  EXPECT_LT(std::filesystem::file_size(model.qdq), std::filesystem::file_size(model.fp32) / 2);

  auto engine = load_model(model.qdq.string(), options("auto"));
  auto* native = dynamic_cast<OneDnnEngine*>(engine.get());
  ASSERT_NE(native, nullptr);
  const auto lines = native->implementations({1, 3, 32, 32});
  EXPECT_EQ(count_containing(lines, "(int8"), 5u);
  EXPECT_FALSE(any_contains(lines, "ref")) << "a reference kernel";
}

TEST(QdqEngine, Int8AgreesWithTheModelsFp32ArithmeticAndStaysNearTheFloatModel) {
  TempDir dir;
  const CalibratedModel model = calibrated_srvgg(dir);
  auto int8 = load_model(model.qdq.string(), options("int8"));
  auto emulated = load_model(model.qdq.string(), options("fp32"));
  auto original = load_model(model.fp32.string(), options("auto"));
  EXPECT_EQ(original->precision(), "fp32");
  const Tensor image = picture(40, 48, 99);  // not a calibration picture
  Tensor a;
  Tensor b;
  Tensor c;
  int8->run(image, a);
  emulated->run(image, b);
  original->run(image, c);
  // The same integers, but for values on a rounding boundary (oneDNN
  // multiplies by 1/scale where ONNX divides): a step here and there.
  double mean = 0.0;
  for (std::size_t i = 0; i < a.shape().elements(); ++i) mean += std::fabs(a.data()[i] - b.data()[i]);
  mean /= static_cast<double>(a.shape().elements());
  EXPECT_LT(mean, 2e-4);
  EXPECT_LT(max_abs_difference(a, b), 0.02f);
  // Quantization is real, and its error is small against the float model.
  const float to_float = max_abs_difference(a, c);
  EXPECT_GT(to_float, 0.0f);
  EXPECT_LT(to_float, 0.05f);
}

TEST(QdqEngine, Int8TiledOutputEqualsWholeImageBitForBit) {
  TempDir dir;
  const CalibratedModel model = calibrated_srvgg(dir);
  auto engine = load_model(model.qdq.string(), options("int8"));
  const Tensor image = picture(54, 70, 7);
  Tensor whole;
  engine->run(image, whole);
  TiledRunOptions run;
  const Tensor tiled =
      run_tiled(*engine, image, choose_tiling(engine->info(), 70, 54, 24, engine->info().receptive_field), run);
  ASSERT_EQ(whole.shape(), tiled.shape());
  EXPECT_EQ(max_abs_difference(whole, tiled), 0.0f);
}

TEST(QdqEngine, LayersKeptInFp32RunInFp32) {
  TempDir dir;
  const CalibratedModel probe = calibrated_srvgg(dir);
  TempDir other;
  const CalibratedModel model = calibrated_srvgg(other, {probe.conv_names.front(), probe.conv_names.back()});
  EXPECT_EQ(model.scales.count("input"), 0u);
  auto engine = load_model(model.qdq.string(), options("auto"));
  const auto lines = dynamic_cast<OneDnnEngine*>(engine.get())->implementations({1, 3, 32, 32});
  EXPECT_EQ(count_containing(lines, "(int8"), 3u);
  EXPECT_FALSE(any_contains(lines, probe.conv_names.front() + ": prelu+quantize"));
  CalibrationOptions wrong;
  wrong.fp32_layers = {"no_such_conv"};
  auto fp32 = load_model(model.fp32.string(), options("fp32"));
  try {
    calibrate_activations(*dynamic_cast<OneDnnEngine*>(fp32.get()), {picture(16, 16, 1)}, wrong);
    ADD_FAILURE() << "an unknown layer was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("no Conv node 'no_such_conv'"), std::string::npos) << error.what();
  }
}

TEST(Precision, AutoRunsEachModelInItsOwnPrecisionAndInt8RefusesAnFp32Model) {
  TempDir dir;
  const CalibratedModel model = calibrated_srvgg(dir);
  EXPECT_EQ(load_model(model.fp32.string(), options("auto"))->precision(), "fp32");
  EXPECT_EQ(load_model(model.qdq.string(), options("auto"))->precision(), "int8");
  EXPECT_EQ(load_model(model.qdq.string(), options("fp32"))->precision(), "fp32");
  EngineOptions automatic("auto", 1);  // backend auto must not fall back to opencv over the refusal
  automatic.precision = "int8";
  try {
    load_model(model.fp32.string(), automatic);
    ADD_FAILURE() << "int8 of an fp32 model was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("is an fp32 model"), std::string::npos) << e.what();
  }
  const std::string error = load_error(model.fp32, "int8");
  EXPECT_NE(error.find("is an fp32 model"), std::string::npos) << error;
  EXPECT_NE(error.find("models compress"), std::string::npos) << error;
  EXPECT_NE(load_error(model.fp32, "int4").find("precision must be auto, fp32 or int8"), std::string::npos);
  EngineOptions opencv("opencv", 1);
  opencv.precision = "int8";
  try {
    load_model(model.qdq.string(), opencv);
    ADD_FAILURE() << "int8 on opencv was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("runs on the onednn backend"), std::string::npos) << e.what();
  }
}

TEST(Calibration, EachMethodPlacesTheClippingThresholdByItsRule) {
  // Ten million magnitudes in the first 5% of the range, one outlier at the peak.
  std::vector<double> histogram(2048, 0.0);
  for (int i = 0; i < 100; ++i) histogram[static_cast<std::size_t>(i)] = 100000.0;
  histogram.back() = 1.0;
  const float peak = 20.48f;
  CalibrationOptions o;
  o.method = CalibrationMethod::minmax;
  EXPECT_FLOAT_EQ(choose_scale(histogram, peak, 127, o), peak / 127.0f);
  o.method = CalibrationMethod::percentile;
  o.percentile = 99.99;
  const float percentile = choose_scale(histogram, peak, 127, o);
  EXPECT_NEAR(percentile * 127.0f, 1.0f, 0.02f);  // bin 100 ends at 1.0
  o.method = CalibrationMethod::mse;
  const float mse = choose_scale(histogram, peak, 127, o);
  EXPECT_LT(mse, peak / 127.0f / 4.0f) << "one outlier must not set the scale";
  EXPECT_GE(mse * 127.0f, peak / 16.0f - 1e-3f);
  EXPECT_FLOAT_EQ(choose_scale(std::vector<double>(2048, 0.0), 0.0f, 255, o), 1.0f);
  EXPECT_THROW(parse_calibration_method("kl"), InputError);
}

}  // namespace
}  // namespace r4k::infer
