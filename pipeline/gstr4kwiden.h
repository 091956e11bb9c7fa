// r4kwiden: the same pictures in a format that holds at least as much
// (deeper, finer chroma, another layout), exactly.
#pragma once

#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_R4K_WIDEN (gst_r4k_widen_get_type())
G_DECLARE_FINAL_TYPE(GstR4kWiden, gst_r4k_widen, GST, R4K_WIDEN, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE(r4kwiden);

G_END_DECLS
