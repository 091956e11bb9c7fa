/**
 * SECTION:element-r4kmuxsink
 * @title: r4kmuxsink
 *
 * Writes the restored picture (FFV1, ProRes or H.264 from avenc_ffv1,
 * avenc_prores_ks or x264enc) into a Matroska, QuickTime or MP4 file, and
 * carries every other stream of the original input over from the input file
 * itself: audio, subtitles and attached files packet for packet (PCM that the
 * container cannot hold is stored losslessly as FLAC, ALAC or plain PCM),
 * with the input's chapters, global tags, stream languages, titles,
 * default/forced flags, rotation and timecode. The picture's colour tags are
 * written into the container and, for ProRes and H.264, into the stream's own
 * headers; its pixel aspect ratio is kept exactly.
 *
 * GStreamer 1.22's muxers cannot do this (see docs/fidelity.md): this sink
 * uses FFmpeg's, the same that wrote most inputs.
 *
 * The provenance comment r4krestore sends is written as the tag RESTORE4K
 * (Matroska) or as the encoding-tool tag (MOV, MP4, where the input's own
 * comment stays as it was); RESTORE4K_INPUT says whether the input was complete ("complete", "ended after N of M frames",
 * "interrupted after N of M frames"). A picture stream that ends before
 * expected-frames is reported as damaged input on the bus.
 *
 * With `packet-log`, it writes one segment of a film split over machines:
 * the picture alone (the source is not read: the join carries its other
 * streams), each packet's exact times and flags logged beside it, and the
 * log completed only when `expected-frames` pictures were written.
 * r4kpacketsrc replays the segments into the r4kmuxsink of the join.
 *
 * The file's settings are read at the first picture; `expected-frames`,
 * `frame-tolerance`, `stop-at-video-end` and `input-damage` at the end of the
 * stream (they may change while playing). A `streams` or `colour` it cannot
 * read is refused when the element starts, with an element error naming the
 * property.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -e filesrc location=reel.mp4 ! qtdemux name=demux demux.video_0 ! queue ! \
 *     h264parse ! avdec_h264 ! videoconvert ! r4ksuperres model=builtin:bicubic-x2 ! \
 *     avenc_ffv1 ! r4kmuxsink location=reel-x2.mkv source=reel.mp4
 * ]|
 */
#include "pipeline/gstr4kmuxsink.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "decode/media_probe.hpp"
#include "encode/media_writer.hpp"
#include "encode/packet_log.hpp"
#include "decode/stream_carriage.hpp"
#include "pipeline/element_settings.hpp"
#include "pipeline/input_damage.hpp"
#include "core/error.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_mux_sink_debug);
#define GST_CAT_DEFAULT gst_r4k_mux_sink_debug

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_SOURCE,
  PROP_SOURCE_VIDEO,
  PROP_STREAMS,
  PROP_COLOUR,
  PROP_EXPECTED_FRAMES,
  PROP_FRAME_TOLERANCE,
  PROP_STOP_AT_VIDEO_END,
  PROP_VIDEO_FIRST_TIME,
  PROP_VIDEO_FIRST_INDEX,
  PROP_ASSUMED,
  PROP_JOB_STAMP,
  PROP_INPUT_DAMAGE,
  PROP_PACKET_LOG,
};

#define DEFAULT_STREAMS "auto"

namespace {

// The property values (under the object lock).
struct MuxSinkSettings {
  std::string location;
  std::string source;
  gint source_video = -1;
  std::string streams = DEFAULT_STREAMS;
  std::string colour;
  gint64 expected_frames = 0;
  gint frame_tolerance = 0;
  bool stop_at_video_end = false;
  gint64 video_first_time = -1;
  gint video_first_index = 0;
  std::string assumed;
  std::string job_stamp;
  std::string input_damage;
  std::string packet_log;
};

struct MuxSinkState {
  std::optional<r4k::encode::VideoStreamFormat> format;
  std::unique_ptr<r4k::encode::MediaWriter> writer;
  std::unique_ptr<r4k::encode::PacketLogWriter> log;
  std::string caps;  // as negotiated, for the packet log
  std::string provenance;
  bool finished = false;
  // A new segment in mid-stream (matroskademux corrects its first one after
  // the first picture) must not move the pictures: buffer timestamps stay
  // continuous, so the stream time of later pictures is corrected by what
  // the new segment changed against the first.
  GstClockTime last_pts = GST_CLOCK_TIME_NONE;
  bool had_segment = false;
  std::int64_t segment_correction = 0;
};

// Stream time of a buffer timestamp under `segment` (negative before its start).
std::optional<std::int64_t> stream_time(const GstSegment& segment, GstClockTime t) {
  if (!GST_CLOCK_TIME_IS_VALID(t)) return std::nullopt;
  guint64 position = 0;
  const int sign = gst_segment_to_stream_time_full(&segment, GST_FORMAT_TIME, t, &position);
  if (sign == 0) return std::nullopt;
  return sign > 0 ? static_cast<std::int64_t>(position) : -static_cast<std::int64_t>(position);
}

// The C++ state behind the instance's one pointer.
struct MuxSinkImpl {
  MuxSinkSettings settings;  // under the object lock
  MuxSinkState state;        // the streaming thread's
};

}  // namespace

