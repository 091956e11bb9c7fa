#include "infer/opencv_engine.hpp"

#include <cstring>

#include <opencv2/dnn.hpp>

#include "infer/depth_to_space_layer.hpp"
#include "core/error.hpp"

namespace r4k::infer {
namespace {

std::string describe(const cv::Exception& error) {
  // OpenCV's what() repeats file and function; err is the useful part.
  return error.err.empty() ? std::string(error.what()) : error.err;
}

}  // namespace

OpenCvEngine::OpenCvEngine(ModelInfo info) : Engine(std::move(info)) {
  if (this->info().format == ModelFormat::onnx) {
    onnx_ = std::make_unique<OnnxModel>(this->info().path);
  } else {
    register_depth_to_space_layer();
  }
}

OpenCvEngine::~OpenCvEngine() = default;

cv::dnn::Net& OpenCvEngine::network(const TensorShape& shape) {
  const auto key = std::make_tuple(shape.n, shape.c, shape.h, shape.w);
  auto found = networks_.find(key);
  if (found != networks_.end()) return *found->second;

  auto net = std::make_unique<cv::dnn::Net>();
  const std::string& path = info().path.string();
  try {
    if (onnx_) {
      const std::string bytes =
          onnx_->serialised_with_input_shape(info().input_name, shape, info().layout == TensorLayout::nhwc);
      *net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
    } else {
      try {
        *net = cv::dnn::readNetFromTensorflow(path);
      } catch (const cv::Exception&) {
        // OpenCV's words name its own parser call, not what is wrong with the file.
        throw InputError("'" + path + "' is not a model OpenCV DNN can read: not a frozen TensorFlow graph (a "
                         "GraphDef protobuf)");
      }
    }
  } catch (const cv::Exception& error) {
    throw InputError("OpenCV DNN cannot load model '" + path + "': " + describe(error));
  }
  if (net->empty()) {
    throw InputError("'" + path + "' is not a model OpenCV DNN can read: it holds no network layers (a .pb must be a "
                     "frozen TensorFlow graph)");
  }
  net->setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net->setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  return *networks_.emplace(key, std::move(net)).first->second;
}

void OpenCvEngine::run(const Tensor& input, Tensor& output) {
  const TensorShape& in = input.shape();
  cv::dnn::Net& net = network(in);
  const bool nhwc = info().layout == TensorLayout::nhwc;
  cv::Mat blob;
  if (nhwc) {
    const int dims[4] = {in.n, in.h, in.w, in.c};
    blob.create(4, dims, CV_32F);
    for (int n = 0; n < in.n; ++n) {
      float* dst = blob.ptr<float>(n);
      for (int c = 0; c < in.c; ++c) {
        const float* src = input.plane(n, c);
        for (std::size_t i = 0; i < in.plane_size(); ++i) dst[i * static_cast<std::size_t>(in.c) + static_cast<std::size_t>(c)] = src[i];
      }
    }
  } else {
    const int dims[4] = {in.n, in.c, in.h, in.w};
    blob = cv::Mat(4, dims, CV_32F, const_cast<float*>(input.data()));
  }
  cv::Mat result;
  try {
    net.setInput(blob, info().input_name);
    result = net.forward(info().output_name);
  } catch (const cv::Exception& error) {
    throw InputError("model '" + info().path.string() + "' failed on input " + in.to_string() + ": " +
                     describe(error));
  }
  if (result.dims != 4 || result.size[0] != in.n) {
    throw InputError("model '" + info().path.string() + "' gave an output that is not a batch of images for input " +
                     in.to_string());
  }
  // The TF importer already returns NCHW; ONNX NHWC graphs return NHWC.
  const bool out_nhwc = nhwc && info().format == ModelFormat::onnx;
  const TensorShape out_shape = out_nhwc ? TensorShape{result.size[0], result.size[3], result.size[1], result.size[2]}
                                         : TensorShape{result.size[0], result.size[1], result.size[2], result.size[3]};
  output.resize(out_shape);
  if (!out_nhwc) {
    std::memcpy(output.data(), result.ptr<float>(), out_shape.elements() * sizeof(float));
    return;
  }
  for (int n = 0; n < out_shape.n; ++n) {
    const float* src = result.ptr<float>(n);
    for (int c = 0; c < out_shape.c; ++c) {
      float* dst = output.plane(n, c);
      for (std::size_t i = 0; i < out_shape.plane_size(); ++i) dst[i] = src[i * static_cast<std::size_t>(out_shape.c) + static_cast<std::size_t>(c)];
    }
  }
}

double OpenCvEngine::flops(const TensorShape& shape) {
  cv::dnn::Net& net = network(shape);
  const cv::dnn::MatShape dims{shape.n, shape.c, shape.h, shape.w};
  return static_cast<double>(net.getFLOPS(dims));
}

std::map<std::string, int> OpenCvEngine::layer_types(const TensorShape& shape) {
  cv::dnn::Net& net = network(shape);
  std::map<std::string, int> types;
  std::vector<cv::String> names;
  net.getLayerTypes(names);
  for (const auto& name : names) types[name] = net.getLayersCount(name);
  return types;
}

}  // namespace r4k::infer
