#include "preprocess/transfer_curve.hpp"

#include "preprocess/transfer_curve_kernel.hpp"

namespace r4k {

// transfer_curve_avx2.cpp (x86-64 only): the eight-lane kernel.
std::size_t convert_primaries_avx2(float* r, float* g, float* b, std::size_t count, const TransferCurve& decode,
                                   const PrimariesMatrix& matrix, const TransferCurve& encode);

float TransferCurve::operator()(float v) const { return transfer_kernel::apply_one<4>(*this, v); }

void convert_primaries(float* r, float* g, float* b, std::size_t count, const TransferCurve& decode,
                       const PrimariesMatrix& m, const TransferCurve& encode) {
  std::size_t done = 0;
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2) done = convert_primaries_avx2(r, g, b, count, decode, m, encode);
#endif
  done += transfer_kernel::convert<4>(r + done, g + done, b + done, count - done, decode, m, encode);
  for (std::size_t i = done; i < count; ++i) {
    const float lr = decode(r[i]), lg = decode(g[i]), lb = decode(b[i]);
    r[i] = encode(m[0][0] * lr + m[0][1] * lg + m[0][2] * lb);
    g[i] = encode(m[1][0] * lr + m[1][1] * lg + m[1][2] * lb);
    b[i] = encode(m[2][0] * lr + m[2][1] * lg + m[2][2] * lb);
  }
}

}  // namespace r4k
