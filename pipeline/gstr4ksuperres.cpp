/**
 * SECTION:element-r4ksuperres
 * @title: r4ksuperres
 *
 * Upscales video frames with a super-resolution model (ONNX, TensorFlow
 * frozen graph, or a classical filter), tile by tile. The output is the
 * input's size times the model's scale, in the input's format and
 * colourimetry; timestamps, flags, pixel-aspect-ratio and frame rate pass
 * through. With the default halo (the model's receptive field) the tiled
 * result equals processing the whole frame at once.
 *
 * YUV input is converted with the caps' matrix and range; luma-only models
 * run on the Y plane with chroma upscaled by bicubic; 10- and 12-bit stay
 * so; alpha is upscaled with bicubic. A frame whose chroma is exactly
 * neutral (black and white) comes out exactly neutral.
 * Interlaced input is refused: deinterlace first.
 *
 * It also takes the raster tiles of r4krastersrc (`other/x-r4k-raster`,
 * pipeline/superres_raster_tiles.hpp): each window is upscaled whole, the
 * scaled halo is cropped, and the core goes on with its #R4kTileMeta scaled. Valid pixels come from valid pixels
 * only (classical filters renormalise around nodata; a neural model sees the
 * holes filled smoothly), categorical and alpha bands are upscaled nearest,
 * and every band keeps its own nodata, upscaled nearest; tiles whose core is
 * all nodata are not computed. The raster source asks it, by a custom query,
 * for the model's receptive field, scale and channels.
 *
 * `model`, `backend`, `threads`, `autotune`, `precision` and `algorithms` are read on the
 * way to READY (and again on the way to PAUSED when they changed in READY);
 * `tile-size`, `halo`, `batch` and `monochrome` when the caps are set. An
 * unknown `backend` is refused with an element error naming it.
 *
 * `algorithms` pins AutoTune's choices, `LAYER@SHAPE=ALGORITHM` items
 * separated by `;` (a job record's `engine.algorithms`): a pinned layer runs
 * that algorithm whatever the cache or a measurement would choose, so that a
 * resumed job or another shard runs what the first run ran; layers and
 * shapes not pinned are measured (or taken from the cache) as usual. Read, it
 * gives the pins together with every choice the engine has made so far (kept
 * after the element stops, until it loads its engine again). A pin this machine
 * cannot run is refused with a `LIBRARY`/`SETTINGS` error naming the layer.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=reel.mkv ! decodebin ! videoconvert ! \
 *     queue ! r4ksuperres model=builtin:bicubic-x4 ! queue ! \
 *     videoconvert ! avenc_ffv1 ! matroskamux ! filesink location=reel-x4.mkv
 * ]|
 * |[
 * gst-launch-1.0 -e r4krastersrc location=scene.tif ! queue max-size-buffers=4 ! \
 *     r4ksuperres model=builtin:bicubic-x2 ! queue max-size-buffers=4 ! \
 *     r4krastersink location=scene_x2.tif
 * ]|
 */
#include "pipeline/gstr4ksuperres.h"

#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "infer/frame_upscaler.hpp"
#include "infer/autotune.hpp"
#include "infer/model_loader.hpp"
#include "pipeline/element_settings.hpp"
#include "pipeline/float_frames.hpp"
#include "pipeline/raster_tile.hpp"
#include "pipeline/superres_mode.hpp"
#include "pipeline/superres_raster_tiles.hpp"
#include "pipeline/setting_param_specs.hpp"
#include "pipeline/video_format.hpp"
#include "core/error.hpp"

// Not static: superres_raster_tiles.cpp logs into it too.
GST_DEBUG_CATEGORY(gst_r4k_superres_debug);
#define GST_CAT_DEFAULT gst_r4k_superres_debug

enum {
  PROP_0,
  PROP_MODEL,
  PROP_BACKEND,
  PROP_TILE_SIZE,
  PROP_HALO,
  PROP_THREADS,
  PROP_AUTOTUNE,
  PROP_PRECISION,
  PROP_ALGORITHMS,
  PROP_BATCH,
  PROP_SCALE,
  PROP_MONOCHROME,
};

