#include "decode/media_probe.hpp"

#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
}

#include "decode/ffmpeg_log.hpp"
#include "core/error.hpp"

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

std::string tag(const AVDictionary* dictionary, const char* key) {
  const AVDictionaryEntry* entry = av_dict_get(dictionary, key, nullptr, 0);
  return entry != nullptr && entry->value != nullptr ? entry->value : "";
}

std::string fourcc(unsigned tag_value) {
  if (tag_value == 0) return "";
  std::string text;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>((tag_value >> (8 * i)) & 0xff);
    text += (c >= 32 && c < 127) ? c : '?';
  }
  return text;
}

void describe_other(const AVStream* stream, OtherStreamInfo& other) {
  other.language = tag(stream->metadata, "language");
  other.title = tag(stream->metadata, "title");
  other.default_stream = (stream->disposition & AV_DISPOSITION_DEFAULT) != 0;
  other.forced = (stream->disposition & AV_DISPOSITION_FORCED) != 0;
  other.filename = tag(stream->metadata, "filename");
}

}  // namespace

MediaInfo probe_media(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError("input video '" + path.string() + "' does not exist");
  if (std::filesystem::is_directory(path, ec)) throw InputError("input video '" + path.string() + "' is a directory");
  quiet_ffmpeg_log();
  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) throw Error("out of memory opening '" + path.string() + "'");
  // What FFmpeg says while it opens the file goes into the error, not onto
  // the terminal with its own prefixes.
  std::optional<FfmpegLogWatch> watch(std::in_place, raw);
  const auto said = [&watch]() {
    std::string text;
    for (const std::string& message : watch->messages()) text += (text.empty() ? " (" : "; ") + message;
    return text.empty() ? text : text + ")";
  };
  int status = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (status < 0) {
    throw InputError("cannot open input video '" + path.string() + "': " + av_error(status) + said());
  }
  FormatContextPtr context(raw);
  status = avformat_find_stream_info(context.get(), nullptr);
  if (status < 0) {
    throw InputError("cannot read the streams of '" + path.string() + "': " + av_error(status) + said());
  }
  watch.reset();

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
    const bool cover_art = (stream->disposition & AV_DISPOSITION_ATTACHED_PIC) != 0;
    if (codec->codec_type == AVMEDIA_TYPE_VIDEO && (cover_art || !info.video.empty())) {
      OtherStreamInfo other;
      other.index = static_cast<int>(i);
      other.codec = codec_name;
      other.type = cover_art ? "cover art" : "video";
      describe_other(stream, other);
      info.other_video.push_back(other);
    } else if (codec->codec_type == AVMEDIA_TYPE_VIDEO) {
      VideoStreamInfo video;
      video.index = static_cast<int>(i);
      video.codec = codec_name;
      video.width = codec->width;
      video.height = codec->height;
      video.pixel_format = or_empty(av_get_pix_fmt_name(static_cast<AVPixelFormat>(codec->format)));
      if (const AVPixFmtDescriptor* format = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(codec->format))) {
        video.sample_bits = format->comp[0].depth;
      }
      const AVRational rate = stream->avg_frame_rate.num > 0 ? stream->avg_frame_rate : stream->r_frame_rate;
      video.frame_rate_num = rate.num;
      video.frame_rate_den = rate.den > 0 ? rate.den : 1;
      // The container's aspect (a MOV 'pasp' box) before the bitstream's, as players read it.
      const AVRational sar =
          av_guess_sample_aspect_ratio(context.get(), const_cast<AVStream*>(stream), nullptr);
      if (sar.num > 0 && sar.den > 0) {
        video.sar_num = sar.num;
        video.sar_den = sar.den;
      }
      // A variable frame rate makes duration x rate no count at all.
      const bool constant_rate = av_cmp_q(stream->r_frame_rate, stream->avg_frame_rate) == 0;
      const std::string container = context->iformat->name;
      const bool indexed = container == "avi" || container.find("mp4") != std::string::npos;
      const int entries = avformat_index_get_entries_count(stream);
      if (indexed && entries > 0) {
        // A complete index (MP4 sample tables, AVI idx1) lists every
        // picture; its empty entries (AVI's dropped frames) hold none, and
        // AVI's header count is not always the index's.
        std::int64_t pictures = 0;
        for (int e = 0; e < entries; ++e) {
          const AVIndexEntry* entry = avformat_index_get_entry(const_cast<AVStream*>(stream), e);
          if (entry != nullptr && entry->size > 0 && !(entry->flags & AVINDEX_DISCARD_FRAME)) ++pictures;
        }
        video.frame_count = pictures;
        video.frame_count_source = VideoStreamInfo::CountSource::index;
      } else if (stream->nb_frames > 0) {
        video.frame_count = stream->nb_frames;
        video.frame_count_source = VideoStreamInfo::CountSource::index;
      } else if (rate.num > 0) {
        video.frame_count_source = VideoStreamInfo::CountSource::file_duration;
        // The picture's own span: from its first timestamp to its end.
        const double start = stream->start_time != AV_NOPTS_VALUE
                                 ? static_cast<double>(stream->start_time) * av_q2d(stream->time_base)
                                 : 0.0;
        const double file_start =
            context->start_time != AV_NOPTS_VALUE ? static_cast<double>(context->start_time) / AV_TIME_BASE : 0.0;
        double seconds = info.duration_seconds - (start - file_start);
        if (stream->duration != AV_NOPTS_VALUE) {
          seconds = static_cast<double>(stream->duration) * av_q2d(stream->time_base);
          if (constant_rate) video.frame_count_source = VideoStreamInfo::CountSource::track_span;
        } else if (const std::string tagged = tag(stream->metadata, "DURATION"); !tagged.empty()) {
          // Matroska files written by FFmpeg and mkvmerge: the track's end,
          // HH:MM:SS.nnnnnnnnn.
          int h = 0;
          int m = 0;
          double sec = 0.0;
          if (std::sscanf(tagged.c_str(), "%d:%d:%lf", &h, &m, &sec) == 3) {
            seconds = h * 3600.0 + m * 60.0 + sec - start;
            if (constant_rate) video.frame_count_source = VideoStreamInfo::CountSource::track_span;
          }
        }
        video.frame_count = static_cast<std::int64_t>(std::llround(seconds * av_q2d(rate)));
      }
      video.colour_space = codec->color_space == AVCOL_SPC_UNSPECIFIED ? "" : or_empty(av_color_space_name(codec->color_space));
      video.colour_range = codec->color_range == AVCOL_RANGE_UNSPECIFIED ? "" : or_empty(av_color_range_name(codec->color_range));
      video.colour_primaries =
          codec->color_primaries == AVCOL_PRI_UNSPECIFIED ? "" : or_empty(av_color_primaries_name(codec->color_primaries));
      video.colour_transfer =
          codec->color_trc == AVCOL_TRC_UNSPECIFIED ? "" : or_empty(av_color_transfer_name(codec->color_trc));
      video.matrix_code = static_cast<int>(codec->color_space);
      video.primaries_code = static_cast<int>(codec->color_primaries);
      video.transfer_code = static_cast<int>(codec->color_trc);
      video.range_code = static_cast<int>(codec->color_range);
      video.chroma_location_code = static_cast<int>(codec->chroma_location);
      video.chroma_location = codec->chroma_location == AVCHROMA_LOC_UNSPECIFIED
                                  ? ""
                                  : or_empty(av_chroma_location_name(codec->chroma_location));
      video.field_order = field_order_name(codec->field_order);
      video.codec_tag = fourcc(codec->codec_tag);
      if (const char* profile = avcodec_profile_name(codec->codec_id, codec->profile); profile != nullptr) {
        video.profile = profile;
      }
      video.language = tag(stream->metadata, "language");
      video.title = tag(stream->metadata, "title");
      for (int k = 0; k < stream->nb_side_data; ++k) {
        const AVPacketSideData& side = stream->side_data[k];
        if (side.type != AV_PKT_DATA_DISPLAYMATRIX || side.size < static_cast<int>(9 * sizeof(int32_t))) continue;
        const auto* matrix = reinterpret_cast<const int32_t*>(side.data);
        // av_display_rotation_get: counter-clockwise degrees of the matrix.
        const double degrees = av_display_rotation_get(matrix);
        if (!std::isnan(degrees)) {
          int clockwise = static_cast<int>(std::lround(-degrees)) % 360;
          if (clockwise < 0) clockwise += 360;
          video.rotation = clockwise;
        }
        // A negative determinant of the 2x2 part is a mirror.
        const double det = static_cast<double>(matrix[0]) * matrix[4] - static_cast<double>(matrix[1]) * matrix[3];
        video.mirrored = det < 0;
      }
      info.video.push_back(video);
    } else {
      OtherStreamInfo other;
      other.index = static_cast<int>(i);
      other.codec = codec_name;
      other.codec_tag = fourcc(codec->codec_tag);
      other.bits = codec->bits_per_raw_sample > 0 ? codec->bits_per_raw_sample : codec->bits_per_coded_sample;
      describe_other(stream, other);
      if (codec->codec_type == AVMEDIA_TYPE_AUDIO) {
        other.type = "audio";
        other.sample_rate = codec->sample_rate;
        other.channels = codec->ch_layout.nb_channels;
        info.audio.push_back(other);
      } else if (codec->codec_type == AVMEDIA_TYPE_SUBTITLE) {
        other.type = "subtitle";
        info.subtitles.push_back(other);
      } else if (codec->codec_type == AVMEDIA_TYPE_ATTACHMENT) {
        other.type = "attachment";
        info.attachments.push_back(other);
      } else {
        other.type = "data";
        if (info.timecode.empty()) info.timecode = tag(stream->metadata, "timecode");
        // QuickTime's chapter track: its text samples are the file's chapters.
        other.chapters = other.codec_tag == "text" && context->nb_chapters > 0 && stream->discard == AVDISCARD_ALL;
        info.data.push_back(other);
      }
    }
  }
  info.chapters = static_cast<int>(context->nb_chapters);
  const AVDictionaryEntry* entry = nullptr;
  while ((entry = av_dict_get(context->metadata, "", entry, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
    info.tags.emplace_back(entry->key, entry->value != nullptr ? entry->value : "");
  }
  if (const std::string timecode = tag(context->metadata, "timecode"); !timecode.empty()) info.timecode = timecode;
  if (info.timecode.empty() && !info.video.empty()) {
    info.timecode = tag(context->streams[info.video.front().index]->metadata, "timecode");
  }
  return info;
}

}  // namespace r4k::decode
