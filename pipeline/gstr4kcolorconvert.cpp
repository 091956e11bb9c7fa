/**
 * SECTION:element-r4kcolorconvert
 * @title: r4kcolorconvert
 *
 * Converts video to BT.709 (HD/UHD) or BT.2020: the Y'CbCr matrix, the
 * primaries (in linear light) and the transfer function (the range stays the
 * input's: changing it would requantise every sample), in float at the frame's own bit depth and chroma
 * subsampling. The format stays the input's; the output caps carry the
 * target colorimetry. A grey picture (neutral chroma, or equal R'G'B')
 * stays exactly grey. Colorimetry fields the input caps leave unknown take
 * the usual assumption for the frame size, said in an INFO message.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=sd.mkv ! matroskademux ! avdec_ffv1 ! \
 *     r4kcolorconvert target=bt709 ! avenc_ffv1 ! matroskamux ! filesink location=hd-colour.mkv
 * ]|
 */
#include "pipeline/gstr4kcolorconvert.h"

#include <string>

#include "pipeline/float_frames.hpp"
#include "pipeline/video_format.hpp"
#include "preprocess/colour_conversion.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_color_convert_debug);
#define GST_CAT_DEFAULT gst_r4k_color_convert_debug

enum { PROP_0, PROP_TARGET };

typedef enum { GST_R4K_COLOR_TARGET_BT709, GST_R4K_COLOR_TARGET_BT2020 } GstR4kColorTarget;

#define DEFAULT_TARGET GST_R4K_COLOR_TARGET_BT709

static GType gst_r4k_color_target_get_type() {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_R4K_COLOR_TARGET_BT709, "BT.709 (HD and UHD SDR)", "bt709"},
      {GST_R4K_COLOR_TARGET_BT2020, "BT.2020 (wide gamut, SDR transfer)", "bt2020"},
      {0, nullptr, nullptr},
  };
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstR4kColorTarget", values));
  return type;
}

namespace {

// The C++ state behind the instance's one pointer.
struct ColorConvertImpl {
  GstR4kColorTarget target = DEFAULT_TARGET;  // the property; under the object lock
  // The streaming thread's, from the caps.
  r4k::pipeline::FrameCarriage carriage;
  r4k::Colourimetry from;
  r4k::Colourimetry to;
};

}  // namespace

struct _GstR4kColorConvert {
  GstVideoFilter parent;
  ColorConvertImpl* impl;
};

G_DEFINE_TYPE(GstR4kColorConvert, gst_r4k_color_convert, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE(r4kcolorconvert, "r4kcolorconvert", GST_RANK_NONE, GST_TYPE_R4K_COLOR_CONVERT);

static std::string target_name(GstR4kColorConvert* self) {
  GST_OBJECT_LOCK(self);
  const std::string name = self->impl->target == GST_R4K_COLOR_TARGET_BT2020 ? "bt2020" : "bt709";
  GST_OBJECT_UNLOCK(self);
  return name;
}

// Colorimetry is what this element changes: left open both ways, fixed on
// the output from the format in fixate_caps.
static GstCaps* gst_r4k_color_convert_transform_caps(GstBaseTransform* trans, GstPadDirection direction,
                                                     GstCaps* caps, GstCaps* filter) {
  GstCaps* result = gst_caps_copy(caps);
  for (guint i = 0; i < gst_caps_get_size(result); ++i) {
    gst_structure_remove_field(gst_caps_get_structure(result, i), "colorimetry");
  }
  // Float frames to an r4k element downstream; from upstream, either.
  result = r4k::pipeline::with_float_frames(
      result, direction == GST_PAD_SRC || r4k::pipeline::downstream_takes_float_frames(trans));
  if (filter != nullptr) {
    GstCaps* intersection = gst_caps_intersect_full(filter, result, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(result);
    result = intersection;
  }
  return result;
}

static GstCaps* gst_r4k_color_convert_fixate_caps(GstBaseTransform* trans, GstPadDirection direction, GstCaps* caps,
                                                  GstCaps* othercaps) {
  auto* self = GST_R4K_COLOR_CONVERT(trans);
  othercaps = gst_caps_truncate(gst_caps_make_writable(r4k::pipeline::prefer_float_frames(othercaps)));
  GstStructure* in = gst_caps_get_structure(caps, 0);
  GstStructure* out = gst_caps_get_structure(othercaps, 0);
  for (const char* field : {"format", "chroma-site", "interlace-mode"}) {
    const char* value = gst_structure_get_string(in, field);
    if (value != nullptr) gst_structure_fixate_field_string(out, field, value);
  }
  othercaps = gst_caps_fixate(othercaps);
  if (direction == GST_PAD_SINK) {
    GstVideoInfo info;
    GstVideoInfo in_info;
    if (gst_video_info_from_caps(&info, othercaps) && gst_video_info_from_caps(&in_info, caps)) {
      const std::string colorimetry = r4k::pipeline::target_colorimetry(
          target_name(self), GST_VIDEO_INFO_COMP_DEPTH(&info, 0), GST_VIDEO_INFO_IS_RGB(&info),
          r4k::pipeline::ycbcr_space(in_info).range);
      gst_caps_set_simple(othercaps, "colorimetry", G_TYPE_STRING, colorimetry.c_str(), nullptr);
    }
  }
  return othercaps;
}

static gboolean gst_r4k_color_convert_set_info(GstVideoFilter* filter, GstCaps* incaps, GstVideoInfo* in_info,
                                               GstCaps* outcaps, GstVideoInfo* out_info) {
  auto* self = GST_R4K_COLOR_CONVERT(filter);
  const auto format = r4k::pipeline::raw_format(GST_VIDEO_INFO_FORMAT(in_info));
  if (!format || GST_VIDEO_INFO_FORMAT(in_info) != GST_VIDEO_INFO_FORMAT(out_info)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("Unsupported video format: input %s, output %s (r4kcolorconvert keeps the input's format).",
                       GST_VIDEO_INFO_NAME(in_info), GST_VIDEO_INFO_NAME(out_info)),
                      ("the output must be the input's format, one of %s", r4k::pipeline::superres_formats()));
    return FALSE;
  }
  std::string assumed;
  std::string error;
  const auto from = r4k::pipeline::colourimetry(*in_info, assumed, error);
  const std::string target = target_name(self);
  if (!from) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("Cannot convert the input's colour to %s (property target): %s.", target.c_str(),
                       error.c_str()),
                      ("the input's %s cannot be converted to %s by restore4k", error.c_str(), target.c_str()));
    return FALSE;
  }
  if (!assumed.empty()) {
    GST_ELEMENT_INFO(self, STREAM, FORMAT, ("The input's colour is not fully tagged: assuming %s.", assumed.c_str()),
                     (nullptr));
  }
  ColorConvertImpl& impl = *self->impl;
  impl.carriage.set(incaps, outcaps, *format, r4k::YcbcrSpace{from->matrix, from->range, 8});
  impl.from = *from;
  impl.to = r4k::pipeline::target_colourimetry(target, GST_VIDEO_INFO_IS_RGB(in_info), from->range);
  GST_INFO_OBJECT(self, "%s: %s/%s/%s -> %s", GST_VIDEO_INFO_NAME(in_info), r4k::to_string(from->matrix).c_str(),
                  r4k::to_string(from->primaries).c_str(), r4k::to_string(from->transfer).c_str(), target.c_str());
  return TRUE;
}

