#include "pipeline/demux_discovery.hpp"

#include <chrono>
#include <memory>
#include <mutex>

#include <gst/gst.h>

#include "pipeline/pipeline_runner.hpp"
#include "core/error.hpp"

namespace r4k::pipeline {
namespace {

// How long to look for streams that FFmpeg reported but the demuxer has not
// yet exposed (a subtitle that starts late in a program stream).
constexpr std::chrono::seconds kDiscoveryTimeout{30};

struct ObjectUnref {
  void operator()(gpointer object) const { gst_object_unref(object); }
};
using ElementPtr = std::unique_ptr<GstElement, ObjectUnref>;

struct Discovery {
  std::mutex mutex;
  GstElement* pipeline = nullptr;
  std::vector<DemuxPad> pads;
  std::vector<GstSegment> segments;  // the current segment of each pad
  bool no_more_pads = false;
};

std::string string_tag(GstTagList* tags, const char* tag) {
  gchar* value = nullptr;
  std::string text;
  if (gst_tag_list_get_string(tags, tag, &value) && value != nullptr) text = value;
  g_free(value);
  return text;
}

GstPadProbeReturn on_pad_data(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  auto* discovery = static_cast<Discovery*>(data);
  const std::string name = GST_PAD_NAME(pad);
  std::lock_guard<std::mutex> lock(discovery->mutex);
  for (std::size_t i = 0; i < discovery->pads.size(); ++i) {
    DemuxPad& entry = discovery->pads[i];
    if (entry.name != name) continue;
    if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER) {
      GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
      if (entry.first_time >= 0) continue;
      guint64 position = 0;
      const int sign = GST_BUFFER_PTS_IS_VALID(buffer)
                           ? gst_segment_to_stream_time_full(&discovery->segments[i], GST_FORMAT_TIME,
                                                             GST_BUFFER_PTS(buffer), &position)
                           : 0;
      if (sign > 0) {
        entry.first_time = static_cast<long long>(position);
      } else {
        ++entry.first_time_index;
      }
      continue;
    }
    GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) == GST_EVENT_SEGMENT) {
      const GstSegment* segment = nullptr;
      gst_event_parse_segment(event, &segment);
      gst_segment_copy_into(segment, &discovery->segments[i]);
    } else if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
      GstCaps* caps = nullptr;
      gst_event_parse_caps(event, &caps);
      gchar* text = gst_caps_to_string(caps);
      entry.caps = text;
      entry.media = media_of_caps(entry.caps);
      g_free(text);
    } else if (GST_EVENT_TYPE(event) == GST_EVENT_TAG) {
      GstTagList* tags = nullptr;
      gst_event_parse_tag(event, &tags);
      if (gst_tag_list_get_scope(tags) == GST_TAG_SCOPE_STREAM) {
        if (const std::string language = string_tag(tags, GST_TAG_LANGUAGE_CODE); !language.empty()) {
          entry.language = language;
        }
        if (const std::string title = string_tag(tags, GST_TAG_TITLE); !title.empty()) entry.title = title;
      }
    }
  }
  return GST_PAD_PROBE_OK;
}

void on_pad_added(GstElement*, GstPad* pad, gpointer data) {
  auto* discovery = static_cast<Discovery*>(data);
  {
    std::lock_guard<std::mutex> lock(discovery->mutex);
    DemuxPad entry;
    entry.name = GST_PAD_NAME(pad);
    entry.media = "other";
    discovery->pads.push_back(entry);
    GstSegment segment;
    gst_segment_init(&segment, GST_FORMAT_TIME);
    discovery->segments.push_back(segment);
  }
  gst_pad_add_probe(pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_BUFFER),
                    on_pad_data, discovery, nullptr);
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
  gst_bin_add(GST_BIN(discovery->pipeline), sink);
  gst_element_sync_state_with_parent(sink);
  GstPad* sink_pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_link(pad, sink_pad);
  gst_object_unref(sink_pad);
}

void on_no_more_pads(GstElement*, gpointer data) {
  auto* discovery = static_cast<Discovery*>(data);
  std::lock_guard<std::mutex> lock(discovery->mutex);
  discovery->no_more_pads = true;
}

// Enough is known: every expected stream has a pad with caps.
bool complete(Discovery& discovery, const ExpectedStreams& expected) {
  std::lock_guard<std::mutex> lock(discovery.mutex);
  ExpectedStreams seen;
  for (const DemuxPad& pad : discovery.pads) {
    if (pad.caps.empty() || (pad.media == "video" && pad.first_time < 0)) return false;
    if (pad.media == "video") ++seen.video;
    if (pad.media == "audio") ++seen.audio;
    if (pad.media == "subtitle") ++seen.subtitle;
  }
  return seen.video >= expected.video && seen.audio >= expected.audio && seen.subtitle >= expected.subtitle;
}

std::string container_type(const std::filesystem::path& file) {
  ElementPtr pipeline(gst_pipeline_new("r4k-typefind"));
  GstElement* source = gst_element_factory_make("filesrc", nullptr);
  GstElement* typefind = gst_element_factory_make("typefind", nullptr);
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  if (source == nullptr || typefind == nullptr || sink == nullptr) throw Error("GStreamer's core elements are missing");
  g_object_set(source, "location", file.c_str(), nullptr);
  gst_bin_add_many(GST_BIN(pipeline.get()), source, typefind, sink, nullptr);
  gst_element_link_many(source, typefind, sink, nullptr);
  gst_element_set_state(pipeline.get(), GST_STATE_PAUSED);
  gst_element_get_state(pipeline.get(), nullptr, nullptr, 10 * GST_SECOND);
  GstCaps* caps = nullptr;
  g_object_get(typefind, "caps", &caps, nullptr);
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  if (caps == nullptr) throw InputError("GStreamer cannot tell what kind of file '" + file.string() + "' is");
  gchar* text = gst_caps_to_string(caps);
  const std::string type = text;
  g_free(text);
  gst_caps_unref(caps);
  return type;
}

