// The backend-independent passes of the native engine, without oneDNN: the
// ONNX shape and attribute rules, constant folding, the graph specialised for
// one input shape, and the fusion plan.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "infer/constant_folding.hpp"
#include "infer/fusion_plan.hpp"
#include "infer/graph.hpp"
#include "infer/onnx_import.hpp"
#include "infer/shape_inference.hpp"
#include "infer/specialized_graph.hpp"
#include "tests/support/onnx_graph_builder.hpp"

namespace r4k::infer {
namespace {

const std::string kModel = "passes.onnx";

ConstTensor floats(Dims dims, std::vector<float> values) {
  ConstTensor t;
  t.dims = std::move(dims);
  t.floats = std::move(values);
  return t;
}

ConstTensor ints(Dims dims, std::vector<std::int64_t> values) {
  ConstTensor t;
  t.is_int = true;
  t.dims = std::move(dims);
  t.ints = std::move(values);
  return t;
}

Node make_node(OpType op, const std::string& type, const std::string& name, std::vector<std::string> inputs,
               std::string output = "") {
  Node node;
  node.op = op;
  node.type = type;
  node.name = name;
  node.inputs = std::move(inputs);
  node.outputs = {output.empty() ? name + "_out" : output};
  return node;
}

Operand runtime(const std::string& name, Dims dims) { return Operand{name, nullptr, std::move(dims)}; }
Operand constant(const std::string& name, const ConstTensor& tensor) { return Operand{name, &tensor, tensor.dims}; }

// The message of the InputError `action` throws ("" if none).
template <typename Action>
std::string input_error(Action action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

// A Graph written node by node, with constant weights.
class GraphMaker {
 public:
  explicit GraphMaker(std::int64_t channels) {
    graph.source = kModel;
    graph.input = "input";
    graph.input_dims = {-1, channels, -1, -1};
  }

  std::string add(Node node) {
    graph.nodes.push_back(std::move(node));
    return graph.nodes.back().outputs[0];
  }
  std::string constant(const std::string& name, ConstTensor tensor) {
    graph.constants[name] = std::move(tensor);
    return name;
  }
  // A 3x3 same-padded convolution with weights filled with 0.01.
  std::string conv(const std::string& x, std::int64_t cin, std::int64_t cout, const std::string& name) {
    const std::string w =
        constant(name + ".weight",
                 floats({cout, cin, 3, 3}, std::vector<float>(static_cast<std::size_t>(cout * cin * 9), 0.01f)));
    const std::string b =
        constant(name + ".bias", floats({cout}, std::vector<float>(static_cast<std::size_t>(cout), 0.5f)));
    Node node = make_node(OpType::conv, "Conv", name, {x, w, b});
    node.attributes["pads"] = Dims{1, 1, 1, 1};
    return add(std::move(node));
  }
  std::string unary(OpType op, const std::string& type, const std::string& x, const std::string& name) {
    return add(make_node(op, type, name, {x}));
  }
  std::string binary(OpType op, const std::string& type, const std::string& a, const std::string& b,
                     const std::string& name) {
    return add(make_node(op, type, name, {a, b}));
  }
  const Graph& finish(const std::string& output) {
    graph.output = output;
    return graph;
  }

  Graph graph;
};

const ConvolutionGroup& group_at(const FusionPlan& plan, std::size_t index) {
  EXPECT_LT(index, plan.steps.size());
  const auto* group = std::get_if<ConvolutionGroup>(&plan.steps.at(index));
  EXPECT_NE(group, nullptr) << "step " << index << " is not a convolution group";
  static const ConvolutionGroup none;
  return group != nullptr ? *group : none;
}

std::vector<PostOp::Kind> kinds(const ConvolutionGroup& group) {
  std::vector<PostOp::Kind> list;
  for (const auto& post : group.post_ops) list.push_back(post.kind);
  return list;
}

// --- shape and attribute rules

TEST(GraphPassesShapes, ConvolutionWithPadsStridesAndDilations) {
  const ConstTensor weight = floats({8, 4, 3, 3}, std::vector<float>(8 * 4 * 9, 1.0f));
  Node node = make_node(OpType::conv, "Conv", "conv", {"x", "w"});
  node.attributes["strides"] = Dims{2, 1};
  node.attributes["dilations"] = Dims{2, 1};
  node.attributes["pads"] = Dims{1, 0, 2, 1};
  const ConvolutionShape shape =
      convolution_shape(ResolvedNode(kModel, node, {runtime("x", {1, 4, 17, 13}), constant("w", weight)}));
  // (17 + 1 + 2 - 2*2 - 1) / 2 + 1 = 8; (13 + 0 + 1 - 2 - 1) / 1 + 1 = 12.
  EXPECT_EQ(shape.dst_dims, (Dims{1, 8, 8, 12}));
  EXPECT_EQ(shape.pads, (Dims{1, 0, 2, 1}));
  EXPECT_EQ(shape.strides, (Dims{2, 1}));
  EXPECT_EQ(shape.dilations, (Dims{2, 1}));
  EXPECT_EQ(shape.in_channels, 4);
  EXPECT_EQ(shape.out_channels, 8);
  EXPECT_EQ(shape.kernel_h, 3);
  EXPECT_EQ(shape.macs, 8 * 8 * 12 * 4 * 9);
  EXPECT_FALSE(shape.transposed);
}

TEST(GraphPassesShapes, AutoPadSameUpperAndLowerPutTheOddPixelOnOppositeSides) {
  const ConstTensor weight = floats({2, 3, 4, 4}, std::vector<float>(2 * 3 * 16, 1.0f));
  for (const std::string mode : {"SAME_UPPER", "SAME_LOWER"}) {
    Node node = make_node(OpType::conv, "Conv", "conv", {"x", "w"});
    node.attributes["auto_pad"] = mode;
    node.attributes["pads"] = Dims{0, 0, 0, 0};  // overridden by auto_pad
    const ConvolutionShape shape =
        convolution_shape(ResolvedNode(kModel, node, {runtime("x", {2, 3, 9, 10}), constant("w", weight)}));
    EXPECT_EQ(shape.pads, mode == "SAME_UPPER" ? (Dims{1, 1, 2, 2}) : (Dims{2, 2, 1, 1})) << mode;
    EXPECT_EQ(shape.dst_dims, (Dims{2, 2, 9, 10})) << mode;
  }
}

TEST(GraphPassesShapes, GroupedConvolutionAndAGroupThatDoesNotFit) {
  const ConstTensor weight = floats({9, 2, 3, 3}, std::vector<float>(9 * 2 * 9, 1.0f));
  Node node = make_node(OpType::conv, "Conv", "grouped", {"x", "w"});
  node.attributes["group"] = std::int64_t{3};
  const ConvolutionShape shape =
      convolution_shape(ResolvedNode(kModel, node, {runtime("x", {1, 6, 5, 5}), constant("w", weight)}));
  EXPECT_EQ(shape.group, 3);
  EXPECT_EQ(shape.dst_dims, (Dims{1, 9, 3, 3}));
  EXPECT_EQ(shape.macs, 9 * 3 * 3 * 2 * 9);  // each output channel reads its group's 2 channels

  node.attributes["group"] = std::int64_t{2};  // weights [9, 2, ...] x 2 groups = 4 channels, the input has 6
  const std::string message = input_error([&] {
    convolution_shape(ResolvedNode(kModel, node, {runtime("x", {1, 6, 5, 5}), constant("w", weight)}));
  });
  EXPECT_NE(message.find("ONNX model 'passes.onnx': Conv node 'grouped': weights [9, 2, 3, 3] expect 4 input channels, "
                         "the input has 6"),
            std::string::npos)
      << message;
}

TEST(GraphPassesShapes, ConvTransposeWithOutputPadding) {
  const ConstTensor weight = floats({4, 2, 3, 3}, std::vector<float>(4 * 2 * 9, 1.0f));
  Node node = make_node(OpType::conv_transpose, "ConvTranspose", "up", {"x", "w"});
  node.attributes["strides"] = Dims{2, 2};
  node.attributes["pads"] = Dims{1, 1, 1, 1};
  node.attributes["output_padding"] = Dims{1, 0};
  const ConvolutionShape shape =
      convolution_shape(ResolvedNode(kModel, node, {runtime("x", {1, 4, 5, 7}), constant("w", weight)}));
  // (in - 1) * 2 - 1 - 1 + 3 + output_padding
  EXPECT_EQ(shape.dst_dims, (Dims{1, 2, 10, 13}));
  EXPECT_EQ(shape.output_padding, (Dims{1, 0}));
  EXPECT_TRUE(shape.transposed);
  EXPECT_EQ(shape.out_channels, 2);
  EXPECT_EQ(shape.macs, 5 * 7 * 4 * 2 * 9);  // every input pixel scatters a 3x3 kernel

  node.attributes["group"] = std::int64_t{2};  // ConvTranspose weights [Cin, Cout/g, ...]
  EXPECT_EQ(
      convolution_shape(ResolvedNode(kModel, node, {runtime("x", {1, 4, 5, 7}), constant("w", weight)})).out_channels,
      4);
}

TEST(GraphPassesShapes, ResizeByScalesOrSizes) {
  const ConstTensor roi = floats({0}, {});
  const ConstTensor empty = floats({0}, {});
  const ConstTensor scales = floats({4}, {1, 1, 2, 3});
  const ConstTensor sizes = ints({4}, {1, 3, 25, 30});
  Node node = make_node(OpType::resize, "Resize", "resize", {"x", "roi", "scales"});
  const Operand x = runtime("x", {1, 3, 10, 12});
  ResizeShape shape = resize_shape(ResolvedNode(kModel, node, {x, constant("roi", roi), constant("scales", scales)}));
  EXPECT_EQ(shape.dst_dims, (Dims{1, 3, 20, 36}));
  EXPECT_EQ(shape.mode, ResizeMode::nearest);

  // Sizes (with empty scales) win; bilinear takes any factor.
  node.inputs = {"x", "roi", "empty", "sizes"};
  node.attributes["mode"] = std::string("linear");
  shape = resize_shape(
      ResolvedNode(kModel, node, {x, constant("roi", roi), constant("empty", empty), constant("sizes", sizes)}));
  EXPECT_EQ(shape.dst_dims, (Dims{1, 3, 25, 30}));
  EXPECT_EQ(shape.mode, ResizeMode::linear);

  // Nearest by 2.5: refused.
  node.attributes["mode"] = std::string("nearest");
  const std::string message = input_error([&] {
    resize_shape(
        ResolvedNode(kModel, node, {x, constant("roi", roi), constant("empty", empty), constant("sizes", sizes)}));
  });
  EXPECT_NE(message.find("Resize node 'resize': nearest resizing by a non-integer factor is not supported"),
            std::string::npos)
      << message;

  // Upsample(X, scales).
  Node upsample = make_node(OpType::resize, "Upsample", "upsample", {"x", "scales"});
  EXPECT_EQ(resize_shape(ResolvedNode(kModel, upsample, {x, constant("scales", scales)})).dst_dims,
            (Dims{1, 3, 20, 36}));
}

TEST(GraphPassesShapes, ReshapeCopiesZerosInfersMinusOneAndRejectsWhatDoesNotFit) {
  const ConstTensor target = ints({3}, {0, -1, 5});
  Node node = make_node(OpType::reshape, "Reshape", "flatten", {"x", "shape"});
  EXPECT_EQ(
      reshape_dims(ResolvedNode(kModel, node, {runtime("x", {2, 12, 5, 5}), constant("shape", target)}), {2, 12, 5, 5}),
      (Dims{2, 60, 5}));

  const ConstTensor bad = ints({2}, {7, -1});
  Node bad_node = make_node(OpType::reshape, "Reshape", "bad_reshape", {"x", "shape"});
  std::string message = input_error([&] {
    reshape_dims(ResolvedNode(kModel, bad_node, {runtime("x", {2, 12, 5, 5}), constant("shape", bad)}), {2, 12, 5, 5});
  });
  EXPECT_NE(message.find("ONNX model 'passes.onnx': Reshape node 'bad_reshape': cannot infer the -1 dimension"),
            std::string::npos)
      << message;

  // Through the specialisation: the node is named there too.
  GraphMaker maker(12);
  maker.constant("shape", ints({2}, {7, 100}));
  const Graph& graph =
      maker.finish(maker.add(make_node(OpType::reshape, "Reshape", "bad_reshape", {"input", "shape"})));
  message = input_error([&] { specialize(graph, {2, 12, 5, 5}); });
  EXPECT_NE(message.find("Reshape node 'bad_reshape': cannot reshape [2, 12, 5, 5] to [7, 100]"), std::string::npos)
      << message;
}

// Element (n, c, y, x) of plain data `dims`.
float at(const std::vector<float>& data, const Dims& dims, std::int64_t n, std::int64_t c, std::int64_t y,
         std::int64_t x) {
  return data[static_cast<std::size_t>(((n * dims[1] + c) * dims[2] + y) * dims[3] + x)];
}

// transpose(reshape(data, view), perm) over plain data, the slow way.
std::vector<float> permute_plain(const Permutation& permutation, const std::vector<float>& data) {
  const Dims& view = permutation.view_dims;
  const Dims out_dims = permuted_dims(view, permutation.perm);
  std::vector<float> out(data.size());
  Dims index(view.size(), 0);
  for (std::size_t o = 0; o < out.size(); ++o) {
    std::int64_t rest = static_cast<std::int64_t>(o);
    for (std::size_t axis = out_dims.size(); axis-- > 0;) {
      index[static_cast<std::size_t>(permutation.perm[axis])] = rest % out_dims[axis];
      rest /= out_dims[axis];
    }
    std::int64_t offset = 0;
    for (std::size_t axis = 0; axis < view.size(); ++axis) offset = offset * view[axis] + index[axis];
    out[o] = data[static_cast<std::size_t>(offset)];
  }
  return out;
}

TEST(GraphPassesShapes, DepthToSpaceInBothModes) {
  const Dims src{1, 12, 3, 5};
  std::vector<float> data(static_cast<std::size_t>(product(src)));
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i);
  for (const bool crd : {false, true}) {
    SCOPED_TRACE(crd ? "CRD" : "DCR");
    Node node = make_node(OpType::depth_to_space, "DepthToSpace", "d2s", {"x"});
    node.attributes["blocksize"] = std::int64_t{2};
    if (crd) node.attributes["mode"] = std::string("CRD");
    const DepthToSpace d2s = depth_to_space_attributes(ResolvedNode(kModel, node, {runtime("x", src)}));
    EXPECT_EQ(d2s.block, 2);
    EXPECT_EQ(d2s.crd, crd);
    const Dims dst = depth_to_space_dims(src, d2s);
    EXPECT_EQ(dst, (Dims{1, 3, 6, 10}));
    const Permutation permutation = depth_to_space_permutation(src, d2s);
    EXPECT_EQ(permutation.view_dims, crd ? (Dims{1, 3, 2, 2, 3, 5}) : (Dims{1, 2, 2, 3, 3, 5}));
    // The ONNX definition: DCR reads channel (dy * s + dx) * C + c, CRD c * s * s + dy * s + dx.
    const std::vector<float> out = permute_plain(permutation, data);
    for (std::int64_t c = 0; c < 3; ++c) {
      for (std::int64_t y = 0; y < 6; ++y) {
        for (std::int64_t x = 0; x < 10; ++x) {
          const std::int64_t dy = y % 2, dx = x % 2;
          const std::int64_t channel = crd ? c * 4 + dy * 2 + dx : (dy * 2 + dx) * 3 + c;
          ASSERT_EQ(at(out, dst, 0, c, y, x), at(data, src, 0, channel, y / 2, x / 2)) << c << " " << y << " " << x;
        }
      }
    }
    const auto back = as_depth_to_space(permutation);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->block, 2);
    EXPECT_EQ(back->crd, crd);
  }
  EXPECT_FALSE(as_depth_to_space({{1, 2, 3, 4}, {0, 1, 3, 2}}).has_value());
  EXPECT_FALSE(as_depth_to_space({{1, 3, 2, 4, 3, 5}, {0, 1, 4, 2, 5, 3}}).has_value());  // 2 x 4 blocks

