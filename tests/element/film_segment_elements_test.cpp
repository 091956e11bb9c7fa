// The elements of a film split over machines, through GstHarness:
// r4kframerange (which frames pass, and the end of the stream after them),
// r4kframetimes (decoder-guessed times repaired, nothing else touched).
#include <gst/check/gstharness.h>
#include <gtest/gtest.h>

#include <vector>

#include "pipeline/pipeline_runner.hpp"

namespace {

constexpr const char* kCaps = "video/x-raw,format=GRAY8,width=4,height=2,framerate=25/1";

GstBuffer* frame_at(GstClockTime pts, guint8 value) {
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, 8, nullptr);
  gst_buffer_memset(buffer, 0, value, 8);
  GST_BUFFER_PTS(buffer) = pts;
  GST_BUFFER_DURATION(buffer) = 40 * GST_MSECOND;
  return buffer;
}

guint8 value_of(GstBuffer* buffer) {
  guint8 value = 0;
  gst_buffer_extract(buffer, 0, &value, 1);
  return value;
}

// The first byte of every buffer the harness holds, in order.
std::vector<guint8> pulled_values(GstHarness* h) {
  std::vector<guint8> values;
  while (GstBuffer* out = gst_harness_try_pull(h)) {
    values.push_back(value_of(out));
    gst_buffer_unref(out);
  }
  return values;
}

bool saw_eos(GstHarness* h) {
  bool eos = false;
  while (GstEvent* event = gst_harness_try_pull_event(h)) {
    eos = eos || GST_EVENT_TYPE(event) == GST_EVENT_EOS;
    gst_event_unref(event);
  }
  return eos;
}

TEST(FrameRangeElement, PassesItsRangeAndEndsTheStreamAfterIt) {
  r4k::pipeline::initialise_gstreamer();
  GstHarness* h = gst_harness_new_parse("r4kframerange first=2 count=3 end-stream=true");
  gst_harness_set_src_caps_str(h, kCaps);
  std::vector<GstFlowReturn> returns;
  for (guint8 i = 0; i < 8; ++i) returns.push_back(gst_harness_push(h, frame_at(i * 40 * GST_MSECOND, i)));
  EXPECT_EQ(pulled_values(h), (std::vector<guint8>{2, 3, 4})) << "frames 2, 3, 4 pass unchanged";
  EXPECT_TRUE(saw_eos(h)) << "EOS right after the range";
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(returns[i], GST_FLOW_OK) << i;
  EXPECT_EQ(returns[5], GST_FLOW_EOS) << "upstream is told to stop after the range";
  // The real end of the stream later is not a second EOS.
  EXPECT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  EXPECT_FALSE(saw_eos(h));
  gst_harness_teardown(h);
}

TEST(FrameRangeElement, WithoutEndStreamDropsWhatFollowsAndCountsAgainAfterAFlush) {
  r4k::pipeline::initialise_gstreamer();
  GstHarness* h = gst_harness_new_parse("r4kframerange first=1 count=2");
  gst_harness_set_src_caps_str(h, kCaps);
  for (guint8 i = 0; i < 5; ++i) ASSERT_EQ(gst_harness_push(h, frame_at(i * 40 * GST_MSECOND, i)), GST_FLOW_OK);
  EXPECT_EQ(pulled_values(h), (std::vector<guint8>{1, 2}));
  EXPECT_FALSE(saw_eos(h));
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_flush_start()));
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_flush_stop(TRUE)));
  gst_harness_set_src_caps_str(h, kCaps);
  for (guint8 i = 10; i < 13; ++i) ASSERT_EQ(gst_harness_push(h, frame_at(i * 40 * GST_MSECOND, i)), GST_FLOW_OK);
  EXPECT_EQ(pulled_values(h), (std::vector<guint8>{11, 12})) << "numbered from the flush on";
  gst_harness_teardown(h);
}

TEST(FrameTimesElement, RepairsARunOfGuessedTimesAndLeavesTheRest) {
  r4k::pipeline::initialise_gstreamer();
  GstHarness* h = gst_harness_new_parse("r4kframetimes");
  gst_harness_set_src_caps_str(h, kCaps);
  // As GStreamer's MPEG-2 decoders give a program stream's unstamped B-frames.
  const std::vector<int> in_ms{1140, 1180, 1300, 1300, 1300, 1340};
  for (std::size_t i = 0; i < in_ms.size(); ++i) {
    ASSERT_EQ(gst_harness_push(h, frame_at(in_ms[i] * GST_MSECOND, static_cast<guint8>(i))), GST_FLOW_OK);
  }
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  std::vector<int> out_ms;
  std::vector<guint8> order;
  while (GstBuffer* out = gst_harness_try_pull(h)) {
    out_ms.push_back(static_cast<int>(GST_BUFFER_PTS(out) / GST_MSECOND));
    order.push_back(value_of(out));
    gst_buffer_unref(out);
  }
  EXPECT_EQ(out_ms, (std::vector<int>{1140, 1180, 1220, 1260, 1300, 1340}));
  EXPECT_EQ(order, (std::vector<guint8>{0, 1, 2, 3, 4, 5})) << "every picture once, in order, pixels untouched";
  gst_harness_teardown(h);
}

}  // namespace
