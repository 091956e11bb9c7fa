#include "infer/model_info.hpp"

#include "core/error.hpp"

namespace r4k::infer {

std::string to_string(ModelColour colour) {
  switch (colour) {
    case ModelColour::rgb:
      return "rgb";
    case ModelColour::bgr:
      return "bgr";
    case ModelColour::y:
      return "y";
    case ModelColour::any:
    default:
      return "any";
  }
}

std::string to_string(TensorLayout layout) { return layout == TensorLayout::nhwc ? "nhwc" : "nchw"; }

std::string to_string(ModelFormat format) {
  switch (format) {
    case ModelFormat::onnx:
      return "onnx";
    case ModelFormat::tensorflow:
      return "tensorflow";
    case ModelFormat::classic:
    default:
      return "classic";
  }
}

ModelColour parse_model_colour(const std::string& text) {
  if (text == "rgb") return ModelColour::rgb;
  if (text == "bgr") return ModelColour::bgr;
  if (text == "y") return ModelColour::y;
  throw InputError("unknown model colour '" + text + "': expected rgb, bgr or y");
}

TensorLayout parse_tensor_layout(const std::string& text) {
  if (text == "nchw") return TensorLayout::nchw;
  if (text == "nhwc") return TensorLayout::nhwc;
  throw InputError("unknown tensor layout '" + text + "': expected nchw or nhwc");
}

}  // namespace r4k::infer
