// Frames between r4k elements in full precision (pipeline/float_frames.hpp):
// the film chain quantises once — a 10-bit picture through r4krestore
// (film-4k with the clean-up stages off and a bicubic x4) equals the same
// chain computed in float by the library, up to the final rounding, where
// rounding between the stages would differ far more — and lines that mix
// r4k elements with GStreamer's own negotiate float frames only between
// r4k elements and standard raw video everywhere else.
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include "tests/support/launch_line.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "infer/frame_upscaler.hpp"
#include "infer/model_loader.hpp"
#include "pipeline/float_frames.hpp"
#include "pipeline/pipeline_runner.hpp"
#include "pipeline/video_format.hpp"
#include "preprocess/colour_conversion.hpp"
#include "preprocess/frame_fit.hpp"

namespace {

constexpr int kWidth = 160;
constexpr int kHeight = 120;
constexpr int kFitWidth = 960;
constexpr int kFitHeight = 540;
const char* kCaps10 =
    "video/x-raw,format=I420_10LE,width=160,height=120,framerate=25/1,colorimetry=bt601,pixel-aspect-ratio=1/1,"
    "interlace-mode=progressive";

GstVideoInfo info_of(const char* caps_text) {
  GstCaps* caps = gst_caps_from_string(caps_text);
  GstVideoInfo info;
  gst_video_info_from_caps(&info, caps);
  gst_caps_unref(caps);
  return info;
}

// A 10-bit picture with detail everywhere (fine sinusoids, edges, coloured
// chroma ramps): every stage changes it, so roundings between them would show.
GstBuffer* picture_10bit(const GstVideoInfo& info, int t) {
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
  GstVideoFrame frame;
  gst_video_frame_map(&frame, &info, buffer, GST_MAP_WRITE);
  for (int p = 0; p < 3; ++p) {
    const int w = GST_VIDEO_FRAME_COMP_WIDTH(&frame, p);
    const int h = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, p);
    auto* data = static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, p));
    const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, p);
    for (int y = 0; y < h; ++y) {
      auto* row = reinterpret_cast<std::uint16_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
      for (int x = 0; x < w; ++x) {
        double v = p == 0 ? 0.5 + 0.3 * std::sin(0.37 * x + 0.11 * t) * std::cos(0.23 * y) + (x > w / 2 ? 0.1 : -0.1)
                          : 0.5 + 0.2 * std::sin(0.05 * (x + 2 * y) + p);
        v = std::clamp(v, 0.0, 1.0);
        row[x] = static_cast<std::uint16_t>(p == 0 ? 64 + std::lround(v * 876) : 64 + std::lround(v * 896));
      }
    }
  }
  gst_video_frame_unmap(&frame);
  GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(t) * GST_SECOND / 25;
  GST_BUFFER_DURATION(buffer) = GST_SECOND / 25;
  return buffer;
}

// Every sample of a mapped I420_10LE buffer, plane after plane.
std::vector<int> samples_of(GstBuffer* buffer, const GstVideoInfo& info) {
  std::vector<int> out;
  GstVideoFrame frame;
  EXPECT_TRUE(gst_video_frame_map(&frame, &info, buffer, GST_MAP_READ));
  for (int p = 0; p < 3; ++p) {
    const int w = GST_VIDEO_FRAME_COMP_WIDTH(&frame, p);
    const int h = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, p);
    const auto* data = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, p));
    for (int y = 0; y < h; ++y) {
      const auto* row = reinterpret_cast<const std::uint16_t*>(data + static_cast<std::ptrdiff_t>(y) *
                                                                          GST_VIDEO_FRAME_PLANE_STRIDE(&frame, p));
      out.insert(out.end(), row, row + w);
    }
  }
  gst_video_frame_unmap(&frame);
  return out;
}

r4k::Frame unpacked(GstBuffer* buffer, const GstVideoInfo& info) {
  GstVideoFrame frame;
  gst_video_frame_map(&frame, &info, buffer, GST_MAP_READ);
  r4k::Frame out = r4k::unpack(r4k::pipeline::raw_frame(frame, r4k::RawFormat::i420_10le),
                               r4k::pipeline::ycbcr_space(info));
  gst_video_frame_unmap(&frame);
  return out;
}

