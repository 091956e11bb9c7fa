// Pipeline against engine: does the GStreamer pipeline keep the engine busy?
// Decodes a clip's frames once, times the per-frame work r4ksuperres does
// (unpack, FrameUpscaler, pack) on them with no pipeline around it, then
// times the full `restore4k video` pipeline (decode -> queue -> r4ksuperres ->
// queue -> encode -> mux) on the same clip, in the same run.
#pragma once

#include "restore_4k/video_upscale.hpp"

namespace r4k::restore {

struct VideoBenchmarkResult {
  std::uint64_t frames = 0;
  double engine_fps = 0.0;
  double pipeline_fps = 0.0;
  double ratio() const { return engine_fps > 0 ? pipeline_fps / engine_fps : 0.0; }
};

// `job.output` receives the pipeline's file (a temporary is fine).
VideoBenchmarkResult benchmark_video(const VideoJob& job);

}  // namespace r4k::restore
