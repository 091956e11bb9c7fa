#include "infer/onnx_model.hpp"

#include <fstream>
#include <set>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <onnx/onnx_pb.h>

#include "core/error.hpp"

namespace r4k::infer {
namespace {

const onnx::ValueInfoProto* find_input(const onnx::GraphProto& graph, const std::string& name) {
  std::set<std::string> initialisers;
  for (const auto& init : graph.initializer()) initialisers.insert(init.name());
  for (const auto& input : graph.input()) {
    if (initialisers.count(input.name())) continue;
    if (name.empty() || input.name() == name) return &input;
  }
  return nullptr;
}

}  // namespace

OnnxModel::OnnxModel(const std::filesystem::path& path) : path_(path), proto_(std::make_unique<onnx::ModelProto>()) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw InputError("cannot open model file '" + path.string() + "'");
  google::protobuf::io::IstreamInputStream stream(&file);
  google::protobuf::io::CodedInputStream coded(&stream);
  if (!proto_->ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage()) {
    throw InputError("model file '" + path.string() + "' is not a valid ONNX model (protobuf parse failed)");
  }
  if (!proto_->has_graph() || proto_->graph().node_size() == 0) {
    throw InputError("ONNX model '" + path.string() + "' has no graph nodes");
  }
  if (find_input(proto_->graph(), {}) == nullptr) {
    throw InputError("ONNX model '" + path.string() + "' has no graph input");
  }
  if (proto_->graph().output_size() == 0) {
    throw InputError("ONNX model '" + path.string() + "' has no graph output");
  }
}

OnnxModel::~OnnxModel() = default;
OnnxModel::OnnxModel(OnnxModel&&) noexcept = default;
OnnxModel& OnnxModel::operator=(OnnxModel&&) noexcept = default;

std::string OnnxModel::input_name() const { return find_input(proto_->graph(), {})->name(); }

std::string OnnxModel::output_name() const {
  const auto& graph = proto_->graph();
  return graph.output(graph.output_size() - 1).name();
}

std::vector<std::int64_t> OnnxModel::input_dims(const std::string& name) const {
  const auto* input = find_input(proto_->graph(), name);
  if (input == nullptr) {
    throw InputError("ONNX model '" + path_.string() + "' has no input named '" + name + "'");
  }
  std::vector<std::int64_t> dims;
  if (!input->type().has_tensor_type() || !input->type().tensor_type().has_shape()) return dims;
  for (const auto& dim : input->type().tensor_type().shape().dim()) {
    dims.push_back(dim.has_dim_value() && dim.dim_value() > 0 ? dim.dim_value() : -1);
  }
  return dims;
}

std::map<std::string, int> OnnxModel::operators() const {
  std::map<std::string, int> counts;
  for (const auto& node : proto_->graph().node()) ++counts[node.op_type()];
  return counts;
}

std::string OnnxModel::serialised_with_input_shape(const std::string& name, const TensorShape& shape,
                                                    bool nhwc) const {
  onnx::ModelProto copy = *proto_;
  auto* graph = copy.mutable_graph();
  const std::string wanted = name.empty() ? input_name() : name;
  bool found = false;
  for (auto& input : *graph->mutable_input()) {
    if (input.name() != wanted) continue;
    auto* tensor_shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
    tensor_shape->clear_dim();
    const std::int64_t dims[4] = {shape.n, nhwc ? shape.h : shape.c, nhwc ? shape.w : shape.h,
                                  nhwc ? shape.c : shape.w};
    for (std::int64_t d : dims) tensor_shape->add_dim()->set_dim_value(d);
    found = true;
  }
  if (!found) throw InputError("ONNX model '" + path_.string() + "' has no input named '" + wanted + "'");
  // Stale intermediate shapes from the exporter would contradict the new
  // input. (OpenCV 4.6 needs the outputs' shape fields present, symbolic is fine.)
  graph->clear_value_info();
  std::string bytes;
  if (!copy.SerializeToString(&bytes)) {
    throw Error("cannot serialise ONNX model '" + path_.string() + "' with a fixed input shape");
  }
  return bytes;
}

}  // namespace r4k::infer
