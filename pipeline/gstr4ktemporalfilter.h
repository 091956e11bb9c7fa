// GstR4kTemporalFilter: the abstract base of restore4k's film clean-up
// elements (r4kdeflicker, r4kdustbust, r4kdenoise). It keeps the window of
// frames a TemporalStage needs, delays output by the stage's lookahead
// (reported in the latency query), drains at EOS and before new caps, and
// forgets the window on flushes and discontinuities. Caps are the same on
// both pads: any of r4ksuperres' formats.
#pragma once

#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>

namespace r4k {
class TemporalStage;
}

G_BEGIN_DECLS

#define GST_TYPE_R4K_TEMPORAL_FILTER (gst_r4k_temporal_filter_get_type())
G_DECLARE_DERIVABLE_TYPE(GstR4kTemporalFilter, gst_r4k_temporal_filter, GST, R4K_TEMPORAL_FILTER, GstVideoFilter)

struct _GstR4kTemporalFilterClass {
  GstVideoFilterClass parent_class;
  // A new stage from the element's properties, when the stream starts or
  // its caps change. Throws std::exception for settings it cannot take.
  r4k::TemporalStage* (*create_stage)(GstR4kTemporalFilter* self);
};

// For subclasses' class_init: pad templates with the restore4k formats and
// the element metadata.
void gst_r4k_temporal_filter_class_set_metadata(GstR4kTemporalFilterClass* klass, const char* longname,
                                                const char* description);

G_END_DECLS
