// r4kdustbust: see gstr4kdustbust.cpp.
#pragma once

#include "pipeline/gstr4ktemporalfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_R4K_DUSTBUST (gst_r4k_dustbust_get_type())
G_DECLARE_FINAL_TYPE(GstR4kDustbust, gst_r4k_dustbust, GST, R4K_DUSTBUST, GstR4kTemporalFilter)

GST_ELEMENT_REGISTER_DECLARE(r4kdustbust);

G_END_DECLS
