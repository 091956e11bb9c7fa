/**
 * SECTION:element-r4krastersrc
 * @title: r4krastersrc
 *
 * Reads a raster (GeoTIFF or anything GDAL opens) as a stream of tiles:
 * each buffer is one window (core plus halo) of the chosen bands as planar
 * float mapped to [0, 1] with one value range for the whole image, plus a
 * validity mask, and carries an #R4kTileMeta (image size, window, core, tile
 * index and count). Cores are aligned to the file's blocks, so each block is
 * read for one core only (plus its neighbours' halos).
 *
 * Before the first tile it asks downstream what the model needs (bands,
 * receptive field) and which tiles a resumed output already holds; those are
 * not read again. Tiles whose cores are all nodata are marked empty and not
 * computed.
 *
 * Memory is bounded by the tiles in flight (the queues' sizes), never by the
 * image size.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 r4krastersrc location=scene.tif bands=4,3,2 ! queue max-size-buffers=4 ! \
 *     r4ksuperres model=builtin:bicubic-x2 ! queue max-size-buffers=4 ! \
 *     r4krastersink location=scene_x2.tif
 * ]|
 */
#include "pipeline/gstr4krastersrc.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "decode/raster_dataset.hpp"
#include "decode/raster_tile_reader.hpp"
#include "pipeline/raster_tile.hpp"
#include "preprocess/error.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_raster_src_debug);
#define GST_CAT_DEFAULT gst_r4k_raster_src_debug

enum { PROP_0, PROP_LOCATION, PROP_BANDS, PROP_TILE_SIZE, PROP_HALO, PROP_RANGE, PROP_TILES };

#define DEFAULT_TILE_SIZE 512
#define DEFAULT_HALO (-1)
#define DEFAULT_RANGE "auto"

namespace {

struct RasterSrcState {
  std::unique_ptr<r4k::decode::RasterDataset> dataset;
  std::unique_ptr<r4k::decode::RasterTileReader> reader;
  std::optional<r4k::TilePlan> plan;
  std::vector<bool> skip;
  int next = 0;
  int bands = 0;
  int to_do = 0;  // tiles this run produces
};

}  // namespace

struct _GstR4kRasterSrc {
  GstPushSrc parent;

  gchar* location;
  gchar* bands;
  guint tile_size;
  gint halo;
  gchar* range;

  RasterSrcState* state;
};

G_DEFINE_TYPE(GstR4kRasterSrc, gst_r4k_raster_src, GST_TYPE_PUSH_SRC);
GST_ELEMENT_REGISTER_DEFINE(r4krastersrc, "r4krastersrc", GST_RANK_NONE, GST_TYPE_R4K_RASTER_SRC);

static std::string file_identity(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  const auto time = std::filesystem::last_write_time(path, ec);
  std::ostringstream text;
  text << std::filesystem::absolute(path).string() << " (" << size << " bytes, modified "
       << time.time_since_epoch().count() << ")";
  return text.str();
}

// Window side -> core side on one axis: aligned down to the file's blocks
// when blocks are smaller than the window (whole blocks per core).
static int core_length(int tile, int halo, int block, int length) {
  int core = tile - 2 * halo;
  if (block > 0 && block < length && core >= block) core = core / block * block;
  return core;
}

static gboolean gst_r4k_raster_src_start(GstBaseSrc* base) {
  auto* self = GST_R4K_RASTER_SRC(base);
  RasterSrcState& state = *self->state;
  if (self->location == nullptr || *self->location == '\0') {
    GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("No raster given."), ("set the location property"));
    return FALSE;
  }
  try {
    state.dataset = std::make_unique<r4k::decode::RasterDataset>(self->location);
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ, ("Could not open raster '%s'.", self->location), ("%s", error.what()));
    return FALSE;
  }
  const auto& info = state.dataset->info();
  if (!info.georeferenced) {
    GST_ELEMENT_WARNING(self, RESOURCE, READ, ("Raster '%s' has no georeference.", self->location),
                        ("no geotransform or ground control points: the output keeps the pixel grid only"));
  }
  state.plan.reset();
  state.next = 0;
  return TRUE;
}

