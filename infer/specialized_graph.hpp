// A Graph specialised for one concrete input shape: constant subgraphs
// (shape arithmetic, Constant nodes) folded away, Identity and Dropout
// resolved to the value they pass on, every runtime tensor's dims inferred,
// and what is left the runtime operations only, in topological order, each
// with its operands resolved (runtime values by name and dims, constants as
// ConstTensor). Backend-independent: fusion_plan works on it and a backend
// lowers it; shape errors are found here, before any backend is involved.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "infer/graph.hpp"
#include "infer/shape_inference.hpp"

namespace r4k::infer {

// One runtime operation: its node with resolved inputs, the runtime value it
// computes and that value's dims.
struct Operation {
  ResolvedNode node;
  std::string output;
  Dims output_dims;

  OpType op() const { return node.node().op; }
  const std::vector<Operand>& inputs() const { return node.inputs(); }
};

class SpecializedGraph {
 public:
  const std::string& source() const { return *source_; }  // the model file, for messages
  const std::string& input() const { return input_; }
  const Dims& input_dims() const { return input_dims_; }
  const std::string& output() const { return output_; }
  const Dims& output_dims() const { return output_dims_; }
  const std::vector<Operation>& operations() const { return operations_; }

  // How often a runtime value is read: once per operation input that names
  // it, plus one if it is the graph's output.
  int uses(const std::string& value) const;
  // The operations reading `value`, in order (one reading it twice is listed twice).
  const std::vector<std::size_t>& consumers(const std::string& value) const;
  // The operation that computes `value`; nullopt for the graph input (and
  // for names that are not runtime values).
  std::optional<std::size_t> producer(const std::string& value) const;

 private:
  friend SpecializedGraph specialize(const Graph& graph, const Dims& input_dims);

  const std::string* source_ = nullptr;
  std::string input_;
  Dims input_dims_;
  std::string output_;
  Dims output_dims_;
  std::vector<Operation> operations_;
  std::map<std::string, int> uses_;
  std::map<std::string, std::vector<std::size_t>> consumers_;
  std::map<std::string, std::size_t> producers_;
  // Folded constants, which operands point into; shared by copies.
  std::shared_ptr<std::deque<ConstTensor>> folded_;
};

// `graph` for input dims `input_dims` ([N, C, H, W]). The result points into
// `graph` (nodes, constants, file name), which must outlive it. Throws
// InputError for a shape the graph does not take, an operator the engine
// does not run on image tensors, and every failed shape or attribute rule.
SpecializedGraph specialize(const Graph& graph, const Dims& input_dims);

}  // namespace r4k::infer
