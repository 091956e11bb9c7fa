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
 * It also takes the raster tiles of r4krastersrc (`other/x-r4k-raster`):
 * each window is upscaled whole, the scaled halo is cropped, and the core
 * goes on with its #R4kTileMeta scaled. Valid pixels come from valid pixels
 * only (classical filters renormalise around nodata; a neural model sees the
 * holes filled smoothly), categorical and alpha bands are upscaled nearest,
 * and every band keeps its own nodata, upscaled nearest; tiles whose core is
 * all nodata are not computed. The raster source asks it, by a custom query,
 * for the model's receptive field, scale and channels.
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

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "decode/raster_band_plan.hpp"
#include "infer/frame_upscaler.hpp"
#include "infer/model_loader.hpp"
#include "infer/raster_tile_upscaler.hpp"
#include "pipeline/raster_tile.hpp"
#include "pipeline/video_format.hpp"
#include "preprocess/error.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_superres_debug);
#define GST_CAT_DEFAULT gst_r4k_superres_debug

enum {
  PROP_0,
  PROP_MODEL,
  PROP_BACKEND,
  PROP_TILE_SIZE,
  PROP_HALO,
  PROP_THREADS,
  PROP_BATCH,
  PROP_SCALE,
  PROP_MONOCHROME,
};

#define DEFAULT_MODEL "builtin:bicubic-x4"
#define DEFAULT_BACKEND "auto"
#define DEFAULT_TILE_SIZE 0
#define DEFAULT_HALO (-1)
#define DEFAULT_THREADS 0
#define DEFAULT_BATCH 1
#define DEFAULT_MONOCHROME FALSE

namespace {

// C++ state, behind one pointer in the instance struct.
struct SuperresState {
  std::unique_ptr<r4k::infer::Engine> engine;
  std::unique_ptr<r4k::infer::FrameUpscaler> upscaler;
  r4k::RawFormat in_format = r4k::RawFormat::rgb;
  r4k::YcbcrSpace space;
  bool raster = false;  // raster tiles (other/x-r4k-raster) rather than video
  std::optional<r4k::pipeline::RasterCaps> raster_caps;
  std::unique_ptr<r4k::infer::RasterTileUpscaler> raster_upscaler;
};

}  // namespace

struct _GstR4kSuperres {
  GstVideoFilter parent;

  gchar* model;
  gchar* backend;
  guint tile_size;
  gint halo;
  gint threads;
  guint batch;
  gboolean monochrome;

  SuperresState* state;
};

G_DEFINE_TYPE(GstR4kSuperres, gst_r4k_superres, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE(r4ksuperres, "r4ksuperres", GST_RANK_NONE, GST_TYPE_R4K_SUPERRES);

static GstCaps* pad_template_caps() {
  const std::string text = std::string("video/x-raw, format = (string) ") + r4k::pipeline::superres_formats() +
                           ", width = (int) [ 1, max ], height = (int) [ 1, max ], framerate = (fraction) [ 0, max ]";
  GstCaps* caps = gst_caps_from_string(text.c_str());
  gst_caps_append(caps, r4k::pipeline::raster_template_caps());
  return caps;
}

static int model_scale(GstR4kSuperres* self) {
  return self->state->engine ? self->state->engine->info().scale : 0;
}

static gboolean open_model(GstR4kSuperres* self) {
  try {
    r4k::infer::EngineOptions options;
    options.backend = self->backend;
    options.threads = self->threads;
    self->state->engine = r4k::infer::load_model(self->model, options);
    GST_INFO_OBJECT(self, "model %s: x%d on %s, receptive field %d", self->model,
                    self->state->engine->info().scale, self->state->engine->backend().c_str(),
                    self->state->engine->info().receptive_field);
    return TRUE;
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ, ("Could not load super-resolution model '%s'.", self->model),
                      ("%s", error.what()));
    return FALSE;
  }
}

