// Denoise: removes film grain and video noise. Each plane's noise sigma is
// estimated from the frame itself (a robust statistic of a Laplacian-like
// high-pass that ignores smooth gradients). The previous and next frames,
// lined up with the current one by motion_search, are averaged in with
// per-pixel weights that fall to zero where the compensated neighbour differs
// by more than the noise explains (motion the search missed, real change),
// then a light 3 x 3 bilateral pass whose range sigma follows the noise left
// after the averaging. Without noise nothing changes.
#pragma once

#include "preprocess/frame.hpp"

namespace r4k {

// Noise sigma (in the plane's [0, 1] units) of a width x height plane:
// the median absolute response to the 3 x 3 kernel [1 -2 1]^T [1 -2 1]
// (which removes constants and linear gradients along either axis), scaled to
// the sigma of white Gaussian noise. Texture raises it a little; edges, being
// sparse, hardly at all. 0 for planes under 3 x 3.
double estimate_noise(const float* plane, int width, int height);

struct DenoiseSettings {
  // 0 = off; 1 = remove noise of the estimated level; up to 4 (stronger
  // smoothing, more risk to fine detail). Clamped to [0, 4].
  double strength = 1.0;
  bool temporal = true;  // average in the motion-compensated neighbours
  bool spatial = true;   // then the bilateral pass
  // Motion search (luma pixels).
  int block = 8;
  int search_range = 7;
};

// Denoises `current` in place. `previous` and `next` (same size and colour
// model) may be nullptr at the ends of a sequence; with neither, or with
// temporal off, only the spatial pass runs. Colour planes and chroma are
// denoised; alpha is left alone. The neighbours are lined up with
// `current.motion` when the dust removal left it (searched with the same
// block and range), else searched here.
void denoise_frame(const Frame* previous, Frame& current, const Frame* next, const DenoiseSettings& settings);

}  // namespace r4k
