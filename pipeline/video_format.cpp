#include "pipeline/video_format.hpp"

#include <cstring>
#include <string>

namespace r4k::pipeline {

const char* superres_formats() {
  static const std::string list = [] {
    std::string text = "{ ";
    for (const RawFormat format : all_raw_formats()) {
      text += std::string(text.size() > 2 ? ", " : "") + describe(format).name;
    }
    return text + " }";
  }();
  return list.c_str();
}

std::optional<RawFormat> raw_format(GstVideoFormat format) {
  const char* name = gst_video_format_to_string(format);
  if (name == nullptr) return std::nullopt;
  for (const RawFormat raw : all_raw_formats()) {
    if (std::strcmp(describe(raw).name, name) == 0) return raw;
  }
  return std::nullopt;
}

YcbcrSpace ycbcr_space(const GstVideoInfo& info) {
  YcbcrSpace space;
  switch (info.colorimetry.matrix) {
    case GST_VIDEO_COLOR_MATRIX_BT709:
      space.matrix = YcbcrMatrix::bt709;
      break;
    case GST_VIDEO_COLOR_MATRIX_BT2020:
      space.matrix = YcbcrMatrix::bt2020;
      break;
    case GST_VIDEO_COLOR_MATRIX_BT601:
    case GST_VIDEO_COLOR_MATRIX_FCC:
      space.matrix = YcbcrMatrix::bt601;
      break;
    default:
      space.matrix = GST_VIDEO_INFO_HEIGHT(&info) > 576 ? YcbcrMatrix::bt709 : YcbcrMatrix::bt601;
      break;
  }
  space.range = info.colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255 ? YcbcrRange::full : YcbcrRange::limited;
  return space;
}

RawFrame raw_frame(GstVideoFrame& frame, RawFormat format) {
  RawFrame raw;
  raw.format = format;
  raw.width = GST_VIDEO_FRAME_WIDTH(&frame);
  raw.height = GST_VIDEO_FRAME_HEIGHT(&frame);
  const guint planes = GST_VIDEO_FRAME_N_PLANES(&frame);
  for (guint i = 0; i < planes && i < static_cast<guint>(raw.planes.size()); ++i) {
    raw.planes[i].data = static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, i));
    raw.planes[i].stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, i);
  }
  return raw;
}

}  // namespace r4k::pipeline
