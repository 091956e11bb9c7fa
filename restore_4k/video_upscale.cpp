#include "restore_4k/video_upscale.hpp"

#include "config/settings.hpp"

#include <gst/gst.h>

#include <algorithm>
#include <thread>
#include <spdlog/spdlog.h>

#include <gst/video/video.h>

#include "infer/model_spec.hpp"
#include "pipeline/demux_discovery.hpp"
#include "pipeline/queue_limits.hpp"
#include "core/error.hpp"
#include "encode/output_file.hpp"
#include "restore_4k/algorithm_record.hpp"
#include "restore_4k/result_stamp.hpp"
#include "restore_4k/thread_budget.hpp"

namespace r4k::restore {
namespace {

// The restoration element: frames leaving it are the progress (every one of
// them reaches the file), and an interrupt stops the video in front of it.
constexpr const char* kRestoreName = "restore";
// The file writer: told on an interrupt to end the other streams with the video.
constexpr const char* kMuxName = "mux";
// A join's source: the segments' packets leave it.
constexpr const char* kSegmentName = "segment";

// A number as gst-launch-1.0 and YAML read it back: "1", "0.5".
std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// Settings that cannot work with this input, found before anything runs.
void check_restoration(const VideoJob& job, const decode::VideoStreamInfo& video, std::vector<std::string>& problems) {
  if (job.fit_width > 0 && (job.fit_width < video.width || job.fit_height < video.height)) {
    problems.push_back("fit " + std::to_string(job.fit_width) + "x" + std::to_string(job.fit_height) +
                       " is smaller than the input (" + std::to_string(video.width) + "x" +
                       std::to_string(video.height) + "): restoration fits into a larger frame (e.g. 3840x2160)");
  }
  // Choices and ranges were checked once, by the settings table, when the job was made.
}

// The chroma subsampling a format needs the frame size to respect.
void check_frame_size(const decode::VideoStreamInfo& video, const std::string& format, std::vector<std::string>& problems) {
  int align_x = 1;
  int align_y = 1;
  if (format == "Y41B") align_x = 4;
  else if (format == "I420" || format == "NV12" || format.rfind("I420_", 0) == 0 || format.rfind("A420", 0) == 0 ||
           format == "P010_10LE") {
    align_x = align_y = 2;
  } else if (format == "Y42B" || format.rfind("I422_", 0) == 0 || format.rfind("A422", 0) == 0) {
    align_x = 2;
  }
  if (video.width % align_x != 0 || video.height % align_y != 0) {
    problems.push_back("the input is " + std::to_string(video.width) + "x" + std::to_string(video.height) + " in " +
                       video.pixel_format + ": its subsampled chroma needs a width that is a multiple of " +
                       std::to_string(align_x) + " and a height that is a multiple of " + std::to_string(align_y) +
                       "; crop or pad it by a pixel first");
  }
}

// GStreamer's deinterlace element works on these (8-bit) formats only.
bool deinterlacer_takes(const std::string& format) {
  for (const char* f : {"I420", "Y42B", "Y444", "Y41B", "NV12", "RGB", "BGR", "RGBx", "BGRx", "RGBA", "BGRA"}) {
    if (format == f) return true;
  }
  return false;
}

// The input's colour as caps colorimetry: its tags where it has them, and
// for an untagged Y'CbCr matrix the assumption every player makes (BT.601 up
// to 576 lines, BT.709 above), which GStreamer needs to keep the range.
std::string caps_colorimetry(const decode::VideoStreamInfo& video, bool rgb, std::string& assumption) {
  GstVideoColorimetry c;
  c.range = rgb                    ? GST_VIDEO_COLOR_RANGE_0_255
            : video.range_code == 2 ? GST_VIDEO_COLOR_RANGE_0_255
                                    : GST_VIDEO_COLOR_RANGE_16_235;
  c.matrix = rgb ? GST_VIDEO_COLOR_MATRIX_RGB : gst_video_color_matrix_from_iso(static_cast<guint>(video.matrix_code));
  c.transfer = gst_video_transfer_function_from_iso(static_cast<guint>(video.transfer_code));
  c.primaries = gst_video_color_primaries_from_iso(static_cast<guint>(video.primaries_code));
  assumption.clear();
  if (!rgb && video.range_code == 0) assumption = "range tv";
  if (!rgb && c.matrix == GST_VIDEO_COLOR_MATRIX_UNKNOWN) {
    c.matrix = video.height > 576 ? GST_VIDEO_COLOR_MATRIX_BT709 : GST_VIDEO_COLOR_MATRIX_BT601;
    assumption += std::string(assumption.empty() ? "" : ", ") + "matrix " + (video.height > 576 ? "bt709" : "bt601");
  }
  gchar* text = gst_video_colorimetry_to_string(&c);
  std::string result = text != nullptr ? text : "";
  g_free(text);
  return result;
}

// The output's colour tags for r4kmuxsink: "" keeps the input's own; a
// conversion writes the target's (ISO/IEC 23001-8 codes).
std::string output_colour(const VideoJob& job, const decode::VideoStreamInfo& video, const VideoFormatPlan& format) {
  if (job.colorimetry == "keep") return "";
  const bool bt2020 = job.colorimetry == "bt2020";
  const int matrix = format.rgb ? 0 : bt2020 ? 9 : 1;
  const int primaries = bt2020 ? 9 : 1;
  const bool deep = format.processing.find("_12") != std::string::npos;
  const int transfer = bt2020 ? (deep ? 15 : 14) : 1;
  const int range = format.rgb || video.range_code == 2 ? 2 : 1;  // the input's (limited when unstated)
  return std::to_string(matrix) + "," + std::to_string(primaries) + "," + std::to_string(transfer) + "," +
         std::to_string(range) + "," + std::to_string(video.chroma_location_code);
}

// A queue's limits (pipeline/queue_limits.hpp) and the link after it.
void append_queue_limits(pipeline::PipelineArguments& arguments) {
  for (const auto& limit : pipeline::queue_limit_arguments()) arguments.push_back(limit);
  arguments.push_back("!");
}

void append(pipeline::PipelineArguments& arguments, std::initializer_list<std::string> items) {
  arguments.insert(arguments.end(), items);
}

}  // namespace

VideoEncoder parse_video_encoder(const std::string& text) {
  const auto index = settings::choice_index("video.encoder", text);
  if (!index) throw InputError("video.encoder: " + settings::check(*settings::find("video.encoder"), text).message);
  return static_cast<VideoEncoder>(*index);
}

std::string video_extension(VideoEncoder encoder) { return encoder == VideoEncoder::prores ? ".mov" : ".mkv"; }

std::string to_string(VideoEncoder encoder) { return settings::choice_name("video.encoder", static_cast<int>(encoder)); }

VideoPlan plan_video(const VideoJob& job, const std::filesystem::path& location) {
  VideoPlan plan;
  plan.media = decode::probe_media(job.input);
  if (plan.media.video.empty()) {
    throw InputError("input '" + job.input.string() + "' has no video stream");
  }
  const decode::VideoStreamInfo& video = plan.media.video.front();
  encode::check_output_path(job.output, job.input, job.encoder == VideoEncoder::prores ? std::vector<std::string>{".mov"}
                                           : job.encoder == VideoEncoder::x264
                                               ? std::vector<std::string>{".mkv", ".mp4", ".mov"}
                                               : std::vector<std::string>{".mkv"});
  // Everything that cannot be kept, found before any work and said at once.
  std::vector<std::string> problems;
  try {
    plan.format = plan_video_format(video, job.encoder, job.input);
  } catch (const InputError& error) {
    problems.push_back(error.what());
  }
  check_restoration(job, video, problems);
  if (!plan.format.processing.empty()) check_frame_size(video, plan.format.processing, problems);
  if (video.interlaced()) {
    if (!job.deinterlace) {
      problems.push_back("input '" + job.input.string() + "' is interlaced (" + video.field_order +
                         "): switch deinterlacing on (video.deinterlace: true, or leave out --no-deinterlace); the "
                         "restoration stages work on whole frames");
    } else if (!plan.format.processing.empty() && !deinterlacer_takes(plan.format.processing)) {
      problems.push_back("input '" + job.input.string() + "' is interlaced " + video.pixel_format +
                         ": GStreamer 1.22's deinterlacer takes 8-bit 4:2:0, 4:2:2, 4:4:4, 4:1:1 and packed RGB "
                         "only, so deinterlacing it would lose samples; deinterlace it first into a lossless file");
    }
  }
  const std::string container = encode::lower_extension(job.output);
  if (job.encoder == VideoEncoder::prores && video.range_code == 2 && !plan.format.rgb) {
    problems.push_back("input '" + job.input.string() + "' is full range (pc): ProRes stores limited (video) range, "
                       "so every sample would be requantised; use --encoder ffv1 or x264, which keep it");
  }
  if (video.rotation != 0 && container == ".mkv") {
    problems.push_back("input '" + job.input.string() + "' is shown turned by " + std::to_string(video.rotation) +
                       " degrees (a display matrix), which Matroska files written here cannot say; write a .mov (--encoder "
                       "prores) or .mp4 (--encoder x264), which keep it");
  }
  decode::CarriageOptions carriage;
  carriage.audio = job.audio;
  carriage.subtitles = job.subtitles;
  carriage.data = job.data;
  plan.streams = decode::plan_carriage(plan.media, job.output, carriage);
  for (const auto& decision : plan.streams) {
    if (decision.carriage == decode::Carriage::refused) {
      problems.push_back(decode::describe(decision) + " of '" + job.input.string() + "': " + decision.reason);
    }
  }
  if (!problems.empty()) {
    std::string text = problems.front();
    for (std::size_t i = 1; i < problems.size(); ++i) text += "; and " + problems[i];
    throw InputError(text);
  }
  for (const auto& decision : plan.streams) {
    if (decision.carriage != decode::Carriage::copy) {
      plan.notices.push_back(decode::describe(decision) + ": " + decision.reason);
    }
  }
  for (const auto& notice : plan.format.notices) plan.notices.push_back(notice);

  // The model itself is loaded once, by r4ksuperres when the pipeline starts
  // (a model that cannot load stops it before any file is opened); a
  // missing or misnamed model is caught here already.
  infer::resolve_model(job.model);

  // Demux the picture with GStreamer; every other stream goes to the file
  // from the input itself (r4kmuxsink).
  pipeline::ExpectedStreams expected;
  expected.video = 1;
  const pipeline::DemuxDiscovery demux = pipeline::discover_demux(job.input, expected);
  const pipeline::DemuxPad* video_pad = nullptr;
  for (const auto& pad : demux.pads) {
    if (pad.media == "video") {
      video_pad = &pad;
      break;
    }
  }
  if (video_pad == nullptr) {
    throw InputError("input '" + job.input.string() + "': GStreamer's " + demux.demuxer + " shows no video stream");
  }
  plan.decoder = decode::choose_decoder(video.codec, job.decoder, pipeline::element_available);
  if (plan.decoder.decoder == "decodebin") {
    // Not in the table: the best parser and decoder GStreamer has for the caps.
    plan.decoder = {};
    const bool raw = video_pad->caps.rfind("video/x-raw", 0) == 0;
    if (!raw) {
      plan.decoder.parser = pipeline::best_element(video_pad->caps, pipeline::ElementRole::parser);
      plan.decoder.decoder = pipeline::best_element(video_pad->caps, pipeline::ElementRole::decoder);
      if (plan.decoder.decoder.empty()) {
        throw InputError("input '" + job.input.string() + "': no GStreamer decoder here takes its " + video.codec +
                         " video (" + video_pad->caps.substr(0, video_pad->caps.find(',')) + ")");
      }
    }
  }
  std::string assumption;
  const std::string colorimetry = caps_colorimetry(video, plan.format.rgb, assumption);
  if (!assumption.empty()) {
    // H.264 and ProRes always state a range: the assumed one is written.
    const bool states_range = job.encoder != VideoEncoder::ffv1 && video.range_code == 0 && !plan.format.rgb;
    plan.assumed = assumption + " (the input does not say)" +
                   (states_range ? std::string("; the output states range tv, as ") + to_string(job.encoder) +
                                       " always states a range"
                                 : std::string());
    plan.notices.push_back("the input's colour is not fully tagged: restoring it as " + plan.assumed);
  }

  auto& a = plan.arguments;
  append(a, {"filesrc", "location=" + job.input.string(), "!"});
  // dvdemux pulling from the file fails on a cut last frame (an error, no
  // file); fed through a queue it reads in push mode and ends at the last
  // whole frame, which the writer then reports as damage.
  if (demux.demuxer == "dvdemux") append(a, {"queue", "!"});
  if (!demux.demuxer.empty()) {
    append(a, {demux.demuxer, "name=demux", "demux." + video_pad->name, "!"});
  }
  append(a, {"queue", "!"});
  if (!plan.decoder.parser.empty()) append(a, {plan.decoder.parser, "!"});
  if (job.segment && job.segment->skip_packets > 0) {
    // An intra-only input: the pictures before the segment's window are not decoded at all.
    append(a, {"r4kframerange", "name=packets", "first=" + std::to_string(job.segment->skip_packets), "!"});
  }
  if (!plan.decoder.decoder.empty()) append(a, {plan.decoder.decoder, "!"});
  // Times the decoder guessed for unstamped pictures (MPEG program streams), repaired.
  append(a, {"r4kframetimes", "!"});
  // The picture's colour and aspect as the probe read them (GStreamer's
  // demuxers lose some: qtdemux the full-range flag of 'colr' atoms).
  char sar[48];
  std::snprintf(sar, sizeof sar, "%d/%d", video.sar_num, video.sar_den);
  append(a, {"capssetter", "caps=video/x-raw,colorimetry=(string)" + colorimetry +
                               ",pixel-aspect-ratio=(fraction)" + sar,
             "!", "videoconvert", "dither=none", "!", "video/x-raw,format=" + plan.format.processing, "!", "queue"});
  append_queue_limits(a);
  char color[16];
  std::snprintf(color, sizeof color, "0x%06x", job.pad_color);
  if (job.segment) {
    // The frames the segment decodes (its own and the temporal stages' context); nothing after them is read.
    append(a, {"r4kframerange", "name=decoded", "first=" + std::to_string(job.segment->decode_first),
               "count=" + std::to_string(job.segment->decode_count), "end-stream=true", "!"});
  }
  plan.count_element = kRestoreName;
  const ThreadBudget budget =
      thread_budget(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())), job.engine.threads);
  append(a, {"r4krestore", std::string("name=") + kRestoreName,
             std::string("deinterlace=") + (job.deinterlace ? "true" : "false"),
             std::string("deflicker=") + (job.deflicker ? "true" : "false"),
             "deflicker-radius=" + std::to_string(job.deflicker_radius), std::string("dust=") + (job.dust ? "true" : "false"),
             std::string("scratches=") + (job.scratches ? "true" : "false"), "denoise=" + format_number(job.denoise),
             "model=" + job.model, "backend=" + job.engine.backend, "tile-size=" + std::to_string(job.tile_size),
             "halo=" + std::to_string(job.halo), "threads=" + std::to_string(budget.engine),
             std::string("autotune=") + (job.engine.autotune.enabled ? "true" : "false"),
             "precision=" + job.engine.precision,
             "batch=" + std::to_string(job.batch), "width=" + std::to_string(job.fit_width),
             "height=" + std::to_string(job.fit_height), "fit-mode=" + job.fit_mode,
             std::string("pad-color=") + color, "colorimetry=" + job.colorimetry,
             std::string("monochrome=") + (job.monochrome ? "true" : "false")});
  if (!job.engine.autotune.pinned.empty()) {
    append(a, {"algorithms=" + settings::algorithms_text(job.engine.autotune.pinned, ';')});
  }
  if (job.segment) {
    // Only the segment's own frames are upscaled and leave r4krestore.
    append(a, {"keep-first=" + std::to_string(job.segment->keep_first),
               "keep-count=" + std::to_string(job.segment->keep_count)});
  }
  append(a, {"!", "queue"});
  append_queue_limits(a);
  plan.encode_start = a.size();
  // Into the encoder's format exactly (GStreamer's videoconvert replicates
  // high bits when it deepens: 8-bit 128 became 514, not 512).
  if (plan.format.encoder_input != plan.format.processing) {
    append(a, {"r4kwiden", "format=" + plan.format.encoder_input, "!"});
  }
  switch (job.encoder) {
    case VideoEncoder::prores:
      append(a, {"avenc_prores_ks", "profile=" + plan.format.prores_profile, "threads=" + std::to_string(budget.encoder),
                 "!"});
      break;
    case VideoEncoder::x264:
      append(a, {"x264enc", "speed-preset=medium", "threads=" + std::to_string(budget.encoder), "!",
                 "video/x-h264,stream-format=avc", "!"});
      break;
    case VideoEncoder::ffv1:
    default:
      // Every frame a keyframe (as archives store FFV1): each decodes alone, a
      // damaged one harms no other, and segments of a planned film encode
      // exactly as the whole film does.
      append(a, {"avenc_ffv1", "slicecrc=1", "gop-size=1", "threads=" + std::to_string(budget.encoder), "!"});
      break;
  }
  std::string streams;
  for (const auto& d : job.segment ? std::vector<decode::StreamDecision>{} : plan.streams) {
    const char* how = d.carriage == decode::Carriage::copy   ? ""
                      : d.carriage == decode::Carriage::flac ? ":flac"
                      : d.carriage == decode::Carriage::alac ? ":alac"
                      : d.carriage == decode::Carriage::pcm  ? ":pcm"
                                                             : nullptr;
    if (how != nullptr) streams += (streams.empty() ? "" : ",") + std::to_string(d.index) + how;
  }
  plan.encode_end = a.size();
  append(a, {"r4kmuxsink", std::string("name=") + kMuxName, "location=" + location.string(),
             "source=" + job.input.string(), "source-video=" + std::to_string(video.index),
             "streams=" + (streams.empty() ? std::string("none") : streams)});
  if (const std::string colour = output_colour(job, video, plan.format); !colour.empty()) {
    append(a, {"colour=" + colour});
  }
  if (video_pad->first_time >= 0) {
    append(a, {"video-first-time=" + std::to_string(video_pad->first_time),
               "video-first-index=" + std::to_string(video_pad->first_time_index)});
  }
  if (!plan.assumed.empty()) append(a, {"assumed=" + plan.assumed});
  // How far the probed count can be trusted to judge an early end: exactly
  // (an index), within a frame (a track's span), not at all (a file's
  // duration: its audio may run longer).
  using Source = decode::VideoStreamInfo::CountSource;
  const char* tolerance = video.frame_count_source == Source::index        ? "0"
                          : video.frame_count_source == Source::track_span ? "1"
                                                                           : "-1";
  if (job.segment) {
    append(a, {"expected-frames=" + std::to_string(job.segment->expected), "frame-tolerance=0",
               "packet-log=" + segment_log_path(location).string(), "job-stamp=" + job.segment->stamp});
    return plan;
  }
  append(a, {"expected-frames=" + std::to_string(video.frame_count), std::string("frame-tolerance=") + tolerance});
  stamp_pipeline(a, job.input, job.model);
  if (!job.join_segments.empty()) {
    // The join: the whole-film run's writer (stamp included), fed the segments' packets.
    std::string locations;
    for (const auto& file : job.join_segments) {
      if (file.string().find(';') != std::string::npos) {
        throw InputError("segment '" + file.string() + "': a path with ';' cannot be joined; move the plan folder");
      }
      locations += (locations.empty() ? "" : ";") + file.string();
    }
    const auto mux = std::find(a.begin(), a.end(), "r4kmuxsink");
    pipeline::PipelineArguments joined{"r4kpacketsrc", std::string("name=") + kSegmentName, "locations=" + locations,
                                       "!"};
    joined.insert(joined.end(), mux, a.end());
    a = std::move(joined);
  }
  return plan;
}

