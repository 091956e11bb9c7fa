/**
 * SECTION:element-r4kwiden
 * @title: r4kwiden
 *
 * Writes the pictures in another format that holds at least as much —
 * deeper samples, finer chroma, grey as Y'CbCr, interleaved as planar —
 * exactly: a deeper code is the shallower one times a power of two (8-bit v
 * is 4v at 10 bits, as BT.709 defines the depths; videoconvert replicates
 * the high bits instead, so 8-bit neutral chroma 128 became 514, not 512),
 * subsampled chroma is repeated (every input sample kept, none invented),
 * alpha keeps its full scale. What would lose something (fewer bits,
 * coarser chroma, another colour model) is refused at negotiation. The
 * colourimetry, size and timing stay the input's. `format` may change while
 * playing (the caps are negotiated again); a name that is not one of the
 * formats restore4k works in is refused when the element starts.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.mkv ! matroskademux ! avdec_ffv1 ! r4kwiden format=I422_10LE ! \
 *     avenc_prores_ks profile=hq ! r4kmuxsink location=out.mov source=in.mkv
 * ]|
 */
#include "pipeline/gstr4kwiden.h"

#include <string>

#include "pipeline/element_settings.hpp"
#include "pipeline/video_format.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_widen_debug);
#define GST_CAT_DEFAULT gst_r4k_widen_debug

enum { PROP_0, PROP_FORMAT };

#define DEFAULT_FORMAT "I422_10LE"

namespace {

// The C++ state behind the instance's one pointer.
struct WidenImpl {
  std::string format = DEFAULT_FORMAT;  // the property; under the object lock
  // The streaming thread's, from the caps.
  r4k::RawFormat in = r4k::RawFormat::i420;
  r4k::RawFormat out = r4k::RawFormat::i420;
};

}  // namespace

struct _GstR4kWiden {
  GstVideoFilter parent;
  WidenImpl* impl;
};

G_DEFINE_TYPE(GstR4kWiden, gst_r4k_widen, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE(r4kwiden, "r4kwiden", GST_RANK_NONE, GST_TYPE_R4K_WIDEN);

static std::string target_format(GstR4kWiden* self) {
  GST_OBJECT_LOCK(self);
  const std::string name = self->impl->format;
  GST_OBJECT_UNLOCK(self);
  return name;
}

// One of the formats restore4k works in.
static bool writes(const std::string& name) {
  const GstVideoFormat format = gst_video_format_from_string(name.c_str());
  return format != GST_VIDEO_FORMAT_UNKNOWN && r4k::pipeline::raw_format(format).has_value();
}

// A format restore4k does not work in would fail negotiation without a word.
static gboolean gst_r4k_widen_start(GstBaseTransform* trans) {
  auto* self = GST_R4K_WIDEN(trans);
  const std::string name = target_format(self);
  if (!writes(name)) {
    r4k::pipeline::refuse_property(GST_ELEMENT(self), "format", name,
                                   std::string("one of ") + r4k::pipeline::superres_formats());
    return FALSE;
  }
  return TRUE;
}

static GstCaps* gst_r4k_widen_transform_caps(GstBaseTransform* trans, GstPadDirection direction, GstCaps* caps,
                                             GstCaps* filter) {
  auto* self = GST_R4K_WIDEN(trans);
  const std::string target = target_format(self);
  const bool valid = writes(target);
  GstCaps* result = gst_caps_copy(caps);
  GstCaps* formats = gst_caps_from_string((std::string("video/x-raw, format = (string) ") +
                                           r4k::pipeline::superres_formats()).c_str());
  const GValue* any = gst_structure_get_value(gst_caps_get_structure(formats, 0), "format");
  for (guint i = 0; i < gst_caps_get_size(result); ++i) {
    GstStructure* s = gst_caps_get_structure(result, i);
    // A format it does not write is refused in start(), by name, rather
    // than left to fail linking without a word.
    if (direction == GST_PAD_SINK && valid) {
      gst_structure_set(s, "format", G_TYPE_STRING, target.c_str(), nullptr);
    } else {
      gst_structure_set_value(s, "format", any);
    }
  }
  gst_caps_unref(formats);
  if (filter != nullptr) {
    GstCaps* intersection = gst_caps_intersect_full(filter, result, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(result);
    result = intersection;
  }
  return result;
}

static gboolean gst_r4k_widen_set_info(GstVideoFilter* filter, GstCaps*, GstVideoInfo* in_info, GstCaps*,
                                       GstVideoInfo* out_info) {
  auto* self = GST_R4K_WIDEN(filter);
  const auto in = r4k::pipeline::raw_format(GST_VIDEO_INFO_FORMAT(in_info));
  const auto out = r4k::pipeline::raw_format(GST_VIDEO_INFO_FORMAT(out_info));
  std::string why = "an unsupported format";
  if (!in || !out || !r4k::can_widen(*in, *out, why)) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                      ("Cannot widen %s to %s (property format): %s.", GST_VIDEO_INFO_NAME(in_info),
                       GST_VIDEO_INFO_NAME(out_info), why.c_str()),
                      ("%s: r4kwiden only writes formats that lose nothing", why.c_str()));
    return FALSE;
  }
  self->impl->in = *in;
  self->impl->out = *out;
  return TRUE;
}

