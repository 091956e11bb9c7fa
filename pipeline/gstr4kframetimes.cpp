/**
 * SECTION:element-r4kframetimes
 * @title: r4kframetimes
 *
 * Repairs the presentation times a decoder guessed wrongly (see
 * preprocess/frame_times.hpp): MPEG program streams need not stamp every
 * picture, and GStreamer's MPEG-2 decoders then give the pictures after
 * unstamped B-frames the same time (1.18, 1.30, 1.30, 1.30, 1.34 s at 25
 * frames/s). A run of equal times that fits the frame rate between the times
 * around it gets the rate's times; increasing times are never changed. The
 * pictures pass unchanged otherwise, each held until the next shows whether
 * it starts such a run. Streams without a frame rate pass untouched. At the
 * end it says how many times it repaired (an INFO message), and warns of runs
 * it could not.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=vts_01_1.vob ! mpegpsdemux ! mpegvideoparse ! avdec_mpeg2video ! \
 *     r4kframetimes ! videoconvert ! avenc_ffv1 ! matroskamux ! filesink location=reel.mkv
 * ]|
 */
#include "pipeline/gstr4kframetimes.h"

#include <gst/video/video.h>

#include <deque>
#include <memory>
#include <optional>

#include "preprocess/frame_times.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_frame_times_debug);
#define GST_CAT_DEFAULT gst_r4k_frame_times_debug

namespace {

// The streaming thread's.
struct FrameTimesImpl {
  double duration = 0.0;                  // ns per frame, from the caps (0: no frame rate)
  std::optional<r4k::FrameTimes> times;   // none: no frame rate, pass untouched
  std::deque<GstBuffer*> held;            // the pictures whose times are not known yet, in order
  void clear() {
    for (GstBuffer* buffer : held) gst_buffer_unref(buffer);
    held.clear();
  }
};

}  // namespace

struct _GstR4kFrameTimes {
  GstElement parent;
  GstPad* sinkpad;
  GstPad* srcpad;
  FrameTimesImpl* impl;
};

G_DEFINE_TYPE(GstR4kFrameTimes, gst_r4k_frame_times, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE(r4kframetimes, "r4kframetimes", GST_RANK_NONE, GST_TYPE_R4K_FRAME_TIMES);

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-raw"));
static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-raw"));

// Pushes the pictures whose times are known, with those times.
static GstFlowReturn push_resolved(GstR4kFrameTimes* self, const std::vector<std::pair<std::int64_t, std::int64_t>>& done) {
  FrameTimesImpl& impl = *self->impl;
  GstFlowReturn ret = GST_FLOW_OK;
  // They come in order: the first of them is the first held.
  for (const auto& [number, time] : done) {
    GstBuffer* buffer = impl.held.front();
    impl.held.pop_front();
    if (static_cast<GstClockTime>(time) != GST_BUFFER_PTS(buffer)) {
      buffer = gst_buffer_make_writable(buffer);
      GST_LOG_OBJECT(self, "picture %" G_GINT64_FORMAT ": %" GST_TIME_FORMAT " -> %" GST_TIME_FORMAT, number,
                     GST_TIME_ARGS(GST_BUFFER_PTS(buffer)), GST_TIME_ARGS(static_cast<GstClockTime>(time)));
      GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(time);
    }
    if (ret == GST_FLOW_OK) {
      ret = gst_pad_push(self->srcpad, buffer);
    } else {
      gst_buffer_unref(buffer);
    }
  }
  return ret;
}

// Everything held goes out (the end, or an event that must follow the pictures before it).
static GstFlowReturn drain(GstR4kFrameTimes* self) {
  FrameTimesImpl& impl = *self->impl;
  return impl.times ? push_resolved(self, impl.times->finish()) : GST_FLOW_OK;
}

static GstFlowReturn gst_r4k_frame_times_chain(GstPad*, GstObject* parent, GstBuffer* buffer) {
  auto* self = GST_R4K_FRAME_TIMES(parent);
  FrameTimesImpl& impl = *self->impl;
  if (!impl.times || !GST_BUFFER_PTS_IS_VALID(buffer)) {
    const GstFlowReturn ret = drain(self);
    if (ret != GST_FLOW_OK) {
      gst_buffer_unref(buffer);
      return ret;
    }
    return gst_pad_push(self->srcpad, buffer);
  }
  impl.held.push_back(buffer);
  return push_resolved(self, impl.times->push(static_cast<std::int64_t>(GST_BUFFER_PTS(buffer))));
}

static void report(GstR4kFrameTimes* self) {
  FrameTimesImpl& impl = *self->impl;
  if (!impl.times) return;
  if (impl.times->repaired() > 0) {
    GST_ELEMENT_INFO(self, STREAM, FORMAT,
                     ("The decoder gave %" G_GINT64_FORMAT " pictures the time of a later one; they have the frame "
                      "rate's times.",
                      impl.times->repaired()),
                     (nullptr));
  }
  if (impl.times->unrepaired() > 0) {
    GST_ELEMENT_WARNING(self, STREAM, FORMAT,
                        ("%" G_GINT64_FORMAT " pictures share the time of another, and the frame rate does not say "
                         "which time is theirs.",
                         impl.times->unrepaired()),
                        (nullptr));
  }
}

static gboolean gst_r4k_frame_times_sink_event(GstPad* pad, GstObject* parent, GstEvent* event) {
  auto* self = GST_R4K_FRAME_TIMES(parent);
  FrameTimesImpl& impl = *self->impl;
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_CAPS: {
      drain(self);
      GstCaps* caps = nullptr;
      gst_event_parse_caps(event, &caps);
      GstVideoInfo info;
      impl.times.reset();
      impl.duration = 0.0;
      if (gst_video_info_from_caps(&info, caps) && GST_VIDEO_INFO_FPS_N(&info) > 0 && GST_VIDEO_INFO_FPS_D(&info) > 0) {
        impl.duration = 1e9 * GST_VIDEO_INFO_FPS_D(&info) / GST_VIDEO_INFO_FPS_N(&info);
        impl.times.emplace(impl.duration);
      }
      break;
    }
    case GST_EVENT_FLUSH_STOP:
      impl.clear();
      if (impl.duration > 0.0) impl.times.emplace(impl.duration);  // numbered from the flush on
      break;
    case GST_EVENT_EOS:
      drain(self);
      report(self);
      break;
    case GST_EVENT_SEGMENT:
    case GST_EVENT_GAP:
    case GST_EVENT_STREAM_START:
      // They place the pictures after them: what came before goes first.
      drain(self);
      break;
    default:
      // (Tags and the rest may pass the held pictures.)
      GST_LOG_OBJECT(self, "%s passes %zu held pictures", GST_EVENT_TYPE_NAME(event), impl.held.size());
      break;
  }
  return gst_pad_event_default(pad, parent, event);
}

