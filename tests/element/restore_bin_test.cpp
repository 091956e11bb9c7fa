// r4krestore: the whole chain negotiates and runs (every frame out, the
// picture fitted, converted to BT.709), interlaced input without the
// deinterlacer is refused, unknown presets are errors, and the bin's
// presets agree with the job-file presets of the same names.
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include "tests/support/launch_line.hpp"

#include <string>

#include <filesystem>
#include <fstream>

#include "config/job_file.hpp"
#include "config/settings.hpp"
#include "core/error.hpp"
#include "pipeline/pipeline_runner.hpp"
#include "tests/support/film_fixtures.hpp"

namespace {

TEST(RestoreBin, RunsTheWholeChainIntoABt709Frame) {
  r4k::pipeline::initialise_gstreamer();
  GstHarness* h = gst_harness_new_parse(
      "r4krestore preset=film-4k model=builtin:bicubic-x4 scratches=true width=1280 height=720");
  gst_harness_set_src_caps_str(h, "video/x-raw,format=I420,width=160,height=120,framerate=25/1,colorimetry=bt601,"
                                  "pixel-aspect-ratio=1/1,interlace-mode=progressive");
  gst_harness_set_sink_caps_str(h, "video/x-raw,format=I420");  // as the encoder downstream asks
  const int frames = 6;
  for (int t = 0; t < frames; ++t) {
    ASSERT_EQ(gst_harness_push(h, r4k::test::i420_buffer(r4k::test::moving_scene(160, 120, t, 2, 1, 0), t)),
              GST_FLOW_OK);
  }
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  int received = 0;
  GstClockTime last = GST_CLOCK_TIME_NONE;
  for (;;) {
    GstEvent* event = gst_harness_pull_event(h);
    const bool eos = event != nullptr && GST_EVENT_TYPE(event) == GST_EVENT_EOS;
    if (event != nullptr) gst_event_unref(event);
    while (gst_harness_buffers_in_queue(h) > 0) {
      GstBuffer* buffer = gst_harness_pull(h);
      EXPECT_TRUE(last == GST_CLOCK_TIME_NONE || GST_BUFFER_PTS(buffer) > last);
      last = GST_BUFFER_PTS(buffer);
      ++received;
      gst_buffer_unref(buffer);
    }
    if (eos || event == nullptr) break;
  }
  EXPECT_EQ(received, frames);
  GstCaps* caps = gst_pad_get_current_caps(h->sinkpad);
  ASSERT_NE(caps, nullptr);
  GstVideoInfo info;
  ASSERT_TRUE(gst_video_info_from_caps(&info, caps));
  gst_caps_unref(caps);
  EXPECT_EQ(GST_VIDEO_INFO_WIDTH(&info), 1280);
  EXPECT_EQ(GST_VIDEO_INFO_HEIGHT(&info), 720);
  EXPECT_EQ(info.colorimetry.matrix, GST_VIDEO_COLOR_MATRIX_BT709);
  EXPECT_EQ(info.colorimetry.primaries, GST_VIDEO_COLOR_PRIMARIES_BT709);
  gst_harness_teardown(h);
}

// Runs `launch` to the end; returns the error message and its debug text, or "" when it ran.
std::string run_error(const std::string& launch) {
  const auto outcome = r4k::test::run_launch_line(launch);
  return outcome.error ? outcome.message + " " + outcome.debug : "";
}

TEST(RestoreBin, BadSettingsAreClearErrors) {
  r4k::pipeline::initialise_gstreamer();
  const std::string source =
      "videotestsrc num-buffers=3 ! video/x-raw,format=I420,width=64,height=48,interlace-mode=interleaved ! ";
  const std::string interlaced = run_error(source + "r4krestore deinterlace=false deflicker=true ! fakesink");
  EXPECT_NE(interlaced.find("nterlaced"), std::string::npos) << interlaced;
  const std::string preset = run_error(source + "r4krestore preset=film-8k ! fakesink");
  EXPECT_NE(preset.find("film-8k"), std::string::npos) << preset;
  EXPECT_EQ(run_error(source + "r4krestore model=builtin:bicubic-x2 deflicker=true ! fakesink"), "");
  // 4:2:0 needs an even size.
  const std::string odd = run_error(
      "videotestsrc num-buffers=3 ! video/x-raw,format=I420,width=65,height=49 ! r4kdenoise ! fakesink");
  EXPECT_NE(odd.find("65x49"), std::string::npos) << odd;
}

// preset= sets every stage the preset's file names (presets/*.yaml, the one
// definition) and later properties override it; other presets are refused
// by GLib, by name.
TEST(RestoreBin, APresetSetsWhatItsFileSaysAndLaterPropertiesOverrideIt) {
  r4k::pipeline::initialise_gstreamer();
  int checked = 0;
  for (const auto& preset : r4k::settings::presets()) {
    if (preset.find("kind") == nullptr || *preset.find("kind") != "video") continue;
    SCOPED_TRACE(preset.name);
    GstElement* bin = gst_element_factory_make("r4krestore", nullptr);
    ASSERT_NE(bin, nullptr);
    gst_util_set_object_arg(G_OBJECT(bin), "preset", preset.name.c_str());
    for (const auto& value : preset.values) {
      const r4k::settings::Setting* setting = r4k::settings::find(value.key);
      const r4k::settings::Property* property = setting ? r4k::settings::property_of(*setting, "r4krestore") : nullptr;
      if (property == nullptr) continue;  // not a stage of the bin (the encoder, say)
      const std::string expected = r4k::settings::check(*setting, value.value).value;
      GValue got = G_VALUE_INIT;
      g_value_init(&got, G_PARAM_SPEC_VALUE_TYPE(
                             g_object_class_find_property(G_OBJECT_GET_CLASS(bin), property->name.c_str())));
      g_object_get_property(G_OBJECT(bin), property->name.c_str(), &got);
      std::string text;
      if (setting->type == r4k::settings::Type::size) {
        guint height = 0;
        g_object_get(bin, property->second.c_str(), &height, nullptr);
        text = std::to_string(g_value_get_uint(&got)) + "x" + std::to_string(height);
      } else if (setting->type == r4k::settings::Type::colour) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%06x", g_value_get_uint(&got));
        text = hex;
      } else {
        gchar* serialised = gst_value_serialize(&got);
        text = serialised;
        g_free(serialised);
      }
      g_value_unset(&got);
      if (setting->type == r4k::settings::Type::number) {
        EXPECT_DOUBLE_EQ(std::stod(text), std::stod(expected)) << value.key;
      } else {
        EXPECT_EQ(text, expected) << value.key;
      }
      ++checked;
    }
    g_object_set(bin, "deflicker", FALSE, nullptr);
    gboolean deflicker = TRUE;
    g_object_get(bin, "deflicker", &deflicker, nullptr);
    EXPECT_FALSE(deflicker) << "a later property overrides the preset";
    gst_object_unref(gst_object_ref_sink(bin));
  }
  EXPECT_GE(checked, 10);
}

}  // namespace
