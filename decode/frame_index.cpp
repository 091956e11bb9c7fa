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
  // One frame's step in the stream's time base (0: no frame rate).
  const AVRational rate = stream->avg_frame_rate.num > 0 ? stream->avg_frame_rate : stream->r_frame_rate;
  const double step = rate.num > 0 && stream->time_base.num > 0
                          ? static_cast<double>(stream->time_base.den) * rate.den /
                                (static_cast<double>(stream->time_base.num) * rate.num)
                          : 0.0;
  bool steady = step > 0.0;
  bool all_keys = true;
  std::int64_t previous_pts = AV_NOPTS_VALUE;
  AVPacket* packet = av_packet_alloc();
  std::int64_t last_key_pts = AV_NOPTS_VALUE;
  bool first = true;
  while (av_read_frame(context.get(), packet) >= 0) {
    if (packet->stream_index == index.stream && packet->size > 0 && !(packet->flags & AV_PKT_FLAG_DISCARD)) {
      if (first && packet->pts != AV_NOPTS_VALUE) index.first_pts = packet->pts;
      first = false;
      all_keys = all_keys && (packet->flags & AV_PKT_FLAG_KEY);
      if (packet->pts == AV_NOPTS_VALUE ||
          (previous_pts != AV_NOPTS_VALUE &&
           std::abs(static_cast<double>(packet->pts - previous_pts) - step) > std::max(1.0, step / 100.0))) {
        steady = false;
      }
      previous_pts = packet->pts;
      if (packet->flags & AV_PKT_FLAG_KEY) {
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
  index.intra_frames = all_keys && steady && index.frames > 0;
  return index;
}

}  // namespace r4k::decode
