// Media probing through FFmpeg's libavformat: what a video file holds, for
// planning the pipeline (demuxer, decoder, which streams to carry over) and
// for progress (frame count).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace r4k::decode {

struct VideoStreamInfo {
  int index = -1;              // stream index in the file
  std::string codec;           // FFmpeg codec name: h264, hevc, mpeg2video, ffv1, prores, ...
  int width = 0;
  int height = 0;
  std::string pixel_format;    // FFmpeg name: yuv420p, yuv420p10le, ...
  int frame_rate_num = 0;      // average frame rate
  int frame_rate_den = 1;
  std::int64_t frame_count = 0;  // from the container, else duration x rate (0 = unknown)
  int sar_num = 1;             // sample (pixel) aspect ratio
  int sar_den = 1;
  std::string colour_space;    // bt709, smpte170m, bt2020nc, ... ("" = unspecified)
  std::string colour_range;    // tv, pc
  std::string colour_primaries;
  std::string colour_transfer;
  std::string field_order;     // progressive, tt, bb, tb, bt, unknown
  bool interlaced() const { return field_order == "tt" || field_order == "bb" || field_order == "tb" || field_order == "bt"; }
};

struct OtherStreamInfo {
  int index = -1;
  std::string type;   // audio, subtitle, data, attachment
  std::string codec;
  int sample_rate = 0;  // audio
  int channels = 0;     // audio
};

struct MediaInfo {
  std::filesystem::path path;
  std::string container;      // FFmpeg's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"
  double duration_seconds = 0.0;
  std::vector<VideoStreamInfo> video;
  std::vector<OtherStreamInfo> audio;
  std::vector<OtherStreamInfo> subtitles;
};

// Throws InputError naming the file when it does not exist, cannot be read,
// or is not a media file FFmpeg understands.
MediaInfo probe_media(const std::filesystem::path& path);

}  // namespace r4k::decode
