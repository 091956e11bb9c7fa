#include "pipeline/float_frames.hpp"

#include <string>

#include "core/error.hpp"
#include "pipeline/video_format.hpp"

namespace r4k::pipeline {
namespace {

constexpr const char* kQueryName = "r4k-float-frames";

struct FloatFrameMeta {
  GstMeta meta;
  std::shared_ptr<const Frame>* frame;
};

GType float_frame_meta_api_type() {
  // The tag keeps GstBaseTransform and GstVideoFilter from copying the meta
  // onto an element's output buffer (each element attaches its own frame).
  static const GType type = [] {
    static const gchar* tags[] = {"r4k-float-frame", nullptr};
    return gst_meta_api_type_register("R4kFloatFrameMetaAPI", tags);
  }();
  return type;
}

gboolean meta_init(GstMeta* meta, gpointer, GstBuffer*) {
  reinterpret_cast<FloatFrameMeta*>(meta)->frame = nullptr;
  return TRUE;
}

void meta_free(GstMeta* meta, GstBuffer*) {
  auto* m = reinterpret_cast<FloatFrameMeta*>(meta);
  delete m->frame;
  m->frame = nullptr;
}

const GstMetaInfo* float_frame_meta_info();

// A copied buffer (gst_buffer_make_writable) shares the frame.
gboolean meta_transform(GstBuffer* dest, GstMeta* meta, GstBuffer*, GQuark type, gpointer) {
  if (!GST_META_TRANSFORM_IS_COPY(type)) return FALSE;
  const auto* source = reinterpret_cast<FloatFrameMeta*>(meta);
  auto* copy = reinterpret_cast<FloatFrameMeta*>(gst_buffer_add_meta(dest, float_frame_meta_info(), nullptr));
  if (copy == nullptr) return FALSE;
  if (source->frame != nullptr) copy->frame = new std::shared_ptr<const Frame>(*source->frame);
  return TRUE;
}

const GstMetaInfo* float_frame_meta_info() {
  static const GstMetaInfo* info = gst_meta_register(float_frame_meta_api_type(), "R4kFloatFrameMeta",
                                                     sizeof(FloatFrameMeta), meta_init, meta_free, meta_transform);
  return info;
}

// A read-only memory over `bytes` of a tensor that keeps the frame alive.
GstMemory* wrap(const std::shared_ptr<const Frame>& frame, const float* data, std::size_t count) {
  auto* keep = new std::shared_ptr<const Frame>(frame);
  return gst_memory_new_wrapped(GST_MEMORY_FLAG_READONLY, const_cast<float*>(data), count * sizeof(float), 0,
                                count * sizeof(float), keep,
                                [](gpointer kept) { delete static_cast<std::shared_ptr<const Frame>*>(kept); });
}

bool has_float_feature(const GstCapsFeatures* features) {
  return features != nullptr && gst_caps_features_contains(features, kFloatFrameFeature);
}

}  // namespace

bool carries_float_frames(const GstCaps* caps) {
  return caps != nullptr && gst_caps_get_size(caps) > 0 && has_float_feature(gst_caps_get_features(caps, 0));
}

GstCaps* with_float_frames(GstCaps* caps, bool float_too) {
  if (gst_caps_is_any(caps)) return caps;
  GstCaps* result = gst_caps_new_empty();
  for (guint i = 0; i < gst_caps_get_size(caps); ++i) {
    const GstStructure* structure = gst_caps_get_structure(caps, i);
    const GstCapsFeatures* features = gst_caps_get_features(caps, i);
    if (!gst_structure_has_name(structure, "video/x-raw")) {
      result = gst_caps_merge_structure_full(result, gst_structure_copy(structure),
                                             features != nullptr ? gst_caps_features_copy(features) : nullptr);
      continue;
    }
    if (float_too) {
      result = gst_caps_merge_structure_full(result, gst_structure_copy(structure),
                                             gst_caps_features_new(kFloatFrameFeature, nullptr));
    }
    result = gst_caps_merge_structure_full(result, gst_structure_copy(structure),
                                           gst_caps_features_new(GST_CAPS_FEATURE_MEMORY_SYSTEM_MEMORY, nullptr));
  }
  gst_caps_unref(caps);
  return result;
}

GstCaps* prefer_float_frames(GstCaps* caps) {
  GstCaps* floats = gst_caps_new_empty();
  for (guint i = 0; i < gst_caps_get_size(caps); ++i) {
    if (has_float_feature(gst_caps_get_features(caps, i))) {
      floats = gst_caps_merge_structure_full(floats, gst_structure_copy(gst_caps_get_structure(caps, i)),
                                             gst_caps_features_copy(gst_caps_get_features(caps, i)));
    }
  }
  if (gst_caps_is_empty(floats)) {
    gst_caps_unref(floats);
    return caps;
  }
  gst_caps_unref(caps);
  return floats;
}

void add_frame_pad_templates(GstElementClass* element_class) {
  GstCaps* caps = with_float_frames(superres_video_caps(), true);
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);
}

