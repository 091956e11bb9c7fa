// MediaWriter: writes a restored video file with FFmpeg's muxers. The new
// picture comes in as encoded packets (from the GStreamer encoder); every
// other stream of the input (audio, subtitles, attached files) is copied
// from the input file packet for packet, or converted losslessly where the
// StreamCarriage plan says so, together with the input's chapters, global
// tags, stream languages, titles, default/forced flags, rotation and
// timecode.
//
// GStreamer 1.22's own muxers lose much of that (matroskamux writes no
// default/forced flags or attachments, quotes tag values and rounds the
// display size; qtdemux drops an AAC track's priming and last packets and
// short tracks; qtmux and mp4mux write no rotation), hence this writer.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "decode/stream_carriage.hpp"

namespace r4k::encode {

// The encoded picture stream.
struct VideoStreamFormat {
  std::string codec;  // ffv1, prores or h264
  int width = 0;
  int height = 0;
  int sar_num = 1;
  int sar_den = 1;
  int rate_num = 0;  // frame rate (0 = unknown)
  int rate_den = 1;
  std::vector<std::uint8_t> extradata;
  std::string prores_variant;  // GStreamer's: standard, hq, lt, proxy, 4444, 4444xq
  bool interlaced = false;
  bool top_field_first = true;
};

// The picture's colour tags as ISO/IEC 23001-8 codes (FFmpeg's enums: 2 =
// unspecified; range 0 unspecified, 1 tv, 2 pc) and chroma siting.
struct ColourTags {
  int matrix = 2;
  int primaries = 2;
  int transfer = 2;
  int range = 0;
  int chroma_location = 0;  // FFmpeg's AVChromaLocation (0 = unspecified)
};

struct MediaWriterOptions {
  std::filesystem::path output;  // its extension picks the container (.mkv, .mov, .mp4)
  std::filesystem::path source;  // the input whose other streams and metadata are carried
  int source_video = -1;         // the input's video stream (its language, title, flags, rotation, timecode)
  std::vector<decode::StreamDecision> streams;  // from plan_carriage
  // How the picture's times map onto the input's: the stream time (ns) the
  // picture's demuxer gave the `video_first_index`-th packet of the input's
  // video stream. Unknown (-1): the first picture written is taken to be the
  // input's first picture.
  long long video_first_time = -1;
  int video_first_index = 0;
  ColourTags colour;
  // What made the file (r4krestore's provenance): Matroska tag RESTORE4K, or
  // the encoding-tool tag of MOV/MP4.
  std::string provenance;
  // What the job assumed about an input that did not say (e.g. "matrix
  // bt601"): Matroska tag RESTORE4K_ASSUMED, or in the encoding-tool tag.
  std::string assumed;
  // The job's result stamp (restore_4k/result_stamp.hpp): Matroska tag
  // RESTORE4K_JOB, or "/job:STAMP" in the encoding-tool tag.
  std::string job_stamp;
  // false: a film segment, written alone: the input's other streams are not
  // read (nor its pictures counted); the join carries them.
  bool read_source_streams = true;
};

class MediaWriter {
 public:
  // Opens the input and the output and writes the header. Throws InputError
  // naming the file when the input cannot be read, Error otherwise.
  MediaWriter(MediaWriterOptions options, VideoStreamFormat video);
  ~MediaWriter();
  MediaWriter(const MediaWriter&) = delete;
  MediaWriter& operator=(const MediaWriter&) = delete;

  // One encoded picture, its times in nanoseconds of the picture's stream
  // time (see video_first_time). The other streams are written up to this
  // time first.
  void write_video(const std::uint8_t* data, std::size_t size, std::int64_t pts_ns,
                   std::optional<std::int64_t> dts_ns, std::int64_t duration_ns, bool keyframe);
  // The rest of the other streams (all of them, or with `stop_at_video_end`
  // those that start before the last picture ends: an interrupted job), then
  // the trailer, and `input_status` ("complete", "ended after N of M
  // frames", ...: whether the input gave all it should) as the tag
  // RESTORE4K_INPUT (Matroska) or in the encoding-tool tag (MOV, MP4). The
  // file is complete when this returns.
  void finish(bool stop_at_video_end, const std::string& input_status);
  // The same, the status decided once the rest of the input has been read
  // (source_video_packets() is then the input's whole count).
  void finish(bool stop_at_video_end, const std::function<std::string()>& input_status);

  std::int64_t video_packets() const;
  // The input video's pictures read so far (non-empty packets; all of them
  // once finish() has read the rest of the input).
  std::int64_t source_video_packets() const;
  // Problems reading the input's other streams (a damaged file), in order.
  std::vector<std::string> damage() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace r4k::encode
