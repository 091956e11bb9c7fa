#include "preprocess/ycbcr.hpp"

#include <cmath>

namespace r4k {
namespace {

struct Coefficients {
  double kr;
  double kb;
};

Coefficients coefficients(YcbcrMatrix matrix) {
  switch (matrix) {
    case YcbcrMatrix::bt709:
      return {0.2126, 0.0722};
    case YcbcrMatrix::bt2020:
      return {0.2627, 0.0593};
    case YcbcrMatrix::bt601:
    default:
      return {0.299, 0.114};
  }
}

// Normalised Y' = y_offset + y_scale * luma; C = c_offset + c_scale * P (P in [-0.5, 0.5]).
struct Encoding {
  double y_offset;
  double y_scale;
  double c_offset;
  double c_scale;
};

Encoding encoding(const YcbcrSpace& space) {
  if (space.bit_depth <= 0) {
    if (space.range == YcbcrRange::full) return {0.0, 1.0, 0.5, 1.0};
    return {16.0 / 255.0, 219.0 / 255.0, 0.5, 224.0 / 255.0};
  }
  const double max_code = static_cast<double>((1 << space.bit_depth) - 1);
  const double half = static_cast<double>(1 << (space.bit_depth - 1));
  if (space.range == YcbcrRange::full) return {0.0, 1.0, half / max_code, 1.0};
  const double unit = static_cast<double>(1 << (space.bit_depth - 8)) / max_code;  // one 8-bit step
  return {16.0 * unit, 219.0 * unit, half / max_code, 224.0 * unit};
}

}  // namespace

std::string to_string(YcbcrMatrix matrix) {
  switch (matrix) {
    case YcbcrMatrix::bt709:
      return "bt709";
    case YcbcrMatrix::bt2020:
      return "bt2020";
    case YcbcrMatrix::bt601:
    default:
      return "bt601";
  }
}

YcbcrCoefficients ycbcr_coefficients(const YcbcrSpace& space) {
  const auto [kr, kb] = coefficients(space.matrix);
  const Encoding e = encoding(space);
  return {kr, kb, e.y_offset, e.y_scale, e.c_offset, e.c_scale / (2.0 * (1.0 - kb)), e.c_scale / (2.0 * (1.0 - kr))};
}

void rgb_to_ycbcr(const float* r, const float* g, const float* b, float* y, float* cb, float* cr, std::size_t count,
                  const YcbcrSpace& space) {
  const auto [kr, kb] = coefficients(space.matrix);
  const double kg = 1.0 - kr - kb;
  const Encoding e = encoding(space);
  const double cb_scale = e.c_scale / (2.0 * (1.0 - kb));
  const double cr_scale = e.c_scale / (2.0 * (1.0 - kr));
  for (std::size_t i = 0; i < count; ++i) {
    const double luma = kr * r[i] + kg * g[i] + kb * b[i];
    const double pb = (b[i] - luma) * cb_scale;
    const double pr = (r[i] - luma) * cr_scale;
    y[i] = static_cast<float>(e.y_offset + e.y_scale * luma);
    cb[i] = static_cast<float>(e.c_offset + pb);
    cr[i] = static_cast<float>(e.c_offset + pr);
  }
}

void ycbcr_to_rgb(const float* y, const float* cb, const float* cr, float* r, float* g, float* b, std::size_t count,
                  const YcbcrSpace& space) {
  const auto [kr, kb] = coefficients(space.matrix);
  const double kg = 1.0 - kr - kb;
  const Encoding e = encoding(space);
  const double cb_to_b = 2.0 * (1.0 - kb) / e.c_scale;
  const double cr_to_r = 2.0 * (1.0 - kr) / e.c_scale;
  for (std::size_t i = 0; i < count; ++i) {
    const double luma = (y[i] - e.y_offset) / e.y_scale;
    const double db = (cb[i] - e.c_offset) * cb_to_b;  // B' - Y'
    const double dr = (cr[i] - e.c_offset) * cr_to_r;  // R' - Y'
    const double red = luma + dr;
    const double blue = luma + db;
    const double green = (luma - kr * red - kb * blue) / kg;
    r[i] = static_cast<float>(red);
    g[i] = static_cast<float>(green);
    b[i] = static_cast<float>(blue);
  }
}

float neutral_chroma(const YcbcrSpace& space) {
  if (space.bit_depth <= 0) return 0.5f;
  return static_cast<float>(1 << (space.bit_depth - 1)) * (1.0f / static_cast<float>((1 << space.bit_depth) - 1));
}

bool chroma_is_neutral(const float* chroma, std::size_t count, const YcbcrSpace& space) {
  const float zero = neutral_chroma(space);
  const float tolerance = space.bit_depth <= 0 ? 1e-6f : 0.25f / static_cast<float>((1 << space.bit_depth) - 1);
  for (std::size_t i = 0; i < count; ++i) {
    if (std::fabs(chroma[i] - zero) > tolerance) return false;
  }
  return true;
}

void luma_to_grey(const float* y, float* grey, std::size_t count, const YcbcrSpace& space) {
  const Encoding e = encoding(space);
  for (std::size_t i = 0; i < count; ++i) grey[i] = static_cast<float>((y[i] - e.y_offset) / e.y_scale);
}

void grey_to_luma(const float* grey, float* y, std::size_t count, const YcbcrSpace& space) {
  const Encoding e = encoding(space);
  for (std::size_t i = 0; i < count; ++i) y[i] = static_cast<float>(e.y_offset + e.y_scale * grey[i]);
}

}  // namespace r4k
