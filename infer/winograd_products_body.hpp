// The 36 products of the Winograd F(4x4, 3x3) convolution, M = V * U per
// point, over the 8-lane vector type of winograd_kernel_body.hpp (same
// contract: no include guard, included inside an instruction set's
// namespace after Vec and its operations). winograd_kernels_avx512.cpp
// defines R4K_WINOGRAD_OWN_PRODUCTS and brings a 16-lane multiply_point of
// its own, using the 8-lane blocks here only for an 8-column remainder.

// C[rows x (vectors * 8)] = A[rows x k] * B[k x (vectors * 8)], A row stride
// lda, B and C row strides ldb, ldc. The accumulators stay in registers.
template <int Rows, int Vectors>
inline void gemm_block(const float* a, int lda, const float* b, int ldb, float* c, int ldc, int k) {
  Vec acc[Rows][Vectors];
#pragma GCC unroll 6
  for (int r = 0; r < Rows; ++r) {
#pragma GCC unroll 2
    for (int v = 0; v < Vectors; ++v) acc[r][v] = v_zero();
  }
  for (int p = 0; p < k; ++p) {
    Vec bv[Vectors];
#pragma GCC unroll 2
    for (int v = 0; v < Vectors; ++v) bv[v] = v_load(b + static_cast<std::int64_t>(p) * ldb + v * kLanes);
#pragma GCC unroll 6
    for (int r = 0; r < Rows; ++r) {
      const Vec av = v_set1(a[r * lda + p]);
#pragma GCC unroll 2
      for (int v = 0; v < Vectors; ++v) acc[r][v] = v_fmadd(av, bv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < Rows; ++r) {
#pragma GCC unroll 2
    for (int v = 0; v < Vectors; ++v) v_store(c + r * ldc + v * kLanes, acc[r][v]);
  }
}

template <int Vectors>
inline void gemm_rows(int rows, const float* a, int lda, const float* b, int ldb, float* c, int ldc, int k) {
  switch (rows) {
    case 1: gemm_block<1, Vectors>(a, lda, b, ldb, c, ldc, k); break;
    case 2: gemm_block<2, Vectors>(a, lda, b, ldb, c, ldc, k); break;
    case 3: gemm_block<3, Vectors>(a, lda, b, ldb, c, ldc, k); break;
    case 4: gemm_block<4, Vectors>(a, lda, b, ldb, c, ldc, k); break;
    case 5: gemm_block<5, Vectors>(a, lda, b, ldb, c, ldc, k); break;
    default: gemm_block<6, Vectors>(a, lda, b, ldb, c, ldc, k); break;
  }
}

#ifndef R4K_WINOGRAD_OWN_PRODUCTS
// M = V * U for one point: [count x in] * [in x out].
inline void multiply_point(const float* v, const float* u, float* m, int count, int in, int out) {
  constexpr int kRows = 6;
  int column = 0;
  for (; column + 2 * kLanes <= out; column += 2 * kLanes) {
    for (int row = 0; row < count; row += kRows) {
      gemm_rows<2>(count - row < kRows ? count - row : kRows, v + static_cast<std::int64_t>(row) * in, in, u + column,
                   out, m + static_cast<std::int64_t>(row) * out + column, out, in);
    }
  }
  for (; column < out; column += kLanes) {
    for (int row = 0; row < count; row += kRows) {
      gemm_rows<1>(count - row < kRows ? count - row : kRows, v + static_cast<std::int64_t>(row) * in, in, u + column,
                   out, m + static_cast<std::int64_t>(row) * out + column, out, in);
    }
  }
}
#endif
