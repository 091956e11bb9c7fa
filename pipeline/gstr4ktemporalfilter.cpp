#include "pipeline/gstr4ktemporalfilter.h"

#include <deque>
#include <memory>
#include <string>

#include "pipeline/float_frames.hpp"
#include "pipeline/video_format.hpp"
#include "core/error.hpp"
#include "preprocess/raw_video.hpp"
#include "preprocess/temporal_stage.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_temporal_filter_debug);
#define GST_CAT_DEFAULT gst_r4k_temporal_filter_debug

namespace {

struct TemporalState {
  std::unique_ptr<r4k::TemporalStage> stage;
  r4k::pipeline::FrameCarriage carriage;
  // Frames kept: the `context` before the next one to output, and all that
  // arrived after it. buffers[i] is null once frame i has been sent on;
  // frames[i] is null where the stage does not read the picture.
  std::deque<GstBuffer*> buffers;
  std::deque<std::shared_ptr<const r4k::Frame>> frames;
  std::size_t next = 0;  // index in the deques of the next frame to output

  void clear() {
    for (GstBuffer* buffer : buffers) {
      if (buffer != nullptr) gst_buffer_unref(buffer);
    }
    buffers.clear();
    frames.clear();
    next = 0;
    if (stage) stage->reset();
  }
};

// A derivable type's instance struct is public (G_DECLARE_DERIVABLE_TYPE
// declares it), so the base's one pointer lives in its private data; each
// element on it keeps its settings behind its own pointer.
struct GstR4kTemporalFilterPrivate {
  TemporalState* state;
};

}  // namespace

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE(GstR4kTemporalFilter, gst_r4k_temporal_filter, GST_TYPE_VIDEO_FILTER)

static TemporalState& state_of(GstR4kTemporalFilter* self) {
  auto* priv = static_cast<GstR4kTemporalFilterPrivate*>(gst_r4k_temporal_filter_get_instance_private(self));
  return *priv->state;
}

// The element's factory name for messages ("r4kdeflicker").
static const char* stage_name(GstR4kTemporalFilter* self) {
  GstElementFactory* factory = gst_element_get_factory(GST_ELEMENT(self));
  return factory != nullptr ? GST_OBJECT_NAME(factory) : G_OBJECT_TYPE_NAME(self);
}

static std::shared_ptr<const r4k::Frame> read_buffer(GstR4kTemporalFilter* self, GstBuffer* buffer) {
  return state_of(self).carriage.read(buffer, GST_VIDEO_FILTER(self)->in_info);
}

// Processes the next frame and returns it as an output buffer: the input
// buffer, made writable and overwritten (raw video) or carrying the new
// frame (float frames); a new buffer for raw video after float frames.
static GstBuffer* process_next(GstR4kTemporalFilter* self) {
  TemporalState& state = state_of(self);
  const std::size_t index = state.next;
  GstBuffer* buffer = state.buffers[index];
  r4k::Frame current = state.frames[index] ? *state.frames[index] : *read_buffer(self, buffer);
  state.stage->process(r4k::FrameWindow(state.frames, index), current);
  state.buffers[index] = nullptr;  // ours now (the deque still owned it if anything above threw)
  const GstVideoInfo& info = GST_VIDEO_FILTER(self)->in_info;  // the output's too: the stages keep the format
  const r4k::pipeline::FrameCarriage& carriage = state.carriage;
  GstBuffer* output = nullptr;
  if (carriage.float_out || !carriage.float_in) {
    output = gst_buffer_make_writable(buffer);
  } else {
    output = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
    gst_buffer_copy_into(output, buffer,
                         static_cast<GstBufferCopyFlags>(GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS), 0,
                         static_cast<gsize>(-1));
    gst_buffer_unref(buffer);
  }
  try {
    carriage.write(std::move(current), output, info);
  } catch (...) {
    gst_buffer_unref(output);
    throw;
  }
  ++state.next;
  // Forget frames no later window reads.
  const auto context = static_cast<std::size_t>(state.stage->context());
  while (state.next > context) {
    if (state.buffers.front() != nullptr) gst_buffer_unref(state.buffers.front());
    state.buffers.pop_front();
    state.frames.pop_front();
    --state.next;
  }
  return output;
}

// Sends every frame still held downstream (EOS, new caps, discontinuity).
static GstFlowReturn drain(GstR4kTemporalFilter* self) {
  TemporalState& state = state_of(self);
  GstFlowReturn ret = GST_FLOW_OK;
  try {
    while (state.stage && state.next < state.buffers.size() && ret == GST_FLOW_OK) {
      ret = gst_pad_push(GST_BASE_TRANSFORM_SRC_PAD(self), process_next(self));
    }
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("%s failed on a frame.", stage_name(self)), ("%s", error.what()));
    ret = GST_FLOW_ERROR;
  }
  state.clear();
  return ret;
}

