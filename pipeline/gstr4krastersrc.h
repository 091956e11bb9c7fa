// r4krastersrc: a GDAL raster as a stream of tiles.
#pragma once

#include <gst/base/gstpushsrc.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_R4K_RASTER_SRC (gst_r4k_raster_src_get_type())
G_DECLARE_FINAL_TYPE(GstR4kRasterSrc, gst_r4k_raster_src, GST, R4K_RASTER_SRC, GstPushSrc)

GST_ELEMENT_REGISTER_DECLARE(r4krastersrc);

G_END_DECLS
