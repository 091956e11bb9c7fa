#include "preprocess/tile_plan.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"

namespace r4k {
namespace {

struct Segment {
  int core_begin;
  int core_end;
  int window_begin;
  int window_length;
};

// Cuts one axis of `length` pixels into segments whose windows are `tile`
// long. End cores need halo on one side only, inner cores on both; the core
// lengths are balanced so that the last tile is not a sliver.
std::vector<Segment> split_axis(int length, int tile, int halo, const char* axis) {
  if (tile <= 0 || length <= tile) {
    return {Segment{0, length, 0, length}};
  }
  const int inner_capacity = tile - 2 * halo;
  if (inner_capacity < 1) {
    throw InputError("tile size " + std::to_string(tile) + " is too small for halo " + std::to_string(halo) +
                     " (the image " + axis + " of " + std::to_string(length) +
                     " needs cutting): the tile must be larger than twice the halo, at least " +
                     std::to_string(2 * halo + 1));
  }
  const int end_capacity = tile - halo;
  int count = 2;
  while (2 * end_capacity + (count - 2) * inner_capacity < length) ++count;

  std::vector<int> lengths(static_cast<std::size_t>(count), inner_capacity);
  lengths.front() = end_capacity;
  lengths.back() = end_capacity;
  // Spread the slack over all cores; `count` is minimal, so the slack is below
  // the smallest capacity and every core keeps at least one pixel.
  int slack = 2 * end_capacity + (count - 2) * inner_capacity - length;
  const int each = slack / count;
  int extra = slack % count;
  for (int& core_length : lengths) {
    core_length -= each + (extra > 0 ? 1 : 0);
    if (extra > 0) --extra;
  }

  std::vector<Segment> segments;
  segments.reserve(lengths.size());
  int begin = 0;
  for (int core_length : lengths) {
    const int end = begin + core_length;
    const int window_begin = std::clamp(begin - halo, 0, length - tile);
    segments.push_back(Segment{begin, end, window_begin, tile});
    begin = end;
  }
  return segments;
}

// Cores of `core` pixels from 0 (the last one what remains); windows of one
// length: core + 2 * halo, at most the axis.
std::vector<Segment> split_axis_aligned(int length, int core, int halo, const char* axis) {
  if (core < 1) throw InputError(std::string("core ") + axis + " must be at least 1, got " + std::to_string(core));
  const int window = std::min(length, core + 2 * halo);
  std::vector<Segment> segments;
  for (int begin = 0; begin < length; begin += core) {
    const int end = std::min(length, begin + core);
    segments.push_back(Segment{begin, end, std::clamp(begin - halo, 0, length - window), window});
  }
  return segments;
}

void check_image(int width, int height, int halo) {
  if (width < 1 || height < 1) {
    throw InputError("cannot tile an empty image (" + std::to_string(width) + "x" + std::to_string(height) + ")");
  }
  if (halo < 0) throw InputError("halo must not be negative, got " + std::to_string(halo));
}

std::vector<Tile> combine(const std::vector<Segment>& columns, const std::vector<Segment>& rows) {
  std::vector<Tile> tiles;
  tiles.reserve(columns.size() * rows.size());
  for (const Segment& row : rows) {
    for (const Segment& column : columns) {
      Tile tile;
      tile.index = static_cast<int>(tiles.size());
      tile.core = Rect{column.core_begin, row.core_begin, column.core_end - column.core_begin,
                       row.core_end - row.core_begin};
      tile.window = Rect{column.window_begin, row.window_begin, column.window_length, row.window_length};
      tiles.push_back(tile);
    }
  }
  return tiles;
}

}  // namespace

TilePlan TilePlan::aligned(int width, int height, int core_width, int core_height, int halo) {
  check_image(width, height, halo);
  TilePlan plan;
  plan.width_ = width;
  plan.height_ = height;
  plan.halo_ = halo;
  const auto columns = split_axis_aligned(width, core_width, halo, "width");
  const auto rows = split_axis_aligned(height, core_height, halo, "height");
  plan.tile_size_ = std::max(columns.front().window_length, rows.front().window_length);
  plan.columns_ = static_cast<int>(columns.size());
  plan.rows_ = static_cast<int>(rows.size());
  plan.tiles_ = combine(columns, rows);
  return plan;
}

TilePlan::TilePlan(int width, int height, int tile_size, int halo)
    : width_(width), height_(height), tile_size_(tile_size), halo_(halo) {
  if (tile_size < 0) throw InputError("tile size must not be negative, got " + std::to_string(tile_size));
  check_image(width, height, halo);

  const auto columns = split_axis(width, tile_size, halo, "width");
  const auto rows = split_axis(height, tile_size, halo, "height");
  columns_ = static_cast<int>(columns.size());
  rows_ = static_cast<int>(rows.size());
  tiles_ = combine(columns, rows);
}

}  // namespace r4k
