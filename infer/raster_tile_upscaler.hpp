// RasterTileUpscaler: one tile of a raster (its window: core plus halo) made
// `scale` times larger, core only, with the right number at every pixel.
//
//  - Bands a neural model takes are normalised by the job's value range; their
//    invalid pixels (nodata, masked, NaN) are filled from nearby valid ones
//    (preprocess/nodata_fill) so that the model's results next to them stay
//    right; the results are mapped back to the raster's units.
//  - Bands a classical filter upscales (a classical "model", or the bands the
//    model does not take, with bicubic) are resampled from valid pixels only
//    (preprocess/masked_resample), in double precision.
//  - Categorical bands (classes, palette indices) and alpha are upscaled
//    nearest: never smoothed, never given to a model.
//  - Every band keeps its own validity, upscaled nearest; a pixel that is not
//    valid keeps its nearest input value (its nodata value, NaN, ...). The
//    dataset mask, when there is one, is upscaled nearest too.
#pragma once

#include <memory>
#include <vector>

#include "infer/engine.hpp"
#include "infer/frame_upscaler.hpp"
#include "preprocess/raster_tile_planes.hpp"
#include "preprocess/resample.hpp"
#include "preprocess/tile_meta.hpp"
#include "preprocess/value_range.hpp"

namespace r4k::infer {

// What each band of the tile is, by position in the tile.
struct RasterBandRoles {
  std::vector<std::vector<int>> model_groups;  // one model input each
  std::vector<int> classical;                  // upscaled with kOtherBandsFilter
  std::vector<int> nearest;                    // categorical and alpha bands
};

class RasterTileUpscaler {
 public:
  // The filter for bands the model does not take.
  static constexpr ResampleFilter kOtherBandsFilter = ResampleFilter::bicubic;

  // `range` normalises the bands of a neural model (unused for classical
  // filters). `batch` is the engine's tiles per call.
  RasterTileUpscaler(Engine& engine, RasterBandRoles roles, ValueRange range, int batch);

  int scale() const;
  // Input pixels around an invalid one that its fill reads for `engine` (0
  // for classical filters): a halo of receptive field + this keeps tiles
  // exact where bands have invalid pixels.
  static int fill_radius(const Engine& engine);

  // `in` is over `meta.window`, `out` over the scaled core (same band count
  // and dataset-mask plane).
  void upscale(const TileMeta& meta, const RasterTilePlanes& in, const RasterTilePlanes& out);

 private:
  void upscale_model_group(const TileMeta& meta, const RasterTilePlanes& in, const std::vector<int>& group,
                           std::vector<std::vector<double>>& planes);

  Engine& engine_;
  RasterBandRoles roles_;
  ValueRange range_;
  std::unique_ptr<FrameUpscaler> upscaler_;
};

}  // namespace r4k::infer
