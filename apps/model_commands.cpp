// restore4k models info, bench and eval: looking at models and the engine.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <spdlog/spdlog.h>

#include "apps/commands.hpp"
#include "config/settings.hpp"
#include "infer/engine_benchmark.hpp"
#include "infer/autotune.hpp"
#include "infer/fma_peak.hpp"
#include "infer/model_checksum.hpp"
#include "infer/model_loader.hpp"
#include "infer/model_spec.hpp"
#include "infer/tiled_inference.hpp"
#include "preprocess/tile_plan.hpp"
#include "restore_4k/model_compression.hpp"
#include "restore_4k/sr_evaluation.hpp"
#include "restore_4k/job_runner.hpp"
#include "restore_4k/video_benchmark.hpp"

namespace r4k::app {
namespace {

std::string join(const std::map<std::string, int>& counts) {
  std::ostringstream text;
  bool first = true;
  for (const auto& [name, count] : counts) {
    text << (first ? "" : ", ") << name << " x" << count;
    first = false;
  }
  return text.str();
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// The engine settings bench and models take, checked like the job commands'.
CLI::Option* add_backend_option(CLI::App& command, std::string& backend) {
  const settings::Setting& setting = *settings::find("engine.backend");
  return command.add_option("-b,--backend", backend, setting.doc)->capture_default_str()->check(CLI::IsMember(setting.choices));
}

CLI::Option* add_precision_option(CLI::App& command, std::string& precision) {
  const settings::Setting& setting = *settings::find("engine.precision");
  return command.add_option("--precision", precision, setting.doc)->capture_default_str()->check(CLI::IsMember(setting.choices));
}

// --autotune on|off (any spelling of a boolean the job files take).
CLI::Option* add_autotune_option(CLI::App& command, bool& enabled) {
  const settings::Setting& setting = *settings::find("engine.autotune");
  return command
      .add_option_function<std::string>(
          "--autotune",
          [&enabled, &setting](const std::string& text) {
            // The check below validates a copy: normalise here too (on, yes, 1 ...).
            enabled = settings::as_boolean(settings::check(setting, text).value);
          },
          setting.doc + " [on or off; default on]")
      ->check(CLI::Validator(
          [&setting](std::string& text) {
            const settings::Checked checked = settings::check(setting, text);
            if (checked.ok) text = checked.value;
            return checked.ok ? std::string() : checked.message;
          },
          "", setting.key));
}

CLI::Range setting_range(const char* key) {
  const settings::Setting& setting = *settings::find(key);
  return CLI::Range(static_cast<long long>(*setting.min), static_cast<long long>(*setting.max));
}

int print_model_info(const std::string& spec, const infer::EngineOptions& options) {
  auto engine = infer::load_model(spec, options);
  const auto& info = engine->info();
  std::cout << "model:            " << info.name << "\n";
  if (!info.path.empty()) std::cout << "file:             " << info.path.string() << "\n";
  if (!info.sidecar.empty()) std::cout << "sidecar:          " << info.sidecar.string() << "\n";
  std::cout << "format:           " << infer::to_string(info.format) << "\n"
            << "engine:           " << engine->backend() << "\n"
            << "precision:        " << engine->precision() << "\n"
            << "scale:            x" << info.scale << "\n"
            << "channels:         " << infer::to_string(info.colour);
  if (info.in_channels > 0) std::cout << " (" << info.in_channels << " in, " << info.out_channels << " out)";
  std::cout << "\n"
            << "range:            [" << info.range_min << ", " << info.range_max << "]\n"
            << "layout:           " << infer::to_string(info.layout) << "\n"
            << "input shape:      "
            << (info.fixed_width > 0 ? std::to_string(info.fixed_width) + "x" + std::to_string(info.fixed_height)
                                     : std::string("dynamic (any height and width)"))
            << "\n"
            << "receptive field:  "
            << (info.receptive_field >= 0 ? std::to_string(info.receptive_field) + " px" : std::string("unbounded"))
            << " (" << info.receptive_field_source << ")\n"
            << "FLOPs per pixel:  " << static_cast<long long>(info.flops_per_pixel) << "\n"
            << "operators:        " << join(info.operators) << "\n"
            << "backends:         " << join(infer::backends_for(*engine)) << "\n";
  return kExitOk;
}

struct BenchState {
  std::string model;
  infer::EngineOptions engine;
  std::vector<int> tiles{128};
  int batch = 1;
  double seconds = 3.0;
  double peak_seconds = 1.0;
  std::filesystem::path video;
  std::string preset;
  CLI::Option* tile_option = nullptr;
};

int run_engine_bench(const BenchState& state) {
  auto engine = infer::load_model(state.model, state.engine);
  const auto& info = engine->info();
  infer::FmaPeak peak;
  if (state.peak_seconds > 0) {
    peak = infer::measure_fma_peak(state.engine.threads, state.peak_seconds);
    std::printf("FP32 FMA peak: %.1f GFLOPS (%d threads, %s)\n", peak.gflops, peak.threads,
                peak.instruction_set.c_str());
  }
  const bool int8 = engine->precision() == "int8";
  std::printf("model %s, backend %s, %s, x%d, %.0f FLOP per input pixel, batch %d\n", info.name.c_str(),
              engine->backend().c_str(), engine->precision().c_str(), info.scale, info.flops_per_pixel, state.batch);
  // int8 convolutions do integer operations: GOPS, set against the fp32 peak.
  std::printf("%6s %10s %10s %10s %9s\n", "tile", "tiles/s", "MP/s in", int8 ? "GOPS" : "GFLOPS", "of peak");
  for (int tile : state.tiles) {
    const auto result = infer::benchmark_engine(*engine, tile, state.batch, state.seconds);
    std::string fraction = "-";
    if (peak.gflops > 0 && info.flops_per_pixel > 0) {
      char text[32];
      std::snprintf(text, sizeof text, "%.1f%%", 100.0 * result.gflops / peak.gflops);
      fraction = text;
    }
    std::printf("%6d %10.2f %10.3f %10.1f %9s\n", tile, result.tiles_per_second, result.megapixels_per_second,
                result.gflops, fraction.c_str());
  }
  return kExitOk;
}

struct TuneState {
  std::string model;
  infer::EngineOptions engine{"onednn"};
  std::vector<int> tiles;  // windows the engine sees; empty: those a job's automatic tiling gives
  int batch = 1;
};

// The windows (width, height) the engine sees in a job: the given tile
// sizes, else what the automatic tiling chooses for a 3840x2160 film frame
// and a 1024x1024 raster tile (a fixed-shape model: its shape).
std::set<std::pair<int, int>> tune_windows(const infer::ModelInfo& info, const std::vector<int>& tiles) {
  std::set<std::pair<int, int>> windows;
  if (info.fixed_width > 0 && info.fixed_height > 0) {
    windows.insert({info.fixed_width, info.fixed_height});
    return windows;
  }
  for (int tile : tiles) windows.insert({tile, tile});
  if (!tiles.empty()) return windows;
  for (const auto& [width, height] : {std::pair<int, int>{3840, 2160}, std::pair<int, int>{1024, 1024}}) {
    const infer::TilingChoice tiling = infer::choose_tiling(info, width, height, 0, -1);
    const TilePlan plan(width, height, tiling.tile_size, tiling.halo);
    windows.insert({plan.window_width(), plan.window_height()});
  }
  return windows;
}

// models tune: the model run at each window with AutoTune on, so that its
// measured choices are in the cache before a job needs them.
int run_model_tune(const TuneState& state) {
  infer::EngineOptions options = state.engine;
  options.autotune.enabled = true;
  auto engine = infer::load_model(state.model, options);
  const infer::ModelInfo& info = engine->info();
  const int channels = info.in_channels > 0 ? info.in_channels : 3;
  for (const auto& [width, height] : tune_windows(info, state.tiles)) {
    Tensor input(TensorShape{state.batch, channels, height, width});
    input.fill(static_cast<float>((info.range_min + info.range_max) / 2));
    Tensor output;
    spdlog::info("tuning {} at {}x{}{}", state.model, width, height,
                 state.batch > 1 ? " (batch " + std::to_string(state.batch) + ")" : std::string());
    engine->run(input, output);
  }
  const auto choices = engine->algorithm_choices();
  std::cout << "model:   " << info.name << "\n"
            << "sha256:  " << infer::model_sha256(state.model) << "\n"
            << "backend: " << engine->backend() << "\n";
  if (choices.empty()) {
    std::cout << "no layer has a choice of algorithm on the " << engine->backend() << " backend\n";
    return kExitOk;
  }
  std::size_t width = 0;
  for (const auto& [entry, algorithm] : choices) width = std::max(width, entry.size());
  for (const auto& [entry, algorithm] : choices) {
    std::cout << entry << std::string(width + 2 - entry.size(), ' ') << algorithm << "\n";
  }
  const std::string cache = options.autotune.cache_file.empty() ? infer::Autotuner::default_cache_file()
                                                                : options.autotune.cache_file;
  std::cout << "cache:   " << cache << "\n";
  return kExitOk;
}

// The video bench's job: `restore4k video CLIP OUT` with the preset, model
// and engine settings given to bench (the preset's model unless --model).
restore::VideoJob bench_video_job(const BenchState& state, const std::filesystem::path& output) {
  std::vector<config::Override> overrides{{"input", state.video.string(), "--video"},
                                          {"output", output.string(), "the benchmark's file"}};
  if (!state.preset.empty()) overrides.insert(overrides.begin(), {"extends", state.preset, "--preset"});
  if (!state.model.empty()) overrides.push_back({"model", state.model, "--model"});
  const auto loaded = config::load_job_text("kind: video\n", std::filesystem::current_path() / "restore4k bench",
                                            true, overrides);
  if (!loaded.ok()) {
    std::string problems;
    for (const auto& diagnostic : loaded.diagnostics) problems += "\n" + diagnostic.to_string();
    throw InputError("restore4k bench --video:" + problems);
  }
  restore::VideoJob job = restore::video_job_from(*loaded.job);
  job.engine.backend = state.engine.backend;
  job.engine.precision = state.engine.precision;
  job.engine.threads = state.engine.threads;
  job.engine.autotune.enabled = state.engine.autotune.enabled;
  job.engine.autotune.algorithm = state.engine.autotune.algorithm;
  job.batch = state.batch;
  if (state.tile_option->count() > 0) job.tile_size = state.tiles.front();
  return job;
}

int run_video_bench(const BenchState& state) {
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("r4k-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  struct RemoveFolder {
    std::filesystem::path path;
    ~RemoveFolder() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } remove_folder{folder};
  const restore::VideoJob job = bench_video_job(state, folder / "job.mkv");
  const auto r = restore::benchmark_video(job);
  const auto per_frame = [&](double seconds) { return seconds * static_cast<double>(r.frames); };
  const double job_cpu = r.job_cpu_per_frame;
  const double rest = job_cpu - r.engine_cpu_per_frame - r.encoder_cpu_per_frame;
  std::printf("%s, %llu frames, model %s%s%s, encoder %s, %d cores\n", state.video.c_str(),
              static_cast<unsigned long long>(r.frames), job.model.c_str(),
              state.preset.empty() ? "" : ", preset ", state.preset.c_str(), restore::to_string(job.encoder).c_str(),
              r.cores);
  std::printf("engine alone:            %7.3f CPU-s/frame  (%.3f frames/s)\n", r.engine_cpu_per_frame, r.engine_fps);
  std::printf("encoder alone:           %7.3f CPU-s/frame\n", r.encoder_cpu_per_frame);
  std::printf("chain without encoding:  %7.3f CPU-s/frame  (%.3f frames/s)\n", r.chain_cpu_per_frame, r.chain_fps);
  std::printf("full job:                %7.3f CPU-s/frame  (%.3f frames/s), peak memory %.0f MB\n", job_cpu,
              r.job_fps, static_cast<double>(r.job_peak_memory) / 1e6);
  std::printf("CPU of the full job by stage (thread CPU time, %.1f s in all):\n", per_frame(job_cpu));
  for (const auto& stage : r.job_stages) {
    std::printf("  %5.1f %%  %s\n", 100.0 * stage.seconds / per_frame(job_cpu), stage.stage.c_str());
  }
  std::printf("beside the engine and the encoder: %.1f %% of the job's CPU\n", 100.0 * rest / job_cpu);
  std::printf("engine + encoder allow:  %7.3f frames/s on %d cores\n", r.allowed_fps(), r.cores);
  std::printf("ratio: %.3f\n", r.ratio());
  return kExitOk;
}

}  // namespace

Command add_models_command(CLI::App& app) {
  struct State {
    std::string model;
    infer::EngineOptions engine;
  };
  auto state = std::make_shared<State>();
  CLI::App* models = app.add_subcommand("models", "Inspect, tune and compress models");
  models->require_subcommand(1);
  CLI::App* info = models->add_subcommand("info", "Scale, channels, range, receptive field, FLOPs, operators");
  info->add_option("model", state->model, "Model file or builtin:NAME")->required();
  add_backend_option(*info, state->engine.backend);
  add_precision_option(*info, state->engine.precision);
  auto tune_state = std::make_shared<TuneState>();
  CLI::App* tune = models->add_subcommand(
      "tune", "AutoTune ahead of a job: the model run at the tiles a job would use, each layer's fastest algorithm "
              "measured into the cache ($XDG_CACHE_HOME/restore4k/autotune.yaml); prints each layer@shape's choice");
  tune->add_option("model", tune_state->model, "Model file or builtin:NAME")->required();
  tune->add_option("-t,--tile", tune_state->tiles,
                   "Windows the engine sees (input pixels a side), e.g. --tile 256 512 (default: what the automatic "
                   "tiling chooses for a 3840x2160 frame and a 1024x1024 raster tile)")
      ->check(CLI::Range(1, static_cast<int>(*settings::find("engine.tile")->max)));
  add_backend_option(*tune, tune_state->engine.backend);
  add_precision_option(*tune, tune_state->engine.precision);
  tune->add_option("--threads", tune_state->engine.threads, "Threads (0 = all cores): those the job will run with")
      ->capture_default_str()
      ->check(setting_range("engine.threads"));
  tune->add_option("--batch", tune_state->batch, "Tiles per engine call (a job's engine.batch)")
      ->capture_default_str()
      ->check(CLI::Range(1, static_cast<int>(*settings::find("engine.batch")->max)));
  auto compress_state = std::make_shared<restore::CompressOptions>();
  compress_state->method.method = infer::CalibrationMethod::mse;
  CLI::App* compress = models->add_subcommand(
      "compress", "Post-training int8 quantization to a QDQ ONNX model (weights per output channel, activations per "
                  "tensor), calibrated on SOURCE; prints the int8 model's Y-PSNR against the fp32 model's on the "
                  "calibration pictures and on a held-out quarter of them, and the loss against the ground truth "
                  "where there is one");
  compress->add_option("model", compress_state->model, "fp32 model file or builtin:NAME")->required();
  compress->add_option("-o,--output", compress_state->output, "The QDQ model written (.onnx)")->required();
  compress->add_option("--calibration", compress_state->calibration.source,
                       "builtin (the crops shipped with the built-in models), a folder of images, a video (frames "
                       "sampled across it) or a raster (windows sampled over it)")
      ->required();
  compress->add_option_function<std::string>(
      "--method", [compress_state](const std::string& text) { compress_state->method.method = infer::parse_calibration_method(text); },
      "Activation scales: mse (the clipping threshold of least expected squared error; default), percentile "
      "(--percentile of the magnitudes) or minmax (the largest magnitude)")
      ->check(CLI::IsMember({"minmax", "percentile", "mse"}));
  compress->add_option("--percentile", compress_state->method.percentile, "For --method percentile")
      ->capture_default_str()
      ->check(CLI::Range(50.0, 100.0));
  compress->add_option("--fp32-layers", compress_state->method.fp32_layers,
                       "Conv node names left in fp32 (as `models info` lists them)");
  compress->add_flag("--fp32-input", compress_state->method.fp32_input_layers,
                     "Leave the convolutions that read the network's input in fp32 (10- or 16-bit sources: an int8 "
                     "input has 8-bit levels)");
  compress->add_flag("--film", compress_state->calibration.film,
                     "builtin: film-degraded inputs (blur, grain, JPEG), as for builtin:film-x4");
  compress->add_option("--pictures", compress_state->calibration.pictures, "At most this many calibration crops")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  compress->add_option("--crop", compress_state->calibration.crop, "Crop side in input pixels (folders, videos, rasters)")
      ->capture_default_str()
      ->check(CLI::Range(16, 4096));
  compress->add_option("--threads", compress_state->threads, "Threads (0 = all cores)")
      ->capture_default_str()
      ->check(setting_range("engine.threads"));
  return Command{models, [state, tune_state, tune, compress_state, compress] {
                   if (compress->parsed()) {
                     const restore::CompressResult result = restore::compress_model(*compress_state);
                     std::cout << restore::compression_report(*compress_state, result);
                     return kExitOk;
                   }
                   return tune->parsed() ? run_model_tune(*tune_state) : print_model_info(state->model, state->engine);
                 }};
}

Command add_bench_command(CLI::App& app) {
  auto state = std::make_shared<BenchState>();
  CLI::App* bench = app.add_subcommand("bench", "Engine throughput: tiles/s, megapixels/s, GFLOPS and share of FMA peak");
  bench->add_option("-m,--model", state->model,
                    "Model file or builtin:NAME (with --video: the job's model, by default the preset's or the "
                    "video default)");
  state->tile_option = bench->add_option("-t,--tile", state->tiles, "Tile sizes (input pixels a side), e.g. --tile 64 128 256")
                           ->capture_default_str()
                           ->check(setting_range("engine.tile"));
  add_backend_option(*bench, state->engine.backend);
  add_precision_option(*bench, state->engine.precision);
  bench->add_option("--batch", state->batch, "Tiles per engine call")->capture_default_str()->check(
      setting_range("engine.batch"));
  bench->add_option("--threads", state->engine.threads, "Threads (0 = all cores)")
      ->capture_default_str()
      ->check(setting_range("engine.threads"));
  add_autotune_option(*bench, state->engine.autotune.enabled);
  bench->add_option("--algorithm", state->engine.autotune.algorithm,
                    "Convolution algorithm on the onednn backend: auto (AutoTune or its defaults), direct (oneDNN's "
                    "direct convolution everywhere) or winograd (wherever a layer can take it)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "direct", "winograd"}));
  bench->add_option("--seconds", state->seconds, "Minimum timed seconds per tile size")->capture_default_str();
  bench->add_option("--peak-seconds", state->peak_seconds, "Seconds to measure the FMA peak (0 = skip)")
      ->capture_default_str();
  bench->add_option("--video", state->video,
                    "Instead: the video job on this clip against the engine alone and the encoder alone on its "
                    "frames (CPU-s/frame, CPU by stage, peak memory, ratio); --tile is then the upscaler's tile "
                    "size (0 = automatic)");
  bench->add_option("--preset", state->preset, "With --video: the job's preset (film-4k, film-preview)");
  return Command{bench, [state] {
                   if (state->video.empty() && state->model.empty()) {
                     throw InputError("restore4k bench: --model is required (or --video CLIP)");
                   }
                   if (state->video.empty() && !state->preset.empty()) {
                     throw InputError("restore4k bench: --preset goes with --video");
                   }
                   return state->video.empty() ? run_engine_bench(*state) : run_video_bench(*state);
                 }};
}

Command add_eval_command(CLI::App& app) {
  struct State {
    restore::EvalOptions options;
    std::filesystem::path data = std::filesystem::path(R4K_SOURCE_DIR) / ".." / "shared" / "data" / "sr-bench";
    std::vector<std::string> sets{"Set5", "Set14"};
  };
  auto state = std::make_shared<State>();
  CLI::App* eval = app.add_subcommand("eval", "Model quality: Y-PSNR and SSIM on Set5/Set14 through the engine, tiled, "
                                              "against bicubic and published figures");
  eval->add_option("-m,--model", state->options.model, "Model file or builtin:NAME")->required();
  eval->add_option("--data", state->data, "Folder holding the sets (img_NNN_SRF_s_HR.png / _LR.png)")
      ->capture_default_str();
  eval->add_option("--sets", state->sets, "Sets (folders under --data)")->capture_default_str();
  eval->add_option("-t,--tile", state->options.tile_size, "Tile size (0 = whole image)")
      ->capture_default_str()
      ->check(setting_range("engine.tile"));
  add_backend_option(*eval, state->options.engine.backend);
  add_precision_option(*eval, state->options.engine.precision);
  eval->add_flag("--film", state->options.film,
                 "Film-degraded inputs made from the HR images (blur, downscale, grain, JPEG) instead of the sets' LR");
  return Command{eval, [state] {
                   std::vector<restore::SetScore> scores;
                   for (const std::string& set : state->sets) {
                     spdlog::info("evaluating {} on {}", state->options.model, (state->data / set).string());
                     scores.push_back(restore::evaluate_set(state->data / set, state->options));
                   }
                   std::cout << restore::evaluation_table(scores, state->options.model, state->options.film);
                   return kExitOk;
                 }};
}

}  // namespace r4k::app
