// The Winograd inner loops for AVX-512 (F, VL): the 36 products, most of a
// layer's time, run on 16-float registers, 24 accumulators at a time; where
// both sides have an even number of channel blocks, the transforms and the
// epilogue run on two blocks at once (16 lanes); elsewhere (a network's
// planar input, its pixel-shuffle tail) the blockwise AVX2 loops, compiled
// with AVX-512's 32 vector registers.
// The activations stay in nChw8c, so a layer's tensors are the same as with
// the AVX2 loops, and so are its results: each output value is the same
// multiply-adds in the same order. This file alone is compiled for AVX-512
// (infer/CMakeLists.txt) and called only when the CPU has it
// (winograd_convolution.cpp).
#include <immintrin.h>

#include "infer/winograd_kernels.hpp"

#define R4K_WINOGRAD_OWN_PRODUCTS

namespace r4k::infer::winograd::avx512 {
namespace {

#include "infer/winograd_vec_m256.hpp"
#include "infer/winograd_products_body.hpp"

constexpr int kWide = 16;  // floats in a zmm register

// C[rows x (vectors * 16)] = A[rows x k] * B[k x (vectors * 16)], as
// gemm_block, on zmm registers (the broadcast of A folds into the FMA).
template <int Rows, int Vectors>
inline void gemm_block_wide(const float* a, int lda, const float* b, int ldb, float* c, int ldc, int k) {
  __m512 acc[Rows][Vectors];
#pragma GCC unroll 12
  for (int r = 0; r < Rows; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < Vectors; ++v) acc[r][v] = _mm512_setzero_ps();
  }
  for (int p = 0; p < k; ++p) {
    __m512 bv[Vectors];
#pragma GCC unroll 4
    for (int v = 0; v < Vectors; ++v) bv[v] = _mm512_loadu_ps(b + static_cast<std::int64_t>(p) * ldb + v * kWide);
#pragma GCC unroll 12
    for (int r = 0; r < Rows; ++r) {
      const __m512 av = _mm512_set1_ps(a[r * lda + p]);
#pragma GCC unroll 4
      for (int v = 0; v < Vectors; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < Rows; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < Vectors; ++v) _mm512_storeu_ps(c + r * ldc + v * kWide, acc[r][v]);
  }
}

// Rows 1..MaxRows of a column strip, dispatched to the kernel of that height.
template <int Vectors, int Rows>
inline void gemm_rows_wide(int rows, const float* a, int lda, const float* b, int ldb, float* c, int ldc, int k) {
  if constexpr (Rows > 1) {
    if (rows < Rows) {
      gemm_rows_wide<Vectors, Rows - 1>(rows, a, lda, b, ldb, c, ldc, k);
      return;
    }
  }
  gemm_block_wide<Rows, Vectors>(a, lda, b, ldb, c, ldc, k);
}

// One strip of `Vectors * 16` columns over all `count` rows, Rows at a time.
template <int Vectors, int Rows>
inline void strip_wide(const float* v, const float* u, float* m, int count, int in, int out, int column) {
  for (int row = 0; row < count; row += Rows) {
    gemm_rows_wide<Vectors, Rows>(count - row, v + static_cast<std::int64_t>(row) * in, in, u + column, out,
                                  m + static_cast<std::int64_t>(row) * out + column, out, in);
  }
}

// M = V * U for one point: [count x in] * [in x out]; strips of 64, 48, 32
// or 16 columns (24 or fewer accumulators), an 8-column rest on ymm.
inline void multiply_point(const float* v, const float* u, float* m, int count, int in, int out) {
  int column = 0;
  for (; column + 4 * kWide <= out; column += 4 * kWide) strip_wide<4, 6>(v, u, m, count, in, out, column);
  const int rest = out - column;
  if (rest >= 3 * kWide) {
    strip_wide<3, 8>(v, u, m, count, in, out, column);
    column += 3 * kWide;
  } else if (rest >= 2 * kWide) {
    strip_wide<2, 12>(v, u, m, count, in, out, column);
    column += 2 * kWide;
  } else if (rest >= kWide) {
    strip_wide<1, 12>(v, u, m, count, in, out, column);
    column += kWide;
  }
  for (; column < out; column += kLanes) {
    for (int row = 0; row < count; row += 6) {
      gemm_rows<1>(count - row < 6 ? count - row : 6, v + static_cast<std::int64_t>(row) * in, in, u + column, out,
                   m + static_cast<std::int64_t>(row) * out + column, out, in);
    }
  }
}

}  // namespace

#include "infer/winograd_kernel_body.hpp"

namespace {

// Two consecutive channel blocks of 8 in one zmm register: their transforms
// and epilogue run 16 lanes at a time (the same arithmetic per lane as the
// blockwise loops, so the same results).
namespace paired {
using Vec = __m512;
inline Vec v_load(const float* p) { return _mm512_loadu_ps(p); }
inline void v_store(float* p, Vec v) { _mm512_storeu_ps(p, v); }
inline Vec v_set1(float x) { return _mm512_set1_ps(x); }
inline Vec v_zero() { return _mm512_setzero_ps(); }
inline Vec v_add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
inline Vec v_sub(Vec a, Vec b) { return _mm512_sub_ps(a, b); }
inline Vec v_mul(Vec a, Vec b) { return _mm512_mul_ps(a, b); }
inline Vec v_fmadd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline Vec v_max(Vec a, Vec b) { return _mm512_max_ps(a, b); }
inline Vec v_min(Vec a, Vec b) { return _mm512_min_ps(a, b); }
inline Vec join(__m256 low, __m256 high) {
  return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(low)), _mm256_castps_pd(high), 1));
}
inline __m256 upper(Vec v) { return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)); }
inline Vec v_load_blocks(const float* at, std::int64_t next_block) {
  return join(_mm256_loadu_ps(at), _mm256_loadu_ps(at + next_block));
}

