// The 8-lane vector type of winograd_kernel_body.hpp as AVX 256-bit
// registers, for the files compiled for AVX2 + FMA or AVX-512 (there the
// compiler also has the 16 extra ymm registers). Included inside an
// instruction set's namespace, after <immintrin.h>; no include guard (once
// per file).

using Vec = __m256;
inline Vec v_load(const float* p) { return _mm256_loadu_ps(p); }
inline void v_store(float* p, Vec v) { _mm256_storeu_ps(p, v); }
inline Vec v_set1(float x) { return _mm256_set1_ps(x); }
inline Vec v_zero() { return _mm256_setzero_ps(); }
inline Vec v_add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
inline Vec v_sub(Vec a, Vec b) { return _mm256_sub_ps(a, b); }
inline Vec v_mul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
inline Vec v_fmadd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
inline Vec v_max(Vec a, Vec b) { return _mm256_max_ps(a, b); }
inline Vec v_min(Vec a, Vec b) { return _mm256_min_ps(a, b); }
inline Vec v_load_blocks(const float* at, std::int64_t) { return v_load(at); }  // one block: 8 lanes
