/**
 * SECTION:element-r4kfit
 * @title: r4kfit
 *
 * Fits video into a fixed frame such as UHD 3840x2160 or DCI 4K 4096x2160:
 * the picture is scaled to the largest size that fits (`mode=pad`, the rest
 * filled with `pad-color`) or that covers the frame (`mode=crop`), keeping
 * its display aspect ratio — the input's pixel-aspect-ratio is honoured, so
 * anamorphic SD comes out at 16:9 — centred, with square output pixels. The
 * format and colourimetry stay the input's; the pad colour is converted with
 * the caps' matrix and range. Shrinking averages areas; enlarging uses
 * `filter`.
 *
 * `width`, `height` and `pad-color` may change while playing (the caps are
 * negotiated again); `mode` and `filter` are read when the caps are set. The
 * properties that carry a job setting (all but `filter`) take their type,
 * range and default from the settings table (config/settings.cpp): `mode` is
 * an enum, so an unknown mode is refused by name when it is set; a `filter`
 * other than its choices is refused when the element starts.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=sd.mkv ! decodebin ! videoconvert ! \
 *     r4ksuperres model=builtin:bicubic-x4 ! r4kfit width=3840 height=2160 ! \
 *     videoconvert ! autovideosink
 * ]|
 */
#include "pipeline/gstr4kfit.h"

#include <string>

#include "pipeline/element_settings.hpp"
#include "pipeline/float_frames.hpp"
#include "pipeline/setting_param_specs.hpp"
#include "pipeline/video_format.hpp"
#include "preprocess/frame_fit.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_fit_debug);
#define GST_CAT_DEFAULT gst_r4k_fit_debug

enum { PROP_0, PROP_WIDTH, PROP_HEIGHT, PROP_MODE, PROP_PAD_COLOR, PROP_FILTER };

namespace {

// filter is r4kfit's own (not a job setting): an enum of preprocess's
// resampling filters, named as preprocess names them; lanczos by default.
constexpr r4k::ResampleFilter kDefaultFilter = r4k::ResampleFilter::lanczos;

GType resample_filter_enum_type() {
  static const GType type = [] {
    const r4k::ResampleFilter filters[] = {r4k::ResampleFilter::nearest, r4k::ResampleFilter::bilinear,
                                           r4k::ResampleFilter::bicubic, r4k::ResampleFilter::lanczos};
    // GLib keeps the values for the life of the type.
    auto* values = new GEnumValue[std::size(filters) + 1]{};
    for (std::size_t i = 0; i < std::size(filters); ++i) {
      const std::string name = r4k::to_string(filters[i]);
      values[i].value = static_cast<gint>(filters[i]);
      values[i].value_name = g_strdup(name.c_str());
      values[i].value_nick = g_strdup(name.c_str());
    }
    return g_enum_register_static("GstR4kResampleFilter", values);
  }();
  return type;
}

constexpr const char* kElement = "r4kfit";

// The setting that property `name` carries (config/settings.cpp).
const r4k::settings::Setting& setting_of(const char* name) {
  return *r4k::settings::find_property(kElement, name);
}

// The property values (under the object lock).
struct FitSettings {
  guint width = 0;
  guint height = 0;
  std::string mode;  // a choice of video.fit_mode
  guint pad_color = 0;
  r4k::ResampleFilter filter = kDefaultFilter;

  // The table's defaults.
  static FitSettings defaults() {
    FitSettings s;
    const auto [width, height] = r4k::settings::as_size(r4k::pipeline::element_default(setting_of("width"), kElement));
    s.width = static_cast<guint>(width);
    s.height = static_cast<guint>(height);
    s.mode = r4k::pipeline::element_default(setting_of("mode"), kElement);
    s.pad_color = r4k::settings::as_colour(r4k::pipeline::element_default(setting_of("pad-color"), kElement));
    return s;
  }
};

// The C++ state behind the instance's one pointer.
struct FitImpl {
  FitSettings settings;  // under the object lock
  // The streaming thread's, from the caps.
  r4k::pipeline::FrameCarriage carriage;
  r4k::FitGeometry geometry;
  r4k::ResampleFilter filter = r4k::ResampleFilter::lanczos;
};


}  // namespace

struct _GstR4kFit {
  GstVideoFilter parent;
  FitImpl* impl;
};