#include "infer/winograd_tile_math_body.hpp"

// One 6x6 tile of a pair of channel blocks (zeros outside the picture):
// `next_block` floats from the first block's plane to the second's in
// nChw8c, or 0 where the 16 channels lie together (channel-last input);
// `pixel` floats between horizontally adjacent pixels.
inline void load_tile(const float* plane, std::int64_t next_block, int h, int w, int pixel, int y0, int x0, Vec* d) {
  const auto load = [&](const float* at) { return next_block == 0 ? v_load(at) : v_load_blocks(at, next_block); };
  const bool inside = y0 >= 0 && x0 >= 0 && y0 + kInputTile <= h && x0 + kInputTile <= w;
  for (int i = 0; i < kInputTile; ++i) {
    const int y = y0 + i;
    for (int j = 0; j < kInputTile; ++j) {
      const int x = x0 + j;
      d[i * kInputTile + j] = inside || (y >= 0 && y < h && x >= 0 && x < w)
                                  ? load(plane + (static_cast<std::int64_t>(y) * w + x) * pixel)
                                  : v_zero();
    }
  }
}

// winograd::RunTiles for nChw8c or channel-last input and output with
// an even number of channel blocks each side (run_tiles checks).
void run_tiles(const Layer& layer, const float* src, float* dst, const float* residual, std::int64_t first, int count,
               float* scratch) {
  constexpr int kPair = 2 * kLanes;
  const int in = layer.in_blocks * kLanes;
  const int out = layer.out_blocks * kLanes;
  const std::int64_t v_point = point_stride(count, in);
  const std::int64_t m_point = point_stride(count, out);
  float* v_all = scratch;
  float* m_all = scratch + kPoints * v_point;
  const std::int64_t tiles_per_image = static_cast<std::int64_t>(layer.tiles_y) * layer.tiles_x;
  const std::int64_t in_plane = static_cast<std::int64_t>(layer.in_h) * layer.in_w * kLanes;
  for (int t = 0; t < count; ++t) {
    const std::int64_t tile = first + t;
    const std::int64_t image = tile / tiles_per_image;
    const int y0 = static_cast<int>((tile % tiles_per_image) / layer.tiles_x) * kTile - layer.pad_top;
    const int x0 = static_cast<int>(tile % layer.tiles_x) * kTile - layer.pad_left;
    for (int pair = 0; pair < layer.in_blocks / 2; ++pair) {
      Vec d[kPoints];
      Vec rows[kPoints];
      Vec v[kPoints];
      if (layer.channel_last_input) {
        load_tile(src + image * layer.in_blocks * in_plane + pair * kPair, 0, layer.in_h, layer.in_w, in, y0, x0, d);
      } else {
        load_tile(src + (image * layer.in_blocks + 2 * pair) * in_plane, in_plane, layer.in_h, layer.in_w, kLanes, y0, x0, d);
      }
      for (int j = 0; j < kInputTile; ++j) input_1d(d + j, kInputTile, rows + j, kInputTile);
      for (int i = 0; i < kInputTile; ++i) input_1d(rows + i * kInputTile, 1, v + i * kInputTile, 1);
      float* at = v_all + static_cast<std::int64_t>(t) * in + pair * kPair;
      for (int p = 0; p < kPoints; ++p) v_store(at + p * v_point, v[p]);
    }
  }
  for (int p = 0; p < kPoints; ++p) {
    avx512::multiply_point(v_all + p * v_point, layer.filters + static_cast<std::int64_t>(p) * in * out, m_all + p * m_point,
                           count, in, out);
  }
  for (int t = 0; t < count; ++t) {
    const std::int64_t tile = first + t;
    const std::int64_t image = tile / tiles_per_image;
    const int ty = static_cast<int>((tile % tiles_per_image) / layer.tiles_x);
    const int tx = static_cast<int>(tile % layer.tiles_x);
    const int rows_out = layer.out_h - ty * kTile < kTile ? layer.out_h - ty * kTile : kTile;
    const int cols_out = layer.out_w - tx * kTile < kTile ? layer.out_w - tx * kTile : kTile;
    for (int pair = 0; pair < layer.out_blocks / 2; ++pair) {
      Vec m[kPoints];
      const float* at = m_all + static_cast<std::int64_t>(t) * out + pair * kPair;
      for (int p = 0; p < kPoints; ++p) m[p] = v_load(at + p * m_point);
      Vec columns[kTile * kInputTile];
      Vec y[kTile * kTile];
      for (int j = 0; j < kInputTile; ++j) output_1d(m + j, kInputTile, columns + j, kInputTile);
      for (int i = 0; i < kTile; ++i) output_1d(columns + i * kInputTile, 1, y + i * kTile, 1);
      const OutputSpan span = output_span(layer, image, ty, tx, 2 * pair);
      apply_epilogue(layer, y, 2 * pair, residual, span, rows_out, cols_out);
      for (int i = 0; i < rows_out; ++i) {
        for (int j = 0; j < cols_out; ++j) {
          float* to = dst + span.first + i * span.row + j * span.pixel;
          if (span.next_block == kLanes) {  // channel-last: the 16 channels lie together
            v_store(to, y[i * kTile + j]);
          } else {
            _mm256_storeu_ps(to, _mm512_castps512_ps256(y[i * kTile + j]));
            _mm256_storeu_ps(to + span.next_block, upper(y[i * kTile + j]));
          }
        }
      }
    }
  }
}

}  // namespace paired
}  // namespace

void run_tiles(const Layer& layer, const float* src, float* dst, const float* residual, std::int64_t first, int count,
               float* scratch) {
  const bool pairs = layer.planar_channels == 0 && layer.shuffle_block <= 1 && layer.in_blocks % 2 == 0 &&
                     layer.out_blocks % 2 == 0;
  if (pairs) {
    paired::run_tiles(layer, src, dst, residual, first, count, scratch);
  } else {
    run_tiles_blockwise(layer, src, dst, residual, first, count, scratch);
  }
}

}  // namespace r4k::infer::winograd::avx512
