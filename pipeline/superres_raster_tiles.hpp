// r4ksuperres on raster tiles (other/x-r4k-raster from r4krastersrc): each
// window is upscaled whole by infer/raster_tile_upscaler, the scaled halo is
// cropped, and the core goes on with its tile meta scaled. Output buffers are
// plain memory sized per tile (a tile's window depends on where it lies).
#pragma once

#include <gst/gst.h>

#include <memory>
#include <string>

#include "infer/engine.hpp"
#include "infer/raster_tile_upscaler.hpp"
#include "pipeline/raster_tile.hpp"
#include "pipeline/superres_mode.hpp"

namespace r4k::pipeline {

class SuperresRasterTiles final : public SuperresMode {
 public:
  // For the tiles `caps` describe, `model` being the name `engine` was loaded
  // from; nullptr, after an element error naming the model and the raster,
  // when the model does not take the tiles' bands.
  static std::unique_ptr<SuperresRasterTiles> create(GstElement* element, infer::Engine& engine,
                                                     const RasterCaps& caps, const std::string& model, int batch);

  // The raster source's queries, which come before any caps. The model query
  // is answered (true); the resume fingerprint is signed with the model (its
  // name, scale, backend and the SHA-256 of its weights) and goes on
  // downstream (false), as does every other query.
  static bool answer_query(GstQuery* query, const infer::Engine& engine, const std::string& model);

  GstFlowReturn prepare_output_buffer(GstBaseTransform* trans, GstBuffer* input, GstBuffer** output) override;
  GstFlowReturn transform(GstBaseTransform* trans, GstBuffer* input, GstBuffer* output) override;
  gboolean propose_allocation(GstBaseTransform*, GstQuery*, GstQuery*) override { return TRUE; }
  gboolean decide_allocation(GstBaseTransform*, GstQuery*) override { return TRUE; }

 private:
  SuperresRasterTiles(const RasterCaps& caps, std::unique_ptr<infer::RasterTileUpscaler> upscaler,
                      const std::string& model);

  RasterCaps caps_;
  std::unique_ptr<infer::RasterTileUpscaler> upscaler_;
  std::string model_;
};

}  // namespace r4k::pipeline
