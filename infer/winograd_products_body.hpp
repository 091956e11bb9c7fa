// The 36 products of the Winograd F(4x4, 3x3) convolution, M = V * U per
// point, over the vector type Vec of the including namespace (8 or 16
// floats: the lane count is read off its size). Same contract as
// winograd_kernel_body.hpp: no include guard, included inside an
// instruction set's namespace after Vec and its operations.
// winograd_kernels_avx512.cpp includes it twice (for 8 and 16 lanes) and,
// with R4K_WINOGRAD_OWN_PRODUCTS defined, brings its own multiply_point.

constexpr int kVectorLanes = static_cast<int>(sizeof(Vec) / sizeof(float));

// C[Rows x (Vectors * lanes)] = A[Rows x k] * B[k x (Vectors * lanes)], A row
// stride lda, B and C row strides ldb, ldc. The accumulators stay in
// registers (the broadcast of A folds into the multiply-add).
template <int Rows, int Vectors>
inline void gemm_block(const float* a, int lda, const float* b, int ldb, float* c, int ldc, int k) {
  Vec acc[Rows][Vectors];
#pragma GCC unroll 12
  for (int r = 0; r < Rows; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < Vectors; ++v) acc[r][v] = v_zero();
  }
  for (int p = 0; p < k; ++p) {
    Vec bv[Vectors];
#pragma GCC unroll 4
    for (int v = 0; v < Vectors; ++v) bv[v] = v_load(b + static_cast<std::int64_t>(p) * ldb + v * kVectorLanes);
#pragma GCC unroll 12
    for (int r = 0; r < Rows; ++r) {
      const Vec av = v_set1(a[r * lda + p]);
#pragma GCC unroll 4
      for (int v = 0; v < Vectors; ++v) acc[r][v] = v_fmadd(av, bv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < Rows; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < Vectors; ++v) v_store(c + r * ldc + v * kVectorLanes, acc[r][v]);
  }
}

// `rows` (at most Rows) rows of a column strip, on the kernel of that height.
template <int Vectors, int Rows>
inline void gemm_rows(int rows, const float* a, int lda, const float* b, int ldb, float* c, int ldc, int k) {
  if constexpr (Rows > 1) {
    if (rows < Rows) {
      gemm_rows<Vectors, Rows - 1>(rows, a, lda, b, ldb, c, ldc, k);
      return;
    }
  }
  gemm_block<Rows, Vectors>(a, lda, b, ldb, c, ldc, k);
}

// One strip of Vectors * lanes columns from `column`, over all `count` rows of
// M = V [count x in] * U [in x out], Rows at a time.
template <int Vectors, int Rows>
inline void gemm_strip(const float* v, const float* u, float* m, int count, int in, int out, int column) {
  for (int row = 0; row < count; row += Rows) {
    gemm_rows<Vectors, Rows>(count - row, v + static_cast<std::int64_t>(row) * in, in, u + column, out,
                             m + static_cast<std::int64_t>(row) * out + column, out, in);
  }
}

#ifndef R4K_WINOGRAD_OWN_PRODUCTS
// M = V * U for one point: [count x in] * [in x out], 6 rows x 2 vectors at a time.
inline void multiply_point(const float* v, const float* u, float* m, int count, int in, int out) {
  int column = 0;
  for (; column + 2 * kVectorLanes <= out; column += 2 * kVectorLanes) gemm_strip<2, 6>(v, u, m, count, in, out, column);
  for (; column < out; column += kVectorLanes) gemm_strip<1, 6>(v, u, m, count, in, out, column);
}
#endif
