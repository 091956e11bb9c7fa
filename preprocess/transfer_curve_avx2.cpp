// Compiled with -mavx2 -mfma (preprocess/CMakeLists.txt); called only when
// the CPU has both.
#include "preprocess/transfer_curve_kernel.hpp"

namespace r4k {

std::size_t convert_primaries_avx2(float* r, float* g, float* b, std::size_t count, const TransferCurve& decode,
                                   const PrimariesMatrix& matrix, const TransferCurve& encode) {
  return transfer_kernel::convert<8>(r, g, b, count, decode, matrix, encode);
}

std::size_t convert_ycbcr_avx2(const float* y, const float* cb, const float* cr, float* out_y, float* out_cb,
                               float* out_cr, std::size_t count, const transfer_kernel::Equations& from,
                               const TransferCurve& decode, const PrimariesMatrix& matrix, const TransferCurve& encode,
                               const transfer_kernel::Equations& to) {
  return transfer_kernel::convert_ycbcr<8>(y, cb, cr, out_y, out_cb, out_cr, count, from, decode, matrix, encode, to);
}

}  // namespace r4k
