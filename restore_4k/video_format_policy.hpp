// Which pixel format a video is restored in and which one each encoder is
// given: the input's own wherever the decoder, restore4k's elements and the
// encoder can hold it, a lossless repacking where only the layout differs
// (FFV1 stores 8-bit planar RGB as BGRx), a named widening where the encoder
// needs one (ProRes is 10-bit 4:2:2 or 4:4:4), and a refusal, before any
// work, naming the format and why, where something would be lost (12-bit
// into ProRes, alpha into H.264, a format GStreamer 1.22's decoders cannot
// give).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "decode/media_probe.hpp"

namespace r4k::restore {

enum class VideoEncoder;

struct VideoFormatPlan {
  std::string processing;     // GStreamer format the restoration works in
  std::string encoder_input;  // GStreamer format the encoder is given
  std::string prores_profile;  // hq or 4444 (ProRes only)
  bool rgb = false;           // R'G'B' samples (no Y'CbCr matrix)
  std::vector<std::string> notices;  // format changes the encoder needs, said before the work
};

// Throws InputError naming the input and its pixel format when it cannot be
// kept with `encoder`.
VideoFormatPlan plan_video_format(const decode::VideoStreamInfo& video, VideoEncoder encoder,
                                  const std::filesystem::path& input);

}  // namespace r4k::restore
