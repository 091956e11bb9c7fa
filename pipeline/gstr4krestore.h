// r4krestore: the film restoration chain as one bin.
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_R4K_RESTORE (gst_r4k_restore_get_type())
G_DECLARE_FINAL_TYPE(GstR4kRestore, gst_r4k_restore, GST, R4K_RESTORE, GstBin)

GST_ELEMENT_REGISTER_DECLARE(r4krestore);

G_END_DECLS
