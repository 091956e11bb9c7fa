#include "restore_4k/image_upscale.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

#include "config/settings.hpp"
#include "decode/image_reader.hpp"
#include "infer/frame_upscaler.hpp"
#include "core/error.hpp"
#include "preprocess/image_frame.hpp"
#include "preprocess/tile_plan.hpp"
#include "encode/image_writer.hpp"
#include "restore_4k/algorithm_record.hpp"

namespace r4k::restore {

void check_image_job(const ImageJob& job) {
  encode::check_image_output_path(job.output, job.input);
  decode::read_image(job.input);              // throws InputError naming the file
  try {
    infer::load_model(job.model, job.engine);  // the model exists and loads
  } catch (const Error& error) {
    throw_if_pin_refused(error, job.engine.autotune.pinned, job.pins_origin);
    throw;
  }
}

ImageJobResult upscale_image(const ImageJob& job) {
  const auto start = std::chrono::steady_clock::now();
  encode::check_image_output_path(job.output, job.input);
  const cv::Mat image = decode::read_image(job.input);
  std::unique_ptr<infer::Engine> engine;
  try {
    engine = infer::load_model(job.model, job.engine);
  } catch (const Error& error) {
    throw_if_pin_refused(error, job.engine.autotune.pinned, job.pins_origin);
    throw;
  }
  const infer::ModelInfo& info = engine->info();

  infer::UpscaleOptions options;
  options.tile_size = job.tile_size;
  options.halo = job.halo;
  options.chroma_filter = job.chroma_filter;
  options.run.batch = job.batch;
  options.run.cancel = job.cancel;
  auto last_report = std::chrono::steady_clock::now();
  options.run.progress = [&last_report](int done, int total) {
    const auto now = std::chrono::steady_clock::now();
    if (done == total || now - last_report > std::chrono::seconds(2)) {
      spdlog::info("tiles {}/{}", done, total);
      last_report = now;
    } else {
      spdlog::debug("tiles {}/{}", done, total);
    }
  };
  infer::FrameUpscaler upscaler(*engine, options);

  ImageJobResult result;
  result.width = image.cols;
  result.height = image.rows;
  result.tiling = upscaler.tiling_for(image.cols, image.rows);
  result.tiles = static_cast<int>(
      TilePlan(image.cols, image.rows, result.tiling.tile_size, result.tiling.halo).tiles().size());
  result.backend = engine->backend();
  spdlog::info("{}: {}x{} {}-bit, {} channel(s); model {} (x{}, {}), {} tile(s) of {} with halo {}{}",
               job.input.string(), image.cols, image.rows, image.depth() == CV_8U ? 8 : image.depth() == CV_16U ? 16 : 32,
               image.channels(), info.name, info.scale, result.backend, result.tiles,
               result.tiling.tile_size == 0 ? std::string("the whole image") : std::to_string(result.tiling.tile_size),
               result.tiling.halo, result.tiling.exact ? " (exact)" : " (blended)");

  Frame upscaled;
  try {
    upscaled = upscaler.upscale(frame_from_image(image));
  } catch (const Error& error) {
    throw_if_pin_refused(error, job.engine.autotune.pinned, job.pins_origin);
    throw;
  }
  result.algorithms = merged_algorithms(
      ran_algorithms(settings::algorithms_text(engine->algorithm_choices(), ';')), job.engine.autotune.pinned);
  int depth = image.depth();
  if (depth != CV_8U && !encode::format_keeps_16_bit(job.output)) {
    spdlog::warn("{} stores 8-bit samples only; the {}-bit result is reduced to 8 bits", job.output.string(),
                 depth == CV_16U ? 16 : 32);
    depth = CV_8U;
  }
  const cv::Mat out = image_from_frame(upscaled, depth);
  encode::write_image_atomically(job.output, out);
  result.output_width = out.cols;
  result.output_height = out.rows;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace r4k::restore