namespace {

constexpr const char* kElement = "r4ksuperres";

// A property's default, from the settings table (config/settings.cpp).
std::string table_default(const char* key) {
  return r4k::pipeline::element_default(*r4k::settings::find(key), kElement);
}

// The property values (under the object lock); defaults from the table.
struct SuperresSettings {
  std::string model = table_default("model");
  std::string backend = table_default("engine.backend");
  gint tile_size = static_cast<gint>(r4k::settings::as_integer(table_default("engine.tile")));
  gint halo = static_cast<gint>(r4k::settings::as_integer(table_default("engine.halo")));
  gint threads = static_cast<gint>(r4k::settings::as_integer(table_default("engine.threads")));
  bool autotune = r4k::settings::as_boolean(table_default("engine.autotune"));
  std::string precision = table_default("engine.precision");
  std::string algorithms;  // pins, as given (checked when the model loads)
  gint batch = static_cast<gint>(r4k::settings::as_integer(table_default("engine.batch")));
  bool monochrome = r4k::settings::as_boolean(table_default("video.monochrome"));
};

// What the engine was loaded from.
struct LoadedModel {
  std::string model;
  std::string backend;
  int threads = 0;
  bool autotune = true;
  std::string precision;
  std::string algorithms;
  bool operator==(const LoadedModel&) const = default;
};

struct SuperresImpl;

}  // namespace

struct _GstR4kSuperres {
  GstVideoFilter parent;
  SuperresImpl* impl;
};

