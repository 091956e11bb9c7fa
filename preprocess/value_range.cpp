#include "preprocess/value_range.hpp"

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "core/error.hpp"

namespace r4k {
namespace {

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(value);
}

InputError bad_range(const std::string& text, const std::string& why) {
  return InputError("range '" + text + "': " + why + " (expected auto, MIN,MAX such as 0,10000, or bits:N such as bits:12)");
}

}  // namespace

ValueRangeSpec parse_value_range(const std::string& text) {
  if (text == "auto" || text.empty()) return ValueRangeSpec{};
  ValueRangeSpec spec;
  spec.automatic = false;
  if (text.rfind("bits:", 0) == 0) {
    double bits = 0.0;
    if (!parse_number(text.substr(5), bits) || bits != std::floor(bits) || bits < 1 || bits > 32) {
      throw bad_range(text, "the bit depth must be a whole number from 1 to 32");
    }
    spec.explicit_range = ValueRange{0.0, std::ldexp(1.0, static_cast<int>(bits)) - 1.0};
    return spec;
  }
  const auto comma = text.find(',');
  ValueRange range;
  if (comma == std::string::npos || !parse_number(text.substr(0, comma), range.min) ||
      !parse_number(text.substr(comma + 1), range.max)) {
    throw bad_range(text, "not a range");
  }
  if (!(range.min < range.max)) throw bad_range(text, "MIN must be below MAX");
  spec.explicit_range = range;
  return spec;
}

std::string to_string(const ValueRange& range) {
  std::ostringstream out;
  out.precision(10);
  out << range.min << "," << range.max;
  return out.str();
}

}  // namespace r4k
