// How raster tiles travel between restore4k's elements: the caps that
// describe a tiled raster stream, the GstMeta that places each tile, and the
// two custom queries with which r4krastersrc learns, before its first tile,
// the model's needs (from r4ksuperres) and which tiles a resumed output
// already holds (from r4krastersink).
//
// A tile buffer holds `bands` + 1 planes of 32-bit floats, each the size of
// the tile's window: the bands mapped to [0, 1] by the image's value range,
// then the validity mask (1 = valid, 0 = nodata).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <gst/gst.h>

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
  bool dataset_mask = false;  // the source has a per-dataset mask (not alpha, not nodata): the output gets one too
  ValueRange range;
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

// Bytes of a tile buffer with `bands` bands over `window`.
gsize tile_buffer_size(int bands, const Rect& window);

// Query "r4k-raster-model": what the upscaler needs (answered by r4ksuperres).
struct RasterModelAnswer {
  int scale = 1;
  int receptive_field = 0;  // -1 = unbounded
  int in_channels = 0;      // 0 = any number of bands (classical filters)
  int classical_radius = 0;  // context the classical filter of the other bands needs
  std::string model;        // its identity, for resume fingerprints
};
std::optional<RasterModelAnswer> query_raster_model(GstPad* src_pad);
GstQuery* new_raster_model_query();
bool is_raster_model_query(GstQuery* query);
void answer_raster_model_query(GstQuery* query, const RasterModelAnswer& answer);

// Query "r4k-raster-resume": the source sends the job's fingerprint and tile
// count; elements on the way add what determines their output (the model);
// the sink answers with the tiles its journal already holds.
GstQuery* new_raster_resume_query(const std::string& fingerprint, int tiles);
bool is_raster_resume_query(GstQuery* query);
void append_to_fingerprint(GstQuery* query, const std::string& part);
std::string resume_fingerprint(GstQuery* query);
int resume_tile_count(GstQuery* query);
void answer_raster_resume_query(GstQuery* query, const std::vector<int>& done_tiles);
std::vector<int> resume_done_tiles(GstQuery* query);

}  // namespace r4k::pipeline
