// r4ksuperres driven through GstHarness.
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>

#include "infer/frame_upscaler.hpp"
#include "infer/model_loader.hpp"
#include "pipeline/float_frames.hpp"
#include "pipeline/pipeline_runner.hpp"
#include "pipeline/video_format.hpp"
#include "preprocess/raw_video.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/test_paths.hpp"

namespace {

using r4k::testing::TempDir;

class SuperresElement : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { r4k::pipeline::initialise_gstreamer(); }
};

struct HarnessDeleter {
  void operator()(GstHarness* h) const { gst_harness_teardown(h); }
};
using HarnessPtr = std::unique_ptr<GstHarness, HarnessDeleter>;

HarnessPtr harness(const std::string& properties) {
  return HarnessPtr(gst_harness_new_parse(("r4ksuperres " + properties).c_str()));
}

GstVideoInfo video_info(const std::string& caps_text) {
  GstCaps* caps = gst_caps_from_string(caps_text.c_str());
  GstVideoInfo info;
  EXPECT_TRUE(gst_video_info_from_caps(&info, caps)) << caps_text;
  gst_caps_unref(caps);
  return info;
}

// A buffer for `info`, its frame filled by `fill`.
GstBuffer* make_buffer(const GstVideoInfo& info, const std::function<void(GstVideoFrame&)>& fill) {
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
  GstVideoFrame frame;
  EXPECT_TRUE(gst_video_frame_map(&frame, &info, buffer, GST_MAP_WRITE));
  fill(frame);
  gst_video_frame_unmap(&frame);
  return buffer;
}

void fill_random(GstVideoFrame& frame, unsigned seed, int max_code = 255) {
  std::mt19937 random(seed);
  const bool sixteen = GST_VIDEO_FRAME_COMP_DEPTH(&frame, 0) > 8;
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(&frame); ++p) {
    auto* data = static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, p));
    const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, p);
    const int rows = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, p);
    for (int y = 0; y < rows; ++y) {
      if (sixteen) {
        auto* row = reinterpret_cast<std::uint16_t*>(data + y * stride);
        for (int x = 0; x < stride / 2; ++x) row[x] = static_cast<std::uint16_t>(random() % (max_code + 1));
      } else {
        for (int x = 0; x < stride; ++x) data[y * stride + x] = static_cast<std::uint8_t>(random() % 256);
      }
    }
  }
}

GstCaps* output_caps(GstHarness* h) { return gst_pad_get_current_caps(h->sinkpad); }

TEST_F(SuperresElement, NegotiatesTheScaledSizeAndKeepsTheOtherFields) {
  auto h = harness("model=builtin:bicubic-x2");
  const std::string in = "video/x-raw,format=RGB,width=20,height=10,framerate=25/1,pixel-aspect-ratio=4/3";
  gst_harness_set_src_caps_str(h.get(), in.c_str());
  const GstVideoInfo info = video_info(in);
  GstBuffer* out = gst_harness_push_and_pull(h.get(), make_buffer(info, [](GstVideoFrame& f) { fill_random(f, 1); }));
  ASSERT_NE(out, nullptr);
  GstCaps* caps = output_caps(h.get());
  GstVideoInfo out_info;
  ASSERT_TRUE(gst_video_info_from_caps(&out_info, caps));
  EXPECT_EQ(GST_VIDEO_INFO_WIDTH(&out_info), 40);
  EXPECT_EQ(GST_VIDEO_INFO_HEIGHT(&out_info), 20);
  EXPECT_EQ(GST_VIDEO_INFO_FORMAT(&out_info), GST_VIDEO_FORMAT_RGB);
  EXPECT_EQ(GST_VIDEO_INFO_FPS_N(&out_info), 25);
  EXPECT_EQ(GST_VIDEO_INFO_PAR_N(&out_info), 4);
  EXPECT_EQ(GST_VIDEO_INFO_PAR_D(&out_info), 3);
  EXPECT_EQ(gst_buffer_get_size(out), GST_VIDEO_INFO_SIZE(&out_info));
  int scale = 0;
  g_object_get(gst_harness_find_element(h.get(), "r4ksuperres"), "scale", &scale, nullptr);
  EXPECT_EQ(scale, 2);
  gst_caps_unref(caps);
  gst_buffer_unref(out);
}

