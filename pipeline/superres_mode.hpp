// The two kinds of stream r4ksuperres takes under its one element name (one
// GType): video frames and raster tiles. set_caps chooses the kind once per
// caps; the element's buffer and allocation vfuncs go to it instead of
// testing the kind in each.
#pragma once

#include <gst/base/gstbasetransform.h>

namespace r4k::pipeline {

class SuperresMode {
 public:
  virtual ~SuperresMode() = default;

  virtual GstFlowReturn prepare_output_buffer(GstBaseTransform* trans, GstBuffer* input, GstBuffer** output) = 0;
  virtual GstFlowReturn transform(GstBaseTransform* trans, GstBuffer* input, GstBuffer* output) = 0;
  virtual gboolean propose_allocation(GstBaseTransform* trans, GstQuery* decide_query, GstQuery* query) = 0;
  virtual gboolean decide_allocation(GstBaseTransform* trans, GstQuery* query) = 0;
};

}  // namespace r4k::pipeline