struct _GstR4kMuxSink {
  GstBaseSink parent;
  MuxSinkImpl* impl;
};

G_DEFINE_TYPE(GstR4kMuxSink, gst_r4k_mux_sink, GST_TYPE_BASE_SINK);
GST_ELEMENT_REGISTER_DEFINE(r4kmuxsink, "r4kmuxsink", GST_RANK_NONE, GST_TYPE_R4K_MUX_SINK);

using r4k::pipeline::text_of;

static MuxSinkSettings settings_of(GstR4kMuxSink* self) {
  GST_OBJECT_LOCK(self);
  MuxSinkSettings settings = self->impl->settings;
  GST_OBJECT_UNLOCK(self);
  return settings;
}

// "1,2:alac,4" as decisions; "none" as none ("auto" is not a list).
static std::vector<r4k::decode::StreamDecision> parse_stream_list(const std::string& text) {
  std::vector<r4k::decode::StreamDecision> decisions;
  if (text == "none") return decisions;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (item.empty()) continue;
    r4k::decode::StreamDecision d;
    const auto colon = item.find(':');
    char* end = nullptr;
    d.index = static_cast<int>(std::strtol(item.c_str(), &end, 10));
    const std::string how = colon == std::string::npos ? "copy" : item.substr(colon + 1);
    if (end == item.c_str() || (how != "copy" && how != "flac" && how != "alac" && how != "pcm")) {
      throw r4k::InputError("streams '" + text + "': '" + item + "' is not INDEX or INDEX:copy|flac|alac|pcm");
    }
    d.carriage = how == "flac"   ? r4k::decode::Carriage::flac
                 : how == "alac" ? r4k::decode::Carriage::alac
                 : how == "pcm"  ? r4k::decode::Carriage::pcm
                                 : r4k::decode::Carriage::copy;
    decisions.push_back(d);
  }
  return decisions;
}

// "1,2:alac,4" (or "auto": every stream the plan for this output carries).
static std::vector<r4k::decode::StreamDecision> stream_decisions(const std::string& text,
                                                                 const std::filesystem::path& source,
                                                                 const std::filesystem::path& output) {
  if (text != "auto") return parse_stream_list(text);
  auto decisions = r4k::decode::plan_carriage(r4k::decode::probe_media(source), output, {});
  for (const auto& d : decisions) {
    if (d.carriage == r4k::decode::Carriage::refused) {
      throw r4k::InputError(r4k::decode::describe(d) + " of '" + source.string() + "': " + d.reason);
    }
  }
  return decisions;
}

// "matrix,primaries,transfer,range,chroma": five whole numbers.
static std::optional<std::array<int, 5>> parse_colour_codes(const std::string& text) {
  std::array<int, 5> values{};
  std::stringstream stream(text);
  std::string item;
  std::size_t i = 0;
  while (std::getline(stream, item, ',')) {
    char* end = nullptr;
    const long value = std::strtol(item.c_str(), &end, 10);
    if (i == values.size() || item.empty() || *end != '\0' || value < 0 || value > 255) return std::nullopt;
    values[i++] = static_cast<int>(value);
  }
  if (i != values.size()) return std::nullopt;
  return values;
}

