// r4kfit: scale and pad (or crop) video to a fixed frame, aspect kept.
#pragma once

#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_R4K_FIT (gst_r4k_fit_get_type())
G_DECLARE_FINAL_TYPE(GstR4kFit, gst_r4k_fit, GST, R4K_FIT, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE(r4kfit);

G_END_DECLS