G_DEFINE_TYPE(GstR4kSuperres, gst_r4k_superres, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE(r4ksuperres, "r4ksuperres", GST_RANK_NONE, GST_TYPE_R4K_SUPERRES);

namespace {

GstBaseTransformClass* parent_transform_class() { return GST_BASE_TRANSFORM_CLASS(gst_r4k_superres_parent_class); }

// Video frames, raw or float (pipeline/float_frames.hpp): GstVideoFilter
// parses the caps, the frame upscaler is made for each caps in set_info.
class SuperresVideoFrames final : public r4k::pipeline::SuperresMode {
 public:
  gboolean set_info(GstElement* element, r4k::infer::Engine& engine, const SuperresSettings& settings,
                    GstCaps* incaps, const GstVideoInfo* in_info, GstCaps* outcaps, const GstVideoInfo* out_info);
  void reset() { upscaler_.reset(); }
  void set_pins(std::map<std::string, std::string> pins) { pins_ = std::move(pins); }

  GstFlowReturn prepare_output_buffer(GstBaseTransform* trans, GstBuffer* input, GstBuffer** output) override {
    return r4k::pipeline::prepare_frame_output(trans, input, output);
  }
  GstFlowReturn transform(GstBaseTransform* trans, GstBuffer* input, GstBuffer* output) override;
  gboolean propose_allocation(GstBaseTransform* trans, GstQuery* decide_query, GstQuery* query) override {
    return parent_transform_class()->propose_allocation(trans, decide_query, query);
  }
  gboolean decide_allocation(GstBaseTransform* trans, GstQuery* query) override {
    return parent_transform_class()->decide_allocation(trans, query);
  }

 private:
  std::unique_ptr<r4k::infer::FrameUpscaler> upscaler_;
  r4k::pipeline::FrameCarriage carriage_;
  std::string model_;
  std::map<std::string, std::string> pins_;
};

// The C++ state behind the instance's one pointer.
struct SuperresImpl {
  SuperresSettings settings;  // under the object lock
  int scale = 0;              // the engine's (0 = none loaded); under the object lock
  // The choices of the engine last released (under the object lock): the
  // algorithms property reads them after the element stopped.
  std::map<std::string, std::string> released_choices;

  // State changes and the streaming thread; set and reset under the object
  // lock too, as get_property asks it for its choices.
  std::unique_ptr<r4k::infer::Engine> engine;
  LoadedModel loaded;
  SuperresVideoFrames video;
  std::unique_ptr<r4k::pipeline::SuperresRasterTiles> raster;
  r4k::pipeline::SuperresMode* mode = nullptr;  // &video or raster: chosen in set_caps

  void forget_stream() {
    mode = nullptr;
    raster.reset();
    video.reset();
  }
};

SuperresSettings settings_of(GstR4kSuperres* self) {
  GST_OBJECT_LOCK(self);
  SuperresSettings settings = self->impl->settings;
  GST_OBJECT_UNLOCK(self);
  return settings;
}

// Releases the engine, keeping its choices for the algorithms property.
void release_engine(GstR4kSuperres* self) {
  SuperresImpl& impl = *self->impl;
  std::unique_ptr<r4k::infer::Engine> released;
  GST_OBJECT_LOCK(self);
  if (impl.engine) impl.released_choices = impl.engine->algorithm_choices();
  released = std::move(impl.engine);
  impl.scale = 0;
  GST_OBJECT_UNLOCK(self);
}

// Whether `error` is the engine refusing one of the pins it was given.
bool refuses_a_pin(const std::map<std::string, std::string>& pins, const std::exception& error) {
  const auto* refused = dynamic_cast<const r4k::infer::PinRefused*>(&error);
  return refused != nullptr && pins.count(refused->entry()) > 0;
}

// Posts the refusal of a pin as a settings error: the user's to fix.
void refuse_pin(GstElement* element, const std::string& error) {
  r4k::pipeline::refuse_settings(element, "Property algorithms pins what this machine cannot run: " + error +
                                              " (leave the pin out to measure again).");
}

int scale_of(GstR4kSuperres* self) {
  GST_OBJECT_LOCK(self);
  const int scale = self->impl->scale;
  GST_OBJECT_UNLOCK(self);
  return scale;
}

}  // namespace

static GstCaps* pad_template_caps() {
  GstCaps* caps = r4k::pipeline::with_float_frames(r4k::pipeline::superres_video_caps(), true);
  gst_caps_append(caps, r4k::pipeline::raster_template_caps());
  return caps;
}

// Loads the engine unless it is loaded already from the current settings.
static gboolean open_model(GstR4kSuperres* self) {
  SuperresImpl& impl = *self->impl;
  const SuperresSettings settings = settings_of(self);
  const LoadedModel wanted{settings.model, settings.backend, settings.threads, settings.autotune,
                          settings.precision, settings.algorithms};
  if (impl.engine && impl.loaded == wanted) return TRUE;
  impl.forget_stream();
  release_engine(self);
  std::map<std::string, std::string> pins;
  try {
    pins = r4k::settings::as_algorithms(settings.algorithms);
  } catch (const std::invalid_argument& item) {
    r4k::pipeline::refuse_property(GST_ELEMENT(self), "algorithms", settings.algorithms,
                                   "LAYER@SHAPE=ALGORITHM items separated by ';', such as "
                                   "conv1@1x64x128x128=winograd-f4-b24",
                                   std::string("'") + item.what() + "' is not such an item");
    return FALSE;
  }
  std::string backends = "auto";
  bool known = settings.backend == "auto";
  const auto available = r4k::infer::available_backends();
  for (std::size_t i = 0; i < available.size(); ++i) {
    backends += (i + 1 == available.size() ? " or " : ", ") + available[i];
    known = known || settings.backend == available[i];
  }
  if (!known) {
    r4k::pipeline::refuse_property(GST_ELEMENT(self), "backend", settings.backend, backends);
    return FALSE;
  }
  try {
    r4k::infer::EngineOptions options;
    options.backend = settings.backend;
    options.threads = settings.threads;
    options.autotune.enabled = settings.autotune;
    options.autotune.pinned = pins;
    options.precision = settings.precision;
    auto engine = r4k::infer::load_model(settings.model, options);
    impl.loaded = wanted;
    impl.video.set_pins(pins);
    GST_OBJECT_LOCK(self);
    impl.engine = std::move(engine);
    impl.released_choices.clear();
    impl.scale = impl.engine->info().scale;
    GST_OBJECT_UNLOCK(self);
    GST_INFO_OBJECT(self, "model %s: x%d on %s, receptive field %d", settings.model.c_str(),
                    impl.engine->info().scale, impl.engine->backend().c_str(), impl.engine->info().receptive_field);
    return TRUE;
  } catch (const std::exception& error) {
    if (refuses_a_pin(pins, error)) {
      refuse_pin(GST_ELEMENT(self), error.what());
      return FALSE;
    }
    GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ,
                      ("Could not load super-resolution model '%s'.", settings.model.c_str()), ("%s", error.what()));
    return FALSE;
  }
}

static GstStateChangeReturn gst_r4k_superres_change_state(GstElement* element, GstStateChange transition) {
  auto* self = GST_R4K_SUPERRES(element);
  // A model, backend or thread count changed in READY is loaded before streaming.
  if ((transition == GST_STATE_CHANGE_NULL_TO_READY || transition == GST_STATE_CHANGE_READY_TO_PAUSED) &&
      !open_model(self)) {
    return GST_STATE_CHANGE_FAILURE;
  }
  const GstStateChangeReturn result =
      GST_ELEMENT_CLASS(gst_r4k_superres_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL) {
    self->impl->forget_stream();
    release_engine(self);
  }
  return result;
}

