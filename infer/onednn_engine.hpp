// The `onednn` backend: the ONNX graph compiled, per input shape, to oneDNN
// primitives with fused post-ops (convolution + bias + activation + scalar
// scale + residual add), blocked memory layouts chosen by oneDNN and kept from
// one convolution to the next, reorders only where an operator needs plain
// data, and primitives and buffers created once per shape and reused. Each
// 3x3 convolution runs oneDNN's direct kernel or the Winograd layer, as
// AutoTune chooses (onednn_convolution_choice.hpp).
// Compiling a shape is specialize (specialized_graph) -> plan_fusions
// (fusion_plan) -> OneDnnLowering (onednn_lowering).
#pragma once

#include <map>
#include <memory>
#include <tuple>

#include "infer/autotune.hpp"
#include "infer/engine.hpp"
#include "infer/fusion_plan.hpp"
#include "infer/graph.hpp"

namespace r4k::infer {

struct OneDnnProgram;

class OneDnnEngine final : public Engine {
 public:
  // Throws InputError naming the operator and node the engine cannot run
  // (checked by compiling for a small probe shape).
  // `autotune` chooses each convolution's algorithm (autotune.hpp); its
  // cache entries are keyed by the model file's SHA-256.
  // `precision` int8 runs a QDQ graph's convolutions on integers; fp32 runs
  // its QuantizeLinear / DequantizeLinear nodes on floats (fusion_plan.hpp).
  OneDnnEngine(ModelInfo info, Graph graph, int threads, AutotuneOptions autotune = {},
               Precision precision = Precision::fp32);
  ~OneDnnEngine() override;

  std::string backend() const override { return "onednn"; }
  void run(const Tensor& input, Tensor& output) override;
  // run, also returning the values named `captured` as they were computed
  // (plain row-major floats): what calibration reads.
  std::map<std::string, std::vector<float>> run_capturing(const Tensor& input, Tensor& output,
                                                          const std::vector<std::string>& captured);
  std::string precision() const override { return precision_ == Precision::int8 ? "int8" : "fp32"; }
  Precision plan_precision() const { return precision_; }

  // Multiply-adds x 2 per input pixel, from the compiled graph.
  double flops_per_pixel(const TensorShape& shape);
  const Graph& graph() const { return graph_; }
  // The implementation oneDNN chose for each convolution (for `models info`).
  std::vector<std::string> implementations(const TensorShape& shape);
  std::map<std::string, std::string> algorithm_choices() const override;
  Autotuner* autotuner() override { return autotuner_.get(); }

 private:
  OneDnnProgram& program(const TensorShape& shape, const std::vector<std::string>& captured = {});
  void execute(OneDnnProgram& compiled, const Tensor& input, Tensor& output);

  Graph graph_;
  int threads_;
  Precision precision_;
  std::unique_ptr<Autotuner> autotuner_;
  struct Context;
  std::unique_ptr<Context> context_;
  std::map<std::tuple<int, int, int, int, std::vector<std::string>>, std::unique_ptr<OneDnnProgram>> programs_;
};

}  // namespace r4k::infer
