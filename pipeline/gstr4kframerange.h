// r4kframerange: passes a range of frames by their number in the stream and
// drops the others; a film split over machines uses it to restore one
// segment with the context around it.
#pragma once

#include <gst/base/gstbasetransform.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_R4K_FRAME_RANGE (gst_r4k_frame_range_get_type())
G_DECLARE_FINAL_TYPE(GstR4kFrameRange, gst_r4k_frame_range, GST, R4K_FRAME_RANGE, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE(r4kframerange);

G_END_DECLS