TEST_F(SuperresElement, CapsQueryFromDownstreamDividesByTheScale) {
  auto h = harness("model=builtin:bicubic-x4");
  gst_harness_play(h.get());
  GstElement* element = gst_harness_find_element(h.get(), "r4ksuperres");
  GstPad* sink = gst_element_get_static_pad(element, "sink");
  GstPad* src = gst_element_get_static_pad(element, "src");
  GstCaps* downstream = gst_caps_from_string("video/x-raw,format=I420,width=640,height=480");
  GstCaps* upstream = gst_pad_peer_query_caps(src, nullptr);  // what the harness sink accepts
  gst_caps_unref(upstream);
  // Ask the element what it accepts on its sink pad for a given output.
  GstCaps* transformed = GST_BASE_TRANSFORM_GET_CLASS(element)->transform_caps(GST_BASE_TRANSFORM(element),
                                                                             GST_PAD_SRC, downstream, nullptr);
  // The same size as float frames (from an r4k element upstream) and as raw video.
  ASSERT_EQ(gst_caps_get_size(transformed), 2u);
  EXPECT_TRUE(gst_caps_features_contains(gst_caps_get_features(transformed, 0), r4k::pipeline::kFloatFrameFeature));
  EXPECT_TRUE(gst_caps_features_is_equal(gst_caps_get_features(transformed, 1),
                                         GST_CAPS_FEATURES_MEMORY_SYSTEM_MEMORY));
  for (guint i = 0; i < 2; ++i) {
    int width = 0;
    int height = 0;
    const GstStructure* s = gst_caps_get_structure(transformed, i);
    ASSERT_TRUE(gst_structure_get_int(s, "width", &width));
    ASSERT_TRUE(gst_structure_get_int(s, "height", &height));
    EXPECT_EQ(width, 160);
    EXPECT_EQ(height, 120);
  }
  gst_caps_unref(transformed);
  // An output size that is not a multiple of the scale cannot be produced.
  GstCaps* odd = gst_caps_from_string("video/x-raw,format=I420,width=642,height=480");
  GstCaps* none = GST_BASE_TRANSFORM_GET_CLASS(element)->transform_caps(GST_BASE_TRANSFORM(element), GST_PAD_SRC,
                                                                       odd, nullptr);
  EXPECT_TRUE(gst_caps_is_empty(none));
  // Ranges map both ways.
  GstCaps* range = gst_caps_from_string("video/x-raw,width=[8,100],height=[8,100]");
  GstCaps* up = GST_BASE_TRANSFORM_GET_CLASS(element)->transform_caps(GST_BASE_TRANSFORM(element), GST_PAD_SINK,
                                                                     range, nullptr);
  const GValue* w = gst_structure_get_value(gst_caps_get_structure(up, 0), "width");
  ASSERT_TRUE(GST_VALUE_HOLDS_INT_RANGE(w));
  EXPECT_EQ(gst_value_get_int_range_min(w), 32);
  EXPECT_EQ(gst_value_get_int_range_max(w), 400);
  for (GstCaps* c : {downstream, odd, none, range, up}) gst_caps_unref(c);
  gst_object_unref(sink);
  gst_object_unref(src);
}

TEST_F(SuperresElement, TimestampsDurationAndFlagsPassThrough) {
  auto h = harness("model=builtin:bicubic-x2");
  const std::string in = "video/x-raw,format=I420,width=16,height=8,framerate=25/1";
  gst_harness_set_src_caps_str(h.get(), in.c_str());
  GstBuffer* buffer = make_buffer(video_info(in), [](GstVideoFrame& f) { fill_random(f, 2); });
  GST_BUFFER_PTS(buffer) = 3 * GST_SECOND;
  GST_BUFFER_DTS(buffer) = 3 * GST_SECOND;
  GST_BUFFER_DURATION(buffer) = 40 * GST_MSECOND;
  GST_BUFFER_OFFSET(buffer) = 75;
  GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
  GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  GstBuffer* out = gst_harness_push_and_pull(h.get(), buffer);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(GST_BUFFER_PTS(out), 3 * GST_SECOND);
  EXPECT_EQ(GST_BUFFER_DURATION(out), 40 * GST_MSECOND);
  EXPECT_TRUE(GST_BUFFER_FLAG_IS_SET(out, GST_BUFFER_FLAG_DISCONT));
  EXPECT_TRUE(GST_BUFFER_FLAG_IS_SET(out, GST_BUFFER_FLAG_DELTA_UNIT));
  gst_buffer_unref(out);
}

