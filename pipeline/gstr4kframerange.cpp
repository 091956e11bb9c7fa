/**
 * SECTION:element-r4kframerange
 * @title: r4kframerange
 *
 * Passes the buffers numbered [first, first + count) of the stream (0-based,
 * in the order they arrive; count -1 = to the end) and drops the others,
 * unchanged and with their timestamps. With `end-stream`, the buffer after
 * the range ends the stream: EOS goes downstream at once and upstream is
 * told EOS, so that nothing after the range is decoded or computed. The
 * count starts again after a flush.
 *
 * restore4k's film segments use two: one in front of r4krestore passes the
 * frames the segment decodes (its own and the temporal stages' context), one
 * behind it passes the segment's own frames to the encoder.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=reel.mkv ! matroskademux ! avdec_ffv1 ! r4kframerange first=100 \
 *     count=50 end-stream=true ! videoconvert ! avenc_ffv1 ! matroskamux ! filesink location=part.mkv
 * ]|
 */
#include "pipeline/gstr4kframerange.h"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_frame_range_debug);
#define GST_CAT_DEFAULT gst_r4k_frame_range_debug

enum { PROP_0, PROP_FIRST, PROP_COUNT, PROP_END_STREAM };

namespace {

struct FrameRangeSettings {
  gint64 first = 0;
  gint64 count = -1;
  bool end_stream = false;
};

struct FrameRangeImpl {
  FrameRangeSettings settings;  // under the object lock
  gint64 seen = 0;              // the streaming thread's
  bool ended = false;           // EOS sent downstream
};

}  // namespace

struct _GstR4kFrameRange {
  GstBaseTransform parent;
  FrameRangeImpl* impl;
};

G_DEFINE_TYPE(GstR4kFrameRange, gst_r4k_frame_range, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE(r4kframerange, "r4kframerange", GST_RANK_NONE, GST_TYPE_R4K_FRAME_RANGE);

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

static gboolean gst_r4k_frame_range_start(GstBaseTransform* base) {
  auto* self = GST_R4K_FRAME_RANGE(base);
  self->impl->seen = 0;
  self->impl->ended = false;
  return TRUE;
}

static GstFlowReturn gst_r4k_frame_range_transform_ip(GstBaseTransform* base, GstBuffer*) {
  auto* self = GST_R4K_FRAME_RANGE(base);
  GST_OBJECT_LOCK(self);
  const FrameRangeSettings s = self->impl->settings;
  GST_OBJECT_UNLOCK(self);
  const gint64 number = self->impl->seen++;
  if (self->impl->ended) return GST_FLOW_EOS;
  if (number < s.first) return GST_BASE_TRANSFORM_FLOW_DROPPED;
  if (s.count >= 0 && number >= s.first + s.count) {
    if (!s.end_stream) return GST_BASE_TRANSFORM_FLOW_DROPPED;
    GST_DEBUG_OBJECT(self, "frame %" G_GINT64_FORMAT " is past the range: ending the stream", number);
    self->impl->ended = true;
    gst_pad_push_event(GST_BASE_TRANSFORM_SRC_PAD(base), gst_event_new_eos());
    return GST_FLOW_EOS;
  }
  return GST_FLOW_OK;
}

static gboolean gst_r4k_frame_range_sink_event(GstBaseTransform* base, GstEvent* event) {
  auto* self = GST_R4K_FRAME_RANGE(base);
  if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP) {
    self->impl->seen = 0;
    self->impl->ended = false;
  } else if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && self->impl->ended) {
    gst_event_unref(event);  // sent already, at the range's end
    return TRUE;
  }
  return GST_BASE_TRANSFORM_CLASS(gst_r4k_frame_range_parent_class)->sink_event(base, event);
}

static void gst_r4k_frame_range_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_FRAME_RANGE(object);
  GST_OBJECT_LOCK(self);
  FrameRangeSettings& s = self->impl->settings;
  switch (prop_id) {
    case PROP_FIRST:
      s.first = g_value_get_int64(value);
      break;
    case PROP_COUNT:
      s.count = g_value_get_int64(value);
      break;
    case PROP_END_STREAM:
      s.end_stream = g_value_get_boolean(value) != FALSE;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_frame_range_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_FRAME_RANGE(object);
  GST_OBJECT_LOCK(self);
  const FrameRangeSettings& s = self->impl->settings;
  switch (prop_id) {
    case PROP_FIRST:
      g_value_set_int64(value, s.first);
      break;
    case PROP_COUNT:
      g_value_set_int64(value, s.count);
      break;
    case PROP_END_STREAM:
      g_value_set_boolean(value, s.end_stream ? TRUE : FALSE);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_frame_range_finalize(GObject* object) {
  delete GST_R4K_FRAME_RANGE(object)->impl;
  G_OBJECT_CLASS(gst_r4k_frame_range_parent_class)->finalize(object);
}

static void gst_r4k_frame_range_class_init(GstR4kFrameRangeClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* base_class = GST_BASE_TRANSFORM_CLASS(klass);
  gobject_class->set_property = gst_r4k_frame_range_set_property;
  gobject_class->get_property = gst_r4k_frame_range_get_property;
  gobject_class->finalize = gst_r4k_frame_range_finalize;
  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property(
      gobject_class, PROP_FIRST,
      g_param_spec_int64("first", "First", "Number of the first buffer passed (0-based)", 0, G_MAXINT64, 0, flags));
  g_object_class_install_property(
      gobject_class, PROP_COUNT,
      g_param_spec_int64("count", "Count", "Buffers passed from `first` on (-1 = to the end)", -1, G_MAXINT64, -1,
                         flags));
  g_object_class_install_property(
      gobject_class, PROP_END_STREAM,
      g_param_spec_boolean("end-stream", "End stream",
                           "End the stream after the range (EOS downstream, EOS told upstream) instead of dropping "
                           "what follows",
                           FALSE, flags));
  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(element_class, "Frame range", "Filter/Video",
                                        "Passes a range of frames by their number in the stream",
                                        "restore4k engineers");
  base_class->start = gst_r4k_frame_range_start;
  base_class->transform_ip = gst_r4k_frame_range_transform_ip;
  base_class->sink_event = gst_r4k_frame_range_sink_event;
  base_class->passthrough_on_same_caps = TRUE;
  base_class->transform_ip_on_passthrough = TRUE;
  GST_DEBUG_CATEGORY_INIT(gst_r4k_frame_range_debug, "r4kframerange", 0, "restore4k frame range");
}

static void gst_r4k_frame_range_init(GstR4kFrameRange* self) {
  self->impl = new FrameRangeImpl();
  gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), TRUE);
}
