#include "decode/stream_carriage.hpp"

#include <algorithm>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace r4k::decode {
namespace {

bool holds(const AVOutputFormat* format, const std::string& codec) {
  const AVCodecDescriptor* descriptor = avcodec_descriptor_get_by_name(codec.c_str());
  return descriptor != nullptr && avformat_query_codec(format, descriptor->id, FF_COMPLIANCE_NORMAL) == 1;
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
    const std::string container = format != nullptr ? container_name(format) : output.extension().string();
    if (format == nullptr) {
      d.carriage = Carriage::refused;
      d.reason = "no muxer for '" + output.extension().string() + "'";
    } else if (stream->type == "video" || stream->type == "cover art") {
      if (holds(format, stream->codec)) {
        d.carriage = Carriage::copy;
      } else {
        d.carriage = Carriage::refused;
        d.reason = container + " cannot hold this " + stream->codec + " " + stream->type +
                   " as it is (restore4k restores the first video stream and carries the others unchanged); write "
                   "a Matroska file (.mkv)";
      }
    } else if (stream->type == "audio") {
      const bool pcm = stream->codec.rfind("pcm_", 0) == 0;
      const bool float_pcm = stream->codec.rfind("pcm_f", 0) == 0;
      if (!options.audio) {
        d.carriage = Carriage::left_out;
        d.reason = "--no-audio";
      } else if (holds(format, stream->codec)) {
        d.carriage = Carriage::copy;
      } else if (pcm && !float_pcm && std::string(format->name) == "mp4") {
        d.carriage = Carriage::alac;
        d.reason = container + " cannot hold " + stream->codec + ": stored losslessly as ALAC (the same samples)";
      } else if (pcm && !float_pcm && std::string(format->name) == "matroska" && stream->bits <= 24) {
        d.carriage = Carriage::flac;
        d.reason = container + " cannot hold " + stream->codec + ": stored losslessly as FLAC (the same samples)";
      } else if (pcm && !float_pcm) {
        d.carriage = Carriage::pcm;
        d.reason = container + " cannot hold " + stream->codec + ": stored as plain PCM (the same samples)";
      } else {
        d.carriage = Carriage::refused;
        d.reason = container + " cannot hold " + stream->codec + " audio, and it cannot be converted without loss; " +
                   "write a Matroska file (.mkv), or leave the audio out with --no-audio";
      }
    } else if (stream->type == "subtitle") {
      if (!options.subtitles) {
        d.carriage = Carriage::left_out;
        d.reason = "--no-subtitles";
      } else if (holds(format, stream->codec)) {
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
      if (std::string(format->name) == "matroska") {
        d.carriage = Carriage::copy;
      } else {
        d.carriage = Carriage::refused;
        d.reason = container + " cannot hold attached files ('" + stream->filename +
                   "'); write a Matroska file (.mkv)";
      }
    } else if (stream->codec == "dvd_nav_packet") {
      d.carriage = Carriage::structure;
      d.reason = "DVD navigation packets describe the input disc's own layout";
    } else if (stream->codec_tag == "tmcd") {
      d.carriage = Carriage::timecode;
      d.reason = "a timecode track: the output carries its start timecode " +
                 (media.timecode.empty() ? std::string("(none given)") : media.timecode);
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