  Node odd = make_node(OpType::depth_to_space, "DepthToSpace", "odd", {"x"});
  odd.attributes["blocksize"] = std::int64_t{3};
  const std::string message =
      input_error([&] { depth_to_space_attributes(ResolvedNode(kModel, odd, {runtime("x", src)})); });
  EXPECT_NE(message.find("DepthToSpace node 'odd': blocksize 3 does not divide 12 channels"), std::string::npos)
      << message;
}

// --- constant folding

TEST(GraphPassesFolding, ShapePiecesFoldNodeByNode) {
  Node shape = make_node(OpType::shape, "Shape", "shape", {"x"});
  const ConstTensor dims = fold_constant(ResolvedNode(kModel, shape, {runtime("x", {2, 3, 17, 19})}));
  EXPECT_TRUE(dims.is_int);
  EXPECT_EQ(dims.ints, (std::vector<std::int64_t>{2, 3, 17, 19}));

  const ConstTensor last = ints({}, {-1});
  Node gather = make_node(OpType::gather, "Gather", "gather", {"dims", "index"});
  const ConstTensor w = fold_constant(ResolvedNode(kModel, gather, {constant("dims", dims), constant("index", last)}));
  EXPECT_EQ(w.ints, (std::vector<std::int64_t>{19}));
  EXPECT_TRUE(w.dims.empty());  // a 0-d index gives a 0-d value

  Node unsqueeze = make_node(OpType::unsqueeze, "Unsqueeze", "unsqueeze", {"w"});
  unsqueeze.attributes["axes"] = Dims{0};
  EXPECT_EQ(fold_constant(ResolvedNode(kModel, unsqueeze, {constant("w", w)})).dims, (Dims{1}));

  const ConstTensor two = ints({}, {2});
  Node div = make_node(OpType::div, "Div", "div", {"w", "two"});
  EXPECT_EQ(fold_constant(ResolvedNode(kModel, div, {constant("w", w), constant("two", two)})).ints,
            (std::vector<std::int64_t>{9}));  // integer division floors

  const ConstTensor out_of_range = ints({}, {4});
  const std::string message = input_error([&] {
    fold_constant(ResolvedNode(kModel, gather, {constant("dims", dims), constant("index", out_of_range)}));
  });
  EXPECT_NE(message.find("Gather node 'gather': index out of range"), std::string::npos) << message;
}

TEST(GraphPassesFolding, AnExportedShapeChainBecomesConstantReshapes) {
  // x.view(b, c, s, s, h, w).permute(...).view(b, c, h*s, w*s) with the shapes
  // taken from x.size(): Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
  using namespace r4k::testing;
  GraphBuilder builder(13, 1, "shape_chain");
  builder.add_input("input", dynamic_nchw(12));
  builder.add_output("output", dynamic_nchw(3));
  builder.pixel_shuffle_shape_driven("input", 3, 2, "shuffle", "output");
  const Graph graph = import_onnx_bytes(builder.serialize(), "shape_chain.onnx");
  ASSERT_GT(graph.nodes.size(), 15u);  // the exported chain

  for (const Dims& input : {Dims{1, 12, 5, 7}, Dims{2, 12, 3, 4}}) {
    SCOPED_TRACE(dims_text(input));
    const SpecializedGraph specialized = specialize(graph, input);
    const auto& operations = specialized.operations();
    ASSERT_EQ(operations.size(), 3u);  // everything else folded away
    EXPECT_EQ(operations[0].op(), OpType::reshape);
    EXPECT_EQ(operations[1].op(), OpType::transpose);
    EXPECT_EQ(operations[2].op(), OpType::reshape);
    ASSERT_TRUE(operations[0].inputs()[1].is_constant());
    EXPECT_EQ(operations[0].inputs()[1].constant->ints,
              (std::vector<std::int64_t>{input[0], 3, 2, 2, input[2], input[3]}));
    ASSERT_TRUE(operations[2].inputs()[1].is_constant());
    EXPECT_EQ(operations[2].inputs()[1].constant->ints,
              (std::vector<std::int64_t>{input[0], 3, input[2] * 2, input[3] * 2}));
    EXPECT_EQ(operations[0].output_dims, (Dims{input[0], 3, 2, 2, input[2], input[3]}));
    EXPECT_EQ(specialized.output_dims(), (Dims{input[0], 3, input[2] * 2, input[3] * 2}));

    // And the plan runs it as one depth-to-space permutation of the input.
    const FusionPlan plan = plan_fusions(specialized);
    ASSERT_EQ(plan.steps.size(), 1u);
    const auto* permute = std::get_if<Permute>(&plan.steps[0]);
    ASSERT_NE(permute, nullptr);
    EXPECT_EQ(permute->input, "input");
    EXPECT_EQ(permute->output, "output");
    EXPECT_EQ(permute->nodes.size(), 3u);
    const auto d2s = as_depth_to_space(permute->permutation);
    ASSERT_TRUE(d2s.has_value());
    EXPECT_EQ(d2s->block, 2);
    EXPECT_TRUE(d2s->crd);
  }
}

// --- the specialised graph

TEST(GraphPassesSpecialization, IdentityIsResolvedAndUsesAreCounted) {
  GraphMaker maker(3);
  const std::string c = maker.conv("input", 3, 4, "conv");
  const std::string passed = maker.add(make_node(OpType::identity, "Identity", "identity", {c}));
  const std::string r = maker.unary(OpType::relu, "Relu", passed, "relu");
  const std::string s = maker.unary(OpType::sigmoid, "Sigmoid", r, "sigmoid");
  const std::string sum = maker.binary(OpType::add, "Add", r, s, "add");
  const Graph& graph = maker.finish(sum);
  const SpecializedGraph specialized = specialize(graph, {1, 3, 8, 8});
  ASSERT_EQ(specialized.operations().size(), 4u);              // Identity is not an operation
  EXPECT_EQ(specialized.operations()[1].inputs()[0].name, c);  // Relu reads the convolution's output
  EXPECT_EQ(specialized.uses(c), 1);
  EXPECT_EQ(specialized.uses(r), 2);
  EXPECT_EQ(specialized.uses(sum), 1);  // the graph's output
  EXPECT_EQ(specialized.producer(s), std::optional<std::size_t>(2));
  EXPECT_FALSE(specialized.producer("input").has_value());
  EXPECT_EQ(specialized.consumers(r), (std::vector<std::size_t>{2, 3}));

  const std::string message = input_error([&] { specialize(graph, {1, 4, 8, 8}); });
  EXPECT_NE(message.find("ONNX model 'passes.onnx' takes input [-1, 3, -1, -1], given [1, 4, 8, 8]"), std::string::npos)
      << message;
}

// --- fusion plans

TEST(GraphPassesFusion, ConvolutionAbsorbsAPerChannelPRelu) {
  GraphMaker maker(3);
  const std::string c = maker.conv("input", 3, 4, "conv");
  maker.constant("slope", floats({4, 1, 1}, {0.1f, 0.2f, 0.3f, 0.4f}));
  const std::string p = maker.binary(OpType::prelu, "PRelu", c, "slope", "prelu");
  const SpecializedGraph specialized = specialize(maker.finish(p), {1, 3, 8, 8});
  const FusionPlan plan = plan_fusions(specialized);
  ASSERT_EQ(plan.steps.size(), 1u);
  const ConvolutionGroup& group = group_at(plan, 0);
  EXPECT_EQ(group.node->name, "conv");
  EXPECT_EQ(group.input, "input");
  EXPECT_EQ(group.output, p);
  EXPECT_EQ(group.shape.dst_dims, (Dims{1, 4, 8, 8}));
  ASSERT_NE(group.bias, nullptr);
  EXPECT_EQ(group.weights->dims, (Dims{4, 3, 3, 3}));
  ASSERT_EQ(kinds(group), (std::vector<PostOp::Kind>{PostOp::Kind::prelu}));
  EXPECT_EQ(group.post_ops[0].values, (std::vector<float>{0.1f, 0.2f, 0.3f, 0.4f}));
  EXPECT_TRUE(group.post_ops[0].per_channel());
}

TEST(GraphPassesFusion, ConvolutionAbsorbsLeakyReluAndAResidualAdd) {
  GraphMaker maker(3);
  const std::string a = maker.conv("input", 3, 4, "conv0");
  const std::string b = maker.conv(a, 4, 4, "conv1");
  Node leaky = make_node(OpType::leaky_relu, "LeakyRelu", "leaky", {b});
  leaky.attributes["alpha"] = 0.2f;
  const std::string l = maker.add(std::move(leaky));
  const std::string sum = maker.binary(OpType::add, "Add", l, a, "residual");
  const SpecializedGraph specialized = specialize(maker.finish(sum), {1, 3, 8, 8});
  const FusionPlan plan = plan_fusions(specialized);
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_TRUE(group_at(plan, 0).post_ops.empty());  // conv0's output has two readers
  EXPECT_EQ(group_at(plan, 0).output, a);
  const ConvolutionGroup& group = group_at(plan, 1);
  ASSERT_EQ(kinds(group), (std::vector<PostOp::Kind>{PostOp::Kind::leaky_relu, PostOp::Kind::residual_add}));
  EXPECT_FLOAT_EQ(group.post_ops[0].alpha, 0.2f);
  EXPECT_EQ(group.post_ops[1].residual, a);
  EXPECT_EQ(group.output, sum);
}

TEST(GraphPassesFusion, EdsrResidualBlockIsTwoGroups) {
  // h + 0.1 * conv2(relu(conv1(h))), the residual scaled by a traced scalar.
  GraphMaker maker(3);
  const std::string h = maker.conv("input", 3, 8, "head");
  const std::string c1 = maker.conv(h, 8, 8, "body.conv1");
  const std::string r = maker.unary(OpType::relu, "Relu", c1, "body.relu");
  const std::string c2 = maker.conv(r, 8, 8, "body.conv2");
  maker.constant("scale", floats({}, {0.1f}));
  const std::string scaled = maker.binary(OpType::mul, "Mul", "scale", c2, "body.scale");
  const std::string sum = maker.binary(OpType::add, "Add", scaled, h, "body.add");
  const SpecializedGraph specialized = specialize(maker.finish(sum), {1, 3, 8, 8});
  const FusionPlan plan = plan_fusions(specialized);
  ASSERT_EQ(plan.steps.size(), 3u);
  EXPECT_TRUE(group_at(plan, 0).post_ops.empty());
  EXPECT_EQ(kinds(group_at(plan, 1)), (std::vector<PostOp::Kind>{PostOp::Kind::relu}));
  const ConvolutionGroup& tail = group_at(plan, 2);
  ASSERT_EQ(kinds(tail), (std::vector<PostOp::Kind>{PostOp::Kind::mul, PostOp::Kind::residual_add}));
  EXPECT_EQ(tail.post_ops[0].values, (std::vector<float>{0.1f}));
  EXPECT_FALSE(tail.post_ops[0].per_channel());
  EXPECT_EQ(tail.post_ops[1].residual, h);
  EXPECT_EQ(tail.output, sum);
}

TEST(GraphPassesFusion, AnOutputWithTwoReadersIsNotFused) {
  GraphMaker maker(3);
  const std::string c = maker.conv("input", 3, 4, "conv");
  const std::string r = maker.unary(OpType::relu, "Relu", c, "relu");
  const std::string s = maker.unary(OpType::sigmoid, "Sigmoid", c, "sigmoid");
  const std::string sum = maker.binary(OpType::add, "Add", r, s, "add");
  const SpecializedGraph specialized = specialize(maker.finish(sum), {1, 3, 8, 8});
  const FusionPlan plan = plan_fusions(specialized);
  ASSERT_EQ(plan.steps.size(), 4u);
  EXPECT_TRUE(group_at(plan, 0).post_ops.empty());
  EXPECT_EQ(group_at(plan, 0).output, c);
  for (std::size_t i = 1; i < 4; ++i) EXPECT_TRUE(std::holds_alternative<const Operation*>(plan.steps[i])) << i;
}

TEST(GraphPassesFusion, ConstantMinusConvolutionIsNotFusedButConvolutionMinusConstantIs) {
  for (const bool constant_first : {true, false}) {
    SCOPED_TRACE(constant_first ? "c - conv" : "conv - c");
    GraphMaker maker(3);
    const std::string c = maker.conv("input", 3, 4, "conv");
    maker.constant("offset", floats({1, 4, 1, 1}, {1, 2, 3, 4}));
    const std::string d = constant_first ? maker.binary(OpType::sub, "Sub", "offset", c, "sub")
                                         : maker.binary(OpType::sub, "Sub", c, "offset", "sub");
    const SpecializedGraph specialized = specialize(maker.finish(d), {1, 3, 8, 8});
    const FusionPlan plan = plan_fusions(specialized);
    if (constant_first) {
      ASSERT_EQ(plan.steps.size(), 2u);
      EXPECT_TRUE(group_at(plan, 0).post_ops.empty());
      ASSERT_TRUE(std::holds_alternative<const Operation*>(plan.steps[1]));
      EXPECT_EQ(std::get<const Operation*>(plan.steps[1])->op(), OpType::sub);
    } else {
      ASSERT_EQ(plan.steps.size(), 1u);
      ASSERT_EQ(kinds(group_at(plan, 0)), (std::vector<PostOp::Kind>{PostOp::Kind::sub}));
      EXPECT_EQ(group_at(plan, 0).post_ops[0].values, (std::vector<float>{1, 2, 3, 4}));
      EXPECT_TRUE(group_at(plan, 0).post_ops[0].per_channel());
    }
  }
}

TEST(GraphPassesFusion, AResidualComputedAfterTheConvolutionIsNotFusedIntoIt) {
  // conv1 and conv2 both read the input; Add(conv1, conv2): conv2's output
  // does not exist when conv1 runs, conv1's does when conv2 runs.
  GraphMaker maker(3);
  const std::string c1 = maker.conv("input", 3, 4, "conv1");
  const std::string c2 = maker.conv("input", 3, 4, "conv2");
  const std::string sum = maker.binary(OpType::add, "Add", c1, c2, "add");
  const SpecializedGraph specialized = specialize(maker.finish(sum), {1, 3, 8, 8});
  const FusionPlan plan = plan_fusions(specialized);
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(group_at(plan, 0).node->name, "conv1");
  EXPECT_TRUE(group_at(plan, 0).post_ops.empty());
  EXPECT_EQ(group_at(plan, 1).node->name, "conv2");
  ASSERT_EQ(kinds(group_at(plan, 1)), (std::vector<PostOp::Kind>{PostOp::Kind::residual_add}));
  EXPECT_EQ(group_at(plan, 1).post_ops[0].residual, c1);
}

TEST(GraphPassesFusion, PixelShuffleFormsAreTheSamePermutation) {
  const auto graph_of = [](bool depth_to_space) {
    GraphMaker maker(3);
    const std::string c = maker.conv("input", 3, 12, "conv");
    std::string out;
    if (depth_to_space) {
      Node node = make_node(OpType::depth_to_space, "DepthToSpace", "d2s", {c}, "output");
      node.attributes["blocksize"] = std::int64_t{2};
      node.attributes["mode"] = std::string("CRD");
      out = maker.add(std::move(node));
    } else {
      maker.constant("shape6", ints({6}, {1, 3, 2, 2, 5, 7}));
      maker.constant("shape4", ints({4}, {1, 3, 10, 14}));
      const std::string r = maker.add(make_node(OpType::reshape, "Reshape", "reshape6", {c, "shape6"}));
      Node transpose = make_node(OpType::transpose, "Transpose", "transpose", {r});
      transpose.attributes["perm"] = Dims{0, 1, 4, 2, 5, 3};
      const std::string t = maker.add(std::move(transpose));
      out = maker.add(make_node(OpType::reshape, "Reshape", "reshape4", {t, "shape4"}, "output"));
    }
    return maker.finish(out);
  };
  // A convolution's one reader being a pixel shuffle, the plan writes the
  // convolution's result shuffled: one group, whichever form the export has.
  std::vector<ShuffledOutput> shuffles;
  for (const bool d2s : {true, false}) {
    const Graph graph = graph_of(d2s);
    const SpecializedGraph specialized = specialize(graph, {1, 3, 5, 7});
    const FusionPlan plan = plan_fusions(specialized);
    ASSERT_EQ(plan.steps.size(), 1u) << d2s;
    const ConvolutionGroup& group = group_at(plan, 0);
    EXPECT_EQ(group.shuffle.nodes.size(), d2s ? 1u : 3u);
    EXPECT_EQ(group.output, "output");
    shuffles.push_back(group.shuffle);
  }
  for (const ShuffledOutput& shuffle : shuffles) {
    EXPECT_EQ(shuffle.block, 2);
    EXPECT_TRUE(shuffle.crd);
    EXPECT_TRUE(shuffle.upsampled.empty());
    EXPECT_EQ(shuffle.dims, (Dims{1, 3, 10, 14}));
  }
}

TEST(GraphPassesFusion, ATailOfConvolutionPixelShuffleAndUpsampledInputIsOneGroup) {
  // SRVGG's tail: conv -> DepthToSpace x2 -> Add(., nearest Resize x2 of the input).
  for (const bool shared_resize : {false, true}) {
    SCOPED_TRACE(shared_resize ? "resize read twice" : "resize read once");
    GraphMaker maker(3);
    const std::string c = maker.conv("input", 3, 12, "conv_last");
    Node d2s = make_node(OpType::depth_to_space, "DepthToSpace", "d2s", {c});
    d2s.attributes["blocksize"] = std::int64_t{2};
    const std::string shuffled = maker.add(std::move(d2s));
    maker.constant("roi", floats({0}, {}));
    maker.constant("scales", floats({4}, {1, 1, 2, 2}));
    Node resize = make_node(OpType::resize, "Resize", "base", {"input", "roi", "scales"});
    resize.attributes["mode"] = std::string("nearest");
    const std::string base = maker.add(std::move(resize));
    std::string out = maker.binary(OpType::add, "Add", shuffled, base, "add");
    if (shared_resize) out = maker.binary(OpType::add, "Add", out, base, "add2");
    const SpecializedGraph specialized = specialize(maker.finish(out), {1, 3, 5, 7});
    const FusionPlan plan = plan_fusions(specialized);
    const ConvolutionGroup& group = group_at(plan, 0);
    EXPECT_EQ(group.shuffle.block, 2);
    EXPECT_FALSE(group.shuffle.crd);
    if (shared_resize) {
      // The upsampled input has another reader: it is computed, the add stays.
      EXPECT_TRUE(group.shuffle.upsampled.empty());
      EXPECT_EQ(plan.steps.size(), 4u);
    } else {
      ASSERT_EQ(plan.steps.size(), 1u);
      EXPECT_EQ(group.shuffle.upsampled, "input");
      EXPECT_EQ(group.shuffle.upsample, 2);
      EXPECT_EQ(group.shuffle.upsampled_dims, (Dims{1, 3, 5, 7}));
      EXPECT_EQ(group.shuffle.dims, (Dims{1, 3, 10, 14}));
      EXPECT_EQ(group.output, out);
      EXPECT_EQ(group.shuffle.nodes.size(), 3u);
    }
  }
}

}  // namespace
}  // namespace r4k::infer
