#include "restore_4k/image_writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "preprocess/error.hpp"

namespace r4k::restore {
namespace {

std::string lower_extension(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

bool is_jpeg(const std::filesystem::path& path) {
  const std::string extension = lower_extension(path);
  return extension == ".jpg" || extension == ".jpeg";
}

std::filesystem::path folder_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

}  // namespace

void check_output_path(const std::filesystem::path& output, const std::filesystem::path& input) {
  const std::string extension = lower_extension(output);
  if (extension != ".png" && extension != ".tif" && extension != ".tiff" && !is_jpeg(output)) {
    throw InputError("output '" + output.string() + "' has an unsupported extension '" + extension +
                     "': expected .png, .tif, .tiff, .jpg or .jpeg");
  }
  std::error_code ec;
  if (std::filesystem::is_directory(output, ec)) {
    throw InputError("output '" + output.string() + "' is a directory; give a file name");
  }
  const std::filesystem::path folder = folder_of(output);
  if (!std::filesystem::is_directory(folder, ec)) {
    throw InputError("cannot write output '" + output.string() + "': folder '" + folder.string() +
                     "' does not exist");
  }
  if (::access(folder.c_str(), W_OK) != 0) {
    throw InputError("cannot write output '" + output.string() + "': folder '" + folder.string() +
                     "' is not writable (" + std::strerror(errno) + ")");
  }
  if (std::filesystem::exists(output, ec) && std::filesystem::exists(input, ec) &&
      std::filesystem::equivalent(output, input, ec)) {
    throw InputError("output '" + output.string() + "' is the input file; restore4k never overwrites its input");
  }
}

bool format_keeps_16_bit(const std::filesystem::path& output) { return !is_jpeg(output); }

void write_image_atomically(const std::filesystem::path& output, const cv::Mat& image) {
  // Same folder (so rename is atomic), same extension (imwrite picks the
  // format from it), hidden and unique.
  const std::filesystem::path temporary =
      folder_of(output) / ("." + output.stem().string() + ".r4k-partial-" + std::to_string(::getpid()) +
                           output.extension().string());
  std::vector<int> parameters;
  if (is_jpeg(output)) parameters = {cv::IMWRITE_JPEG_QUALITY, 95};
  bool written = false;
  std::string reason;
  try {
    written = cv::imwrite(temporary.string(), image, parameters);
  } catch (const cv::Exception& error) {
    reason = error.err;
  }
  std::error_code ec;
  if (!written) {
    std::filesystem::remove(temporary, ec);
    throw Error("cannot write output '" + output.string() + "'" + (reason.empty() ? "" : ": " + reason));
  }
  std::filesystem::rename(temporary, output, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    throw Error("cannot move the finished image to '" + output.string() + "': " + ec.message());
  }
}

}  // namespace r4k::restore
