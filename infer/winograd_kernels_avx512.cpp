// The Winograd inner loops for AVX-512 (F, VL): the 36 products, most of a
// layer's time, run on 16-float registers, 24 accumulators at a time; the
// transforms are the AVX2 ones, compiled with AVX-512's 32 vector registers.
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

}  // namespace r4k::infer::winograd::avx512
