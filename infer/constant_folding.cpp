#include "infer/constant_folding.hpp"

#include <algorithm>
#include <cmath>

#include "infer/quantization.hpp"

namespace r4k::infer {

namespace {

ConstTensor int_tensor(Dims dims, std::vector<std::int64_t> values) {
  ConstTensor t;
  t.is_int = true;
  t.dims = std::move(dims);
  t.ints = std::move(values);
  return t;
}

ConstTensor constant_value(const ResolvedNode& node) {
  const auto found = node.node().attributes.find("value");
  if (found == node.node().attributes.end() || !std::holds_alternative<ConstTensor>(found->second)) {
    node.fail("only tensor-valued Constant nodes are supported");
  }
  return std::get<ConstTensor>(found->second);
}

ConstTensor gather(const ResolvedNode& node) {
  const ConstTensor& data = node.const_input(0);
  const ConstTensor& index = node.const_input(1);
  if (data.dims.size() != 1 || node.node().int_attribute("axis", 0) != 0) node.fail("only 1-D Gather is supported");
  ConstTensor result;
  result.is_int = data.is_int;
  result.dims = index.dims;
  for (std::int64_t i = 0; i < index.elements(); ++i) {
    std::int64_t at = static_cast<std::int64_t>(index.value(static_cast<std::size_t>(i)));
    if (at < 0) at += data.elements();
    if (at < 0 || at >= data.elements()) node.fail("index out of range");
    if (data.is_int) {
      result.ints.push_back(data.ints[static_cast<std::size_t>(at)]);
    } else {
      result.floats.push_back(data.floats[static_cast<std::size_t>(at)]);
    }
  }
  return result;
}

ConstTensor unsqueeze_or_squeeze(const ResolvedNode& node) {
  ConstTensor result = node.const_input(0);
  Dims axes = node.node().ints_attribute("axes");
  if (axes.empty() && node.optional_input(1) != nullptr) axes = node.const_input(1).ints;
  if (node.node().op == OpType::unsqueeze) {
    std::sort(axes.begin(), axes.end());
    for (auto axis : axes) {
      if (axis < 0) axis += static_cast<std::int64_t>(result.dims.size()) + 1;
      if (axis < 0 || axis > static_cast<std::int64_t>(result.dims.size())) node.fail("axis out of range");
      result.dims.insert(result.dims.begin() + axis, 1);
    }
  } else {
    Dims kept;
    for (std::size_t i = 0; i < result.dims.size(); ++i) {
      const bool listed = axes.empty()
                              ? result.dims[i] == 1
                              : std::find(axes.begin(), axes.end(), static_cast<std::int64_t>(i)) != axes.end();
      if (!listed) kept.push_back(result.dims[i]);
    }
    result.dims = kept;
  }
  return result;
}

ConstTensor cast(const ResolvedNode& node) {
  ConstTensor result = node.const_input(0);
  const auto to = node.node().int_attribute("to", 1);
  if (to == 1 && result.is_int) {
    result.floats.assign(result.ints.begin(), result.ints.end());
    result.ints.clear();
    result.is_int = false;
  } else if ((to == 6 || to == 7) && !result.is_int) {
    for (float f : result.floats) result.ints.push_back(static_cast<std::int64_t>(f));
    result.floats.clear();
    result.is_int = true;
  }
  return result;
}

ConstTensor slice(const ResolvedNode& node) {
  const ConstTensor& data = node.const_input(0);
  if (data.dims.size() != 1) node.fail("only 1-D Slice of constants is supported");
  Dims starts = node.node().ints_attribute("starts");
  Dims ends = node.node().ints_attribute("ends");
  if (node.inputs().size() > 2) {
    starts = node.const_input(1).ints;
    ends = node.const_input(2).ints;
  }
  if (starts.size() != 1 || ends.size() != 1) node.fail("only 1-D Slice of constants is supported");
  const std::int64_t n = data.elements();
  auto clamp_index = [n](std::int64_t i) { return std::clamp(i < 0 ? i + n : i, std::int64_t{0}, n); };
  const std::int64_t begin = clamp_index(starts[0]);
  const std::int64_t end = clamp_index(ends[0]);
  ConstTensor result;
  result.is_int = data.is_int;
  for (std::int64_t i = begin; i < end; ++i) {
    if (data.is_int) {
      result.ints.push_back(data.ints[static_cast<std::size_t>(i)]);
    } else {
      result.floats.push_back(data.floats[static_cast<std::size_t>(i)]);
    }
  }
  result.dims = {std::max<std::int64_t>(0, end - begin)};
  return result;
}

ConstTensor concat(const ResolvedNode& node) {
  ConstTensor result;
  result.is_int = true;
  for (std::size_t i = 0; i < node.inputs().size(); ++i) {
    const ConstTensor& part = node.const_input(i);
    if (part.dims.size() > 1) node.fail("only 1-D Concat of constants is supported");
    result.is_int = result.is_int && part.is_int;
    for (std::int64_t k = 0; k < part.elements(); ++k) {
      result.floats.push_back(static_cast<float>(part.value(static_cast<std::size_t>(k))));
      result.ints.push_back(static_cast<std::int64_t>(part.value(static_cast<std::size_t>(k))));
    }
  }
  if (result.is_int) {
    result.floats.clear();
  } else {
    result.ints.clear();
  }
  result.dims = {static_cast<std::int64_t>(result.is_int ? result.ints.size() : result.floats.size())};
  return result;
}

ConstTensor arithmetic(const ResolvedNode& node) {
  const OpType op = node.node().op;
  const ConstTensor& a = node.const_input(0);
  const ConstTensor& b = node.const_input(1);
  const std::int64_t n = std::max(a.elements(), b.elements());
  if ((a.elements() != n && a.elements() != 1) || (b.elements() != n && b.elements() != 1)) {
    node.fail("constant operands of different sizes");
  }
  ConstTensor result;
  result.is_int = a.is_int && b.is_int;
  result.dims = a.elements() == n ? a.dims : b.dims;
  for (std::int64_t i = 0; i < n; ++i) {
    const double x = a.value(static_cast<std::size_t>(a.elements() == 1 ? 0 : i));
    const double y = b.value(static_cast<std::size_t>(b.elements() == 1 ? 0 : i));
    double r = op == OpType::add ? x + y : op == OpType::sub ? x - y : op == OpType::mul ? x * y : 0.0;
    if (op == OpType::div) {
      if (y == 0.0) node.fail("division by zero in constants");
      r = result.is_int ? std::floor(x / y) : x / y;
    }
    if (result.is_int) {
      result.ints.push_back(static_cast<std::int64_t>(r));
    } else {
      result.floats.push_back(static_cast<float>(r));
    }
  }
  return result;
}

}  // namespace

ConstTensor fold_constant(const ResolvedNode& node) {
  switch (node.node().op) {
    case OpType::constant:
      return constant_value(node);
    case OpType::shape: {
      const Dims& dims = node.input(0).dims;
      return int_tensor({static_cast<std::int64_t>(dims.size())}, dims);
    }
    case OpType::gather:
      return gather(node);
    case OpType::unsqueeze:
    case OpType::squeeze:
      return unsqueeze_or_squeeze(node);
    case OpType::cast:
      return cast(node);
    case OpType::slice:
      return slice(node);
    case OpType::concat:
      return concat(node);
    case OpType::add:
    case OpType::sub:
    case OpType::mul:
    case OpType::div:
      return arithmetic(node);
    case OpType::reshape: {
      ConstTensor result = node.const_input(0);
      const Dims before = result.dims;
      result.dims = reshape_dims(node, result.dims);
      if (result.dims != before) result.quantized.reset();  // its axis would no longer mean the same slices
      return result;
    }
    case OpType::quantize_linear:
      return quantize_constant(node);
    case OpType::dequantize_linear:
      return dequantize_constant(node);
    default:
      node.fail("cannot be computed on constants");
  }
}

}  // namespace r4k::infer
