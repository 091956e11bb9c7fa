#include "decode/container_framing.hpp"

#include <initializer_list>

namespace r4k::decode {

namespace {

bool whole_number_of(std::int64_t size, std::initializer_list<std::int64_t> units) {
  for (const std::int64_t unit : units) {
    if (size % unit == 0) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> cut_inside_framing(const std::string& format_name, std::int64_t file_size) {
  if (file_size <= 0) return std::nullopt;
  if (format_name == "mpegts" && !whole_number_of(file_size, {188, 192, 204})) {
    return "the file ends inside an MPEG-TS packet: it was cut short (" + std::to_string(file_size) +
           " bytes are no whole number of 188-, 192- or 204-byte packets)";
  }
  if (format_name == "dv" && !whole_number_of(file_size, {120000, 144000})) {
    return "the file ends inside a DV frame: it was cut short (" + std::to_string(file_size) +
           " bytes are no whole number of 120000- or 144000-byte frames)";
  }
  return std::nullopt;
}

}  // namespace r4k::decode