// Scales (or unscales) the width and height fields of one structure; returns
// false when a size cannot be produced (not a multiple of the scale).
static bool scale_dimension(GstStructure* structure, const char* field, int scale, bool up) {
  const GValue* value = gst_structure_get_value(structure, field);
  if (value == nullptr) return true;
  if (G_VALUE_HOLDS_INT(value)) {
    const int v = g_value_get_int(value);
    if (up) {
      if (v > G_MAXINT / scale) return false;
      gst_structure_set(structure, field, G_TYPE_INT, v * scale, nullptr);
    } else {
      if (v % scale != 0) return false;
      gst_structure_set(structure, field, G_TYPE_INT, v / scale, nullptr);
    }
    return true;
  }
  if (GST_VALUE_HOLDS_INT_RANGE(value)) {
    int low = gst_value_get_int_range_min(value);
    int high = gst_value_get_int_range_max(value);
    if (up) {
      low = low > G_MAXINT / scale ? G_MAXINT : low * scale;
      high = high > G_MAXINT / scale ? G_MAXINT : high * scale;
    } else {
      low = (low + scale - 1) / scale;
      high = high / scale;
      if (low > high) return false;
    }
    if (low == high) {
      gst_structure_set(structure, field, G_TYPE_INT, low, nullptr);
    } else {
      gst_structure_set(structure, field, GST_TYPE_INT_RANGE, low, high, nullptr);
    }
    return true;
  }
  // Lists and other types: leave unconstrained rather than guess.
  gst_structure_set(structure, field, GST_TYPE_INT_RANGE, 1, G_MAXINT, nullptr);
  return true;
}

