// OnnxModel: an ONNX file parsed with the protobuf classes of libonnx, for
// reading its interface (input/output names and dimensions, operators) and
// for writing copies with a fixed input shape (OpenCV 4.6 cannot run
// DepthToSpace or Shape-driven reshapes with dynamic dimensions).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace onnx {
class ModelProto;
}

namespace r4k::infer {

class OnnxModel {
 public:
  // Throws InputError naming the file when it cannot be read or parsed.
  explicit OnnxModel(const std::filesystem::path& path);
  ~OnnxModel();
  OnnxModel(OnnxModel&&) noexcept;
  OnnxModel& operator=(OnnxModel&&) noexcept;

  const std::filesystem::path& path() const { return path_; }

  // The graph input that is not an initializer; `name` empty = the first.
  std::string input_name() const;
  std::string output_name() const;
  // Dimensions of the input; -1 where symbolic or unknown.
  std::vector<std::int64_t> input_dims(const std::string& name = {}) const;
  std::map<std::string, int> operators() const;

  // The model serialised with input `name` fixed to `shape` (NCHW, or NHWC
  // when `nhwc`).
  std::string serialised_with_input_shape(const std::string& name, const TensorShape& shape, bool nhwc) const;

 private:
  std::filesystem::path path_;
  std::unique_ptr<onnx::ModelProto> proto_;
};

}  // namespace r4k::infer