static gboolean gst_r4k_raster_src_stop(GstBaseSrc* base) {
  auto* self = GST_R4K_RASTER_SRC(base);
  self->state->reader.reset();
  self->state->dataset.reset();
  self->state->plan.reset();
  return TRUE;
}

// Asks downstream about the model, plans the tiles, asks which are done and
// sets the caps. Runs in the streaming thread before the first tile.
static gboolean gst_r4k_raster_src_negotiate(GstBaseSrc* base) {
  auto* self = GST_R4K_RASTER_SRC(base);
  RasterSrcState& state = *self->state;
  if (state.plan) return TRUE;
  try {
    const auto model = r4k::pipeline::query_raster_model(GST_BASE_SRC_PAD(base));
    const int in_channels = model ? model->in_channels : 0;
    const int receptive_field = model ? model->receptive_field : 0;
    auto& dataset = *state.dataset;
    const auto& info = dataset.info();
    const std::string band_text = self->bands != nullptr ? self->bands : "";
    const std::vector<int> bands = r4k::decode::parse_band_list(band_text, static_cast<int>(info.bands.size()),
                                                                in_channels, info.path);
    if (in_channels > 0 && static_cast<int>(bands.size()) != in_channels) {
      throw r4k::InputError("the model takes " + std::to_string(in_channels) + " channel(s) but bands '" + band_text +
                            "' of " + info.path.string() + " are " + std::to_string(bands.size()) +
                            ": choose " + std::to_string(in_channels) + " band(s)");
    }
    int halo = self->halo;
    if (halo < 0) {
      if (receptive_field < 0) {
        throw r4k::InputError("the model's receptive field is unknown or unbounded: set halo= (in input pixels)");
      }
      halo = receptive_field;
    }
    const r4k::ValueRange range =
        r4k::decode::resolve_value_range(dataset, bands, r4k::parse_value_range(self->range ? self->range : "auto"));
    const int tile = static_cast<int>(self->tile_size);
    const int core_w = core_length(tile, halo, info.block_width, info.width);
    const int core_h = core_length(tile, halo, info.block_height, info.height);
    if (core_w < 1 || core_h < 1) {
      throw r4k::InputError("tile-size " + std::to_string(tile) + " leaves no core with halo " +
                            std::to_string(halo) + ": use a tile-size above " + std::to_string(2 * halo));
    }
    state.plan = r4k::TilePlan::aligned(info.width, info.height, core_w, core_h, halo);
    state.bands = static_cast<int>(bands.size());
    state.reader = std::make_unique<r4k::decode::RasterTileReader>(dataset, bands, range);
    const int count = static_cast<int>(state.plan->tiles().size());
    GST_INFO_OBJECT(self, "%s: %dx%d %s, %d tiles of %dx%d (core %dx%d, halo %d), range %s", self->location,
                    info.width, info.height, info.data_type.c_str(), count, state.plan->window_width(),
                    state.plan->window_height(), core_w, core_h, halo, r4k::to_string(range).c_str());

    std::ostringstream band_list;
    for (std::size_t i = 0; i < bands.size(); ++i) band_list << (i ? "," : "") << bands[i];
    std::ostringstream fingerprint;
    fingerprint << "source=" << file_identity(info.path) << "; bands=" << band_list.str()
                << "; range=" << r4k::to_string(range) << "; core=" << core_w << "x" << core_h << "; halo=" << halo
                << "; tiles=" << count;
    GstQuery* query = r4k::pipeline::new_raster_resume_query(fingerprint.str(), count);
    state.skip.assign(static_cast<std::size_t>(count), false);
    state.to_do = count;
    if (gst_pad_peer_query(GST_BASE_SRC_PAD(base), query)) {
      int skipped = 0;
      for (int done : r4k::pipeline::resume_done_tiles(query)) {
        if (done >= 0 && done < count && !state.skip[static_cast<std::size_t>(done)]) {
          state.skip[static_cast<std::size_t>(done)] = true;
          ++skipped;
        }
      }
      state.to_do = count - skipped;
      if (skipped > 0) GST_INFO_OBJECT(self, "resuming: %d of %d tiles are already done", skipped, count);
    }
    gst_query_unref(query);

    r4k::pipeline::RasterCaps caps_info;
    caps_info.bands = state.bands;
    caps_info.width = info.width;
    caps_info.height = info.height;
    caps_info.scale = 1;
    caps_info.data_type = info.data_type;
    caps_info.source = std::filesystem::absolute(info.path).string();
    caps_info.source_bands = band_list.str();
    caps_info.range = range;
    GstCaps* caps = r4k::pipeline::make_raster_caps(caps_info);
    const gboolean ok = gst_base_src_set_caps(base, caps);
    gst_caps_unref(caps);
    if (!ok) {
      GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("Downstream does not take raster tiles."),
                        ("link r4krastersrc to r4ksuperres or r4krastersink"));
      state.plan.reset();
      return FALSE;
    }
    return TRUE;
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Cannot tile raster '%s'.", self->location), ("%s", error.what()));
    state.plan.reset();
    return FALSE;
  }
}

