// r4kpacketsrc: replays the encoded pictures of film segments with the
// times their packet logs recorded (the join of a film split over machines).
#pragma once

#include <gst/base/gstpushsrc.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_R4K_PACKET_SRC (gst_r4k_packet_src_get_type())
G_DECLARE_FINAL_TYPE(GstR4kPacketSrc, gst_r4k_packet_src, GST, R4K_PACKET_SRC, GstPushSrc)

GST_ELEMENT_REGISTER_DECLARE(r4kpacketsrc);

G_END_DECLS
