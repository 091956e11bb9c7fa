#include "encode/media_writer.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>

extern "C" {
#include <libavutil/crc.h>
#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include "decode/container_framing.hpp"
#include "decode/ffmpeg_log.hpp"
#include "core/error.hpp"

namespace r4k::encode {

// What the inputs are (probes, stream plans, datasets) is decode's.
using namespace decode;
namespace {

std::string av_error(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

constexpr AVRational kNanoseconds{1, 1000000000};

// The RESTORE4K_INPUT tag of Matroska files is reserved in the header as
// this many filler characters and overwritten in place at the end.
constexpr std::size_t kStatusLength = 126;  // the longest one-byte EBML size
constexpr char kStatusFiller = '~';

// Overwrites the reserved RESTORE4K_INPUT value of a finished Matroska file
// with `status` (the rest of the reserved bytes become an EBML Void
// element) and updates the CRC-32 of the Tags element that holds it.
void patch_matroska_status(const std::filesystem::path& path, std::string status) {
  if (status.size() > kStatusLength - 2) {
    // Cut at a character boundary, and say so.
    std::size_t keep = kStatusLength - 2 - 3;
    while (keep > 0 && (static_cast<unsigned char>(status[keep]) & 0xC0) == 0x80) --keep;
    status = status.substr(0, keep) + "...";
  }
  std::FILE* file = std::fopen(path.c_str(), "r+b");
  if (file == nullptr) throw Error(path.string() + ": cannot reopen to record the input's status");
  // The Tags element sits in the first part of the file (after the tracks,
  // chapters and attachments).
  std::vector<std::uint8_t> head(64u << 20);
  head.resize(std::fread(head.data(), 1, head.size(), file));
  // TagString (0x4487), one-byte size 0x80 | 100, then the filler.
  std::vector<std::uint8_t> needle{0x44, 0x87, static_cast<std::uint8_t>(0x80 | kStatusLength)};
  needle.insert(needle.end(), kStatusLength, static_cast<std::uint8_t>(kStatusFiller));
  const auto found = std::search(head.begin(), head.end(), needle.begin(), needle.end());
  if (found == head.end()) {
    std::fclose(file);
    throw Error(path.string() + ": the reserved RESTORE4K_INPUT tag is missing");
  }
  const std::size_t at = static_cast<std::size_t>(found - head.begin());
  std::uint8_t* value = head.data() + at + 2;
  value[0] = static_cast<std::uint8_t>(0x80 | status.size());
  std::memcpy(value + 1, status.data(), status.size());
  const std::size_t rest = kStatusLength - status.size();  // >= 2: a Void element
  value[1 + status.size()] = 0xEC;
  value[2 + status.size()] = static_cast<std::uint8_t>(0x80 | (rest - 2));
  std::memset(value + 3 + status.size(), 0, rest - 2);
  // The Tags element (0x1254C367) before it, and its CRC-32 child.
  std::size_t tags = at;
  const std::uint8_t id[4] = {0x12, 0x54, 0xC3, 0x67};
  while (tags > 0 && std::memcmp(head.data() + tags, id, 4) != 0) --tags;
  std::size_t length_size = 0;
  std::uint64_t size = 0;
  if (std::memcmp(head.data() + tags, id, 4) == 0) {
    const std::uint8_t first = head[tags + 4];
    for (length_size = 1; length_size <= 8 && !(first & (0x80 >> (length_size - 1))); ++length_size) {
    }
    size = first & (0xFF >> length_size);
    for (std::size_t k = 1; k < length_size; ++k) size = size << 8 | head[tags + 4 + k];
  }
  const std::size_t data = tags + 4 + length_size;
  const bool has_crc = length_size > 0 && data + 6 <= head.size() && head[data] == 0xBF && head[data + 1] == 0x84 &&
                       data + size <= head.size();
  if (has_crc) {
    const std::uint32_t crc = av_crc(av_crc_get_table(AV_CRC_32_IEEE_LE), UINT32_MAX, head.data() + data + 6,
                                     static_cast<std::size_t>(size) - 6) ^ UINT32_MAX;
    for (int k = 0; k < 4; ++k) head[data + 2 + k] = static_cast<std::uint8_t>(crc >> (8 * k));
  }
  const std::size_t from = has_crc ? data : at;
  const std::size_t to = at + 3 + kStatusLength;
  const bool ok = std::fseek(file, static_cast<long>(from), SEEK_SET) == 0 &&
                  std::fwrite(head.data() + from, 1, to - from, file) == to - from && std::fclose(file) == 0;
  if (!ok) throw Error(path.string() + ": cannot record the input's status");
}

// Tags that describe the input file's encoding or layout, not its content:
// they would be false in the output.
bool stale_tag(const std::string& key) {
  static const char* const prefixes[] = {"encoder", "BPS", "DURATION", "NUMBER_OF_FRAMES", "NUMBER_OF_BYTES",
                                         "_STATISTICS_", "major_brand", "minor_version", "compatible_brands",
                                         "vendor_id", "ENCODER"};
  for (const char* prefix : prefixes) {
    if (key.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

void copy_tags(const AVDictionary* from, AVDictionary** to) {
  const AVDictionaryEntry* entry = nullptr;
  while ((entry = av_dict_get(from, "", entry, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
    if (!stale_tag(entry->key)) av_dict_set(to, entry->key, entry->value, 0);
  }
}

// The keys movenc writes as standard QuickTime/iTunes atoms; other keys need
// its use_metadata_tags mode.
bool standard_mov_key(const std::string& key) {
  static const std::set<std::string> keys = {
      "title",    "artist",  "album_artist", "composer",  "album",   "date",    "comment",    "genre",
      "copyright", "grouping", "lyrics",      "description", "synopsis", "show",   "episode_id", "network",
      "keywords", "track",   "disc",         "compilation", "creation_time", "encoder", "encoding_tool",
      "location", "rating",  "media_type",   "hd_video",   "gapless_playback", "podcast", "category"};
  return keys.count(key) > 0 || key.rfind("sort_", 0) == 0;
}

unsigned fourcc(const char* text) {
  return static_cast<unsigned>(text[0]) | static_cast<unsigned>(text[1]) << 8 | static_cast<unsigned>(text[2]) << 16 |
         static_cast<unsigned>(text[3]) << 24;
}

unsigned prores_tag(const std::string& variant) {
  if (variant == "proxy") return fourcc("apco");
  if (variant == "lt") return fourcc("apcs");
  if (variant == "standard") return fourcc("apcn");
  if (variant == "4444") return fourcc("ap4h");
  if (variant == "4444xq") return fourcc("ap4x");
  return fourcc("apch");  // hq
}

// One lossless audio conversion: decode, convert the sample format, encode.
struct AudioConverter {
  AVCodecContext* decoder = nullptr;
  AVCodecContext* encoder = nullptr;
  SwrContext* resampler = nullptr;
  AVAudioFifo* fifo = nullptr;
  AVFrame* frame = nullptr;
  std::int64_t next_pts = AV_NOPTS_VALUE;  // in 1/sample_rate

  ~AudioConverter() {
    avcodec_free_context(&decoder);
    avcodec_free_context(&encoder);
    swr_free(&resampler);
    if (fifo != nullptr) av_audio_fifo_free(fifo);
    av_frame_free(&frame);
  }
};

}  // namespace

struct MediaWriter::State {
  MediaWriterOptions options;
  AVFormatContext* in = nullptr;
  AVFormatContext* out = nullptr;
  bool header_written = false;
  bool matroska = false;
  int video_out = -1;
  struct Output {
    int out_index = -1;
    Carriage carriage = Carriage::copy;
    std::unique_ptr<AudioConverter> converter;
    bool header_only = false;  // held in the header (Matroska's cover-art attachment): no packets
    // Timestamps out = (input's + shift_in) in the output's time base, less
    // shift_out_48k (48 kHz samples) there: see the Opus codec delay below.
    std::int64_t shift_in = 0;
    std::int64_t shift_out_48k = 0;
  };
  std::map<int, Output> outputs;  // by input stream index
  AVBSFContext* bitstream_filter = nullptr;
  AVPacket* pending = nullptr;  // an input packet beyond the video written so far
  bool input_done = false;
  std::int64_t time_offset_ns = 0;  // picture stream time + this = the input's own timestamps
  bool time_offset_known = false;
  std::int64_t video_start_ns = 0;  // the input video's first presentation time
  std::int64_t video_end_ns = INT64_MIN;
  std::int64_t video_packets = 0;
  std::int64_t source_video_packets = 0;
  std::int64_t last_video_dts = INT64_MIN;
  std::vector<std::string> damage;
  std::unique_ptr<FfmpegLogWatch> log;  // FFmpeg's warnings while it reads the input
  std::unique_ptr<FfmpegLogWatch> muxer_log;  // the muxer's: its failures are reported by write()
  mutable std::mutex mutex;

  ~State() {
    log.reset();
    muxer_log.reset();
    av_packet_free(&pending);
    av_bsf_free(&bitstream_filter);
    if (out != nullptr) {
      if (out->pb != nullptr) avio_closep(&out->pb);
      avformat_free_context(out);
    }
    if (in != nullptr) avformat_close_input(&in);
  }

  void write(AVPacket* packet, const char* what) {
    const int status = av_interleaved_write_frame(out, packet);
    if (status < 0) throw Error(options.output.string() + ": cannot write " + what + ": " + av_error(status));
  }

  // Encodes what the converter's FIFO holds in whole frames (all of it when
  // flushing) and writes the packets.
  void drain_converter(Output& output, bool flush) {
    AudioConverter& c = *output.converter;
    AVStream* stream = out->streams[output.out_index];
    const int frame_size = c.encoder->frame_size > 0 ? c.encoder->frame_size : 4096;
    while (av_audio_fifo_size(c.fifo) >= frame_size || (flush && av_audio_fifo_size(c.fifo) > 0)) {
      const int samples = std::min(frame_size, av_audio_fifo_size(c.fifo));
      AVFrame* frame = av_frame_alloc();
      frame->nb_samples = samples;
      frame->format = c.encoder->sample_fmt;
      av_channel_layout_copy(&frame->ch_layout, &c.encoder->ch_layout);
      frame->sample_rate = c.encoder->sample_rate;
      if (av_frame_get_buffer(frame, 0) < 0) throw Error("out of memory converting audio");
      av_audio_fifo_read(c.fifo, reinterpret_cast<void**>(frame->data), samples);
      frame->pts = c.next_pts;
      c.next_pts += samples;
      const int status = avcodec_send_frame(c.encoder, frame);
      av_frame_free(&frame);
      if (status < 0) throw Error("cannot encode audio stream: " + av_error(status));
      receive_encoded(output, stream);
    }
    if (flush) {
      avcodec_send_frame(c.encoder, nullptr);
      receive_encoded(output, stream);
    }
  }

  void receive_encoded(Output& output, AVStream* stream) {
    AVPacket* packet = av_packet_alloc();
    while (avcodec_receive_packet(output.converter->encoder, packet) == 0) {
      av_packet_rescale_ts(packet, output.converter->encoder->time_base, stream->time_base);
      packet->stream_index = output.out_index;
      write(packet, "converted audio");
    }
    av_packet_free(&packet);
  }

  void convert(Output& output, AVPacket* packet) {
    AudioConverter& c = *output.converter;
    if (avcodec_send_packet(c.decoder, packet) < 0) {
      damage.push_back(options.source.string() + ": an audio packet could not be decoded");
      return;
    }
    while (avcodec_receive_frame(c.decoder, c.frame) == 0) {
      if (c.next_pts == AV_NOPTS_VALUE) {
        c.next_pts = c.frame->pts != AV_NOPTS_VALUE
                         ? av_rescale_q(c.frame->pts, c.decoder->pkt_timebase, AVRational{1, c.encoder->sample_rate})
                         : 0;
      }
      std::uint8_t** converted = nullptr;
      if (av_samples_alloc_array_and_samples(&converted, nullptr, c.encoder->ch_layout.nb_channels,
                                             c.frame->nb_samples, c.encoder->sample_fmt, 0) < 0) {
        throw Error("out of memory converting audio");
      }
      const int samples = swr_convert(c.resampler, converted, c.frame->nb_samples,
                                      const_cast<const std::uint8_t**>(c.frame->extended_data), c.frame->nb_samples);
      if (samples > 0) av_audio_fifo_write(c.fifo, reinterpret_cast<void**>(converted), samples);
      av_freep(&converted[0]);
      av_freep(&converted);
      av_frame_unref(c.frame);
      drain_converter(output, false);
    }
  }

  std::int64_t packet_time_ns(const AVPacket* packet) const {
    const std::int64_t ts = packet->dts != AV_NOPTS_VALUE ? packet->dts : packet->pts;
    if (ts == AV_NOPTS_VALUE) return INT64_MIN;  // goes with what precedes it
    return av_rescale_q(ts, in->streams[packet->stream_index]->time_base, kNanoseconds);
  }

  // Writes the input's other streams up to `until_ns` (stream time).
  void pump(std::int64_t until_ns, bool drop_beyond) {
    if (!options.read_source_streams) return;
    while (!input_done) {
      if (pending == nullptr) {
        pending = av_packet_alloc();
        const int status = av_read_frame(in, pending);
        if (status < 0) {
          if (status != AVERROR_EOF) {
            damage.push_back(options.source.string() + ": reading stopped early: " + av_error(status));
          } else if (const auto cut = cut_inside_framing(in->iformat->name, in->pb ? avio_size(in->pb) : -1)) {
            damage.push_back(options.source.string() + ": " + *cut);
          }
          input_done = true;
          av_packet_free(&pending);
          break;
        }
        if (pending->stream_index == options.source_video && pending->size > 0 &&
            !(pending->flags & AV_PKT_FLAG_DISCARD)) {
          ++source_video_packets;
          if (pending->flags & AV_PKT_FLAG_CORRUPT) {
            damage.push_back(options.source.string() + ": a packet of the picture is damaged");
          }
        }
        if (outputs.count(pending->stream_index) == 0) {
          av_packet_free(&pending);
          continue;
        }
        if (pending->flags & AV_PKT_FLAG_CORRUPT) {
          // Cut short (a truncated file): it would not decode; said, not copied.
          damage.push_back(options.source.string() + ": a packet of stream " + std::to_string(pending->stream_index) +
                           " is incomplete and is left out");
          av_packet_free(&pending);
          continue;
        }
      }
      const std::int64_t t = packet_time_ns(pending);
      if (t != INT64_MIN && t > until_ns) {
        if (!drop_beyond) break;
        av_packet_free(&pending);
        continue;
      }
      Output& output = outputs.at(pending->stream_index);
      if (output.header_only) {
        av_packet_free(&pending);
      } else if (output.converter) {
        convert(output, pending);
        av_packet_free(&pending);
      } else {
        const int stream = pending->stream_index;
        if (pending->pts != AV_NOPTS_VALUE) pending->pts += output.shift_in;
        if (pending->dts != AV_NOPTS_VALUE) pending->dts += output.shift_in;
        const AVRational out_base = out->streams[output.out_index]->time_base;
        av_packet_rescale_ts(pending, in->streams[stream]->time_base, out_base);
        const std::int64_t shift_out = av_rescale_q(output.shift_out_48k, AVRational{1, 48000}, out_base);
        if (pending->pts != AV_NOPTS_VALUE) pending->pts -= shift_out;
        if (pending->dts != AV_NOPTS_VALUE) pending->dts -= shift_out;
        pending->stream_index = output.out_index;
        pending->pos = -1;
        const int status = av_interleaved_write_frame(out, pending);
        if (status == AVERROR_INVALIDDATA) {
          // A damaged packet the container's own framing cannot take (ADTS
          // headers of AAC in MPEG-TS): said, not written.
          damage.push_back(options.source.string() + ": a damaged packet of stream " + std::to_string(stream) +
                           " is left out");
        } else if (status < 0) {
          throw Error(options.output.string() + ": cannot write a carried stream: " + av_error(status));
        }
        av_packet_free(&pending);
      }
    }
  }
};

namespace {

AVCodecID video_codec_id(const std::string& codec) {
  if (codec == "ffv1") return AV_CODEC_ID_FFV1;
  if (codec == "prores") return AV_CODEC_ID_PRORES;
  if (codec == "h264") return AV_CODEC_ID_H264;
  throw Error("no muxing for video codec '" + codec + "'");
}

std::unique_ptr<AudioConverter> make_converter(const AVStream* input, Carriage carriage, const std::string& source) {
  auto c = std::make_unique<AudioConverter>();
  const AVCodec* decoder = avcodec_find_decoder(input->codecpar->codec_id);
  if (decoder == nullptr) throw InputError(source + ": no decoder for audio stream " + std::to_string(input->index));
  c->decoder = avcodec_alloc_context3(decoder);
  avcodec_parameters_to_context(c->decoder, input->codecpar);
  c->decoder->pkt_timebase = input->time_base;
  if (avcodec_open2(c->decoder, decoder, nullptr) < 0) {
    throw InputError(source + ": cannot decode audio stream " + std::to_string(input->index));
  }
  const int bits = input->codecpar->bits_per_raw_sample > 0 ? input->codecpar->bits_per_raw_sample
                                                             : av_get_bytes_per_sample(c->decoder->sample_fmt) * 8;
  const bool deep = bits > 16;
  AVCodecID id = AV_CODEC_ID_PCM_S16LE;
  AVSampleFormat format = AV_SAMPLE_FMT_S16;
  if (carriage == Carriage::flac) {
    id = AV_CODEC_ID_FLAC;
    format = deep ? AV_SAMPLE_FMT_S32 : AV_SAMPLE_FMT_S16;
  } else if (carriage == Carriage::alac) {
    id = AV_CODEC_ID_ALAC;
    format = deep ? AV_SAMPLE_FMT_S32P : AV_SAMPLE_FMT_S16P;
  } else {
    id = bits > 24 ? AV_CODEC_ID_PCM_S32LE : deep ? AV_CODEC_ID_PCM_S24LE : AV_CODEC_ID_PCM_S16LE;
    format = deep ? AV_SAMPLE_FMT_S32 : AV_SAMPLE_FMT_S16;
  }
  const AVCodec* encoder = avcodec_find_encoder(id);
  if (encoder == nullptr) throw Error("FFmpeg lacks the lossless audio encoder " + std::string(avcodec_get_name(id)));
  c->encoder = avcodec_alloc_context3(encoder);
  c->encoder->sample_fmt = format;
  c->encoder->sample_rate = c->decoder->sample_rate;
  if (c->decoder->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
    // PCM in AVI or Matroska often says only how many channels: the usual layout for that count.
    const int channels = c->decoder->ch_layout.nb_channels;
    av_channel_layout_uninit(&c->decoder->ch_layout);
    av_channel_layout_default(&c->decoder->ch_layout, channels);
  }
  av_channel_layout_copy(&c->encoder->ch_layout, &c->decoder->ch_layout);
  c->encoder->time_base = AVRational{1, c->decoder->sample_rate};
  c->encoder->bits_per_raw_sample = deep ? std::min(bits, 24) : 16;
  if (id == AV_CODEC_ID_PCM_S32LE) c->encoder->bits_per_raw_sample = 32;
  c->encoder->compression_level = carriage == Carriage::flac ? 5 : c->encoder->compression_level;
  if (avcodec_open2(c->encoder, encoder, nullptr) < 0) {
    throw Error("cannot open the " + std::string(avcodec_get_name(id)) + " encoder for audio stream " +
                std::to_string(input->index));
  }
  if (swr_alloc_set_opts2(&c->resampler, &c->encoder->ch_layout, c->encoder->sample_fmt, c->encoder->sample_rate,
                          &c->decoder->ch_layout, c->decoder->sample_fmt, c->decoder->sample_rate, 0, nullptr) < 0 ||
      swr_init(c->resampler) < 0) {
    throw Error("cannot convert the samples of audio stream " + std::to_string(input->index));
  }
  c->fifo = av_audio_fifo_alloc(c->encoder->sample_fmt, c->encoder->ch_layout.nb_channels, 1);
  c->frame = av_frame_alloc();
  return c;
}

// A bitstream filter that writes the colour tags into the picture's own
// headers (ProRes frame headers, H.264 VUI), where decoders look first.
AVBSFContext* colour_filter(const std::string& codec, const ColourTags& colour, const AVCodecParameters* parameters,
                            AVRational time_base) {
  const char* name = codec == "prores" ? "prores_metadata" : codec == "h264" ? "h264_metadata" : nullptr;
  if (name == nullptr) return nullptr;
  const AVBitStreamFilter* filter = av_bsf_get_by_name(name);
  if (filter == nullptr) return nullptr;
  AVBSFContext* context = nullptr;
  if (av_bsf_alloc(filter, &context) < 0) return nullptr;
  avcodec_parameters_copy(context->par_in, parameters);
  context->time_base_in = time_base;
  if (codec == "prores") {
    av_opt_set_int(context->priv_data, "color_primaries", colour.primaries, 0);
    av_opt_set_int(context->priv_data, "color_trc", colour.transfer, 0);
    av_opt_set_int(context->priv_data, "colorspace", colour.matrix, 0);
  } else {
    av_opt_set_int(context->priv_data, "colour_primaries", colour.primaries, 0);
    av_opt_set_int(context->priv_data, "transfer_characteristics", colour.transfer, 0);
    av_opt_set_int(context->priv_data, "matrix_coefficients", colour.matrix, 0);
    if (colour.range != 0) av_opt_set_int(context->priv_data, "video_full_range_flag", colour.range == 2 ? 1 : 0, 0);
    if (colour.chroma_location > 0) {
      av_opt_set_int(context->priv_data, "chroma_sample_loc_type", colour.chroma_location - 1, 0);
    }
  }
  if (av_bsf_init(context) < 0) {
    av_bsf_free(&context);
    return nullptr;
  }
  return context;
}

}  // namespace

MediaWriter::MediaWriter(MediaWriterOptions options, VideoStreamFormat video) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.options = std::move(options);
  const std::string source = s.options.source.string();
  // What FFmpeg warns of while it reads the input (from the first look on:
  // a small file is read whole by then) tells of damage.
  s.in = avformat_alloc_context();
  if (s.in == nullptr) throw Error("out of memory opening '" + source + "'");
  s.log = std::make_unique<FfmpegLogWatch>(s.in);
  int status = avformat_open_input(&s.in, source.c_str(), nullptr, nullptr);
  if (status < 0) throw InputError("cannot open input '" + source + "': " + av_error(status));
  status = avformat_find_stream_info(s.in, nullptr);
  if (status < 0) throw InputError("cannot read the streams of '" + source + "': " + av_error(status));
  if (s.options.source_video >= 0 && s.options.source_video < static_cast<int>(s.in->nb_streams)) {
    const AVStream* in_video = s.in->streams[s.options.source_video];
    if (in_video->start_time != AV_NOPTS_VALUE) {
      s.video_start_ns = av_rescale_q(in_video->start_time, in_video->time_base, kNanoseconds);
    }
    if (s.options.video_first_time >= 0) {
      // The input's own timestamp of the packet the picture's demuxer timed.
      AVFormatContext* scan = nullptr;
      if (avformat_open_input(&scan, source.c_str(), nullptr, nullptr) == 0) {
        AVPacket* packet = av_packet_alloc();
        int seen = 0;
        while (av_read_frame(scan, packet) >= 0) {
          const bool match = packet->stream_index == s.options.source_video;
          if (match && packet->pts != AV_NOPTS_VALUE && seen++ == s.options.video_first_index) {
            s.time_offset_ns = av_rescale_q(packet->pts, scan->streams[packet->stream_index]->time_base, kNanoseconds) -
                               s.options.video_first_time;
            s.time_offset_known = true;
            av_packet_unref(packet);
            break;
          }
          av_packet_unref(packet);
        }
        av_packet_free(&packet);
        avformat_close_input(&scan);
      }
    }
  }

  const std::string output = s.options.output.string();
  status = avformat_alloc_output_context2(&s.out, nullptr, nullptr, output.c_str());
  if (status < 0 || s.out == nullptr) throw Error(output + ": no muxer for this file name: " + av_error(status));
  s.muxer_log = std::make_unique<FfmpegLogWatch>(s.out);
  const bool mov_family = std::string(s.out->oformat->name) == "mov" || std::string(s.out->oformat->name) == "mp4";
  s.matroska = std::string(s.out->oformat->name) == "matroska";

  // The picture.
  AVStream* v = avformat_new_stream(s.out, nullptr);
  s.video_out = v->index;
  AVCodecParameters* p = v->codecpar;
  p->codec_type = AVMEDIA_TYPE_VIDEO;
  p->codec_id = video_codec_id(video.codec);
  p->width = video.width;
  p->height = video.height;
  p->sample_aspect_ratio = AVRational{video.sar_num, video.sar_den};
  v->sample_aspect_ratio = p->sample_aspect_ratio;
  p->color_space = static_cast<AVColorSpace>(s.options.colour.matrix);
  p->color_primaries = static_cast<AVColorPrimaries>(s.options.colour.primaries);
  p->color_trc = static_cast<AVColorTransferCharacteristic>(s.options.colour.transfer);
  p->color_range = static_cast<AVColorRange>(s.options.colour.range);
  p->chroma_location = static_cast<AVChromaLocation>(s.options.colour.chroma_location);
  p->field_order = !video.interlaced ? AV_FIELD_PROGRESSIVE : video.top_field_first ? AV_FIELD_TT : AV_FIELD_BB;
  if (video.codec == "prores" && mov_family) p->codec_tag = prores_tag(video.prores_variant);
  if (!video.extradata.empty()) {
    p->extradata = static_cast<std::uint8_t*>(av_mallocz(video.extradata.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    std::memcpy(p->extradata, video.extradata.data(), video.extradata.size());
    p->extradata_size = static_cast<int>(video.extradata.size());
  }
  if (video.rate_num > 0) {
    v->avg_frame_rate = AVRational{video.rate_num, video.rate_den};
    v->r_frame_rate = v->avg_frame_rate;
    v->time_base = AVRational{video.rate_den, video.rate_num};
  } else {
    v->time_base = AVRational{1, 90000};
  }
  if (s.options.source_video >= 0 && s.options.source_video < static_cast<int>(s.in->nb_streams)) {
    const AVStream* in_video = s.in->streams[s.options.source_video];
    copy_tags(in_video->metadata, &v->metadata);
    v->disposition = in_video->disposition;
    for (int k = 0; k < in_video->nb_side_data; ++k) {
      const AVPacketSideData& side = in_video->side_data[k];
      if (side.type != AV_PKT_DATA_DISPLAYMATRIX) continue;
      if (std::uint8_t* data = av_stream_new_side_data(v, side.type, side.size); data != nullptr) {
        std::memcpy(data, side.data, side.size);
      }
    }
  }
  // The start timecode, wherever the input keeps it (the container, the
  // video stream, a timecode track): on the new picture stream, from which
  // QuickTime makes its timecode track and Matroska a TIMECODE tag.
  if (av_dict_get(v->metadata, "timecode", nullptr, 0) == nullptr) {
    const AVDictionaryEntry* timecode = av_dict_get(s.in->metadata, "timecode", nullptr, 0);
    for (unsigned i = 0; timecode == nullptr && i < s.in->nb_streams; ++i) {
      timecode = av_dict_get(s.in->streams[i]->metadata, "timecode", nullptr, 0);
    }
    if (timecode != nullptr) av_dict_set(&v->metadata, "timecode", timecode->value, 0);
  }
  s.bitstream_filter = colour_filter(video.codec, s.options.colour, p, kNanoseconds);
  if (s.bitstream_filter != nullptr) {
    // The filter may rewrite the parameter sets (H.264's SPS holds the VUI).
    const unsigned tag = p->codec_tag;
    avcodec_parameters_copy(p, s.bitstream_filter->par_out);
    p->codec_tag = tag;
  }

  // Every other stream the plan carries.
  for (const StreamDecision& decision : s.options.streams) {
    if (decision.carriage != Carriage::copy && decision.carriage != Carriage::flac &&
        decision.carriage != Carriage::alac && decision.carriage != Carriage::pcm) {
      continue;
    }
    if (decision.index < 0 || decision.index >= static_cast<int>(s.in->nb_streams)) continue;
    const AVStream* input = s.in->streams[decision.index];
    AVStream* stream = avformat_new_stream(s.out, nullptr);
    State::Output entry;
    entry.out_index = stream->index;
    entry.carriage = decision.carriage;
    if (decision.carriage == Carriage::copy && s.matroska && (input->disposition & AV_DISPOSITION_ATTACHED_PIC) &&
        input->attached_pic.size > 0) {
      // Cover art: Matroska keeps it as an attachment named cover.*, which
      // readers show as the file's picture again.
      AVCodecParameters* attachment = stream->codecpar;
      attachment->codec_type = AVMEDIA_TYPE_ATTACHMENT;
      attachment->codec_id = input->codecpar->codec_id;
      const bool png = input->codecpar->codec_id == AV_CODEC_ID_PNG;
      attachment->extradata =
          static_cast<std::uint8_t*>(av_mallocz(static_cast<std::size_t>(input->attached_pic.size) + AV_INPUT_BUFFER_PADDING_SIZE));
      std::memcpy(attachment->extradata, input->attached_pic.data, static_cast<std::size_t>(input->attached_pic.size));
      attachment->extradata_size = input->attached_pic.size;
      av_dict_set(&stream->metadata, "filename", png ? "cover.png" : "cover.jpg", 0);
      av_dict_set(&stream->metadata, "mimetype", png ? "image/png" : "image/jpeg", 0);
      entry.header_only = true;
    } else if (decision.carriage == Carriage::copy) {
      avcodec_parameters_copy(stream->codecpar, input->codecpar);
      stream->codecpar->codec_tag = 0;  // the output container's own tag
      stream->time_base = input->time_base;
      // Opus's codec delay (pre-skip, 48 kHz samples): FFmpeg's Matroska
      // reader gives the block times less the delay rounded to the track's
      // time base (milliseconds); FFmpeg 5.1's Matroska writer states the
      // delay but writes blocks at the times it is given, so a reader would
      // subtract it twice. Matroska output: blocks at the times the delay is
      // to be subtracted from. Matroska input into a finer time base: the
      // block time less the exact delay (not a rounded millisecond early).
      const int delay = input->codecpar->codec_id == AV_CODEC_ID_OPUS ? input->codecpar->initial_padding : 0;
      const bool from_matroska = std::string(s.in->iformat->name).find("matroska") != std::string::npos;
#if LIBAVFORMAT_VERSION_MAJOR == 59
      const bool writer_offsets_blocks = false;
#else
      const bool writer_offsets_blocks = true;  // later writers offset the blocks themselves
#endif
      const bool block_times = s.matroska ? !writer_offsets_blocks : from_matroska;
      if (delay > 0 && block_times) {
        entry.shift_in = av_rescale_q(delay, AVRational{1, 48000}, input->time_base);
        if (!s.matroska) entry.shift_out_48k = delay;
      }
    } else {
      entry.converter = make_converter(input, decision.carriage, source);
      avcodec_parameters_from_context(stream->codecpar, entry.converter->encoder);
      stream->time_base = entry.converter->encoder->time_base;
    }
    copy_tags(input->metadata, &stream->metadata);
    if (!entry.header_only) stream->disposition = input->disposition;
    s.outputs.emplace(decision.index, std::move(entry));
  }

  // Chapters and global tags.
  for (unsigned i = 0; i < s.in->nb_chapters; ++i) {
    const AVChapter* from = s.in->chapters[i];
    auto* chapter = static_cast<AVChapter*>(av_mallocz(sizeof(AVChapter)));
    chapter->id = from->id;
    chapter->time_base = from->time_base;
    chapter->start = from->start;
    chapter->end = from->end;
    av_dict_copy(&chapter->metadata, from->metadata, 0);
    auto** chapters = static_cast<AVChapter**>(
        av_realloc_array(s.out->chapters, s.out->nb_chapters + 1, sizeof(AVChapter*)));
    if (chapters == nullptr) throw Error("out of memory copying chapters");
    s.out->chapters = chapters;
    s.out->chapters[s.out->nb_chapters++] = chapter;
  }
  copy_tags(s.in->metadata, &s.out->metadata);
  bool custom_keys = false;
  if (s.matroska) {
    if (!s.options.provenance.empty()) av_dict_set(&s.out->metadata, "RESTORE4K", s.options.provenance.c_str(), 0);
    if (!s.options.assumed.empty()) av_dict_set(&s.out->metadata, "RESTORE4K_ASSUMED", s.options.assumed.c_str(), 0);
    if (!s.options.job_stamp.empty()) av_dict_set(&s.out->metadata, "RESTORE4K_JOB", s.options.job_stamp.c_str(), 0);
    // Filled in by finish(): Matroska's tags are written before the packets.
    av_dict_set(&s.out->metadata, "RESTORE4K_INPUT", std::string(kStatusLength, kStatusFiller).c_str(), 0);
  }
  const AVDictionaryEntry* entry = nullptr;
  while ((entry = av_dict_get(s.out->metadata, "", entry, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
    custom_keys = custom_keys || !standard_mov_key(entry->key);
  }

  // Matroska holds negative timestamps (AAC priming, Opus pre-skip, B-frame
  // delays of carried streams): shifting every stream to avoid them would
  // move the whole film against its input.
  if (s.matroska) s.out->avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED;
  status = avio_open(&s.out->pb, output.c_str(), AVIO_FLAG_WRITE);
  if (status < 0) throw Error(output + ": cannot create: " + av_error(status));
  AVDictionary* muxer_options = nullptr;
  if (mov_family && custom_keys) av_dict_set(&muxer_options, "movflags", "use_metadata_tags", 0);
  status = avformat_write_header(s.out, &muxer_options);
  av_dict_free(&muxer_options);
  if (status < 0) throw Error(output + ": cannot write the header: " + av_error(status));
  s.header_written = true;
}

MediaWriter::~MediaWriter() = default;

void MediaWriter::write_video(const std::uint8_t* data, std::size_t size, std::int64_t pts_ns,
                              std::optional<std::int64_t> dts_ns, std::int64_t duration_ns, bool keyframe) {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.time_offset_known) {
    s.time_offset_ns = s.video_start_ns - pts_ns;
    s.time_offset_known = true;
  }
  pts_ns += s.time_offset_ns;
  const std::int64_t decode_ns = dts_ns ? *dts_ns + s.time_offset_ns : pts_ns;
  s.pump(decode_ns, false);
  AVPacket* packet = av_packet_alloc();
  if (av_new_packet(packet, static_cast<int>(size)) < 0) throw Error("out of memory writing video");
  std::memcpy(packet->data, data, size);
  // In the input's own timeline, so the other streams stay in step.
  packet->pts = pts_ns;
  packet->dts = decode_ns;
  if (s.last_video_dts != INT64_MIN && packet->dts <= s.last_video_dts) packet->dts = s.last_video_dts + 1;
  if (packet->dts > packet->pts) packet->dts = packet->pts;
  s.last_video_dts = packet->dts;
  packet->duration = duration_ns > 0 ? duration_ns : 0;
  if (keyframe) packet->flags |= AV_PKT_FLAG_KEY;
  s.video_end_ns = std::max(s.video_end_ns, pts_ns + std::max<std::int64_t>(duration_ns, 0));
  const auto send = [&](AVPacket* pkt) {
    av_packet_rescale_ts(pkt, kNanoseconds, s.out->streams[s.video_out]->time_base);
    pkt->stream_index = s.video_out;
    s.write(pkt, "the video");
  };
  if (s.bitstream_filter != nullptr) {
    if (av_bsf_send_packet(s.bitstream_filter, packet) < 0) throw Error("cannot tag the video's colour");
    while (av_bsf_receive_packet(s.bitstream_filter, packet) == 0) send(packet);
  } else {
    send(packet);
  }
  av_packet_free(&packet);
  ++s.video_packets;
}

void MediaWriter::finish(bool stop_at_video_end, const std::string& input_status) {
  finish(stop_at_video_end, [&]() { return input_status; });
}

void MediaWriter::finish(bool stop_at_video_end, const std::function<std::string()>& status_of) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mutex);
  s.pump(stop_at_video_end ? s.video_end_ns : INT64_MAX, stop_at_video_end);
  lock.unlock();
  const std::string input_status = status_of();  // may ask for the counts
  lock.lock();
  for (auto& [index, output] : s.outputs) {
    if (!output.converter) continue;
    avcodec_send_packet(output.converter->decoder, nullptr);
    AudioConverter& c = *output.converter;
    while (avcodec_receive_frame(c.decoder, c.frame) == 0) {
      std::uint8_t** converted = nullptr;
      av_samples_alloc_array_and_samples(&converted, nullptr, c.encoder->ch_layout.nb_channels, c.frame->nb_samples,
                                         c.encoder->sample_fmt, 0);
      const int samples = swr_convert(c.resampler, converted, c.frame->nb_samples,
                                      const_cast<const std::uint8_t**>(c.frame->extended_data), c.frame->nb_samples);
      if (samples > 0) av_audio_fifo_write(c.fifo, reinterpret_cast<void**>(converted), samples);
      av_freep(&converted[0]);
      av_freep(&converted);
      av_frame_unref(c.frame);
    }
    s.drain_converter(output, true);
  }
  if (!s.matroska) {
    // QuickTime writes its tags at the end, and has no free-form ones without
    // changing how every tag is stored: what made the file, the input's status
    // and what was assumed go into its encoding-tool tag (the input's own was
    // about the old encoding).
    std::string text = s.options.provenance.empty() ? std::string("restore4k") : s.options.provenance;
    text += "/input:" + input_status;
    if (!s.options.assumed.empty()) text += "/assumed:" + s.options.assumed;
    if (!s.options.job_stamp.empty()) text += "/job:" + s.options.job_stamp;
    // (QuickTime's udta keeps it as "encoder", MP4's ilst as "encoding_tool".)
    av_dict_set(&s.out->metadata, std::string(s.out->oformat->name) == "mp4" ? "encoding_tool" : "encoder",
                text.c_str(), 0);
  }
  const int status = av_write_trailer(s.out);
  if (status < 0) throw Error(s.options.output.string() + ": cannot finish the file: " + av_error(status));
  if (avio_closep(&s.out->pb) < 0) throw Error(s.options.output.string() + ": cannot close the file (disk full?)");
  if (s.matroska) patch_matroska_status(s.options.output, input_status);
}

std::int64_t MediaWriter::video_packets() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->video_packets;
}

std::int64_t MediaWriter::source_video_packets() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->source_video_packets;
}

std::vector<std::string> MediaWriter::damage() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  std::vector<std::string> all = state_->damage;
  if (state_->log) {
    for (const std::string& message : state_->log->damage()) all.push_back(state_->options.source.string() + ": " + message);
  }
  return all;
}

}  // namespace r4k::encode
