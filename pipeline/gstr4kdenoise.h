// r4kdenoise: see gstr4kdenoise.cpp.
#pragma once

#include "pipeline/gstr4ktemporalfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_R4K_DENOISE (gst_r4k_denoise_get_type())
G_DECLARE_FINAL_TYPE(GstR4kDenoise, gst_r4k_denoise, GST, R4K_DENOISE, GstR4kTemporalFilter)

GST_ELEMENT_REGISTER_DECLARE(r4kdenoise);

G_END_DECLS
