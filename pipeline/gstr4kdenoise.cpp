/**
 * SECTION:element-r4kdenoise
 * @title: r4kdenoise
 *
 * Removes film grain and video noise. The noise level is measured in each
 * frame; the previous and next frames, lined up with the current one by
 * block motion search, are averaged in where they agree within what the
 * noise explains (motion and real change are kept), then a light
 * edge-preserving spatial pass removes part of what is left. `strength` 1
 * removes noise of the measured level; 0 passes frames through unchanged.
 * With `temporal` on, output is one frame behind the input (reported as
 * latency). `strength` carries the job setting video.denoise: its range and
 * the element's default (1: the element is there to denoise) are the
 * settings table's (config/settings.cpp).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=reel.mkv ! decodebin ! videoconvert ! \
 *     r4kdenoise strength=1.5 ! videoconvert ! autovideosink
 * ]|
 */
#include "pipeline/gstr4kdenoise.h"

#include "pipeline/setting_param_specs.hpp"
#include "preprocess/cleanup_stages.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_denoise_debug);
#define GST_CAT_DEFAULT gst_r4k_denoise_debug

enum { PROP_0, PROP_STRENGTH, PROP_TEMPORAL, PROP_SPATIAL };

namespace {

constexpr const char* kElement = "r4kdenoise";

// The C++ state behind the instance's one pointer.
struct DenoiseImpl {
  r4k::DenoiseSettings settings;  // under the object lock; read when the caps are set
};

}  // namespace

struct _GstR4kDenoise {
  GstR4kTemporalFilter parent;
  DenoiseImpl* impl;
};

G_DEFINE_TYPE(GstR4kDenoise, gst_r4k_denoise, GST_TYPE_R4K_TEMPORAL_FILTER);
GST_ELEMENT_REGISTER_DEFINE(r4kdenoise, "r4kdenoise", GST_RANK_NONE, GST_TYPE_R4K_DENOISE);

static r4k::TemporalStage* gst_r4k_denoise_create_stage(GstR4kTemporalFilter* filter) {
  auto* self = GST_R4K_DENOISE(filter);
  GST_OBJECT_LOCK(self);
  const r4k::DenoiseSettings settings = self->impl->settings;
  GST_OBJECT_UNLOCK(self);
  return new r4k::DenoiseStage(settings);
}

static void gst_r4k_denoise_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_DENOISE(object);
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_STRENGTH:
      self->impl->settings.strength = g_value_get_double(value);
      break;
    case PROP_TEMPORAL:
      self->impl->settings.temporal = g_value_get_boolean(value);
      break;
    case PROP_SPATIAL:
      self->impl->settings.spatial = g_value_get_boolean(value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_denoise_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_DENOISE(object);
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_STRENGTH:
      g_value_set_double(value, self->impl->settings.strength);
      break;
    case PROP_TEMPORAL:
      g_value_set_boolean(value, self->impl->settings.temporal);
      break;
    case PROP_SPATIAL:
      g_value_set_boolean(value, self->impl->settings.spatial);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_denoise_finalize(GObject* object) {
  delete GST_R4K_DENOISE(object)->impl;
  G_OBJECT_CLASS(gst_r4k_denoise_parent_class)->finalize(object);
}

static void gst_r4k_denoise_class_init(GstR4kDenoiseClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  gobject_class->set_property = gst_r4k_denoise_set_property;
  gobject_class->get_property = gst_r4k_denoise_get_property;
  gobject_class->finalize = gst_r4k_denoise_finalize;
  const r4k::DenoiseSettings defaults;
  // Read when the caps are set (the stage is made then).
  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  r4k::pipeline::install_setting_property(gobject_class, PROP_STRENGTH, kElement, "strength", flags);
  g_object_class_install_property(
      gobject_class, PROP_TEMPORAL,
      g_param_spec_boolean("temporal", "Temporal", "Average in the motion-compensated previous and next frames",
                           defaults.temporal, flags));
  g_object_class_install_property(
      gobject_class, PROP_SPATIAL,
      g_param_spec_boolean("spatial", "Spatial", "Then a light edge-preserving spatial pass", defaults.spatial, flags));
  gst_r4k_temporal_filter_class_set_metadata(GST_R4K_TEMPORAL_FILTER_CLASS(klass), "Film grain and noise removal",
                                             "Motion-compensated temporal and edge-preserving spatial denoise with "
                                             "the noise level measured per frame");
  GST_R4K_TEMPORAL_FILTER_CLASS(klass)->create_stage = gst_r4k_denoise_create_stage;
  GST_DEBUG_CATEGORY_INIT(gst_r4k_denoise_debug, "r4kdenoise", 0, "restore4k denoise");
}

static void gst_r4k_denoise_init(GstR4kDenoise* self) {
  self->impl = new DenoiseImpl();
  const auto& strength = *r4k::settings::find_property(kElement, "strength");
  self->impl->settings.strength = r4k::settings::as_number(r4k::pipeline::element_default(strength, kElement));
}