TEST_F(SuperresElement, PixelsEqualCallingTheEngineDirectly) {
  TempDir dir;
  r4k::testing::SrvggSpec spec;
  spec.features = 8;
  spec.convs = 3;
  spec.scale = 2;
  r4k::testing::write_srvgg(spec, dir / "m.onnx");
  const std::string model = (dir / "m.onnx").string();
  auto h = harness("model=" + model + " tile-size=24");
  const std::string in = "video/x-raw,format=RGBx,width=40,height=30,framerate=25/1";
  const GstVideoInfo info = video_info(in);
  gst_harness_set_src_caps_str(h.get(), in.c_str());
  GstBuffer* input = make_buffer(info, [](GstVideoFrame& f) { fill_random(f, 3); });
  gst_buffer_ref(input);
  GstBuffer* out = gst_harness_push_and_pull(h.get(), input);
  ASSERT_NE(out, nullptr);

  // The same frame through the library.
  GstVideoFrame frame;
  ASSERT_TRUE(gst_video_frame_map(&frame, &info, input, GST_MAP_READ));
  const r4k::Frame unpacked = r4k::unpack(r4k::pipeline::raw_frame(frame, r4k::RawFormat::rgbx), {});
  gst_video_frame_unmap(&frame);
  // The algorithms the element ran (AutoTune's, per layer and shape),
  // pinned: another engine may measure differently on a busy machine.
  r4k::infer::EngineOptions engine_options;
  gchar* ran = nullptr;
  GstElement* superres = gst_harness_find_element(h.get(), "r4ksuperres");
  ASSERT_NE(superres, nullptr);
  g_object_get(superres, "algorithms", &ran, nullptr);
  gst_object_unref(superres);
  ASSERT_NE(ran, nullptr);
  const std::string ran_text = ran;
  g_free(ran);
  for (std::size_t start = 0; start < ran_text.size();) {
    std::size_t end = ran_text.find(';', start);
    if (end == std::string::npos) end = ran_text.size();
    const std::string item = ran_text.substr(start, end - start);
    const auto equals = item.rfind('=');
    if (equals != std::string::npos) engine_options.autotune.pinned[item.substr(0, equals)] = item.substr(equals + 1);
    start = end + 1;
  }
  EXPECT_FALSE(engine_options.autotune.pinned.empty()) << ran_text;
  auto engine = r4k::infer::load_model(model, engine_options);
  r4k::infer::UpscaleOptions options;
  options.tile_size = 24;
  r4k::infer::FrameUpscaler upscaler(*engine, options);
  const r4k::Frame expected_frame = upscaler.upscale(unpacked);
  const GstVideoInfo out_info = video_info("video/x-raw,format=RGBx,width=80,height=60,framerate=25/1");
  GstBuffer* expected = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&out_info), nullptr);
  GstVideoFrame expected_map;
  ASSERT_TRUE(gst_video_frame_map(&expected_map, &out_info, expected, GST_MAP_WRITE));
  r4k::RawFrame raw = r4k::pipeline::raw_frame(expected_map, r4k::RawFormat::rgbx);
  r4k::pack(expected_frame, raw);
  gst_video_frame_unmap(&expected_map);

  GstMapInfo a;
  GstMapInfo b;
  ASSERT_TRUE(gst_buffer_map(out, &a, GST_MAP_READ));
  ASSERT_TRUE(gst_buffer_map(expected, &b, GST_MAP_READ));
  ASSERT_EQ(a.size, b.size);
  EXPECT_EQ(std::memcmp(a.data, b.data, a.size), 0);
  gst_buffer_unmap(out, &a);
  gst_buffer_unmap(expected, &b);
  for (GstBuffer* buf : {out, expected, input}) gst_buffer_unref(buf);
}

// ---- colour: Y'CbCr through an RGB model uses the caps' matrix and range

struct Matrix {
  double kr, kb;
};

// Reference Y'CbCr -> R'G'B' -> swap R,B -> Y'CbCr, straight from the
// equations (ITU-R BT.601/709/2020), 8-bit codes.
std::array<int, 3> swapped_reference(int y, int cb, int cr, Matrix m, bool full) {
  const double kg = 1.0 - m.kr - m.kb;
  const double ey = full ? y / 255.0 : (y - 16.0) / 219.0;
  const double ecb = full ? (cb - 128.0) / 255.0 : (cb - 128.0) / 224.0;
  const double ecr = full ? (cr - 128.0) / 255.0 : (cr - 128.0) / 224.0;
  const double r = ey + 2.0 * (1.0 - m.kr) * ecr;
  const double b = ey + 2.0 * (1.0 - m.kb) * ecb;
  const double g = (ey - m.kr * r - m.kb * b) / kg;
  auto clamp01 = [](double v) { return std::min(1.0, std::max(0.0, v)); };
  const double r2 = clamp01(b);
  const double g2 = clamp01(g);
  const double b2 = clamp01(r);
  const double y2 = m.kr * r2 + kg * g2 + m.kb * b2;
  const double cb2 = (b2 - y2) / (2.0 * (1.0 - m.kb));
  const double cr2 = (r2 - y2) / (2.0 * (1.0 - m.kr));
  if (full) {
    return {static_cast<int>(std::lround(255.0 * y2)), static_cast<int>(std::lround(128.0 + 255.0 * cb2)),
            static_cast<int>(std::lround(128.0 + 255.0 * cr2))};
  }
  return {static_cast<int>(std::lround(16.0 + 219.0 * y2)), static_cast<int>(std::lround(128.0 + 224.0 * cb2)),
          static_cast<int>(std::lround(128.0 + 224.0 * cr2))};
}

