#include "infer/model_loader.hpp"

#include <algorithm>
#include <thread>

#include <opencv2/core/utility.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <spdlog/spdlog.h>

#include "infer/classic_engine.hpp"
#include "infer/model_probe.hpp"
#include "infer/model_sidecar.hpp"
#include "infer/model_spec.hpp"
#include "infer/onednn_engine.hpp"
#include "infer/quantization.hpp"
#include "infer/onnx_import.hpp"
#include "infer/onnx_model.hpp"
#include "infer/opencv_engine.hpp"
#include "infer/receptive_field.hpp"
#include "core/error.hpp"

namespace r4k::infer {
namespace {

constexpr int kFlopsProbeSize = 64;

void validate_backend(const std::string& backend) {
  for (const auto& known : available_backends()) {
    if (backend == known) return;
  }
  if (backend == "auto") return;
  std::string list = "auto";
  for (const auto& known : available_backends()) list += ", " + known;
  throw InputError("unknown backend '" + backend + "': expected " + list);
}

// Channels, fixed shape and operators, from the ONNX graph's interface.
void read_onnx_interface(ModelInfo& info) {
  const OnnxModel model(info.path);
  if (info.input_name.empty()) info.input_name = model.input_name();
  if (info.output_name.empty()) info.output_name = model.output_name();
  const auto dims = model.input_dims(info.input_name);
  if (dims.size() == 4) {
    const bool nhwc = info.layout == TensorLayout::nhwc;
    const auto channels = dims[nhwc ? 3 : 1];
    if (channels > 0) info.in_channels = static_cast<int>(channels);
    const auto h = dims[nhwc ? 1 : 2];
    const auto w = dims[nhwc ? 2 : 3];
    if (h > 0 && w > 0) {
      info.fixed_height = static_cast<int>(h);
      info.fixed_width = static_cast<int>(w);
    }
  } else if (!dims.empty()) {
    throw InputError("ONNX model '" + info.path.string() + "' input '" + info.input_name + "' has " +
                     std::to_string(dims.size()) + " dimensions; a super-resolution model takes 4 (NCHW)");
  }
  info.operators = model.operators();
}

// The precision `wanted` (auto | fp32 | int8) means for `graph`.
Precision engine_precision(const std::string& wanted, const Graph& graph, const std::string& spec) {
  const bool quantized = has_quantized_activations(graph);
  if (wanted == "int8" && !quantized) {
    throw InputError("model '" + spec + "' is an fp32 model (no QuantizeLinear on its activations): precision int8 " +
                     "runs QDQ models; make one with 'restore4k models compress " + spec +
                     " -o OUT.onnx --calibration builtin', or use precision auto or fp32");
  }
  return wanted == "fp32" || !quantized ? Precision::fp32 : Precision::int8;
}

}  // namespace

std::vector<std::string> available_backends() { return {"onednn", "opencv", "classic"}; }

std::vector<std::string> backends_for(const Engine& engine) {
  const ModelInfo& info = engine.info();
  if (info.format == ModelFormat::classic) return {"classic"};
  std::vector<std::string> backends;
  bool native = engine.backend() == "onednn";
  if (!native && info.format == ModelFormat::onnx && info.layout == TensorLayout::nchw) {
    try {
      AutotuneOptions defaults;  // a probe: nothing to measure
      defaults.enabled = false;
      OneDnnEngine probe(info, import_onnx(info.path), 0, defaults);
      native = true;
    } catch (const InputError&) {
    }
  }
  if (native) backends.push_back("onednn");
  // OpenCV 4.6 refuses per-channel QuantizeLinear / DequantizeLinear, the
  // form QDQ weights take.
  bool quantized = false;
  if (const auto* onednn = dynamic_cast<const OneDnnEngine*>(&engine)) {
    for (const Node& node : onednn->graph().nodes) {
      quantized |= node.op == OpType::quantize_linear || node.op == OpType::dequantize_linear;
    }
  }
  if (!quantized) backends.push_back("opencv");
  return backends;
}

std::unique_ptr<Engine> ModelLoader::load(const std::string& spec, const EngineOptions& requested) {
  validate_backend(requested.backend);
  if (requested.precision != "auto" && requested.precision != "fp32" && requested.precision != "int8") {
    throw InputError("precision must be auto, fp32 or int8, got '" + requested.precision + "'");
  }
  if (requested.threads < 0) {
    throw InputError("threads must be 0 (automatic) or more, got " + std::to_string(requested.threads));
  }
  EngineOptions options = requested;
  // More threads than the machine runs at once only cost memory (and
  // thread libraries fail at some count): use the cores there are.
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (options.threads > cores) {
    spdlog::warn("threads {}: this machine runs {} at once; using {}", options.threads, cores, cores);
    options.threads = cores;
  }
  if (options.threads > 0) cv::setNumThreads(options.threads);

  const ModelSource source = resolve_model(spec);
  if (source.format == ModelFormat::classic) {
    if (options.backend != "auto" && options.backend != "classic") {
      throw InputError("model '" + spec + "' is a classical filter; it runs on the classic backend, not '" +
                       options.backend + "'");
    }
    return std::make_unique<ClassicEngine>(*source.filter, source.classic_scale, spec);
  }
  if (options.backend == "classic") {
    throw InputError("backend 'classic' runs only the classical filters (builtin:bicubic-x4, ...), not the model '" +
                     spec + "'");
  }

  ModelInfo info;
  info.name = spec;
  info.path = source.path;
  info.format = source.format;
  info.colour = ModelColour::any;  // decided below from the channels unless the sidecar says
  std::optional<ModelSidecar> sidecar;
  if (auto sidecar_path = find_sidecar(source.path)) {
    sidecar = read_sidecar(*sidecar_path);
    apply_sidecar(*sidecar, info);
  }
  if (info.format == ModelFormat::onnx) read_onnx_interface(info);

  std::unique_ptr<Engine> engine;
  if (options.backend == "onednn" || (options.backend == "auto" && info.format == ModelFormat::onnx)) {
    // The native engine when it runs every operator; otherwise OpenCV.
    bool precision_refused = false;  // the precision is at fault, not the backend: never fall back over it
    try {
      if (info.format != ModelFormat::onnx) {
        throw InputError("model '" + spec + "' is a TensorFlow graph; the onednn backend runs ONNX models");
      }
      if (info.layout != TensorLayout::nchw) {
        throw InputError("model '" + spec + "' is NHWC; the onednn backend runs NCHW models");
      }
      Graph graph = import_onnx(info.path);
      precision_refused = true;
      const Precision precision = engine_precision(options.precision, graph, spec);
      precision_refused = false;
      engine = std::make_unique<OneDnnEngine>(info, std::move(graph), options.threads, options.autotune, precision);
    } catch (const PinRefused&) {
      throw;  // the pin is at fault, not the backend: never fall back over it
    } catch (const InputError& error) {
      if (options.backend == "onednn" || precision_refused) throw;
      spdlog::info("backend auto: using opencv for '{}' because the onednn backend cannot run it: {}", spec,
                   error.what());
    }
  }
  if (!engine && options.precision == "int8") {
    throw InputError("model '" + spec + "': precision int8 runs on the onednn backend, not '" +
                     (options.backend == "auto" ? std::string("opencv") : options.backend) + "'");
  }
  if (!engine) engine = std::make_unique<OpenCvEngine>(std::move(info));
  complete_info(*engine);
  const ModelInfo& done = engine->info();
  spdlog::debug("model '{}': backend {}, x{}, {} -> {} channels ({}), receptive field {} ({}), {:.0f} FLOP/pixel",
                spec, engine->backend(), done.scale, done.in_channels, done.out_channels, to_string(done.colour),
                done.receptive_field, done.receptive_field_source, done.flops_per_pixel);
  return engine;
}

void ModelLoader::complete_info(Engine& engine) {
  ModelInfo& info = engine.info_;
  const bool colour_from_sidecar = info.colour != ModelColour::any;

  if (info.in_channels == 0) {
    // TensorFlow graphs do not state their channels: try what SR models take.
    std::string last_error;
    // OpenCV logs every failed shape inference as an error; these are expected.
    const auto log_level = cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    for (int channels : {colour_from_sidecar && info.colour == ModelColour::y ? 1 : 3, 1, 3}) {
      try {
        probe_scale(engine, channels);
        info.in_channels = channels;
        break;
      } catch (const InputError& error) {
        last_error = error.what();
      }
    }
    cv::utils::logging::setLogLevel(log_level);
    if (info.in_channels == 0) {
      throw InputError("cannot run model '" + info.name + "' on 1- or 3-channel input: " + last_error);
    }
  }
  const int measured_scale = probe_scale(engine, info.in_channels);
  if (info.scale > 0 && info.scale != measured_scale) {
    throw InputError("model '" + info.name + "': sidecar says scale " + std::to_string(info.scale) +
                     " but the model upscales x" + std::to_string(measured_scale));
  }
  info.scale = measured_scale;

  {
    const int h = info.fixed_height > 0 ? info.fixed_height : 8;
    const int w = info.fixed_width > 0 ? info.fixed_width : 8;
    Tensor input({1, info.in_channels, h, w});
    input.fill(0.5f);
    Tensor output;
    engine.run(input, output);
    info.out_channels = output.shape().c;
  }

  if (!colour_from_sidecar) {
    if (info.in_channels == 3 && info.out_channels == 3) info.colour = ModelColour::rgb;
    if (info.in_channels == 1 && info.out_channels == 1) info.colour = ModelColour::y;
  }
  if ((info.colour == ModelColour::rgb || info.colour == ModelColour::bgr) &&
      (info.in_channels != 3 || info.out_channels != 3)) {
    throw InputError("model '" + info.name + "' is declared " + to_string(info.colour) + " but takes " +
                     std::to_string(info.in_channels) + " and gives " + std::to_string(info.out_channels) +
                     " channels");
  }
  if (info.colour == ModelColour::y && (info.in_channels != 1 || info.out_channels != 1)) {
    throw InputError("model '" + info.name + "' is declared y (luma) but takes " + std::to_string(info.in_channels) +
                     " and gives " + std::to_string(info.out_channels) + " channels");
  }

  if (auto* native = dynamic_cast<OneDnnEngine*>(&engine)) {
    const int h = info.fixed_height > 0 ? info.fixed_height : kFlopsProbeSize;
    const int w = info.fixed_width > 0 ? info.fixed_width : kFlopsProbeSize;
    info.flops_per_pixel = native->flops_per_pixel({1, info.in_channels, h, w});
  }
  if (auto* opencv = dynamic_cast<OpenCvEngine*>(&engine)) {
    const int h = info.fixed_height > 0 ? info.fixed_height : kFlopsProbeSize;
    const int w = info.fixed_width > 0 ? info.fixed_width : kFlopsProbeSize;
    info.flops_per_pixel = opencv->flops({1, info.in_channels, h, w}) / (static_cast<double>(h) * w);
    if (info.format == ModelFormat::tensorflow) info.operators = opencv->layer_types({1, info.in_channels, h, w});
  }

  if (info.receptive_field_source.empty()) {
    if (auto* native = dynamic_cast<OneDnnEngine*>(&engine)) {
      if (const auto field = receptive_field_of(native->graph())) {
        info.receptive_field = *field;
        info.receptive_field_source = "graph";
      }
    }
  }
  if (info.receptive_field_source.empty()) {
    // The probe looks for the pixels a change reaches bit for bit; Winograd
    // tiles also spread float rounding over their 4x4 outputs, which is not
    // the network's reach: probe the native engine on direct convolutions.
    std::unique_ptr<OneDnnEngine> direct;
    if (auto* native = dynamic_cast<OneDnnEngine*>(&engine)) {
      AutotuneOptions options;
      options.enabled = false;
      options.algorithm = "direct";
      direct = std::make_unique<OneDnnEngine>(info, native->graph(), 0, options, native->plan_precision());
    }
    Engine& probed = direct ? static_cast<Engine&>(*direct) : engine;
    info.receptive_field = probe_receptive_field(probed, info.in_channels, info.scale, info.flops_per_pixel);
    info.receptive_field_source = "probe";
    if (info.receptive_field < 0) {
      spdlog::warn("model '{}': the receptive field reaches beyond the largest probe; images will be processed "
                   "whole unless a halo is given (or set receptive_field in {})",
                   info.name, find_sidecar(info.path).value_or(info.path.parent_path() / (info.path.stem().string() + ".yaml")).string());
    }
  }
}

}  // namespace r4k::infer