G_DEFINE_TYPE(GstR4kFit, gst_r4k_fit, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE(r4kfit, "r4kfit", GST_RANK_NONE, GST_TYPE_R4K_FIT);

static FitSettings settings_of(GstR4kFit* self) {
  GST_OBJECT_LOCK(self);
  FitSettings settings = self->impl->settings;
  GST_OBJECT_UNLOCK(self);
  return settings;
}


static GstCaps* gst_r4k_fit_transform_caps(GstBaseTransform* trans, GstPadDirection direction, GstCaps* caps,
                                           GstCaps* filter) {
  const FitSettings settings = settings_of(GST_R4K_FIT(trans));
  GstCaps* result = gst_caps_new_empty();
  for (guint i = 0; i < gst_caps_get_size(caps); ++i) {
    GstStructure* s = gst_structure_copy(gst_caps_get_structure(caps, i));
    if (direction == GST_PAD_SINK) {
      gst_structure_set(s, "width", G_TYPE_INT, static_cast<int>(settings.width), "height", G_TYPE_INT,
                        static_cast<int>(settings.height), "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, nullptr);
    } else {
      gst_structure_set(s, "width", GST_TYPE_INT_RANGE, 1, G_MAXINT, "height", GST_TYPE_INT_RANGE, 1, G_MAXINT, nullptr);
      gst_structure_remove_field(s, "pixel-aspect-ratio");
    }
    gst_caps_append_structure_full(result, s, gst_caps_features_copy(gst_caps_get_features(caps, i)));
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

static GstCaps* gst_r4k_fit_fixate_caps(GstBaseTransform*, GstPadDirection, GstCaps* caps, GstCaps* othercaps) {
  othercaps = gst_caps_truncate(gst_caps_make_writable(r4k::pipeline::prefer_float_frames(othercaps)));
  GstStructure* in = gst_caps_get_structure(caps, 0);
  GstStructure* out = gst_caps_get_structure(othercaps, 0);
  for (const char* field : {"format", "chroma-site", "colorimetry", "interlace-mode"}) {
    const char* value = gst_structure_get_string(in, field);
    if (value != nullptr) {
      if (gst_structure_has_field(out, field)) {
        gst_structure_fixate_field_string(out, field, value);
      } else {
        gst_structure_set(out, field, G_TYPE_STRING, value, nullptr);
      }
    }
  }
  const GValue* rate = gst_structure_get_value(in, "framerate");
  if (rate != nullptr && GST_VALUE_HOLDS_FRACTION(rate)) {
    gst_structure_fixate_field_nearest_fraction(out, "framerate", gst_value_get_fraction_numerator(rate),
                                                gst_value_get_fraction_denominator(rate));
  }
  return gst_caps_fixate(othercaps);
}

static gboolean gst_r4k_fit_set_info(GstVideoFilter* filter, GstCaps* incaps, GstVideoInfo* in_info,
                                     GstCaps* outcaps, GstVideoInfo* out_info) {
  auto* self = GST_R4K_FIT(filter);
  FitImpl& impl = *self->impl;
  const auto format = r4k::pipeline::raw_format(GST_VIDEO_INFO_FORMAT(in_info));
  if (!format || GST_VIDEO_INFO_FORMAT(in_info) != GST_VIDEO_INFO_FORMAT(out_info)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("Unsupported video format: input %s, output %s (r4kfit keeps the input's format).",
                       GST_VIDEO_INFO_NAME(in_info), GST_VIDEO_INFO_NAME(out_info)),
                      ("the output must be the input's format, one of %s", r4k::pipeline::superres_formats()));
    return FALSE;
  }
  const FitSettings settings = settings_of(self);
  try {
    impl.filter = settings.filter;
    impl.geometry =
        r4k::compute_fit(GST_VIDEO_INFO_WIDTH(in_info), GST_VIDEO_INFO_HEIGHT(in_info), GST_VIDEO_INFO_PAR_N(in_info),
                         GST_VIDEO_INFO_PAR_D(in_info), GST_VIDEO_INFO_WIDTH(out_info),
                         GST_VIDEO_INFO_HEIGHT(out_info),
                         settings.mode == "pad" ? r4k::FitMode::pad : r4k::FitMode::crop,
                         1 << r4k::describe(*format).chroma_shift_x);
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("Cannot fit %dx%d into %dx%d (width, height) with mode %s and filter %s.",
                       GST_VIDEO_INFO_WIDTH(in_info), GST_VIDEO_INFO_HEIGHT(in_info), GST_VIDEO_INFO_WIDTH(out_info),
                       GST_VIDEO_INFO_HEIGHT(out_info), settings.mode.c_str(), r4k::to_string(settings.filter).c_str()),
                      ("%s", error.what()));
    return FALSE;
  }
  impl.carriage.set(incaps, outcaps, *format, r4k::pipeline::ycbcr_space(*in_info));
  const auto& g = impl.geometry;
  GST_INFO_OBJECT(self, "%dx%d (PAR %d/%d) -> %dx%d at %d,%d in %dx%d", GST_VIDEO_INFO_WIDTH(in_info),
                  GST_VIDEO_INFO_HEIGHT(in_info), GST_VIDEO_INFO_PAR_N(in_info), GST_VIDEO_INFO_PAR_D(in_info),
                  g.scaled_width, g.scaled_height, g.offset_x, g.offset_y, GST_VIDEO_INFO_WIDTH(out_info),
                  GST_VIDEO_INFO_HEIGHT(out_info));
  return TRUE;
}

static GstFlowReturn gst_r4k_fit_transform(GstBaseTransform* trans, GstBuffer* input, GstBuffer* output) {
  auto* self = GST_R4K_FIT(trans);
  auto* filter = GST_VIDEO_FILTER(trans);
  FitImpl& impl = *self->impl;
  GST_OBJECT_LOCK(self);
  const guint pad_color = impl.settings.pad_color;  // may change while playing
  GST_OBJECT_UNLOCK(self);
  const int width = GST_VIDEO_INFO_WIDTH(&filter->out_info);
  const int height = GST_VIDEO_INFO_HEIGHT(&filter->out_info);
  try {
    const auto frame = impl.carriage.read(input, filter->in_info);
    impl.carriage.write(r4k::fit_frame(*frame, impl.geometry, width, height, pad_color, impl.filter), output,
                        filter->out_info);
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("Fitting into %dx%d failed.", width, height), ("%s", error.what()));
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

static void gst_r4k_fit_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_FIT(object);
  GST_OBJECT_LOCK(self);
  FitSettings& s = self->impl->settings;
  switch (prop_id) {
    case PROP_WIDTH:
      s.width = g_value_get_uint(value);
      break;
    case PROP_HEIGHT:
      s.height = g_value_get_uint(value);
      break;
    case PROP_MODE:
      s.mode = r4k::pipeline::choice_text(value, setting_of("mode"));
      break;
    case PROP_PAD_COLOR:
      s.pad_color = g_value_get_uint(value);
      break;
    case PROP_FILTER:
      s.filter = static_cast<r4k::ResampleFilter>(g_value_get_enum(value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
  gst_base_transform_reconfigure_src(GST_BASE_TRANSFORM(self));
}

static void gst_r4k_fit_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_FIT(object);
  GST_OBJECT_LOCK(self);
  const FitSettings& s = self->impl->settings;
  switch (prop_id) {
    case PROP_WIDTH:
      g_value_set_uint(value, s.width);
      break;
    case PROP_HEIGHT:
      g_value_set_uint(value, s.height);
      break;
    case PROP_MODE:
      r4k::pipeline::set_choice(value, setting_of("mode"), s.mode);
      break;
    case PROP_PAD_COLOR:
      g_value_set_uint(value, s.pad_color);
      break;
    case PROP_FILTER:
      g_value_set_enum(value, static_cast<gint>(s.filter));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_fit_finalize(GObject* object) {
  delete GST_R4K_FIT(object)->impl;
  G_OBJECT_CLASS(gst_r4k_fit_parent_class)->finalize(object);
}

static void gst_r4k_fit_class_init(GstR4kFitClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  auto* filter_class = GST_VIDEO_FILTER_CLASS(klass);
  gobject_class->set_property = gst_r4k_fit_set_property;
  gobject_class->get_property = gst_r4k_fit_get_property;
  gobject_class->finalize = gst_r4k_fit_finalize;

  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  // The size is negotiated again when it changes and the pad colour is read
  // for each frame; mode and filter are read when the caps are set.
  const auto playing = static_cast<GParamFlags>(flags | GST_PARAM_MUTABLE_PLAYING);
  const auto ready = static_cast<GParamFlags>(flags | GST_PARAM_MUTABLE_READY);
  // Type, range, default and documentation from the settings table.
  r4k::pipeline::install_setting_property(gobject_class, PROP_WIDTH, kElement, "width", playing);
  r4k::pipeline::install_setting_property(gobject_class, PROP_HEIGHT, kElement, "height", playing);
  r4k::pipeline::install_setting_property(gobject_class, PROP_MODE, kElement, "mode", ready);
  r4k::pipeline::install_setting_property(gobject_class, PROP_PAD_COLOR, kElement, "pad-color", playing);
  g_object_class_install_property(
      gobject_class, PROP_FILTER,
      g_param_spec_enum("filter", "Filter", "Filter for enlarging (shrinking always averages areas)",
                        resample_filter_enum_type(), static_cast<gint>(kDefaultFilter), ready));

  gst_element_class_set_static_metadata(element_class, "Fit to frame", "Filter/Effect/Video/Scaler",
                                        "Scales and pads or crops video to a fixed frame, honouring the "
                                        "pixel-aspect-ratio",
                                        "restore4k engineers");
  r4k::pipeline::add_frame_pad_templates(element_class);

  trans_class->transform_caps = gst_r4k_fit_transform_caps;
  trans_class->fixate_caps = gst_r4k_fit_fixate_caps;
  trans_class->passthrough_on_same_caps = FALSE;
  filter_class->set_info = gst_r4k_fit_set_info;
  // Frames of either kind (pipeline/float_frames.hpp): transform, not transform_frame.
  r4k::pipeline::carry_frames(trans_class);
  trans_class->transform = gst_r4k_fit_transform;
  GST_DEBUG_CATEGORY_INIT(gst_r4k_fit_debug, "r4kfit", 0, "restore4k fit to frame");
}

static void gst_r4k_fit_init(GstR4kFit* self) {
  self->impl = new FitImpl();
  self->impl->settings = FitSettings::defaults();
}
