#include "restore_4k/video_benchmark.hpp"

#include <chrono>
#include <fstream>
#include <vector>

#include <spdlog/spdlog.h>

#include "infer/frame_upscaler.hpp"
#include "core/error.hpp"
#include "preprocess/raw_video.hpp"
#include "encode/output_file.hpp"

namespace r4k::restore {

VideoBenchmarkResult benchmark_video(const VideoJob& job) {
  const decode::MediaInfo media = decode::probe_media(job.input);
  if (media.video.empty()) throw InputError("input '" + job.input.string() + "' has no video stream");
  const int width = media.video.front().width;
  const int height = media.video.front().height;
  if (width % 2 || height % 2) throw InputError("the benchmark clip needs even width and height");

  // 1. The decoded frames, as I420, in memory.
  encode::OutputFile raw_file(job.output.parent_path() / (job.output.stem().string() + ".i420"));
  pipeline::run_pipeline({"filesrc", "location=" + job.input.string(), "!", "decodebin", "!", "videoconvert", "!",
                          "video/x-raw,format=I420", "!", "filesink", "location=" + raw_file.temporary().string()},
                         {});
  const std::size_t frame_bytes = static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3 / 2;
  std::ifstream stream(raw_file.temporary(), std::ios::binary);
  std::vector<std::vector<std::uint8_t>> frames;
  for (std::vector<std::uint8_t> frame(frame_bytes);
       stream.read(reinterpret_cast<char*>(frame.data()), static_cast<std::streamsize>(frame_bytes));) {
    frames.push_back(frame);
  }
  if (frames.empty()) throw InputError("no frames decoded from '" + job.input.string() + "'");

  // 2. The engine alone: the element's per-frame work, nothing around it.
  auto engine = infer::load_model(job.model, job.engine);
  const int scale = engine->info().scale;
  infer::UpscaleOptions options;
  options.tile_size = job.tile_size;
  options.halo = job.halo;
  options.run.batch = job.batch;
  infer::FrameUpscaler upscaler(*engine, options);
  const YcbcrSpace space{height > 576 ? YcbcrMatrix::bt709 : YcbcrMatrix::bt601, YcbcrRange::limited, 8};
  std::vector<std::uint8_t> out(frame_bytes * static_cast<std::size_t>(scale * scale));
  const auto i420 = [](std::uint8_t* data, int w, int h) {
    RawFrame raw;
    raw.format = RawFormat::i420;
    raw.width = w;
    raw.height = h;
    const std::size_t luma = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
    raw.planes[0] = {data, w};
    raw.planes[1] = {data + luma, w / 2};
    raw.planes[2] = {data + luma + luma / 4, w / 2};
    return raw;
  };
  const auto engine_start = std::chrono::steady_clock::now();
  for (auto& frame : frames) {
    const Frame unpacked = unpack(i420(frame.data(), width, height), space);
    const Frame upscaled = upscaler.upscale(unpacked);
    RawFrame target = i420(out.data(), width * scale, height * scale);
    pack(upscaled, target);
  }
  const double engine_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - engine_start).count();

  // 3. The full pipeline on the same clip.
  const VideoResult pipeline = upscale_video(job);

  VideoBenchmarkResult result;
  result.frames = frames.size();
  result.engine_fps = static_cast<double>(frames.size()) / engine_seconds;
  result.pipeline_fps = static_cast<double>(pipeline.frames) / pipeline.seconds;
  if (pipeline.frames != frames.size()) {
    spdlog::warn("the pipeline processed {} frames, the engine {}", pipeline.frames, frames.size());
  }
  return result;
}

}  // namespace r4k::restore
