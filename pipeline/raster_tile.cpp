#include "pipeline/raster_tile.hpp"

#include <sstream>

namespace r4k::pipeline {
namespace {

constexpr const char* kModelQuery = "r4k-raster-model";
constexpr const char* kResumeQuery = "r4k-raster-resume";

gboolean tile_meta_init(GstMeta* meta, gpointer, GstBuffer*) {
  new (&reinterpret_cast<R4kTileMeta*>(meta)->tile) TileMeta();
  return TRUE;
}

void tile_meta_free(GstMeta* meta, GstBuffer*) { reinterpret_cast<R4kTileMeta*>(meta)->tile.~TileMeta(); }

// Copies travel with the buffer; any other transformation (scaling,
// cropping) changes the tile's place, so the element that does it adds the
// meta it computes.
gboolean tile_meta_transform(GstBuffer* dest, GstMeta* meta, GstBuffer*, GQuark type, gpointer data) {
  if (!GST_META_TRANSFORM_IS_COPY(type)) return FALSE;
  const auto* copy = static_cast<GstMetaTransformCopy*>(data);
  if (copy->region) return FALSE;
  add_tile_meta(dest, reinterpret_cast<R4kTileMeta*>(meta)->tile);
  return TRUE;
}

bool has_name(GstQuery* query, const char* name) {
  if (GST_QUERY_TYPE(query) != GST_QUERY_CUSTOM) return false;
  const GstStructure* structure = gst_query_get_structure(query);
  return structure != nullptr && gst_structure_has_name(structure, name);
}

}  // namespace

GstCaps* make_raster_caps(const RasterCaps& info) {
  return gst_caps_new_simple(kRasterMediaType, "bands", G_TYPE_INT, info.bands, "width", G_TYPE_INT, info.width,
                             "height", G_TYPE_INT, info.height, "scale", G_TYPE_INT, info.scale, "data-type",
                             G_TYPE_STRING, info.data_type.c_str(), "source", G_TYPE_STRING, info.source.c_str(),
                             "source-bands", G_TYPE_STRING, info.source_bands.c_str(), "model-groups", G_TYPE_STRING,
                             info.model_groups.c_str(), "classical-bands", G_TYPE_STRING, info.classical_bands.c_str(),
                             "nearest-bands", G_TYPE_STRING, info.nearest_bands.c_str(), "dataset-mask",
                             G_TYPE_BOOLEAN, info.dataset_mask ? TRUE : FALSE, "range-min", G_TYPE_DOUBLE,
                             info.range.min, "range-max", G_TYPE_DOUBLE, info.range.max, "range-source",
                             G_TYPE_STRING, info.range_source.c_str(), nullptr);
}

GstCaps* raster_template_caps() { return gst_caps_new_empty_simple(kRasterMediaType); }

bool is_raster_caps(const GstCaps* caps) {
  return caps != nullptr && gst_caps_get_size(caps) > 0 &&
         gst_structure_has_name(gst_caps_get_structure(caps, 0), kRasterMediaType);
}

std::optional<RasterCaps> parse_raster_caps(const GstCaps* caps) {
  if (!is_raster_caps(caps)) return std::nullopt;
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  RasterCaps info;
  const char* data_type = gst_structure_get_string(s, "data-type");
  const char* source = gst_structure_get_string(s, "source");
  const char* bands = gst_structure_get_string(s, "source-bands");
  const char* groups = gst_structure_get_string(s, "model-groups");
  const char* classical = gst_structure_get_string(s, "classical-bands");
  const char* nearest = gst_structure_get_string(s, "nearest-bands");
  const char* range_source = gst_structure_get_string(s, "range-source");
  gboolean mask = FALSE;
  if (!gst_structure_get_int(s, "bands", &info.bands) || !gst_structure_get_int(s, "width", &info.width) ||
      !gst_structure_get_int(s, "height", &info.height) || !gst_structure_get_int(s, "scale", &info.scale) ||
      !gst_structure_get_double(s, "range-min", &info.range.min) ||
      !gst_structure_get_double(s, "range-max", &info.range.max) || data_type == nullptr || source == nullptr ||
      bands == nullptr || groups == nullptr || classical == nullptr || nearest == nullptr ||
      range_source == nullptr || !gst_structure_get_boolean(s, "dataset-mask", &mask)) {
    return std::nullopt;
  }
  info.data_type = data_type;
  info.source = source;
  info.source_bands = bands;
  info.model_groups = groups;
  info.classical_bands = classical;
  info.nearest_bands = nearest;
  info.range_source = range_source;
  info.dataset_mask = mask;
  return info;
}

GType r4k_tile_meta_api_get_type() {
  static GType type = 0;
  static const gchar* tags[] = {nullptr};
  if (g_once_init_enter(&type)) {
    const GType api = gst_meta_api_type_register("R4kTileMetaAPI", tags);
    g_once_init_leave(&type, api);
  }
  return type;
}

const GstMetaInfo* r4k_tile_meta_get_info() {
  static const GstMetaInfo* info = nullptr;
  if (g_once_init_enter(&info)) {
    const GstMetaInfo* registered =
        gst_meta_register(r4k_tile_meta_api_get_type(), "R4kTileMeta", sizeof(R4kTileMeta), tile_meta_init,
                          tile_meta_free, tile_meta_transform);
    g_once_init_leave(&info, registered);
  }
  return info;
}

R4kTileMeta* add_tile_meta(GstBuffer* buffer, const TileMeta& tile) {
  auto* meta = reinterpret_cast<R4kTileMeta*>(gst_buffer_add_meta(buffer, r4k_tile_meta_get_info(), nullptr));
  meta->tile = tile;
  return meta;
}

const TileMeta* get_tile_meta(GstBuffer* buffer) {
  auto* meta = reinterpret_cast<R4kTileMeta*>(gst_buffer_get_meta(buffer, r4k_tile_meta_api_get_type()));
  return meta != nullptr ? &meta->tile : nullptr;
}

GstQuery* new_raster_model_query() {
  return gst_query_new_custom(GST_QUERY_CUSTOM, gst_structure_new_empty(kModelQuery));
}

bool is_raster_model_query(GstQuery* query) { return has_name(query, kModelQuery); }

void answer_raster_model_query(GstQuery* query, const RasterModelAnswer& answer) {
  GstStructure* s = gst_query_writable_structure(query);
  gst_structure_set(s, "scale", G_TYPE_INT, answer.scale, "receptive-field", G_TYPE_INT, answer.receptive_field,
                    "in-channels", G_TYPE_INT, answer.in_channels, "classical-radius", G_TYPE_INT,
                    answer.classical_radius, "fill-radius", G_TYPE_INT, answer.fill_radius, "model", G_TYPE_STRING,
                    answer.model.c_str(), nullptr);
}

std::optional<RasterModelAnswer> query_raster_model(GstPad* src_pad) {
  GstQuery* query = new_raster_model_query();
  std::optional<RasterModelAnswer> answer;
  if (gst_pad_peer_query(src_pad, query)) {
    const GstStructure* s = gst_query_get_structure(query);
    RasterModelAnswer a;
    const char* model = gst_structure_get_string(s, "model");
    if (gst_structure_get_int(s, "scale", &a.scale) && gst_structure_get_int(s, "receptive-field", &a.receptive_field) &&
        gst_structure_get_int(s, "in-channels", &a.in_channels) &&
        gst_structure_get_int(s, "classical-radius", &a.classical_radius) &&
        gst_structure_get_int(s, "fill-radius", &a.fill_radius)) {
      a.model = model != nullptr ? model : "";
      answer = a;
    }
  }
  gst_query_unref(query);
  return answer;
}

GstQuery* new_raster_resume_query(const std::string& fingerprint, int tiles, const RasterOutputLayout& layout) {
  return gst_query_new_custom(
      GST_QUERY_CUSTOM,
      gst_structure_new(kResumeQuery, "fingerprint", G_TYPE_STRING, fingerprint.c_str(), "tiles", G_TYPE_INT, tiles,
                        "output-width", G_TYPE_INT, layout.width, "output-height", G_TYPE_INT, layout.height,
                        "output-bands", G_TYPE_INT, layout.bands, "output-data-type", G_TYPE_STRING,
                        layout.data_type.c_str(), "output-dataset-mask", G_TYPE_BOOLEAN,
                        layout.dataset_mask ? TRUE : FALSE, nullptr));
}

std::optional<RasterOutputLayout> resume_output_layout(GstQuery* query) {
  const GstStructure* s = gst_query_get_structure(query);
  RasterOutputLayout layout;
  gboolean mask = FALSE;
  const char* data_type = gst_structure_get_string(s, "output-data-type");
  if (!gst_structure_get_int(s, "output-width", &layout.width) ||
      !gst_structure_get_int(s, "output-height", &layout.height) ||
      !gst_structure_get_int(s, "output-bands", &layout.bands) || data_type == nullptr ||
      !gst_structure_get_boolean(s, "output-dataset-mask", &mask)) {
    return std::nullopt;
  }
  layout.data_type = data_type;
  layout.dataset_mask = mask != FALSE;
  return layout;
}

bool is_raster_resume_query(GstQuery* query) { return has_name(query, kResumeQuery); }

void append_to_fingerprint(GstQuery* query, const std::string& part) {
  const std::string fingerprint = resume_fingerprint(query) + "; " + part;
  gst_structure_set(gst_query_writable_structure(query), "fingerprint", G_TYPE_STRING, fingerprint.c_str(), nullptr);
}

std::string resume_fingerprint(GstQuery* query) {
  const char* text = gst_structure_get_string(gst_query_get_structure(query), "fingerprint");
  return text != nullptr ? text : "";
}

int resume_tile_count(GstQuery* query) {
  int tiles = 0;
  gst_structure_get_int(gst_query_get_structure(query), "tiles", &tiles);
  return tiles;
}

void answer_raster_resume_query(GstQuery* query, const std::vector<int>& done_tiles) {
  std::ostringstream text;
  for (std::size_t i = 0; i < done_tiles.size(); ++i) text << (i ? "," : "") << done_tiles[i];
  gst_structure_set(gst_query_writable_structure(query), "done", G_TYPE_STRING, text.str().c_str(), nullptr);
}

std::vector<int> resume_done_tiles(GstQuery* query) {
  std::vector<int> tiles;
  const char* text = gst_structure_get_string(gst_query_get_structure(query), "done");
  if (text == nullptr) return tiles;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) tiles.push_back(std::stoi(item));
  }
  return tiles;
}

}  // namespace r4k::pipeline