static GstCaps* gst_r4k_superres_transform_caps(GstBaseTransform* trans, GstPadDirection direction, GstCaps* caps,
                                                GstCaps* filter) {
  auto* self = GST_R4K_SUPERRES(trans);
  const int scale = scale_of(self);
  GstCaps* result = gst_caps_new_empty();
  for (guint i = 0; i < gst_caps_get_size(caps); ++i) {
    GstStructure* structure = gst_structure_copy(gst_caps_get_structure(caps, i));
    GstCapsFeatures* features = gst_caps_features_copy(gst_caps_get_features(caps, i));
    bool ok = true;
    if (scale > 0) {
      const bool up = direction == GST_PAD_SINK;
      ok = scale_dimension(structure, "width", scale, up) && scale_dimension(structure, "height", scale, up);
      if (ok && gst_structure_has_name(structure, r4k::pipeline::kRasterMediaType)) {
        ok = scale_dimension(structure, "scale", scale, up);
      }
    } else {
      // No model yet (NULL state): any size.
      gst_structure_set(structure, "width", GST_TYPE_INT_RANGE, 1, G_MAXINT, "height", GST_TYPE_INT_RANGE, 1,
                        G_MAXINT, nullptr);
    }
    if (ok) {
      gst_caps_append_structure_full(result, structure, features);
    } else {
      gst_structure_free(structure);
      gst_caps_features_free(features);
    }
  }
  // Video as float frames to an r4k element downstream; from upstream, either kind.
  result = r4k::pipeline::with_float_frames(
      result, direction == GST_PAD_SRC || r4k::pipeline::downstream_takes_float_frames(trans));
  if (filter != nullptr) {
    GstCaps* intersection = gst_caps_intersect_full(filter, result, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(result);
    result = intersection;
  }
  GST_DEBUG_OBJECT(self, "transformed %" GST_PTR_FORMAT " into %" GST_PTR_FORMAT, static_cast<void*>(caps),
                   static_cast<void*>(result));
  return result;
}

static GstCaps* gst_r4k_superres_fixate_caps(GstBaseTransform* trans, GstPadDirection direction, GstCaps* caps,
                                             GstCaps* othercaps) {
  auto* self = GST_R4K_SUPERRES(trans);
  const int scale = scale_of(self);
  othercaps = gst_caps_truncate(gst_caps_make_writable(r4k::pipeline::prefer_float_frames(othercaps)));
  GstStructure* in = gst_caps_get_structure(caps, 0);
  GstStructure* out = gst_caps_get_structure(othercaps, 0);
  int width = 0;
  int height = 0;
  if (scale > 0 && gst_structure_get_int(in, "width", &width) && gst_structure_get_int(in, "height", &height)) {
    const bool up = direction == GST_PAD_SINK;
    gst_structure_fixate_field_nearest_int(out, "width", up ? width * scale : width / scale);
    gst_structure_fixate_field_nearest_int(out, "height", up ? height * scale : height / scale);
  }
  // Everything else follows the other side where it can.
  for (const char* field : {"framerate", "pixel-aspect-ratio"}) {
    const GValue* value = gst_structure_get_value(in, field);
    if (value != nullptr && GST_VALUE_HOLDS_FRACTION(value)) {
      gst_structure_fixate_field_nearest_fraction(out, field, gst_value_get_fraction_numerator(value),
                                                  gst_value_get_fraction_denominator(value));
    }
  }
  for (const char* field : {"format", "chroma-site", "interlace-mode"}) {
    const char* value = gst_structure_get_string(in, field);
    if (value != nullptr) gst_structure_fixate_field_string(out, field, value);
  }
  // The pixels keep their colourimetry, so the caps must say it explicitly:
  // left out, it would default by frame size (BT.601 for SD, BT.709 for HD)
  // and the upscaled frames would be labelled with another matrix.
  GstVideoInfo in_info;
  if (gst_video_info_from_caps(&in_info, caps)) {
    gchar* colorimetry = gst_video_colorimetry_to_string(&in_info.colorimetry);
    if (colorimetry != nullptr) {
      if (gst_structure_has_field(out, "colorimetry")) {
        gst_structure_fixate_field_string(out, "colorimetry", colorimetry);
      } else {
        gst_structure_set(out, "colorimetry", G_TYPE_STRING, colorimetry, nullptr);
      }
      g_free(colorimetry);
    }
  }
  return gst_caps_fixate(othercaps);
}

gboolean SuperresVideoFrames::set_info(GstElement* element, r4k::infer::Engine& engine,
                                       const SuperresSettings& settings, GstCaps* incaps,
                                       const GstVideoInfo* in_info, GstCaps* outcaps,
                                       const GstVideoInfo* out_info) {
  upscaler_.reset();
  if (GST_VIDEO_INFO_IS_INTERLACED(in_info)) {
    const char* mode = gst_video_interlace_mode_to_string(GST_VIDEO_INFO_INTERLACE_MODE(in_info));
    GST_ELEMENT_ERROR(element, STREAM, FORMAT,
                      ("Interlaced video (%s) cannot be upscaled: deinterlace it first.", mode),
                      ("the input is interlaced (%s): deinterlace first, e.g. with deinterlace or yadif before "
                       "r4ksuperres",
                       mode));
    return FALSE;
  }
  const auto format = r4k::pipeline::raw_format(GST_VIDEO_INFO_FORMAT(in_info));
  if (!format || GST_VIDEO_INFO_FORMAT(in_info) != GST_VIDEO_INFO_FORMAT(out_info)) {
    GST_ELEMENT_ERROR(element, STREAM, FORMAT,
                      ("Unsupported video format: input %s, output %s (r4ksuperres keeps the input's format).",
                       GST_VIDEO_INFO_NAME(in_info), GST_VIDEO_INFO_NAME(out_info)),
                      ("the output must be the input's format, one of %s", r4k::pipeline::superres_formats()));
    return FALSE;
  }
  if (GST_VIDEO_INFO_IS_YUV(in_info) &&
      (in_info->colorimetry.matrix != out_info->colorimetry.matrix ||
       in_info->colorimetry.range != out_info->colorimetry.range)) {
    gchar* in_text = gst_video_colorimetry_to_string(&in_info->colorimetry);
    gchar* out_text = gst_video_colorimetry_to_string(&out_info->colorimetry);
    GST_ELEMENT_ERROR(element, CORE, NEGOTIATION,
                      ("Output colourimetry %s differs from the input's %s.", out_text ? out_text : "?",
                       in_text ? in_text : "?"),
                      ("input %s, output %s: r4ksuperres keeps the input's colourimetry; convert after it",
                       in_text ? in_text : "?", out_text ? out_text : "?"));
    g_free(in_text);
    g_free(out_text);
    return FALSE;
  }
  const int scale = engine.info().scale;
  if (GST_VIDEO_INFO_WIDTH(out_info) != GST_VIDEO_INFO_WIDTH(in_info) * scale ||
      GST_VIDEO_INFO_HEIGHT(out_info) != GST_VIDEO_INFO_HEIGHT(in_info) * scale) {
    GST_ERROR_OBJECT(element, "output %dx%d is not the input %dx%d times %d", GST_VIDEO_INFO_WIDTH(out_info),
                     GST_VIDEO_INFO_HEIGHT(out_info), GST_VIDEO_INFO_WIDTH(in_info), GST_VIDEO_INFO_HEIGHT(in_info),
                     scale);
    return FALSE;
  }
  const r4k::RawFormatInfo& raw = r4k::describe(*format);
  if (GST_VIDEO_INFO_WIDTH(in_info) % (1 << raw.chroma_shift_x) != 0 ||
      GST_VIDEO_INFO_HEIGHT(in_info) % (1 << raw.chroma_shift_y) != 0) {
    GST_ELEMENT_ERROR(element, STREAM, FORMAT,
                      ("Frame size %dx%d does not fit the chroma subsampling of %s.", GST_VIDEO_INFO_WIDTH(in_info),
                       GST_VIDEO_INFO_HEIGHT(in_info), raw.name),
                      ("%s needs a width that is a multiple of %d and a height that is a multiple of %d, got %dx%d",
                       raw.name, 1 << raw.chroma_shift_x, 1 << raw.chroma_shift_y, GST_VIDEO_INFO_WIDTH(in_info),
                       GST_VIDEO_INFO_HEIGHT(in_info)));
    return FALSE;
  }
  carriage_.set(incaps, outcaps, *format, r4k::pipeline::ycbcr_space(*in_info));
  model_ = settings.model;
  r4k::infer::UpscaleOptions options;
  options.tile_size = static_cast<int>(settings.tile_size);
  options.halo = settings.halo;
  options.run.batch = static_cast<int>(settings.batch);
  options.monochrome = settings.monochrome;
  auto upscaler = std::make_unique<r4k::infer::FrameUpscaler>(engine, options);
  try {
    const auto tiling = upscaler->tiling_for(GST_VIDEO_INFO_WIDTH(in_info), GST_VIDEO_INFO_HEIGHT(in_info));
    GST_INFO_OBJECT(element, "%s %dx%d -> %dx%d, tile %d halo %d (%s)", raw.name, GST_VIDEO_INFO_WIDTH(in_info),
                    GST_VIDEO_INFO_HEIGHT(in_info), GST_VIDEO_INFO_WIDTH(out_info), GST_VIDEO_INFO_HEIGHT(out_info),
                    tiling.tile_size, tiling.halo, tiling.exact ? "exact" : "blended");
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(element, STREAM, FORMAT,
                      ("Cannot tile %dx%d frames with tile-size %d and halo %d.", GST_VIDEO_INFO_WIDTH(in_info),
                       GST_VIDEO_INFO_HEIGHT(in_info), settings.tile_size, settings.halo),
                      ("%s", error.what()));
    return FALSE;
  }
  upscaler_ = std::move(upscaler);
  return TRUE;
}

GstFlowReturn SuperresVideoFrames::transform(GstBaseTransform* trans, GstBuffer* input, GstBuffer* output) {
  auto* element = GST_ELEMENT(trans);
  if (!upscaler_) return GST_FLOW_NOT_NEGOTIATED;
  try {
    const auto frame = carriage_.read(input, GST_VIDEO_FILTER(trans)->in_info);
    carriage_.write(upscaler_->upscale(*frame), output, GST_VIDEO_FILTER(trans)->out_info);
  } catch (const std::exception& error) {
    if (refuses_a_pin(pins_, error)) {
      refuse_pin(element, error.what());
      return GST_FLOW_ERROR;
    }
    GST_ELEMENT_ERROR(element, STREAM, FAILED, ("Super-resolution with model '%s' failed.", model_.c_str()),
                      ("%s", error.what()));
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

// The kind of stream is chosen here, once per caps.
static gboolean gst_r4k_superres_set_caps(GstBaseTransform* trans, GstCaps* incaps, GstCaps* outcaps) {
  auto* self = GST_R4K_SUPERRES(trans);
  SuperresImpl& impl = *self->impl;
  impl.forget_stream();
  if (!impl.engine) return FALSE;
  if (const auto raster = r4k::pipeline::parse_raster_caps(incaps)) {
    const SuperresSettings settings = settings_of(self);
    impl.raster = r4k::pipeline::SuperresRasterTiles::create(GST_ELEMENT(self), *impl.engine, *raster,
                                                             impl.loaded.model, static_cast<int>(settings.batch));
    impl.mode = impl.raster.get();
    return impl.mode != nullptr;
  }
  // GstVideoFilter parses the caps and calls set_info.
  if (!r4k::pipeline::frames_set_caps(trans, incaps, outcaps)) return FALSE;
  impl.mode = &impl.video;
  return TRUE;
}

static gboolean gst_r4k_superres_set_info(GstVideoFilter* filter, GstCaps* incaps, GstVideoInfo* in_info,
                                          GstCaps* outcaps, GstVideoInfo* out_info) {
  auto* self = GST_R4K_SUPERRES(filter);
  SuperresImpl& impl = *self->impl;
  if (!impl.engine) return FALSE;
  return impl.video.set_info(GST_ELEMENT(self), *impl.engine, settings_of(self), incaps, in_info, outcaps, out_info);
}

static GstFlowReturn gst_r4k_superres_prepare_output_buffer(GstBaseTransform* trans, GstBuffer* input,
                                                             GstBuffer** output) {
  r4k::pipeline::SuperresMode* mode = GST_R4K_SUPERRES(trans)->impl->mode;
  return mode != nullptr ? mode->prepare_output_buffer(trans, input, output) : GST_FLOW_NOT_NEGOTIATED;
}

static GstFlowReturn gst_r4k_superres_transform(GstBaseTransform* trans, GstBuffer* inbuf, GstBuffer* outbuf) {
  r4k::pipeline::SuperresMode* mode = GST_R4K_SUPERRES(trans)->impl->mode;
  return mode != nullptr ? mode->transform(trans, inbuf, outbuf) : GST_FLOW_NOT_NEGOTIATED;
}

static gboolean gst_r4k_superres_transform_meta(GstBaseTransform* trans, GstBuffer* outbuf, GstMeta* meta,
                                                GstBuffer* inbuf) {
  // The tile meta changes with the scale: prepare_output_buffer adds it.
  if (meta->info->api == r4k::pipeline::r4k_tile_meta_api_get_type()) return FALSE;
  return parent_transform_class()->transform_meta(trans, outbuf, meta, inbuf);
}

// Allocation queries come once caps are set; before that, GstVideoFilter's.
static gboolean gst_r4k_superres_propose_allocation(GstBaseTransform* trans, GstQuery* decide_query,
                                                    GstQuery* query) {
  SuperresImpl& impl = *GST_R4K_SUPERRES(trans)->impl;
  r4k::pipeline::SuperresMode* mode = impl.mode != nullptr ? impl.mode : &impl.video;
  return mode->propose_allocation(trans, decide_query, query);
}

static gboolean gst_r4k_superres_decide_allocation(GstBaseTransform* trans, GstQuery* query) {
  SuperresImpl& impl = *GST_R4K_SUPERRES(trans)->impl;
  r4k::pipeline::SuperresMode* mode = impl.mode != nullptr ? impl.mode : &impl.video;
  return mode->decide_allocation(trans, query);
}

// Raster sources ask what the model needs, and for the resume fingerprint,
// before any caps.
static gboolean gst_r4k_superres_query(GstBaseTransform* trans, GstPadDirection direction, GstQuery* query) {
  SuperresImpl& impl = *GST_R4K_SUPERRES(trans)->impl;
  if (direction == GST_PAD_SINK && impl.engine &&
      r4k::pipeline::SuperresRasterTiles::answer_query(query, *impl.engine, impl.loaded.model)) {
    return TRUE;
  }
  return r4k::pipeline::frames_query(trans, direction, query);
}

static void gst_r4k_superres_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_SUPERRES(object);
  GST_OBJECT_LOCK(self);
  SuperresSettings& s = self->impl->settings;
  switch (prop_id) {
    case PROP_MODEL:
      s.model = r4k::pipeline::text_of(g_value_get_string(value));
      break;
    case PROP_BACKEND:
      s.backend = r4k::pipeline::choice_text(value, *r4k::settings::find("engine.backend"));
      break;
    case PROP_TILE_SIZE:
      s.tile_size = g_value_get_int(value);
      break;
    case PROP_HALO:
      s.halo = g_value_get_int(value);
      break;
    case PROP_THREADS:
      s.threads = g_value_get_int(value);
      break;
    case PROP_AUTOTUNE:
      s.autotune = g_value_get_boolean(value) != FALSE;
      break;
    case PROP_PRECISION:
      s.precision = r4k::pipeline::choice_text(value, *r4k::settings::find("engine.precision"));
      break;
    case PROP_ALGORITHMS:
      s.algorithms = r4k::pipeline::text_of(g_value_get_string(value));
      break;
    case PROP_BATCH:
      s.batch = g_value_get_int(value);
      break;
    case PROP_MONOCHROME:
      s.monochrome = g_value_get_boolean(value) != FALSE;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_superres_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_SUPERRES(object);
  GST_OBJECT_LOCK(self);
  const SuperresSettings& s = self->impl->settings;
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string(value, s.model.c_str());
      break;
    case PROP_BACKEND:
      r4k::pipeline::set_choice(value, *r4k::settings::find("engine.backend"), s.backend);
      break;
    case PROP_TILE_SIZE:
      g_value_set_int(value, s.tile_size);
      break;
    case PROP_HALO:
      g_value_set_int(value, s.halo);
      break;
    case PROP_THREADS:
      g_value_set_int(value, s.threads);
      break;
    case PROP_AUTOTUNE:
      g_value_set_boolean(value, s.autotune ? TRUE : FALSE);
      break;
    case PROP_PRECISION:
      r4k::pipeline::set_choice(value, *r4k::settings::find("engine.precision"), s.precision);
      break;
    case PROP_ALGORITHMS: {
      // The pins (when they parse) and every choice made so far.
      std::map<std::string, std::string> algorithms;
      try {
        algorithms = r4k::settings::as_algorithms(s.algorithms);
      } catch (const std::invalid_argument&) {
        // Refused when the element starts; read back as given until then.
        g_value_set_string(value, s.algorithms.c_str());
        break;
      }
      const auto& engine = self->impl->engine;
      for (const auto& [entry, algorithm] : engine ? engine->algorithm_choices() : self->impl->released_choices) {
        algorithms[entry] = algorithm;
      }
      g_value_set_string(value, r4k::settings::algorithms_text(algorithms, ';').c_str());
      break;
    }
    case PROP_BATCH:
      g_value_set_int(value, s.batch);
      break;
    case PROP_MONOCHROME:
      g_value_set_boolean(value, s.monochrome ? TRUE : FALSE);
      break;
    case PROP_SCALE:
      g_value_set_int(value, self->impl->scale);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_superres_finalize(GObject* object) {
  auto* self = GST_R4K_SUPERRES(object);
  delete self->impl;
  G_OBJECT_CLASS(gst_r4k_superres_parent_class)->finalize(object);
}

static void gst_r4k_superres_class_init(GstR4kSuperresClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  auto* filter_class = GST_VIDEO_FILTER_CLASS(klass);

  gobject_class->set_property = gst_r4k_superres_set_property;
  gobject_class->get_property = gst_r4k_superres_get_property;
  gobject_class->finalize = gst_r4k_superres_finalize;

  // Every setting is read on the way to READY or when the caps are set.
  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  // Each property carries a setting of the table: its type, range, default
  // and documentation come from there.
  for (const auto& [id, name] : {std::pair<guint, const char*>{PROP_MODEL, "model"},
                                 {PROP_BACKEND, "backend"},
                                 {PROP_TILE_SIZE, "tile-size"},
                                 {PROP_HALO, "halo"},
                                 {PROP_THREADS, "threads"},
                                 {PROP_AUTOTUNE, "autotune"},
                                 {PROP_PRECISION, "precision"},
                                 {PROP_ALGORITHMS, "algorithms"},
                                 {PROP_BATCH, "batch"},
                                 {PROP_MONOCHROME, "monochrome"}}) {
    r4k::pipeline::install_setting_property(gobject_class, id, kElement, name, flags);
  }
  g_object_class_install_property(
      gobject_class, PROP_SCALE,
      g_param_spec_int("scale", "Scale", "The model's upscaling factor (known once the element is READY; 0 before)",
                       0, 16, 0, static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  gst_element_class_set_static_metadata(element_class, "Super-resolution", "Filter/Effect/Video/Scaler",
                                        "Upscales video with a neural super-resolution model, tile by tile, "
                                        "without seams",
                                        "restore4k engineers");
  GstCaps* caps = pad_template_caps();
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);

  element_class->change_state = gst_r4k_superres_change_state;
  trans_class->transform_caps = gst_r4k_superres_transform_caps;
  trans_class->fixate_caps = gst_r4k_superres_fixate_caps;
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->set_caps = gst_r4k_superres_set_caps;
  trans_class->prepare_output_buffer = gst_r4k_superres_prepare_output_buffer;
  trans_class->transform = gst_r4k_superres_transform;
  trans_class->transform_meta = gst_r4k_superres_transform_meta;
  trans_class->propose_allocation = gst_r4k_superres_propose_allocation;
  trans_class->decide_allocation = gst_r4k_superres_decide_allocation;
  trans_class->query = gst_r4k_superres_query;
  filter_class->set_info = gst_r4k_superres_set_info;

  GST_DEBUG_CATEGORY_INIT(gst_r4k_superres_debug, "r4ksuperres", 0, "restore4k super-resolution");
}

static void gst_r4k_superres_init(GstR4kSuperres* self) { self->impl = new SuperresImpl(); }