static GstStateChangeReturn gst_r4k_superres_change_state(GstElement* element, GstStateChange transition) {
  auto* self = GST_R4K_SUPERRES(element);
  if (transition == GST_STATE_CHANGE_NULL_TO_READY && !open_model(self)) return GST_STATE_CHANGE_FAILURE;
  const GstStateChangeReturn result =
      GST_ELEMENT_CLASS(gst_r4k_superres_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL) {
    self->state->upscaler.reset();
    self->state->raster_upscaler.reset();
    self->state->engine.reset();
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
  const int scale = model_scale(self);
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
  const int scale = model_scale(self);
  othercaps = gst_caps_truncate(gst_caps_make_writable(othercaps));
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

static gboolean gst_r4k_superres_set_info(GstVideoFilter* filter, GstCaps*, GstVideoInfo* in_info, GstCaps*,
                                          GstVideoInfo* out_info) {
  auto* self = GST_R4K_SUPERRES(filter);
  SuperresState& state = *self->state;
  if (!state.engine) return FALSE;
  if (GST_VIDEO_INFO_IS_INTERLACED(in_info)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("Interlaced video cannot be upscaled."),
                      ("the input is interlaced (%s): deinterlace first, e.g. with deinterlace or yadif before "
                       "r4ksuperres",
                       gst_video_interlace_mode_to_string(GST_VIDEO_INFO_INTERLACE_MODE(in_info))));
    return FALSE;
  }
  const auto format = r4k::pipeline::raw_format(GST_VIDEO_INFO_FORMAT(in_info));
  if (!format || GST_VIDEO_INFO_FORMAT(in_info) != GST_VIDEO_INFO_FORMAT(out_info)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("Unsupported video format."),
                      ("input %s, output %s: the output must be the input's format, one of %s",
                       GST_VIDEO_INFO_NAME(in_info), GST_VIDEO_INFO_NAME(out_info),
                       r4k::pipeline::superres_formats()));
    return FALSE;
  }
  if (GST_VIDEO_INFO_IS_YUV(in_info) &&
      (in_info->colorimetry.matrix != out_info->colorimetry.matrix ||
       in_info->colorimetry.range != out_info->colorimetry.range)) {
    gchar* in_text = gst_video_colorimetry_to_string(&in_info->colorimetry);
    gchar* out_text = gst_video_colorimetry_to_string(&out_info->colorimetry);
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("Output colourimetry differs from the input's."),
                      ("input %s, output %s: r4ksuperres keeps the input's colourimetry; convert after it",
                       in_text ? in_text : "?", out_text ? out_text : "?"));
    g_free(in_text);
    g_free(out_text);
    return FALSE;
  }
  const int scale = state.engine->info().scale;
  if (GST_VIDEO_INFO_WIDTH(out_info) != GST_VIDEO_INFO_WIDTH(in_info) * scale ||
      GST_VIDEO_INFO_HEIGHT(out_info) != GST_VIDEO_INFO_HEIGHT(in_info) * scale) {
    GST_ERROR_OBJECT(self, "output %dx%d is not the input %dx%d times %d", GST_VIDEO_INFO_WIDTH(out_info),
                     GST_VIDEO_INFO_HEIGHT(out_info), GST_VIDEO_INFO_WIDTH(in_info), GST_VIDEO_INFO_HEIGHT(in_info),
                     scale);
    return FALSE;
  }
  const r4k::RawFormatInfo& raw = r4k::describe(*format);
  if (GST_VIDEO_INFO_WIDTH(in_info) % (1 << raw.chroma_shift_x) != 0 ||
      GST_VIDEO_INFO_HEIGHT(in_info) % (1 << raw.chroma_shift_y) != 0) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("Frame size does not fit the chroma subsampling."),
                      ("%s needs a width that is a multiple of %d and a height that is a multiple of %d, got %dx%d",
                       raw.name, 1 << raw.chroma_shift_x, 1 << raw.chroma_shift_y, GST_VIDEO_INFO_WIDTH(in_info),
                       GST_VIDEO_INFO_HEIGHT(in_info)));
    return FALSE;
  }
  state.in_format = *format;
  state.space = r4k::pipeline::ycbcr_space(*in_info);
  r4k::infer::UpscaleOptions options;
  options.tile_size = static_cast<int>(self->tile_size);
  options.halo = self->halo;
  options.run.batch = static_cast<int>(self->batch);
  options.monochrome = self->monochrome != FALSE;
  state.upscaler = std::make_unique<r4k::infer::FrameUpscaler>(*state.engine, options);
  try {
    const auto tiling = state.upscaler->tiling_for(GST_VIDEO_INFO_WIDTH(in_info), GST_VIDEO_INFO_HEIGHT(in_info));
    GST_INFO_OBJECT(self, "%s %dx%d -> %dx%d, tile %d halo %d (%s)", raw.name, GST_VIDEO_INFO_WIDTH(in_info),
                    GST_VIDEO_INFO_HEIGHT(in_info), GST_VIDEO_INFO_WIDTH(out_info), GST_VIDEO_INFO_HEIGHT(out_info),
                    tiling.tile_size, tiling.halo, tiling.exact ? "exact" : "blended");
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("Cannot tile the frames."), ("%s", error.what()));
    return FALSE;
  }
  return TRUE;
}