// "matrix,primaries,transfer,range,chroma" as ISO/IEC 23001-8 codes; "" =
// the source video's own tags.
static r4k::encode::ColourTags colour_tags(const std::string& text, const std::filesystem::path& source,
                                           int source_video) {
  r4k::encode::ColourTags tags;
  if (text.empty()) {
    const auto media = r4k::decode::probe_media(source);
    for (const auto& video : media.video) {
      if (source_video >= 0 && video.index != source_video) continue;
      tags.matrix = video.matrix_code;
      tags.primaries = video.primaries_code;
      tags.transfer = video.transfer_code;
      tags.range = video.range_code;
      tags.chroma_location = video.chroma_location_code;
      break;
    }
    return tags;
  }
  const auto codes = parse_colour_codes(text);
  if (!codes) throw r4k::InputError("colour '" + text + "': expected matrix,primaries,transfer,range,chroma codes");
  const std::array<int, 5>& values = *codes;
  tags.matrix = values[0];
  tags.primaries = values[1];
  tags.transfer = values[2];
  tags.range = values[3];
  tags.chroma_location = values[4];
  return tags;
}

static gboolean gst_r4k_mux_sink_start(GstBaseSink* base) {
  auto* self = GST_R4K_MUX_SINK(base);
  self->impl->state = MuxSinkState();
  const MuxSinkSettings settings = settings_of(self);
  if (settings.location.empty() || settings.source.empty()) {
    GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND,
                      ("No output or no source given: set the location and source properties."),
                      ("set location (the file to write) and source (the input whose streams are carried)"));
    return FALSE;
  }
  if (settings.streams != "auto") {
    try {
      parse_stream_list(settings.streams);
    } catch (const std::exception& error) {
      r4k::pipeline::refuse_property(GST_ELEMENT(self), "streams", settings.streams,
                                     "auto, none or a list INDEX[:copy|flac|alac|pcm],...", error.what());
      return FALSE;
    }
  }
  if (!settings.colour.empty() && !parse_colour_codes(settings.colour)) {
    r4k::pipeline::refuse_property(GST_ELEMENT(self), "colour", settings.colour,
                                   "five ISO/IEC 23001-8 codes matrix,primaries,transfer,range,chroma-location, or "
                                   "empty for the source's own");
    return FALSE;
  }
  return TRUE;
}

static gboolean gst_r4k_mux_sink_stop(GstBaseSink* base) {
  auto* self = GST_R4K_MUX_SINK(base);
  // An unfinished file is left for the caller to remove (it is a partial name).
  self->impl->state.writer.reset();
  self->impl->state.log.reset();
  return TRUE;
}

static gboolean gst_r4k_mux_sink_set_caps(GstBaseSink* base, GstCaps* caps) {
  auto* self = GST_R4K_MUX_SINK(base);
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  r4k::encode::VideoStreamFormat format;
  const std::string name = gst_structure_get_name(s);
  format.codec = name == "video/x-ffv" ? "ffv1" : name == "video/x-prores" ? "prores" : name == "video/x-h264" ? "h264" : "";
  if (format.codec.empty()) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("r4kmuxsink takes FFV1, ProRes or H.264."), ("got %s", name.c_str()));
    return FALSE;
  }
  gst_structure_get_int(s, "width", &format.width);
  gst_structure_get_int(s, "height", &format.height);
  gst_structure_get_fraction(s, "pixel-aspect-ratio", &format.sar_num, &format.sar_den);
  gst_structure_get_fraction(s, "framerate", &format.rate_num, &format.rate_den);
  if (const char* variant = gst_structure_get_string(s, "variant"); variant != nullptr) format.prores_variant = variant;
  if (const GValue* data = gst_structure_get_value(s, "codec_data"); data != nullptr && GST_VALUE_HOLDS_BUFFER(data)) {
    GstBuffer* buffer = gst_value_get_buffer(data);
    GstMapInfo map;
    if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
      format.extradata.assign(map.data, map.data + map.size);
      gst_buffer_unmap(buffer, &map);
    }
  }
  if (const char* mode = gst_structure_get_string(s, "interlace-mode"); mode != nullptr) {
    format.interlaced = std::string(mode) != "progressive";
    const char* order = gst_structure_get_string(s, "field-order");
    format.top_field_first = order == nullptr || std::string(order) != "bottom-field-first";
  }
  if (format.codec == "h264") {
    const char* stream_format = gst_structure_get_string(s, "stream-format");
    if (stream_format == nullptr || std::string(stream_format) != "avc") {
      GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("r4kmuxsink takes H.264 as stream-format=avc."),
                        ("put video/x-h264,stream-format=avc after the encoder"));
      return FALSE;
    }
  }
  self->impl->state.format = format;
  gchar* text = gst_caps_to_string(caps);
  self->impl->state.caps = text != nullptr ? text : "";
  g_free(text);
  return TRUE;
}