static GstStateChangeReturn gst_r4k_frame_times_change_state(GstElement* element, GstStateChange transition) {
  auto* self = GST_R4K_FRAME_TIMES(element);
  const GstStateChangeReturn ret =
      GST_ELEMENT_CLASS(gst_r4k_frame_times_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    self->impl->clear();
    self->impl->times.reset();
  }
  return ret;
}

static void gst_r4k_frame_times_finalize(GObject* object) {
  auto* self = GST_R4K_FRAME_TIMES(object);
  self->impl->clear();
  delete self->impl;
  G_OBJECT_CLASS(gst_r4k_frame_times_parent_class)->finalize(object);
}

static void gst_r4k_frame_times_class_init(GstR4kFrameTimesClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  gobject_class->finalize = gst_r4k_frame_times_finalize;
  element_class->change_state = gst_r4k_frame_times_change_state;
  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(element_class, "Frame times", "Filter/Video",
                                        "Repairs presentation times a decoder guessed wrongly for unstamped pictures",
                                        "restore4k engineers");
  GST_DEBUG_CATEGORY_INIT(gst_r4k_frame_times_debug, "r4kframetimes", 0, "restore4k frame time repair");
}

static void gst_r4k_frame_times_init(GstR4kFrameTimes* self) {
  self->impl = new FrameTimesImpl();
  self->sinkpad = gst_pad_new_from_static_template(&sink_template, "sink");
  gst_pad_set_chain_function(self->sinkpad, gst_r4k_frame_times_chain);
  gst_pad_set_event_function(self->sinkpad, gst_r4k_frame_times_sink_event);
  GST_PAD_SET_PROXY_CAPS(self->sinkpad);
  GST_PAD_SET_PROXY_ALLOCATION(self->sinkpad);
  gst_element_add_pad(GST_ELEMENT(self), self->sinkpad);
  self->srcpad = gst_pad_new_from_static_template(&src_template, "src");
  GST_PAD_SET_PROXY_CAPS(self->srcpad);
  gst_element_add_pad(GST_ELEMENT(self), self->srcpad);
}
