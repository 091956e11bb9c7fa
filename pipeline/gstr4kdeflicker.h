// r4kdeflicker: removes frame-to-frame brightness and contrast flicker.
#pragma once

#include "pipeline/gstr4ktemporalfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_R4K_DEFLICKER (gst_r4k_deflicker_get_type())
G_DECLARE_FINAL_TYPE(GstR4kDeflicker, gst_r4k_deflicker, GST, R4K_DEFLICKER, GstR4kTemporalFilter)

GST_ELEMENT_REGISTER_DECLARE(r4kdeflicker);

G_END_DECLS