TEST_F(SuperresElement, YuvThroughAnRgbModelUsesTheCapsMatrixAndRange) {
  TempDir dir;
  r4k::testing::write_channel_swap_model(dir / "swap.onnx");
  struct Case {
    const char* colorimetry;
    Matrix matrix;
    bool full;
  };
  const Case cases[] = {{"bt601", {0.299, 0.114}, false},
                        {"bt709", {0.2126, 0.0722}, false},
                        {"bt2020", {0.2627, 0.0593}, false},
                        {"1:4:0:0", {0.299, 0.114}, true},   // full-range BT.601
                        {"1:3:5:1", {0.2126, 0.0722}, true}};  // full-range BT.709
  const int y = 110, cb = 90, cr = 170;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.colorimetry);
    auto h = harness("model=" + (dir / "swap.onnx").string());
    const std::string in = std::string("video/x-raw,format=I420,width=16,height=8,framerate=25/1,colorimetry=") +
                           c.colorimetry;
    const GstVideoInfo info = video_info(in);
    gst_harness_set_src_caps_str(h.get(), in.c_str());
    GstBuffer* out = gst_harness_push_and_pull(h.get(), make_buffer(info, [&](GstVideoFrame& f) {
      for (int p = 0; p < 3; ++p) {
        const int value = p == 0 ? y : p == 1 ? cb : cr;
        for (int row = 0; row < GST_VIDEO_FRAME_COMP_HEIGHT(&f, p); ++row) {
          std::memset(static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&f, p)) +
                          row * GST_VIDEO_FRAME_PLANE_STRIDE(&f, p),
                      value, static_cast<std::size_t>(GST_VIDEO_FRAME_COMP_WIDTH(&f, p)));
        }
      }
    }));
    ASSERT_NE(out, nullptr);
    GstCaps* caps = output_caps(h.get());
    GstVideoInfo out_info;
    ASSERT_TRUE(gst_video_info_from_caps(&out_info, caps));
    EXPECT_TRUE(gst_video_colorimetry_is_equal(&out_info.colorimetry, &info.colorimetry)) << "colourimetry kept";
    GstVideoFrame frame;
    ASSERT_TRUE(gst_video_frame_map(&frame, &out_info, out, GST_MAP_READ));
    const auto expected = swapped_reference(y, cb, cr, c.matrix, c.full);
    for (int p = 0; p < 3; ++p) {
      const int got = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, p))[0];
      EXPECT_NEAR(got, expected[static_cast<std::size_t>(p)], 1) << "plane " << p;
    }
    gst_video_frame_unmap(&frame);
    gst_caps_unref(caps);
    gst_buffer_unref(out);
  }
}

