// Tensor: a dense float NCHW buffer. Planar images are tensors with n == 1;
// batches of same-size tiles are tensors with n == tiles.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "core/float_buffer.hpp"

namespace r4k {

struct TensorShape {
  int n = 0;
  int c = 0;
  int h = 0;
  int w = 0;

  std::size_t plane_size() const { return static_cast<std::size_t>(h) * static_cast<std::size_t>(w); }
  std::size_t elements() const {
    return static_cast<std::size_t>(n) * static_cast<std::size_t>(c) * plane_size();
  }
  bool operator==(const TensorShape&) const = default;
  std::string to_string() const;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(TensorShape shape) { resize(shape); }

  // Changes the shape, keeping the allocation when it is large enough (so
  // that steady-state tile loops do not allocate). Contents are unspecified.
  void resize(TensorShape shape);
  // As resize, for a tensor that is about to be written whole: the values it
  // gains are not zeroed first.
  void resize_for_overwrite(TensorShape shape);

  const TensorShape& shape() const { return shape_; }
  bool empty() const { return shape_.elements() == 0; }
  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }

  float* plane(int n, int c) { return data_.data() + plane_offset(n, c); }
  const float* plane(int n, int c) const { return data_.data() + plane_offset(n, c); }

  // A cv::Mat header (CV_32FC1, h x w) over one plane; no copy.
  cv::Mat plane_mat(int n, int c);
  cv::Mat plane_mat(int n, int c) const;

  void fill(float value);

 private:
  std::size_t plane_offset(int n, int c) const {
    return (static_cast<std::size_t>(n) * static_cast<std::size_t>(shape_.c) + static_cast<std::size_t>(c)) *
           shape_.plane_size();
  }

  TensorShape shape_;
  FloatBuffer data_;
};

}  // namespace r4k
