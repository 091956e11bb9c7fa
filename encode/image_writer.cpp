#include "encode/image_writer.hpp"

#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "core/error.hpp"
#include "encode/output_file.hpp"

namespace r4k::encode {
namespace {

bool is_jpeg(const std::filesystem::path& path) {
  const std::string extension = lower_extension(path);
  return extension == ".jpg" || extension == ".jpeg";
}

}  // namespace

void check_image_output_path(const std::filesystem::path& output, const std::filesystem::path& input) {
  check_output_path(output, input, {".png", ".tif", ".tiff", ".jpg", ".jpeg"});
}

bool format_keeps_16_bit(const std::filesystem::path& output) { return !is_jpeg(output); }

void write_image_atomically(const std::filesystem::path& output, const cv::Mat& image) {
  OutputFile file(output);
  std::vector<int> parameters;
  if (is_jpeg(output)) parameters = {cv::IMWRITE_JPEG_QUALITY, 95};
  bool written = false;
  std::string reason;
  try {
    written = cv::imwrite(file.temporary().string(), image, parameters);
  } catch (const cv::Exception& error) {
    reason = error.err;
  }
  if (!written) throw Error("cannot write output '" + output.string() + "'" + (reason.empty() ? "" : ": " + reason));
  file.commit();
}

}  // namespace r4k::encode
