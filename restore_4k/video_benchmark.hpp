// The film chain against what the engine and the encoder allow: does the
// pipeline keep the cores on the network? `restore4k bench --video CLIP
// [--preset film-4k]` measures, in one run and on the clip's own frames:
//  1. the engine alone: r4ksuperres' upscaler on the decoded frames, nothing
//     around it (CPU seconds per frame);
//  2. the chain without encoding: the job's pipeline up to the encoder, its
//     frames stored raw (with their caps) for step 3;
//  3. the encoder alone on those frames (CPU seconds per frame);
//  4. the full job, with each streaming thread's CPU time attributed to the
//     stage it runs (pipeline/stage_threads.hpp) and the peak memory.
// ratio = the job's frames/s / the frames/s that the engine and the encoder
// alone allow on the machine's cores: cores / (engine + encoder CPU s/frame).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "restore_4k/video_upscale.hpp"

namespace r4k::restore {

struct StageCpu {
  std::string stage;     // the elements a thread ran, or "other threads (NAME)"
  double seconds = 0.0;  // CPU seconds in the full job
};

struct VideoBenchmarkResult {
  std::uint64_t frames = 0;
  int cores = 1;
  double engine_cpu_per_frame = 0.0;  // CPU seconds
  double engine_fps = 0.0;
  double encoder_cpu_per_frame = 0.0;
  double chain_fps = 0.0;  // without encoding
  double chain_cpu_per_frame = 0.0;
  double job_fps = 0.0;
  double job_cpu_per_frame = 0.0;
  std::uint64_t job_peak_memory = 0;  // bytes
  std::vector<StageCpu> job_stages;   // most first

  // Frames/s the engine and the encoder alone allow on `cores`.
  double allowed_fps() const;
  double ratio() const { return allowed_fps() > 0 ? job_fps / allowed_fps() : 0.0; }
};

// `job.output` is where the job's file goes (a temporary folder: the raw
// frames of step 2 are written beside it and removed).
VideoBenchmarkResult benchmark_video(const VideoJob& job);

}  // namespace r4k::restore
