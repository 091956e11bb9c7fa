// The `opencv` backend: OpenCV DNN, the reference and the fallback. Runs ONNX
// models and TensorFlow frozen graphs (.pb). OpenCV 4.6 fixes every tensor
// shape when a network is imported, so the engine keeps one network per input
// shape, imported from a copy of the ONNX graph with that shape fixed.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>

#include <opencv2/dnn/dnn.hpp>

#include "infer/engine.hpp"
#include "infer/onnx_model.hpp"


namespace r4k::infer {

class OpenCvEngine final : public Engine {
 public:
  // `info` carries the path, format, layout and names; throws InputError when
  // the model cannot be parsed.
  explicit OpenCvEngine(ModelInfo info);
  ~OpenCvEngine() override;

  std::string backend() const override { return "opencv"; }
  void run(const Tensor& input, Tensor& output) override;

  // FLOPs OpenCV counts for one input of this shape (loads the network).
  double flops(const TensorShape& shape);
  // OpenCV's layer types in the network for this shape.
  std::map<std::string, int> layer_types(const TensorShape& shape);

 private:
  cv::dnn::Net& network(const TensorShape& shape);

  std::unique_ptr<OnnxModel> onnx_;  // ONNX models only
  std::map<std::tuple<int, int, int, int>, std::unique_ptr<cv::dnn::Net>> networks_;
};

}  // namespace r4k::infer