static GstFlowReturn gst_r4k_widen_transform_frame(GstVideoFilter* filter, GstVideoFrame* in_frame,
                                                   GstVideoFrame* out_frame) {
  auto* self = GST_R4K_WIDEN(filter);
  try {
    const r4k::RawFrame in = r4k::pipeline::raw_frame(*in_frame, self->impl->in);
    r4k::RawFrame out = r4k::pipeline::raw_frame(*out_frame, self->impl->out);
    r4k::widen(in, out);
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED,
                      ("Widening %s to %s failed.", GST_VIDEO_INFO_NAME(&in_frame->info),
                       GST_VIDEO_INFO_NAME(&out_frame->info)),
                      ("%s", error.what()));
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

static void gst_r4k_widen_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_WIDEN(object);
  switch (prop_id) {
    case PROP_FORMAT:
      GST_OBJECT_LOCK(self);
      self->impl->format = r4k::pipeline::text_of(g_value_get_string(value));
      GST_OBJECT_UNLOCK(self);
      gst_base_transform_reconfigure_src(GST_BASE_TRANSFORM(self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void gst_r4k_widen_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_WIDEN(object);
  switch (prop_id) {
    case PROP_FORMAT:
      GST_OBJECT_LOCK(self);
      g_value_set_string(value, self->impl->format.c_str());
      GST_OBJECT_UNLOCK(self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void gst_r4k_widen_finalize(GObject* object) {
  delete GST_R4K_WIDEN(object)->impl;
  G_OBJECT_CLASS(gst_r4k_widen_parent_class)->finalize(object);
}

static void gst_r4k_widen_class_init(GstR4kWidenClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  auto* filter_class = GST_VIDEO_FILTER_CLASS(klass);
  gobject_class->set_property = gst_r4k_widen_set_property;
  gobject_class->get_property = gst_r4k_widen_get_property;
  gobject_class->finalize = gst_r4k_widen_finalize;
  g_object_class_install_property(
      gobject_class, PROP_FORMAT,
      g_param_spec_string("format", "Format",
                          "The format to write (GStreamer's name, e.g. I422_10LE): it must hold at least what the "
                          "input holds",
                          DEFAULT_FORMAT,
                          static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                   GST_PARAM_MUTABLE_PLAYING)));
  gst_element_class_set_static_metadata(element_class, "Exact widening", "Filter/Converter/Video",
                                        "Writes the pictures in a deeper or less subsampled format exactly (codes "
                                        "times a power of two, chroma repeated)",
                                        "restore4k engineers");
  r4k::pipeline::add_video_pad_templates(element_class);
  trans_class->start = gst_r4k_widen_start;
  trans_class->transform_caps = gst_r4k_widen_transform_caps;
  trans_class->passthrough_on_same_caps = TRUE;
  filter_class->set_info = gst_r4k_widen_set_info;
  filter_class->transform_frame = gst_r4k_widen_transform_frame;
  GST_DEBUG_CATEGORY_INIT(gst_r4k_widen_debug, "r4kwiden", 0, "restore4k exact widening");
}

static void gst_r4k_widen_init(GstR4kWiden* self) { self->impl = new WidenImpl(); }