static GstFlowReturn gst_r4k_temporal_filter_submit_input_buffer(GstBaseTransform* trans, gboolean is_discont,
                                                                 GstBuffer* input) {
  auto* self = GST_R4K_TEMPORAL_FILTER(trans);
  TemporalState& state = state_of(self);
  if (!state.stage) {
    gst_buffer_unref(input);
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("No caps before the first buffer of %s.", stage_name(self)),
                      (nullptr));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  // The buffer's own flag: GstBaseTransform's is_discont stays set for a
  // subclass that makes its own output (as this one does), so it would
  // call every frame a discontinuity and the stages would never see a
  // neighbour.
  (void)is_discont;
  if (GST_BUFFER_IS_DISCONT(input) && !state.buffers.empty()) {
    GST_DEBUG_OBJECT(self, "discontinuity: draining %zu frames", state.buffers.size() - state.next);
    const GstFlowReturn ret = drain(self);
    if (ret != GST_FLOW_OK) {
      gst_buffer_unref(input);
      return ret;
    }
  }
  try {
    auto frame = read_buffer(self, input);
    state.stage->observe(*frame);
    state.buffers.push_back(input);
    state.frames.push_back(state.stage->context() > 0 ? std::move(frame) : nullptr);
  } catch (const std::exception& error) {
    gst_buffer_unref(input);
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("%s cannot read a frame.", stage_name(self)), ("%s", error.what()));
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

static GstFlowReturn gst_r4k_temporal_filter_generate_output(GstBaseTransform* trans, GstBuffer** outbuf) {
  auto* self = GST_R4K_TEMPORAL_FILTER(trans);
  TemporalState& state = state_of(self);
  *outbuf = nullptr;
  if (!state.stage) return GST_FLOW_OK;
  const auto lookahead = static_cast<std::size_t>(state.stage->lookahead());
  if (state.buffers.size() <= state.next + lookahead) return GST_FLOW_OK;
  try {
    *outbuf = process_next(self);
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("%s failed on a frame.", stage_name(self)), ("%s", error.what()));
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

static gboolean gst_r4k_temporal_filter_sink_event(GstBaseTransform* trans, GstEvent* event) {
  auto* self = GST_R4K_TEMPORAL_FILTER(trans);
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_EOS:
    case GST_EVENT_CAPS:
    case GST_EVENT_SEGMENT:
      // Held frames belong to the old stream: send them before this event.
      if (drain(self) != GST_FLOW_OK && GST_EVENT_TYPE(event) != GST_EVENT_EOS) {
        gst_event_unref(event);
        return FALSE;
      }
      break;
    case GST_EVENT_FLUSH_STOP:
      state_of(self).clear();
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS(gst_r4k_temporal_filter_parent_class)->sink_event(trans, event);
}

static gboolean gst_r4k_temporal_filter_query(GstBaseTransform* trans, GstPadDirection direction, GstQuery* query) {
  if (direction == GST_PAD_SINK && r4k::pipeline::answer_float_frames_query(query)) return TRUE;
  const gboolean result =
      GST_BASE_TRANSFORM_CLASS(gst_r4k_temporal_filter_parent_class)->query(trans, direction, query);
  auto* self = GST_R4K_TEMPORAL_FILTER(trans);
  TemporalState& state = state_of(self);
  if (result && direction == GST_PAD_SRC && GST_QUERY_TYPE(query) == GST_QUERY_LATENCY && state.stage) {
    // Output waits for `lookahead` later frames.
    const GstVideoInfo& info = GST_VIDEO_FILTER(self)->in_info;
    if (GST_VIDEO_INFO_FPS_N(&info) > 0) {
      const GstClockTime delay = gst_util_uint64_scale_int(
          static_cast<guint64>(state.stage->lookahead()) * GST_SECOND, GST_VIDEO_INFO_FPS_D(&info),
          GST_VIDEO_INFO_FPS_N(&info));
      gboolean live = FALSE;
      GstClockTime min = 0;
      GstClockTime max = 0;
      gst_query_parse_latency(query, &live, &min, &max);
      gst_query_set_latency(query, live, min + delay, max == GST_CLOCK_TIME_NONE ? max : max + delay);
    }
  }
  return result;
}

// The stages keep the caps; float frames to an r4k element downstream, from upstream either kind.
static GstCaps* gst_r4k_temporal_filter_transform_caps(GstBaseTransform* trans, GstPadDirection direction,
                                                       GstCaps* caps, GstCaps* filter) {
  GstCaps* result = r4k::pipeline::with_float_frames(
      gst_caps_copy(caps), direction == GST_PAD_SRC || r4k::pipeline::downstream_takes_float_frames(trans));
  if (filter != nullptr) {
    GstCaps* intersection = gst_caps_intersect_full(filter, result, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(result);
    result = intersection;
  }
  return result;
}

static GstCaps* gst_r4k_temporal_filter_fixate_caps(GstBaseTransform*, GstPadDirection, GstCaps*, GstCaps* othercaps) {
  return gst_caps_fixate(r4k::pipeline::prefer_float_frames(othercaps));
}

static gboolean gst_r4k_temporal_filter_set_info(GstVideoFilter* filter, GstCaps* incaps, GstVideoInfo* in_info,
                                                 GstCaps* outcaps, GstVideoInfo* out_info) {
  auto* self = GST_R4K_TEMPORAL_FILTER(filter);
  TemporalState& state = state_of(self);
  const auto format = r4k::pipeline::raw_format(GST_VIDEO_INFO_FORMAT(in_info));
  if (!format || GST_VIDEO_INFO_FORMAT(in_info) != GST_VIDEO_INFO_FORMAT(out_info)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("Unsupported video format %s for %s.", GST_VIDEO_INFO_NAME(in_info), stage_name(self)),
                      ("%s: expected one of %s", GST_VIDEO_INFO_NAME(in_info), r4k::pipeline::superres_formats()));
    return FALSE;
  }
  if (GST_VIDEO_INFO_IS_INTERLACED(in_info)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("Interlaced video: %s works on whole frames, deinterlace first.", stage_name(self)),
                      ("%s works on whole frames: put a deinterlacer (e.g. deinterlace) before it",
                       GST_ELEMENT_NAME(self)));
    return FALSE;
  }
  state.clear();
  state.carriage.set(incaps, outcaps, *format, r4k::pipeline::ycbcr_space(*in_info));
  try {
    auto* klass = GST_R4K_TEMPORAL_FILTER_GET_CLASS(self);
    state.stage.reset(klass->create_stage(self));
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("Invalid settings for %s: %s.", stage_name(self), error.what()),
                      (nullptr));
    return FALSE;
  }
  GST_INFO_OBJECT(self, "%s %dx%d, lookahead %d frames", GST_VIDEO_INFO_NAME(in_info), GST_VIDEO_INFO_WIDTH(in_info),
                  GST_VIDEO_INFO_HEIGHT(in_info), state.stage->lookahead());
  return TRUE;
}

