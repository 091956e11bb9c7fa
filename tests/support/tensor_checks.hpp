// Tensor helpers shared by the tests: random data and comparisons.
#pragma once

#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "core/tensor.hpp"

namespace r4k::testing {

// Uniform values in [0, 1), deterministic for a seed.
inline Tensor random_tensor(TensorShape shape, unsigned seed) {
  Tensor tensor(shape);
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  for (std::size_t i = 0; i < shape.elements(); ++i) tensor.data()[i] = uniform(random);
  return tensor;
}

// max |a - b|; a test failure when the shapes differ.
inline float max_abs_difference(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  if (a.shape() != b.shape()) return INFINITY;
  float worst = 0.0f;
  for (std::size_t i = 0; i < a.shape().elements(); ++i) worst = std::max(worst, std::abs(a.data()[i] - b.data()[i]));
  return worst;
}

}  // namespace r4k::testing