static void open_writer(GstR4kMuxSink* self, const MuxSinkSettings& settings) {
  MuxSinkState& state = self->impl->state;
  r4k::encode::MediaWriterOptions options;
  options.output = settings.location;
  options.source = settings.source;
  int source_video = settings.source_video;
  if (source_video < 0) {
    const auto media = r4k::decode::probe_media(options.source);
    if (!media.video.empty()) source_video = media.video.front().index;
  }
  options.source_video = source_video;
  options.streams = stream_decisions(settings.streams, options.source, options.output);
  options.colour = colour_tags(settings.colour, options.source, source_video);
  options.provenance = state.provenance;
  options.video_first_time = settings.video_first_time;
  options.video_first_index = settings.video_first_index;
  options.assumed = settings.assumed;
  options.job_stamp = settings.job_stamp;
  options.read_source_streams = settings.packet_log.empty();
  state.writer = std::make_unique<r4k::encode::MediaWriter>(options, *state.format);
  if (!settings.packet_log.empty()) {
    state.log = std::make_unique<r4k::encode::PacketLogWriter>(settings.packet_log);
    state.log->header(state.caps, state.provenance, settings.job_stamp);
  }
}

static GstFlowReturn gst_r4k_mux_sink_render(GstBaseSink* base, GstBuffer* buffer) {
  auto* self = GST_R4K_MUX_SINK(base);
  MuxSinkState& state = self->impl->state;
  try {
    if (!state.format) throw r4k::Error("no caps before the first picture");
    if (!state.writer) open_writer(self, settings_of(self));
    const GstSegment& segment = base->segment;
    std::optional<std::int64_t> pts = stream_time(segment, GST_BUFFER_PTS(buffer));
    if (!pts) throw r4k::Error("a picture without a timestamp");
    std::optional<std::int64_t> dts = stream_time(segment, GST_BUFFER_DTS(buffer));
    *pts += state.segment_correction;
    if (dts) *dts += state.segment_correction;
    state.last_pts = GST_BUFFER_PTS(buffer);
    const std::int64_t duration =
        GST_BUFFER_DURATION_IS_VALID(buffer) ? static_cast<std::int64_t>(GST_BUFFER_DURATION(buffer)) : 0;
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) throw r4k::Error("cannot map a video packet");
    const bool keyframe = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
    state.writer->write_video(map.data, map.size, *pts, dts, duration, keyframe);
    if (state.log) state.log->add({*pts, dts, duration, keyframe, map.size});
    gst_buffer_unmap(buffer, &map);
  } catch (const r4k::InputError& error) {
    const MuxSinkSettings settings = settings_of(self);
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("Cannot carry the streams of '%s' into '%s'.", settings.source.c_str(),
                       settings.location.c_str()),
                      ("%s", error.what()));
    return GST_FLOW_ERROR;
  } catch (const std::exception& error) {
    const MuxSinkSettings settings = settings_of(self);
    GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("Could not write '%s'.", settings.location.c_str()),
                      ("%s", error.what()));
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

