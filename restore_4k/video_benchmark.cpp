#include "restore_4k/video_benchmark.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "core/process_usage.hpp"
#include "infer/frame_upscaler.hpp"
#include "preprocess/raw_video.hpp"

namespace r4k::restore {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The clip's frames as I420, in memory (the engine's input; decoded once).
std::vector<std::vector<std::uint8_t>> decoded_frames(const VideoJob& job, int width, int height) {
  const std::filesystem::path raw = job.output.parent_path() / (job.output.stem().string() + ".i420");
  pipeline::run_pipeline({"filesrc", "location=" + job.input.string(), "!", "decodebin", "!", "videoconvert", "!",
                          "video/x-raw,format=I420", "!", "filesink", "location=" + raw.string()},
                         {});
  const std::size_t frame_bytes = static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3 / 2;
  std::ifstream stream(raw, std::ios::binary);
  std::vector<std::vector<std::uint8_t>> frames;
  for (std::vector<std::uint8_t> frame(frame_bytes);
       stream.read(reinterpret_cast<char*>(frame.data()), static_cast<std::streamsize>(frame_bytes));) {
    frames.push_back(frame);
  }
  stream.close();
  std::filesystem::remove(raw);
  if (frames.empty()) throw InputError("no frames decoded from '" + job.input.string() + "'");
  return frames;
}

RawFrame i420(std::uint8_t* data, int w, int h) {
  RawFrame raw;
  raw.format = RawFormat::i420;
  raw.width = w;
  raw.height = h;
  const std::size_t luma = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
  raw.planes[0] = {data, w};
  raw.planes[1] = {data + luma, w / 2};
  raw.planes[2] = {data + luma + luma / 4, w / 2};
  return raw;
}

// CPU seconds per frame of the upscaler alone (unpacking is the element's, not timed).
double engine_cpu_per_frame(const VideoJob& job, std::vector<std::vector<std::uint8_t>>& frames, int width,
                            int height, double& fps) {
  auto engine = infer::load_model(job.model, job.engine);
  infer::UpscaleOptions options;
  options.tile_size = job.tile_size;
  options.halo = job.halo;
  options.run.batch = job.batch;
  infer::FrameUpscaler upscaler(*engine, options);
  const YcbcrSpace space{height > 576 ? YcbcrMatrix::bt709 : YcbcrMatrix::bt601, YcbcrRange::limited, 8};
  double cpu = 0.0, wall = 0.0;
  for (auto& frame : frames) {
    const Frame unpacked = unpack(i420(frame.data(), width, height), space);
    const double cpu_start = process_cpu_seconds();
    const auto start = Clock::now();
    const Frame upscaled = upscaler.upscale(unpacked);
    wall += seconds_since(start);
    cpu += process_cpu_seconds() - cpu_start;
  }
  fps = static_cast<double>(frames.size()) / wall;
  return cpu / static_cast<double>(frames.size());
}

struct Run {
  pipeline::PipelineResult result;
  double cpu = 0.0;
};

Run run_timed(const pipeline::PipelineArguments& arguments, pipeline::PipelineRunOptions options) {
  const double cpu_start = process_cpu_seconds();
  Run run;
  run.result = pipeline::run_pipeline(arguments, options);
  run.cpu = process_cpu_seconds() - cpu_start;
  return run;
}

}  // namespace

double VideoBenchmarkResult::allowed_fps() const {
  const double per_frame = engine_cpu_per_frame + encoder_cpu_per_frame;
  return per_frame > 0 ? static_cast<double>(cores) / per_frame : 0.0;
}

VideoBenchmarkResult benchmark_video(const VideoJob& job) {
  const decode::MediaInfo media = decode::probe_media(job.input);
  if (media.video.empty()) throw InputError("input '" + job.input.string() + "' has no video stream");
  const int width = media.video.front().width;
  const int height = media.video.front().height;
  if (width % 2 || height % 2) throw InputError("the benchmark clip needs even width and height");

  VideoBenchmarkResult result;
  result.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  const VideoPlan plan = plan_video(job, job.output);
  const auto& a = plan.arguments;
  const auto begin = a.begin();
  const std::filesystem::path frames_file = job.output.parent_path() / (job.output.stem().string() + ".gdp");
  struct Remove {
    std::filesystem::path path;
    ~Remove() {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  } remove_frames{frames_file};

  pipeline::PipelineRunOptions counted;
  counted.count_element = plan.count_element;

  // 1. The full job first, its threads sampled: its peak memory is then its own
  // (later phases would leave memory the process keeps).
  reset_peak_memory();
  pipeline::PipelineRunOptions full = counted;
  full.map_stage_threads = true;
  ThreadCpuSampler sampler;
  const Run job_run = run_timed(a, full);
  sampler.stop();
  result.job_peak_memory = peak_memory_bytes();
  const auto job_frames = static_cast<double>(std::max<std::uint64_t>(1, job_run.result.frames));
  result.job_fps = job_frames / job_run.result.seconds;
  result.job_cpu_per_frame = job_run.cpu / job_frames;

  // 2. The engine alone.
  {
    auto frames = decoded_frames(job, width, height);
    result.frames = frames.size();
    result.engine_cpu_per_frame = engine_cpu_per_frame(job, frames, width, height, result.engine_fps);
  }

  // 3. The chain without encoding: its frames, caps and times kept (gdppay) for the encoder.
  pipeline::PipelineArguments chain(begin, begin + static_cast<std::ptrdiff_t>(plan.encode_start));
  chain.insert(chain.end(), {"gdppay", "!", "filesink", "location=" + frames_file.string()});
  const Run chain_run = run_timed(chain, counted);
  const auto chain_frames = static_cast<double>(std::max<std::uint64_t>(1, chain_run.result.frames));
  result.chain_fps = chain_frames / chain_run.result.seconds;
  result.chain_cpu_per_frame = chain_run.cpu / chain_frames;

  // 4. The encoder alone on those frames.
  pipeline::PipelineArguments encoder{"filesrc", "location=" + frames_file.string(), "!", "gdpdepay", "!"};
  encoder.insert(encoder.end(), begin + static_cast<std::ptrdiff_t>(plan.encode_start),
                 begin + static_cast<std::ptrdiff_t>(plan.encode_end));
  encoder.push_back("fakesink");
  const Run encoder_run = run_timed(encoder, {});
  result.encoder_cpu_per_frame = encoder_run.cpu / chain_frames;

  if (job_run.result.frames != result.frames || chain_run.result.frames != result.frames) {
    spdlog::warn("frames: engine {}, chain {}, job {} (a deinterlacer or a frame range changes the count)",
                 result.frames, chain_run.result.frames, job_run.result.frames);
  }
  std::map<std::string, double> by_stage;
  for (const auto& [name, seconds] : sampler.seconds_by_name()) {
    const auto stage = job_run.result.stage_threads.find(name);
    by_stage[stage != job_run.result.stage_threads.end() ? stage->second : "other threads (" + name + ")"] += seconds;
  }
  for (const auto& [stage, seconds] : by_stage) {
    if (seconds > 0) result.job_stages.push_back({stage, seconds});
  }
  std::sort(result.job_stages.begin(), result.job_stages.end(),
            [](const StageCpu& x, const StageCpu& y) { return x.seconds > y.seconds; });
  return result;
}

}  // namespace r4k::restore
