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

GstCaps* superres_video_caps() {
  const std::string text = std::string("video/x-raw, format = (string) ") + superres_formats() +
                           ", width = (int) [ 1, max ], height = (int) [ 1, max ], framerate = (fraction) [ 0, max ]";
  return gst_caps_from_string(text.c_str());
}

void add_video_pad_templates(GstElementClass* element_class) {
  GstCaps* caps = superres_video_caps();
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);
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

std::optional<Colourimetry> colourimetry(const GstVideoInfo& info, std::string& assumed, std::string& error) {
  Colourimetry c;
  const YcbcrSpace space = ycbcr_space(info);
  c.matrix = space.matrix;
  c.range = GST_VIDEO_INFO_IS_RGB(&info) ? YcbcrRange::full : space.range;
  const int height = GST_VIDEO_INFO_HEIGHT(&info);
  assumed.clear();
  if (info.colorimetry.matrix == GST_VIDEO_COLOR_MATRIX_UNKNOWN && GST_VIDEO_INFO_IS_YUV(&info)) {
    assumed += std::string(assumed.empty() ? "" : ", ") + "matrix " + to_string(c.matrix);
  }
  switch (info.colorimetry.primaries) {
    case GST_VIDEO_COLOR_PRIMARIES_BT709:
      c.primaries = ColourPrimaries::bt709;
      break;
    case GST_VIDEO_COLOR_PRIMARIES_BT470BG:
      c.primaries = ColourPrimaries::bt470bg;
      break;
    case GST_VIDEO_COLOR_PRIMARIES_SMPTE170M:
    case GST_VIDEO_COLOR_PRIMARIES_SMPTE240M:
      c.primaries = ColourPrimaries::smpte170m;
      break;
    case GST_VIDEO_COLOR_PRIMARIES_BT470M:
      c.primaries = ColourPrimaries::bt470m;
      break;
    case GST_VIDEO_COLOR_PRIMARIES_BT2020:
      c.primaries = ColourPrimaries::bt2020;
      break;
    case GST_VIDEO_COLOR_PRIMARIES_UNKNOWN:
      c.primaries = height <= 480 ? ColourPrimaries::smpte170m
                    : height <= 576 ? ColourPrimaries::bt470bg
                                    : ColourPrimaries::bt709;
      assumed += std::string(assumed.empty() ? "" : ", ") + "primaries " + to_string(c.primaries);
      break;
    default:
      error = "primaries with ISO/IEC 23001-8 code " +
              std::to_string(gst_video_color_primaries_to_iso(info.colorimetry.primaries)) +
              " (film, SMPTE 428, DCI-P3, Display P3 or EBU 3213)";
      return std::nullopt;
  }
  switch (info.colorimetry.transfer) {
    case GST_VIDEO_TRANSFER_BT709:
    case GST_VIDEO_TRANSFER_BT601:
    case GST_VIDEO_TRANSFER_BT2020_10:
    case GST_VIDEO_TRANSFER_BT2020_12:
    case GST_VIDEO_TRANSFER_SMPTE240M:
      c.transfer = TransferFunction::bt709;
      break;
    case GST_VIDEO_TRANSFER_GAMMA22:
      c.transfer = TransferFunction::gamma22;
      break;
    case GST_VIDEO_TRANSFER_GAMMA28:
      c.transfer = TransferFunction::gamma28;
      break;
    case GST_VIDEO_TRANSFER_SRGB:
      c.transfer = TransferFunction::srgb;
      break;
    case GST_VIDEO_TRANSFER_GAMMA10:
      c.transfer = TransferFunction::linear;
      break;
    case GST_VIDEO_TRANSFER_UNKNOWN:
      c.transfer = TransferFunction::bt709;
      assumed += std::string(assumed.empty() ? "" : ", ") + "transfer bt709";
      break;
    default:
      error = "transfer function with ISO/IEC 23001-8 code " +
              std::to_string(gst_video_transfer_function_to_iso(info.colorimetry.transfer)) +
              (info.colorimetry.transfer == GST_VIDEO_TRANSFER_SMPTE2084      ? std::string(" (PQ, HDR)")
               : info.colorimetry.transfer == GST_VIDEO_TRANSFER_ARIB_STD_B67 ? std::string(" (HLG, HDR)")
                                                                              : std::string());
      return std::nullopt;
  }
  return c;
}

std::string target_colorimetry(const std::string& target, int bits, bool rgb, YcbcrRange range) {
  const bool bt2020 = target == "bt2020";
  GstVideoColorimetry c;
  c.range = rgb || range == YcbcrRange::full ? GST_VIDEO_COLOR_RANGE_0_255 : GST_VIDEO_COLOR_RANGE_16_235;
  c.matrix = rgb ? GST_VIDEO_COLOR_MATRIX_RGB : bt2020 ? GST_VIDEO_COLOR_MATRIX_BT2020 : GST_VIDEO_COLOR_MATRIX_BT709;
  c.transfer = !bt2020 ? GST_VIDEO_TRANSFER_BT709 : bits > 10 ? GST_VIDEO_TRANSFER_BT2020_12 : GST_VIDEO_TRANSFER_BT2020_10;
  c.primaries = bt2020 ? GST_VIDEO_COLOR_PRIMARIES_BT2020 : GST_VIDEO_COLOR_PRIMARIES_BT709;
  gchar* text = gst_video_colorimetry_to_string(&c);
  std::string result = text != nullptr ? text : "";
  g_free(text);
  return result;
}

Colourimetry target_colourimetry(const std::string& target, bool rgb, YcbcrRange range) {
  Colourimetry c;
  const bool bt2020 = target == "bt2020";
  c.matrix = bt2020 ? YcbcrMatrix::bt2020 : YcbcrMatrix::bt709;
  c.range = rgb ? YcbcrRange::full : range;
  c.primaries = bt2020 ? ColourPrimaries::bt2020 : ColourPrimaries::bt709;
  c.transfer = TransferFunction::bt709;
  return c;
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
