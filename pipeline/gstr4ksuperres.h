// r4ksuperres: neural super-resolution as a GStreamer video filter.
#pragma once

#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_R4K_SUPERRES (gst_r4k_superres_get_type())
G_DECLARE_FINAL_TYPE(GstR4kSuperres, gst_r4k_superres, GST, R4K_SUPERRES, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE(r4ksuperres);

G_END_DECLS
