// r4kcolorconvert: convert video to BT.709 or BT.2020 (matrix, range,
// primaries, transfer), grey kept exactly grey.
#pragma once

#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_R4K_COLOR_CONVERT (gst_r4k_color_convert_get_type())
G_DECLARE_FINAL_TYPE(GstR4kColorConvert, gst_r4k_color_convert, GST, R4K_COLOR_CONVERT, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE(r4kcolorconvert);

G_END_DECLS
