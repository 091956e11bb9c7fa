// r4kframetimes: repairs the presentation times a decoder guessed wrongly
// for pictures whose packets carried none (B-frames of MPEG program streams).
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_R4K_FRAME_TIMES (gst_r4k_frame_times_get_type())
G_DECLARE_FINAL_TYPE(GstR4kFrameTimes, gst_r4k_frame_times, GST, R4K_FRAME_TIMES, GstElement)

GST_ELEMENT_REGISTER_DECLARE(r4kframetimes);

G_END_DECLS