// Raster tiles (from r4krastersrc): the window is upscaled whole, the scaled
// halo cropped, and the core sent on with its meta scaled.
static gboolean gst_r4k_superres_set_caps(GstBaseTransform* trans, GstCaps* incaps, GstCaps* outcaps) {
  auto* self = GST_R4K_SUPERRES(trans);
  SuperresState& state = *self->state;
  const auto raster = r4k::pipeline::parse_raster_caps(incaps);
  state.raster = raster.has_value();
  if (!state.raster) {
    return GST_BASE_TRANSFORM_CLASS(gst_r4k_superres_parent_class)->set_caps(trans, incaps, outcaps);
  }
  if (!state.engine) return FALSE;
  const auto& info = state.engine->info();
  const bool any = info.colour == r4k::infer::ModelColour::any && info.in_channels == 0;
  r4k::infer::RasterBandRoles roles;
  roles.model_groups = r4k::decode::parse_band_groups(raster->model_groups);
  for (const auto& [text, positions] : {std::pair{raster->classical_bands, &roles.classical},
                                        std::pair{raster->nearest_bands, &roles.nearest}}) {
    const auto groups = r4k::decode::parse_band_groups(text);
    if (!groups.empty()) *positions = groups.front();
  }
  // Every band has exactly one role; a model gets groups of its channels.
  std::vector<int> uses(static_cast<std::size_t>(raster->bands), 0);
  bool fits = any || !roles.model_groups.empty();
  const auto use = [&](int position) {
    fits = fits && position >= 0 && position < raster->bands && ++uses[static_cast<std::size_t>(position)] == 1;
  };
  for (const auto& group : roles.model_groups) {
    fits = fits && (any || static_cast<int>(group.size()) == info.in_channels);
    for (int position : group) use(position);
  }
  for (int position : roles.classical) use(position);
  for (int position : roles.nearest) use(position);
  fits = fits && std::count(uses.begin(), uses.end(), 1) == raster->bands;
  if (!fits) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("The model does not take this raster's bands."),
                      ("model '%s' takes %d channel(s); the raster tiles have %d band(s) (%s) grouped as '%s' for "
                       "the model, '%s' for the classical filter and '%s' nearest",
                       self->model, info.in_channels, raster->bands, raster->source_bands.c_str(),
                       raster->model_groups.c_str(), raster->classical_bands.c_str(),
                       raster->nearest_bands.c_str()));
    return FALSE;
  }
  state.raster_caps = raster;
  state.raster_upscaler = std::make_unique<r4k::infer::RasterTileUpscaler>(*state.engine, std::move(roles),
                                                                            raster->range, static_cast<int>(self->batch));
  GST_INFO_OBJECT(self, "raster tiles: %d band(s), x%d", raster->bands, info.scale);
  return TRUE;
}

