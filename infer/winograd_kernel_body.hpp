// The Winograd F(4x4, 3x3) inner loops, written once over an 8-lane vector
// type and included by winograd_kernels_avx512.cpp, winograd_kernels_avx2.cpp
// and winograd_kernels_portable.cpp, each inside its own namespace, after
// defining Vec and v_load, v_store, v_set1, v_zero, v_add, v_sub, v_mul,
// v_fmadd (a * b + c), v_max, v_min and v_load_blocks for it. No include
// guard: included once per instruction set.
//
// Transforms (winograd_tile_math_body.hpp; Lavin & Gray, "Fast Algorithms
// for Convolutional Neural Networks", 2016, points 0, 1, -1, 2, -2,
// infinity): V = B^T d B over each 6x6 input tile, M = V * U per point
// (U = G g G^T, transformed once at compile time), Y = A^T M A gives the 4x4
// output tile. The products (multiply_point) come from
// winograd_products_body.hpp, or, where the including file defines
// R4K_WINOGRAD_OWN_PRODUCTS, from that file.

#ifndef R4K_WINOGRAD_OWN_PRODUCTS
#include "infer/winograd_products_body.hpp"
#endif

#include "infer/winograd_tile_math_body.hpp"

// Gathers one 6x6 tile of one channel block (zeros outside the picture);
// `pixel` floats between horizontally adjacent pixels (8 in nChw8c, the
// channel count in channel-last data).
inline void load_tile(const float* plane, int h, int w, int pixel, int y0, int x0, Vec* d) {
  if (y0 >= 0 && x0 >= 0 && y0 + kInputTile <= h && x0 + kInputTile <= w) {
    for (int i = 0; i < kInputTile; ++i) {
      const float* row = plane + (static_cast<std::int64_t>(y0 + i) * w + x0) * pixel;
#pragma GCC unroll 6
      for (int j = 0; j < kInputTile; ++j) d[i * kInputTile + j] = v_load(row + j * pixel);
    }
    return;
  }
  for (int i = 0; i < kInputTile; ++i) {
    const int y = y0 + i;
    for (int j = 0; j < kInputTile; ++j) {
      const int x = x0 + j;
      d[i * kInputTile + j] = (y >= 0 && y < h && x >= 0 && x < w)
                                  ? v_load(plane + (static_cast<std::int64_t>(y) * w + x) * pixel)
                                  : v_zero();
    }
  }
}

// The same from a plain [channels][h][w] image of at most 8 channels: each
// pixel's channels gathered into one vector, zeros above `channels`.
inline void load_tile_planar(const float* image, int channels, int h, int w, int y0, int x0, Vec* d) {
  const std::int64_t plane = static_cast<std::int64_t>(h) * w;
  alignas(32) float lanes[kLanes] = {};
  for (int i = 0; i < kInputTile; ++i) {
    const int y = y0 + i;
    for (int j = 0; j < kInputTile; ++j) {
      const int x = x0 + j;
      const bool inside = y >= 0 && y < h && x >= 0 && x < w;
      for (int c = 0; c < channels; ++c) lanes[c] = inside ? image[c * plane + static_cast<std::int64_t>(y) * w + x] : 0.0f;
      d[i * kInputTile + j] = v_load(lanes);
    }
  }
}

// One output tile written depth-to-space into the plain output, with the
// nearest-upsampled residual added (Layer::shuffle_block). `values` holds
// the tile's outputs after the epilogue, [channel block][pixel][8 lanes]
// (pixel = row * kTile + column); each output row's run of cols_out * s
// values is written left to right.
inline void store_shuffled(const Layer& layer, const float* values, std::int64_t image, int oy, int ox, int rows_out,
                           int cols_out, float* dst, const float* residual) {
  const int s = layer.shuffle_block;
  const int planes = layer.channels / (s * s);
  const std::int64_t out_h = static_cast<std::int64_t>(layer.out_h) * s;
  const std::int64_t out_w = static_cast<std::int64_t>(layer.out_w) * s;
  const int u = layer.upsample;
  const std::int64_t res_h = u > 0 ? out_h / u : 0;
  const std::int64_t res_w = u > 0 ? out_w / u : 0;
  const int run = cols_out * s;  // output columns this tile covers, at most kTile * 8
  int res_column[kTile * 8];      // the residual's column for each of them
  for (int x = 0; x < run && u > 0; ++x) res_column[x] = static_cast<int>((static_cast<std::int64_t>(ox) * s + x) / u);
  for (int plane = 0; plane < planes; ++plane) {
    float* out_plane = dst + (image * planes + plane) * out_h * out_w;
    const float* res_plane = u > 0 ? residual + (image * planes + plane) * res_h * res_w : nullptr;
    for (int dy = 0; dy < s; ++dy) {
      // Where each output column's value lies in `values`.
      int from[kTile * 8];
      for (int j = 0; j < cols_out; ++j) {
        for (int dx = 0; dx < s; ++dx) {
          const int channel = layer.shuffle_crd ? (plane * s + dy) * s + dx : (dy * s + dx) * planes + plane;
          from[j * s + dx] = ((channel / kLanes) * kTile * kTile + j) * kLanes + channel % kLanes;
        }
      }
      for (int i = 0; i < rows_out; ++i) {
        const std::int64_t row = static_cast<std::int64_t>(oy + i) * s + dy;
        float* out_row = out_plane + row * out_w + static_cast<std::int64_t>(ox) * s;
        const float* tile_row = values + i * kTile * kLanes;
        if (u > 0) {
          const float* res_row = res_plane + (row / u) * res_w;
          for (int x = 0; x < run; ++x) out_row[x] = tile_row[from[x]] + res_row[res_column[x]];
        } else {
          for (int x = 0; x < run; ++x) out_row[x] = tile_row[from[x]];
        }
      }
    }
  }
}

