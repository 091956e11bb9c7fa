#include "restore_4k/calibration_set.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "core/error.hpp"
#include "decode/image_reader.hpp"
#include "decode/raster_dataset.hpp"
#include "decode/raster_value_range.hpp"
#include "infer/model_spec.hpp"
#include "restore_4k/sr_evaluation.hpp"

namespace r4k::restore {

namespace {

namespace fs = std::filesystem;

// ".PNG" -> ".png".
std::string lower_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

bool is_image_file(const fs::path& path) {
  static const std::set<std::string> kinds{".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"};
  return kinds.count(lower_extension(path)) != 0;
}

std::vector<fs::path> image_files(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_regular_file() && is_image_file(entry.path())) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

cv::Mat with_channels(const cv::Mat& image, int channels) {
  if (channels == 1 && image.channels() == 3) {
    cv::Mat grey;
    cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
    return grey;
  }
  if (channels == 3 && image.channels() == 1) {
    cv::Mat bgr;
    cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
    return bgr;
  }
  if (image.channels() == 4) {
    cv::Mat bgr;
    cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
    return with_channels(bgr, channels);
  }
  return image;
}

// Up to `count` windows of `side` pixels spread evenly over a w x h picture
// (one whole picture when it is smaller).
std::vector<cv::Rect> spread_windows(int width, int height, int side, int count) {
  if (width <= side || height <= side) return {cv::Rect(0, 0, width, height)};
  const int across = std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count)))));
  std::vector<cv::Rect> windows;
  for (int j = 0; j < across && static_cast<int>(windows.size()) < count; ++j) {
    for (int i = 0; i < across && static_cast<int>(windows.size()) < count; ++i) {
      const int x = across == 1 ? (width - side) / 2 : (width - side) * i / (across - 1);
      const int y = across == 1 ? (height - side) / 2 : (height - side) * j / (across - 1);
      windows.emplace_back(x, y, side, side);
    }
  }
  return windows;
}

void add_crops(std::vector<CalibrationPicture>& pictures, const cv::Mat& image, const std::string& name,
               const CalibrationSetOptions& options, int count) {
  for (const cv::Rect& window : spread_windows(image.cols, image.rows, options.crop, count)) {
    CalibrationPicture picture;
    picture.name = name + " @" + std::to_string(window.x) + "," + std::to_string(window.y);
    picture.input = image(window).clone();
    pictures.push_back(std::move(picture));
  }
}

int per_source(const CalibrationSetOptions& options, std::size_t sources) {
  return std::max(1, options.pictures / static_cast<int>(std::max<std::size_t>(1, sources)));
}

std::vector<CalibrationPicture> builtin_set(const CalibrationSetOptions& options) {
  const fs::path folder = builtin_calibration_dir();
  if (!fs::is_directory(folder)) throw InputError("the built-in calibration set '" + folder.string() + "' is missing");
  std::vector<CalibrationPicture> pictures;
  unsigned seed = 1;
  for (const fs::path& file : image_files(folder)) {
    cv::Mat hr = with_channels(decode::read_image(file), 3);
    hr = hr(cv::Rect(0, 0, hr.cols - hr.cols % options.scale, hr.rows - hr.rows % options.scale)).clone();
    CalibrationPicture picture;
    picture.name = file.filename().string();
    if (options.film) {
      picture.input = film_degradation(hr, options.scale, seed++);
    } else {
      cv::resize(hr, picture.input, cv::Size(hr.cols / options.scale, hr.rows / options.scale), 0, 0, cv::INTER_AREA);
    }
    picture.input = with_channels(picture.input, options.channels);
    picture.truth = with_channels(hr, options.channels);
    pictures.push_back(std::move(picture));
  }
  if (pictures.empty()) throw InputError("the built-in calibration set '" + folder.string() + "' holds no picture");
  if (static_cast<int>(pictures.size()) > options.pictures) {  // spread over the set
    std::vector<CalibrationPicture> kept;
    for (int i = 0; i < options.pictures; ++i) {
      kept.push_back(std::move(pictures[static_cast<std::size_t>(i) * pictures.size() / static_cast<std::size_t>(options.pictures)]));
    }
    pictures = std::move(kept);
  }
  return pictures;
}

std::vector<CalibrationPicture> folder_set(const fs::path& folder, const CalibrationSetOptions& options) {
  const std::vector<fs::path> files = image_files(folder);
  if (files.empty()) {
    throw InputError("calibration folder '" + folder.string() + "' holds no image (PNG, JPEG, TIFF, BMP or WebP)");
  }
  std::vector<CalibrationPicture> pictures;
  for (const fs::path& file : files) {
    add_crops(pictures, with_channels(decode::read_image(file), options.channels), file.filename().string(), options,
              per_source(options, files.size()));
  }
  return pictures;
}

