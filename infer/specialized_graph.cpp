#include "infer/specialized_graph.hpp"

#include "core/error.hpp"
#include "infer/constant_folding.hpp"

namespace r4k::infer {

int SpecializedGraph::uses(const std::string& value) const {
  const auto found = uses_.find(value);
  return found == uses_.end() ? 0 : found->second;
}

const std::vector<std::size_t>& SpecializedGraph::consumers(const std::string& value) const {
  static const std::vector<std::size_t> none;
  const auto found = consumers_.find(value);
  return found == consumers_.end() ? none : found->second;
}

std::optional<std::size_t> SpecializedGraph::producer(const std::string& value) const {
  const auto found = producers_.find(value);
  if (found == producers_.end()) return std::nullopt;
  return found->second;
}

SpecializedGraph specialize(const Graph& graph, const Dims& input_dims) {
  const auto fail_input = [&graph](const std::string& message) {
    throw InputError("ONNX model '" + graph.source + "' " + message);
  };
  if (graph.input_dims.size() == input_dims.size()) {
    for (std::size_t i = 1; i < input_dims.size(); ++i) {
      if (graph.input_dims[i] > 0 && graph.input_dims[i] != input_dims[i]) {
        fail_input("takes input " + dims_text(graph.input_dims) + ", given " + dims_text(input_dims));
      }
    }
  }
  SpecializedGraph result;
  result.source_ = &graph.source;
  result.input_ = graph.input;
  result.input_dims_ = input_dims;
  result.folded_ = std::make_shared<std::deque<ConstTensor>>();

  // Every value defined so far, by name: what an input naming it resolves to.
  std::map<std::string, Operand> values;
  values[graph.input] = Operand{graph.input, nullptr, input_dims};
  for (const auto& [name, tensor] : graph.constants) values[name] = Operand{name, &tensor, tensor.dims};

  for (const Node& node : graph.nodes) {
    std::vector<Operand> inputs;
    for (const auto& name : node.inputs) {
      if (name.empty()) {
        inputs.emplace_back();
        continue;
      }
      const auto found = values.find(name);
      if (found == values.end()) throw_node_error(graph.source, node, "input '" + name + "' is not available");
      inputs.push_back(found->second);
    }
    ResolvedNode resolved(graph.source, node, std::move(inputs));
    const std::string& out = node.outputs.at(0);
    const auto fold = [&] {
      result.folded_->push_back(fold_constant(resolved));
      const ConstTensor& folded = result.folded_->back();
      values[out] = Operand{out, &folded, folded.dims};
    };
    switch (node.op) {
      case OpType::identity: {
        Operand passed = resolved.input(0);
        if (passed.is_constant()) passed.name = out;  // a runtime value keeps the name it is computed under
        values[out] = passed;
        continue;
      }
      case OpType::constant:
      case OpType::shape:
      case OpType::gather:
      case OpType::unsqueeze:
      case OpType::squeeze:
      case OpType::slice:
      case OpType::cast:
        fold();
        continue;
      default:
        break;
    }
    // Arithmetic on constants only (shape computations) is folded too.
    bool all_constant = true;
    for (const auto& operand : resolved.inputs()) {
      if (operand.present() && !operand.is_constant()) all_constant = false;
    }
    if (all_constant && node.op != OpType::conv && node.op != OpType::conv_transpose) {
      fold();
      continue;
    }
    Dims dims = output_dims(resolved);
    const std::size_t index = result.operations_.size();
    for (const auto& operand : resolved.inputs()) {
      if (!operand.present() || operand.is_constant()) continue;
      ++result.uses_[operand.name];
      result.consumers_[operand.name].push_back(index);
    }
    values[out] = Operand{out, nullptr, dims};
    result.producers_[out] = index;
    result.operations_.push_back(Operation{std::move(resolved), out, std::move(dims)});
  }

  const auto found = values.find(graph.output);
  if (found == values.end()) fail_input("has no value '" + graph.output + "'");
  const Operand& output = found->second;
  if (output.is_constant() || output.dims.size() != 4) fail_input("its output is not a 4-D image tensor");
  result.output_ = output.name;
  result.output_dims_ = output.dims;
  ++result.uses_[output.name];
  return result;
}

}  // namespace r4k::infer
