// FFmpeg's log, routed: warnings that FFmpeg gives while a reader of
// restore4k reads an input ("File ended prematurely") are that input's damage
// reports, collected for the job; everything else FFmpeg says at error level
// still reaches stderr, and the rest is dropped.
#pragma once

#include <string>
#include <vector>

namespace r4k::decode {

// Installs the routing (again: GStreamer's libav plugin installs its own when
// it loads): FFmpeg then prints only the errors of demuxers and muxers that
// no watch is watching.
void quiet_ffmpeg_log();

// While it lives, FFmpeg's warnings about the AVFormatContext `context` are
// collected (thread-safe; any number of watches at once).
class FfmpegLogWatch {
 public:
  explicit FfmpegLogWatch(const void* context);
  ~FfmpegLogWatch();
  FfmpegLogWatch(const FfmpegLogWatch&) = delete;
  FfmpegLogWatch& operator=(const FfmpegLogWatch&) = delete;

  std::vector<std::string> messages() const;
  // Those of the messages that tell of a damaged input ("File ended
  // prematurely", "corrupt", "truncated", "invalid data", read errors), not
  // of its ordinary oddities (a stream whose codec FFmpeg does not know).
  std::vector<std::string> damage() const;

 private:
  const void* context_;
};

}  // namespace r4k::decode
