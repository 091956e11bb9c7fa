/**
 * SECTION:element-r4krastersrc
 * @title: r4krastersrc
 *
 * Reads a raster (GeoTIFF or anything GDAL opens, /vsi paths and subdatasets
 * included) as a stream of tiles: each buffer is one window (core plus halo)
 * of the chosen bands, their values as the file holds them (doubles) with
 * each band's own validity (nodata, masks, NaN) and the dataset mask, and
 * carries an #R4kTileMeta (image size, window, core, tile index and count).
 * Cores are aligned to the file's blocks, so each block is read for one core
 * only (plus its neighbours' halos). For a neural model the source also finds
 * the value range that maps its bands to [0, 1] (one for the whole image).
 *
 * Before the first tile it asks downstream what the model needs (bands,
 * receptive field) and which tiles a resumed output already holds; those are
 * not read again. Tiles whose cores are all nodata are marked empty and not
 * computed.
 *
 * Memory is bounded by the tiles in flight (the queues' sizes), never by the
 * image size.
 *
 * The properties are read when the element starts (READY to PAUSED). Those
 * that carry a job setting (all but `location` and `tile-size`) take their
 * type, range, default and documentation from the settings table
 * (config/settings.cpp): `other-bands` is an enum, refused by name when it is
 * set; a `range` the element cannot read is refused when it starts, with an
 * element error naming the property.
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

#include "decode/raster_band_plan.hpp"
#include "decode/raster_dataset.hpp"
#include "decode/raster_tile_reader.hpp"
#include "decode/raster_value_range.hpp"
#include "pipeline/element_settings.hpp"
#include "pipeline/input_damage.hpp"
#include "pipeline/raster_tile.hpp"
#include "pipeline/setting_param_specs.hpp"
#include "core/error.hpp"

GST_DEBUG_CATEGORY_STATIC(gst_r4k_raster_src_debug);
#define GST_CAT_DEFAULT gst_r4k_raster_src_debug

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_BANDS,
  PROP_OTHER_BANDS,
  PROP_CATEGORICAL,
  PROP_TILE_SIZE,
  PROP_HALO,
  PROP_RANGE,
  PROP_TILES
};

// tile-size is the element's own (a job's engine.tile is an engine tile, 0 =
// automatic); the other properties' defaults are the settings table's.
#define DEFAULT_TILE_SIZE 512

namespace {

constexpr const char* kElement = "r4krastersrc";

// The setting that property `name` carries (config/settings.cpp).
const r4k::settings::Setting& setting_of(const char* name) {
  return *r4k::settings::find_property(kElement, name);
}

std::string default_of(const char* name) { return r4k::pipeline::element_default(setting_of(name), kElement); }

// The property values (under the object lock).
struct RasterSrcSettings {
  std::string location;
  std::string bands = default_of("bands");  // "" = every band
  std::string other_bands = default_of("other-bands");  // a choice of raster.other_bands
  std::string categorical = default_of("categorical");
  guint tile_size = DEFAULT_TILE_SIZE;
  gint halo = static_cast<gint>(r4k::settings::as_integer(default_of("halo")));
  std::string range = default_of("range");
};

// The C++ state behind the instance's one pointer.
struct RasterSrcImpl {
  RasterSrcSettings settings;  // under the object lock
  int tiles = 0;               // the tiles property: this run's, once planned; under the object lock

  // The streaming thread's, from start() on.
  RasterSrcSettings run;  // the settings this run was started with
  std::unique_ptr<r4k::decode::RasterDataset> dataset;
  std::unique_ptr<r4k::decode::RasterTileReader> reader;
  std::optional<r4k::TilePlan> plan;
  std::vector<bool> skip;
  int next = 0;
  int bands = 0;
};

}  // namespace

struct _GstR4kRasterSrc {
  GstPushSrc parent;
  RasterSrcImpl* impl;
};

G_DEFINE_TYPE(GstR4kRasterSrc, gst_r4k_raster_src, GST_TYPE_PUSH_SRC);
GST_ELEMENT_REGISTER_DEFINE(r4krastersrc, "r4krastersrc", GST_RANK_NONE, GST_TYPE_R4K_RASTER_SRC);

static std::string file_identity(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return path.string();  // a name GDAL resolves (/vsi..., a subdataset)
  const auto size = std::filesystem::file_size(path, ec);
  const auto time = std::filesystem::last_write_time(path, ec);
  std::ostringstream text;
  text << std::filesystem::absolute(path).string() << " (" << size << " bytes, modified "
       << time.time_since_epoch().count() << ")";
  return text.str();
}

// The path downstream elements open the source by: absolute for files, as
// given for names GDAL resolves.
static std::string source_name(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec) ? std::filesystem::absolute(path).string() : path.string();
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
  RasterSrcImpl& state = *self->impl;
  GST_OBJECT_LOCK(self);
  state.run = state.settings;
  state.tiles = 0;
  GST_OBJECT_UNLOCK(self);
  const RasterSrcSettings& settings = state.run;
  if (settings.location.empty()) {
    GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("No raster given: set the location property."), (nullptr));
    return FALSE;
  }
  // other-bands is an enum (GLib refuses other values); range is text only
  // the element reads.
  try {
    r4k::parse_value_range(settings.range);
  } catch (const std::exception& error) {
    r4k::pipeline::refuse_property(GST_ELEMENT(self), "range", settings.range, "auto, MIN,MAX or bits:N",
                                   error.what());
    return FALSE;
  }
  const char* location = settings.location.c_str();
  try {
    state.dataset = std::make_unique<r4k::decode::RasterDataset>(settings.location);
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ, ("Could not open raster '%s'.", location), ("%s", error.what()));
    return FALSE;
  }
  const auto& info = state.dataset->info();
  if (!info.georeferenced) {
    GST_ELEMENT_WARNING(self, RESOURCE, READ, ("Raster '%s' has no georeference.", location),
                        ("no geotransform, ground control points or RPCs: the output keeps the pixel grid only"));
  }
  state.plan.reset();
  state.next = 0;
  return TRUE;
}

static gboolean gst_r4k_raster_src_stop(GstBaseSrc* base) {
  auto* self = GST_R4K_RASTER_SRC(base);
  RasterSrcImpl& state = *self->impl;
  state.reader.reset();
  state.dataset.reset();
  state.plan.reset();
  GST_OBJECT_LOCK(self);
  state.tiles = 0;
  GST_OBJECT_UNLOCK(self);
  return TRUE;
}

// Asks downstream about the model, plans the tiles, asks which are done and
// sets the caps. Runs in the streaming thread before the first tile.
static gboolean gst_r4k_raster_src_negotiate(GstBaseSrc* base) {
  auto* self = GST_R4K_RASTER_SRC(base);
  RasterSrcImpl& state = *self->impl;
  if (state.plan) return TRUE;
  const RasterSrcSettings& settings = state.run;
  const char* location = settings.location.c_str();
  try {
    const auto model = r4k::pipeline::query_raster_model(GST_BASE_SRC_PAD(base));
    const int in_channels = model ? model->in_channels : 0;
    const bool neural = in_channels > 0;
    const int receptive_field = model ? model->receptive_field : 0;
    auto& dataset = *state.dataset;
    const auto& info = dataset.info();
    const r4k::decode::RasterBandPlan band_plan =
        r4k::decode::plan_raster_bands(info, settings.bands, in_channels,
                                       r4k::decode::parse_other_bands(settings.other_bands), settings.categorical);
    const std::vector<int>& bands = band_plan.bands;
    if (!band_plan.classical.empty()) {
      GST_ELEMENT_INFO(self, RESOURCE, READ, ("%s: band(s) %s go to the model, band(s) %s are upscaled with the "
                                              "classical filter and kept",
                                              location, band_plan.model_bands_text().c_str(),
                                              band_plan.classical_bands_text().c_str()),
                       ("other-bands=drop leaves them out"));
    }
    if (!band_plan.nearest.empty()) {
      GST_ELEMENT_INFO(self, RESOURCE, READ, ("%s: band(s) %s hold classes or alpha: upscaled nearest, never "
                                              "smoothed%s",
                                              location, band_plan.nearest_bands_text().c_str(),
                                              neural ? " and never given to the model" : ""),
                       (nullptr));
    }
    if (!band_plan.dropped.empty()) {
      std::string dropped;
      for (int b : band_plan.dropped) dropped += (dropped.empty() ? "" : ",") + std::to_string(b);
      GST_ELEMENT_INFO(self, RESOURCE, READ, ("%s: band(s) %s are left out (other-bands=drop)", location,
                                              dropped.c_str()),
                       (nullptr));
    }
    // Can a band have pixels without a value? Then a neural model's fill
    // needs its context too.
    bool holes = info.per_dataset_mask || info.data_type.rfind("Float", 0) == 0;
    for (int b : bands) holes = holes || info.bands[static_cast<std::size_t>(b - 1)].nodata.has_value();
    int halo = settings.halo;
    if (halo < 0) {
      if (receptive_field < 0) {
        throw r4k::InputError("the model's receptive field is unknown or unbounded: set halo= (in input pixels)");
      }
      halo = receptive_field;
      if (neural && holes) halo += model->fill_radius;
      // The bands the classical filter upscales need its context too.
      if (!band_plan.classical.empty() && model) halo = std::max(halo, model->classical_radius);
    }
    // Only a neural model's bands are mapped to [0, 1].
    std::vector<int> model_bands;
    for (const auto& group : band_plan.model_groups) {
      for (int position : group) model_bands.push_back(bands[static_cast<std::size_t>(position)]);
    }
    const r4k::ValueRangeSpec range_spec = r4k::parse_value_range(settings.range);
    r4k::decode::ResolvedRange range{r4k::ValueRange{}, ""};
    if (neural) {
      range = r4k::decode::resolve_value_range(dataset, model_bands, range_spec);
      if (!r4k::decode::exact_in_float(info.data_type)) {
        GST_ELEMENT_INFO(self, RESOURCE, READ, ("%s: %s values are given to the model as 32-bit floats (about 7 "
                                                "significant digits of the range %s); classical filters keep "
                                                "them exact",
                                                location, info.data_type.c_str(),
                                                r4k::to_string(range.range).c_str()),
                         (nullptr));
      }
    } else if (!range_spec.automatic) {
      GST_ELEMENT_INFO(self, RESOURCE, READ, ("%s: range= is for neural models; classical filters work on the "
                                              "values themselves",
                                              location),
                       (nullptr));
    }
    const int tile = static_cast<int>(settings.tile_size);
    const int core_w = core_length(tile, halo, info.block_width, info.width);
    const int core_h = core_length(tile, halo, info.block_height, info.height);
    if (core_w < 1 || core_h < 1) {
      throw r4k::InputError("tile-size " + std::to_string(tile) + " leaves no core with halo " +
                            std::to_string(halo) + ": use a tile-size above " + std::to_string(2 * halo));
    }
    state.plan = r4k::TilePlan::aligned(info.width, info.height, core_w, core_h, halo);
    state.bands = static_cast<int>(bands.size());
    state.reader = std::make_unique<r4k::decode::RasterTileReader>(dataset, bands);
    const int count = static_cast<int>(state.plan->tiles().size());
    GST_INFO_OBJECT(self, "%s: %dx%d %s, %d tiles of %dx%d (core %dx%d, halo %d), range %s (%s)", location,
                    info.width, info.height, info.data_type.c_str(), count, state.plan->window_width(),
                    state.plan->window_height(), core_w, core_h, halo, r4k::to_string(range.range).c_str(),
                    range.how.c_str());

    std::ostringstream band_list;
    for (std::size_t i = 0; i < bands.size(); ++i) band_list << (i ? "," : "") << bands[i];
    std::ostringstream fingerprint;
    fingerprint << "source=" << file_identity(info.path) << "; bands=" << band_list.str()
                << "; model-bands=" << band_plan.model_bands_text()
                << "; nearest-bands=" << band_plan.nearest_bands_text() << "; range=" << r4k::to_string(range.range)
                << "; core=" << core_w << "x" << core_h << "; halo=" << halo << "; tiles=" << count;
    // A mask of its own (not an alpha band, which is carried as a band, and
    // not nodata values) goes out as a mask.
    const bool dataset_mask = info.per_dataset_mask && !info.mask_from_alpha;
    r4k::pipeline::RasterOutputLayout layout;
    const int scale = model ? model->scale : 1;
    layout.width = info.width * scale;
    layout.height = info.height * scale;
    layout.bands = state.bands;
    layout.data_type = info.data_type;
    layout.dataset_mask = dataset_mask;
    GstQuery* query = r4k::pipeline::new_raster_resume_query(fingerprint.str(), count, layout);
    state.skip.assign(static_cast<std::size_t>(count), false);
    int to_do = count;
    if (gst_pad_peer_query(GST_BASE_SRC_PAD(base), query)) {
      int skipped = 0;
      for (int done : r4k::pipeline::resume_done_tiles(query)) {
        if (done >= 0 && done < count && !state.skip[static_cast<std::size_t>(done)]) {
          state.skip[static_cast<std::size_t>(done)] = true;
          ++skipped;
        }
      }
      to_do = count - skipped;
      if (skipped > 0) GST_INFO_OBJECT(self, "resuming: %d of %d tiles are already done", skipped, count);
    }
    gst_query_unref(query);
    GST_OBJECT_LOCK(self);
    state.tiles = to_do;
    GST_OBJECT_UNLOCK(self);

    r4k::pipeline::RasterCaps caps_info;
    caps_info.bands = state.bands;
    caps_info.width = info.width;
    caps_info.height = info.height;
    caps_info.scale = 1;
    caps_info.data_type = info.data_type;
    caps_info.source = source_name(info.path);
    caps_info.source_bands = band_list.str();
    caps_info.model_groups = r4k::decode::format_band_groups(band_plan.model_groups);
    caps_info.classical_bands = r4k::decode::format_band_groups({band_plan.classical});
    caps_info.nearest_bands = r4k::decode::format_band_groups({band_plan.nearest});
    caps_info.dataset_mask = dataset_mask;
    caps_info.range = range.range;
    caps_info.range_source = range.how;
    GstCaps* caps = r4k::pipeline::make_raster_caps(caps_info);
    const gboolean ok = gst_base_src_set_caps(base, caps);
    gst_caps_unref(caps);
    if (!ok) {
      GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("Downstream does not take the raster tiles of '%s'.", location),
                        ("link r4krastersrc to r4ksuperres or r4krastersink"));
      state.plan.reset();
      return FALSE;
    }
    return TRUE;
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Cannot tile raster '%s'.", location), ("%s", error.what()));
    state.plan.reset();
    return FALSE;
  }
}

static GstFlowReturn gst_r4k_raster_src_create(GstPushSrc* push, GstBuffer** out) {
  auto* self = GST_R4K_RASTER_SRC(push);
  RasterSrcImpl& state = *self->impl;
  const char* location = state.run.location.c_str();
  if (!state.plan) return GST_FLOW_NOT_NEGOTIATED;
  const auto& tiles = state.plan->tiles();
  while (state.next < static_cast<int>(tiles.size()) && state.skip[static_cast<std::size_t>(state.next)]) ++state.next;
  if (state.next >= static_cast<int>(tiles.size())) return GST_FLOW_EOS;
  const r4k::Tile& tile = tiles[static_cast<std::size_t>(state.next)];
  const r4k::RasterTileShape shape = state.reader->shape(tile.window);
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, shape.bytes(), nullptr);
  GstMapInfo map;
  gst_buffer_map(buffer, &map, GST_MAP_WRITE);
  bool core_valid = false;
  r4k::decode::TileRead read;
  try {
    const r4k::RasterTilePlanes planes(shape, map.data);
    read = state.reader->read(tile.window, planes);
    if (read.any_valid) {
      // Only the core's pixels come out: a core of nodata is not computed.
      const r4k::Rect core{tile.core.x - tile.window.x, tile.core.y - tile.window.y, tile.core.width,
                           tile.core.height};
      for (int b = 0; b < shape.bands && !core_valid; ++b) {
        const std::uint8_t* valid = planes.valid(b);
        for (int y = core.y; y < core.bottom() && !core_valid; ++y) {
          for (int x = core.x; x < core.right() && !core_valid; ++x) {
            core_valid = valid[static_cast<std::size_t>(y) * tile.window.width + x] != 0;
          }
        }
      }
    }
  } catch (const std::exception& error) {
    gst_buffer_unmap(buffer, &map);
    gst_buffer_unref(buffer);
    GST_ELEMENT_ERROR(self, STREAM, DECODE, ("Could not read raster '%s'.", location), ("%s", error.what()));
    return GST_FLOW_ERROR;
  }
  if (!read.damaged_blocks.empty()) {
    std::string blocks;
    for (const r4k::Rect& block : read.damaged_blocks) {
      blocks += (blocks.empty() ? "" : ", ") + std::to_string(block.width) + "x" + std::to_string(block.height) +
                "+" + std::to_string(block.x) + "+" + std::to_string(block.y);
    }
    r4k::pipeline::post_input_damage(GST_ELEMENT(self),
                                      state.run.location + ": tile " + std::to_string(tile.index) +
                                          ": block(s) " + blocks + " could not be read (" + read.error +
                                          "); their pixels are nodata in the output");
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
  meta.damaged = !read.damaged_blocks.empty();
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
  RasterSrcSettings& s = self->impl->settings;
  switch (prop_id) {
    case PROP_LOCATION:
      s.location = r4k::pipeline::text_of(g_value_get_string(value));
      break;
    case PROP_BANDS:
      s.bands = r4k::pipeline::text_of(g_value_get_string(value));
      break;
    case PROP_OTHER_BANDS:
      s.other_bands = r4k::pipeline::choice_text(value, setting_of("other-bands"));
      break;
    case PROP_CATEGORICAL:
      s.categorical = r4k::pipeline::text_of(g_value_get_string(value));
      break;
    case PROP_TILE_SIZE:
      s.tile_size = g_value_get_uint(value);
      break;
    case PROP_HALO:
      s.halo = g_value_get_int(value);
      break;
    case PROP_RANGE:
      s.range = r4k::pipeline::text_of(g_value_get_string(value));
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
  const RasterSrcSettings& s = self->impl->settings;
  // Strings that were never set read as NULL, their default.
  const auto nullable = [](const std::string& text) { return text.empty() ? nullptr : text.c_str(); };
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string(value, nullable(s.location));
      break;
    case PROP_BANDS:
      g_value_set_string(value, nullable(s.bands));
      break;
    case PROP_OTHER_BANDS:
      r4k::pipeline::set_choice(value, setting_of("other-bands"), s.other_bands);
      break;
    case PROP_CATEGORICAL:
      g_value_set_string(value, nullable(s.categorical));
      break;
    case PROP_TILE_SIZE:
      g_value_set_uint(value, s.tile_size);
      break;
    case PROP_HALO:
      g_value_set_int(value, s.halo);
      break;
    case PROP_RANGE:
      g_value_set_string(value, s.range.c_str());
      break;
    case PROP_TILES:
      g_value_set_int(value, self->impl->tiles);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_r4k_raster_src_finalize(GObject* object) {
  delete GST_R4K_RASTER_SRC(object)->impl;
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

  // Read when the element starts.
  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property(
      gobject_class, PROP_LOCATION,
      g_param_spec_string("location", "Location", "The raster to read (GeoTIFF, COG or any raster GDAL opens)",
                          nullptr, flags));
  // Type, range, default and documentation from the settings table.
  r4k::pipeline::install_setting_property(gobject_class, PROP_BANDS, kElement, "bands", flags);
  r4k::pipeline::install_setting_property(gobject_class, PROP_OTHER_BANDS, kElement, "other-bands", flags);
  r4k::pipeline::install_setting_property(gobject_class, PROP_CATEGORICAL, kElement, "categorical", flags);
  g_object_class_install_property(
      gobject_class, PROP_TILE_SIZE,
      g_param_spec_uint("tile-size", "Tile size",
                        "Side of the tile windows (core plus halo) in input pixels; cores are rounded down to "
                        "whole blocks of the file",
                        8, 16384, DEFAULT_TILE_SIZE, flags));
  r4k::pipeline::install_setting_property(gobject_class, PROP_HALO, kElement, "halo", flags);
  r4k::pipeline::install_setting_property(gobject_class, PROP_RANGE, kElement, "range", flags);
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
  self->impl = new RasterSrcImpl();
  gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_BYTES);
}
