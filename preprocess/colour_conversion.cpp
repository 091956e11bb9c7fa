#include "preprocess/colour_conversion.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include <opencv2/imgproc.hpp>

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

double to_linear(double v, TransferFunction transfer) {
  const double s = v < 0.0 ? -1.0 : 1.0;
  const double a = std::fabs(v);
  switch (transfer) {
    case TransferFunction::gamma22:
      return s * std::pow(a, 2.2);
    case TransferFunction::gamma28:
      return s * std::pow(a, 2.8);
    case TransferFunction::srgb:
      return s * (a <= 0.04045 ? a / 12.92 : std::pow((a + 0.055) / 1.055, 2.4));
    case TransferFunction::linear:
      return v;
    case TransferFunction::bt709:
    default:
      return s * (a < 0.081 ? a / 4.5 : std::pow((a + 0.099) / 1.099, 1.0 / 0.45));
  }
}

double from_linear(double v, TransferFunction transfer) {
  const double s = v < 0.0 ? -1.0 : 1.0;
  const double a = std::fabs(v);
  switch (transfer) {
    case TransferFunction::gamma22:
      return s * std::pow(a, 1.0 / 2.2);
    case TransferFunction::gamma28:
      return s * std::pow(a, 1.0 / 2.8);
    case TransferFunction::srgb:
      return s * (a <= 0.0031308 ? a * 12.92 : 1.055 * std::pow(a, 1.0 / 2.4) - 0.055);
    case TransferFunction::linear:
      return v;
    case TransferFunction::bt709:
    default:
      return s * (a < 0.018 ? 4.5 * a : 1.099 * std::pow(a, 0.45) - 0.099);
  }
}

// A transfer function on [-0.25, 1.25] as a table with linear interpolation:
// a pow per sample is too slow at 4K.
class TransferTable {
 public:
  TransferTable(TransferFunction transfer, bool linearise) {
    for (int i = 0; i < kSize; ++i) {
      const double v = kLow + static_cast<double>(kHigh - kLow) * i / (kSize - 1);
      table_[static_cast<std::size_t>(i)] = static_cast<float>(linearise ? to_linear(v, transfer) : from_linear(v, transfer));
    }
  }
  float operator()(float v) const {
    const float position = (std::clamp(v, kLow, kHigh) - kLow) * static_cast<float>(kSize - 1) / (kHigh - kLow);
    const auto i = std::min(static_cast<int>(position), kSize - 2);
    const float t = position - static_cast<float>(i);
    return table_[static_cast<std::size_t>(i)] * (1.0f - t) + table_[static_cast<std::size_t>(i) + 1] * t;
  }

 private:
  static constexpr int kSize = 16384;
  static constexpr float kLow = -0.25f;
  static constexpr float kHigh = 1.25f;
  std::array<float, kSize> table_{};
};

bool planes_equal(const Tensor& planes) {
  const std::size_t n = planes.shape().plane_size();
  return std::equal(planes.plane(0, 0), planes.plane(0, 0) + n, planes.plane(0, 1)) &&
         std::equal(planes.plane(0, 1), planes.plane(0, 1) + n, planes.plane(0, 2));
}

YcbcrSpace ycbcr_of(const Colourimetry& c, int bits) { return YcbcrSpace{c.matrix, c.range, bits}; }

// R'G'B' planes (count values each) from `from` to `to`, in place.
void convert_rgb(float* r, float* g, float* b, std::size_t count, const Colourimetry& from, const Colourimetry& to) {
  if (from.primaries == to.primaries && from.transfer == to.transfer) return;
  const Matrix m = primaries_matrix(from.primaries, to.primaries);
  const TransferTable linear(from.transfer, true);
  const TransferTable encode(to.transfer, false);
  for (std::size_t i = 0; i < count; ++i) {
    const double lr = linear(r[i]);
    const double lg = linear(g[i]);
    const double lb = linear(b[i]);
    r[i] = encode(static_cast<float>(m[0][0] * lr + m[0][1] * lg + m[0][2] * lb));
    g[i] = encode(static_cast<float>(m[1][0] * lr + m[1][1] * lg + m[1][2] * lb));
    b[i] = encode(static_cast<float>(m[2][0] * lr + m[2][1] * lg + m[2][2] * lb));
  }
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
  Frame out = frame;
  const auto& shape = frame.planes.shape();
  const std::size_t n = shape.plane_size();
  if (frame.colour == FrameColour::grey) return out;  // no colour to convert; grey's Y' is its R'G'B'
  if (frame.colour == FrameColour::rgb) {
    if (!planes_equal(frame.planes)) {
      convert_rgb(out.planes.plane(0, 0), out.planes.plane(0, 1), out.planes.plane(0, 2), n, from, to);
    }
    return out;
  }
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
  Tensor rgb({1, 3, shape.h, shape.w});
  Tensor full_chroma({1, 2, shape.h, shape.w});
  for (int c = 0; c < 2; ++c) {
    cv::Mat dst = full_chroma.plane_mat(0, c);
    cv::resize(frame.chroma.plane_mat(0, c), dst, dst.size(), 0, 0, cv::INTER_LINEAR);
  }
  ycbcr_to_rgb(frame.planes.plane(0, 0), full_chroma.plane(0, 0), full_chroma.plane(0, 1), rgb.plane(0, 0),
               rgb.plane(0, 1), rgb.plane(0, 2), n, in_space);
  convert_rgb(rgb.plane(0, 0), rgb.plane(0, 1), rgb.plane(0, 2), n, from, to);
  rgb_to_ycbcr(rgb.plane(0, 0), rgb.plane(0, 1), rgb.plane(0, 2), rgb.plane(0, 0), rgb.plane(0, 1), rgb.plane(0, 2), n,
               out_space);
  std::memcpy(out.planes.plane(0, 0), rgb.plane(0, 0), n * sizeof(float));
  for (int c = 0; c < 2; ++c) {
    cv::Mat dst = out.chroma.plane_mat(0, c);
    if (frame.chroma_shift_x == 0 && frame.chroma_shift_y == 0) {
      std::memcpy(out.chroma.plane(0, c), rgb.plane(0, c + 1), n * sizeof(float));
    } else {
      cv::resize(rgb.plane_mat(0, c + 1), dst, dst.size(), 0, 0, cv::INTER_AREA);
    }
  }
  return out;
}

}  // namespace r4k
