#include "preprocess/colour_conversion.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include <opencv2/imgproc.hpp>

#include "preprocess/transfer_curve.hpp"

namespace r4k {
namespace {

using Matrix = std::array<std::array<double, 3>, 3>;

struct Chromaticity {
  double x, y;
};

struct PrimarySet {
  Chromaticity r, g, b, white;
};

PrimarySet primary_set(ColourPrimaries primaries) {
  constexpr Chromaticity d65{0.3127, 0.3290};
  switch (primaries) {
    case ColourPrimaries::bt470bg:
      return {{0.64, 0.33}, {0.29, 0.60}, {0.15, 0.06}, d65};
    case ColourPrimaries::smpte170m:
      return {{0.630, 0.340}, {0.310, 0.595}, {0.155, 0.070}, d65};
    case ColourPrimaries::bt470m:
      return {{0.67, 0.33}, {0.21, 0.71}, {0.14, 0.08}, {0.310, 0.316}};  // illuminant C
    case ColourPrimaries::bt2020:
      return {{0.708, 0.292}, {0.170, 0.797}, {0.131, 0.046}, d65};
    case ColourPrimaries::bt709:
    default:
      return {{0.64, 0.33}, {0.30, 0.60}, {0.15, 0.06}, d65};
  }
}

Matrix inverse(const Matrix& m) {
  const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  Matrix r{};
  r[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det;
  r[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det;
  r[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det;
  r[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det;
  r[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det;
  r[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det;
  r[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det;
  r[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det;
  r[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det;
  return r;
}

Matrix multiply(const Matrix& a, const Matrix& b) {
  Matrix r{};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 3; ++k) r[i][j] += a[i][k] * b[k][j];
    }
  }
  return r;
}

// Linear RGB -> XYZ for a set of primaries (the usual derivation from the
// chromaticities, white at Y = 1).
Matrix rgb_to_xyz(const PrimarySet& p) {
  const auto column = [](Chromaticity c) { return std::array<double, 3>{c.x / c.y, 1.0, (1.0 - c.x - c.y) / c.y}; };
  const auto r = column(p.r);
  const auto g = column(p.g);
  const auto b = column(p.b);
  const Matrix m{{{r[0], g[0], b[0]}, {r[1], g[1], b[1]}, {r[2], g[2], b[2]}}};
  const auto w = column(p.white);
  const Matrix inv = inverse(m);
  std::array<double, 3> s{};
  for (int i = 0; i < 3; ++i) s[i] = inv[i][0] * w[0] + inv[i][1] * w[1] + inv[i][2] * w[2];
  Matrix out{};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) out[i][j] = m[i][j] * s[j];
  }
  return out;
}

// Source linear RGB -> target linear RGB, rows normalised (white -> white).
Matrix primaries_matrix(ColourPrimaries from, ColourPrimaries to) {
  Matrix m = multiply(inverse(rgb_to_xyz(primary_set(to))), rgb_to_xyz(primary_set(from)));
  for (auto& row : m) {
    const double sum = row[0] + row[1] + row[2];
    for (double& v : row) v /= sum;
  }
  return m;
}

// The curve that takes `transfer`'s R'G'B' to linear light, and back.
TransferCurve linearising_curve(TransferFunction transfer) {
  switch (transfer) {
    case TransferFunction::gamma22:
      return {.power = 2.2f};
    case TransferFunction::gamma28:
      return {.power = 2.8f};
    case TransferFunction::srgb:
      return {.threshold = 0.04045f, .slope = 1.0f / 12.92f, .beta = 1.0f / 1.055f, .gamma = 0.055f / 1.055f,
              .power = 2.4f};
    case TransferFunction::linear:
      return {.identity = true};
    case TransferFunction::bt709:
    default:
      return {.threshold = 0.081f, .slope = 1.0f / 4.5f, .beta = 1.0f / 1.099f, .gamma = 0.099f / 1.099f,
              .power = 1.0f / 0.45f};
  }
}

TransferCurve encoding_curve(TransferFunction transfer) {
  switch (transfer) {
    case TransferFunction::gamma22:
      return {.power = 1.0f / 2.2f};
    case TransferFunction::gamma28:
      return {.power = 1.0f / 2.8f};
    case TransferFunction::srgb:
      return {.threshold = 0.0031308f, .slope = 12.92f, .alpha = 1.055f, .power = 1.0f / 2.4f, .delta = -0.055f};
    case TransferFunction::linear:
      return {.identity = true};
    case TransferFunction::bt709:
    default:
      return {.threshold = 0.018f, .slope = 4.5f, .alpha = 1.099f, .power = 0.45f, .delta = -0.099f};
  }
}

bool planes_equal(const Tensor& planes) {
  const std::size_t n = planes.shape().plane_size();
  return std::equal(planes.plane(0, 0), planes.plane(0, 0) + n, planes.plane(0, 1)) &&
         std::equal(planes.plane(0, 1), planes.plane(0, 1) + n, planes.plane(0, 2));
}

YcbcrSpace ycbcr_of(const Colourimetry& c, int bits) { return YcbcrSpace{c.matrix, c.range, bits}; }

PrimariesMatrix float_matrix(const Matrix& m) {
  PrimariesMatrix out{};
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 3; ++j) out[i][j] = static_cast<float>(m[i][j]);
  }
  return out;
}

// R'G'B' planes (count values each) from `from` to `to`, in place.
void convert_rgb(float* r, float* g, float* b, std::size_t count, const Colourimetry& from, const Colourimetry& to) {
  if (from.primaries == to.primaries && from.transfer == to.transfer) return;
  convert_primaries(r, g, b, count, linearising_curve(from.transfer), float_matrix(primaries_matrix(from.primaries, to.primaries)),
                    encoding_curve(to.transfer));
}

}  // namespace

std::string to_string(ColourPrimaries primaries) {
  switch (primaries) {
    case ColourPrimaries::bt470bg:
      return "bt470bg";
    case ColourPrimaries::smpte170m:
      return "smpte170m";
    case ColourPrimaries::bt470m:
      return "bt470m";
    case ColourPrimaries::bt2020:
      return "bt2020";
    case ColourPrimaries::bt709:
    default:
      return "bt709";
  }
}

std::string to_string(TransferFunction transfer) {
  switch (transfer) {
    case TransferFunction::gamma22:
      return "gamma22";
    case TransferFunction::gamma28:
      return "gamma28";
    case TransferFunction::srgb:
      return "srgb";
    case TransferFunction::linear:
      return "linear";
    case TransferFunction::bt709:
    default:
      return "bt709";
  }
}

Frame convert_colour(const Frame& frame, const Colourimetry& from, const Colourimetry& to) {
  const auto& shape = frame.planes.shape();
  const std::size_t n = shape.plane_size();
  if (frame.colour == FrameColour::grey) return frame;  // no colour to convert; grey's Y' is its R'G'B'
  if (frame.colour == FrameColour::rgb) {
    Frame out = frame;
    if (!planes_equal(frame.planes)) {
      convert_rgb(out.planes.plane(0, 0), out.planes.plane(0, 1), out.planes.plane(0, 2), n, from, to);
    }
    return out;
  }
  // Y'CbCr: every plane is written below (alpha copied), none copied first.
  Frame out = empty_like(frame);
  out.motion = frame.motion;  // the same picture, the same motion
  out.planes.resize_for_overwrite(shape);
  out.chroma.resize_for_overwrite(frame.chroma.shape());
  for (int c = 1; c < shape.c; ++c) std::memcpy(out.planes.plane(0, c), frame.planes.plane(0, c), n * sizeof(float));
  const YcbcrSpace in_space = ycbcr_of(from, frame.bits);
  const YcbcrSpace out_space = ycbcr_of(to, frame.bits);
  out.space = out_space;
  if (chroma_is_neutral(frame.chroma.data(), frame.chroma.shape().elements(), in_space)) {
    // Grey: R' = G' = B' maps onto itself; only Y's range may change.
    luma_to_grey(frame.planes.plane(0, 0), out.planes.plane(0, 0), n, in_space);
    grey_to_luma(out.planes.plane(0, 0), out.planes.plane(0, 0), n, out_space);
    std::fill(out.chroma.data(), out.chroma.data() + out.chroma.shape().elements(), neutral_chroma(out_space));
    return out;
  }
  // Chroma brought to full resolution, converted there with luma in one pass, brought back.
  Tensor full_chroma;
  full_chroma.resize_for_overwrite({1, 2, shape.h, shape.w});
  for (int c = 0; c < 2; ++c) {
    cv::Mat dst = full_chroma.plane_mat(0, c);
    cv::resize(frame.chroma.plane_mat(0, c), dst, dst.size(), 0, 0, cv::INTER_LINEAR);
  }
  const bool same_light = from.primaries == to.primaries && from.transfer == to.transfer;
  PrimariesMatrix matrix{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
  if (!same_light) matrix = float_matrix(primaries_matrix(from.primaries, to.primaries));
  const TransferCurve none{.identity = true};
  convert_ycbcr(frame.planes.plane(0, 0), full_chroma.plane(0, 0), full_chroma.plane(0, 1), out.planes.plane(0, 0),
                full_chroma.plane(0, 0), full_chroma.plane(0, 1), n, ycbcr_coefficients(in_space),
                same_light ? none : linearising_curve(from.transfer), matrix,
                same_light ? none : encoding_curve(to.transfer), ycbcr_coefficients(out_space));
  for (int c = 0; c < 2; ++c) {
    cv::Mat dst = out.chroma.plane_mat(0, c);
    if (frame.chroma_shift_x == 0 && frame.chroma_shift_y == 0) {
      std::memcpy(out.chroma.plane(0, c), full_chroma.plane(0, c), n * sizeof(float));
    } else {
      cv::resize(full_chroma.plane_mat(0, c), dst, dst.size(), 0, 0, cv::INTER_AREA);
    }
  }
  return out;
}

}  // namespace r4k
