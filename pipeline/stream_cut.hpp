// StreamCut: stopping a running pipeline within the frames already in flight.
//
// Sending EOS from the sources (what gst-launch-1.0 -e does) lets everything
// the demuxer, the decoder and the queues hold run through the expensive
// stages first: seconds of video, minutes with a neural model. A cut instead
// closes gates at the sink pads of named elements: the video gate (in front
// of the restoration) takes no frame after the cut, the gates of the other
// streams (audio, subtitles) take what lies before the last frame's end, and
// each then sends EOS downstream and tells upstream to stop (flow EOS), so
// the muxer finalises a file that ends where the video ends and decoding
// stops at once. Gates sit on pads named "element.pad": on a sink pad (in
// front of an element) or on a queue's src pad (so that what the queue holds
// beyond the cut stays out too).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <gst/gst.h>

namespace r4k::pipeline {

class StreamCut {
 public:
  // Gates at the pads `video` and `others` ("element.pad") of `pipeline`;
  // throws Error when one is missing.
  StreamCut(GstElement* pipeline, const std::string& video, const std::vector<std::string>& others);
  ~StreamCut();
  StreamCut(const StreamCut&) = delete;
  StreamCut& operator=(const StreamCut&) = delete;

  // From any thread: close the gates (each at its next buffer).
  void cut();

  struct Gate;

 private:
  std::vector<std::unique_ptr<Gate>> gates_;
};

}  // namespace r4k::pipeline
