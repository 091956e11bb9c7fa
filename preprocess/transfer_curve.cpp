#include "preprocess/transfer_curve.hpp"

#include "preprocess/transfer_curve_kernel.hpp"

namespace r4k {

// transfer_curve_avx2.cpp (x86-64 only): the eight-lane kernel.
std::size_t convert_primaries_avx2(float* r, float* g, float* b, std::size_t count, const TransferCurve& decode,
                                   const PrimariesMatrix& matrix, const TransferCurve& encode);

std::size_t convert_ycbcr_avx2(const float* y, const float* cb, const float* cr, float* out_y, float* out_cb,
                               float* out_cr, std::size_t count, const transfer_kernel::Equations& from,
                               const TransferCurve& decode, const PrimariesMatrix& matrix, const TransferCurve& encode,
                               const transfer_kernel::Equations& to);

namespace {
#if defined(__x86_64__)
bool has_avx2() {
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return avx2;
}
#endif
}  // namespace

float TransferCurve::operator()(float v) const { return transfer_kernel::apply_one<4>(*this, v); }

void convert_primaries(float* r, float* g, float* b, std::size_t count, const TransferCurve& decode,
                       const PrimariesMatrix& m, const TransferCurve& encode) {
  std::size_t done = 0;
#if defined(__x86_64__)
  if (has_avx2()) done = convert_primaries_avx2(r, g, b, count, decode, m, encode);
#endif
  done += transfer_kernel::convert<4>(r + done, g + done, b + done, count - done, decode, m, encode);
  for (std::size_t i = done; i < count; ++i) {
    const float lr = decode(r[i]), lg = decode(g[i]), lb = decode(b[i]);
    r[i] = encode(m[0][0] * lr + m[0][1] * lg + m[0][2] * lb);
    g[i] = encode(m[1][0] * lr + m[1][1] * lg + m[1][2] * lb);
    b[i] = encode(m[2][0] * lr + m[2][1] * lg + m[2][2] * lb);
  }
}

void convert_ycbcr(const float* y, const float* cb, const float* cr, float* out_y, float* out_cb, float* out_cr,
                   std::size_t count, const YcbcrCoefficients& from, const TransferCurve& decode,
                   const PrimariesMatrix& matrix, const TransferCurve& encode, const YcbcrCoefficients& to) {
  const transfer_kernel::Equations a(from);
  const transfer_kernel::Equations b(to);
  std::size_t done = 0;
#if defined(__x86_64__)
  if (has_avx2()) done = convert_ycbcr_avx2(y, cb, cr, out_y, out_cb, out_cr, count, a, decode, matrix, encode, b);
#endif
  done += transfer_kernel::convert_ycbcr<4>(y + done, cb + done, cr + done, out_y + done, out_cb + done,
                                            out_cr + done, count - done, a, decode, matrix, encode, b);
  // The last samples, one at a time through the four-lane kernel.
  for (std::size_t i = done; i < count; ++i) {
    float ty[4] = {y[i]}, tcb[4] = {cb[i]}, tcr[4] = {cr[i]};
    transfer_kernel::convert_ycbcr<4>(ty, tcb, tcr, ty, tcb, tcr, 4, a, decode, matrix, encode, b);
    out_y[i] = ty[0];
    out_cb[i] = tcb[0];
    out_cr[i] = tcr[0];
  }
}

}  // namespace r4k