static GstFlowReturn gst_r4k_raster_src_create(GstPushSrc* push, GstBuffer** out) {
  auto* self = GST_R4K_RASTER_SRC(push);
  RasterSrcState& state = *self->state;
  if (!state.plan) return GST_FLOW_NOT_NEGOTIATED;
  const auto& tiles = state.plan->tiles();
  while (state.next < static_cast<int>(tiles.size()) && state.skip[static_cast<std::size_t>(state.next)]) ++state.next;
  if (state.next >= static_cast<int>(tiles.size())) return GST_FLOW_EOS;
  const r4k::Tile& tile = tiles[static_cast<std::size_t>(state.next)];
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, r4k::pipeline::tile_buffer_size(state.bands, tile.window), nullptr);
  GstMapInfo map;
  gst_buffer_map(buffer, &map, GST_MAP_WRITE);
  bool core_valid = false;
  try {
    const auto* planes = reinterpret_cast<float*>(map.data);
    if (state.reader->read(tile.window, reinterpret_cast<float*>(map.data))) {
      // Only the core's pixels come out: a core of nodata is not computed.
      const float* mask = planes + static_cast<std::size_t>(state.bands) * tile.window.width * tile.window.height;
      const r4k::Rect core{tile.core.x - tile.window.x, tile.core.y - tile.window.y, tile.core.width,
                           tile.core.height};
      for (int y = core.y; y < core.bottom() && !core_valid; ++y) {
        for (int x = core.x; x < core.right() && !core_valid; ++x) {
          core_valid = mask[static_cast<std::size_t>(y) * tile.window.width + x] != 0.0f;
        }
      }
    }
  } catch (const std::exception& error) {
    gst_buffer_unmap(buffer, &map);
    gst_buffer_unref(buffer);
    GST_ELEMENT_ERROR(self, STREAM, DECODE, ("Could not read raster '%s'.", self->location), ("%s", error.what()));
    return GST_FLOW_ERROR;
  }
  gst_buffer_unmap(buffer, &map);
  r4k::TileMeta meta;
  meta.image_width = state.plan->width();
  meta.image_height = state.plan->height();
  meta.window = tile.window;
  meta.core = tile.core;
  meta.index = tile.index;
  meta.count = static_cast<int>(tiles.size());
  meta.scale = 1;
  meta.empty = !core_valid;
  r4k::pipeline::add_tile_meta(buffer, meta);
  GST_BUFFER_OFFSET(buffer) = static_cast<guint64>(tile.index);
  GST_BUFFER_OFFSET_END(buffer) = static_cast<guint64>(tile.index + 1);
  ++state.next;
  *out = buffer;
  return GST_FLOW_OK;
}

