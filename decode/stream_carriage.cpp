#include "decode/stream_carriage.hpp"

#include "decode/ffmpeg_log.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace r4k::decode {
namespace {

struct InputClose {
  void operator()(AVFormatContext* context) const { avformat_close_input(&context); }
};

// Whether `format`'s muxer takes the stream as it is: a trial header written
// into memory. (avformat_query_codec says yes to codecs its muxer then calls
// experimental, such as FLAC in MP4.)
bool muxer_takes(const AVOutputFormat* format, const AVStream* stream) {
  AVFormatContext* out = nullptr;
  if (avformat_alloc_output_context2(&out, format, nullptr, nullptr) < 0 || out == nullptr) return false;
  AVStream* trial = avformat_new_stream(out, nullptr);
  avcodec_parameters_copy(trial->codecpar, stream->codecpar);
  trial->codecpar->codec_tag = 0;
  trial->time_base = stream->time_base;
  trial->disposition = stream->disposition;
  av_dict_copy(&trial->metadata, stream->metadata, 0);
  bool takes = false;
  if (avio_open_dyn_buf(&out->pb) >= 0) {
    const FfmpegLogWatch quiet(out);  // what the trial's muxer says is not for the user
    takes = avformat_write_header(out, nullptr) >= 0;
    std::uint8_t* buffer = nullptr;
    avio_close_dyn_buf(out->pb, &buffer);
    av_free(buffer);
    out->pb = nullptr;
  }
  avformat_free_context(out);
  return takes;
}

bool lossless_audio(const AVCodecParameters* parameters) {
  const AVCodecDescriptor* descriptor = avcodec_descriptor_get(parameters->codec_id);
  return descriptor != nullptr && (descriptor->props & AV_CODEC_PROP_LOSSLESS) != 0;
}

bool float_samples(const AVCodecParameters* parameters) {
  const std::string name = avcodec_get_name(parameters->codec_id);
  return name.rfind("pcm_f", 0) == 0;
}

// The input's channel layout when it names its channels and is not what a
// reader assumes for the count ("quad", not 4.0): "" otherwise.
std::string particular_layout(const AVCodecParameters* parameters) {
  const AVChannelLayout& layout = parameters->ch_layout;
  if (layout.order == AV_CHANNEL_ORDER_UNSPEC || layout.nb_channels <= 0) return "";
  AVChannelLayout assumed;
  av_channel_layout_default(&assumed, layout.nb_channels);
  const bool same = av_channel_layout_compare(&layout, &assumed) == 0;
  av_channel_layout_uninit(&assumed);
  if (same) return "";
  char name[128] = {0};
  av_channel_layout_describe(&layout, name, sizeof name);
  return name;
}

bool pcm(const AVCodecParameters* parameters) {
  return std::string(avcodec_get_name(parameters->codec_id)).rfind("pcm_", 0) == 0;
}

std::string container_name(const AVOutputFormat* format) {
  const std::string name = format->name;
  if (name == "matroska") return "Matroska";
  if (name == "mov") return "QuickTime (MOV)";
  if (name == "mp4") return "MP4";
  return name;
}

}  // namespace

std::string describe(const StreamDecision& decision) {
  return decision.type + " stream " + std::to_string(decision.index) + " (" + decision.codec + ")";
}

