#include "restore_4k/sample_image.hpp"

#include <cmath>

#include <opencv2/imgproc.hpp>

namespace r4k::restore {

cv::Mat make_sample_image(int width, int height) {
  cv::Mat image(height, width, CV_8UC3);
  const double cx = width * 0.3;
  const double cy = height * 0.5;
  const double k = 3.14159265358979 / (2.0 * std::max(width, height));
  for (int y = 0; y < height; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < width; ++x) {
      const double dx = x - cx;
      const double dy = y - cy;
      const double zone = 0.5 + 0.5 * std::cos(k * (dx * dx + dy * dy) * 0.6);
      const double ramp = static_cast<double>(x) / std::max(1, width - 1);
      const auto grey = static_cast<unsigned char>(std::lround(255.0 * zone));
      row[x] = cv::Vec3b(static_cast<unsigned char>(std::lround(grey * (1.0 - 0.5 * ramp))), grey,
                         static_cast<unsigned char>(std::lround(grey * (0.5 + 0.5 * ramp))));
    }
  }
  // Right half: flat colour patches, a starburst of edges and text.
  const int half = width / 2;
  cv::rectangle(image, cv::Rect(half, 0, width - half, height), cv::Scalar(40, 90, 160), cv::FILLED);
  const cv::Point centre(half + (width - half) / 2, height / 3);
  const int radius = std::min(width - half, height) / 4;
  for (int i = 0; i < 24; ++i) {
    const double angle = i * 3.14159265358979 / 12.0;
    const cv::Point tip(centre.x + static_cast<int>(radius * std::cos(angle)),
                        centre.y + static_cast<int>(radius * std::sin(angle)));
    cv::line(image, centre, tip, i % 2 ? cv::Scalar(250, 250, 250) : cv::Scalar(10, 10, 10), 1, cv::LINE_AA);
  }
  const double font_scale = std::max(0.3, height / 300.0);
  cv::putText(image, "restore4k", cv::Point(half + 8, height * 2 / 3), cv::FONT_HERSHEY_SIMPLEX, font_scale,
              cv::Scalar(230, 230, 230), 1, cv::LINE_AA);
  cv::putText(image, "0123456789", cv::Point(half + 8, height * 5 / 6), cv::FONT_HERSHEY_PLAIN, font_scale,
              cv::Scalar(20, 220, 240), 1, cv::LINE_AA);
  for (int i = 0; i < 8; ++i) {
    const int v = 32 * i;
    cv::rectangle(image, cv::Rect(half + i * (width - half) / 8, height - height / 12, (width - half) / 8, height / 12),
                  cv::Scalar(v, v, v), cv::FILLED);
  }
  return image;
}

}  // namespace r4k::restore