// The whole of winograd::RunTiles, one channel block of 8 at a time; each
// instruction set's file exports it as its run_tiles.
inline void run_tiles_blockwise(const Layer& layer, const float* src, float* dst, const float* residual,
                                std::int64_t first, int count, float* scratch) {
  const int in = layer.in_blocks * kLanes;
  const int out = layer.out_blocks * kLanes;
  const TileScratch work = tile_scratch(layer, count, scratch);
  const std::int64_t in_plane = static_cast<std::int64_t>(layer.in_h) * layer.in_w * kLanes;

  // Input transform: V[point][tile][channel].
  for (int t = 0; t < count; ++t) {
    const TilePlace place = tile_place(layer, first + t);
    for (int block = 0; block < layer.in_blocks; ++block) {
      Vec d[kPoints];
      Vec v[kPoints];
      if (layer.planar_channels > 0) {
        const float* picture = src + place.image * layer.planar_channels * (in_plane / kLanes);
        load_tile_planar(picture, layer.planar_channels, layer.in_h, layer.in_w, place.y0, place.x0, d);
      } else if (layer.channel_last_input) {
        const float* picture = src + place.image * layer.in_blocks * in_plane;  // [h][w][in_blocks * 8]
        load_tile(picture + block * kLanes, layer.in_h, layer.in_w, in, place.y0, place.x0, d);
      } else {
        load_tile(src + (place.image * layer.in_blocks + block) * in_plane, layer.in_h, layer.in_w, kLanes, place.y0,
                  place.x0, d);
      }
      input_tile(d, v);
      float* at = work.v + static_cast<std::int64_t>(t) * in + block * kLanes;
      for (int p = 0; p < kPoints; ++p) v_store(at + p * work.v_point, v[p]);
    }
  }
  // The 36 products.
  for (int p = 0; p < kPoints; ++p) {
    multiply_point(work.v + p * work.v_point, layer.filters + static_cast<std::int64_t>(p) * in * out,
                   work.m + p * work.m_point, count, in, out);
  }
  // Output transform and epilogue.
  for (int t = 0; t < count; ++t) {
    const TilePlace place = tile_place(layer, first + t);
    // A pixel-shuffle output gathers the tile's channels first (all blocks).
    alignas(32) float shuffled[kMaxShuffleBlocks * kTile * kTile * kLanes];
    for (int block = 0; block < layer.out_blocks; ++block) {
      if (layer.shuffle_block > 1 && block * kLanes >= layer.channels) break;
      Vec m[kPoints];
      const float* at = work.m + static_cast<std::int64_t>(t) * out + block * kLanes;
      for (int p = 0; p < kPoints; ++p) m[p] = v_load(at + p * work.m_point);
      Vec y[kTile * kTile];
      output_tile(m, y);
      if (layer.shuffle_block > 1) {
        apply_epilogue(layer, y, block, nullptr, OutputSpan{}, place.rows_out, place.cols_out);
        float* at_block = shuffled + block * kTile * kTile * kLanes;
        for (int i = 0; i < kTile * kTile; ++i) v_store(at_block + i * kLanes, y[i]);
        continue;
      }
      const OutputSpan span = output_span(layer, place.image, place.ty, place.tx, block);
      apply_epilogue(layer, y, block, residual, span, place.rows_out, place.cols_out);
      for (int i = 0; i < place.rows_out; ++i) {
        for (int j = 0; j < place.cols_out; ++j) v_store(dst + span.first + i * span.row + j * span.pixel, y[i * kTile + j]);
      }
    }
    if (layer.shuffle_block > 1) {
      store_shuffled(layer, shuffled, place.image, place.ty * kTile, place.tx * kTile, place.rows_out, place.cols_out,
                     dst, residual);
    }
  }
}