static GstFlowReturn gst_r4k_superres_prepare_output_buffer(GstBaseTransform* trans, GstBuffer* input,
                                                             GstBuffer** output) {
  auto* self = GST_R4K_SUPERRES(trans);
  SuperresState& state = *self->state;
  if (!state.raster) {
    return GST_BASE_TRANSFORM_CLASS(gst_r4k_superres_parent_class)->prepare_output_buffer(trans, input, output);
  }
  const r4k::TileMeta* meta = r4k::pipeline::get_tile_meta(input);
  if (meta == nullptr) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("Raster buffer without a tile meta."),
                      ("raster tiles come from r4krastersrc"));
    return GST_FLOW_ERROR;
  }
  const r4k::TileMeta out_meta = meta->scaled_core(state.engine->info().scale);
  *output = gst_buffer_new_allocate(nullptr, state.raster_caps->tile_shape(out_meta.window).bytes(), nullptr);
  gst_buffer_copy_into(*output, input, static_cast<GstBufferCopyFlags>(GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS),
                       0, -1);
  r4k::pipeline::add_tile_meta(*output, out_meta);
  return GST_FLOW_OK;
}

static GstFlowReturn gst_r4k_superres_transform(GstBaseTransform* trans, GstBuffer* inbuf, GstBuffer* outbuf) {
  auto* self = GST_R4K_SUPERRES(trans);
  SuperresState& state = *self->state;
  if (!state.raster) return GST_BASE_TRANSFORM_CLASS(gst_r4k_superres_parent_class)->transform(trans, inbuf, outbuf);
  const r4k::TileMeta* meta = r4k::pipeline::get_tile_meta(inbuf);
  GstMapInfo in_map;
  GstMapInfo out_map;
  if (meta == nullptr || !gst_buffer_map(inbuf, &in_map, GST_MAP_READ)) return GST_FLOW_ERROR;
  const r4k::RasterTileShape in_shape = state.raster_caps->tile_shape(meta->window);
  const r4k::TileMeta out_meta = meta->scaled_core(state.raster_upscaler->scale());
  if (in_map.size != in_shape.bytes() || !gst_buffer_map(outbuf, &out_map, GST_MAP_WRITE)) {
    gst_buffer_unmap(inbuf, &in_map);
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("Raster tile of the wrong size."),
                      ("tile %d: %zu bytes for a %dx%d window of %d band(s)", meta->index, in_map.size,
                       meta->window.width, meta->window.height, in_shape.bands));
    return GST_FLOW_ERROR;
  }
  GstFlowReturn result = GST_FLOW_OK;
  try {
    state.raster_upscaler->upscale(*meta, r4k::RasterTilePlanes(in_shape, in_map.data),
                                   r4k::RasterTilePlanes(state.raster_caps->tile_shape(out_meta.window), out_map.data));
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("Super-resolution failed."), ("tile %d: %s", meta->index, error.what()));
    result = GST_FLOW_ERROR;
  }
  gst_buffer_unmap(outbuf, &out_map);
  gst_buffer_unmap(inbuf, &in_map);
  return result;
}

static gboolean gst_r4k_superres_transform_meta(GstBaseTransform* trans, GstBuffer* outbuf, GstMeta* meta,
                                                GstBuffer* inbuf) {
  // The tile meta changes with the scale: prepare_output_buffer adds it.
  if (meta->info->api == r4k::pipeline::r4k_tile_meta_api_get_type()) return FALSE;
  return GST_BASE_TRANSFORM_CLASS(gst_r4k_superres_parent_class)->transform_meta(trans, outbuf, meta, inbuf);
}