static gboolean gst_r4k_mux_sink_event(GstBaseSink* base, GstEvent* event) {
  auto* self = GST_R4K_MUX_SINK(base);
  MuxSinkState& state = self->impl->state;
  if (GST_EVENT_TYPE(event) == GST_EVENT_SEGMENT) {
    const GstSegment* next = nullptr;
    gst_event_parse_segment(event, &next);
    if (state.had_segment) {
      // Pictures keep the times of the stream's first segment, whether some
      // came before this one or not (a film segment's writer sees none: its
      // frames before the segment were left out upstream).
      const GstClockTime at =
          GST_CLOCK_TIME_IS_VALID(state.last_pts) ? state.last_pts : std::max(base->segment.start, next->start);
      const auto before = stream_time(base->segment, at);  // base->segment is still the old one
      const auto after = stream_time(*next, at);
      if (before && after) state.segment_correction += *before - *after;
    }
    state.had_segment = true;
  } else if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP) {
    state.last_pts = GST_CLOCK_TIME_NONE;
    state.had_segment = false;
  }
  if (GST_EVENT_TYPE(event) == GST_EVENT_TAG) {
    GstTagList* tags = nullptr;
    gst_event_parse_tag(event, &tags);
    gchar* comment = nullptr;
    if (gst_tag_list_get_string(tags, GST_TAG_COMMENT, &comment) && comment != nullptr &&
        std::string(comment).rfind("restore4k:", 0) == 0) {
      state.provenance = comment;
    }
    g_free(comment);
  } else if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && state.writer && !state.finished) {
    const MuxSinkSettings settings = settings_of(self);
    try {
      const bool stop = settings.stop_at_video_end;
      const gint64 expected = settings.expected_frames;
      const gint tolerance = settings.frame_tolerance;
      const std::int64_t frames = state.writer->video_packets();
      const std::string& seen = settings.input_damage;
      std::vector<std::string> problems;
      std::string status = "complete";
      if (stop) {
        status = "interrupted after " + std::to_string(frames) + " of " + std::to_string(expected) + " frames";
        state.writer->finish(true, status);
      } else if (state.log) {
        // A segment: its own frames, counted against the plan's range.
        if (expected > 0 && frames != expected) {
          status = "ended after " + std::to_string(frames) + " of " + std::to_string(expected) + " frames";
          problems.push_back(settings.source + ": the segment ended after " + std::to_string(frames) + " of " +
                             std::to_string(expected) + " frames");
        }
        state.writer->finish(false, status);
        if (problems.empty()) state.log->finish();
      } else {
        // The rest of the input is read first: then the writer has counted its pictures.
        state.writer->finish(false, [&]() {
          // Fewer pictures than the input's packets, or than its index
          // counts, is an early end; a track's span (tolerance 1) only
          // names how much was expected once the end is plain (it is no
          // count for a variable frame rate).
          const std::int64_t read = state.writer->source_video_packets();
          const bool plainly_damaged = !state.writer->damage().empty();
          const bool short_of_read = frames < read;
          const bool short_of_index = tolerance == 0 && expected > 0 && frames < expected;
          const bool short_of_span = tolerance == 1 && plainly_damaged && expected > 0 && frames + 1 < expected;
          const std::int64_t total = std::max<std::int64_t>(read, tolerance >= 0 ? expected : 0);
          if (short_of_read || short_of_index || short_of_span) {
            const std::string counted = std::to_string(frames) + " of " + std::to_string(total) + " frames";
            problems.push_back(settings.source + ": the input ended after " + counted);
            return "ended after " + counted;
          }
          // The file says what was wrong itself (it outlives the job's messages).
          std::vector<std::string> found;
          if (!seen.empty()) found.push_back(seen);
          for (const std::string& problem : state.writer->damage()) found.push_back(problem);
          if (found.empty()) return std::string("complete");
          const std::string source = settings.source + ": ";
          std::string first = found.front();
          if (first.rfind(source, 0) == 0) first.erase(0, source.size());
          return "damaged: " + first +
                 (found.size() > 1 ? " (and " + std::to_string(found.size() - 1) + " more)" : std::string());
        });
      }
      for (const std::string& problem : state.writer->damage()) problems.push_back(problem);
      for (const std::string& problem : problems) r4k::pipeline::post_input_damage(GST_ELEMENT(self), problem);
      state.finished = true;
    } catch (const std::exception& error) {
      GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("Could not finish '%s'.", settings.location.c_str()),
                        ("%s", error.what()));
      gst_event_unref(event);
      return FALSE;
    }
  }
  return GST_BASE_SINK_CLASS(gst_r4k_mux_sink_parent_class)->event(base, event);
}