static GstFlowReturn gst_r4k_color_convert_transform(GstBaseTransform* trans, GstBuffer* input,
                                                     GstBuffer* output) {
  auto* self = GST_R4K_COLOR_CONVERT(trans);
  auto* filter = GST_VIDEO_FILTER(trans);
  ColorConvertImpl& impl = *self->impl;
  try {
    const auto frame = impl.carriage.read(input, filter->in_info);
    impl.carriage.write(r4k::convert_colour(*frame, impl.from, impl.to), output, filter->out_info);
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("Colour conversion to %s failed.", r4k::to_string(impl.to.matrix).c_str()),
                      ("%s", error.what()));
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

static void gst_r4k_color_convert_set_property(GObject* object, guint prop_id, const GValue* value,
                                               GParamSpec* pspec) {
  auto* self = GST_R4K_COLOR_CONVERT(object);
  switch (prop_id) {
    case PROP_TARGET:
      GST_OBJECT_LOCK(self);
      self->impl->target = static_cast<GstR4kColorTarget>(g_value_get_enum(value));
      GST_OBJECT_UNLOCK(self);
      gst_base_transform_reconfigure_src(GST_BASE_TRANSFORM(self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void gst_r4k_color_convert_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_COLOR_CONVERT(object);
  switch (prop_id) {
    case PROP_TARGET:
      GST_OBJECT_LOCK(self);
      g_value_set_enum(value, self->impl->target);
      GST_OBJECT_UNLOCK(self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
}

static void gst_r4k_color_convert_finalize(GObject* object) {
  delete GST_R4K_COLOR_CONVERT(object)->impl;
  G_OBJECT_CLASS(gst_r4k_color_convert_parent_class)->finalize(object);
}

static void gst_r4k_color_convert_class_init(GstR4kColorConvertClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  auto* filter_class = GST_VIDEO_FILTER_CLASS(klass);
  gobject_class->set_property = gst_r4k_color_convert_set_property;
  gobject_class->get_property = gst_r4k_color_convert_get_property;
  gobject_class->finalize = gst_r4k_color_convert_finalize;

  g_object_class_install_property(
      gobject_class, PROP_TARGET,
      g_param_spec_enum("target", "Target", "The colour standard to convert to", gst_r4k_color_target_get_type(),
                        DEFAULT_TARGET,
                        // the output caps are negotiated again when it changes
                        static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                 GST_PARAM_MUTABLE_PLAYING)));

  gst_element_class_set_static_metadata(element_class, "Colour conversion", "Filter/Converter/Video",
                                        "Converts video to BT.709 or BT.2020 (matrix, primaries, transfer) in "
                                        "float at its own depth, keeping grey exactly grey",
                                        "restore4k engineers");
  r4k::pipeline::add_frame_pad_templates(element_class);

  trans_class->transform_caps = gst_r4k_color_convert_transform_caps;
  trans_class->fixate_caps = gst_r4k_color_convert_fixate_caps;
  trans_class->passthrough_on_same_caps = FALSE;
  filter_class->set_info = gst_r4k_color_convert_set_info;
  // Frames of either kind (pipeline/float_frames.hpp): transform, not transform_frame.
  r4k::pipeline::carry_frames(trans_class);
  trans_class->transform = gst_r4k_color_convert_transform;
  GST_DEBUG_CATEGORY_INIT(gst_r4k_color_convert_debug, "r4kcolorconvert", 0, "restore4k colour conversion");
  gst_type_mark_as_plugin_api(gst_r4k_color_target_get_type(), static_cast<GstPluginAPIFlags>(0));
}

static void gst_r4k_color_convert_init(GstR4kColorConvert* self) { self->impl = new ColorConvertImpl(); }
