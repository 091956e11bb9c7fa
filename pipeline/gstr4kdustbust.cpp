/**
 * SECTION:element-r4kdustbust
 * @title: r4kdustbust
 *
 * Removes dust and dirt from film scans: impulses present in one frame but
 * not in its neighbours. The previous and next frames are lined up with the
 * current one by block motion search; a pixel is dust where both lined-up
 * neighbours agree with each other and the current frame differs from both
 * in the same direction by more than `threshold` (raised where the footage
 * is grainy). Moving objects are not smeared: where the motion search fails
 * the neighbours disagree and nothing is touched; large detections are left
 * alone as content. With `scratches`, thin vertical lines running down most
 * of the frame are interpolated across from the columns beside them. Output
 * is one frame behind the input (reported as latency). `dust` and
 * `scratches` carry job settings (video.dust, video.scratches): their
 * defaults are the settings table's (config/settings.cpp).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=reel.mkv ! decodebin ! videoconvert ! \
 *     r4kdustbust scratches=true ! videoconvert ! autovideosink
 * ]|
 */
#include "pipeline/gstr4kdustbust.h"

#include "pipeline/setting_param_specs.hpp"
#include "preprocess/cleanup_stages.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_dustbust_debug);
#define GST_CAT_DEFAULT gst_r4k_dustbust_debug

enum { PROP_0, PROP_DUST, PROP_THRESHOLD, PROP_MAX_SPECK_AREA, PROP_SCRATCHES };

namespace {

constexpr const char* kElement = "r4kdustbust";

// The settings table's default of boolean property `name`.
bool default_of(const char* name) {
  return r4k::settings::as_boolean(
      r4k::pipeline::element_default(*r4k::settings::find_property(kElement, name), kElement));
}

// The C++ state behind the instance's one pointer.
struct DustbustImpl {
  // Under the object lock; read when the caps are set.
  bool dust = default_of("dust");
  r4k::DustSettings settings;
  DustbustImpl() { settings.scratches = default_of("scratches"); }
};

}  // namespace

struct _GstR4kDustbust {
  GstR4kTemporalFilter parent;
  DustbustImpl* impl;
};

G_DEFINE_TYPE(GstR4kDustbust, gst_r4k_dustbust, GST_TYPE_R4K_TEMPORAL_FILTER);
GST_ELEMENT_REGISTER_DEFINE(r4kdustbust, "r4kdustbust", GST_RANK_NONE, GST_TYPE_R4K_DUSTBUST);

static r4k::TemporalStage* gst_r4k_dustbust_create_stage(GstR4kTemporalFilter* filter) {
  auto* self = GST_R4K_DUSTBUST(filter);
  GST_OBJECT_LOCK(self);
  const r4k::DustSettings settings = self->impl->settings;
  const bool dust = self->impl->dust;
  GST_OBJECT_UNLOCK(self);
  return new r4k::DustStage(settings, dust);
}

static void gst_r4k_dustbust_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_DUSTBUST(object);
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_DUST:
      self->impl->dust = g_value_get_boolean(value) != FALSE;
      break;
    case PROP_THRESHOLD:
      self->impl->settings.threshold = g_value_get_double(value);
      break;
    case PROP_MAX_SPECK_AREA:
      self->impl->settings.max_speck_area = static_cast<int>(g_value_get_uint(value));
      break;
    case PROP_SCRATCHES:
      self->impl->settings.scratches = g_value_get_boolean(value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_dustbust_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_DUSTBUST(object);
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_DUST:
      g_value_set_boolean(value, self->impl->dust ? TRUE : FALSE);
      break;
    case PROP_THRESHOLD:
      g_value_set_double(value, self->impl->settings.threshold);
      break;
    case PROP_MAX_SPECK_AREA:
      g_value_set_uint(value, static_cast<guint>(self->impl->settings.max_speck_area));
      break;
    case PROP_SCRATCHES:
      g_value_set_boolean(value, self->impl->settings.scratches);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_dustbust_finalize(GObject* object) {
  delete GST_R4K_DUSTBUST(object)->impl;
  G_OBJECT_CLASS(gst_r4k_dustbust_parent_class)->finalize(object);
}

static void gst_r4k_dustbust_class_init(GstR4kDustbustClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  gobject_class->set_property = gst_r4k_dustbust_set_property;
  gobject_class->get_property = gst_r4k_dustbust_get_property;
  gobject_class->finalize = gst_r4k_dustbust_finalize;
  const r4k::DustSettings defaults;
  // Read when the caps are set (the stage is made then).
  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  r4k::pipeline::install_setting_property(gobject_class, PROP_DUST, kElement, "dust", flags);
  g_object_class_install_property(
      gobject_class, PROP_THRESHOLD,
      g_param_spec_double("threshold", "Threshold",
                          "Least luma difference (0..1) of a dust pixel from both lined-up neighbours (raised on "
                          "grainy footage)",
                          0.005, 1.0, defaults.threshold, flags));
  g_object_class_install_property(
      gobject_class, PROP_MAX_SPECK_AREA,
      g_param_spec_uint("max-speck-area", "Largest speck",
                        "Connected detections larger than this (pixels) are taken for content and left alone", 1,
                        1000000, static_cast<guint>(defaults.max_speck_area), flags));
  r4k::pipeline::install_setting_property(gobject_class, PROP_SCRATCHES, kElement, "scratches", flags);
  gst_r4k_temporal_filter_class_set_metadata(GST_R4K_TEMPORAL_FILTER_CLASS(klass), "Film dust and scratch removal",
                                             "Removes dust and dirt present in single frames, with motion "
                                             "compensation, and optionally vertical scratches");
  GST_R4K_TEMPORAL_FILTER_CLASS(klass)->create_stage = gst_r4k_dustbust_create_stage;
  GST_DEBUG_CATEGORY_INIT(gst_r4k_dustbust_debug, "r4kdustbust", 0, "restore4k dust and scratch removal");
}

static void gst_r4k_dustbust_init(GstR4kDustbust* self) { self->impl = new DustbustImpl(); }
