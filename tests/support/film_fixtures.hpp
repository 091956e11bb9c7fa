// Synthetic film footage for the clean-up tests: clean moving pictures made
// here, and the degradations the elements must remove (flicker with a known
// gain curve, dust specks on single frames, vertical scratches, grain), all
// on 8-bit luma planes.
#pragma once

#include <cstdint>
#include <vector>

#include <gst/gst.h>

namespace r4k::test {

struct LumaPlane {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;
  std::uint8_t& at(int x, int y) { return pixels[static_cast<std::size_t>(y) * width + x]; }
  std::uint8_t at(int x, int y) const { return pixels[static_cast<std::size_t>(y) * width + x]; }
};

// Frame t of a textured scene (gradients, edges, discs, fine texture)
// moving by (dx, dy) pixels per frame; `scene` picks one of two scenes.
LumaPlane moving_scene(int width, int height, int t, int dx, int dy, int scene = 0);

// A gain on the light: v' = 16 + gain * (v - 16) (black stays at the limited
// range's 16), rounded and clamped.
LumaPlane with_gain(const LumaPlane& plane, double gain);

// Dust: `count` blobs of radius 1..3, bright or dark, at random places;
// `mask` (same size, may be null) gets 1 where a blob was drawn.
LumaPlane with_dust(const LumaPlane& plane, int count, unsigned seed, std::vector<std::uint8_t>* mask);

// A vertical scratch `width` px wide at column x, `delta` brighter (or darker).
LumaPlane with_scratch(const LumaPlane& plane, int x, int width, int delta);

// Gaussian grain of `sigma` (in 0..1 units).
LumaPlane with_grain(const LumaPlane& plane, double sigma, unsigned seed);

double mean_of(const LumaPlane& plane);
double psnr(const LumaPlane& a, const LumaPlane& b);
// Mean absolute difference in 0..1 units.
double mean_abs_difference(const LumaPlane& a, const LumaPlane& b);

// An I420 buffer with this luma and neutral chroma, timestamped frame t at 25 fps.
GstBuffer* i420_buffer(const LumaPlane& plane, int t);
const char* i420_caps(int width, int height);  // "video/x-raw,format=I420,..."
// The luma of an I420 buffer.
LumaPlane luma_of(GstBuffer* buffer, int width, int height);

// Pushes every plane (I420, 25 fps) through a GstHarness made of
// `description`, then EOS, and returns the luma of every output buffer.
std::vector<LumaPlane> run_through(const char* description, const std::vector<LumaPlane>& frames);

}  // namespace r4k::test
