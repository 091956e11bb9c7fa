#include "infer/depth_to_space_layer.hpp"

#include <cmath>
#include <mutex>

#include <opencv2/dnn.hpp>
#include <opencv2/dnn/layer.details.hpp>

namespace r4k::infer {
namespace {

class DepthToSpaceLayer final : public cv::dnn::Layer {
 public:
  explicit DepthToSpaceLayer(const cv::dnn::LayerParams& params)
      : cv::dnn::Layer(params), block_(params.get<int>("block_size", 0)) {}

  static cv::Ptr<cv::dnn::Layer> create(cv::dnn::LayerParams& params) {
    return cv::makePtr<DepthToSpaceLayer>(params);
  }

  bool getMemoryShapes(const std::vector<cv::dnn::MatShape>& inputs, const int,
                       std::vector<cv::dnn::MatShape>& outputs, std::vector<cv::dnn::MatShape>&) const override {
    const auto& in = inputs.at(0);
    CV_Assert(in.size() == 4);
    const int block = block_size(in[1]);
    CV_Assert(block > 0 && in[1] % (block * block) == 0);
    outputs.assign(1, cv::dnn::MatShape{in[0], in[1] / (block * block), in[2] * block, in[3] * block});
    return false;
  }

  void forward(cv::InputArrayOfArrays inputs_arr, cv::OutputArrayOfArrays outputs_arr,
               cv::OutputArrayOfArrays) override {
    std::vector<cv::Mat> inputs;
    std::vector<cv::Mat> outputs;
    inputs_arr.getMatVector(inputs);
    outputs_arr.getMatVector(outputs);
    const cv::Mat& in = inputs.at(0);
    cv::Mat& out = outputs.at(0);
    const int batch = in.size[0];
    const int in_channels = in.size[1];
    const int in_h = in.size[2];
    const int in_w = in.size[3];
    const int block = block_size(in_channels);
    const int out_channels = in_channels / (block * block);
    const std::size_t in_plane = static_cast<std::size_t>(in_h) * static_cast<std::size_t>(in_w);
    const int out_w = in_w * block;
    for (int n = 0; n < batch; ++n) {
      const float* src = in.ptr<float>(n);
      float* dst = out.ptr<float>(n);
      for (int c = 0; c < out_channels; ++c) {
        for (int dy = 0; dy < block; ++dy) {
          for (int dx = 0; dx < block; ++dx) {
            const int source_channel = (dy * block + dx) * out_channels + c;
            const float* plane = src + static_cast<std::size_t>(source_channel) * in_plane;
            for (int y = 0; y < in_h; ++y) {
              float* row = dst + (static_cast<std::size_t>(c) * static_cast<std::size_t>(in_h * block) +
                                  static_cast<std::size_t>(y * block + dy)) *
                                     static_cast<std::size_t>(out_w);
              const float* src_row = plane + static_cast<std::size_t>(y) * static_cast<std::size_t>(in_w);
              for (int x = 0; x < in_w; ++x) row[x * block + dx] = src_row[x];
            }
          }
        }
      }
    }
  }

 private:
  // Graphs without the attribute: the SR exports have 1 or 3 output channels.
  int block_size(int channels) const {
    if (block_ > 0) return block_;
    for (int out_channels : {1, 3}) {
      const int squared = channels / out_channels;
      const int root = static_cast<int>(std::lround(std::sqrt(static_cast<double>(squared))));
      if (channels % out_channels == 0 && root * root == squared && root > 1) return root;
    }
    return 0;
  }

  int block_;
};

}  // namespace

void register_depth_to_space_layer() {
  static std::once_flag once;
  std::call_once(once, [] { cv::dnn::LayerFactory::registerLayer("DepthToSpace", DepthToSpaceLayer::create); });
}

}  // namespace r4k::infer
