#include "preprocess/image_frame.hpp"

#include <vector>

#include "preprocess/pixel_convert.hpp"

namespace r4k {
namespace {

// OpenCV holds colour as BGR(A); frames are RGB(A).
std::vector<int> frame_channel_order(int channels) {
  switch (channels) {
    case 1:
      return {0};
    case 3:
      return {2, 1, 0};
    default:
      return {2, 1, 0, 3};
  }
}

}  // namespace

Frame frame_from_image(const cv::Mat& image) {
  Frame frame;
  frame.planes = to_planar(image, frame_channel_order(image.channels()));
  frame.colour = image.channels() == 1 ? FrameColour::grey : FrameColour::rgb;
  frame.has_alpha = image.channels() == 4;
  frame.bits = bits_of_depth(image.depth());
  return frame;
}

cv::Mat image_from_frame(const Frame& frame, int depth) {
  const int channels = frame.colour == FrameColour::grey ? 1 : frame.has_alpha ? 4 : 3;
  return to_interleaved(frame.planes, frame_channel_order(channels), depth);
}

}  // namespace r4k
