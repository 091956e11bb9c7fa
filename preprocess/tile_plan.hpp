// TilePlan: how an image is cut into tiles for a super-resolution engine.
//
// Each tile has a core (the pixels it is responsible for; cores partition the
// image) and a window (what the engine sees: the core plus at least `halo`
// pixels of context on every edge that is not the image border). Windows never
// reach beyond the image: there is no artificial padding, so the network sees
// the same border conditions as on the whole image. Windows all have the same
// size (the tile size, or the image side when that is smaller): near the
// border a window is shifted inward rather than shrunk, which gives extra
// context for free and lets tiles be batched with one network shape.
#pragma once

#include <vector>

namespace r4k {

struct Rect {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;

  int right() const { return x + width; }
  int bottom() const { return y + height; }
  bool contains(const Rect& other) const {
    return other.x >= x && other.y >= y && other.right() <= right() && other.bottom() <= bottom();
  }
  bool operator==(const Rect&) const = default;
};

struct Tile {
  int index = 0;
  Rect core;
  Rect window;
};

class TilePlan {
 public:
  // tile_size is the side of the window the engine sees; 0, or a size at
  // least as large as the image side, processes that side whole.
  // Throws InputError for sizes that cannot work (tile_size <= 2 * halo on a
  // side that needs cutting, negative values, empty images).
  TilePlan(int width, int height, int tile_size, int halo);

  // A plan whose cores are aligned to a grid of `core_width` x `core_height`
  // (multiples of a file's blocks, so each core reads and writes whole
  // blocks); the last core of a row or column is what remains. Windows are
  // the core plus `halo` on every side, shifted inward at the borders so
  // that all windows have one size (the image side when that is smaller).
  static TilePlan aligned(int width, int height, int core_width, int core_height, int halo);

  int width() const { return width_; }
  int height() const { return height_; }
  int tile_size() const { return tile_size_; }
  int halo() const { return halo_; }
  int columns() const { return columns_; }
  int rows() const { return rows_; }
  const std::vector<Tile>& tiles() const { return tiles_; }
  // The size every window has.
  int window_width() const { return tiles_.front().window.width; }
  int window_height() const { return tiles_.front().window.height; }
  // Pixels the windows cover, overlaps counted: the engine's work.
  long long window_pixels() const {
    return static_cast<long long>(tiles_.size()) * window_width() * window_height();
  }

 private:
  TilePlan() = default;

  int width_ = 0;
  int height_ = 0;
  int tile_size_ = 0;
  int halo_ = 0;
  int columns_ = 0;
  int rows_ = 0;
  std::vector<Tile> tiles_;
};

}  // namespace r4k