// `frame` stored at 10 bits and read back: what a raw link between two stages does.
r4k::Frame stored(const r4k::Frame& frame) {
  const std::string caps = "video/x-raw,format=I420_10LE,width=" + std::to_string(frame.width()) +
                           ",height=" + std::to_string(frame.height());
  const GstVideoInfo info = info_of(caps.c_str());
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
  GstVideoFrame mapped;
  gst_video_frame_map(&mapped, &info, buffer, GST_MAP_WRITE);
  r4k::RawFrame raw = r4k::pipeline::raw_frame(mapped, r4k::RawFormat::i420_10le);
  r4k::pack(frame, raw);
  r4k::Frame back = r4k::unpack(raw, frame.space);
  gst_video_frame_unmap(&mapped);
  gst_buffer_unref(buffer);
  return back;
}

// The chain in float (superres, fit, BT.709), rounded once when packed; with
// `round_between`, stored at 10 bits after every stage as raw links would.
std::vector<int> reference(GstBuffer* input, const GstVideoInfo& in_info, const GstVideoInfo& out_info,
                           bool round_between) {
  auto engine = r4k::infer::load_model("builtin:bicubic-x4");
  r4k::infer::FrameUpscaler upscaler(*engine, {});
  const auto keep = [&](r4k::Frame frame) { return round_between ? stored(frame) : frame; };
  const r4k::Frame up = keep(upscaler.upscale(unpacked(input, in_info)));
  const r4k::FitGeometry geometry =
      r4k::compute_fit(up.width(), up.height(), 1, 1, kFitWidth, kFitHeight, r4k::FitMode::pad);
  const r4k::Frame fitted =
      keep(r4k::fit_frame(up, geometry, kFitWidth, kFitHeight, 0x000000, r4k::ResampleFilter::lanczos));
  std::string assumed, error;
  const auto from = r4k::pipeline::colourimetry(in_info, assumed, error);
  EXPECT_TRUE(from.has_value()) << error;
  const r4k::Frame converted =
      r4k::convert_colour(fitted, *from, r4k::pipeline::target_colourimetry("bt709", false, from->range));
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&out_info), nullptr);
  GstVideoFrame mapped;
  gst_video_frame_map(&mapped, &out_info, buffer, GST_MAP_WRITE);
  r4k::RawFrame raw = r4k::pipeline::raw_frame(mapped, r4k::RawFormat::i420_10le);
  r4k::pack(converted, raw);
  gst_video_frame_unmap(&mapped);
  std::vector<int> samples = samples_of(buffer, out_info);
  gst_buffer_unref(buffer);
  return samples;
}

struct Difference {
  int largest = 0;
  double share = 0.0;  // of the samples that differ
};

Difference compare(const std::vector<int>& a, const std::vector<int>& b) {
  Difference d;
  std::size_t differing = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const int delta = std::abs(a[i] - b[i]);
    d.largest = std::max(d.largest, delta);
    differing += delta != 0;
  }
  d.share = static_cast<double>(differing) / static_cast<double>(std::max<std::size_t>(1, a.size()));
  return d;
}