std::filesystem::path segment_log_path(const std::filesystem::path& segment) { return segment.string() + ".packets"; }

VideoResult upscale_video(const VideoJob& job) {
  encode::OutputFile output(job.output);
  if (job.segment) {
    // Redone: the old log must not vouch for the new file while it is written.
    std::error_code ec;
    std::filesystem::remove(segment_log_path(job.output), ec);
  }
  // The log is written beside the temporary file and follows it into place.
  struct LogFile {
    std::filesystem::path path;
    ~LogFile() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove(path, ec);
    }
  } log{job.segment ? segment_log_path(output.temporary()) : std::filesystem::path()};
  const VideoPlan plan = plan_video(job, output.temporary());
  const decode::VideoStreamInfo& video = plan.media.video.front();
  spdlog::info("{}: {} {}x{} {} ({} frames) -> {} {} with {}, decoder {}{}", job.input.string(), video.codec,
               video.width, video.height, video.pixel_format, video.frame_count, to_string(job.encoder),
               job.output.string(), job.model, plan.decoder.decoder, plan.decoder.hardware ? " (hardware)" : "");
  spdlog::debug("pipeline: {}", pipeline::gst_launch_line(plan.arguments));

  for (const auto& notice : plan.notices) spdlog::info("{}", notice);
  pipeline::PipelineRunOptions options;
  options.count_element = kRestoreName;
  options.interrupt = job.cancel;
  options.abort = job.abort;
  if (!job.join_segments.empty()) options.count_element = kSegmentName;
  options.cut_video = job.join_segments.empty() ? std::string(kRestoreName) + ".sink" : std::string(kMuxName) + ".sink";
  options.interrupt_flag = std::string(kMuxName) + ".stop-at-video-end";
  options.damage_property = std::string(kMuxName) + ".input-damage";
  const std::int64_t expected = job.segment ? job.segment->expected : video.frame_count;
  if (job.progress) {
    const std::int64_t total = expected;
    options.progress = [&job, total](const pipeline::PipelineProgress& progress) {
      job.progress(progress.frames, total, progress.seconds);
    };
  }
  options.read_after = {std::string(kRestoreName) + ".algorithms"};
  pipeline::PipelineResult run;
  try {
    run = pipeline::run_pipeline(plan.arguments, options);
  } catch (const Error& error) {
    throw_if_pin_refused(error, job.engine.autotune.pinned, job.pins_origin);
    throw;
  }
  // Interrupted before the first frame: there is nothing worth keeping.
  if (job.segment) {
    // A segment is whole or redone: one cut short is of no use to the join.
    if (!run.interrupted && run.damage.empty()) {
      output.commit();
      std::filesystem::rename(log.path, segment_log_path(job.output));
      log.path.clear();
    }
  } else if (!run.interrupted || (job.keep_interrupted && run.frames > 0)) {
    output.commit();
  }
  VideoResult result;
  result.frames = run.frames;
  result.seconds = run.seconds;
  result.interrupted = run.interrupted;
  result.expected_frames = expected;
  result.damage = run.damage;
  result.algorithms = ran_algorithms(run.properties[std::string(kRestoreName) + ".algorithms"]);
  return result;
}

}  // namespace r4k::restore