bool downstream_takes_float_frames(GstBaseTransform* trans) {
  GstQuery* query = gst_query_new_custom(GST_QUERY_CUSTOM, gst_structure_new_empty(kQueryName));
  bool takes = false;
  if (gst_pad_peer_query(GST_BASE_TRANSFORM_SRC_PAD(trans), query)) {
    gboolean answer = FALSE;
    takes = gst_structure_get_boolean(gst_query_get_structure(query), "takes", &answer) && answer;
  }
  gst_query_unref(query);
  return takes;
}

bool answer_float_frames_query(GstQuery* query) {
  if (GST_QUERY_TYPE(query) != GST_QUERY_CUSTOM) return false;
  GstStructure* structure = gst_query_writable_structure(query);
  if (structure == nullptr || !gst_structure_has_name(structure, kQueryName)) return false;
  gst_structure_set(structure, "takes", G_TYPE_BOOLEAN, TRUE, nullptr);
  return true;
}

std::shared_ptr<const Frame> float_frame(GstBuffer* buffer) {
  auto* meta = reinterpret_cast<FloatFrameMeta*>(gst_buffer_get_meta(buffer, float_frame_meta_api_type()));
  return meta != nullptr && meta->frame != nullptr ? *meta->frame : nullptr;
}

void set_float_frame(GstBuffer* buffer, std::shared_ptr<const Frame> frame) {
  while (GstMeta* old = gst_buffer_get_meta(buffer, float_frame_meta_api_type())) gst_buffer_remove_meta(buffer, old);
  gst_buffer_remove_all_memory(buffer);
  gst_buffer_append_memory(buffer, wrap(frame, frame->planes.data(), frame->planes.shape().elements()));
  if (!frame->chroma.empty()) {
    gst_buffer_append_memory(buffer, wrap(frame, frame->chroma.data(), frame->chroma.shape().elements()));
  }
  auto* meta = reinterpret_cast<FloatFrameMeta*>(gst_buffer_add_meta(buffer, float_frame_meta_info(), nullptr));
  meta->frame = new std::shared_ptr<const Frame>(std::move(frame));
}

void FrameCarriage::set(GstCaps* incaps, GstCaps* outcaps, RawFormat raw, const YcbcrSpace& ycbcr) {
  float_in = carries_float_frames(incaps);
  float_out = carries_float_frames(outcaps);
  format = raw;
  space = ycbcr;
}

std::shared_ptr<const Frame> FrameCarriage::read(GstBuffer* input, const GstVideoInfo& info) const {
  if (float_in) {
    auto frame = float_frame(input);
    if (!frame) throw Error("a buffer of float-frame caps carries no frame");
    return frame;
  }
  GstVideoFrame mapped;
  if (!gst_video_frame_map(&mapped, &info, input, GST_MAP_READ)) throw Error("cannot map an input buffer");
  try {
    auto frame = std::make_shared<const Frame>(unpack(raw_frame(mapped, format), space));
    gst_video_frame_unmap(&mapped);
    return frame;
  } catch (...) {
    gst_video_frame_unmap(&mapped);
    throw;
  }
}

void FrameCarriage::write(Frame&& frame, GstBuffer* output, const GstVideoInfo& info) const {
  if (float_out) {
    set_float_frame(output, std::make_shared<const Frame>(std::move(frame)));
    return;
  }
  GstVideoFrame mapped;
  if (!gst_video_frame_map(&mapped, &info, output, GST_MAP_WRITE)) throw Error("cannot map an output buffer");
  try {
    RawFrame raw = raw_frame(mapped, format);
    pack(frame, raw);
    gst_video_frame_unmap(&mapped);
  } catch (...) {
    gst_video_frame_unmap(&mapped);
    throw;
  }
}

namespace {

GstBaseTransformClass* video_filter_class() {
  return GST_BASE_TRANSFORM_CLASS(g_type_class_peek(GST_TYPE_VIDEO_FILTER));
}

bool src_carries_float_frames(GstBaseTransform* trans) {
  GstCaps* caps = gst_pad_get_current_caps(GST_BASE_TRANSFORM_SRC_PAD(trans));
  const bool carries = carries_float_frames(caps);
  if (caps != nullptr) gst_caps_unref(caps);
  return carries;
}

}  // namespace

GstFlowReturn prepare_frame_output(GstBaseTransform* trans, GstBuffer* input, GstBuffer** output) {
  if (!src_carries_float_frames(trans)) return video_filter_class()->prepare_output_buffer(trans, input, output);
  *output = gst_buffer_new();
  gst_buffer_copy_into(*output, input, static_cast<GstBufferCopyFlags>(GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS),
                       0, static_cast<gsize>(-1));
  return GST_FLOW_OK;
}

gboolean frames_query(GstBaseTransform* trans, GstPadDirection direction, GstQuery* query) {
  if (direction == GST_PAD_SINK && answer_float_frames_query(query)) return TRUE;
  return video_filter_class()->query(trans, direction, query);
}

gboolean frames_set_caps(GstBaseTransform* trans, GstCaps* incaps, GstCaps* outcaps) {
  if (!video_filter_class()->set_caps(trans, incaps, outcaps)) return FALSE;
  gst_base_transform_set_in_place(trans, FALSE);
  return TRUE;
}

void carry_frames(GstBaseTransformClass* klass) {
  klass->prepare_output_buffer = prepare_frame_output;
  klass->query = frames_query;
  klass->set_caps = frames_set_caps;
}

}  // namespace r4k::pipeline