static gboolean gst_r4k_superres_propose_allocation(GstBaseTransform* trans, GstQuery* decide_query,
                                                    GstQuery* query) {
  GstCaps* caps = nullptr;
  gst_query_parse_allocation(query, &caps, nullptr);
  if (r4k::pipeline::is_raster_caps(caps)) return TRUE;  // plain memory, sized per tile
  return GST_BASE_TRANSFORM_CLASS(gst_r4k_superres_parent_class)->propose_allocation(trans, decide_query, query);
}

static gboolean gst_r4k_superres_decide_allocation(GstBaseTransform* trans, GstQuery* query) {
  GstCaps* caps = nullptr;
  gst_query_parse_allocation(query, &caps, nullptr);
  if (r4k::pipeline::is_raster_caps(caps)) return TRUE;
  return GST_BASE_TRANSFORM_CLASS(gst_r4k_superres_parent_class)->decide_allocation(trans, query);
}

// Raster sources ask what the model needs, and for the resume fingerprint.
static gboolean gst_r4k_superres_query(GstBaseTransform* trans, GstPadDirection direction, GstQuery* query) {
  auto* self = GST_R4K_SUPERRES(trans);
  SuperresState& state = *self->state;
  if (direction == GST_PAD_SINK && state.engine && r4k::pipeline::is_raster_model_query(query)) {
    const auto& info = state.engine->info();
    r4k::pipeline::RasterModelAnswer answer;
    answer.scale = info.scale;
    answer.receptive_field = info.receptive_field;
    answer.in_channels = info.colour == r4k::infer::ModelColour::any && info.in_channels == 0 ? 0 : info.in_channels;
    answer.classical_radius = r4k::filter_radius(r4k::infer::RasterTileUpscaler::kOtherBandsFilter);
    answer.fill_radius = r4k::infer::RasterTileUpscaler::fill_radius(*state.engine);
    answer.model = self->model;
    r4k::pipeline::answer_raster_model_query(query, answer);
    return TRUE;
  }
  if (direction == GST_PAD_SINK && state.engine && r4k::pipeline::is_raster_resume_query(query)) {
    const std::string model = std::string(self->model) + " x" + std::to_string(state.engine->info().scale) + " on " +
                              state.engine->backend();
    r4k::pipeline::append_to_fingerprint(query, "model=" + model);
    gst_structure_set(gst_query_writable_structure(query), "model", G_TYPE_STRING, model.c_str(), nullptr);
  }
  return GST_BASE_TRANSFORM_CLASS(gst_r4k_superres_parent_class)->query(trans, direction, query);
}