static void gst_r4k_mux_sink_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_MUX_SINK(object);
  GST_OBJECT_LOCK(self);
  MuxSinkSettings& s = self->impl->settings;
  switch (prop_id) {
    case PROP_LOCATION:
      s.location = text_of(g_value_get_string(value));
      break;
    case PROP_SOURCE:
      s.source = text_of(g_value_get_string(value));
      break;
    case PROP_SOURCE_VIDEO:
      s.source_video = g_value_get_int(value);
      break;
    case PROP_STREAMS:
      s.streams = text_of(g_value_get_string(value));
      break;
    case PROP_COLOUR:
      s.colour = text_of(g_value_get_string(value));
      break;
    case PROP_EXPECTED_FRAMES:
      s.expected_frames = g_value_get_int64(value);
      break;
    case PROP_FRAME_TOLERANCE:
      s.frame_tolerance = g_value_get_int(value);
      break;
    case PROP_STOP_AT_VIDEO_END:
      s.stop_at_video_end = g_value_get_boolean(value) != FALSE;
      break;
    case PROP_VIDEO_FIRST_TIME:
      s.video_first_time = g_value_get_int64(value);
      break;
    case PROP_VIDEO_FIRST_INDEX:
      s.video_first_index = g_value_get_int(value);
      break;
    case PROP_ASSUMED:
      s.assumed = text_of(g_value_get_string(value));
      break;
    case PROP_JOB_STAMP:
      s.job_stamp = text_of(g_value_get_string(value));
      break;
    case PROP_PACKET_LOG:
      s.packet_log = text_of(g_value_get_string(value));
      break;
    case PROP_INPUT_DAMAGE: {
      // Each report is added to those before.
      const std::string report = text_of(g_value_get_string(value));
      s.input_damage = s.input_damage.empty() ? report : s.input_damage + "; " + report;
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_mux_sink_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_MUX_SINK(object);
  GST_OBJECT_LOCK(self);
  const MuxSinkSettings& s = self->impl->settings;
  // Strings that were never set read as NULL, their default.
  const auto nullable = [](const std::string& text) { return text.empty() ? nullptr : text.c_str(); };
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string(value, nullable(s.location));
      break;
    case PROP_SOURCE:
      g_value_set_string(value, nullable(s.source));
      break;
    case PROP_SOURCE_VIDEO:
      g_value_set_int(value, s.source_video);
      break;
    case PROP_STREAMS:
      g_value_set_string(value, s.streams.c_str());
      break;
    case PROP_COLOUR:
      g_value_set_string(value, nullable(s.colour));
      break;
    case PROP_EXPECTED_FRAMES:
      g_value_set_int64(value, s.expected_frames);
      break;
    case PROP_FRAME_TOLERANCE:
      g_value_set_int(value, s.frame_tolerance);
      break;
    case PROP_STOP_AT_VIDEO_END:
      g_value_set_boolean(value, s.stop_at_video_end ? TRUE : FALSE);
      break;
    case PROP_VIDEO_FIRST_TIME:
      g_value_set_int64(value, s.video_first_time);
      break;
    case PROP_VIDEO_FIRST_INDEX:
      g_value_set_int(value, s.video_first_index);
      break;
    case PROP_ASSUMED:
      g_value_set_string(value, nullable(s.assumed));
      break;
    case PROP_JOB_STAMP:
      g_value_set_string(value, nullable(s.job_stamp));
      break;
    case PROP_INPUT_DAMAGE:
      g_value_set_string(value, nullable(s.input_damage));
      break;
    case PROP_PACKET_LOG:
      g_value_set_string(value, nullable(s.packet_log));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_mux_sink_finalize(GObject* object) {
  delete GST_R4K_MUX_SINK(object)->impl;
  G_OBJECT_CLASS(gst_r4k_mux_sink_parent_class)->finalize(object);
}

static void gst_r4k_mux_sink_class_init(GstR4kMuxSinkClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* base_class = GST_BASE_SINK_CLASS(klass);
  gobject_class->set_property = gst_r4k_mux_sink_set_property;
  gobject_class->get_property = gst_r4k_mux_sink_get_property;
  gobject_class->finalize = gst_r4k_mux_sink_finalize;

  // Read at the first picture; `playing` ones at the end of the stream.
  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  const auto playing = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  g_object_class_install_property(
      gobject_class, PROP_LOCATION,
      g_param_spec_string("location", "Location", "The file to write: .mkv, .mov or .mp4", nullptr, flags));
  g_object_class_install_property(
      gobject_class, PROP_SOURCE,
      g_param_spec_string("source", "Source", "The input file whose other streams, chapters and tags are carried",
                          nullptr, flags));
  g_object_class_install_property(
      gobject_class, PROP_SOURCE_VIDEO,
      g_param_spec_int("source-video", "Source video",
                       "The source's video stream this picture replaces (its language, title, flags and rotation go "
                       "to the new one; -1 = the first)",
                       -1, G_MAXINT, -1, flags));
  g_object_class_install_property(
      gobject_class, PROP_STREAMS,
      g_param_spec_string("streams", "Streams",
                          "Source streams to carry: auto (every one; an error names any the output cannot hold), "
                          "none, or a list INDEX[:copy|flac|alac|pcm],...",
                          DEFAULT_STREAMS, flags));
  g_object_class_install_property(
      gobject_class, PROP_COLOUR,
      g_param_spec_string("colour", "Colour",
                          "The picture's colour tags as ISO/IEC 23001-8 codes matrix,primaries,transfer,range,chroma-"
                          "location (FFmpeg's numbering); empty = the source video's own tags",
                          nullptr, flags));
  g_object_class_install_property(
      gobject_class, PROP_EXPECTED_FRAMES,
      g_param_spec_int64("expected-frames", "Expected frames",
                         "Pictures the input holds (0 = unknown): fewer is reported as damaged input", 0, G_MAXINT64,
                         0, playing));
  g_object_class_install_property(
      gobject_class, PROP_FRAME_TOLERANCE,
      g_param_spec_int("frame-tolerance", "Frame tolerance",
                       "How far expected-frames can be trusted: 0, an exact count (fewer pictures is an early "
                       "end); 1, a track's span (it names the expected count once an early end is plain); -1, an "
                       "estimate (used for neither)",
                       -1, 1000, 0, playing));
  g_object_class_install_property(
      gobject_class, PROP_INPUT_DAMAGE,
      g_param_spec_string("input-damage", "Input damage",
                          "Damage seen elsewhere in the pipeline (a decoder's errors): each value set is added, and "
                          "the file's RESTORE4K_INPUT says the input was damaged",
                          nullptr, playing));
  g_object_class_install_property(
      gobject_class, PROP_STOP_AT_VIDEO_END,
      g_param_spec_boolean("stop-at-video-end", "Stop at video end",
                           "The job was interrupted: carry the other streams only up to the last picture's end",
                           FALSE, playing));

  g_object_class_install_property(
      gobject_class, PROP_VIDEO_FIRST_TIME,
      g_param_spec_int64("video-first-time", "Video first time",
                         "Stream time (ns) the picture's demuxer gave the source video's packet number "
                         "video-first-index: ties the picture's times to the source's (-1 = align the first picture "
                         "with the source video's start)",
                         -1, G_MAXINT64, -1, flags));
  g_object_class_install_property(
      gobject_class, PROP_VIDEO_FIRST_INDEX,
      g_param_spec_int("video-first-index", "Video first index",
                       "Which timestamped packet of the source video video-first-time belongs to", 0, G_MAXINT, 0,
                       flags));
  g_object_class_install_property(
      gobject_class, PROP_ASSUMED,
      g_param_spec_string("assumed", "Assumed",
                          "What the job assumed about an input that did not say (its colour), written as the tag "
                          "RESTORE4K_ASSUMED (Matroska) or in the encoding-tool tag (MOV, MP4)",
                          nullptr, flags));
  g_object_class_install_property(
      gobject_class, PROP_JOB_STAMP,
      g_param_spec_string("job-stamp", "Job stamp",
                          "What identifies the job that makes this file (its input and settings), written as the "
                          "tag RESTORE4K_JOB (Matroska) or in the encoding-tool tag (MOV, MP4): a batch skips an "
                          "output only when it carries its job's stamp",
                          nullptr, flags));
  g_object_class_install_property(
      gobject_class, PROP_PACKET_LOG,
      g_param_spec_string("packet-log", "Packet log",
                          "Write a film segment: the picture only (the source's other streams are left to the join, "
                          "and not read), its packets' exact times, flags and sizes logged to this file, completed "
                          "at the end when expected-frames pictures were written",
                          nullptr, flags));
  gst_element_class_set_static_metadata(element_class, "Restored video file sink", "Sink/File",
                                        "Writes the restored picture into Matroska, MOV or MP4 with every other "
                                        "stream, chapter and tag of the input carried over",
                                        "restore4k engineers");
  GstCaps* caps = gst_caps_from_string("video/x-ffv; video/x-prores; video/x-h264, stream-format=(string)avc");
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);

  base_class->start = gst_r4k_mux_sink_start;
  base_class->stop = gst_r4k_mux_sink_stop;
  base_class->set_caps = gst_r4k_mux_sink_set_caps;
  base_class->render = gst_r4k_mux_sink_render;
  base_class->event = gst_r4k_mux_sink_event;
  GST_DEBUG_CATEGORY_INIT(gst_r4k_mux_sink_debug, "r4kmuxsink", 0, "restore4k restored video file sink");
}

static void gst_r4k_mux_sink_init(GstR4kMuxSink* self) {
  self->impl = new MuxSinkImpl();
  gst_base_sink_set_sync(GST_BASE_SINK(self), FALSE);
}
