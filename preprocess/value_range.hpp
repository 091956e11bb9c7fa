// ValueRange: how the integers (or floats) of a raster map to the [0, 1] the
// models take, and back. One mapping for the whole image and every band, so
// that tiles join without seams and band ratios are kept.
#pragma once

#include <optional>
#include <string>

namespace r4k {

struct ValueRange {
  double min = 0.0;  // maps to 0
  double max = 1.0;  // maps to 1

  float normalise(double value) const { return static_cast<float>((value - min) / (max - min)); }
  double denormalise(float value) const { return min + static_cast<double>(value) * (max - min); }
  bool operator==(const ValueRange&) const = default;
};

// What the user asked for: `auto` (statistics of the whole image), `MIN,MAX`,
// or `bits:N` (a sensor's bit depth: 0 .. 2^N - 1).
struct ValueRangeSpec {
  bool automatic = true;
  std::optional<ValueRange> explicit_range;
};

// Throws InputError naming the text for anything else, or min >= max.
ValueRangeSpec parse_value_range(const std::string& text);

std::string to_string(const ValueRange& range);

}  // namespace r4k
