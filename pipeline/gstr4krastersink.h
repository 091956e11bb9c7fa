// r4krastersink: tiles into a georeferenced GeoTIFF or COG.
#pragma once

#include <gst/base/gstbasesink.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_R4K_RASTER_SINK (gst_r4k_raster_sink_get_type())
G_DECLARE_FINAL_TYPE(GstR4kRasterSink, gst_r4k_raster_sink, GST, R4K_RASTER_SINK, GstBaseSink)

GST_ELEMENT_REGISTER_DECLARE(r4krastersink);

G_END_DECLS
