#include "infer/tiled_inference.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "infer/autotune.hpp"
#include "preprocess/tile_stitcher.hpp"

namespace r4k::infer {
namespace {

// The automatic window: a picture of at most kAutoWholeArea pixels (an SD
// video frame: 720x576 is 414,720) runs whole; larger ones are cut into
// windows of kAutoTileMinimum..kAutoTileMaximum pixels a side (large enough
// that the halo costs little, small enough that the activations of a wide
// model stay around 100 MB), the size that computes the fewest pixels.
// Every window of a plan has the same size, so a badly chosen size makes the
// last row and column of windows overlap the others: 512 on a 720x576 frame
// computes 2.5 times its pixels.
constexpr long long kAutoWholeArea = 1LL << 19;
constexpr int kAutoTileMinimum = 256;
constexpr int kAutoTileMaximum = 512;
constexpr int kAutoTileStep = 8;
constexpr int kAutoCoreMinimum = 128;

int automatic_tile(int width, int height, int halo) {
  if (static_cast<long long>(width) * height <= kAutoWholeArea) return 0;
  const int smallest = std::max(kAutoTileMinimum, 2 * halo + kAutoCoreMinimum);
  int best = smallest;
  long long best_pixels = TilePlan(width, height, smallest, halo).window_pixels();
  for (int tile = smallest + kAutoTileStep; tile <= kAutoTileMaximum; tile += kAutoTileStep) {
    const long long pixels = TilePlan(width, height, tile, halo).window_pixels();
    if (pixels < best_pixels) {  // ties keep the smaller window (less memory)
      best = tile;
      best_pixels = pixels;
    }
  }
  return best;
}

void copy_window(const Tensor& image, const Rect& window, Tensor& batch, int item) {
  const auto& shape = image.shape();
  const std::size_t row_bytes = static_cast<std::size_t>(window.width) * sizeof(float);
  for (int c = 0; c < shape.c; ++c) {
    const float* src = image.plane(0, c);
    float* dst = batch.plane(item, c);
    for (int y = 0; y < window.height; ++y) {
      std::memcpy(dst + static_cast<std::size_t>(y) * static_cast<std::size_t>(window.width),
                  src + static_cast<std::size_t>(window.y + y) * static_cast<std::size_t>(shape.w) +
                      static_cast<std::size_t>(window.x),
                  row_bytes);
    }
  }
}

}  // namespace

TilingChoice choose_tiling(const ModelInfo& info, int width, int height, int tile_size, int halo) {
  if (tile_size < 0) throw InputError("tile size must be 0 (automatic) or positive, got " + std::to_string(tile_size));
  if (halo < -1) throw InputError("halo must be -1 (automatic) or at least 0, got " + std::to_string(halo));
  TilingChoice choice;
  const int field = info.receptive_field;
  choice.halo = halo >= 0 ? halo : std::max(field, 0);

  if (info.fixed_height > 0 || info.fixed_width > 0) {
    if (info.fixed_height != info.fixed_width) {
      throw InputError("model '" + info.name + "' takes only " + std::to_string(info.fixed_width) + "x" +
                       std::to_string(info.fixed_height) + " inputs; non-square fixed shapes are not supported");
    }
    if (width < info.fixed_width || height < info.fixed_height) {
      throw InputError("model '" + info.name + "' takes only " + std::to_string(info.fixed_width) + "x" +
                       std::to_string(info.fixed_height) + " inputs and the image (" + std::to_string(width) + "x" +
                       std::to_string(height) + ") is smaller");
    }
    if (tile_size != 0 && tile_size != info.fixed_width) {
      throw InputError("model '" + info.name + "' has a fixed input size " + std::to_string(info.fixed_width) +
                       "; tile size " + std::to_string(tile_size) + " cannot be used");
    }
    choice.tile_size = info.fixed_width;
    if (width > choice.tile_size || height > choice.tile_size) {
      // The fixed window must tile the image even if the halo does not fit.
      choice.halo = std::min(choice.halo, (choice.tile_size - 1) / 2);
    }
  } else if (tile_size == 0) {
    if (halo < 0 && field < 0) {
      choice.tile_size = 0;  // unknown reach: only the whole image is exact
    } else {
      choice.tile_size = automatic_tile(width, height, choice.halo);
    }
  } else {
    choice.tile_size = tile_size;
  }
  if (choice.tile_size >= width && choice.tile_size >= height) choice.tile_size = 0;

  const bool whole = choice.tile_size == 0;
  // A tile of twice the halo or less has no core: TilePlan refuses it, so no
  // warning about its (negative) core first.
  if (!whole && choice.tile_size > 2 * choice.halo && choice.tile_size < 4 * choice.halo) {
    spdlog::warn("tile {} with halo {} leaves cores of {} px: most of the work goes into the halo; a tile of {} "
                 "or more is much faster",
                 choice.tile_size, choice.halo, choice.tile_size - 2 * choice.halo, 4 * choice.halo);
  }
  choice.exact = whole || (field >= 0 && choice.halo >= field);
  choice.feather = choice.exact ? 0 : choice.halo;
  if (!choice.exact && field < 0) {
    spdlog::warn("model '{}' has an unknown receptive field; tiles with halo {} are blended and may differ from "
                 "whole-image output",
                 info.name, choice.halo);
  } else if (!choice.exact) {
    spdlog::info("halo {} is below the receptive field {}: tiles are blended with raised-cosine feathering",
                 choice.halo, field);
  }
  return choice;
}

TilingChoice choose_tiling(Engine& engine, int width, int height, int tile_size, int halo) {
  const ModelInfo& info = engine.info();
  TilingChoice choice = choose_tiling(info, width, height, tile_size, halo);
  Autotuner* tuner = engine.autotuner();
  if (tuner == nullptr || tile_size != 0 || choice.tile_size == 0 || info.fixed_width > 0 || info.fixed_height > 0) {
    return choice;
  }
  // The windows within 10 % of the fewest pixels, fewest first.
  const int smallest = std::max(kAutoTileMinimum, 2 * choice.halo + kAutoCoreMinimum);
  std::vector<std::pair<long long, int>> near;
  const long long fewest = TilePlan(width, height, choice.tile_size, choice.halo).window_pixels();
  for (int tile = smallest; tile <= kAutoTileMaximum; tile += kAutoTileStep) {
    const long long pixels = TilePlan(width, height, tile, choice.halo).window_pixels();
    if (tile != choice.tile_size && pixels * 10 <= fewest * 11) near.push_back({pixels, tile});
  }
  std::vector<int> tiles{choice.tile_size};
  if (!near.empty()) {
    std::sort(near.begin(), near.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    for (const int tile : {near.back().second, near.front().second, near[near.size() / 2].second}) {
      if (std::find(tiles.begin(), tiles.end(), tile) == tiles.end()) tiles.push_back(tile);
    }
  }
  if (tiles.size() == 1) return choice;
  std::vector<Autotuner::Candidate> candidates;
  const int channels = info.in_channels > 0 ? info.in_channels : 3;
  for (const int tile : tiles) {
    const TilePlan plan(width, height, tile, choice.halo);
    const Rect window = plan.tiles().front().window;
    auto input = std::make_shared<Tensor>(TensorShape{1, channels, window.height, window.width});
    input->fill(0.5f * (info.range_min + info.range_max));
    candidates.push_back({"tile-" + std::to_string(tile),
                          [&engine, input] {
                            Tensor output;
                            engine.run(*input, output);
                          },
                          static_cast<double>(plan.tiles().size())});
  }
  // "tile-window+haloN@WxH": the form job records pin (LAYER@SHAPE).
  const std::string shape = std::to_string(width) + "x" + std::to_string(height);
  const std::string chosen = tuner->choose("tile-window+halo" + std::to_string(choice.halo), shape, candidates);
  choice.tile_size = std::stoi(chosen.substr(std::string("tile-").size()));
  return choice;
}

Tensor run_tiled(Engine& engine, const Tensor& image, const TilingChoice& tiling, const TiledRunOptions& options) {
  const ModelInfo& info = engine.info();
  const auto& shape = image.shape();
  if (shape.n != 1) throw Error("run_tiled takes one image, got a batch of " + std::to_string(shape.n));
  if (info.in_channels > 0 && shape.c != info.in_channels) {
    throw InputError("model '" + info.name + "' takes " + std::to_string(info.in_channels) +
                     " channels; the image has " + std::to_string(shape.c));
  }
  const int batch_size = std::max(1, options.batch);
  const TilePlan plan(shape.w, shape.h, tiling.tile_size, tiling.halo);
  const auto& tiles = plan.tiles();
  const Rect first = tiles.front().window;
  const int out_channels = info.out_channels > 0 ? info.out_channels : shape.c;
  const auto check_output = [&](const Tensor& result, const Tensor& input) {
    const auto& out = result.shape();
    if (out.c != out_channels || out.h != first.height * info.scale || out.w != first.width * info.scale) {
      throw Error("model '" + info.name + "' gave " + out.to_string() + " for tiles " + input.shape().to_string());
    }
  };
  if (tiles.size() == 1 && first.width == shape.w && first.height == shape.h) {
    // One window that is the whole image: its output is the result (no copy
    // into a batch, no stitching: a 4K frame's planes are not written twice).
    if (options.cancel != nullptr && options.cancel->load()) throw Interrupted();
    Tensor result;
    engine.run(image, result);
    check_output(result, image);
    if (options.progress) options.progress(1, 1);
    return result;
  }
  TileStitcher stitcher(plan, info.scale, out_channels, tiling.feather);

  Tensor batch;
  Tensor result;
  std::size_t done = 0;
  while (done < tiles.size()) {
    if (options.cancel != nullptr && options.cancel->load()) throw Interrupted();
    const std::size_t count = std::min(tiles.size() - done, static_cast<std::size_t>(batch_size));
    batch.resize({static_cast<int>(count), shape.c, first.height, first.width});
    for (std::size_t i = 0; i < count; ++i) copy_window(image, tiles[done + i].window, batch, static_cast<int>(i));
    engine.run(batch, result);
    check_output(result, batch);
    for (std::size_t i = 0; i < count; ++i) stitcher.add(tiles[done + i], result.plane(static_cast<int>(i), 0));
    done += count;
    if (options.progress) options.progress(static_cast<int>(done), static_cast<int>(tiles.size()));
  }
  return stitcher.finish();
}

}  // namespace r4k::infer
