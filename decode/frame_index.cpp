#include "decode/frame_index.hpp"

extern "C" {
#include <libavformat/avformat.h>
}

#include <algorithm>
#include <cmath>
#include <memory>

#include "core/error.hpp"
#include "decode/ffmpeg_log.hpp"

namespace r4k::decode {
namespace {

// Whether an H.264 or HEVC access unit holds an IDR picture (its decoder
// forgets everything before it; an I picture alone does not make it so).
// `length_size` 0: Annex B start codes; else the NAL length field's size.
bool holds_idr(const AVPacket* packet, AVCodecID codec, int length_size) {
  const std::uint8_t* p = packet->data;
  const std::uint8_t* end = p + packet->size;
  const auto is_idr = [codec](std::uint8_t header) {
    if (codec == AV_CODEC_ID_H264) return (header & 0x1f) == 5;
    const int type = (header >> 1) & 0x3f;
    return type == 19 || type == 20;  // IDR_W_RADL, IDR_N_LP
  };
  while (p < end) {
    std::size_t size = 0;
    if (length_size > 0) {
      if (end - p < length_size) return false;
      for (int i = 0; i < length_size; ++i) size = (size << 8) | p[i];
      p += length_size;
    } else {
      // The next start code, then the NAL up to the one after.
      while (end - p >= 3 && !(p[0] == 0 && p[1] == 0 && p[2] == 1)) ++p;
      if (end - p < 3) return false;
      p += 3;
      const std::uint8_t* next = p;
      while (end - next >= 3 && !(next[0] == 0 && next[1] == 0 && next[2] == 1)) ++next;
      size = static_cast<std::size_t>((end - next >= 3 ? next : end) - p);
    }
    if (size == 0 || static_cast<std::size_t>(end - p) < size) return false;
    if (is_idr(p[0])) return true;
    p += size;
  }
  return false;
}

}  // namespace

FrameIndex scan_frame_index(const std::filesystem::path& input) {
  quiet_ffmpeg_log();
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, input.c_str(), nullptr, nullptr) < 0) {
    throw InputError("input '" + input.string() + "' cannot be read as a video");
  }
  std::unique_ptr<AVFormatContext, void (*)(AVFormatContext*)> context(raw, [](AVFormatContext* c) {
    avformat_close_input(&c);
  });
  if (avformat_find_stream_info(context.get(), nullptr) < 0) {
    throw InputError("input '" + input.string() + "': its streams cannot be read");
  }
  FrameIndex index;
  index.stream = av_find_best_stream(context.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (index.stream < 0) throw InputError("input '" + input.string() + "' has no video stream");
  const AVStream* stream = context->streams[index.stream];
  index.time_base_num = stream->time_base.num;
  index.time_base_den = stream->time_base.den;
  for (unsigned i = 0; i < context->nb_streams; ++i) {
    if (static_cast<int>(i) != index.stream) context->streams[i]->discard = AVDISCARD_ALL;
  }
  // H.264 and HEVC: which keyframes are IDR pictures, read from the NAL units
  // (length-prefixed as avcC/hvcC say, or Annex B).
  const AVCodecID codec = stream->codecpar->codec_id;
  const bool nal_codec = codec == AV_CODEC_ID_H264 || codec == AV_CODEC_ID_HEVC;
  int length_size = 0;
  const std::uint8_t* extra = stream->codecpar->extradata;
  const int extra_size = stream->codecpar->extradata_size;
  if (codec == AV_CODEC_ID_H264 && extra_size >= 7 && extra[0] == 1) length_size = (extra[4] & 3) + 1;
  if (codec == AV_CODEC_ID_HEVC && extra_size >= 23 && extra[0] == 1) length_size = (extra[21] & 3) + 1;

  std::vector<std::int64_t> times;       // each packet's pts, in file order
  std::vector<bool> starts_cleanly;      // a keyframe the decoder may start at
  bool timed = true;
  AVPacket* packet = av_packet_alloc();
  std::int64_t last_key_pts = AV_NOPTS_VALUE;
  bool first = true;
  while (av_read_frame(context.get(), packet) >= 0) {
    if (packet->stream_index == index.stream && packet->size > 0 && !(packet->flags & AV_PKT_FLAG_DISCARD)) {
      if (first && packet->pts != AV_NOPTS_VALUE) index.first_pts = packet->pts;
      first = false;
      timed = timed && packet->pts != AV_NOPTS_VALUE;
      times.push_back(packet->pts);
      const bool key = (packet->flags & AV_PKT_FLAG_KEY) != 0;
      starts_cleanly.push_back(key && (!nal_codec || holds_idr(packet, codec, length_size)));
      if (key) {
        index.keyframes.push_back(index.frames);
        last_key_pts = packet->pts;
      } else if (last_key_pts != AV_NOPTS_VALUE && packet->pts != AV_NOPTS_VALUE && packet->pts < last_key_pts) {
        index.open_gop = true;  // shown before the keyframe it follows: it needs the GOP before
      }
      ++index.frames;
    }
    av_packet_unref(packet);
  }
  av_packet_free(&packet);

  // Packet k is frame k when, in display order, the packets are one frame
  // step apart (no fields, no gaps); a keyframe is a clean start when it is
  // also shown k-th: every packet before it is shown before it, every one
  // after it after it (a closed GOP).
  const AVRational rate = stream->avg_frame_rate.num > 0 ? stream->avg_frame_rate : stream->r_frame_rate;
  const double step = rate.num > 0 && stream->time_base.num > 0
                          ? static_cast<double>(stream->time_base.den) * rate.den /
                                (static_cast<double>(stream->time_base.num) * rate.num)
                          : 0.0;
  if (!timed || step <= 0.0 || times.empty()) return index;
  std::vector<std::int64_t> shown = times;
  std::sort(shown.begin(), shown.end());
  for (std::size_t i = 1; i < shown.size(); ++i) {
    if (std::abs(static_cast<double>(shown[i] - shown[i - 1]) - step) > std::max(1.0, step / 100.0)) return index;
  }
  // Prefix maxima of the times: packet k is shown k-th when all before it show earlier.
  std::int64_t latest_before = INT64_MIN;
  for (std::size_t k = 0; k < times.size(); ++k) {
    const auto rank = std::lower_bound(shown.begin(), shown.end(), times[k]) - shown.begin();
    if (starts_cleanly[k] && rank == static_cast<std::ptrdiff_t>(k) && latest_before < times[k]) {
      index.clean_starts.push_back(static_cast<std::int64_t>(k));
    }
    latest_before = std::max(latest_before, times[k]);
  }
  index.intra_frames = index.clean_starts.size() == times.size();
  return index;
}

}  // namespace r4k::decode