std::vector<CalibrationPicture> video_set(const fs::path& path, const CalibrationSetOptions& options) {
  cv::VideoCapture video(path.string(), cv::CAP_FFMPEG);
  if (!video.isOpened()) throw InputError("calibration source '" + path.string() + "' cannot be opened as a video");
  const auto frames = static_cast<std::int64_t>(video.get(cv::CAP_PROP_FRAME_COUNT));
  const int wanted = std::max(1, std::min(8, options.pictures));
  std::vector<CalibrationPicture> pictures;
  for (int i = 0; i < wanted; ++i) {
    const std::int64_t at = frames > 0 ? frames * i / wanted + frames / (2 * wanted) : i;
    if (frames > 0) video.set(cv::CAP_PROP_POS_FRAMES, static_cast<double>(at));
    cv::Mat frame;
    if (!video.read(frame) || frame.empty()) break;
    add_crops(pictures, with_channels(frame, options.channels), path.filename().string() + " frame " + std::to_string(at),
              options, per_source(options, static_cast<std::size_t>(wanted)));
  }
  if (pictures.empty()) throw InputError("calibration video '" + path.string() + "' gave no frame");
  return pictures;
}

std::vector<CalibrationPicture> raster_set(const fs::path& path, const CalibrationSetOptions& options) {
  decode::RasterDataset dataset(path);
  const decode::RasterInfo& info = dataset.info();
  if (static_cast<int>(info.bands.size()) < options.channels) {
    throw InputError("calibration raster '" + path.string() + "' has " + std::to_string(info.bands.size()) +
                     " band(s); the model takes " + std::to_string(options.channels));
  }
  std::vector<int> listed = options.bands.empty()
                               ? std::vector<int>{}
                               : decode::parse_band_list(options.bands, static_cast<int>(info.bands.size()), 0, path);
  if (listed.empty()) {
    for (int b = 1; b <= options.channels; ++b) listed.push_back(b);
  }
  if (static_cast<int>(listed.size()) < options.channels) {
    throw InputError("calibration raster '" + path.string() + "': bands " + options.bands + " are fewer than the " +
                     std::to_string(options.channels) + " the model takes");
  }
  std::vector<int> bands(listed.begin(), listed.begin() + options.channels);
  if (options.channels == 3) std::reverse(bands.begin(), bands.end());  // BGR order, as pictures are held
  const ValueRange range =
      decode::resolve_value_range(dataset, bands, options.range.empty() ? ValueRangeSpec{} : parse_value_range(options.range))
          .range;
  std::vector<CalibrationPicture> pictures;
  for (const cv::Rect& window : spread_windows(info.width, info.height, options.crop, options.pictures)) {
    std::vector<cv::Mat> planes;
    for (int band : bands) {
      std::vector<double> values = dataset.read_window(band, window.x, window.y, window.width, window.height);
      const cv::Mat plane(window.height, window.width, CV_64F, values.data());
      cv::Mat normalised;
      plane.convertTo(normalised, CV_32F, 1.0 / (range.max - range.min), -range.min / (range.max - range.min));
      planes.push_back(cv::min(cv::max(normalised, 0.0), 1.0));
    }
    CalibrationPicture picture;
    picture.name = path.filename().string() + " @" + std::to_string(window.x) + "," + std::to_string(window.y);
    cv::merge(planes, picture.input);
    pictures.push_back(std::move(picture));
  }
  return pictures;
}

bool is_raster(const fs::path& path) {
  const std::string ext = lower_extension(path);
  return ext == ".tif" || ext == ".tiff" || ext == ".jp2" || ext == ".img" || ext == ".vrt";
}

}  // namespace

fs::path builtin_calibration_dir() { return infer::builtin_models_dir() / "calibration"; }

std::vector<CalibrationPicture> read_calibration_set(const CalibrationSetOptions& options) {
  if (options.source == "builtin") return builtin_set(options);
  const fs::path path(options.source);
  if (fs::is_directory(path)) return folder_set(path, options);
  if (!fs::exists(path)) {
    throw InputError("calibration source '" + options.source + "' does not exist (a folder of images, a video, a "
                     "raster, or builtin)");
  }
  if (is_raster(path)) return raster_set(path, options);
  if (is_image_file(path)) {
    std::vector<CalibrationPicture> pictures;
    add_crops(pictures, with_channels(decode::read_image(path), options.channels), path.filename().string(), options,
              options.pictures);
    return pictures;
  }
  return video_set(path, options);
}

}  // namespace r4k::restore
