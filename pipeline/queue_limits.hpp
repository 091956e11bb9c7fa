// How much a queue between a film chain's heavy stages may hold: a few
// frames, and never more than kQueueBytes (a float 4K frame between r4k
// elements is about 50 MB, so a count alone would let 200 MB wait in each
// queue). A queue is full at whichever limit it reaches first.
#pragma once

#include <string>
#include <vector>

#include <glib.h>

namespace r4k::pipeline {

inline constexpr guint kQueueBuffers = 4;
inline constexpr guint kQueueBytes = guint{64} << 20;

// The same limits as gst-launch properties of a queue.
inline std::vector<std::string> queue_limit_arguments() {
  return {"max-size-buffers=" + std::to_string(kQueueBuffers), "max-size-bytes=" + std::to_string(kQueueBytes),
          "max-size-time=0"};
}

}  // namespace r4k::pipeline
