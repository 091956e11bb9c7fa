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

// Two consecutive channel blocks of 8 in one zmm register: the products run
// 16 columns a vector, and the transforms and epilogue 16 lanes at a time
// (the same arithmetic per lane as the blockwise loops, so the same results).
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

#include "infer/winograd_products_body.hpp"
}  // namespace paired

// M = V * U for one point: [count x in] * [in x out]; strips of 64, 48, 32
// or 16 columns on zmm (24 or fewer accumulators), an 8-column rest on ymm.
inline void multiply_point(const float* v, const float* u, float* m, int count, int in, int out) {
  constexpr int kWide = paired::kVectorLanes;
  int column = 0;
  for (; column + 4 * kWide <= out; column += 4 * kWide) paired::gemm_strip<4, 6>(v, u, m, count, in, out, column);
  const int rest = out - column;
  if (rest >= 3 * kWide) {
    paired::gemm_strip<3, 8>(v, u, m, count, in, out, column);
    column += 3 * kWide;
  } else if (rest >= 2 * kWide) {
    paired::gemm_strip<2, 12>(v, u, m, count, in, out, column);
    column += 2 * kWide;
  } else if (rest >= kWide) {
    paired::gemm_strip<1, 12>(v, u, m, count, in, out, column);
    column += kWide;
  }
  for (; column < out; column += kLanes) gemm_strip<1, 6>(v, u, m, count, in, out, column);
}

}  // namespace

#include "infer/winograd_kernel_body.hpp"

namespace {

// The paired transforms, epilogue and loops (see the vector type above).
namespace paired {

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
  const TileScratch work = tile_scratch(layer, count, scratch);
  const std::int64_t in_plane = static_cast<std::int64_t>(layer.in_h) * layer.in_w * kLanes;
  for (int t = 0; t < count; ++t) {
    const TilePlace place = tile_place(layer, first + t);
    for (int pair = 0; pair < layer.in_blocks / 2; ++pair) {
      Vec d[kPoints];
      Vec v[kPoints];
      if (layer.channel_last_input) {
        load_tile(src + place.image * layer.in_blocks * in_plane + pair * kPair, 0, layer.in_h, layer.in_w, in, place.y0,
                  place.x0, d);
      } else {
        load_tile(src + (place.image * layer.in_blocks + 2 * pair) * in_plane, in_plane, layer.in_h, layer.in_w, kLanes,
                  place.y0, place.x0, d);
      }
      input_tile(d, v);
      float* at = work.v + static_cast<std::int64_t>(t) * in + pair * kPair;
      for (int p = 0; p < kPoints; ++p) v_store(at + p * work.v_point, v[p]);
    }
  }
  for (int p = 0; p < kPoints; ++p) {
    avx512::multiply_point(work.v + p * work.v_point, layer.filters + static_cast<std::int64_t>(p) * in * out,
                           work.m + p * work.m_point, count, in, out);
  }
  for (int t = 0; t < count; ++t) {
    const TilePlace place = tile_place(layer, first + t);
    for (int pair = 0; pair < layer.out_blocks / 2; ++pair) {
      Vec m[kPoints];
      const float* at = work.m + static_cast<std::int64_t>(t) * out + pair * kPair;
      for (int p = 0; p < kPoints; ++p) m[p] = v_load(at + p * work.m_point);
      Vec y[kTile * kTile];
      output_tile(m, y);
      const OutputSpan span = output_span(layer, place.image, place.ty, place.tx, 2 * pair);
      apply_epilogue(layer, y, 2 * pair, residual, span, place.rows_out, place.cols_out);
      for (int i = 0; i < place.rows_out; ++i) {
        for (int j = 0; j < place.cols_out; ++j) {
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
