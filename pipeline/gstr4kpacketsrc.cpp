/**
 * SECTION:element-r4kpacketsrc
 * @title: r4kpacketsrc
 *
 * Replays film segments written by r4kmuxsink with a `packet-log`: the
 * encoded pictures of each file of `locations` (separated by ';', in
 * order), each with the times and flags its log LOCATION.packets recorded
 * and the caps the encoder gave, preceded by the provenance tag. Into an
 * r4kmuxsink set as the single-machine run sets it, this writes the film
 * that run writes. Every segment must be complete, encoded alike (the same
 * caps) and hold exactly the pictures its log lists: anything else is an
 * element error naming the segment.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 r4kpacketsrc locations="plan/segment-0000-of-0002.mkv;plan/segment-0001-of-0002.mkv" ! \
 *     r4kmuxsink location=film-4k.mkv source=film.mkv
 * ]|
 */
#include "pipeline/gstr4kpacketsrc.h"

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "decode/video_packet_reader.hpp"
#include "encode/packet_log.hpp"
#include "pipeline/element_settings.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_packet_src_debug);
#define GST_CAT_DEFAULT gst_r4k_packet_src_debug

enum { PROP_0, PROP_LOCATIONS };

namespace {

struct PacketSrcState {
  std::vector<std::string> files;
  std::vector<r4k::encode::PacketLog> logs;
  std::size_t segment = 0;  // the one being read
  std::size_t packet = 0;   // in its log
  std::unique_ptr<r4k::decode::VideoPacketReader> reader;
  bool started = false;     // caps and tags sent
};

struct PacketSrcImpl {
  std::string locations;  // under the object lock
  PacketSrcState state;   // the streaming thread's
};

std::vector<std::string> split_locations(const std::string& text) {
  std::vector<std::string> files;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ';')) {
    if (!item.empty()) files.push_back(item);
  }
  return files;
}

}  // namespace

struct _GstR4kPacketSrc {
  GstPushSrc parent;
  PacketSrcImpl* impl;
};

G_DEFINE_TYPE(GstR4kPacketSrc, gst_r4k_packet_src, GST_TYPE_PUSH_SRC);
GST_ELEMENT_REGISTER_DEFINE(r4kpacketsrc, "r4kpacketsrc", GST_RANK_NONE, GST_TYPE_R4K_PACKET_SRC);

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS("video/x-ffv; video/x-prores; video/x-h264, stream-format=(string)avc"));

