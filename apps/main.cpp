// restore4k: the command-line program. Thin: parses arguments, calls the
// workflows, maps errors to the documented exit codes
// (0 ok, 1 failure, 2 bad input or usage, 3 some batch items failed, 4 input
// damaged: the output holds all it had to give, 130 interrupted).
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <tuple>

#include <CLI/CLI.hpp>
#include <opencv2/imgcodecs.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "config/job_file.hpp"
#include "config/job_schema.hpp"
#include "infer/engine_benchmark.hpp"
#include "infer/fma_peak.hpp"
#include "infer/model_loader.hpp"
#include "infer/model_spec.hpp"
#include "preprocess/error.hpp"
#include "restore_4k/batch_run.hpp"
#include "restore_4k/image_upscale.hpp"
#include "restore_4k/job_runner.hpp"
#include "restore_4k/image_writer.hpp"
#include "restore_4k/progress_report.hpp"
#include "restore_4k/raster_upscale.hpp"
#include "restore_4k/sample_image.hpp"
#include "restore_4k/video_benchmark.hpp"
#include "restore_4k/sr_evaluation.hpp"
#include "restore_4k/video_upscale.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitSomeFailed = 3;
constexpr int kExitInputDamaged = 4;
constexpr int kExitInterrupted = 130;

// The bounds the job-file schema gives the integer `key`: command-line
// options check the same ones as job files.
CLI::Range schema_range(const char* key) {
  const r4k::config::KeySpec* spec = r4k::config::find_key(key);
  return CLI::Range(static_cast<long long>(spec->min.value_or(0)), static_cast<long long>(spec->max.value_or(1e9)));
}

std::atomic<bool> g_interrupted{false};
std::atomic<bool> g_abort{false};
std::atomic<int> g_signals{0};
std::string g_progress = "auto";  // --progress: auto, plain or json

// The first Ctrl-C (or SIGTERM) finishes the output with the frames in
// flight; the second stops at once and removes the partial output; a third
// ends the program as the signal would (the next run removes what is left).
extern "C" void on_signal(int signal_number) {
  const int count = g_signals.fetch_add(1) + 1;
  g_interrupted.store(true);
  if (count >= 2) {
    g_abort.store(true);
    std::signal(signal_number, SIG_DFL);
  }
}

int parse_halo(const std::string& text) {
  if (text == "auto") return -1;
  try {
    std::size_t used = 0;
    const int value = std::stoi(text, &used);
    if (used == text.size() && value >= 0) return value;
  } catch (const std::exception&) {
  }
  throw r4k::InputError("--halo must be 'auto' or a number of pixels >= 0, got '" + text + "'");
}

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

int run_models_info(const std::string& spec, const r4k::infer::EngineOptions& options) {
  auto engine = r4k::infer::load_model(spec, options);
  const auto& info = engine->info();
  std::cout << "model:            " << info.name << "\n";
  if (!info.path.empty()) std::cout << "file:             " << info.path.string() << "\n";
  if (!info.sidecar.empty()) std::cout << "sidecar:          " << info.sidecar.string() << "\n";
  std::cout << "format:           " << r4k::infer::to_string(info.format) << "\n"
            << "engine:           " << engine->backend() << "\n"
            << "scale:            x" << info.scale << "\n"
            << "channels:         " << r4k::infer::to_string(info.colour);
  if (info.in_channels > 0) std::cout << " (" << info.in_channels << " in, " << info.out_channels << " out)";
  std::cout << "\n"
            << "range:            [" << info.range_min << ", " << info.range_max << "]\n"
            << "layout:           " << r4k::infer::to_string(info.layout) << "\n"
            << "input shape:      "
            << (info.fixed_width > 0 ? std::to_string(info.fixed_width) + "x" + std::to_string(info.fixed_height)
                                     : std::string("dynamic (any height and width)"))
            << "\n"
            << "receptive field:  "
            << (info.receptive_field >= 0 ? std::to_string(info.receptive_field) + " px" : std::string("unbounded"))
            << " (" << info.receptive_field_source << ")\n"
            << "FLOPs per pixel:  " << static_cast<long long>(info.flops_per_pixel) << "\n"
            << "operators:        " << join(info.operators) << "\n"
            << "backends:         " << join(r4k::infer::backends_for(*engine)) << "\n";
  return kExitOk;
}

