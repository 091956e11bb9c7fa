// Constant folding: the value of a node whose inputs are all constants, as
// exported graphs compute shapes (Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape, Slice, Cast and arithmetic on shape pieces) and carry constants
// (Constant nodes, Reshape of weights, QuantizeLinear / DequantizeLinear of
// QDQ weights and biases: floats that keep their integers). Shape needs only its input's dims, so
// it folds on runtime tensors too. Backend-independent; specialized_graph
// applies it while it walks a graph for one input shape.
#pragma once

#include "infer/graph.hpp"
#include "infer/shape_inference.hpp"

namespace r4k::infer {

// Constant, Shape, Gather, Unsqueeze, Squeeze, Slice, Cast, Concat, Add, Sub,
// Mul, Div and Reshape; anything else is an InputError ("cannot be computed
// on constants"), as are the forms these are not folded in (Gather other
// than 1-D along axis 0, Slice and Concat of more than 1-D, ...).
ConstTensor fold_constant(const ResolvedNode& node);

}  // namespace r4k::infer
