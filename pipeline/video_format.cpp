#include "pipeline/video_format.hpp"

namespace r4k::pipeline {

const char* superres_formats() {
  return "{ RGB, BGR, RGBx, BGRx, RGBA, BGRA, GRAY8, GRAY16_LE, I420, NV12, Y42B, Y444, I420_10LE, I422_10LE, P010_10LE }";
}

std::optional<RawFormat> raw_format(GstVideoFormat format) {
  switch (format) {
    case GST_VIDEO_FORMAT_RGB:
      return RawFormat::rgb;
    case GST_VIDEO_FORMAT_BGR:
      return RawFormat::bgr;
    case GST_VIDEO_FORMAT_RGBx:
      return RawFormat::rgbx;
    case GST_VIDEO_FORMAT_BGRx:
      return RawFormat::bgrx;
    case GST_VIDEO_FORMAT_RGBA:
      return RawFormat::rgba;
    case GST_VIDEO_FORMAT_BGRA:
      return RawFormat::bgra;
    case GST_VIDEO_FORMAT_GRAY8:
      return RawFormat::gray8;
    case GST_VIDEO_FORMAT_GRAY16_LE:
      return RawFormat::gray16le;
    case GST_VIDEO_FORMAT_I420:
      return RawFormat::i420;
    case GST_VIDEO_FORMAT_NV12:
      return RawFormat::nv12;
    case GST_VIDEO_FORMAT_Y42B:
      return RawFormat::y42b;
    case GST_VIDEO_FORMAT_Y444:
      return RawFormat::y444;
    case GST_VIDEO_FORMAT_I422_10LE:
      return RawFormat::i422_10le;
    case GST_VIDEO_FORMAT_I420_10LE:
      return RawFormat::i420_10le;
    case GST_VIDEO_FORMAT_P010_10LE:
      return RawFormat::p010_10le;
    default:
      return std::nullopt;
  }
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
  for (guint i = 0; i < planes && i < raw.planes.size(); ++i) {
    raw.planes[i].data = static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, i));
    raw.planes[i].stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, i);
  }
  return raw;
}

}  // namespace r4k::pipeline
