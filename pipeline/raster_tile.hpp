// How raster tiles travel between restore4k's elements: the caps that
// describe a tiled raster stream, the GstMeta that places each tile, and the
// two custom queries with which r4krastersrc learns, before its first tile,
// the model's needs (from r4ksuperres) and which tiles a resumed output
// already holds (from r4krastersink).
//
// A tile buffer holds the tile's window as preprocess/raster_tile_planes.hpp
// lays it out: the bands' values in the raster's own units (doubles), each
// band's validity, and the dataset mask when the caps say there is one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "preprocess/raster_tile_planes.hpp"
#include "preprocess/tile_meta.hpp"
#include "preprocess/value_range.hpp"

namespace r4k::pipeline {

inline constexpr const char* kRasterMediaType = "other/x-r4k-raster";

struct RasterCaps {
  int bands = 0;
  int width = 0;   // the whole image at this stream's scale
  int height = 0;
  int scale = 1;   // relative to the source raster
  std::string data_type;  // the source's GDAL data type
  std::string source;     // the source raster's path (for its georeference)
  std::string source_bands;  // "4,3,2": the source band of each tile band, in order
  // Which tile bands the model takes (positions, groups separated by ';',
  // e.g. "0;1;2" for a 1-channel model on three bands) and which are
  // upscaled with the classical filter ("3"). See decode/raster_band_plan.hpp.
  std::string model_groups;
  std::string classical_bands;
  std::string nearest_bands;  // positions upscaled nearest: categorical and alpha bands ("" = none)
  bool dataset_mask = false;  // the source has a per-dataset mask (not alpha, not nodata): the output gets one too
  ValueRange range;           // maps the model's bands to [0, 1] (neural models only)
  std::string range_source;   // how the range was found ("" = no range: classical filters only)

  RasterTileShape tile_shape(const Rect& window) const {
    return RasterTileShape{bands, window.width, window.height, dataset_mask};
  }
};

// Fixed caps for `info`; the template caps (any raster stream).
GstCaps* make_raster_caps(const RasterCaps& info);
GstCaps* raster_template_caps();
bool is_raster_caps(const GstCaps* caps);
std::optional<RasterCaps> parse_raster_caps(const GstCaps* caps);

// The tile meta: r4k::TileMeta on a buffer.
struct R4kTileMeta {
  GstMeta meta;
  TileMeta tile;
};
GType r4k_tile_meta_api_get_type();
const GstMetaInfo* r4k_tile_meta_get_info();
R4kTileMeta* add_tile_meta(GstBuffer* buffer, const TileMeta& tile);
const TileMeta* get_tile_meta(GstBuffer* buffer);


// Query "r4k-raster-model": what the upscaler needs (answered by r4ksuperres).
struct RasterModelAnswer {
  int scale = 1;
  int receptive_field = 0;  // -1 = unbounded
  int in_channels = 0;      // 0 = any number of bands (classical filters)
  int classical_radius = 0;  // context the classical filter of the other bands needs
  int fill_radius = 0;       // context the fill of invalid pixels needs (neural models; 0 = none)
  std::string model;        // its identity, for resume fingerprints
};
std::optional<RasterModelAnswer> query_raster_model(GstPad* src_pad);
GstQuery* new_raster_model_query();
bool is_raster_model_query(GstQuery* query);
void answer_raster_model_query(GstQuery* query, const RasterModelAnswer& answer);

// Query "r4k-raster-resume": the source sends the job's fingerprint and tile
// count, and the layout of the raster the tiles make at the end of the chain
// (so that the sink can check its intermediate file still holds the tiles its
// journal lists); elements on the way add what determines their output (the
// model); the sink answers with the tiles its journal already holds.
struct RasterOutputLayout {
  int width = 0;  // the whole image at the model's scale
  int height = 0;
  int bands = 0;
  std::string data_type;      // the source's GDAL data type
  bool dataset_mask = false;  // as RasterCaps::dataset_mask
};
GstQuery* new_raster_resume_query(const std::string& fingerprint, int tiles, const RasterOutputLayout& layout);
bool is_raster_resume_query(GstQuery* query);
void append_to_fingerprint(GstQuery* query, const std::string& part);
std::string resume_fingerprint(GstQuery* query);
int resume_tile_count(GstQuery* query);
// The layout the source sent (nullopt when the query has none).
std::optional<RasterOutputLayout> resume_output_layout(GstQuery* query);
void answer_raster_resume_query(GstQuery* query, const std::vector<int>& done_tiles);
std::vector<int> resume_done_tiles(GstQuery* query);

}  // namespace r4k::pipeline