TEST_F(SuperresElement, TenBitStaysTenBit) {
  for (const char* format : {"I420_10LE", "I422_10LE", "P010_10LE"}) {
    SCOPED_TRACE(format);
    auto h = harness("model=builtin:nearest-x2");
    const std::string in = std::string("video/x-raw,format=") + format + ",width=8,height=6,framerate=25/1";
    const GstVideoInfo info = video_info(in);
    gst_harness_set_src_caps_str(h.get(), in.c_str());
    GstBuffer* input = make_buffer(info, [&](GstVideoFrame& f) {
      fill_random(f, 4, std::string(format) == "P010_10LE" ? 65535 : 1023);
      if (std::string(format) == "P010_10LE") {  // P010 keeps its 10 bits in the high bits
        for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(&f); ++p) {
          auto* data = static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&f, p));
          for (int row = 0; row < GST_VIDEO_FRAME_COMP_HEIGHT(&f, p); ++row) {
            auto* samples = reinterpret_cast<std::uint16_t*>(data + row * GST_VIDEO_FRAME_PLANE_STRIDE(&f, p));
            for (int x = 0; x < GST_VIDEO_FRAME_PLANE_STRIDE(&f, p) / 2; ++x) samples[x] &= 0xFFC0;
          }
        }
      }
    });
    gst_buffer_ref(input);
    GstBuffer* out = gst_harness_push_and_pull(h.get(), input);
    ASSERT_NE(out, nullptr);
    const GstVideoInfo out_info = video_info(std::string("video/x-raw,format=") + format + ",width=16,height=12");
    GstVideoFrame a;
    GstVideoFrame b;
    ASSERT_TRUE(gst_video_frame_map(&a, &info, input, GST_MAP_READ));
    ASSERT_TRUE(gst_video_frame_map(&b, &out_info, out, GST_MAP_READ));
    // Nearest x2: every output luma sample is its source sample, bit for bit.
    int not_8bit = 0;
    for (int y = 0; y < 12; ++y) {
      for (int x = 0; x < 16; ++x) {
        const auto* src = reinterpret_cast<const std::uint16_t*>(static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&a, 0)) +
                                                                 (y / 2) * GST_VIDEO_FRAME_PLANE_STRIDE(&a, 0));
        const auto* dst = reinterpret_cast<const std::uint16_t*>(static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&b, 0)) +
                                                                 y * GST_VIDEO_FRAME_PLANE_STRIDE(&b, 0));
        ASSERT_EQ(dst[x], src[x / 2]) << x << "," << y;
        const int code = std::string(format) == "P010_10LE" ? dst[x] >> 6 : dst[x];
        if (code % 4 != 0) ++not_8bit;
      }
    }
    EXPECT_GT(not_8bit, 100) << "10-bit precision was lost";
    gst_video_frame_unmap(&a);
    gst_video_frame_unmap(&b);
    gst_buffer_unref(out);
    gst_buffer_unref(input);
  }
}

// ---- errors

struct BusError {
  std::string message;
  std::string debug;
};

BusError pop_error(GstBus* bus) {
  BusError result;
  GstMessage* message = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
  if (message == nullptr) return result;
  GError* error = nullptr;
  gchar* debug = nullptr;
  gst_message_parse_error(message, &error, &debug);
  result.message = error->message;
  result.debug = debug != nullptr ? debug : "";
  g_error_free(error);
  g_free(debug);
  gst_message_unref(message);
  return result;
}

TEST_F(SuperresElement, MissingModelFailsOnReadyWithTheReason) {
  GstElement* pipeline = gst_pipeline_new("p");
  GstElement* element = gst_element_factory_make("r4ksuperres", nullptr);
  ASSERT_NE(element, nullptr);
  g_object_set(element, "model", "/nonexistent/model.onnx", nullptr);
  gst_bin_add(GST_BIN(pipeline), element);
  EXPECT_EQ(gst_element_set_state(pipeline, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
  GstBus* bus = gst_element_get_bus(pipeline);
  const BusError error = pop_error(bus);
  EXPECT_NE(error.message.find("Could not load super-resolution model '/nonexistent/model.onnx'"), std::string::npos)
      << error.message;
  EXPECT_NE(error.debug.find("does not exist"), std::string::npos) << error.debug;
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
}

TEST_F(SuperresElement, InterlacedInputIsRefusedWithAMessage) {
  auto h = harness("model=builtin:bicubic-x2");
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(h->element, bus);
  const std::string in = "video/x-raw,format=I420,width=16,height=8,framerate=25/1,interlace-mode=interleaved";
  gst_harness_set_src_caps_str(h.get(), in.c_str());
  const GstFlowReturn flow =
      gst_harness_push(h.get(), make_buffer(video_info(in), [](GstVideoFrame& f) { fill_random(f, 5); }));
  EXPECT_NE(flow, GST_FLOW_OK);
  const BusError error = pop_error(bus);
  EXPECT_NE(error.debug.find("deinterlace first"), std::string::npos) << error.message << " / " << error.debug;
  gst_element_set_bus(h->element, nullptr);
  gst_object_unref(bus);
}

TEST_F(SuperresElement, UnsupportedFormatIsNotNegotiated) {
  auto h = harness("model=builtin:bicubic-x2");
  const std::string in = "video/x-raw,format=YUY2,width=16,height=8,framerate=25/1";
  gst_harness_set_src_caps_str(h.get(), in.c_str());
  const GstFlowReturn flow =
      gst_harness_push(h.get(), make_buffer(video_info(in), [](GstVideoFrame& f) { fill_random(f, 6); }));
  EXPECT_EQ(flow, GST_FLOW_NOT_NEGOTIATED);
}

}  // namespace
