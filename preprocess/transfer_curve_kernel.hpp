// The primaries change of transfer_curve.cpp as a template over the vector
// width (GCC vector extensions), compiled twice: four lanes for the x86-64
// baseline (transfer_curve.cpp) and eight with AVX2 and FMA
// (transfer_curve_avx2.cpp, chosen when the CPU has them).
#pragma once

#include <cstddef>
#include <cstring>

#include "preprocess/transfer_curve.hpp"

namespace r4k::transfer_kernel {

template <int N>
struct Lanes {
  typedef float F __attribute__((vector_size(4 * N)));
  typedef int I __attribute__((vector_size(4 * N)));
};

template <typename V, typename S>
inline V splat(S v) {
  V out;
  for (std::size_t i = 0; i < sizeof(V) / sizeof(S); ++i) out[i] = v;
  return out;
}

template <typename To, typename From>
inline To bit_cast(From v) {
  To out;
  std::memcpy(&out, &v, sizeof out);
  return out;
}

// log2 of x > 0: x = m·2^e with m in [√½, √2), log2 m = 2/ln2 · atanh(s),
// s = (m-1)/(m+1), |s| < 0.172; the series to s^7 errs below 1e-7.
template <typename F, typename I>
[[gnu::always_inline]] inline F log2_of(F x) {
  const I bits = bit_cast<I>(x);
  I exponent = ((bits >> 23) & 0xff) - 127;
  F m = bit_cast<F>((bits & 0x007fffff) | 0x3f800000);  // [1, 2)
  const I large = m > splat<F>(1.41421356f);
  m = large ? m * 0.5f : m;
  exponent = large ? exponent + 1 : exponent;
  const F s = (m - 1.0f) / (m + 1.0f);
  const F s2 = s * s;
  const F series = s * (2.0f + s2 * (2.0f / 3.0f + s2 * (2.0f / 5.0f + s2 * (2.0f / 7.0f))));
  return __builtin_convertvector(exponent, F) + series * 1.44269504f;  // ln -> log2
}

// 2^y for y in [-126, 126]: 2^round(y) · 2^f, f in [-½, ½] (Taylor to f^6: error below 2e-7).
template <typename F, typename I>
[[gnu::always_inline]] inline F exp2_of(F y) {
  y = y < splat<F>(-126.0f) ? splat<F>(-126.0f) : y;
  y = y > splat<F>(126.0f) ? splat<F>(126.0f) : y;
  // Rounded half away from zero (the conversion truncates).
  const I n = __builtin_convertvector(y + (y < splat<F>(0.0f) ? splat<F>(-0.5f) : splat<F>(0.5f)), I);
  const F t = (y - __builtin_convertvector(n, F)) * 0.693147181f;  // f·ln2
  const F p = 1.0f + t * (1.0f + t * (0.5f + t * (1.0f / 6 + t * (1.0f / 24 + t * (1.0f / 120 + t / 720)))));
  return p * bit_cast<F>((n + 127) << 23);
}

template <typename F, typename I>
[[gnu::always_inline]] inline F apply(const TransferCurve& c, F v) {
  if (c.identity) return v;
  const I negative = v < splat<F>(0.0f);
  const F a = negative ? -v : v;
  F base = c.beta * a + c.gamma;
  base = base > splat<F>(1e-30f) ? base : splat<F>(1e-30f);
  const F curved = c.alpha * exp2_of<F, I>(c.power * log2_of<F, I>(base)) + c.delta;
  const F out = a < splat<F>(c.threshold) ? c.slope * a : curved;
  return negative ? -out : out;
}

template <int N>
inline float apply_one(const TransferCurve& c, float v) {
  using F = typename Lanes<N>::F;
  using I = typename Lanes<N>::I;
  return apply<F, I>(c, splat<F>(v))[0];
}

// Every sample but the last count % N.
template <int N>
inline std::size_t convert(float* r, float* g, float* b, std::size_t count, const TransferCurve& decode,
                           const PrimariesMatrix& m, const TransferCurve& encode) {
  using F = typename Lanes<N>::F;
  using I = typename Lanes<N>::I;
  std::size_t i = 0;
  for (; i + N <= count; i += N) {
    F vr, vg, vb;
    std::memcpy(&vr, r + i, sizeof vr);
    std::memcpy(&vg, g + i, sizeof vg);
    std::memcpy(&vb, b + i, sizeof vb);
    const F lr = apply<F, I>(decode, vr);
    const F lg = apply<F, I>(decode, vg);
    const F lb = apply<F, I>(decode, vb);
    vr = apply<F, I>(encode, m[0][0] * lr + m[0][1] * lg + m[0][2] * lb);
    vg = apply<F, I>(encode, m[1][0] * lr + m[1][1] * lg + m[1][2] * lb);
    vb = apply<F, I>(encode, m[2][0] * lr + m[2][1] * lg + m[2][2] * lb);
    std::memcpy(r + i, &vr, sizeof vr);
    std::memcpy(g + i, &vg, sizeof vg);
    std::memcpy(b + i, &vb, sizeof vb);
  }
  return i;
}

// The equations of a YcbcrCoefficients in float.
struct Equations {
  float kr, kb, kg, y_offset, y_scale, c_offset, cb_scale, cr_scale;
  float inverse_kg, inverse_y_scale, inverse_cb_scale, inverse_cr_scale;
  explicit Equations(const YcbcrCoefficients& c)
      : kr(static_cast<float>(c.kr)),
        kb(static_cast<float>(c.kb)),
        kg(static_cast<float>(1.0 - c.kr - c.kb)),
        y_offset(static_cast<float>(c.y_offset)),
        y_scale(static_cast<float>(c.y_scale)),
        c_offset(static_cast<float>(c.c_offset)),
        cb_scale(static_cast<float>(c.cb_scale)),
        cr_scale(static_cast<float>(c.cr_scale)),
        inverse_kg(static_cast<float>(1.0 / (1.0 - c.kr - c.kb))),
        inverse_y_scale(static_cast<float>(1.0 / c.y_scale)),
        inverse_cb_scale(static_cast<float>(1.0 / c.cb_scale)),
        inverse_cr_scale(static_cast<float>(1.0 / c.cr_scale)) {}
};

template <typename F, typename I>
[[gnu::always_inline]] inline void convert_one(F y, F cb, F cr, F& oy, F& ocb, F& ocr, const Equations& a,
                                              const TransferCurve& decode, const PrimariesMatrix& m,
                                              const TransferCurve& encode, const Equations& b) {
  const F luma = (y - a.y_offset) * a.inverse_y_scale;
  const F red = luma + (cr - a.c_offset) * a.inverse_cr_scale;
  const F blue = luma + (cb - a.c_offset) * a.inverse_cb_scale;
  const F green = (luma - a.kr * red - a.kb * blue) * a.inverse_kg;
  const F lr = apply<F, I>(decode, red);
  const F lg = apply<F, I>(decode, green);
  const F lb = apply<F, I>(decode, blue);
  const F r2 = apply<F, I>(encode, m[0][0] * lr + m[0][1] * lg + m[0][2] * lb);
  const F g2 = apply<F, I>(encode, m[1][0] * lr + m[1][1] * lg + m[1][2] * lb);
  const F b2 = apply<F, I>(encode, m[2][0] * lr + m[2][1] * lg + m[2][2] * lb);
  const F luma2 = b.kr * r2 + b.kg * g2 + b.kb * b2;
  oy = b.y_offset + b.y_scale * luma2;
  ocb = b.c_offset + (b2 - luma2) * b.cb_scale;
  ocr = b.c_offset + (r2 - luma2) * b.cr_scale;
}

// Every sample but the last count % N.
template <int N>
inline std::size_t convert_ycbcr(const float* y, const float* cb, const float* cr, float* out_y, float* out_cb,
                                 float* out_cr, std::size_t count, const Equations& from, const TransferCurve& decode,
                                 const PrimariesMatrix& m, const TransferCurve& encode, const Equations& to) {
  using F = typename Lanes<N>::F;
  using I = typename Lanes<N>::I;
  // Runs of one colour (a fit's bars, flat areas) are converted once.
  float same[3] = {-1e30f, 0.0f, 0.0f};
  F same_y{}, same_cb{}, same_cr{};
  const auto uniform = [](F v) {
    const I equal = v == splat<F>(v[0]);
    for (int k = 0; k < N; ++k) {
      if (!equal[k]) return false;
    }
    return true;
  };
  std::size_t i = 0;
  for (; i + N <= count; i += N) {
    F vy, vcb, vcr, oy, ocb, ocr;
    std::memcpy(&vy, y + i, sizeof vy);
    std::memcpy(&vcb, cb + i, sizeof vcb);
    std::memcpy(&vcr, cr + i, sizeof vcr);
    if (uniform(vy) && uniform(vcb) && uniform(vcr)) {
      if (vy[0] != same[0] || vcb[0] != same[1] || vcr[0] != same[2]) {
        convert_one<F, I>(vy, vcb, vcr, same_y, same_cb, same_cr, from, decode, m, encode, to);
        same[0] = vy[0];
        same[1] = vcb[0];
        same[2] = vcr[0];
      }
      oy = same_y;
      ocb = same_cb;
      ocr = same_cr;
    } else {
      convert_one<F, I>(vy, vcb, vcr, oy, ocb, ocr, from, decode, m, encode, to);
    }
    std::memcpy(out_y + i, &oy, sizeof oy);
    std::memcpy(out_cb + i, &ocb, sizeof ocb);
    std::memcpy(out_cr + i, &ocr, sizeof ocr);
  }
  return i;
}

}  // namespace r4k::transfer_kernel
