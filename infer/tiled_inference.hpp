// Tiled inference: runs an engine over an image of any size, a batch of tiles
// at a time, and stitches the tiles into the output.
#pragma once

#include <atomic>
#include <functional>

#include "infer/engine.hpp"
#include "preprocess/tile_plan.hpp"

namespace r4k::infer {

// The tile size and halo actually used for one image.
struct TilingChoice {
  int tile_size = 0;  // window side; 0 = whole image
  int halo = 0;
  int feather = 0;    // > 0 when the halo is below the receptive field: blend
  bool exact = true;  // halo >= receptive field (or the image is whole)
};

// tile_size: 0 = automatic (the whole picture up to 2^19 pixels, else the
// window of 256..512 pixels that computes the fewest pixels); halo: -1 = the
// model's receptive field.
// Throws InputError for a tile that is too small for the halo, or a
// fixed-shape model that cannot take the image.
TilingChoice choose_tiling(const ModelInfo& info, int width, int height, int tile_size, int halo);

// The same for `engine`, with the automatic window measured: where the
// engine has an autotuner and the picture is cut, the windows that compute
// within 10 % of the fewest pixels (at most 4: the fewest-pixels one, which
// is the default, the largest, the smallest and one between) are each run
// once on the engine and the one whose time x windows is least is kept —
// AutoTune's choice "tile-window+haloN@WxH" -> "tile-SIZE", cached and
// pinned like the layers'. Given tile sizes are not second-guessed.
TilingChoice choose_tiling(Engine& engine, int width, int height, int tile_size, int halo);

struct TiledRunOptions {
  int batch = 1;
  // Called after each batch with (tiles done, tiles total).
  std::function<void(int, int)> progress;
  // Checked between batches; when set, run throws Interrupted.
  const std::atomic<bool>* cancel = nullptr;
};

// `image` is 1 x C x H x W in the engine's value range; the result is
// 1 x C' x sH x sW.
Tensor run_tiled(Engine& engine, const Tensor& image, const TilingChoice& tiling, const TiledRunOptions& options);

}  // namespace r4k::infer