TEST(FloatFrames, TheFilmChainQuantisesOnceAtTheEnd) {
  r4k::pipeline::initialise_gstreamer();
  GstHarness* h = gst_harness_new_parse(
      "r4krestore preset=film-4k deinterlace=false deflicker=false dust=false denoise=0 "
      "model=builtin:bicubic-x4 width=960 height=540");
  gst_harness_set_src_caps_str(h, kCaps10);
  gst_harness_set_sink_caps_str(h, "video/x-raw,format=I420_10LE");  // as an FFV1 encoder downstream asks
  const GstVideoInfo in_info = info_of(kCaps10);
  GstBuffer* input = picture_10bit(in_info, 3);
  ASSERT_EQ(gst_harness_push(h, gst_buffer_ref(input)), GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  GstBuffer* output = gst_harness_pull(h);
  ASSERT_NE(output, nullptr);
  GstCaps* caps = gst_pad_get_current_caps(h->sinkpad);
  GstVideoInfo out_info;
  ASSERT_TRUE(gst_video_info_from_caps(&out_info, caps));
  EXPECT_FALSE(r4k::pipeline::carries_float_frames(caps)) << "the bin gives standard raw video";
  gst_caps_unref(caps);
  ASSERT_EQ(GST_VIDEO_INFO_WIDTH(&out_info), kFitWidth);
  ASSERT_EQ(GST_VIDEO_INFO_FORMAT(&out_info), GST_VIDEO_FORMAT_I420_10LE);

  // Inside the bin, superres -> fit -> colour conversion pass float frames.
  for (const char* name : {"superres", "fit"}) {
    GstElement* element = gst_bin_get_by_name(GST_BIN(h->element), name);
    ASSERT_NE(element, nullptr) << name;
    GstPad* src = gst_element_get_static_pad(element, "src");
    GstCaps* link = gst_pad_get_current_caps(src);
    EXPECT_TRUE(r4k::pipeline::carries_float_frames(link)) << name;
    if (link != nullptr) gst_caps_unref(link);
    gst_object_unref(src);
    gst_object_unref(element);
  }

  const std::vector<int> chain = samples_of(output, out_info);
  const Difference once = compare(chain, reference(input, in_info, out_info, false));
  const Difference between = compare(chain, reference(input, in_info, out_info, true));
  // The same arithmetic up to float summation order: a sample off by one
  // code where the float result lies on a rounding boundary, no more.
  EXPECT_LE(once.largest, 1);
  EXPECT_LT(once.share, 0.001);
  // Rounding between the stages would be seen (the test can fail).
  EXPECT_GT(between.share, 0.05) << "largest " << between.largest;
  gst_buffer_unref(output);
  gst_buffer_unref(input);
  gst_harness_teardown(h);
}

struct LinkCaps {
  std::string error;
  std::vector<bool> float_links;  // per named element's source pad
};

// Runs `launch` to the end and reads, before stopping, whether each named
// element's source pad carries float frames.
LinkCaps run_and_read(const std::string& launch, const std::vector<std::string>& names) {
  LinkCaps result;
  const auto outcome = r4k::test::run_launch_line(launch, [&](GstElement* pipeline) {
    for (const auto& name : names) {
      GstElement* element = gst_bin_get_by_name(GST_BIN(pipeline), name.c_str());
      GstPad* src = element != nullptr ? gst_element_get_static_pad(element, "src") : nullptr;
      GstCaps* caps = src != nullptr ? gst_pad_get_current_caps(src) : nullptr;
      result.float_links.push_back(r4k::pipeline::carries_float_frames(caps));
      if (caps != nullptr) gst_caps_unref(caps);
      if (src != nullptr) gst_object_unref(src);
      if (element != nullptr) gst_object_unref(element);
    }
  });
  result.error = outcome.timed_out ? "timed out" : outcome.message;
  return result;
}

TEST(FloatFrames, LinesMixingR4kAndGStreamerElementsNegotiateAndRun) {
  r4k::pipeline::initialise_gstreamer();
  const std::string source =
      "videotestsrc num-buffers=4 pattern=ball ! video/x-raw,format=I420,width=160,height=120,framerate=25/1 ! ";
  // r4k elements side by side: float between them, raw into videoconvert and the sink.
  {
    const auto run = run_and_read(source + "r4kdeflicker name=a ! r4kdenoise name=b ! r4ksuperres name=c "
                                           "model=builtin:bicubic-x2 ! r4kfit name=d width=640 height=360 ! "
                                           "r4kcolorconvert name=e ! videoconvert ! video/x-raw,format=RGB ! fakesink",
                                  {"a", "b", "c", "d", "e"});
    EXPECT_EQ(run.error, "");
    EXPECT_EQ(run.float_links, (std::vector<bool>{true, true, true, true, false}));
  }
  // GStreamer's own elements between and after r4k elements.
  {
    const auto run = run_and_read(source + "videoconvert ! r4ksuperres name=a model=builtin:bicubic-x2 ! queue ! "
                                           "video/x-raw,format=I420 ! r4kfit name=b width=640 height=360 ! "
                                           "videoscale ! video/x-raw,width=320,height=180 ! x264enc ! fakesink",
                                  {"a", "b"});
    EXPECT_EQ(run.error, "");
    EXPECT_EQ(run.float_links, (std::vector<bool>{false, false}));
  }
  // A sink that takes anything (filesink) gets raw video: the frames as bytes.
  {
    const std::filesystem::path file =
        std::filesystem::temp_directory_path() / ("r4k-float-frames-" + std::to_string(::getpid()) + ".yuv");
    const auto run = run_and_read(source + "r4ksuperres name=a model=builtin:bicubic-x2 ! queue ! r4kfit name=b "
                                           "width=640 height=360 ! filesink location=" + file.string(),
                                  {"a", "b"});
    EXPECT_EQ(run.error, "");
    EXPECT_EQ(run.float_links, (std::vector<bool>{true, false}));
    EXPECT_EQ(std::filesystem::file_size(file), 4u * 640u * 360u * 3u / 2u);
    std::filesystem::remove(file);
  }
}

}  // namespace
