// The receptive field of a graph, from its structure: how far (in input
// pixels) an output pixel can see. Exact for chains of convolutions,
// activations, element-wise operators, concatenations, pixel shuffles and
// integer resizes; conservative (rounded up, plus one pixel once anything has
// been upsampled before a convolution). Graphs it cannot follow (reshapes,
// transposes, mixed scales) return nothing, and the impulse probe is used.
#pragma once

#include <optional>

#include "infer/graph.hpp"

namespace r4k::infer {

std::optional<int> receptive_field_of(const Graph& graph);

}  // namespace r4k::infer
