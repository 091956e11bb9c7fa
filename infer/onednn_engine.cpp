#include "infer/onednn_engine.hpp"

#include <omp.h>
#include <xmmintrin.h>

#include <oneapi/dnnl/dnnl.hpp>

#include "core/error.hpp"
#include "infer/fusion_plan.hpp"
#include "infer/model_checksum.hpp"
#include "infer/onednn_lowering.hpp"
#include "infer/specialized_graph.hpp"

namespace r4k::infer {

struct OneDnnEngine::Context {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

OneDnnEngine::OneDnnEngine(ModelInfo info, Graph graph, int threads, AutotuneOptions autotune, Precision precision)
    : Engine(std::move(info)),
      graph_(std::move(graph)),
      threads_(threads),
      precision_(precision),
      context_(std::make_unique<Context>()) {
  const int counted = threads > 0 ? threads : omp_get_max_threads();
  std::string sha;  // a graph built in memory (tests) has no file: its choices are cached under its name
  try {
    sha = this->info().path.empty() ? "graph:" + graph_.source : model_sha256(this->info().path.string());
  } catch (const InputError&) {
    sha = "graph:" + graph_.source;
  }
  autotuner_ = std::make_unique<Autotuner>(std::move(autotune), sha, counted);
  // Compile for a small shape now, so unsupported graphs fail at load time.
  const int channels = graph_.input_dims.size() == 4 && graph_.input_dims[1] > 0 ? static_cast<int>(graph_.input_dims[1]) : 3;
  const int h = graph_.input_dims.size() == 4 && graph_.input_dims[2] > 0 ? static_cast<int>(graph_.input_dims[2]) : 16;
  const int w = graph_.input_dims.size() == 4 && graph_.input_dims[3] > 0 ? static_cast<int>(graph_.input_dims[3]) : 16;
  program({1, channels, h, w});
}

OneDnnEngine::~OneDnnEngine() = default;

OneDnnProgram& OneDnnEngine::program(const TensorShape& shape, const std::vector<std::string>& captured) {
  const auto key = std::make_tuple(shape.n, shape.c, shape.h, shape.w, captured);
  auto found = programs_.find(key);
  if (found != programs_.end()) return *found->second;
  auto compiled = std::make_unique<OneDnnProgram>();
  try {
    const SpecializedGraph specialized = specialize(graph_, {shape.n, shape.c, shape.h, shape.w});
    if (threads_ > 0) omp_set_num_threads(threads_);  // AutoTune measures with the threads that will run
    OneDnnLowering lowering(specialized, context_->engine, *compiled, autotuner_.get());
    lowering.lower(plan_fusions(specialized, precision_));
    lowering.capture(captured);
  } catch (const dnnl::error& error) {
    throw InputError("ONNX model '" + graph_.source + "': oneDNN failed for input " + shape.to_string() + ": " + error.what());
  }
  return *programs_.emplace(key, std::move(compiled)).first->second;
}

void OneDnnEngine::run(const Tensor& input, Tensor& output) { execute(program(input.shape()), input, output); }

std::map<std::string, std::vector<float>> OneDnnEngine::run_capturing(const Tensor& input, Tensor& output,
                                                                      const std::vector<std::string>& captured) {
  OneDnnProgram& compiled = program(input.shape(), captured);
  execute(compiled, input, output);
  std::map<std::string, std::vector<float>> values;
  for (const auto& [name, mem] : compiled.captures) {
    const float* data = static_cast<const float*>(mem.get_data_handle());
    values[name].assign(data, data + mem.get_desc().get_size() / sizeof(float));
  }
  return values;
}

void OneDnnEngine::execute(OneDnnProgram& compiled, const Tensor& input, Tensor& output) {
  if (threads_ > 0) omp_set_num_threads(threads_);
  // Deep activation stacks can decay into denormals: flush them in every
  // thread that runs kernels.
#pragma omp parallel
  { _mm_setcsr(_mm_getcsr() | 0x8040); }
  output.resize(compiled.output_shape);
  compiled.input.set_data_handle(const_cast<float*>(input.data()));
  compiled.output.set_data_handle(output.data());
  dnnl::stream& stream = context_->stream;
  for (auto& step : compiled.steps) step(stream);
  compiled.output_step(stream);
  stream.wait();
}

std::map<std::string, std::string> OneDnnEngine::algorithm_choices() const { return autotuner_->choices(); }

double OneDnnEngine::flops_per_pixel(const TensorShape& shape) {
  return program(shape).flops / (static_cast<double>(shape.n) * shape.h * shape.w);
}

std::vector<std::string> OneDnnEngine::implementations(const TensorShape& shape) {
  return program(shape).implementations;
}

}  // namespace r4k::infer
