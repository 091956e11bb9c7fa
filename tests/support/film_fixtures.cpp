#include "tests/support/film_fixtures.hpp"

#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>

namespace r4k::test {

namespace {

std::uint8_t to_code(double v) { return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }

constexpr double kTwoPi = 6.283185307179586;

// Periods divide 160 x 120, so that panning a 160 x 120 frame does not
// change its mean brightness, except through the disc, which leaves it.
double scene_value(double x, double y, int scene) {
  if (scene == 0) {
    double v = 100.0 + 25.0 * std::sin(x * kTwoPi / 160.0) + 20.0 * std::sin(y * kTwoPi / 120.0);  // gradients
    v += 30.0 * std::sin(x * kTwoPi / 32.0) * std::cos(y * 0.17);   // texture
    if (std::fmod(std::floor(x / 20.0) + std::floor(y / 20.0), 2.0) == 0.0) v += 25.0;  // checker edges
    const double cx = x - 80.0;
    const double cy = y - 60.0;
    if (cx * cx + cy * cy < 400.0) v = 215.0;                        // a disc
    return v;
  }
  double v = 150.0 + 30.0 * std::cos(x * kTwoPi / 160.0) + 20.0 * std::sin(y * 0.11 + x * kTwoPi / 80.0);
  if (std::fmod(std::floor(x / 40.0), 2.0) == 0.0) v -= 40.0;       // vertical bands
  return v;
}

}  // namespace

LumaPlane moving_scene(int width, int height, int t, int dx, int dy, int scene) {
  LumaPlane plane{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height)};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) plane.at(x, y) = to_code(scene_value(x - dx * t, y - dy * t, scene));
  }
  return plane;
}

LumaPlane with_gain(const LumaPlane& plane, double gain) {
  LumaPlane out = plane;
  for (auto& v : out.pixels) v = to_code(16.0 + (v - 16.0) * gain);
  return out;
}

LumaPlane with_dust(const LumaPlane& plane, int count, unsigned seed, std::vector<std::uint8_t>* mask) {
  LumaPlane out = plane;
  std::mt19937 random(seed);
  if (mask != nullptr) mask->assign(plane.pixels.size(), 0);
  for (int i = 0; i < count; ++i) {
    const int radius = 1 + static_cast<int>(random() % 3);
    const int cx = radius + static_cast<int>(random() % static_cast<unsigned>(plane.width - 2 * radius));
    const int cy = radius + static_cast<int>(random() % static_cast<unsigned>(plane.height - 2 * radius));
    const bool bright = random() % 2 == 0;
    for (int y = cy - radius; y <= cy + radius; ++y) {
      for (int x = cx - radius; x <= cx + radius; ++x) {
        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) > radius * radius) continue;
        out.at(x, y) = bright ? 250 : 5;
        if (mask != nullptr) (*mask)[static_cast<std::size_t>(y) * plane.width + x] = 1;
      }
    }
  }
  return out;
}

LumaPlane with_scratch(const LumaPlane& plane, int x, int width, int delta) {
  LumaPlane out = plane;
  for (int y = 0; y < plane.height; ++y) {
    for (int c = x; c < x + width && c < plane.width; ++c) out.at(c, y) = to_code(out.at(c, y) + delta);
  }
  return out;
}

LumaPlane with_grain(const LumaPlane& plane, double sigma, unsigned seed) {
  LumaPlane out = plane;
  std::mt19937 random(seed);
  std::normal_distribution<double> noise(0.0, sigma * 255.0);
  for (auto& v : out.pixels) v = to_code(v + noise(random));
  return out;
}

double mean_of(const LumaPlane& plane) {
  double sum = 0.0;
  for (auto v : plane.pixels) sum += v;
  return sum / (255.0 * static_cast<double>(plane.pixels.size()));
}

double psnr(const LumaPlane& a, const LumaPlane& b) {
  double squares = 0.0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) {
    const double d = static_cast<double>(a.pixels[i]) - b.pixels[i];
    squares += d * d;
  }
  const double mse = squares / static_cast<double>(a.pixels.size());
  return mse == 0.0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

double mean_abs_difference(const LumaPlane& a, const LumaPlane& b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) sum += std::abs(static_cast<double>(a.pixels[i]) - b.pixels[i]);
  return sum / (255.0 * static_cast<double>(a.pixels.size()));
}

const char* i420_caps(int width, int height) {
  static thread_local std::string caps;
  caps = "video/x-raw,format=I420,width=" + std::to_string(width) + ",height=" + std::to_string(height) +
         ",framerate=25/1,colorimetry=bt601,pixel-aspect-ratio=1/1,interlace-mode=progressive";
  return caps.c_str();
}

GstBuffer* i420_buffer(const LumaPlane& plane, int t) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, static_cast<guint>(plane.width),
                            static_cast<guint>(plane.height));
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &info, buffer, GST_MAP_WRITE)) throw std::runtime_error("cannot map");
  auto* y = static_cast<guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0));
  const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
  for (int row = 0; row < plane.height; ++row) {
    std::memcpy(y + static_cast<std::size_t>(row) * stride, plane.pixels.data() + static_cast<std::size_t>(row) * plane.width,
                static_cast<std::size_t>(plane.width));
  }
  for (int p = 1; p < 3; ++p) {
    std::memset(GST_VIDEO_FRAME_PLANE_DATA(&frame, p), 128,
                static_cast<std::size_t>(GST_VIDEO_FRAME_PLANE_STRIDE(&frame, p)) *
                    GST_VIDEO_FRAME_COMP_HEIGHT(&frame, p));
  }
  gst_video_frame_unmap(&frame);
  GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(t) * GST_SECOND / 25;
  GST_BUFFER_DURATION(buffer) = GST_SECOND / 25;
  return buffer;
}

LumaPlane luma_of(GstBuffer* buffer, int width, int height) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, static_cast<guint>(width), static_cast<guint>(height));
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &info, buffer, GST_MAP_READ)) throw std::runtime_error("cannot map");
  LumaPlane plane{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height)};
  const auto* y = static_cast<const guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0));
  const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
  for (int row = 0; row < height; ++row) {
    std::memcpy(plane.pixels.data() + static_cast<std::size_t>(row) * width, y + static_cast<std::size_t>(row) * stride,
                static_cast<std::size_t>(width));
  }
  gst_video_frame_unmap(&frame);
  return plane;
}

std::vector<LumaPlane> run_through(const char* description, const std::vector<LumaPlane>& frames) {
  std::vector<LumaPlane> out;
  if (frames.empty()) return out;
  const int width = frames.front().width;
  const int height = frames.front().height;
  GstHarness* h = gst_harness_new_parse(description);
  gst_harness_set_src_caps_str(h, i420_caps(width, height));
  for (std::size_t t = 0; t < frames.size(); ++t) {
    if (gst_harness_push(h, i420_buffer(frames[t], static_cast<int>(t))) != GST_FLOW_OK) {
      gst_harness_teardown(h);
      throw std::runtime_error("push failed at frame " + std::to_string(t));
    }
    while (gst_harness_buffers_in_queue(h) > 0) {
      GstBuffer* buffer = gst_harness_pull(h);
      out.push_back(luma_of(buffer, width, height));
      gst_buffer_unref(buffer);
    }
  }
  gst_harness_push_event(h, gst_event_new_eos());
  while (gst_harness_buffers_in_queue(h) > 0) {
    GstBuffer* buffer = gst_harness_pull(h);
    out.push_back(luma_of(buffer, width, height));
    gst_buffer_unref(buffer);
  }
  gst_harness_teardown(h);
  return out;
}

}  // namespace r4k::test
