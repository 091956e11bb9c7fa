#include "decode/image_reader.hpp"

#include <array>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "core/error.hpp"

namespace r4k::decode {
namespace {

std::vector<unsigned char> read_bytes(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw InputError("cannot read input image '" + path.string() + "': " + std::strerror(errno));
  }
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) throw InputError("error while reading input image '" + path.string() + "'");
  return bytes;
}

bool starts_with(const std::vector<unsigned char>& bytes, const std::vector<unsigned char>& prefix) {
  return bytes.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

// libpng and libjpeg decode what they can of a cut-off file (libjpeg fills the
// rest with grey and only warns), so look for the format's end marker.
void check_complete(const std::vector<unsigned char>& bytes, const std::filesystem::path& path) {
  static const std::vector<unsigned char> png_signature{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  static const std::vector<unsigned char> jpeg_signature{0xFF, 0xD8, 0xFF};
  if (starts_with(bytes, png_signature)) {
    static const std::array<unsigned char, 4> iend{'I', 'E', 'N', 'D'};
    const auto tail_start = bytes.size() > 64 ? bytes.end() - 64 : bytes.begin();
    if (std::search(tail_start, bytes.end(), iend.begin(), iend.end()) == bytes.end()) {
      throw InputError("input image '" + path.string() + "' is a truncated PNG (no IEND chunk at the end)");
    }
  } else if (starts_with(bytes, jpeg_signature)) {
    // The end-of-image marker, allowing trailing padding some writers add.
    const std::size_t window = std::min<std::size_t>(bytes.size(), 4096);
    bool found = false;
    for (std::size_t i = bytes.size() - window; i + 1 < bytes.size(); ++i) {
      if (bytes[i] == 0xFF && bytes[i + 1] == 0xD9) found = true;
    }
    if (!found) {
      throw InputError("input image '" + path.string() + "' is a truncated JPEG (no end-of-image marker)");
    }
  }
}

}  // namespace

cv::Mat read_image(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError("input image '" + path.string() + "' does not exist");
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError("input image '" + path.string() + "' is a directory, not an image file");
  }
  const std::vector<unsigned char> bytes = read_bytes(path);
  if (bytes.empty()) throw InputError("input image '" + path.string() + "' is empty (0 bytes)");
  check_complete(bytes, path);

  cv::Mat image;
  try {
    image = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& error) {
    throw InputError("cannot decode input image '" + path.string() + "': " + error.err);
  }
  if (image.empty()) {
    throw InputError("cannot decode input image '" + path.string() +
                     "': not a PNG, TIFF or JPEG image, or the file is corrupt");
  }
  if (image.depth() != CV_8U && image.depth() != CV_16U && image.depth() != CV_32F) {
    throw InputError("input image '" + path.string() + "' has an unsupported sample type (OpenCV depth " +
                     std::to_string(image.depth()) + "): expected 8-bit, 16-bit or 32-bit float samples");
  }
  if (image.channels() != 1 && image.channels() != 3 && image.channels() != 4) {
    throw InputError("input image '" + path.string() + "' has " + std::to_string(image.channels()) +
                     " channels: expected grey (1), RGB (3) or RGBA (4)");
  }
  return image;
}

}  // namespace r4k::decode