static gboolean gst_r4k_temporal_filter_stop(GstBaseTransform* trans) {
  auto* self = GST_R4K_TEMPORAL_FILTER(trans);
  TemporalState& state = state_of(self);
  state.clear();
  state.stage.reset();
  return TRUE;
}

static void gst_r4k_temporal_filter_finalize(GObject* object) {
  auto* self = GST_R4K_TEMPORAL_FILTER(object);
  auto* priv = static_cast<GstR4kTemporalFilterPrivate*>(gst_r4k_temporal_filter_get_instance_private(self));
  priv->state->clear();
  delete priv->state;
  G_OBJECT_CLASS(gst_r4k_temporal_filter_parent_class)->finalize(object);
}

void gst_r4k_temporal_filter_class_set_metadata(GstR4kTemporalFilterClass* klass, const char* longname,
                                                const char* description) {
  auto* element_class = GST_ELEMENT_CLASS(klass);
  gst_element_class_set_static_metadata(element_class, longname, "Filter/Effect/Video", description,
                                        "restore4k engineers");
  r4k::pipeline::add_frame_pad_templates(element_class);
}

static void gst_r4k_temporal_filter_class_init(GstR4kTemporalFilterClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  auto* filter_class = GST_VIDEO_FILTER_CLASS(klass);
  gobject_class->finalize = gst_r4k_temporal_filter_finalize;
  trans_class->transform_caps = gst_r4k_temporal_filter_transform_caps;
  trans_class->fixate_caps = gst_r4k_temporal_filter_fixate_caps;
  trans_class->submit_input_buffer = gst_r4k_temporal_filter_submit_input_buffer;
  trans_class->generate_output = gst_r4k_temporal_filter_generate_output;
  trans_class->sink_event = gst_r4k_temporal_filter_sink_event;
  trans_class->query = gst_r4k_temporal_filter_query;
  trans_class->stop = gst_r4k_temporal_filter_stop;
  trans_class->passthrough_on_same_caps = FALSE;
  filter_class->set_info = gst_r4k_temporal_filter_set_info;
  klass->create_stage = nullptr;
  GST_DEBUG_CATEGORY_INIT(gst_r4k_temporal_filter_debug, "r4ktemporalfilter", 0, "restore4k temporal filters");
}

static void gst_r4k_temporal_filter_init(GstR4kTemporalFilter* self) {
  auto* priv = static_cast<GstR4kTemporalFilterPrivate*>(gst_r4k_temporal_filter_get_instance_private(self));
  priv->state = new TemporalState();
}
