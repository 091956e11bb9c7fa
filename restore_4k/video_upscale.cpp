#include "restore_4k/video_upscale.hpp"

#include <gst/gst.h>
#include <spdlog/spdlog.h>

#include "infer/model_spec.hpp"
#include "preprocess/error.hpp"
#include "restore_4k/output_file.hpp"

namespace r4k::restore {
namespace {

// The restoration element: frames leaving it are the progress (every one of
// them reaches the file), and an interrupt stops the video in front of it.
constexpr const char* kRestoreName = "restore";

bool element_available(const std::string& name) {
  pipeline::initialise_gstreamer();
  GstElementFactory* factory = gst_element_factory_find(name.c_str());
  if (factory == nullptr) return false;
  gst_object_unref(factory);
  return true;
}

// The demuxer whose pads have stable names (video_0, audio_0, ...), so the
// pipeline can be written down as a gst-launch-1.0 line.
std::string demuxer_for(const std::string& container) {
  if (container.find("mp4") != std::string::npos || container.find("mov") != std::string::npos) return "qtdemux";
  if (container.find("matroska") != std::string::npos) return "matroskademux";
  if (container == "avi") return "avidemux";
  return "";
}

// The raw format r4ksuperres works in: the decoder's own where it can, so
// 10-bit stays 10-bit and 4:4:4 stays 4:4:4.
std::string processing_format(const std::string& pixel_format) {
  const bool deep = pixel_format.find("10") != std::string::npos || pixel_format.find("12") != std::string::npos ||
                    pixel_format.find("16") != std::string::npos;
  const bool chroma_422 = pixel_format.rfind("yuv422", 0) == 0 || pixel_format.rfind("yuvj422", 0) == 0;
  if (deep) {
    if (pixel_format.rfind("gray", 0) == 0) return "GRAY16_LE";
    return chroma_422 ? "I422_10LE" : "I420_10LE";
  }
  if (chroma_422) return "Y42B";
  if (pixel_format == "yuv444p" || pixel_format == "yuvj444p") return "Y444";
  if (pixel_format == "gray") return "GRAY8";
  if (pixel_format == "rgb24" || pixel_format == "bgr24" || pixel_format.find("rgb") != std::string::npos ||
      pixel_format.find("bgr") != std::string::npos || pixel_format.find("gbr") != std::string::npos) {
    return "RGB";
  }
  return "I420";
}

struct EncoderSetup {
  std::vector<std::string> extensions;
  std::string muxer;  // for the first extension
  std::vector<std::string> elements;
};

EncoderSetup encoder_setup(VideoEncoder encoder, const std::string& format, const std::filesystem::path& output) {
  switch (encoder) {
    case VideoEncoder::prores:
      // ProRes 422 HQ: 10-bit 4:2:2.
      return {{".mov"}, "qtmux", {"video/x-raw,format=I422_10LE", "!", "avenc_prores_ks", "profile=hq"}};
    case VideoEncoder::x264: {
      const std::string muxer = lower_extension(output) == ".mp4" ? "mp4mux" : "matroskamux";
      return {{".mkv", ".mp4"}, muxer, {"video/x-raw,format=I420_10LE", "!", "x264enc", "speed-preset=medium"}};
    }
    case VideoEncoder::ffv1:
    default: {
      // Lossless; keep the processing format (FFV1 takes all of them but RGB,
      // which it stores as BGRx).
      const std::string caps = format == "RGB" ? "BGRx" : format;
      return {{".mkv"}, "matroskamux", {"video/x-raw,format=" + caps, "!", "avenc_ffv1", "slicecrc=1"}};
    }
  }
}

// A number as gst-launch-1.0 and YAML read it back: "1", "0.5".
std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// Muxers take audio only from a parser (framed, with its caps complete);
// parsing leaves the packets as they are.
std::string audio_parser(const std::string& codec) {
  if (codec == "aac") return "aacparse";
  if (codec == "mp3" || codec == "mp2") return "mpegaudioparse";
  if (codec == "ac3" || codec == "eac3") return "ac3parse";
  if (codec == "opus") return "opusparse";
  if (codec == "flac") return "flacparse";
  if (codec == "dts") return "dcaparse";
  return "";
}

// Settings that cannot work with this input, found before anything runs.
void check_restoration(const VideoJob& job, const decode::VideoStreamInfo& video, const std::string& format) {
  const bool subsampled = format != "Y444" && format != "RGB" && format.rfind("GRAY", 0) != 0;
  if (subsampled && (video.width % 2 != 0 || (format != "Y42B" && format != "I422_10LE" && video.height % 2 != 0))) {
    throw InputError("input '" + job.input.string() + "' is " + std::to_string(video.width) + "x" +
                     std::to_string(video.height) + " in " + video.pixel_format +
                     ": subsampled chroma needs an even size; crop or pad it by a pixel first");
  }
  if (job.fit_width > 0 && (job.fit_width < video.width || job.fit_height < video.height)) {
    throw InputError("fit " + std::to_string(job.fit_width) + "x" + std::to_string(job.fit_height) +
                     " is smaller than the input '" + job.input.string() + "' (" + std::to_string(video.width) + "x" +
                     std::to_string(video.height) + "): restoration fits into a larger frame (e.g. 3840x2160)");
  }
  if (job.fit_mode != "pad" && job.fit_mode != "crop") {
    throw InputError("fit mode '" + job.fit_mode + "': expected pad or crop");
  }
  if (job.colorimetry != "keep" && job.colorimetry != "bt709" && job.colorimetry != "bt2020") {
    throw InputError("colour '" + job.colorimetry + "': expected keep, bt709 or bt2020");
  }
  if (job.denoise < 0.0 || job.denoise > 4.0) {
    throw InputError("denoise strength " + format_number(job.denoise) + ": expected 0 (off) to 4");
  }
  if (job.deflicker_radius < 1 || job.deflicker_radius > 100) {
    throw InputError("deflicker radius " + std::to_string(job.deflicker_radius) + ": expected 1 to 100");
  }
}

void append(pipeline::PipelineArguments& arguments, std::initializer_list<std::string> items) {
  arguments.insert(arguments.end(), items);
}

}  // namespace

VideoEncoder parse_video_encoder(const std::string& text) {
  if (text == "ffv1") return VideoEncoder::ffv1;
  if (text == "prores") return VideoEncoder::prores;
  if (text == "x264") return VideoEncoder::x264;
  throw InputError("unknown encoder '" + text + "': expected ffv1, prores or x264");
}

std::string video_extension(VideoEncoder encoder) { return encoder == VideoEncoder::prores ? ".mov" : ".mkv"; }

std::string to_string(VideoEncoder encoder) {
  switch (encoder) {
    case VideoEncoder::prores:
      return "prores";
    case VideoEncoder::x264:
      return "x264";
    case VideoEncoder::ffv1:
    default:
      return "ffv1";
  }
}

VideoPlan plan_video(const VideoJob& job, const std::filesystem::path& location) {
  VideoPlan plan;
  plan.media = decode::probe_media(job.input);
  if (plan.media.video.empty()) {
    throw InputError("input '" + job.input.string() + "' has no video stream");
  }
  const decode::VideoStreamInfo& video = plan.media.video.front();
  const std::string format = processing_format(video.pixel_format);
  const EncoderSetup encoder = encoder_setup(job.encoder, format, job.output);
  check_output_path(job.output, job.input, encoder.extensions);
  check_restoration(job, video, format);

  // The model itself is loaded once, by r4ksuperres when the pipeline starts
  // (a model that cannot load stops it before any file is opened); a
  // missing or misnamed model is caught here already.
  infer::resolve_model(job.model);
  plan.decoder = decode::choose_decoder(video.codec, job.decoder, element_available);
  const std::string demuxer = demuxer_for(plan.media.container);

  auto& a = plan.arguments;
  append(a, {"filesrc", "location=" + job.input.string(), "!"});
  if (demuxer.empty() || plan.decoder.decoder == "decodebin") {
    spdlog::warn("container '{}' or codec '{}' has no fixed demuxer/decoder here: decoding with decodebin; audio "
                 "and subtitles are not carried over",
                 plan.media.container, video.codec);
    append(a, {"decodebin", "!"});
  } else {
    append(a, {demuxer, "name=demux", "demux.video_0", "!", "queue", "!"});
    if (!plan.decoder.parser.empty()) append(a, {plan.decoder.parser, "!"});
    append(a, {plan.decoder.decoder, "!"});
  }
  // The restoration chain is one r4krestore element (deinterlace, clean-up,
  // super-resolution, fit, colour), so that the gst-launch-1.0 line of
  // --dry-run is the pipeline that runs.
  if (video.interlaced()) {
    if (!job.deinterlace) {
      throw InputError("input '" + job.input.string() + "' is interlaced (" + video.field_order +
                       "): switch deinterlacing on (video.deinterlace: true, or leave out --no-deinterlace); the "
                       "restoration stages work on whole frames");
    }
    spdlog::info("input is interlaced ({}): deinterlacing before restoration", video.field_order);
  }
  char color[16];
  std::snprintf(color, sizeof color, "0x%06x", job.pad_color);
  append(a, {"videoconvert", "!", "video/x-raw,format=" + format, "!", "queue", "max-size-buffers=4",
             "max-size-bytes=0", "max-size-time=0", "!", "r4krestore", "name=restore",
             std::string("deinterlace=") + (job.deinterlace ? "true" : "false"),
             std::string("deflicker=") + (job.deflicker ? "true" : "false"),
             "deflicker-radius=" + std::to_string(job.deflicker_radius), std::string("dust=") + (job.dust ? "true" : "false"),
             std::string("scratches=") + (job.scratches ? "true" : "false"), "denoise=" + format_number(job.denoise),
             "model=" + job.model, "backend=" + job.engine.backend, "tile-size=" + std::to_string(job.tile_size),
             "halo=" + std::to_string(job.halo), "threads=" + std::to_string(job.engine.threads),
             "batch=" + std::to_string(job.batch), "width=" + std::to_string(job.fit_width),
             "height=" + std::to_string(job.fit_height), "fit-mode=" + job.fit_mode,
             std::string("pad-color=") + color, "colorimetry=" + job.colorimetry, "!", "queue", "max-size-buffers=4",
             "max-size-bytes=0", "max-size-time=0", "!"});
  append(a, {"videoconvert", "!"});
  a.insert(a.end(), encoder.elements.begin(), encoder.elements.end());
  append(a, {"!", "queue", "!", encoder.muxer, "name=mux", "!", "filesink", "location=" + location.string()});

  if (!demuxer.empty() && plan.decoder.decoder != "decodebin") {
    // Audio (and, in Matroska, subtitles) go to the muxer untouched. Their
    // queues must hold as much as the video branch delays (an encoder's
    // look-ahead can be seconds); the demuxer still cannot run ahead,
    // because it blocks on the bounded video queue.
    if (!job.audio && !plan.media.audio.empty()) {
      spdlog::info("audio is left out (video.audio: false)");
    }
    for (std::size_t i = 0; job.audio && i < plan.media.audio.size(); ++i) {
      const std::string queue = "audio_queue_" + std::to_string(i);
      append(a, {"demux.audio_" + std::to_string(i), "!", "queue", "name=" + queue, "max-size-time=0",
                 "max-size-bytes=0", "max-size-buffers=0", "!"});
      plan.cut_others.push_back(queue + ".src");
      const std::string parser = audio_parser(plan.media.audio[i].codec);
      if (!parser.empty() && element_available(parser)) append(a, {parser, "!"});
      append(a, {"mux.audio_%u"});
    }
    if (encoder.muxer == "matroskamux") {
      for (std::size_t i = 0; i < plan.media.subtitles.size(); ++i) {
        // matroskamux takes SSA/ASS and DVD bitmaps as they come; SubRip
        // leaves the demuxer as Pango markup, which it refuses.
        const std::string& codec = plan.media.subtitles[i].codec;
        if (codec != "ass" && codec != "ssa" && codec != "dvd_subtitle") {
          spdlog::warn("subtitle stream {} ({}) is not carried over: Matroska muxing of it is not supported here", i,
                       codec);
          continue;
        }
        const std::string queue = "subtitle_queue_" + std::to_string(i);
        append(a, {"demux.subtitle_" + std::to_string(i), "!", "queue", "name=" + queue, "max-size-time=0",
                   "max-size-bytes=0", "max-size-buffers=0", "!"});
        plan.cut_others.push_back(queue + ".src");
        append(a, {"mux.subtitle_%u"});
      }
    } else if (!plan.media.subtitles.empty()) {
      spdlog::warn("{} cannot hold the input's subtitles; they are not carried over", encoder.muxer);
    }
  }
  return plan;
}

VideoResult upscale_video(const VideoJob& job) {
  OutputFile output(job.output);
  const VideoPlan plan = plan_video(job, output.temporary());
  const decode::VideoStreamInfo& video = plan.media.video.front();
  spdlog::info("{}: {} {}x{} {} ({} frames) -> {} {} with {}, decoder {}{}", job.input.string(), video.codec,
               video.width, video.height, video.pixel_format, video.frame_count, to_string(job.encoder),
               job.output.string(), job.model, plan.decoder.decoder, plan.decoder.hardware ? " (hardware)" : "");
  spdlog::debug("pipeline: {}", pipeline::gst_launch_line(plan.arguments));

  pipeline::PipelineRunOptions options;
  options.count_element = kRestoreName;
  options.interrupt = job.cancel;
  options.abort = job.abort;
  options.cut_video = std::string(kRestoreName) + ".sink";
  options.cut_others = plan.cut_others;
  if (job.progress) {
    const std::int64_t total = video.frame_count;
    options.progress = [&job, total](const pipeline::PipelineProgress& progress) {
      job.progress(progress.frames, total, progress.seconds);
    };
  }
  const pipeline::PipelineResult run = pipeline::run_pipeline(plan.arguments, options);
  // Interrupted before the first frame: there is nothing worth keeping.
  if (!run.interrupted || (job.keep_interrupted && run.frames > 0)) output.commit();
  VideoResult result;
  result.frames = run.frames;
  result.seconds = run.seconds;
  result.interrupted = run.interrupted;
  result.expected_frames = video.frame_count;
  return result;
}

std::pair<int, int> parse_frame_size(const std::string& text) {
  if (text.empty()) return {0, 0};
  const auto x = text.find('x');
  char* end = nullptr;
  const long width = x == std::string::npos ? 0 : std::strtol(text.c_str(), &end, 10);
  const bool width_ok = x != std::string::npos && end == text.c_str() + x;
  const long height = width_ok ? std::strtol(text.c_str() + x + 1, &end, 10) : 0;
  if (!width_ok || *end != '\0' || width < 2 || height < 2 || width > 32768 || height > 32768 || width % 2 ||
      height % 2) {
    throw InputError("frame size '" + text + "': expected WIDTHxHEIGHT, even, e.g. 3840x2160 or 4096x2160");
  }
  return {static_cast<int>(width), static_cast<int>(height)};
}

std::uint32_t parse_rgb_color(const std::string& text) {
  std::string hex = text;
  if (hex.rfind("0x", 0) == 0 || hex.rfind("0X", 0) == 0) hex = hex.substr(2);
  if (!hex.empty() && hex[0] == '#') hex = hex.substr(1);
  char* end = nullptr;
  const unsigned long value = hex.size() == 6 ? std::strtoul(hex.c_str(), &end, 16) : 0;
  if (hex.size() != 6 || *end != '\0') throw InputError("colour '" + text + "': expected 0xRRGGBB, e.g. 0x000000");
  return static_cast<std::uint32_t>(value);
}

}  // namespace r4k::restore
