// Probe runs: what a model does, found by running it.
//
// Scale: the output size of a small input divided by its size (both axes
// must agree, and be an integer).
//
// Receptive field: run the model on a smooth random image and on the same
// image with one pixel changed, and find the farthest output pixel that moved.
// Mapping output pixel o to input pixel floor(o / scale), the radius is the
// largest distance from the changed pixel. Any change counts, however small:
// the engines compute each output from its own neighbourhood only, so outside
// the receptive field the two runs agree bit for bit (checked on SRVGG: the
// response 18 px out is 1e-5 of the peak, and exactly 0 beyond). A backend
// whose arithmetic mixed in far pixels would make the probe grow until it
// reports unbounded: slow, never inexact. Limits: the probe sees one set of weights and one neighbourhood, so a
// response that is exactly zero there (a dead activation) is missed; models
// whose response reaches the probe's border at the largest affordable size
// (global pooling, attention) are reported as unbounded (-1). A sidecar's
// `receptive_field` overrides the probe.
#pragma once

#include "infer/engine.hpp"

namespace r4k::infer {

// Throws InputError when the output is not an integer multiple of the input.
int probe_scale(Engine& engine, int channels);

// Returns the radius in input pixels, or -1 when unbounded within the budget
// (`max_flops` of work for one probe pair).
int probe_receptive_field(Engine& engine, int channels, int scale, double flops_per_pixel, double max_flops = 2e10);

}  // namespace r4k::infer
