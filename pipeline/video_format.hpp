// Mapping between GStreamer's video descriptions and the library's raw
// frame types: GstVideoFormat <-> RawFormat, caps colourimetry -> YcbcrSpace.
#pragma once

#include <optional>

#include <gst/video/video.h>

#include "preprocess/raw_video.hpp"

namespace r4k::pipeline {

// The formats r4ksuperres negotiates, as a caps format list string.
const char* superres_formats();

std::optional<RawFormat> raw_format(GstVideoFormat format);

// Matrix and range from the caps (GStreamer fills defaults when caps omit
// them: BT.601 for SD, BT.709 for HD, limited range for YUV).
YcbcrSpace ycbcr_space(const GstVideoInfo& info);

// A RawFrame over the planes of a mapped GstVideoFrame (no copy).
RawFrame raw_frame(GstVideoFrame& frame, RawFormat format);

}  // namespace r4k::pipeline