static GstFlowReturn gst_r4k_superres_transform_frame(GstVideoFilter* filter, GstVideoFrame* in_frame,
                                                      GstVideoFrame* out_frame) {
  auto* self = GST_R4K_SUPERRES(filter);
  SuperresState& state = *self->state;
  try {
    const r4k::Frame frame = r4k::unpack(r4k::pipeline::raw_frame(*in_frame, state.in_format), state.space);
    const r4k::Frame upscaled = state.upscaler->upscale(frame);
    r4k::RawFrame out = r4k::pipeline::raw_frame(*out_frame, state.in_format);
    r4k::pack(upscaled, out);
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("Super-resolution failed."), ("%s", error.what()));
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

static void gst_r4k_superres_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_SUPERRES(object);
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_MODEL:
      g_free(self->model);
      self->model = g_value_dup_string(value);
      break;
    case PROP_BACKEND:
      g_free(self->backend);
      self->backend = g_value_dup_string(value);
      break;
    case PROP_TILE_SIZE:
      self->tile_size = g_value_get_uint(value);
      break;
    case PROP_HALO:
      self->halo = g_value_get_int(value);
      break;
    case PROP_THREADS:
      self->threads = g_value_get_int(value);
      break;
    case PROP_BATCH:
      self->batch = g_value_get_uint(value);
      break;
    case PROP_MONOCHROME:
      self->monochrome = g_value_get_boolean(value);
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
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string(value, self->model);
      break;
    case PROP_BACKEND:
      g_value_set_string(value, self->backend);
      break;
    case PROP_TILE_SIZE:
      g_value_set_uint(value, self->tile_size);
      break;
    case PROP_HALO:
      g_value_set_int(value, self->halo);
      break;
    case PROP_THREADS:
      g_value_set_int(value, self->threads);
      break;
    case PROP_BATCH:
      g_value_set_uint(value, self->batch);
      break;
    case PROP_MONOCHROME:
      g_value_set_boolean(value, self->monochrome);
      break;
    case PROP_SCALE:
      g_value_set_int(value, model_scale(self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_superres_finalize(GObject* object) {
  auto* self = GST_R4K_SUPERRES(object);
  g_free(self->model);
  g_free(self->backend);
  delete self->state;
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

  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property(
      gobject_class, PROP_MODEL,
      g_param_spec_string("model", "Model",
                          "Super-resolution model: an .onnx or TensorFlow .pb file (optional sidecar <model>.yaml), "
                          "builtin:NAME, or a classical filter builtin:bicubic-x4 / lanczos-x2 / ... "
                          "(read when the element goes to READY)",
                          DEFAULT_MODEL, flags));
  g_object_class_install_property(
      gobject_class, PROP_BACKEND,
      g_param_spec_string("backend", "Backend",
                          "Inference backend: auto (onednn when it runs every operator, else opencv), onednn (native), opencv (OpenCV DNN) or classic "
                          "(filters only)",
                          DEFAULT_BACKEND, flags));
  g_object_class_install_property(
      gobject_class, PROP_TILE_SIZE,
      g_param_spec_uint("tile-size", "Tile size",
                        "Side of the tiles the engine sees, in input pixels (0 = automatic; frames smaller than a "
                        "tile are processed whole)",
                        0, 65536, DEFAULT_TILE_SIZE, flags));
  g_object_class_install_property(
      gobject_class, PROP_HALO,
      g_param_spec_int("halo", "Halo",
                       "Context around each tile in input pixels (-1 = the model's receptive field: tiled output "
                       "equals whole-frame output; smaller halos are blended)",
                       -1, 4096, DEFAULT_HALO, flags));
  g_object_class_install_property(
      gobject_class, PROP_THREADS,
      g_param_spec_int("threads", "Threads", "Inference threads (0 = all cores)", 0, 1024, DEFAULT_THREADS, flags));
  g_object_class_install_property(
      gobject_class, PROP_BATCH,
      g_param_spec_uint("batch", "Batch", "Tiles per engine call", 1, 256, DEFAULT_BATCH, flags));
  g_object_class_install_property(
      gobject_class, PROP_MONOCHROME,
      g_param_spec_boolean("monochrome", "Monochrome",
                           "The film is black and white: every frame is upscaled as grey and comes out exactly "
                           "neutral, its chroma noise discarded (without it, frames whose chroma is exactly neutral "
                           "are still kept neutral)",
                           DEFAULT_MONOCHROME, flags));
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
  filter_class->transform_frame = gst_r4k_superres_transform_frame;

  GST_DEBUG_CATEGORY_INIT(gst_r4k_superres_debug, "r4ksuperres", 0, "restore4k super-resolution");
}

static void gst_r4k_superres_init(GstR4kSuperres* self) {
  self->model = g_strdup(DEFAULT_MODEL);
  self->backend = g_strdup(DEFAULT_BACKEND);
  self->tile_size = DEFAULT_TILE_SIZE;
  self->halo = DEFAULT_HALO;
  self->threads = DEFAULT_THREADS;
  self->batch = DEFAULT_BATCH;
  self->monochrome = DEFAULT_MONOCHROME;
  self->state = new SuperresState();
}
