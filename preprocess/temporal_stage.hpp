// TemporalStage: one step of film clean-up that looks at a frame's
// neighbours in time (deflicker, dust removal, denoise). The stage says how
// many frames after the current one it must have seen (lookahead) and how
// many neighbours' pictures it reads (context); whoever drives it (the
// r4k temporal elements, or a test) keeps that window and calls process()
// once per frame, in order. No GStreamer here.
#pragma once

#include <deque>
#include <memory>

#include "preprocess/frame.hpp"

namespace r4k {

// The pictures around the current frame: at(0) is the current one (as it
// came in), at(-1) the previous, at(+1) the next; nullptr where the shot has
// none (start or end of the stream, or beyond the stage's context).
class FrameWindow {
 public:
  FrameWindow(const std::deque<std::shared_ptr<const Frame>>& frames, std::size_t current)
      : frames_(frames), current_(current) {}
  const Frame* at(int offset) const {
    const long long index = static_cast<long long>(current_) + offset;
    if (index < 0 || index >= static_cast<long long>(frames_.size())) return nullptr;
    return frames_[static_cast<std::size_t>(index)].get();
  }

 private:
  const std::deque<std::shared_ptr<const Frame>>& frames_;
  std::size_t current_;
};

class TemporalStage {
 public:
  virtual ~TemporalStage() = default;
  // Frames after the current one that must have arrived before it is processed.
  virtual int lookahead() const = 0;
  // Neighbours on each side whose pictures process() reads (<= lookahead).
  virtual int context() const = 0;
  // Frames before the current one whose pictures or observations its result
  // depends on: decoding that many frames earlier gives the same result as
  // decoding from the stream's start (a film split over machines relies on it).
  virtual int history() const { return context(); }
  // Every frame, in order, as it arrives (before any process() that needs it).
  virtual void observe(const Frame& /*frame*/) {}
  // The next frame in order: `current` starts as a copy of window.at(0).
  virtual void process(const FrameWindow& window, Frame& current) = 0;
  // A discontinuity (seek, flush, new caps): forget what was observed.
  virtual void reset() {}
};

}  // namespace r4k
