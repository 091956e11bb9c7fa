// The Winograd inner loops in portable C++ (8 floats at a time, vectorised
// by the compiler for whatever the build targets): the fallback for CPUs
// without AVX2 + FMA.
#include "infer/winograd_kernels.hpp"

namespace r4k::infer::winograd::portable {
namespace {

struct Vec {
  float lane[kLanes];
};
inline Vec v_load(const float* p) {
  Vec v;
  for (int i = 0; i < kLanes; ++i) v.lane[i] = p[i];
  return v;
}
inline void v_store(float* p, const Vec& v) {
  for (int i = 0; i < kLanes; ++i) p[i] = v.lane[i];
}
inline Vec v_set1(float x) {
  Vec v;
  for (float& lane : v.lane) lane = x;
  return v;
}
inline Vec v_zero() { return v_set1(0.0f); }
template <typename Op>
inline Vec lanewise(const Vec& a, const Vec& b, Op op) {
  Vec v;
  for (int i = 0; i < kLanes; ++i) v.lane[i] = op(a.lane[i], b.lane[i]);
  return v;
}
inline Vec v_add(const Vec& a, const Vec& b) { return lanewise(a, b, [](float x, float y) { return x + y; }); }
inline Vec v_sub(const Vec& a, const Vec& b) { return lanewise(a, b, [](float x, float y) { return x - y; }); }
inline Vec v_mul(const Vec& a, const Vec& b) { return lanewise(a, b, [](float x, float y) { return x * y; }); }
inline Vec v_max(const Vec& a, const Vec& b) { return lanewise(a, b, [](float x, float y) { return x > y ? x : y; }); }
inline Vec v_min(const Vec& a, const Vec& b) { return lanewise(a, b, [](float x, float y) { return x < y ? x : y; }); }
inline Vec v_fmadd(const Vec& a, const Vec& b, const Vec& c) {
  Vec v;
  for (int i = 0; i < kLanes; ++i) v.lane[i] = a.lane[i] * b.lane[i] + c.lane[i];
  return v;
}

inline Vec v_load_blocks(const float* at, std::int64_t) { return v_load(at); }  // one block: 8 lanes

}  // namespace

#include "infer/winograd_kernel_body.hpp"

void run_tiles(const Layer& layer, const float* src, float* dst, const float* residual, std::int64_t first, int count,
               float* scratch) {
  run_tiles_blockwise(layer, src, dst, residual, first, count, scratch);
}

}  // namespace r4k::infer::winograd::portable
