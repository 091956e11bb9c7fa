// r4kfit through GstHarness: caps (size, square pixels, format and
// colourimetry kept) and the picture placed with bars of the pad colour.
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include <cstring>

#include "pipeline/pipeline_runner.hpp"

namespace {

TEST(FitElement, AnamorphicAndFourByThreeIntoUhd) {
  r4k::pipeline::initialise_gstreamer();
  struct Case {
    const char* par;
    int bar;  // expected pillarbox width in output pixels
  };
  for (const Case c : {Case{"16/15", 480}, Case{"64/45", 0}}) {
    GstHarness* h = gst_harness_new_parse("r4kfit width=3840 height=2160");
    const std::string caps = std::string("video/x-raw,format=I420,width=720,height=576,framerate=25/1,"
                                         "colorimetry=bt601,pixel-aspect-ratio=") + c.par;
    gst_harness_set_src_caps_str(h, caps.c_str());
    GstVideoInfo in_info;
    GstCaps* in_caps = gst_caps_from_string(caps.c_str());
    ASSERT_TRUE(gst_video_info_from_caps(&in_info, in_caps));
    gst_caps_unref(in_caps);
    GstBuffer* buffer = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&in_info), nullptr);
    GstVideoFrame frame;
    ASSERT_TRUE(gst_video_frame_map(&frame, &in_info, buffer, GST_MAP_WRITE));
    for (int p = 0; p < 3; ++p) {
      auto* data = static_cast<guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, p));
      const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, p);
      const int rows = p == 0 ? 576 : 288;
      std::memset(data, p == 0 ? 180 : 128, static_cast<std::size_t>(stride) * rows);
    }
    gst_video_frame_unmap(&frame);
    GST_BUFFER_PTS(buffer) = 40 * GST_MSECOND;
    ASSERT_EQ(gst_harness_push(h, buffer), GST_FLOW_OK);
    GstBuffer* out = gst_harness_pull(h);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(GST_BUFFER_PTS(out), 40 * GST_MSECOND);
    GstCaps* out_caps = gst_pad_get_current_caps(h->sinkpad);
    GstVideoInfo out_info;
    ASSERT_TRUE(gst_video_info_from_caps(&out_info, out_caps));
    gst_caps_unref(out_caps);
    EXPECT_EQ(GST_VIDEO_INFO_WIDTH(&out_info), 3840);
    EXPECT_EQ(GST_VIDEO_INFO_HEIGHT(&out_info), 2160);
    EXPECT_EQ(GST_VIDEO_INFO_PAR_N(&out_info), 1);
    EXPECT_EQ(GST_VIDEO_INFO_PAR_D(&out_info), 1);
    EXPECT_EQ(GST_VIDEO_INFO_FORMAT(&out_info), GST_VIDEO_FORMAT_I420);
    EXPECT_EQ(out_info.colorimetry.matrix, GST_VIDEO_COLOR_MATRIX_BT601);
    GstVideoFrame out_frame;
    ASSERT_TRUE(gst_video_frame_map(&out_frame, &out_info, out, GST_MAP_READ));
    const auto* y = static_cast<const guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&out_frame, 0));
    const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&out_frame, 0);
    const int row = 1000 * stride;
    if (c.bar > 0) {
      EXPECT_EQ(y[row + 10], 16) << c.par;                 // black bar, limited range
      EXPECT_EQ(y[row + c.bar - 1], 16) << c.par;
      EXPECT_EQ(y[row + 3840 - c.bar], 16) << c.par;
    }
    EXPECT_EQ(y[row + c.bar + 8], 180) << c.par;           // the picture
    EXPECT_EQ(y[row + 1920], 180) << c.par;
    gst_video_frame_unmap(&out_frame);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
  }
}

}  // namespace
