#include "core/tensor.hpp"

#include <algorithm>
#include <stdexcept>

namespace r4k {

std::string TensorShape::to_string() const {
  return std::to_string(n) + "x" + std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

namespace {
void check(const TensorShape& shape) {
  if (shape.n < 0 || shape.c < 0 || shape.h < 0 || shape.w < 0) {
    throw std::invalid_argument("negative tensor shape " + shape.to_string());
  }
}
}  // namespace

void Tensor::resize(TensorShape shape) {
  check(shape);
  shape_ = shape;
  data_.resize(shape.elements());
}

void Tensor::resize_for_overwrite(TensorShape shape) {
  check(shape);
  shape_ = shape;
  data_.resize_for_overwrite(shape.elements());
}

cv::Mat Tensor::plane_mat(int n, int c) {
  return cv::Mat(shape_.h, shape_.w, CV_32FC1, plane(n, c));
}

cv::Mat Tensor::plane_mat(int n, int c) const {
  // cv::Mat has no const view; callers of the const overload only read.
  return cv::Mat(shape_.h, shape_.w, CV_32FC1, const_cast<float*>(plane(n, c)));
}

void Tensor::fill(float value) { std::fill(data_.begin(), data_.end(), value); }

}  // namespace r4k
