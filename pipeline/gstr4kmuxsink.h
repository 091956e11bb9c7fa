// r4kmuxsink: the restored picture into a Matroska/MOV/MP4 file, with every
// other stream and the metadata of the input carried over (FFmpeg's muxers).
#pragma once

#include <gst/base/gstbasesink.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_R4K_MUX_SINK (gst_r4k_mux_sink_get_type())
G_DECLARE_FINAL_TYPE(GstR4kMuxSink, gst_r4k_mux_sink, GST, R4K_MUX_SINK, GstBaseSink)

GST_ELEMENT_REGISTER_DECLARE(r4kmuxsink);

G_END_DECLS
