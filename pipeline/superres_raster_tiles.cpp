#include "pipeline/superres_raster_tiles.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "decode/raster_band_plan.hpp"
#include "infer/model_checksum.hpp"
#include "preprocess/resample.hpp"

// r4ksuperres' own category (gstr4ksuperres.cpp).
GST_DEBUG_CATEGORY_EXTERN(gst_r4k_superres_debug);
#define GST_CAT_DEFAULT gst_r4k_superres_debug

namespace r4k::pipeline {

SuperresRasterTiles::SuperresRasterTiles(const RasterCaps& caps, std::unique_ptr<infer::RasterTileUpscaler> upscaler,
                                         const std::string& model)
    : caps_(caps), upscaler_(std::move(upscaler)), model_(model) {}

std::unique_ptr<SuperresRasterTiles> SuperresRasterTiles::create(GstElement* element, infer::Engine& engine,
                                                                 const RasterCaps& caps, const std::string& model,
                                                                 int batch) {
  const auto& info = engine.info();
  const bool any = info.colour == infer::ModelColour::any && info.in_channels == 0;
  infer::RasterBandRoles roles;
  roles.model_groups = decode::parse_band_groups(caps.model_groups);
  for (const auto& [text, positions] :
       {std::pair{caps.classical_bands, &roles.classical}, std::pair{caps.nearest_bands, &roles.nearest}}) {
    const auto groups = decode::parse_band_groups(text);
    if (!groups.empty()) *positions = groups.front();
  }
  // Every band has exactly one role; a model gets groups of its channels.
  std::vector<int> uses(static_cast<std::size_t>(caps.bands), 0);
  bool fits = any || !roles.model_groups.empty();
  const auto use = [&](int position) {
    fits = fits && position >= 0 && position < caps.bands && ++uses[static_cast<std::size_t>(position)] == 1;
  };
  for (const auto& group : roles.model_groups) {
    fits = fits && (any || static_cast<int>(group.size()) == info.in_channels);
    for (int position : group) use(position);
  }
  for (int position : roles.classical) use(position);
  for (int position : roles.nearest) use(position);
  fits = fits && std::count(uses.begin(), uses.end(), 1) == caps.bands;
  if (!fits) {
    GST_ELEMENT_ERROR(element, STREAM, FORMAT,
                      ("Model '%s' does not take the %d band(s) of raster '%s'.", model.c_str(), caps.bands,
                       caps.source.c_str()),
                      ("model '%s' takes %d channel(s); the raster tiles have %d band(s) (%s) grouped as '%s' for "
                       "the model, '%s' for the classical filter and '%s' nearest",
                       model.c_str(), info.in_channels, caps.bands, caps.source_bands.c_str(),
                       caps.model_groups.c_str(), caps.classical_bands.c_str(), caps.nearest_bands.c_str()));
    return nullptr;
  }
  auto upscaler = std::make_unique<infer::RasterTileUpscaler>(engine, std::move(roles), caps.range, batch);
  GST_INFO_OBJECT(element, "raster tiles: %d band(s), x%d", caps.bands, info.scale);
  return std::unique_ptr<SuperresRasterTiles>(new SuperresRasterTiles(caps, std::move(upscaler), model));
}

bool SuperresRasterTiles::answer_query(GstQuery* query, const infer::Engine& engine, const std::string& model) {
  const auto& info = engine.info();
  if (is_raster_model_query(query)) {
    RasterModelAnswer answer;
    answer.scale = info.scale;
    answer.receptive_field = info.receptive_field;
    answer.in_channels = info.colour == infer::ModelColour::any && info.in_channels == 0 ? 0 : info.in_channels;
    answer.classical_radius = filter_radius(infer::RasterTileUpscaler::kOtherBandsFilter);
    answer.fill_radius = infer::RasterTileUpscaler::fill_radius(engine);
    answer.model = model;
    answer_raster_model_query(query, answer);
    return true;
  }
  if (is_raster_resume_query(query)) {
    const std::string signature = model + " x" + std::to_string(info.scale) + " on " + engine.backend();
    append_to_fingerprint(query, "model=" + signature);
    // The weights, not only their file's name: tiles of another file under
    // that name are never resumed, nor joined with a shard's.
    if (const std::string sha = infer::model_sha256(model); !sha.empty()) {
      append_to_fingerprint(query, "model-sha256=" + sha);
    }
    gst_structure_set(gst_query_writable_structure(query), "model", G_TYPE_STRING, signature.c_str(), nullptr);
  }
  return false;
}

GstFlowReturn SuperresRasterTiles::prepare_output_buffer(GstBaseTransform* trans, GstBuffer* input,
                                                         GstBuffer** output) {
  const TileMeta* meta = get_tile_meta(input);
  if (meta == nullptr) {
    GST_ELEMENT_ERROR(trans, STREAM, FORMAT,
                      ("Raster tile without its tile meta: raster tiles come from r4krastersrc."), (nullptr));
    return GST_FLOW_ERROR;
  }
  const TileMeta out_meta = meta->scaled_core(upscaler_->scale());
  *output = gst_buffer_new_allocate(nullptr, caps_.tile_shape(out_meta.window).bytes(), nullptr);
  gst_buffer_copy_into(*output, input,
                       static_cast<GstBufferCopyFlags>(GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS), 0, -1);
  add_tile_meta(*output, out_meta);
  return GST_FLOW_OK;
}

GstFlowReturn SuperresRasterTiles::transform(GstBaseTransform* trans, GstBuffer* input, GstBuffer* output) {
  const TileMeta* meta = get_tile_meta(input);
  GstMapInfo in_map;
  GstMapInfo out_map;
  if (meta == nullptr || !gst_buffer_map(input, &in_map, GST_MAP_READ)) return GST_FLOW_ERROR;
  const RasterTileShape in_shape = caps_.tile_shape(meta->window);
  const TileMeta out_meta = meta->scaled_core(upscaler_->scale());
  if (in_map.size != in_shape.bytes() || !gst_buffer_map(output, &out_map, GST_MAP_WRITE)) {
    gst_buffer_unmap(input, &in_map);
    GST_ELEMENT_ERROR(trans, STREAM, FORMAT,
                      ("Tile %d of raster '%s' has the wrong size.", meta->index, caps_.source.c_str()),
                      ("%zu bytes for a %dx%d window of %d band(s)", in_map.size, meta->window.width,
                       meta->window.height, in_shape.bands));
    return GST_FLOW_ERROR;
  }
  GstFlowReturn result = GST_FLOW_OK;
  try {
    upscaler_->upscale(*meta, RasterTilePlanes(in_shape, in_map.data),
                       RasterTilePlanes(caps_.tile_shape(out_meta.window), out_map.data));
  } catch (const std::exception& error) {
    GST_ELEMENT_ERROR(trans, STREAM, FAILED,
                      ("Super-resolution with model '%s' failed on tile %d of raster '%s'.", model_.c_str(),
                       meta->index, caps_.source.c_str()),
                      ("%s", error.what()));
    result = GST_FLOW_ERROR;
  }
  gst_buffer_unmap(output, &out_map);
  gst_buffer_unmap(input, &in_map);
  return result;
}

}  // namespace r4k::pipeline