int run_bench(const std::string& spec, const r4k::infer::EngineOptions& options, const std::vector<int>& tiles,
              int batch, double seconds, double peak_seconds) {
  auto engine = r4k::infer::load_model(spec, options);
  const auto& info = engine->info();
  r4k::infer::FmaPeak peak;
  if (peak_seconds > 0) {
    peak = r4k::infer::measure_fma_peak(options.threads, peak_seconds);
    std::printf("FP32 FMA peak: %.1f GFLOPS (%d threads, %s)\n", peak.gflops, peak.threads,
                peak.instruction_set.c_str());
  }
  std::printf("model %s, backend %s, x%d, %.0f FLOP per input pixel, batch %d\n", info.name.c_str(),
              engine->backend().c_str(), info.scale, info.flops_per_pixel, batch);
  std::printf("%6s %10s %10s %10s %9s\n", "tile", "tiles/s", "MP/s in", "GFLOPS", "of peak");
  for (int tile : tiles) {
    const auto result = r4k::infer::benchmark_engine(*engine, tile, batch, seconds);
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

// --dry-run: what the run would convert or assume (stderr), then the pipeline (stdout).
int print_video_plan(const r4k::restore::VideoPlan& plan) {
  for (const auto& notice : plan.notices) spdlog::info("{}", notice);
  std::cout << r4k::pipeline::gst_launch_line(plan.arguments) << "\n";
  return kExitOk;
}

int run_video(r4k::restore::VideoJob& video_job) {
  auto report = r4k::restore::ProgressReport::for_option(g_progress, stderr, "frame");
  video_job.progress = [&report](std::uint64_t frames, std::int64_t total, double seconds) {
    report.update(frames, total, seconds);
  };
  const auto result = r4k::restore::upscale_video(video_job);
  const std::int64_t total = result.expected_frames;
  report.finish(result.frames, total, result.seconds);
  if (result.interrupted) {
    spdlog::warn("interrupted after {} of {} frames; {} is finalised and playable up to there",
                 result.frames, total, video_job.output.string());
    return kExitInterrupted;
  }
  spdlog::info("wrote {} ({} frames in {:.1f} s)", video_job.output.string(), result.frames, result.seconds);
  if (!result.damage.empty()) {
    spdlog::error("{} is damaged: {} problem(s) (listed above); {} holds everything it had to give, and its "
                  "RESTORE4K_INPUT tag says so",
                  video_job.input.string(), result.damage.size(), video_job.output.string());
    return kExitInputDamaged;
  }
  return kExitOk;
}

int run_raster(r4k::restore::RasterJob& raster_job) {
  auto report = r4k::restore::ProgressReport::for_option(g_progress, stderr, "tile");
  std::int64_t total = 0;
  raster_job.progress = [&report, &total](std::uint64_t tiles, std::int64_t all, double seconds) {
    total = all;
    report.update(tiles, all, seconds);
  };
  const auto result = r4k::restore::upscale_raster(raster_job);
  report.finish(result.tiles, total, result.seconds);
  if (!result.complete) {
    spdlog::warn("interrupted after {} tiles; the finished tiles are kept: run the same command with --resume "
                 "to finish {}",
                 result.tiles, raster_job.output.string());
    return kExitInterrupted;
  }
  spdlog::info("wrote {} ({} tiles in {:.1f} s, peak memory {} MiB)", raster_job.output.string(), result.tiles,
               result.seconds, result.peak_memory_kib / 1024);
  if (!result.damage.empty()) {
    spdlog::error("{} is damaged: {} problem(s) (listed above); {} holds everything it could give, the unreadable "
                  "pixels as nodata (metadata RESTORE4K_DAMAGED_TILES)",
                  raster_job.input.string(), result.damage.size(), raster_job.output.string());
    return kExitInputDamaged;
  }
  return kExitOk;
}

int run_batch(r4k::restore::BatchJob& batch_job) {
  auto report = r4k::restore::ProgressReport::for_option(g_progress, stderr, "file");
  batch_job.progress = [&report](std::uint64_t files, std::int64_t all, double seconds) {
    report.update(files, all, seconds);
  };
  const auto start = std::chrono::steady_clock::now();
  const auto result = r4k::restore::run_batch(batch_job);
  report.finish(result.items.size(), static_cast<std::int64_t>(result.items.size()),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  int done = 0;
  int skipped = 0;
  for (const auto& item : result.items) {
    done += item.status == "done";
    skipped += item.status == "skipped";
  }
  spdlog::info("batch: {} done, {} skipped, {} damaged, {} failed of {} (shard {}/{}); report {}", done, skipped,
               result.damaged, result.failed, result.items.size(), result.shard.index, result.shard.count,
               result.report.string());
  if (result.interrupted) {
    spdlog::warn("interrupted: run the same command again to finish (done files are skipped, partial ones "
                 "resume)");
    return kExitInterrupted;
  }
  if (result.failed > 0) return kExitSomeFailed;
  return result.damaged > 0 ? kExitInputDamaged : kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("restore4k");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("restore4k: %^%l%$: %v");

  CLI::App app{"restore4k: neural super-resolution for film restoration and remote sensing"};
  app.set_version_flag("--version", "restore4k 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();  // global options (--log-level) may follow the subcommand
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  // restore4k image
  r4k::restore::ImageJob job;
  std::string halo_text = "auto";
  std::string chroma_filter = "bicubic";
  auto* image = app.add_subcommand("image", "Upscale a still image (PNG, TIFF, JPEG; 8/16-bit; grey, RGB, RGBA)");
  image->add_option("input", job.input, "Input image")->required();
  image->add_option("output", job.output, "Output image (.png, .tif, .tiff, .jpg)")->required();
  image->add_option("-m,--model", job.model, "Model file (.onnx, .pb) or builtin:NAME")
      ->capture_default_str();
  image->add_option("-b,--backend", job.engine.backend, "auto (onednn when it runs every operator, else opencv), onednn, opencv or classic")->capture_default_str();
  image->add_option("-t,--tile", job.tile_size, "Tile size the engine sees (0 = automatic)")
      ->capture_default_str()
      ->check(schema_range("engine.tile"));
  image->add_option("--halo", halo_text, "Context around each tile in pixels, or 'auto' (the receptive field: exact)")
      ->capture_default_str();
  image->add_option("--threads", job.engine.threads, "Inference threads (0 = all cores)")
      ->capture_default_str()
      ->check(schema_range("engine.threads"));
  image->add_option("--batch", job.batch, "Tiles per engine call")->capture_default_str()->check(schema_range("engine.batch"));
  image->add_option("--chroma-filter", chroma_filter,
                    "Chroma upscaling for luma-only models: bicubic or bilinear (OpenCV dnn_superres uses bilinear)")
      ->capture_default_str()
      ->check(CLI::IsMember({"bicubic", "bilinear", "lanczos", "nearest"}));

  // restore4k video
  r4k::restore::VideoJob video_job;
  std::string video_halo = "auto";
  std::string encoder_name = "ffv1";
  std::string decoder_name = "auto";
  bool dry_run = false;
  auto* video = app.add_subcommand("video", "Restore a video; every other stream, chapter and tag is carried over (or "
                                            "the job is refused before it starts, saying what cannot be kept)");
  video->add_option("input", video_job.input, "Input video (MP4, MOV, MKV, AVI, ...)")->required();
  video->add_option("output", video_job.output, "Output: .mkv (ffv1, x264), .mov (prores, x264), .mp4 (x264)")->required();
  video->add_option("-m,--model", video_job.model, "Model file (.onnx, .pb) or builtin:NAME")->capture_default_str();
  video->add_option("-b,--backend", video_job.engine.backend, "auto (onednn when it runs every operator, else opencv), onednn, opencv or classic")->capture_default_str();
  video->add_option("-t,--tile", video_job.tile_size, "Tile size the engine sees (0 = automatic)")
      ->capture_default_str()
      ->check(schema_range("engine.tile"));
  video->add_option("--halo", video_halo, "Context around each tile in pixels, or 'auto' (exact)")
      ->capture_default_str();
  video->add_option("--threads", video_job.engine.threads, "Inference threads (0 = all cores)")
      ->capture_default_str()
      ->check(schema_range("engine.threads"));
  video->add_option("--batch", video_job.batch, "Tiles per engine call")->capture_default_str()->check(
      schema_range("engine.batch"));
  video->add_option("--encoder", encoder_name,
                    "ffv1 (lossless, Matroska: the archival default), prores (422 HQ or 4444, MOV) or x264 (the input's "
                    "format; Matroska, MP4 or MOV)")
      ->capture_default_str()
      ->check(CLI::IsMember({"ffv1", "prores", "x264"}));
  video->add_option("--decoder", decoder_name, "auto (hardware when present), hardware or software")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "hardware", "software"}));
  video->add_flag("--dry-run", dry_run, "Print the equivalent gst-launch-1.0 line and exit");
  std::string fit_text;
  std::string pad_color_text = "0x000000";
  video->add_option("--fit", fit_text,
                    "Fit the upscaled picture into a fixed frame, e.g. 3840x2160 (UHD) or 4096x2160 (DCI 4K), "
                    "honouring the pixel aspect ratio");
  video->add_option("--fit-mode", video_job.fit_mode, "pad (bars) or crop (fill the frame)")
      ->capture_default_str()
      ->check(CLI::IsMember({"pad", "crop"}));
  video->add_option("--pad-color", pad_color_text, "Colour of the bars, 0xRRGGBB")->capture_default_str();
  bool no_deinterlace = false;
  bool no_audio = false;
  std::string video_preset;
  video->add_option("--preset", video_preset,
                    "Start from a preset (film-4k, film-preview): its stages, model, fit, colour and encoder; the "
                    "options given here override it");
  video->add_flag("--no-deinterlace", no_deinterlace,
                  "Do not deinterlace (interlaced input is then an error: the stages need whole frames)");
  video->add_flag("--deflicker", video_job.deflicker, "Remove brightness flicker (r4kdeflicker)");
  video->add_option("--deflicker-radius", video_job.deflicker_radius, "Frames each side of the deflicker window")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  video->add_flag("--dust", video_job.dust, "Remove dust and dirt in single frames (r4kdustbust)");
  video->add_flag("--scratches", video_job.scratches, "Repair vertical scratches (r4kdustbust)");
  video->add_option("--denoise", video_job.denoise,
                    "Grain and noise removal strength (r4kdenoise): 0 = off, 1 = the measured noise level")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 4.0));
  video->add_option("--colour,--color", video_job.colorimetry, "Output colour: keep, bt709 or bt2020")
      ->capture_default_str()
      ->check(CLI::IsMember({"keep", "bt709", "bt2020"}));
  video->add_flag("--no-audio", no_audio,
                  "Leave the audio out (by default it is carried: packets unchanged, or losslessly converted where "
                  "the container needs it)");
  bool no_subtitles = false;
  bool no_data = false;
  video->add_flag("--no-subtitles", no_subtitles,
                  "Leave the subtitles out (by default they are carried, packets unchanged)");
  video->add_flag("--no-data", no_data,
                  "Leave out data streams restore4k cannot carry (KLV, SCTE-35, ...; without it such input is refused)");
  video->add_flag("--monochrome", video_job.monochrome,
                  "A black-and-white film: every frame comes out exactly grey, its chroma noise discarded");
  const char* progress_help = "Progress: auto (in place on a terminal, a line every 10 s otherwise), plain, or json "
                              "(one JSON object per line, about once a second, for programs)";
  video->add_option("--progress", g_progress, progress_help)->capture_default_str()->check(
      CLI::IsMember({"auto", "plain", "json"}));

  // restore4k raster / batch: one set of raster settings for both.
  r4k::restore::RasterJob raster_job;
  std::string raster_halo = "auto";
  std::string raster_format = "gtiff";
  std::string other_bands_text = "classical";
  bool raster_dry_run = false;
  auto add_raster_options = [&](CLI::App* command) {
    command->add_option("-m,--model", raster_job.model, "Model file (.onnx, .pb) or builtin:NAME")
        ->capture_default_str();
    command->add_option("-b,--backend", raster_job.engine.backend,
                        "auto (onednn when it runs every operator, else opencv), onednn, opencv or classic")
        ->capture_default_str();
    command->add_option("--bands", raster_job.bands,
                        "Bands to read and write, 1-based, in output order, e.g. 4,3,2 (default: every band). A "
                        "1-channel model upscales each band on its own; a 3-channel model takes the red, green and "
                        "blue bands (by colour interpretation, else the first three)");
    command->add_option("--other-bands", other_bands_text,
                        "Bands the model does not take: classical (upscaled with bicubic and kept) or drop")
        ->capture_default_str()
        ->check(CLI::IsMember({"classical", "drop"}));
    command->add_option("--categorical", raster_job.categorical,
                        "More bands that hold classes, not quantities, e.g. 5: upscaled nearest, never smoothed and "
                        "never given to a model (palette and alpha bands always are)");
    command->add_option("--range", raster_job.range,
                        "How a neural model's bands map to its [0, 1], one map for the whole image: auto (Byte/Int8: "
                        "the type's range; else the exact minimum and maximum of every valid pixel, from a pass over "
                        "the file), MIN,MAX, or bits:N (refused if it would clip valid pixels)")
        ->capture_default_str();
    command->add_option("-t,--tile", raster_job.tile_size, "Tile window side in input pixels (cores are whole blocks)")
        ->capture_default_str()
        ->check(schema_range("engine.tile"));
    command->add_option("--halo", raster_halo, "Context around each core in pixels, or 'auto' (exact)")
        ->capture_default_str();
    command->add_option("--threads", raster_job.engine.threads, "Inference threads (0 = all cores)")
        ->capture_default_str()
        ->check(schema_range("engine.threads"));
    command->add_option("--format", raster_format, "gtiff (tiled GeoTIFF) or cog (Cloud-Optimised GeoTIFF)")
        ->capture_default_str()
        ->check(CLI::IsMember({"gtiff", "cog"}));
    command->add_option("--compress", raster_job.compress, "none, deflate, zstd or lzw")
        ->capture_default_str()
        ->check(CLI::IsMember({"none", "deflate", "zstd", "lzw"}));
    command->add_option("--tiles-in-flight", raster_job.tiles_in_flight,
                        "Tiles each queue holds: memory is bounded by these, not by the image size")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
  };
  auto* raster = app.add_subcommand("raster", "Upscale a georeferenced raster (GeoTIFF, COG, ...) of any size, tile "
                                              "by tile, keeping its georeference");
  raster->add_option("input", raster_job.input, "Input raster")->required();
  raster->add_option("output", raster_job.output, "Output GeoTIFF (.tif, .tiff)")->required();
  add_raster_options(raster);
  raster->add_flag("--resume", raster_job.resume,
                   "Continue an interrupted run of the same job from its journal (only missing tiles are computed)");
  raster->add_flag("--dry-run", raster_dry_run, "Print the equivalent gst-launch-1.0 line and exit");
  raster->add_option("--progress", g_progress, progress_help)->capture_default_str()->check(
      CLI::IsMember({"auto", "plain", "json"}));

  r4k::restore::BatchJob batch_job;
  std::string shard_text;
  auto* batch = app.add_subcommand("batch", "Upscale every raster matching a glob into a folder: sharded across a "
                                            "cluster, resumable, with a JSON report (exit 3 when some files fail)");
  std::string batch_pattern;
  batch->add_option("pattern", batch_pattern, "Shell glob of inputs, quoted, e.g. 'tiles/*.tif'")->required();
  batch->add_option("output_folder", batch_job.output_folder, "Existing folder for the outputs")->required();
  add_raster_options(batch);
  batch->add_option("--shard", shard_text,
                    "This run's share i/N of the sorted manifest (0-based; default from SLURM_ARRAY_TASK_ID, "
                    "JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX, else 0/1)");
  batch->add_option("-j,--jobs", batch_job.jobs, "Files processed at once")->capture_default_str()->check(
      schema_range("batch.jobs"));
  batch->add_option("--progress", g_progress, progress_help)->capture_default_str()->check(
      CLI::IsMember({"auto", "plain", "json"}));

  // restore4k validate / run / jobs-reference: job files (docs/jobs.md)
  std::filesystem::path job_path;
  std::vector<std::string> job_overrides;
  auto* validate = app.add_subcommand("validate", "Check a job file without running it (exit 2 when invalid)");
  validate->add_option("job", job_path, "Job file (YAML)")->required();
  validate->add_option("--set", job_overrides, "Override a key: --set engine.tile=256 (repeatable)");
  bool run_dry = false;
  auto* run = app.add_subcommand("run", "Run a job file (YAML): a video, raster or batch job");
  run->add_option("job", job_path, "Job file (YAML)")->required();
  run->add_option("--set", job_overrides, "Override a key: --set engine.tile=256 (repeatable)");
  run->add_option("--progress", g_progress, progress_help)->capture_default_str()->check(
      CLI::IsMember({"auto", "plain", "json"}));
  run->add_flag("--dry-run", run_dry, "Print the resolved job and the equivalent gst-launch-1.0 line, run nothing");
  auto* jobs_reference = app.add_subcommand("jobs-reference", "Print the job-file reference (docs/jobs.md)");

  // restore4k models info
  std::string info_model;
  r4k::infer::EngineOptions info_options;
  auto* models = app.add_subcommand("models", "Inspect models");
  models->require_subcommand(1);
  auto* models_info = models->add_subcommand("info", "Scale, channels, range, receptive field, FLOPs, operators");
  models_info->add_option("model", info_model, "Model file or builtin:NAME")->required();
  models_info->add_option("-b,--backend", info_options.backend, "auto (onednn when it runs every operator, else opencv), onednn, opencv or classic")->capture_default_str();

  // restore4k bench
  std::string bench_model;
  r4k::infer::EngineOptions bench_options;
  std::vector<int> bench_tiles{128};
  int bench_batch = 1;
  double bench_seconds = 3.0;
  double peak_seconds = 1.0;
  auto* bench = app.add_subcommand("bench", "Engine throughput: tiles/s, megapixels/s, GFLOPS and share of FMA peak");
  bench->add_option("-m,--model", bench_model, "Model file or builtin:NAME")->required();
  bench->add_option("-t,--tile", bench_tiles, "Tile sizes (input pixels a side), e.g. --tile 64 128 256")
      ->capture_default_str();
  bench->add_option("-b,--backend", bench_options.backend, "auto (onednn when it runs every operator, else opencv), onednn, opencv or classic")->capture_default_str();
  bench->add_option("--batch", bench_batch, "Tiles per engine call")->capture_default_str()->check(schema_range("engine.batch"));
  bench->add_option("--threads", bench_options.threads, "Threads (0 = all cores)")->capture_default_str();
  bench->add_option("--seconds", bench_seconds, "Minimum timed seconds per tile size")->capture_default_str();
  bench->add_option("--peak-seconds", peak_seconds, "Seconds to measure the FMA peak (0 = skip)")
      ->capture_default_str();
  // restore4k eval
  r4k::restore::EvalOptions eval_options;
  std::filesystem::path eval_data = std::filesystem::path(R4K_SOURCE_DIR) / ".." / "shared" / "data" / "sr-bench";
  std::vector<std::string> eval_sets{"Set5", "Set14"};
  auto* eval = app.add_subcommand("eval", "Model quality: Y-PSNR and SSIM on Set5/Set14 through the engine, tiled, "
                                          "against bicubic and published figures");
  eval->add_option("-m,--model", eval_options.model, "Model file or builtin:NAME")->required();
  eval->add_option("--data", eval_data, "Folder holding the sets (img_NNN_SRF_s_HR.png / _LR.png)")
      ->capture_default_str();
  eval->add_option("--sets", eval_sets, "Sets (folders under --data)")->capture_default_str();
  eval->add_option("-t,--tile", eval_options.tile_size, "Tile size (0 = whole image)")->capture_default_str();
  eval->add_option("-b,--backend", eval_options.engine.backend, "auto, onednn, opencv or classic")
      ->capture_default_str();
  eval->add_flag("--film", eval_options.film,
                 "Film-degraded inputs made from the HR images (blur, downscale, grain, JPEG) instead of the sets' LR");
  std::filesystem::path bench_video;
  bench->add_option("--video", bench_video,
                    "Instead: the full video pipeline against the engine alone on this clip's frames (frames/s, "
                    "ratio); --tile is then the upscaler's tile size (0 = automatic)");

  // restore4k sample-image
  std::filesystem::path sample_output;
  int sample_width = 480;
  int sample_height = 270;
  auto* sample = app.add_subcommand("sample-image", "Write a synthetic test chart to try models on");
  sample->add_option("output", sample_output, "Output image (.png, .tif, .jpg)")->required();
  sample->add_option("--width", sample_width, "Width")->capture_default_str()->check(CLI::Range(16, 8192));
  sample->add_option("--height", sample_height, "Height")->capture_default_str()->check(CLI::Range(16, 8192));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  spdlog::set_level(spdlog::level::from_str(log_level));

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  try {
    if (*image) {
      job.halo = parse_halo(halo_text);
      job.chroma_filter = r4k::parse_resample_filter(chroma_filter);
      job.cancel = &g_interrupted;
      const auto result = r4k::restore::upscale_image(job);
      spdlog::info("wrote {} ({}x{}) in {:.2f} s", job.output.string(), result.output_width, result.output_height,
                   result.seconds);
      return kExitOk;
    }
    if (*video && !video_preset.empty()) {
      // A job made of the preset and the options given here, through the job
      // loader (checked like a job file, defaults from the schema).
      std::vector<std::string> overrides = {"input=" + video_job.input.string(),
                                            "output=" + video_job.output.string()};
      const auto given = [&](const char* option) { return video->get_option(option)->count() > 0; };
      const std::pair<const char*, std::string> mapped[] = {
          {"--model", "model=" + video_job.model},
          {"--backend", "engine.backend=" + video_job.engine.backend},
          {"--tile", "engine.tile=" + std::to_string(video_job.tile_size)},
          {"--halo", "engine.halo=" + std::to_string(parse_halo(video_halo))},
          {"--threads", "engine.threads=" + std::to_string(video_job.engine.threads)},
          {"--batch", "engine.batch=" + std::to_string(video_job.batch)},
          {"--encoder", "video.encoder=" + encoder_name},
          {"--decoder", "video.decoder=" + decoder_name},
          {"--fit", "video.fit=" + fit_text},
          {"--fit-mode", "video.fit_mode=" + video_job.fit_mode},
          {"--pad-color", "video.pad_color=" + pad_color_text},
          {"--no-deinterlace", "video.deinterlace=false"},
          {"--deflicker", "video.deflicker=true"},
          {"--deflicker-radius", "video.deflicker_radius=" + std::to_string(video_job.deflicker_radius)},
          {"--dust", "video.dust=true"},
          {"--scratches", "video.scratches=true"},
          {"--denoise", "video.denoise=" + std::to_string(video_job.denoise)},
          {"--colour", "video.colour=" + video_job.colorimetry},
          {"--no-audio", "video.audio=false"},
          {"--no-subtitles", "video.subtitles=false"},
          {"--no-data", "video.data=false"},
          {"--monochrome", "video.monochrome=true"},
      };
      for (const auto& [option, value] : mapped) {
        if (given(option)) overrides.push_back(value);
      }
      const auto loaded = r4k::config::load_job_text("kind: video\nextends: " + video_preset + "\n",
                                                     std::filesystem::current_path() / ("--preset " + video_preset),
                                                     true, overrides);
      for (const auto& diagnostic : loaded.diagnostics) std::cerr << diagnostic.to_string() << "\n";
      if (!loaded.ok()) return kExitBadInput;
      auto preset_job = r4k::restore::video_job_from(*loaded.job);
      preset_job.cancel = &g_interrupted;
      preset_job.abort = &g_abort;
      if (dry_run) return print_video_plan(r4k::restore::plan_video(preset_job, preset_job.output));
      return run_video(preset_job);
    }
    if (*video) {
      video_job.halo = parse_halo(video_halo);
      video_job.deinterlace = !no_deinterlace;
      video_job.audio = !no_audio;
      video_job.subtitles = !no_subtitles;
      video_job.data = !no_data;
      video_job.encoder = r4k::restore::parse_video_encoder(encoder_name);
      video_job.decoder = r4k::decode::parse_decoder_preference(decoder_name);
      std::tie(video_job.fit_width, video_job.fit_height) = r4k::restore::parse_frame_size(fit_text);
      video_job.pad_color = r4k::restore::parse_rgb_color(pad_color_text);
      video_job.cancel = &g_interrupted;
      video_job.abort = &g_abort;
      if (dry_run) return print_video_plan(r4k::restore::plan_video(video_job, video_job.output));
      return run_video(video_job);
    }
    if (*raster || *batch) {
      raster_job.halo = parse_halo(raster_halo);
      raster_job.format = r4k::decode::parse_raster_format(raster_format);
      raster_job.other_bands = r4k::decode::parse_other_bands(other_bands_text);
    }
    if (*raster) {
      raster_job.cancel = &g_interrupted;
      raster_job.abort = &g_abort;
      if (raster_dry_run) {
        r4k::restore::check_raster_job(raster_job);
        std::cout << r4k::pipeline::gst_launch_line(r4k::restore::raster_pipeline(raster_job)) << "\n";
        return kExitOk;
      }
      return run_raster(raster_job);
    }
    if (*batch) {
      batch_job.item = raster_job;
      batch_job.inputs = {batch_pattern};
      batch_job.cancel = &g_interrupted;
      batch_job.abort = &g_abort;
      if (!shard_text.empty()) {
        batch_job.shard = r4k::restore::parse_shard(shard_text);
      } else if (const auto shard = r4k::restore::shard_from_environment()) {
        batch_job.shard = *shard;
      }
      return run_batch(batch_job);
    }
    if (*jobs_reference) {
      std::cout << r4k::config::jobs_reference_markdown();
      return kExitOk;
    }
    if (*validate || *run) {
      const auto loaded = r4k::config::load_job(job_path, true, job_overrides);
      for (const auto& diagnostic : loaded.diagnostics) std::cerr << diagnostic.to_string() << "\n";
      if (!loaded.ok()) {
        spdlog::error("{}: {} problem(s); nothing was run", job_path.string(), loaded.diagnostics.size());
        return kExitBadInput;
      }
      const auto& job_file = *loaded.job;
      if (*validate) {
        spdlog::info("{}: a valid {} job", job_path.string(), job_file.kind);
        return kExitOk;
      }
      if (run_dry) {
        std::cout << "# resolved job\n" << job_file.to_yaml() << "# equivalent pipeline\n"
                  << r4k::restore::job_launch_line(job_file) << "\n";
        return kExitOk;
      }
      int code = kExitFailure;
      if (job_file.kind == "video") {
        auto video_job_from_file = r4k::restore::video_job_from(job_file);
        video_job_from_file.cancel = &g_interrupted;
        video_job_from_file.abort = &g_abort;
        code = run_video(video_job_from_file);
      } else if (job_file.kind == "raster") {
        auto raster_job_from_file = r4k::restore::raster_job_from(job_file);
        raster_job_from_file.cancel = &g_interrupted;
        raster_job_from_file.abort = &g_abort;
        code = run_raster(raster_job_from_file);
      } else {
        auto batch_job_from_file = r4k::restore::batch_job_from(job_file);
        batch_job_from_file.cancel = &g_interrupted;
        batch_job_from_file.abort = &g_abort;
        code = run_batch(batch_job_from_file);
      }
      if (code == kExitOk || code == kExitSomeFailed) {
        r4k::restore::write_job_record(job_file);
        spdlog::info("job record: {}", r4k::restore::job_record_path(job_file).string());
      }
      return code;
    }
    if (*eval) {
      std::vector<r4k::restore::SetScore> scores;
      for (const std::string& set : eval_sets) {
        spdlog::info("evaluating {} on {}", eval_options.model, (eval_data / set).string());
        scores.push_back(r4k::restore::evaluate_set(eval_data / set, eval_options));
      }
      std::cout << r4k::restore::evaluation_table(scores, eval_options.model, eval_options.film);
      return kExitOk;
    }
    if (*models_info) return run_models_info(info_model, info_options);
    if (*bench && !bench_video.empty()) {
      r4k::restore::VideoJob bench_job;
      bench_job.input = bench_video;
      bench_job.model = bench_model;
      bench_job.engine = bench_options;
      bench_job.batch = bench_batch;
      bench_job.tile_size = bench->get_option("--tile")->count() > 0 ? bench_tiles.front() : 0;
      const std::filesystem::path folder = std::filesystem::temp_directory_path() /
                                           ("r4k-bench-" + std::to_string(::getpid()));
      std::filesystem::create_directories(folder);
      bench_job.output = folder / "pipeline.mkv";
      const auto result = r4k::restore::benchmark_video(bench_job);
      std::filesystem::remove_all(folder);
      std::printf("%s, %llu frames, model %s\n", bench_video.c_str(), static_cast<unsigned long long>(result.frames),
                  bench_model.c_str());
      std::printf("engine alone:   %8.3f frames/s\n", result.engine_fps);
      std::printf("full pipeline:  %8.3f frames/s\n", result.pipeline_fps);
      std::printf("ratio:          %8.3f\n", result.ratio());
      return kExitOk;
    }
    if (*bench) return run_bench(bench_model, bench_options, bench_tiles, bench_batch, bench_seconds, peak_seconds);
    if (*sample) {
      r4k::restore::check_image_output_path(sample_output, {});
      r4k::restore::write_image_atomically(sample_output, r4k::restore::make_sample_image(sample_width, sample_height));
      spdlog::info("wrote {} ({}x{})", sample_output.string(), sample_width, sample_height);
      return kExitOk;
    }
  } catch (const r4k::Interrupted&) {
    spdlog::error("interrupted; no output written");
    return kExitInterrupted;
  } catch (const r4k::InputError& error) {
    spdlog::error("{}", error.what());
    return kExitBadInput;
  } catch (const std::exception& error) {
    spdlog::error("{}", error.what());
    return kExitFailure;
  }
  return kExitFailure;
}
