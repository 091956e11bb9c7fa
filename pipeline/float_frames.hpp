// Frames passed between restore4k's elements in full precision: the planar
// float Frame itself travels, so that decode -> ... -> encode quantises once,
// where the last r4k element packs to the output's format.
//
// Caps: `video/x-raw(memory:R4kFloatFrame)` with the fields of the raw
// format the frame stands for (format, size, colorimetry: the Frame keeps
// that format's chroma layout and normalisation); the buffer carries the
// Frame in a meta, and its memory wraps the frame's planes (read-only: for
// byte accounting in queues, not for reading). An r4k element offers these
// caps downstream only when the next element that handles the stream (past
// queues, ghost pads and passthrough elements) answers the `r4k-float-frames`
// query, which every r4k video element does: beside GStreamer's own elements
// (videoconvert, encoders, sinks, even ANY-caps sinks such as filesink)
// they negotiate standard raw video as before.
#pragma once

#include <memory>

#include <gst/video/video.h>

#include "preprocess/frame.hpp"
#include "preprocess/raw_video.hpp"

namespace r4k::pipeline {

inline constexpr const char* kFloatFrameFeature = "memory:R4kFloatFrame";

// Whether the (first structure of the) caps carry float frames.
bool carries_float_frames(const GstCaps* caps);

// `caps` (taken) with each video/x-raw structure offered as float frames
// first (when `float_too`) and as system-memory raw video; other
// structures (raster tiles) as they are.
GstCaps* with_float_frames(GstCaps* caps, bool float_too);

// For fixate_caps: `caps` (taken) reduced to its float-frame structures when
// it has any (the peer may list raw video first), else as it is.
GstCaps* prefer_float_frames(GstCaps* caps);

// Whether what follows `trans`'s source pad takes float frames (the query),
// and the answer to it on a sink pad (true when `query` was that query).
bool downstream_takes_float_frames(GstBaseTransform* trans);
bool answer_float_frames_query(GstQuery* query);

// The frame a buffer carries (null when it carries none), and a buffer made
// to carry one (its memory replaced).
std::shared_ptr<const Frame> float_frame(GstBuffer* buffer);
void set_float_frame(GstBuffer* buffer, std::shared_ptr<const Frame> frame);

// The always-present sink and src pad templates of an r4k video element:
// raw video in the formats r4ksuperres negotiates, and those as float frames.
void add_frame_pad_templates(GstElementClass* element_class);

// How an element's two pads carry frames (from the caps in set_info) and the
// reading and writing that follow from it.
struct FrameCarriage {
  bool float_in = false;
  bool float_out = false;
  RawFormat format = RawFormat::rgb;
  YcbcrSpace space;  // the input's

  void set(GstCaps* incaps, GstCaps* outcaps, RawFormat raw, const YcbcrSpace& ycbcr);
  // The input frame (unpacked from raw video, or the one carried). Throws Error.
  std::shared_ptr<const Frame> read(GstBuffer* input, const GstVideoInfo& info) const;
  // `frame` into `output` (packed into its raw video, or carried). Throws Error.
  void write(Frame&& frame, GstBuffer* output, const GstVideoInfo& info) const;
};

// GstVideoFilter vfuncs for a subclass that carries frames of either kind
// (its own `transform` reads and writes them with a FrameCarriage):
// prepare_output_buffer (float output: a new buffer with the input's flags
// and times, no memory until written; raw: the video pool's), query (the
// float-frames query answered on the sink pad) and set_caps (GstVideoFilter
// would work in place for a subclass without transform_frame).
void carry_frames(GstBaseTransformClass* klass);
GstFlowReturn prepare_frame_output(GstBaseTransform* trans, GstBuffer* input, GstBuffer** output);
gboolean frames_query(GstBaseTransform* trans, GstPadDirection direction, GstQuery* query);
gboolean frames_set_caps(GstBaseTransform* trans, GstCaps* incaps, GstCaps* outcaps);

}  // namespace r4k::pipeline
