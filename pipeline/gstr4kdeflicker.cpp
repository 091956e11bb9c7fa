/**
 * SECTION:element-r4kdeflicker
 * @title: r4kdeflicker
 *
 * Removes the frame-to-frame brightness fluctuation of film scans (uneven
 * exposure, shutter and lamp flicker). The gain between consecutive frames
 * is measured from their thumbnails (robust to content moving in or out),
 * and each frame is brought to the trend of that gain over `radius` frames
 * on each side within the same shot: fades and slow changes are followed,
 * and the window stops at cuts (a change of picture content above
 * `cut-change`, or a jump in mean luma above `cut-jump`). Luma (or each
 * R'G'B' channel alike) is scaled about black; chroma is left alone. Output
 * is delayed by `radius` frames (reported as latency). `radius` carries the
 * job setting video.deflicker_radius: its range and default are the settings
 * table's (config/settings.cpp).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=reel.mkv ! decodebin ! videoconvert ! \
 *     r4kdeflicker radius=15 ! videoconvert ! autovideosink
 * ]|
 */
#include "pipeline/gstr4kdeflicker.h"

#include "pipeline/setting_param_specs.hpp"
#include "preprocess/deflicker.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_deflicker_debug);
#define GST_CAT_DEFAULT gst_r4k_deflicker_debug

enum { PROP_0, PROP_RADIUS, PROP_CUT_JUMP, PROP_CUT_CHANGE, PROP_MAX_GAIN };

namespace {

constexpr const char* kElement = "r4kdeflicker";

// The C++ state behind the instance's one pointer.
struct DeflickerImpl {
  r4k::DeflickerSettings settings;  // under the object lock; read when the caps are set
};

}  // namespace

struct _GstR4kDeflicker {
  GstR4kTemporalFilter parent;
  DeflickerImpl* impl;
};

G_DEFINE_TYPE(GstR4kDeflicker, gst_r4k_deflicker, GST_TYPE_R4K_TEMPORAL_FILTER);
GST_ELEMENT_REGISTER_DEFINE(r4kdeflicker, "r4kdeflicker", GST_RANK_NONE, GST_TYPE_R4K_DEFLICKER);

static r4k::TemporalStage* gst_r4k_deflicker_create_stage(GstR4kTemporalFilter* filter) {
  auto* self = GST_R4K_DEFLICKER(filter);
  GST_OBJECT_LOCK(self);
  const r4k::DeflickerSettings settings = self->impl->settings;
  GST_OBJECT_UNLOCK(self);
  return new r4k::DeflickerStage(settings);
}

static void gst_r4k_deflicker_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_DEFLICKER(object);
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_RADIUS:
      self->impl->settings.radius = g_value_get_int(value);
      break;
    case PROP_CUT_JUMP:
      self->impl->settings.cut_jump = g_value_get_double(value);
      break;
    case PROP_CUT_CHANGE:
      self->impl->settings.cut_change = g_value_get_double(value);
      break;
    case PROP_MAX_GAIN:
      self->impl->settings.max_gain = g_value_get_double(value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_deflicker_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_DEFLICKER(object);
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_RADIUS:
      g_value_set_int(value, self->impl->settings.radius);
      break;
    case PROP_CUT_JUMP:
      g_value_set_double(value, self->impl->settings.cut_jump);
      break;
    case PROP_CUT_CHANGE:
      g_value_set_double(value, self->impl->settings.cut_change);
      break;
    case PROP_MAX_GAIN:
      g_value_set_double(value, self->impl->settings.max_gain);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_deflicker_finalize(GObject* object) {
  delete GST_R4K_DEFLICKER(object)->impl;
  G_OBJECT_CLASS(gst_r4k_deflicker_parent_class)->finalize(object);
}

static void gst_r4k_deflicker_class_init(GstR4kDeflickerClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  gobject_class->set_property = gst_r4k_deflicker_set_property;
  gobject_class->get_property = gst_r4k_deflicker_get_property;
  gobject_class->finalize = gst_r4k_deflicker_finalize;
  const r4k::DeflickerSettings defaults;
  // Read when the caps are set (the stage is made then).
  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  r4k::pipeline::install_setting_property(gobject_class, PROP_RADIUS, kElement, "radius", flags);
  g_object_class_install_property(
      gobject_class, PROP_CUT_JUMP,
      g_param_spec_double("cut-jump", "Cut jump", "A jump in mean luma (0..1) above this between frames is a cut", 0.0,
                          1.0, defaults.cut_jump, flags));
  g_object_class_install_property(
      gobject_class, PROP_CUT_CHANGE,
      g_param_spec_double("cut-change", "Cut change",
                          "A change of picture content (mean difference of exposure-normalised thumbnails) above "
                          "this is a cut",
                          0.0, 4.0, defaults.cut_change, flags));
  g_object_class_install_property(
      gobject_class, PROP_MAX_GAIN,
      g_param_spec_double("max-gain", "Maximum gain", "Largest gain applied to a frame (and smallest, as its inverse)",
                          1.0, 4.0, defaults.max_gain, flags));
  gst_r4k_temporal_filter_class_set_metadata(GST_R4K_TEMPORAL_FILTER_CLASS(klass), "Film deflicker",
                                             "Removes frame-to-frame brightness flicker, keeping fades "
                                             "and cuts");
  GST_R4K_TEMPORAL_FILTER_CLASS(klass)->create_stage = gst_r4k_deflicker_create_stage;
  GST_DEBUG_CATEGORY_INIT(gst_r4k_deflicker_debug, "r4kdeflicker", 0, "restore4k deflicker");
}

static void gst_r4k_deflicker_init(GstR4kDeflicker* self) {
  self->impl = new DeflickerImpl();
  const auto& radius = *r4k::settings::find_property(kElement, "radius");
  self->impl->settings.radius =
      static_cast<int>(r4k::settings::as_integer(r4k::pipeline::element_default(radius, kElement)));
}
