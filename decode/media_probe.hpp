// Media probing through FFmpeg's libavformat: what a video file holds, for
// planning the pipeline (demuxer, decoder, which streams to carry over) and
// for progress (frame count).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace r4k::decode {

struct VideoStreamInfo {
  int index = -1;              // stream index in the file
  std::string codec;           // FFmpeg codec name: h264, hevc, mpeg2video, ffv1, prores, ...
  int width = 0;
  int height = 0;
  std::string pixel_format;    // FFmpeg name: yuv420p, yuv420p10le, ...
  int sample_bits = 0;         // bits of its first component (8, 10, 12, 16); 0 = not known
  int frame_rate_num = 0;      // average frame rate
  int frame_rate_den = 1;
  std::int64_t frame_count = 0;  // from the container, else duration x rate (0 = unknown)
  int sar_num = 1;             // sample (pixel) aspect ratio
  int sar_den = 1;
  std::string colour_space;    // bt709, smpte170m, bt2020nc, ... ("" = unspecified)
  std::string colour_range;    // tv, pc
  std::string colour_primaries;
  std::string colour_transfer;
  // The same as ISO/IEC 23001-8 codes (FFmpeg's enums; 2 = unspecified) and
  // the range (0 unspecified, 1 tv, 2 pc).
  int matrix_code = 2;
  int primaries_code = 2;
  int transfer_code = 2;
  int range_code = 0;
  std::string chroma_location;  // left, center, topleft, ... ("" = unspecified)
  int chroma_location_code = 0;  // FFmpeg's AVChromaLocation (0 = unspecified)
  // Where frame_count comes from: the container's index or count (exact),
  // the track's own span (Matroska's DURATION tag: within a frame), or the
  // whole file's duration (an estimate: audio may run longer).
  enum class CountSource { index, track_span, file_duration, none };
  CountSource frame_count_source = CountSource::none;
  std::string field_order;     // progressive, tt, bb, tb, bt, unknown
  int rotation = 0;            // degrees clockwise the display matrix turns the picture (0, 90, 180, 270)
  bool mirrored = false;       // the display matrix also flips it
  std::string codec_tag;       // the container's fourcc ("apch", "ap4h", ...) or ""
  std::string profile;         // FFmpeg's profile name ("4444", "High 10", ...) or ""
  std::string language;
  std::string title;
  bool interlaced() const { return field_order == "tt" || field_order == "bb" || field_order == "tb" || field_order == "bt"; }
};

struct OtherStreamInfo {
  int index = -1;
  std::string type;   // audio, subtitle, data, attachment
  std::string codec;
  int sample_rate = 0;  // audio
  int channels = 0;     // audio
  int bits = 0;         // audio: bits per sample (PCM), 0 = not known
  std::string codec_tag;  // the container's fourcc or ""
  std::string language;  // ISO 639-2 from the stream's tags ("" = none)
  std::string title;
  bool default_stream = false;
  bool forced = false;
  std::string filename;  // attachments
  bool chapters = false;  // a QuickTime chapter track (its text is the file's chapters)
};

struct MediaInfo {
  std::filesystem::path path;
  std::string container;      // FFmpeg's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"
  double duration_seconds = 0.0;
  std::vector<VideoStreamInfo> video;
  std::vector<OtherStreamInfo> audio;
  std::vector<OtherStreamInfo> subtitles;
  std::vector<OtherStreamInfo> data;         // timecode tracks, navigation packets, KLV, ...
  std::vector<OtherStreamInfo> attachments;  // fonts and files in Matroska
  // Video streams carried as they are: a second video stream, cover art
  // (type "video" or "cover art").
  std::vector<OtherStreamInfo> other_video;
  int chapters = 0;
  std::vector<std::pair<std::string, std::string>> tags;  // the container's global tags
  std::string timecode;  // the start timecode ("" = none), from the container or a timecode track
};

// Throws InputError naming the file when it does not exist, cannot be read,
// or is not a media file FFmpeg understands.
MediaInfo probe_media(const std::filesystem::path& path);

}  // namespace r4k::decode
