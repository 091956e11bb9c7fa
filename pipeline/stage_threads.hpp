// Which stage of a running pipeline each of its streaming threads carries.
// GStreamer names the thread of a pad's task "ELEMENT:PAD" (cut to Linux's
// 15 characters): a queue's source task runs the elements after the queue up
// to the next queue, a pulling demuxer's sink task the elements from it on.
// Threads the stage's elements start themselves (the engine's OpenMP
// workers) inherit the name, so a thread's CPU time is its stage's.
#pragma once

#include <map>
#include <string>

#include <gst/gst.h>

namespace r4k::pipeline {

// Thread name -> the stage it runs ("dustbust", "superres + keep"), for every
// queue and pulling element in `pipeline` and the bins inside it.
std::map<std::string, std::string> stage_threads(GstElement* pipeline);

}  // namespace r4k::pipeline
