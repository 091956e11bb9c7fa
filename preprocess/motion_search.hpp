// Motion search: block motion estimation between two luma planes and motion
// compensation of any plane of the reference frame with the vectors found.
// Integer vectors per block by SAD (sum of absolute differences, each
// difference capped at 0.1 so that dirt in one frame does not steer the
// vector), searched coarse to fine: a full search on planes halved in size,
// then a +-1 pixel refinement at full size around the coarse vectors of the
// block and its neighbours and around the zero vector. The zero vector is
// kept unless another beats it by more than the noise of the footage (judged
// from the median SAD of the best matches) could explain, so that still and
// flat areas do not pick up random vectors. Used by the film clean-up steps
// (dust_removal, denoise) to line neighbouring frames up with the current one.
#pragma once

#include <vector>

namespace r4k {

// One vector per block of `block` x `block` luma pixels, row by row (the last
// column and row of blocks may be cut short by the plane's edge):
// target(x, y) ~ reference(x + dx, y + dy).
struct MotionField {
  int block = 8;
  int blocks_x = 0;
  int blocks_y = 0;
  std::vector<int> dx, dy;
};

// The motion from a frame to its two neighbours, as the dust removal found
// it: carried with the frame (Frame::motion) so that denoise, which lines up
// the same neighbours, does not search again. Valid for a search with the
// same block size and range.
struct NeighbourMotion {
  int block = 8;
  int range = 7;
  MotionField to_previous;  // estimate_motion(previous, current)
  MotionField to_next;      // estimate_motion(next, current)
};

// Vectors from `target` into `reference` (both width x height, row-major),
// each component within [-range, range].
MotionField estimate_motion(const float* reference, const float* target, int width, int height, int block = 8,
                            int range = 7);

// The reference plane (width x height) warped onto the target's grid with the
// field's vectors. For a chroma plane subsampled by shift_x / shift_y, the
// vectors are divided by 1 << shift (odd luma vectors give half-pixel chroma
// vectors, interpolated bilinearly). Samples outside the plane are clamped to
// its edge. `out` is width x height and must not alias `reference`.
void compensate(const float* reference, int width, int height, const MotionField& field, int shift_x, int shift_y,
                float* out);

}  // namespace r4k
