// Mapping between GStreamer's video descriptions and the library's raw
// frame types: GstVideoFormat <-> RawFormat, caps colourimetry -> YcbcrSpace.
#pragma once

#include <optional>

#include <gst/video/video.h>

#include "preprocess/colour_conversion.hpp"
#include "preprocess/raw_video.hpp"

namespace r4k::pipeline {

// The formats r4ksuperres negotiates, as a caps format list string.
const char* superres_formats();

// Raw video in those formats, any size and rate (new caps, owned by the caller).
GstCaps* superres_video_caps();

// The always-present sink and src pad templates of a video filter taking
// and giving superres_video_caps().
void add_video_pad_templates(GstElementClass* element_class);

std::optional<RawFormat> raw_format(GstVideoFormat format);

// Matrix and range from the caps (GStreamer fills defaults when caps omit
// them: BT.601 for SD, BT.709 for HD, limited range for YUV).
YcbcrSpace ycbcr_space(const GstVideoInfo& info);

// Matrix, range, primaries and transfer from the caps. Fields the caps leave
// unknown take the usual assumption for the frame size (primaries SMPTE 170M
// for 525-line SD, BT.470 B/G for 625-line SD, BT.709 above; the BT.709
// transfer curve), and `assumed` lists them. Returns nullopt, with `error`
// naming the value, for primaries or transfer functions restore4k cannot
// convert (e.g. PQ, HLG, DCI-P3).
std::optional<Colourimetry> colourimetry(const GstVideoInfo& info, std::string& assumed, std::string& error);

// The caps colorimetry string of `target` ("bt709" or "bt2020") for frames
// of `bits` bits, in Y'CbCr or (rgb) R'G'B', in `range` (a conversion keeps
// the input's range: changing it would requantise every sample).
std::string target_colorimetry(const std::string& target, int bits, bool rgb, YcbcrRange range);
// `target` as a Colourimetry in `range`.
Colourimetry target_colourimetry(const std::string& target, bool rgb, YcbcrRange range);

// A RawFrame over the planes of a mapped GstVideoFrame (no copy).
RawFrame raw_frame(GstVideoFrame& frame, RawFormat format);

}  // namespace r4k::pipeline
