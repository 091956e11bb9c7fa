#include "decode/media_probe.hpp"

#include <cmath>
#include <memory>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
}

#include "preprocess/error.hpp"

namespace r4k::decode {
namespace {

struct FormatContextClose {
  void operator()(AVFormatContext* context) const { avformat_close_input(&context); }
};
using FormatContextPtr = std::unique_ptr<AVFormatContext, FormatContextClose>;

std::string av_error(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

std::string or_empty(const char* text) { return text == nullptr ? std::string() : std::string(text); }

std::string field_order_name(AVFieldOrder order) {
  switch (order) {
    case AV_FIELD_PROGRESSIVE:
      return "progressive";
    case AV_FIELD_TT:
      return "tt";
    case AV_FIELD_BB:
      return "bb";
    case AV_FIELD_TB:
      return "tb";
    case AV_FIELD_BT:
      return "bt";
    default:
      return "unknown";
  }
}

}  // namespace

MediaInfo probe_media(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError("input video '" + path.string() + "' does not exist");
  if (std::filesystem::is_directory(path, ec)) throw InputError("input video '" + path.string() + "' is a directory");
  av_log_set_level(AV_LOG_ERROR);
  AVFormatContext* raw = nullptr;
  int status = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (status < 0) {
    throw InputError("cannot open input video '" + path.string() + "': " + av_error(status));
  }
  FormatContextPtr context(raw);
  status = avformat_find_stream_info(context.get(), nullptr);
  if (status < 0) {
    throw InputError("cannot read the streams of '" + path.string() + "': " + av_error(status));
  }

  MediaInfo info;
  info.path = path;
  info.container = context->iformat->name;
  if (context->duration != AV_NOPTS_VALUE) {
    info.duration_seconds = static_cast<double>(context->duration) / AV_TIME_BASE;
  }
  for (unsigned i = 0; i < context->nb_streams; ++i) {
    const AVStream* stream = context->streams[i];
    const AVCodecParameters* codec = stream->codecpar;
    const std::string codec_name = avcodec_get_name(codec->codec_id);
    if (codec->codec_type == AVMEDIA_TYPE_VIDEO) {
      if (stream->disposition & AV_DISPOSITION_ATTACHED_PIC) continue;  // cover art
      VideoStreamInfo video;
      video.index = static_cast<int>(i);
      video.codec = codec_name;
      video.width = codec->width;
      video.height = codec->height;
      video.pixel_format = or_empty(av_get_pix_fmt_name(static_cast<AVPixelFormat>(codec->format)));
      const AVRational rate = stream->avg_frame_rate.num > 0 ? stream->avg_frame_rate : stream->r_frame_rate;
      video.frame_rate_num = rate.num;
      video.frame_rate_den = rate.den > 0 ? rate.den : 1;
      if (codec->sample_aspect_ratio.num > 0) {
        video.sar_num = codec->sample_aspect_ratio.num;
        video.sar_den = codec->sample_aspect_ratio.den;
      }
      if (stream->nb_frames > 0) {
        video.frame_count = stream->nb_frames;
      } else if (rate.num > 0) {
        double seconds = info.duration_seconds;
        if (stream->duration != AV_NOPTS_VALUE) seconds = static_cast<double>(stream->duration) * av_q2d(stream->time_base);
        video.frame_count = static_cast<std::int64_t>(std::llround(seconds * av_q2d(rate)));
      }
      video.colour_space = codec->color_space == AVCOL_SPC_UNSPECIFIED ? "" : or_empty(av_color_space_name(codec->color_space));
      video.colour_range = codec->color_range == AVCOL_RANGE_UNSPECIFIED ? "" : or_empty(av_color_range_name(codec->color_range));
      video.colour_primaries =
          codec->color_primaries == AVCOL_PRI_UNSPECIFIED ? "" : or_empty(av_color_primaries_name(codec->color_primaries));
      video.colour_transfer =
          codec->color_trc == AVCOL_TRC_UNSPECIFIED ? "" : or_empty(av_color_transfer_name(codec->color_trc));
      video.field_order = field_order_name(codec->field_order);
      info.video.push_back(video);
    } else if (codec->codec_type == AVMEDIA_TYPE_AUDIO || codec->codec_type == AVMEDIA_TYPE_SUBTITLE) {
      OtherStreamInfo other;
      other.index = static_cast<int>(i);
      other.codec = codec_name;
      if (codec->codec_type == AVMEDIA_TYPE_AUDIO) {
        other.type = "audio";
        other.sample_rate = codec->sample_rate;
        other.channels = codec->ch_layout.nb_channels;
        info.audio.push_back(other);
      } else {
        other.type = "subtitle";
        info.subtitles.push_back(other);
      }
    }
  }
  return info;
}

}  // namespace r4k::decode
