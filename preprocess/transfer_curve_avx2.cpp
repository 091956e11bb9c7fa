// Compiled with -mavx2 -mfma (preprocess/CMakeLists.txt); called only when
// the CPU has both.
#include "preprocess/transfer_curve_kernel.hpp"

namespace r4k {

std::size_t convert_primaries_avx2(float* r, float* g, float* b, std::size_t count, const TransferCurve& decode,
                                   const PrimariesMatrix& matrix, const TransferCurve& encode) {
  return transfer_kernel::convert<8>(r, g, b, count, decode, matrix, encode);
}

}  // namespace r4k