std::vector<StreamDecision> plan_carriage(const MediaInfo& media, const std::filesystem::path& output,
                                          const CarriageOptions& options) {
  const AVOutputFormat* format = av_guess_format(nullptr, output.c_str(), nullptr);
  AVFormatContext* raw = nullptr;
  std::unique_ptr<AVFormatContext, InputClose> input;
  if (avformat_open_input(&raw, media.path.c_str(), nullptr, nullptr) == 0) {
    input.reset(raw);
    if (avformat_find_stream_info(raw, nullptr) < 0) input.reset();
  }
  const auto stream_of = [&](int index) -> const AVStream* {
    if (!input || index < 0 || index >= static_cast<int>(input->nb_streams)) return nullptr;
    return input->streams[index];
  };
  std::vector<StreamDecision> decisions;
  std::vector<const OtherStreamInfo*> streams;
  for (const auto* list : {&media.other_video, &media.audio, &media.subtitles, &media.data, &media.attachments}) {
    for (const OtherStreamInfo& stream : *list) streams.push_back(&stream);
  }
  std::sort(streams.begin(), streams.end(), [](const auto* a, const auto* b) { return a->index < b->index; });
  for (const OtherStreamInfo* stream : streams) {
    StreamDecision d;
    d.index = stream->index;
    d.type = stream->type;
    d.codec = stream->codec == "none" && !stream->codec_tag.empty() ? stream->codec_tag : stream->codec;
    const AVStream* in = stream_of(stream->index);
    const std::string container = format != nullptr ? container_name(format) : output.extension().string();
    // FFmpeg's MP4 writer takes DVD subtitles but loses pictures of them.
    const bool known_lossy = format != nullptr && std::string(format->name) == "mp4" && stream->codec == "dvd_subtitle";
    const bool takes = format != nullptr && in != nullptr && !known_lossy && muxer_takes(format, in);
    const std::string suggestion = std::string(format != nullptr ? format->name : "") == "matroska"
                                       ? std::string()
                                       : "; write a Matroska file (.mkv), which holds it,";
    if (format == nullptr || in == nullptr) {
      d.carriage = Carriage::refused;
      d.reason = format == nullptr ? "no muxer for '" + output.extension().string() + "'" : "the stream cannot be read";
    } else if (stream->type == "video" || stream->type == "cover art") {
      d.carriage = takes ? Carriage::copy : Carriage::refused;
      if (!takes) {
        d.reason = container + " cannot hold this " + stream->codec + " " + stream->type +
                   " as it is (restore4k restores the first video stream and carries the others unchanged)" +
                   suggestion + " or leave it out: not possible here";
      }
    } else if (stream->type == "audio") {
      const std::string muxer = format->name;
      if (!options.audio) {
        d.carriage = Carriage::left_out;
        d.reason = "--no-audio";
      } else if (const std::string layout = particular_layout(in->codecpar);
                 !layout.empty() && ((muxer == "matroska" && pcm(in->codecpar)) || (muxer == "mp4" && !takes))) {
        // Matroska's PCM and MP4's ALAC have no word for the channels' layout.
        const int bits = in->codecpar->bits_per_raw_sample > 0 ? in->codecpar->bits_per_raw_sample
                                                                : in->codecpar->bits_per_coded_sample;
        if (muxer == "matroska" && bits <= 24 && !float_samples(in->codecpar)) {
          d.carriage = Carriage::flac;
          d.reason = "Matroska's PCM cannot state the channel layout '" + layout +
                     "': stored losslessly as FLAC, which does (the same samples)";
        } else {
          d.carriage = Carriage::refused;
          d.reason = container + " cannot state the channel layout '" + layout + "' of this " + stream->codec +
                     " audio; write a QuickTime file (.mov), which holds it as it is, or leave the audio out "
                     "with --no-audio";
        }
      } else if (takes) {
        d.carriage = Carriage::copy;
      } else if (lossless_audio(in->codecpar) && !(float_samples(in->codecpar) && muxer == "mp4")) {
        // The decoded samples, stored with the container's own lossless codec.
        const int bits = in->codecpar->bits_per_raw_sample > 0 ? in->codecpar->bits_per_raw_sample
                                                                : in->codecpar->bits_per_coded_sample;
        d.carriage = muxer == "mp4"                                                          ? Carriage::alac
                     : muxer == "matroska" && bits <= 24 && !float_samples(in->codecpar) ? Carriage::flac
                                                                                         : Carriage::pcm;
        d.reason = container + " cannot hold " + stream->codec + " as it is: stored losslessly as " +
                   (d.carriage == Carriage::alac   ? "ALAC"
                    : d.carriage == Carriage::flac ? "FLAC"
                                                   : "PCM") +
                   " (the same samples)";
      } else {
        d.carriage = Carriage::refused;
        d.reason = container + " cannot hold " + stream->codec + " audio, and it cannot be converted without loss" +
                   (suggestion.empty() ? std::string(";") : suggestion) + " or leave the audio out with --no-audio";
      }
    } else if (stream->type == "subtitle") {
      if (!options.subtitles) {
        d.carriage = Carriage::left_out;
        d.reason = "--no-subtitles";
      } else if (takes) {
        d.carriage = Carriage::copy;
      } else {
        d.carriage = Carriage::refused;
        d.reason = container + " cannot hold " + stream->codec + " subtitles and converting them would lose their " +
                   "styling; write " +
                   (stream->codec == "mov_text" ? std::string("an .mp4 or .mov file (x264 or prores)")
                                                : std::string("a Matroska file (.mkv)")) +
                   ", or leave subtitles out with --no-subtitles";
      }
    } else if (stream->type == "attachment") {
      d.carriage = takes || std::string(format->name) == "matroska" ? Carriage::copy : Carriage::refused;
      if (d.carriage == Carriage::refused) {
        d.reason = container + " cannot hold attached files ('" + stream->filename + "'); write a Matroska file (.mkv)";
      }
    } else if (stream->codec == "dvd_nav_packet") {
      d.carriage = Carriage::structure;
      d.reason = "DVD navigation packets describe the input disc's own layout, not its content: not carried";
    } else if (stream->codec_tag == "tmcd") {
      d.carriage = Carriage::timecode;
      d.reason = "a timecode track: the output carries its start timecode " +
                 (media.timecode.empty() ? std::string("(none given)") : media.timecode);
    } else if (stream->chapters) {
      d.carriage = Carriage::chapters;
      d.reason = "the QuickTime chapter track: carried as the output's chapters";
    } else if (!options.data) {
      d.carriage = Carriage::left_out;
      d.reason = "--no-data";
    } else {
      d.carriage = Carriage::refused;
      d.reason = "restore4k cannot carry this data stream into " + container +
                 "; leave data streams out with --no-data";
    }
    decisions.push_back(d);
  }
  return decisions;
}

}  // namespace r4k::decode
