#include "decode/frame_index.hpp"

extern "C" {
#include <libavformat/avformat.h>
}

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
  AVPacket* packet = av_packet_alloc();
  std::int64_t last_key_pts = AV_NOPTS_VALUE;
  bool first = true;
  while (av_read_frame(context.get(), packet) >= 0) {
    if (packet->stream_index == index.stream && packet->size > 0 && !(packet->flags & AV_PKT_FLAG_DISCARD)) {
      if (first && packet->pts != AV_NOPTS_VALUE) index.first_pts = packet->pts;
      first = false;
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
  return index;
}

}  // namespace r4k::decode
