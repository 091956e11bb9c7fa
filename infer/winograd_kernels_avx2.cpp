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

}  // namespace r4k::infer::winograd::avx2