std::string best_factory(const std::string& type, GstElementFactoryListType kind) {
  GstCaps* caps = gst_caps_from_string(type.c_str());
  if (caps == nullptr) return "";
  GList* all = gst_element_factory_list_get_elements(kind, GST_RANK_MARGINAL);
  GList* able = gst_element_factory_list_filter(all, caps, GST_PAD_SINK, FALSE);
  std::string name;
  // Sorted by rank, highest first; bins that plug further elements
  // (vp8alphadecodebin) are not the decoder itself.
  for (GList* item = able; item != nullptr && name.empty(); item = item->next) {
    const std::string candidate = GST_OBJECT_NAME(item->data);
    if (candidate.find("decodebin") == std::string::npos) name = candidate;
  }
  gst_plugin_feature_list_free(able);
  gst_plugin_feature_list_free(all);
  gst_caps_unref(caps);
  return name;
}

std::string best_demuxer(const std::string& type) { return best_factory(type, GST_ELEMENT_FACTORY_TYPE_DEMUXER); }

}  // namespace

bool element_available(const std::string& name) {
  initialise_gstreamer();
  GstElementFactory* factory = gst_element_factory_find(name.c_str());
  if (factory == nullptr) return false;
  gst_object_unref(factory);
  return true;
}

std::string best_element(const std::string& caps, ElementRole role) {
  initialise_gstreamer();
  return best_factory(caps, role == ElementRole::parser
                                ? GST_ELEMENT_FACTORY_TYPE_PARSER
                                : static_cast<GstElementFactoryListType>(GST_ELEMENT_FACTORY_TYPE_DECODER |
                                                                         GST_ELEMENT_FACTORY_TYPE_MEDIA_VIDEO));
}

std::string media_of_caps(const std::string& caps) {
  const auto starts = [&](const char* prefix) { return caps.rfind(prefix, 0) == 0; };
  if (starts("video/") || starts("image/")) return "video";
  if (starts("audio/")) return "audio";
  if (starts("text/") || starts("subpicture/") || starts("subtitle/") || starts("application/x-ssa") ||
      starts("application/x-ass") || starts("application/x-usf") || starts("application/x-subtitle")) {
    return "subtitle";
  }
  return "other";
}

DemuxDiscovery discover_demux(const std::filesystem::path& file, const ExpectedStreams& expected) {
  initialise_gstreamer();
  DemuxDiscovery result;
  result.container = container_type(file);
  // Elementary streams (a bare .h264, .m2v) have no demuxer: the file is the stream.
  if (media_of_caps(result.container) == "video" && result.container.find("systemstream=(boolean)true") == std::string::npos &&
      result.container.rfind("video/quicktime", 0) != 0 && result.container.rfind("video/x-matroska", 0) != 0 &&
      result.container.rfind("video/webm", 0) != 0 && result.container.rfind("video/x-msvideo", 0) != 0 &&
      result.container.rfind("video/mpegts", 0) != 0 && result.container.rfind("video/x-flv", 0) != 0 &&
      result.container.rfind("video/x-ms-asf", 0) != 0 && result.container.rfind("video/x-dv", 0) != 0) {
    result.pads.push_back({"", result.container, "video", "", ""});
    return result;
  }
  result.demuxer = best_demuxer(result.container);
  if (result.demuxer.empty()) {
    throw InputError("input '" + file.string() + "' is " + result.container + ", which no GStreamer demuxer here reads");
  }

  Discovery discovery;
  ElementPtr pipeline(gst_pipeline_new("r4k-demux-discovery"));
  discovery.pipeline = pipeline.get();
  GstElement* source = gst_element_factory_make("filesrc", nullptr);
  GstElement* demuxer = gst_element_factory_make(result.demuxer.c_str(), nullptr);
  g_object_set(source, "location", file.c_str(), nullptr);
  gst_bin_add_many(GST_BIN(pipeline.get()), source, demuxer, nullptr);
  if (!gst_element_link(source, demuxer)) throw InputError("input '" + file.string() + "': cannot link " + result.demuxer);
  g_signal_connect(demuxer, "pad-added", G_CALLBACK(on_pad_added), &discovery);
  g_signal_connect(demuxer, "no-more-pads", G_CALLBACK(on_no_more_pads), &discovery);
  std::unique_ptr<GstBus, ObjectUnref> bus(gst_element_get_bus(pipeline.get()));
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  const auto start = std::chrono::steady_clock::now();
  std::string error;
  while (!complete(discovery, expected) && std::chrono::steady_clock::now() - start < kDiscoveryTimeout) {
    GstMessage* message = gst_bus_timed_pop_filtered(bus.get(), 20 * GST_MSECOND,
                                                     static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    if (message == nullptr) continue;
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
      GError* gerror = nullptr;
      gst_message_parse_error(message, &gerror, nullptr);
      error = gerror != nullptr ? gerror->message : "unknown error";
      g_clear_error(&gerror);
    }
    gst_message_unref(message);
    break;
  }
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  std::lock_guard<std::mutex> lock(discovery.mutex);
  if (discovery.pads.empty()) {
    throw InputError("input '" + file.string() + "': " + result.demuxer + " found no streams" +
                     (error.empty() ? std::string() : " (" + error + ")"));
  }
  for (const DemuxPad& pad : discovery.pads) {
    if (!pad.caps.empty()) result.pads.push_back(pad);
  }
  return result;
}

}  // namespace r4k::pipeline
