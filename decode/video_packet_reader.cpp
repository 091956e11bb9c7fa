#include "decode/video_packet_reader.hpp"

extern "C" {
#include <libavformat/avformat.h>
}

#include "core/error.hpp"
#include "decode/ffmpeg_log.hpp"

namespace r4k::decode {

struct VideoPacketReader::State {
  std::filesystem::path path;
  AVFormatContext* context = nullptr;
  AVPacket* packet = nullptr;
  int stream = -1;
};

VideoPacketReader::VideoPacketReader(const std::filesystem::path& path) : state_(std::make_unique<State>()) {
  quiet_ffmpeg_log();
  State& s = *state_;
  s.path = path;
  if (avformat_open_input(&s.context, path.c_str(), nullptr, nullptr) < 0) {
    throw InputError("'" + path.string() + "' cannot be read as a video");
  }
  if (avformat_find_stream_info(s.context, nullptr) < 0 ||
      (s.stream = av_find_best_stream(s.context, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0)) < 0) {
    avformat_close_input(&s.context);
    throw InputError("'" + path.string() + "' has no readable video stream");
  }
  s.packet = av_packet_alloc();
}

VideoPacketReader::~VideoPacketReader() {
  av_packet_free(&state_->packet);
  avformat_close_input(&state_->context);
}

std::optional<std::vector<std::uint8_t>> VideoPacketReader::next() {
  State& s = *state_;
  for (;;) {
    const int status = av_read_frame(s.context, s.packet);
    if (status == AVERROR_EOF) return std::nullopt;
    if (status < 0) throw InputError("'" + s.path.string() + "' cannot be read to its end");
    if (s.packet->stream_index == s.stream && s.packet->size > 0) {
      std::vector<std::uint8_t> data(s.packet->data, s.packet->data + s.packet->size);
      av_packet_unref(s.packet);
      return data;
    }
    av_packet_unref(s.packet);
  }
}

}  // namespace r4k::decode