static gboolean gst_r4k_packet_src_start(GstBaseSrc* base) {
  auto* self = GST_R4K_PACKET_SRC(base);
  GST_OBJECT_LOCK(self);
  const std::string locations = self->impl->locations;
  GST_OBJECT_UNLOCK(self);
  PacketSrcState& state = self->impl->state;
  state = PacketSrcState();
  state.files = split_locations(locations);
  if (state.files.empty()) {
    r4k::pipeline::refuse_property(GST_ELEMENT(self), "locations", locations,
                                   "the segment files, separated by ';'");
    return FALSE;
  }
  for (const std::string& file : state.files) {
    try {
      r4k::encode::PacketLog log = r4k::encode::read_packet_log(file + ".packets");
      std::string problem;
      if (!log.complete) problem = "its packet log is not complete (the task that wrote it did not finish)";
      else if (!state.logs.empty() && log.caps != state.logs.front().caps) {
        problem = "it was encoded differently from '" + state.files.front() + "' (" + log.caps + ")";
      }
      if (!problem.empty()) {
        GST_ELEMENT_ERROR(self, RESOURCE, READ, ("Segment '%s' cannot be joined.", file.c_str()), ("%s", problem.c_str()));
        return FALSE;
      }
      state.logs.push_back(std::move(log));
    } catch (const std::exception& error) {
      GST_ELEMENT_ERROR(self, RESOURCE, READ, ("Segment '%s' cannot be joined.", file.c_str()), ("%s", error.what()));
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean gst_r4k_packet_src_stop(GstBaseSrc* base) {
  GST_R4K_PACKET_SRC(base)->impl->state = PacketSrcState();
  return TRUE;
}

static GstFlowReturn gst_r4k_packet_src_create(GstPushSrc* push, GstBuffer** out) {
  auto* self = GST_R4K_PACKET_SRC(push);
  PacketSrcState& state = self->impl->state;
  try {
    if (!state.started) {
      state.started = true;
      GstCaps* caps = gst_caps_from_string(state.logs.front().caps.c_str());
      if (caps == nullptr) throw r4k::InputError("its packet log's caps do not parse");
      const gboolean set = gst_base_src_set_caps(GST_BASE_SRC(self), caps);
      gst_caps_unref(caps);
      if (!set) throw r4k::InputError("the writer does not take its caps");
      if (const std::string& provenance = state.logs.front().provenance; !provenance.empty()) {
        GstTagList* tags = gst_tag_list_new(GST_TAG_COMMENT, provenance.c_str(), nullptr);
        gst_element_send_event(GST_ELEMENT(self), gst_event_new_tag(tags));  // pushed before the first buffer
      }
    }
    while (state.segment < state.files.size()) {
      const std::string& file = state.files[state.segment];
      const r4k::encode::PacketLog& log = state.logs[state.segment];
      if (!state.reader) state.reader = std::make_unique<r4k::decode::VideoPacketReader>(file);
      auto data = state.reader->next();
      if (!data) {
        if (state.packet != log.packets.size()) {
          throw r4k::InputError("it holds " + std::to_string(state.packet) + " pictures, its log " +
                                std::to_string(log.packets.size()));
        }
        state.reader.reset();
        ++state.segment;
        state.packet = 0;
        continue;
      }
      if (state.packet >= log.packets.size()) {
        throw r4k::InputError("it holds more pictures than the " + std::to_string(log.packets.size()) +
                              " its log lists");
      }
      const r4k::encode::LoggedPacket& p = log.packets[state.packet];
      if (p.size != data->size() || p.pts < 0) {
        throw r4k::InputError("picture " + std::to_string(state.packet) + " is not the one its log lists");
      }
      ++state.packet;
      GstBuffer* buffer = gst_buffer_new_memdup(data->data(), data->size());
      GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(p.pts);
      GST_BUFFER_DTS(buffer) = p.dts && *p.dts >= 0 ? static_cast<GstClockTime>(*p.dts) : GST_CLOCK_TIME_NONE;
      GST_BUFFER_DURATION(buffer) = p.duration > 0 ? static_cast<GstClockTime>(p.duration) : GST_CLOCK_TIME_NONE;
      if (!p.keyframe) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
      *out = buffer;
      return GST_FLOW_OK;
    }
  } catch (const std::exception& error) {
    const std::string file = state.segment < state.files.size() ? state.files[state.segment] : std::string();
    GST_ELEMENT_ERROR(self, RESOURCE, READ, ("Segment '%s' cannot be joined.", file.c_str()), ("%s", error.what()));
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_EOS;
}

static void gst_r4k_packet_src_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_PACKET_SRC(object);
  GST_OBJECT_LOCK(self);
  if (prop_id == PROP_LOCATIONS) {
    self->impl->locations = r4k::pipeline::text_of(g_value_get_string(value));
  } else {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_packet_src_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_PACKET_SRC(object);
  GST_OBJECT_LOCK(self);
  if (prop_id == PROP_LOCATIONS) {
    g_value_set_string(value, self->impl->locations.empty() ? nullptr : self->impl->locations.c_str());
  } else {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_packet_src_finalize(GObject* object) {
  delete GST_R4K_PACKET_SRC(object)->impl;
  G_OBJECT_CLASS(gst_r4k_packet_src_parent_class)->finalize(object);
}

static void gst_r4k_packet_src_class_init(GstR4kPacketSrcClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* base_class = GST_BASE_SRC_CLASS(klass);
  auto* push_class = GST_PUSH_SRC_CLASS(klass);
  gobject_class->set_property = gst_r4k_packet_src_set_property;
  gobject_class->get_property = gst_r4k_packet_src_get_property;
  gobject_class->finalize = gst_r4k_packet_src_finalize;
  g_object_class_install_property(
      gobject_class, PROP_LOCATIONS,
      g_param_spec_string("locations", "Locations",
                          "The segment files in order, separated by ';' (each with its packet log LOCATION.packets)",
                          nullptr,
                          static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                   GST_PARAM_MUTABLE_READY)));
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(element_class, "Film segment source", "Source/Video",
                                        "Replays encoded film segments with the times their packet logs recorded",
                                        "restore4k engineers");
  base_class->start = gst_r4k_packet_src_start;
  base_class->stop = gst_r4k_packet_src_stop;
  push_class->create = gst_r4k_packet_src_create;
  GST_DEBUG_CATEGORY_INIT(gst_r4k_packet_src_debug, "r4kpacketsrc", 0, "restore4k film segment source");
}

static void gst_r4k_packet_src_init(GstR4kPacketSrc* self) {
  self->impl = new PacketSrcImpl();
  gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_TIME);
}
