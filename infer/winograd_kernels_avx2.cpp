// The Winograd inner loops with AVX2 + FMA intrinsics; this file alone is
// compiled for that instruction set (infer/CMakeLists.txt), and called only
// when the CPU has it (winograd_convolution.cpp).
#include <immintrin.h>

#include "infer/winograd_kernels.hpp"

namespace r4k::infer::winograd::avx2 {
namespace {

#include "infer/winograd_vec_m256.hpp"

}  // namespace

#include "infer/winograd_kernel_body.hpp"

void run_tiles(const Layer& layer, const float* src, float* dst, const float* residual, std::int64_t first, int count,
               float* scratch) {
  run_tiles_blockwise(layer, src, dst, residual, first, count, scratch);
}

}  // namespace r4k::infer::winograd::avx2