static void gst_r4k_raster_src_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_RASTER_SRC(object);
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_free(self->location);
      self->location = g_value_dup_string(value);
      break;
    case PROP_BANDS:
      g_free(self->bands);
      self->bands = g_value_dup_string(value);
      break;
    case PROP_TILE_SIZE:
      self->tile_size = g_value_get_uint(value);
      break;
    case PROP_HALO:
      self->halo = g_value_get_int(value);
      break;
    case PROP_RANGE:
      g_free(self->range);
      self->range = g_value_dup_string(value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_raster_src_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_R4K_RASTER_SRC(object);
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string(value, self->location);
      break;
    case PROP_BANDS:
      g_value_set_string(value, self->bands);
      break;
    case PROP_TILE_SIZE:
      g_value_set_uint(value, self->tile_size);
      break;
    case PROP_HALO:
      g_value_set_int(value, self->halo);
      break;
    case PROP_RANGE:
      g_value_set_string(value, self->range);
      break;
    case PROP_TILES:
      g_value_set_int(value, self->state->plan ? self->state->to_do : 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_raster_src_finalize(GObject* object) {
  auto* self = GST_R4K_RASTER_SRC(object);
  g_free(self->location);
  g_free(self->bands);
  g_free(self->range);
  delete self->state;
  G_OBJECT_CLASS(gst_r4k_raster_src_parent_class)->finalize(object);
}

static void gst_r4k_raster_src_class_init(GstR4kRasterSrcClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* base_class = GST_BASE_SRC_CLASS(klass);
  auto* push_class = GST_PUSH_SRC_CLASS(klass);

  gobject_class->set_property = gst_r4k_raster_src_set_property;
  gobject_class->get_property = gst_r4k_raster_src_get_property;
  gobject_class->finalize = gst_r4k_raster_src_finalize;

  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property(
      gobject_class, PROP_LOCATION,
      g_param_spec_string("location", "Location", "The raster to read (GeoTIFF, COG or any raster GDAL opens)",
                          nullptr, flags));
  g_object_class_install_property(
      gobject_class, PROP_BANDS,
      g_param_spec_string("bands", "Bands",
                          "Bands to read, 1-based, in the order the model takes them (e.g. 4,3,2 for a "
                          "Sentinel-2 true-colour image); empty = the first bands, as many as the model takes "
                          "(all for classical filters)",
                          nullptr, flags));
  g_object_class_install_property(
      gobject_class, PROP_TILE_SIZE,
      g_param_spec_uint("tile-size", "Tile size",
                        "Side of the tile windows (core plus halo) in input pixels; cores are rounded down to "
                        "whole blocks of the file",
                        8, 16384, DEFAULT_TILE_SIZE, flags));
  g_object_class_install_property(
      gobject_class, PROP_HALO,
      g_param_spec_int("halo", "Halo",
                       "Context around each core in input pixels (-1 = the downstream model's receptive field, "
                       "which makes the tiled result equal to processing the whole image)",
                       -1, 4096, DEFAULT_HALO, flags));
  g_object_class_install_property(
      gobject_class, PROP_RANGE,
      g_param_spec_string("range", "Range",
                          "How values map to the model's [0, 1], one map for the whole image: auto (0..255 for "
                          "Byte; otherwise the minimum and maximum of the chosen bands from overviews or sampled "
                          "blocks), MIN,MAX, or bits:N for a sensor's bit depth",
                          DEFAULT_RANGE, flags));
  g_object_class_install_property(
      gobject_class, PROP_TILES,
      g_param_spec_int("tiles", "Tiles", "Tiles this run produces: all, less those a resumed output already holds (known once streaming has started; 0 before)", 0,
                       G_MAXINT, 0, static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  gst_element_class_set_static_metadata(element_class, "Raster tile source", "Source/Image/Raster",
                                        "Reads a GDAL raster as block-aligned tiles with halo, for "
                                        "super-resolution of images of any size",
                                        "restore4k engineers");
  GstCaps* caps = r4k::pipeline::raster_template_caps();
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);

  base_class->start = gst_r4k_raster_src_start;
  base_class->stop = gst_r4k_raster_src_stop;
  base_class->negotiate = gst_r4k_raster_src_negotiate;
  push_class->create = gst_r4k_raster_src_create;

  GST_DEBUG_CATEGORY_INIT(gst_r4k_raster_src_debug, "r4krastersrc", 0, "restore4k raster tile source");
}

static void gst_r4k_raster_src_init(GstR4kRasterSrc* self) {
  self->location = nullptr;
  self->bands = nullptr;
  self->tile_size = DEFAULT_TILE_SIZE;
  self->halo = DEFAULT_HALO;
  self->range = g_strdup(DEFAULT_RANGE);
  self->state = new RasterSrcState();
  gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_BYTES);
}
